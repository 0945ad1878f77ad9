"""SQL for labelled training uploads (table ``training_uploads``). Their bytes are
blobs (``sightline.blob_store``); ``data/training_uploads.py`` holds the rules."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sightline.db.models import TrainingUploadRow
from sightline.db.session import add_unless_refused


def upload_counts(*, session: Session) -> dict[str, int]:
    """Uploads per class."""
    rows = session.execute(
        select(TrainingUploadRow.class_name, func.count()).group_by(TrainingUploadRow.class_name)
    ).all()
    return {name: int(n) for name, n in rows}


def upload_exists(*, session: Session, sha256: str) -> bool:
    query = select(TrainingUploadRow.id).where(TrainingUploadRow.sha256 == sha256)
    return session.scalar(query) is not None


def insert_upload(*, session: Session, row: TrainingUploadRow) -> None:
    """Add a row whose hash the caller knows is new (bulk loads); a duplicate makes the
    commit fail. The upload store uses ``record_upload``."""
    session.add(row)


def record_upload(
    *,
    session: Session,
    sha256: str,
    class_name: str,
    size_bytes: int,
    path: str,
    original_filename: str | None,
) -> bool:
    """Add one upload's row; False, and nothing added, when the same bytes are recorded
    already (a concurrent upload of them won). The insert runs in a savepoint, so the
    refusal leaves the rest of the caller's transaction usable."""
    row = TrainingUploadRow(
        sha256=sha256,
        class_name=class_name,
        size_bytes=size_bytes,
        path=path,
        original_filename=original_filename,
    )
    return add_unless_refused(session, row)


def all_uploads(*, session: Session) -> list[TrainingUploadRow]:
    """Every upload, oldest first."""
    return list(session.scalars(select(TrainingUploadRow).order_by(TrainingUploadRow.id)).all())


def unused_upload_hashes(*, session: Session) -> list[str]:
    """The hashes of uploads no job has trained on yet."""
    return list(
        session.scalars(
            select(TrainingUploadRow.sha256).where(TrainingUploadRow.used_by_job.is_(None))
        ).all()
    )


def mark_used(*, session: Session, upload_ids: list[int], job_id: str) -> None:
    session.execute(
        update(TrainingUploadRow)
        .where(TrainingUploadRow.id.in_(upload_ids))
        .values(used_by_job=job_id)
    )
