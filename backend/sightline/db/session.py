"""Engine and sessions. SQLite runs in WAL mode with a busy timeout so several
processes (API replicas, the worker) can share it; Postgres works by URL."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from sightline.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (the WAL fsynced) before it returns, so an
            # answered prediction's row survives power loss; group commit
            # (serving/recorder.py) shares the fsync between requests.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@lru_cache(maxsize=8)
def _sessionmaker_for(url: str) -> sessionmaker[Session]:
    # One per engine: building a sessionmaker sets up a new Session class and its
    # event dispatch, a third of a millisecond that every group commit would pay.
    return sessionmaker(engine_for(url), expire_on_commit=False)


def session_factory(settings: Settings) -> sessionmaker[Session]:
    return _sessionmaker_for(settings.resolved_database_url)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def add_unless_refused(session: Session, row: object) -> bool:
    """Add ``row`` in a savepoint; False, and nothing added, when the database refuses it
    (a key already taken), so the rest of the caller's transaction stays usable."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def migrate(settings: Settings) -> None:
    """Bring the database to the latest Alembic revision, under the database's own lock.

    Replicas may start together (and `sightline migrate`, the Kubernetes Job or the
    compose one-shot service may run beside them), so one migrates while the others
    wait, then finds nothing left to do: Alembic takes no lock of its own. On Postgres
    the lock is a session-level advisory lock, which every machine sees; SQLite is one
    file on one machine, so a lock file beside it does the same.
    """
    from alembic import command
    from alembic.config import Config

    url = settings.resolved_database_url
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _migration_lock(url):
        command.upgrade(config, "head")


# Any constant shared by every Sightline process: the key of the migration lock.
MIGRATION_LOCK_KEY = 0x5167_4C49_4E45


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    if url.startswith("postgresql"):
        with _advisory_lock(url):
            yield
        return
    database = make_url(url).database
    if not url.startswith("sqlite") or not database or database == ":memory:":
        yield  # a private database: nobody to wait for
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    """Hold a Postgres session-level advisory lock for the block."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            lock = {"key": MIGRATION_LOCK_KEY}
            connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
    finally:
        engine.dispose()
