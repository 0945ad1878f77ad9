"""SQL for models converted for an inference runtime (table ``runtime_artifacts``,
migration 0007): which blob holds the files of a conversion key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sightline.db.models import RuntimeArtifactRow
from sightline.db.session import add_unless_refused


def find_runtime_artifact(*, session: Session, key: str) -> str | None:
    """The sha256 of the blob stored under ``key``, or None."""
    found: str | None = session.scalar(
        select(RuntimeArtifactRow.blob_sha256).where(RuntimeArtifactRow.key == key)
    )
    return found


def add_runtime_artifact(*, session: Session, key: str, blob_sha256: str, size_bytes: int) -> bool:
    """Record ``key``'s blob; False, and nothing changed, when a replica recorded it first."""
    row = RuntimeArtifactRow(key=key, blob_sha256=blob_sha256, size_bytes=size_bytes)
    return add_unless_refused(session, row)


def replace_runtime_artifact(
    *, session: Session, key: str, blob_sha256: str, size_bytes: int
) -> None:
    """Point ``key`` at another blob (the one recorded was lost from the store)."""
    session.execute(
        update(RuntimeArtifactRow)
        .where(RuntimeArtifactRow.key == key)
        .values(blob_sha256=blob_sha256, size_bytes=size_bytes)
    )
