"""The databases the suite runs on: SQLite always, and Postgres as well when
SIGHTLINE_TEST_POSTGRES_URL names a server (CI starts one with deploy/postgres-dev.sh).

Every test that takes the ``settings`` fixture runs once per database, each time in a
database of its own: a fresh SQLite file, or a Postgres database created for the test
and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from sightline.db.session import engine_for

POSTGRES_URL = os.environ.get("SIGHTLINE_TEST_POSTGRES_URL", "")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    *(
        [pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
        if POSTGRES_URL
        else []
    ),
]


@contextmanager
def fresh_postgres_database(server_url: str = POSTGRES_URL) -> Iterator[str]:
    """The URL of a new, empty database on the test server; dropped afterwards."""
    # CREATE/DROP DATABASE cannot run inside a transaction.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"sightline_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        engine_for(url).dispose()  # the app's pooled connections to it
        with admin.connect() as connection:
            # FORCE: a connection left by a killed process must not keep it alive.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
