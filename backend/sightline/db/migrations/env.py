"""Alembic environment: runs migrations on the URL that sightline.db.session sets."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from sightline.db.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """The URL db/session.py sets; from the alembic CLI (``make migration``, with
    db/alembic.ini, which names none), the one Sightline's settings name."""
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from sightline.config import get_settings

    return get_settings().resolved_database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
