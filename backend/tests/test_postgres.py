"""Postgres specifics. The rest of the database suite runs on Postgres too, through the
``settings`` fixture (tests/databases.py); these are what only Postgres has: URLs as
platforms write them, replicas on several machines migrating one database at once,
and the partial unique indexes that keep one production model and one active job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from sightline.config import Settings
from tests.databases import POSTGRES_URL, fresh_postgres_database

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="SIGHTLINE_TEST_POSTGRES_URL unset")

MIGRATE = (
    "import sys; from pathlib import Path; from sightline.config import Settings; "
    "from sightline.db.session import migrate; "
    "migrate(Settings(home=Path(sys.argv[1]), database_url=sys.argv[2]))"
)


@pytest.mark.parametrize("given", ["postgres://u:p@db:5432/s", "postgresql://u:p@db:5432/s"])
def test_platform_urls_use_the_installed_driver(given: str) -> None:
    settings = Settings(database_url=given)
    assert settings.resolved_database_url == "postgresql+psycopg://u:p@db:5432/s"


def test_other_urls_are_kept_as_given(tmp_path: Path) -> None:
    assert Settings(database_url="postgresql+psycopg://u@h/d").resolved_database_url == (
        "postgresql+psycopg://u@h/d"
    )
    assert Settings(home=tmp_path).resolved_database_url == f"sqlite:///{tmp_path}/sightline.db"


@needs_postgres
@pytest.mark.postgres
@pytest.mark.process
def test_replicas_on_separate_machines_migrate_one_database_together(tmp_path: Path) -> None:
    # Separate homes: the file lock cannot help, as on separate machines.
    with fresh_postgres_database() as url:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE, str(tmp_path / f"home{i}"), url],
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(4)
        ]
        errors = [process.communicate(timeout=300)[1] for process in processes]
        assert [p.returncode for p in processes] == [0] * 4, errors
        assert _scalar(url, "SELECT version_num FROM alembic_version") is not None


@needs_postgres
@pytest.mark.postgres
@pytest.mark.process
def test_the_one_production_and_one_active_job_rules_are_partial_indexes(
    tmp_path: Path,
) -> None:
    with fresh_postgres_database() as url:
        subprocess.run([sys.executable, "-c", MIGRATE, str(tmp_path), url], check=True)
        indexes = {
            name: definition
            for name, definition in _rows(url, "SELECT indexname, indexdef FROM pg_indexes")
        }
    assert "UNIQUE" in indexes["uq_model_versions_one_production"]
    assert "WHERE" in indexes["uq_model_versions_one_production"]
    assert "WHERE" in indexes["uq_retrain_jobs_one_active"]


def _rows(url: str, sql: str) -> list[tuple[str, str]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [(row[0], row[1]) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()
