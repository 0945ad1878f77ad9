"""db/model_versions.py: the rows behind the registry."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import model_versions as versions
from sightline.db.session import session_scope


def add(
    session: Session, version: str, status: str = "candidate", card: str | None = "c" * 64
) -> bool:
    return versions.insert_version(
        session=session,
        classifier="cifar10",
        version=version,
        status=status,
        parent=None,
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
        assert add(session, name)
    assert versions.next_version(session=session) == "v11"
    assert [r.version for r in versions.list_versions(session=session, classifier="cifar10")] == [
        "v10",
        "v9",
        "v2",
        "v1",
    ]


def test_an_inserted_row_keeps_its_fields(session: Session) -> None:
    assert versions.insert_version(
        session=session,
        classifier="cifar10",
        version="v1",
        status="production",
        parent="v0",
        metrics={"accuracy": 0.9},
        trained_on={"name": "shapes", "seconds": 3.0},
        path="models/v1",
        model_sha256="a" * 64,
        card_sha256="b" * 64,
        source="shipped",
        note="imported",
    )
    assert add(session, "v2")
    v1 = versions.get_version(session=session, classifier="cifar10", version="v1")
    assert v1 is not None
    assert (v1.status, v1.parent, v1.source, v1.note) == ("production", "v0", "shipped", "imported")
    assert v1.metrics == {"accuracy": 0.9} and v1.trained_on["seconds"] == 3.0
    assert (v1.model_sha256, v1.card_sha256) == ("a" * 64, "b" * 64)
    assert v1.promoted_at is not None  # a production row is promoted as it is added
    v2 = versions.get_version(session=session, classifier="cifar10", version="v2")
    assert v2 is not None and v2.promoted_at is None


def test_a_taken_number_is_refused_and_the_transaction_goes_on(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        assert add(session, "v1")
    with session_scope(migrated) as session:
        assert not add(session, "v1", card="d" * 64)
        assert add(session, "v2")  # the refusal rolled back only its own insert
    with session_scope(migrated) as session:
        v1 = versions.get_version(session=session, classifier="cifar10", version="v1")
        assert v1 is not None and v1.card_sha256 == "c" * 64
        assert [
            r.version for r in versions.list_versions(session=session, classifier="cifar10")
        ] == ["v2", "v1"]


def test_only_one_production_row(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        assert add(session, "v1", "production")
    with session_scope(migrated) as session:
        assert not add(session, "v2", "production")
    with session_scope(migrated) as session:
        assert versions.production_version(session=session, classifier="cifar10") == "v1"
        assert versions.get_version(session=session, classifier="cifar10", version="v2") is None


def test_make_production_archives_the_previous_one(session: Session) -> None:
    add(session, "v1", "production")
    add(session, "v2")
    v2 = versions.get_version(session=session, classifier="cifar10", version="v2", for_update=True)
    assert v2 is not None
    versions.make_production(session=session, row=v2)
    session.flush()
    assert versions.production_version(session=session, classifier="cifar10") == "v2"
    production = versions.production_row(session=session, classifier="cifar10")
    assert production is not None and production.version == "v2"
    v1 = versions.get_version(session=session, classifier="cifar10", version="v1")
    assert v1 is not None and v1.status == "archived"
    assert v2.promoted_at is not None


def test_lookups_by_hash_status_and_missing_card(session: Session) -> None:
    add(session, "v1", "production", card=None)
    add(session, "v2")
    found = versions.version_with_model(
        session=session, classifier="cifar10", model_sha256="v2".ljust(64, "0")
    )
    assert found is not None and found.version == "v2"
    assert (
        versions.version_with_model(session=session, classifier="cifar10", model_sha256="f" * 64)
        is None
    )
    assert [r.version for r in versions.versions_missing_card(session=session)] == ["v1"]
    assert versions.set_status(
        session=session, classifier="cifar10", version="v2", status="rejected", note="worse"
    )
    assert not versions.set_status(
        session=session, classifier="cifar10", version="v7", status="rejected", note=None
    )
    v2 = versions.get_version(session=session, classifier="cifar10", version="v2")
    assert v2 is not None and (v2.status, v2.note) == ("rejected", "worse")


def test_a_card_hash_is_recorded_once(session: Session) -> None:
    add(session, "v1", card=None)
    assert versions.set_card_sha256(session=session, version="v1", card_sha256="e" * 64)
    assert not versions.set_card_sha256(session=session, version="v1", card_sha256="f" * 64)
    assert not versions.set_card_sha256(session=session, version="v9", card_sha256="f" * 64)
    v1 = versions.get_version(session=session, classifier="cifar10", version="v1")
    assert v1 is not None and v1.card_sha256 == "e" * 64
    assert versions.versions_missing_card(session=session) == []
