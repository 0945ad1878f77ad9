"""SQL for model versions (table ``model_versions``). The registry
(``ml/registry.py``) holds the rules; these functions only read and write rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sightline.db.models import ModelVersionRow
from sightline.db.session import add_unless_refused


@dataclass(frozen=True)
class ModelVersion:
    """One registered version, as the rest of the package sees it (no ORM row leaves db/)."""

    version: str
    classifier: str
    created_at: datetime
    status: str  # production / candidate / rejected / archived
    parent: str | None
    metrics: dict[str, Any]
    trained_on: dict[str, Any]
    path: str
    model_sha256: str
    card_sha256: str | None
    source: str  # shipped / retrained
    promoted_at: datetime | None
    note: str | None

    @classmethod
    def of(cls, row: ModelVersionRow) -> ModelVersion:
        return cls(
            version=row.version,
            classifier=row.classifier,
            created_at=row.created_at,
            status=row.status,
            parent=row.parent,
            metrics=dict(row.metrics or {}),
            trained_on=dict(row.trained_on or {}),
            path=row.path,
            model_sha256=row.model_sha256,
            card_sha256=row.card_sha256,
            source=row.source,
            promoted_at=row.promoted_at,
            note=row.note,
        )


def _production(classifier: str) -> ColumnElement[bool]:
    return (ModelVersionRow.classifier == classifier) & (ModelVersionRow.status == "production")


def production_row(
    *, session: Session, classifier: str, for_update: bool = False
) -> ModelVersionRow | None:
    query = select(ModelVersionRow).where(_production(classifier))
    return session.scalar(query.with_for_update() if for_update else query)


def production_version(*, session: Session, classifier: str) -> str | None:
    return session.scalar(select(ModelVersionRow.version).where(_production(classifier)))


def production_versions(*, session: Session) -> dict[str, str]:
    """Each classifier's production version, in one query (what the API processes poll)."""
    query = select(ModelVersionRow.classifier, ModelVersionRow.version).where(
        ModelVersionRow.status == "production"
    )
    return {classifier: version for classifier, version in session.execute(query)}


def production_rows(*, session: Session) -> dict[str, ModelVersion]:
    """Each classifier's production version, in one query."""
    rows = session.scalars(select(ModelVersionRow).where(ModelVersionRow.status == "production"))
    return {row.classifier: ModelVersion.of(row) for row in rows}


def get_version(
    *, session: Session, version: str, classifier: str, for_update: bool = False
) -> ModelVersionRow | None:
    """The version when it belongs to ``classifier`` (another's version is not found)."""
    row = session.get(ModelVersionRow, version, with_for_update=for_update)
    return row if row is not None and row.classifier == classifier else None


def list_versions(*, session: Session, classifier: str) -> list[ModelVersionRow]:
    """The classifier's versions, newest first (v10 after v9: by number, not by text)."""
    query = select(ModelVersionRow).where(ModelVersionRow.classifier == classifier)
    rows = session.scalars(query).all()
    return sorted(rows, key=lambda row: int(row.version[1:]), reverse=True)


def version_with_model(
    *, session: Session, classifier: str, model_sha256: str
) -> ModelVersionRow | None:
    query = select(ModelVersionRow).where(
        ModelVersionRow.classifier == classifier, ModelVersionRow.model_sha256 == model_sha256
    )
    return session.scalar(query.limit(1))


def next_version(*, session: Session) -> str:
    """The next free id: one past the highest number (a concurrent writer may take it
    first; the primary key then refuses the second insert)."""
    versions = session.scalars(select(ModelVersionRow.version)).all()
    highest = max((int(v[1:]) for v in versions), default=0)
    return f"v{max(highest, len(versions)) + 1}"


def insert_version(
    *,
    session: Session,
    classifier: str,
    version: str,
    status: str,
    parent: str | None,
    metrics: dict[str, Any],
    trained_on: dict[str, Any],
    path: str,
    model_sha256: str,
    card_sha256: str | None,
    source: str,
    note: str | None = None,
    check_sha256: str | None = None,
) -> bool:
    """Add the version's row; False, and nothing added, when the database refuses it:
    its number was taken by a concurrent writer, or it would be a second production row.

    The insert runs in a savepoint, so the refusal leaves the rest of the caller's
    transaction usable."""
    row = ModelVersionRow(
        version=version,
        classifier=classifier,
        status=status,
        parent=parent,
        metrics=metrics,
        trained_on=trained_on,
        path=path,
        model_sha256=model_sha256,
        card_sha256=card_sha256,
        check_sha256=check_sha256,
        source=source,
        promoted_at=datetime.now(UTC) if status == "production" else None,
        note=note,
    )
    return add_unless_refused(session, row)


def set_status(
    *, session: Session, classifier: str, version: str, status: str, note: str | None
) -> bool:
    """False when the classifier has no such version."""
    row = get_version(session=session, version=version, classifier=classifier)
    if row is None:
        return False
    row.status = status
    if note:
        row.note = note
    return True


def make_production(*, session: Session, row: ModelVersionRow) -> ModelVersionRow:
    """Archive the current production row, then promote ``row``, in this transaction.

    The old row leaves production before the new one enters, so the partial unique
    index (one production row per classifier) holds at every statement."""
    current = session.scalars(
        select(ModelVersionRow).where(_production(row.classifier)).with_for_update()
    ).all()
    for old in current:
        old.status = "archived"
    session.flush()
    row.status = "production"
    row.promoted_at = datetime.now(UTC)
    return row


def versions_missing_card(*, session: Session) -> list[ModelVersionRow]:
    """Versions registered before migration 0004, whose files are not blobs yet."""
    return list(
        session.scalars(select(ModelVersionRow).where(ModelVersionRow.card_sha256.is_(None))).all()
    )


def set_card_sha256(*, session: Session, version: str, card_sha256: str) -> bool:
    """Record the card blob of a version that has none yet; False when the version is
    gone or another process recorded one first."""
    row = session.get(ModelVersionRow, version)
    if row is None or row.card_sha256 is not None:
        return False
    row.card_sha256 = card_sha256
    return True
