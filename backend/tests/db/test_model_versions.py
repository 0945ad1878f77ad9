"""db/model_versions.py: the rows behind the registry."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import model_versions as versions
from sightline.db.models import ModelVersionRow
from sightline.db.session import session_scope


def row(version: str, status: str = "candidate", card: str | None = "c" * 64) -> ModelVersionRow:
    return ModelVersionRow(
        version=version,
        status=status,
        metrics={},
        trained_on={},
        path=f"models/{version}",
        model_sha256=version.ljust(64, "0"),
        card_sha256=card,
        source="retrained",
    )


def test_versions_are_numbered_and_listed_by_number(session: Session) -> None:
    assert versions.next_version(session=session) == "v1"
    for name in ("v1", "v2", "v9", "v10"):
        versions.insert_version(session=session, row=row(name))
    session.flush()
    assert versions.next_version(session=session) == "v11"
    assert [r.version for r in versions.list_versions(session=session)] == [
        "v10",
        "v9",
        "v2",
        "v1",
    ]


def test_make_production_archives_the_previous_one(session: Session) -> None:
    versions.insert_version(session=session, row=row("v1", "production"))
    versions.insert_version(session=session, row=row("v2"))
    session.flush()
    v2 = versions.get_version(session=session, version="v2", for_update=True)
    assert v2 is not None
    versions.make_production(session=session, row=v2)
    session.flush()
    assert versions.production_version(session=session) == "v2"
    v1 = versions.get_version(session=session, version="v1")
    assert v1 is not None and v1.status == "archived"
    assert v2.promoted_at is not None


def test_only_one_production_row(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        versions.insert_version(session=session, row=row("v1", "production"))
    with pytest.raises(IntegrityError), session_scope(migrated) as session:
        versions.insert_version(session=session, row=row("v2", "production"))


def test_lookups_by_hash_status_and_missing_card(session: Session) -> None:
    versions.insert_version(session=session, row=row("v1", "production", card=None))
    versions.insert_version(session=session, row=row("v2"))
    session.flush()
    found = versions.version_with_model(session=session, model_sha256="v2".ljust(64, "0"))
    assert found is not None and found.version == "v2"
    assert versions.version_with_model(session=session, model_sha256="f" * 64) is None
    assert [r.version for r in versions.versions_missing_card(session=session)] == ["v1"]
    assert versions.set_status(session=session, version="v2", status="rejected", note="worse")
    assert not versions.set_status(session=session, version="v7", status="rejected", note=None)
    v2 = versions.get_version(session=session, version="v2")
    assert v2 is not None and (v2.status, v2.note) == ("rejected", "worse")
