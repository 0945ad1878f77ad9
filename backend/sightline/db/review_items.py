"""SQL for the review queue (tables ``review_items`` and ``out_of_class_images``,
migration 0006) and the training uploads a review label adds. ``ml/review_queue.py``
holds the rules; callers pass a session and own the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CompoundSelect, case, delete, func, select, union
from sqlalchemy.orm import Session

from sightline.db.models import (
    BlobChunkRow,
    BlobRow,
    ModelVersionRow,
    OutOfClassImageRow,
    ReviewItemRow,
    TrainingUploadRow,
)
from sightline.db.session import add_unless_refused

PENDING = "pending"
LABELLED = "labelled"
NONE_OF_THESE = "none_of_these"
SKIPPED = "skipped"
DECIDED = (LABELLED, NONE_OF_THESE, SKIPPED)
LEAST_CONFIDENT = "least_confident"
AUDIT_FIRST = "audit_first"

# ----------------------------------------------------------------------- items


def insert_item(*, session: Session, row: ReviewItemRow) -> bool:
    """Add an item; False, and nothing added, when its prediction has one already."""
    return add_unless_refused(session, row)


def get_item(
    *, session: Session, classifier: str, item_id: str, for_update: bool = False
) -> ReviewItemRow | None:
    query = select(ReviewItemRow).where(
        ReviewItemRow.classifier == classifier, ReviewItemRow.id == item_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def item_for_prediction(
    *, session: Session, classifier: str, prediction_id: str
) -> ReviewItemRow | None:
    return session.scalar(
        select(ReviewItemRow).where(
            ReviewItemRow.classifier == classifier, ReviewItemRow.prediction_id == prediction_id
        )
    )


def next_items(
    *, session: Session, classifier: str, strategy: str, limit: int
) -> list[ReviewItemRow]:
    """Items to label: pending ones before skipped ones, each in the strategy's order
    (least confident first; or audit items, then feedback, then uncertain ones)."""
    skipped_last = case((ReviewItemRow.state == PENDING, 0), else_=1)
    order = [skipped_last]
    if strategy == AUDIT_FIRST:
        order.append(
            case(
                (ReviewItemRow.reason == "audit", 0),
                (ReviewItemRow.reason == "feedback", 1),
                else_=2,
            )
        )
    query = (
        select(ReviewItemRow)
        .where(ReviewItemRow.classifier == classifier, ReviewItemRow.state.in_((PENDING, SKIPPED)))
        .order_by(*order, ReviewItemRow.confidence, ReviewItemRow.created_at, ReviewItemRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def waiting_counts(*, session: Session, classifier: str) -> dict[str, dict[str, int]]:
    """Items waiting (pending or skipped) per predicted class and per reason, and all
    items per state."""
    waiting = ReviewItemRow.state.in_((PENDING, SKIPPED))
    mine = ReviewItemRow.classifier == classifier
    counts: dict[str, dict[str, int]] = {}
    for name, column, only_waiting in (
        ("by_class", ReviewItemRow.predicted, True),
        ("by_reason", ReviewItemRow.reason, True),
        ("by_state", ReviewItemRow.state, False),
    ):
        query = select(column, func.count()).where(mine).group_by(column)
        rows = session.execute(query.where(waiting) if only_waiting else query).all()
        counts[name] = {str(key): int(n) for key, n in rows}
    return counts


def last_decision(*, session: Session, classifier: str, by: str) -> ReviewItemRow | None:
    """The item ``by`` decided most recently (and has not undone)."""
    return session.scalar(
        select(ReviewItemRow)
        .where(
            ReviewItemRow.classifier == classifier,
            ReviewItemRow.labelled_by == by,
            ReviewItemRow.state.in_(DECIDED),
        )
        .order_by(ReviewItemRow.labelled_at.desc(), ReviewItemRow.id.desc())
        .limit(1)
        .with_for_update()
    )


def decided_since(*, session: Session, classifier: str, since: datetime) -> list[ReviewItemRow]:
    """Labelled and none-of-these items answered since ``since`` (for live accuracy)."""
    return list(
        session.scalars(
            select(ReviewItemRow).where(
                ReviewItemRow.classifier == classifier,
                ReviewItemRow.created_at >= since,
                ReviewItemRow.state.in_((LABELLED, NONE_OF_THESE)),
            )
        )
    )


def storage(*, session: Session, classifier: str | None = None) -> tuple[int, int]:
    """Items kept and the bytes of their images (a shared image counted per item)."""
    query = select(func.count(), func.coalesce(func.sum(ReviewItemRow.size_bytes), 0))
    if classifier is not None:
        query = query.where(ReviewItemRow.classifier == classifier)
    count, total = session.execute(query).one()
    return int(count), int(total)


# ----------------------------------------------------------------------- retention


def expired_items(*, session: Session, classifier: str, before: datetime, limit: int) -> list[str]:
    return list(
        session.scalars(
            select(ReviewItemRow.id)
            .where(ReviewItemRow.classifier == classifier, ReviewItemRow.created_at < before)
            .limit(limit)
        )
    )


def items_beyond(*, session: Session, classifier: str, keep: int, limit: int) -> list[str]:
    """The oldest items past the newest ``keep`` (at most ``limit`` of them)."""
    count, _ = storage(session=session, classifier=classifier)
    excess = min(count - keep, limit)
    if excess <= 0:
        return []
    return list(
        session.scalars(
            select(ReviewItemRow.id)
            .where(ReviewItemRow.classifier == classifier)
            .order_by(ReviewItemRow.created_at, ReviewItemRow.id)
            .limit(excess)
        )
    )


def delete_items(*, session: Session, item_ids: list[str]) -> list[str]:
    """Delete the items; the hashes of their images (another row may share them)."""
    if not item_ids:
        return []
    hashes = list(
        session.scalars(select(ReviewItemRow.image_sha256).where(ReviewItemRow.id.in_(item_ids)))
    )
    session.execute(delete(ReviewItemRow).where(ReviewItemRow.id.in_(item_ids)))
    return sorted(set(hashes))


def classifiers_with_items(*, session: Session) -> list[str]:
    return list(session.scalars(select(ReviewItemRow.classifier).distinct()))


def referenced(*, session: Session, hashes: Iterable[str]) -> set[str]:
    """Which of these blobs a row still needs: an item, an upload, an out-of-class
    image or a model version (its file or card)."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    sources: CompoundSelect = union(
        select(ReviewItemRow.image_sha256.label("sha")).where(
            ReviewItemRow.image_sha256.in_(wanted)
        ),
        select(TrainingUploadRow.sha256).where(TrainingUploadRow.sha256.in_(wanted)),
        select(OutOfClassImageRow.sha256).where(OutOfClassImageRow.sha256.in_(wanted)),
        select(ModelVersionRow.model_sha256).where(ModelVersionRow.model_sha256.in_(wanted)),
        select(ModelVersionRow.card_sha256).where(ModelVersionRow.card_sha256.in_(wanted)),
    )
    found: list[str] = list(session.scalars(select(sources.subquery().c.sha)))
    return {str(sha) for sha in found}


def delete_unreferenced_blobs(*, session: Session, hashes: Iterable[str]) -> list[str]:
    """Delete the database blobs among ``hashes`` that no row needs, in this
    transaction (so a row added meanwhile either is seen here or commits after, and
    its writer then finds the blob gone and stores it again); the hashes deleted."""
    candidates = set(hashes) - referenced(session=session, hashes=hashes)
    gone = sorted(sha for sha in candidates if session.get(BlobRow, sha) is not None)
    if gone:
        session.execute(delete(BlobChunkRow).where(BlobChunkRow.sha256.in_(gone)))
        session.execute(delete(BlobRow).where(BlobRow.sha256.in_(gone)))
    return gone


# ----------------------------------------------------------------------- labels


def add_labelled_upload(
    *,
    session: Session,
    classifier: str,
    sha256: str,
    class_name: str,
    size_bytes: int,
    prediction_id: str,
    added_by: str,
) -> bool:
    """A review label's training image, with its provenance; False, and nothing
    added, when the classifier has these bytes already (one training image each)."""
    row = TrainingUploadRow(
        classifier=classifier,
        sha256=sha256,
        class_name=class_name,
        size_bytes=size_bytes,
        path=f"{sha256[:2]}/{sha256}",  # as UploadStore caches it, under uploads/
        original_filename=f"review:{prediction_id}",
        prediction_id=prediction_id,
        added_by=added_by,
    )
    return add_unless_refused(session, row)


def remove_labelled_upload(
    *, session: Session, classifier: str, prediction_id: str
) -> tuple[int, int]:
    """Remove the training image a review label added (undo): (removed, already
    trained on and so kept)."""
    mine = (
        TrainingUploadRow.classifier == classifier,
        TrainingUploadRow.prediction_id == prediction_id,
    )
    trained = session.scalar(
        select(func.count()).where(*mine, TrainingUploadRow.used_by_job.is_not(None))
    )
    removed = session.scalars(
        delete(TrainingUploadRow)
        .where(*mine, TrainingUploadRow.used_by_job.is_(None))
        .returning(TrainingUploadRow.id)
    ).all()
    return len(removed), int(trained or 0)


def labels_since(*, session: Session, classifier: str, since: datetime | None) -> int:
    """Training images review labels added since ``since`` (all, without it)."""
    query = select(func.count()).where(
        TrainingUploadRow.classifier == classifier, TrainingUploadRow.prediction_id.is_not(None)
    )
    if since is not None:
        query = query.where(TrainingUploadRow.created_at > since)
    return int(session.scalar(query) or 0)


def add_out_of_class(
    *, session: Session, classifier: str, sha256: str, prediction_id: str, added_by: str
) -> bool:
    row = OutOfClassImageRow(
        classifier=classifier, sha256=sha256, prediction_id=prediction_id, added_by=added_by
    )
    return add_unless_refused(session, row)


def remove_out_of_class(*, session: Session, classifier: str, prediction_id: str) -> None:
    session.execute(
        delete(OutOfClassImageRow).where(
            OutOfClassImageRow.classifier == classifier,
            OutOfClassImageRow.prediction_id == prediction_id,
        )
    )


def out_of_class_hashes(*, session: Session, classifier: str, limit: int) -> list[str]:
    """The classifier's out-of-class images, newest first."""
    return list(
        session.scalars(
            select(OutOfClassImageRow.sha256)
            .where(OutOfClassImageRow.classifier == classifier)
            .order_by(OutOfClassImageRow.created_at.desc(), OutOfClassImageRow.id.desc())
            .limit(limit)
        )
    )
