"""The admin token across replicas: from the environment, or generated once and kept
only as a hash in the database, so a replica with another home accepts it too."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.api.main import create_app
from sightline.config import Settings
from sightline.db.models import AdminTokenRow
from sightline.db.session import migrate, session_scope
from sightline.ops.credentials import TOKEN_FILE, resolve_admin_token, token_sha256


@pytest.fixture
def no_env_token(settings: Settings) -> Settings:
    settings = settings.model_copy(update={"admin_token": None})
    settings.ensure_dirs()
    migrate(settings)
    return settings


def other_home(settings: Settings, tmp_path: Path, name: str) -> Settings:
    """The same database, another home: another machine. (SQLite's file lives in the
    first home, so the second names it by URL.)"""
    return settings.model_copy(
        update={"home": tmp_path / name, "database_url": settings.resolved_database_url}
    )


def test_a_generated_token_is_stored_only_as_its_hash(
    no_env_token: Settings, tmp_path: Path
) -> None:
    first = resolve_admin_token(no_env_token)
    assert first.generated is not None and first.sha256 == token_sha256(first.generated)
    with session_scope(no_env_token) as session:
        stored = session.scalars(select(AdminTokenRow.token_sha256)).all()
    assert stored == [hashlib.sha256(first.generated.encode()).hexdigest()]
    # The user's copy, on the machine that generated it, readable by its owner only.
    copy = no_env_token.home / TOKEN_FILE
    assert copy.read_text() == first.generated and copy.stat().st_mode & 0o077 == 0
    # Another replica, another home: the same hash, and no new token.
    second = resolve_admin_token(other_home(no_env_token, tmp_path, "b"))
    assert (second.sha256, second.generated) == (first.sha256, None)


def test_every_replica_accepts_the_generated_token(no_env_token: Settings, tmp_path: Path) -> None:
    token = resolve_admin_token(no_env_token).generated
    assert token is not None
    replica_b = other_home(no_env_token, tmp_path, "b")
    with TestClient(create_app(replica_b)) as client:
        refused = client.post("/api/models/v1/promote", headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"
        accepted = client.post(
            "/api/models/v1/promote", headers={"Authorization": f"Bearer {token}"}
        )
        assert accepted.status_code == 200, accepted.text
    assert not (replica_b.home / TOKEN_FILE).exists()  # it was not generated there


def test_the_environment_token_wins_and_is_not_stored(settings: Settings) -> None:
    settings.ensure_dirs()
    migrate(settings)
    token = resolve_admin_token(settings)
    assert token.sha256 == token_sha256(str(settings.admin_token)) and token.generated is None
    with session_scope(settings) as session:
        assert session.scalar(select(AdminTokenRow)) is None


def test_a_home_from_before_the_hash_keeps_its_token(no_env_token: Settings) -> None:
    (no_env_token.home / TOKEN_FILE).write_text("the-old-token\n")
    token = resolve_admin_token(no_env_token)
    assert (token.sha256, token.generated) == (token_sha256("the-old-token"), None)
    (no_env_token.home / TOKEN_FILE).unlink()
    assert resolve_admin_token(no_env_token).sha256 == token_sha256("the-old-token")
