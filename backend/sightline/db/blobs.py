"""SQL for content-addressed blobs kept in the database (tables ``blobs`` and
``blob_chunks``, migration 0004). Hashing and verification live in
``sightline.storage.blobs``; these functions only move bytes."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sightline.db.models import BlobChunkRow, BlobRow

# 1 MiB: a 10 MB model is ten rows; no single value strains SQLite or Postgres.
CHUNK_BYTES = 1 << 20


def blob_exists(*, session: Session, sha256: str) -> bool:
    return session.get(BlobRow, sha256) is not None


def insert_blob(*, session: Session, sha256: str, data: bytes) -> None:
    """Add a blob in this session's transaction (the caller commits; a concurrent
    insert of the same hash raises IntegrityError at commit)."""
    chunks = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    session.add(BlobRow(sha256=sha256, size_bytes=len(data), chunk_count=len(chunks)))
    session.flush()  # the parent row first: the chunks reference it
    session.add_all(
        BlobChunkRow(sha256=sha256, position=i, data=chunk) for i, chunk in enumerate(chunks)
    )


def insert_blob_unless_present(*, session: Session, sha256: str, data: bytes) -> None:
    """Add a blob in the caller's transaction unless it is there (a savepoint: the same
    bytes stored by another process a moment ago leave the rest of it usable)."""
    if blob_exists(session=session, sha256=sha256):
        return
    try:
        with session.begin_nested():
            insert_blob(session=session, sha256=sha256, data=data)
    except IntegrityError:
        pass


def read_blob(*, session: Session, sha256: str) -> bytes | None:
    """The blob's bytes, or None when there is no such blob."""
    blob = session.get(BlobRow, sha256)
    if blob is None:
        return None
    chunks = session.scalars(
        select(BlobChunkRow.data)
        .where(BlobChunkRow.sha256 == sha256)
        .order_by(BlobChunkRow.position)
    ).all()
    return b"".join(chunks)


def delete_blob(*, session: Session, sha256: str) -> None:
    session.execute(delete(BlobChunkRow).where(BlobChunkRow.sha256 == sha256))
    session.execute(delete(BlobRow).where(BlobRow.sha256 == sha256))


def blob_stats(*, session: Session) -> tuple[int, int]:
    """How many blobs, and their bytes in total."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(BlobRow.size_bytes), 0))
    ).one()
    return int(count), int(total)
