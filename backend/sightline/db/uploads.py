"""SQL for labelled training uploads (table ``training_uploads``). Their bytes are
blobs (``sightline.blob_store``); ``data/training_uploads.py`` holds the rules."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sightline.db.models import TrainingUploadRow
from sightline.db.session import add_unless_refused


def upload_counts(*, session: Session, classifier: str) -> dict[str, int]:
    """The classifier's uploads per class."""
    rows = session.execute(
        select(TrainingUploadRow.class_name, func.count())
        .where(TrainingUploadRow.classifier == classifier)
        .group_by(TrainingUploadRow.class_name)
    ).all()
    return {name: int(n) for name, n in rows}


def upload_totals(*, session: Session) -> dict[str, int]:
    """Uploads per classifier."""
    rows = session.execute(
        select(TrainingUploadRow.classifier, func.count()).group_by(TrainingUploadRow.classifier)
    ).all()
    return {name: int(n) for name, n in rows}


def upload_exists(*, session: Session, classifier: str, sha256: str) -> bool:
    query = select(TrainingUploadRow.id).where(
        TrainingUploadRow.classifier == classifier, TrainingUploadRow.sha256 == sha256
    )
    return session.scalar(query) is not None


def upload_class_of(*, session: Session, classifier: str, sha256: str) -> str | None:
    """The class an image is stored under for the classifier, if it is stored."""
    query = select(TrainingUploadRow.class_name).where(
        TrainingUploadRow.classifier == classifier, TrainingUploadRow.sha256 == sha256
    )
    return session.scalar(query)


def insert_upload(*, session: Session, row: TrainingUploadRow) -> None:
    """Add a row whose hash the caller knows is new (bulk loads); a duplicate makes the
    commit fail. The upload store uses ``record_upload``."""
    session.add(row)


def record_upload(
    *,
    session: Session,
    classifier: str,
    sha256: str,
    class_name: str,
    size_bytes: int,
    path: str,
    original_filename: str | None,
    split: str | None = None,
) -> bool:
    """Add one upload's row; False, and nothing added, when the same bytes are recorded
    already for the classifier (a concurrent upload of them won). The insert runs in a
    savepoint, so the refusal leaves the rest of the caller's transaction usable."""
    row = TrainingUploadRow(
        classifier=classifier,
        sha256=sha256,
        class_name=class_name,
        size_bytes=size_bytes,
        path=path,
        original_filename=original_filename,
        split=split,
    )
    return add_unless_refused(session, row)


def all_uploads(*, session: Session, classifier: str) -> list[TrainingUploadRow]:
    """The classifier's uploads, oldest first."""
    query = select(TrainingUploadRow).where(TrainingUploadRow.classifier == classifier)
    return list(session.scalars(query.order_by(TrainingUploadRow.id)).all())


def unused_upload_hashes(*, session: Session, classifier: str) -> list[str]:
    """The hashes of the classifier's uploads no job has trained on yet."""
    return list(
        session.scalars(
            select(TrainingUploadRow.sha256).where(
                TrainingUploadRow.classifier == classifier,
                TrainingUploadRow.used_by_job.is_(None),
            )
        ).all()
    )


def delete_uploads(*, session: Session, classifier: str) -> list[str]:
    """Delete the classifier's uploads; returns their hashes (the blobs may be shared)."""
    hashes = list(
        session.scalars(
            select(TrainingUploadRow.sha256).where(TrainingUploadRow.classifier == classifier)
        )
    )
    session.execute(delete(TrainingUploadRow).where(TrainingUploadRow.classifier == classifier))
    return hashes


def mark_used(*, session: Session, upload_ids: list[int], job_id: str) -> None:
    session.execute(
        update(TrainingUploadRow)
        .where(TrainingUploadRow.id.in_(upload_ids))
        .values(used_by_job=job_id)
    )


def stored_upload(
    *, session: Session, classifier: str, sha256: str
) -> tuple[str, str | None] | None:
    """The class and original filename an image is stored under for the classifier."""
    row = session.execute(
        select(TrainingUploadRow.class_name, TrainingUploadRow.original_filename).where(
            TrainingUploadRow.classifier == classifier, TrainingUploadRow.sha256 == sha256
        )
    ).first()
    return None if row is None else (row[0], row[1])


def split_counts(*, session: Session, classifier: str) -> dict[tuple[str, str], int]:
    """The classifier's uploads per (class, split), for those stored with a split."""
    rows = session.execute(
        select(TrainingUploadRow.class_name, TrainingUploadRow.split, func.count())
        .where(TrainingUploadRow.classifier == classifier, TrainingUploadRow.split.is_not(None))
        .group_by(TrainingUploadRow.class_name, TrainingUploadRow.split)
    ).all()
    return {(name, str(split)): int(n) for name, split, n in rows}


def unsplit_uploads(*, session: Session, classifier: str) -> list[tuple[str, str]]:
    """(class, sha256) of the classifier's uploads stored without a split."""
    rows = session.execute(
        select(TrainingUploadRow.class_name, TrainingUploadRow.sha256).where(
            TrainingUploadRow.classifier == classifier, TrainingUploadRow.split.is_(None)
        )
    ).all()
    return [(name, sha) for name, sha in rows]


def unused_upload_splits(*, session: Session, classifier: str) -> list[tuple[str, str | None]]:
    """(sha256, split) of the classifier's uploads no job has trained on yet."""
    rows = session.execute(
        select(TrainingUploadRow.sha256, TrainingUploadRow.split).where(
            TrainingUploadRow.classifier == classifier,
            TrainingUploadRow.used_by_job.is_(None),
        )
    ).all()
    return [(sha, split) for sha, split in rows]
