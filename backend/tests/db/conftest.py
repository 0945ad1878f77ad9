"""A migrated database per test (SQLite, and Postgres when configured) and no model,
for the SQL modules in sightline/db/: tests/conftest.py's ``db`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db.session import session_scope


@pytest.fixture
def migrated(db: Settings) -> Settings:
    """The ``db`` fixture under the name these tests use: migrated, with no model."""
    return db


@pytest.fixture
def session(migrated: Settings) -> Iterator[Session]:
    """One session, committed at the end of the test."""
    with session_scope(migrated) as session:
        yield session
