"""The review queue's storage (db/review_items.py, ml/review_queue.py,
serving/review_keeper.py) on a migrated database without a model: one item per
prediction, the queue's order, decisions and their training images, retention of rows
and blobs, and the storage bound under a long stream."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sightline.blob_store import DatabaseBlobStore, sha256_hex
from sightline.config import Settings
from sightline.db import review_items as item_rows
from sightline.db.blobs import blob_stats
from sightline.db.classifiers import set_review
from sightline.db.models import OutOfClassImageRow, PredictionRow, ReviewItemRow, TrainingUploadRow
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound
from sightline.ml.review_policy import ReviewPolicy, ReviewPolicyPatch, in_audit_sample
from sightline.ml.review_queue import ReviewQueue, prune_review
from sightline.serving.review_keeper import KeptAnswer, ReviewKeeper, top_three
from tests.factories import image_bytes, prediction_row

CLASSES = ["circle", "square", "triangle"]


def answer(
    confidence: float = 0.9, uncertain: bool = False, seed: int = 0, at: datetime | None = None
) -> tuple[PredictionRow, bytes]:
    """A committed-looking answer and its image."""
    data = image_bytes("circle", seed=seed)
    row = prediction_row("circle")
    row.confidence, row.uncertain = confidence, uncertain
    row.created_at = at or datetime.now(UTC)
    row.image_sha256 = sha256_hex(data)
    return row, data


def keep(keeper: ReviewKeeper, reason: str = "uncertain", **kwargs: object) -> str:
    row, data = answer(**kwargs)  # type: ignore[arg-type]
    top = top_three({"circle": row.confidence, "square": 1 - row.confidence, "triangle": 0.0})
    return keeper.keep(KeptAnswer(row, data, top), reason)


@pytest.fixture
def keeper(migrated: Settings) -> ReviewKeeper:
    return ReviewKeeper(migrated, DatabaseBlobStore(migrated))


@pytest.fixture
def review(migrated: Settings) -> ReviewQueue:
    return ReviewQueue(migrated, DatabaseBlobStore(migrated), "cifar10")


def count(settings: Settings, model: type) -> int:
    with session_scope(settings) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_item_per_prediction(keeper: ReviewKeeper, migrated: Settings) -> None:
    row, data = answer()
    first = keeper.keep(KeptAnswer(row, data, []), "audit")
    again = keeper.keep(KeptAnswer(row, data, []), "feedback")
    assert first == again
    assert count(migrated, ReviewItemRow) == 1
    with session_scope(migrated) as session:
        assert blob_stats(session=session)[0] == 1


def test_the_queue_comes_least_confident_first_or_audit_first(
    keeper: ReviewKeeper, review: ReviewQueue
) -> None:
    sure = keep(keeper, "audit", confidence=0.9, seed=1)
    doubt = keep(keeper, "uncertain", confidence=0.3, uncertain=True, seed=2)
    middle = keep(keeper, "uncertain", confidence=0.5, uncertain=True, seed=3)
    order = [item.id for item in review.next(10, "least_confident").items]
    assert order == [doubt, middle, sure]
    assert [item.id for item in review.next(10, "audit_first").items] == [sure, doubt, middle]
    review.decide(doubt, label=None, skip=True, by="reviewer", classes=CLASSES)
    page = review.next(10, "least_confident")
    assert [item.id for item in page.items] == [middle, sure, doubt]  # skipped: last
    assert page.counts["by_reason"] == {"audit": 1, "uncertain": 2}
    assert page.counts["by_state"] == {"pending": 2, "skipped": 1}
    assert page.counts["by_class"] == {"circle": 3}


def test_a_label_twice_makes_one_training_image_and_another_label_is_refused(
    keeper: ReviewKeeper, review: ReviewQueue, migrated: Settings
) -> None:
    item = keep(keeper)
    first = review.decide(item, label="square", skip=False, by="reviewer", classes=CLASSES)
    again = review.decide(item, label="square", skip=False, by="reviewer", classes=CLASSES)
    assert (first.training_image, first.repeated) == ("added", False)
    assert again.repeated and again.training_image is None
    with session_scope(migrated) as session:
        [upload] = session.scalars(select(TrainingUploadRow)).all()
    assert (upload.class_name, upload.added_by) == ("square", "reviewer")
    assert upload.prediction_id == first.item.prediction_id
    with pytest.raises(Conflict, match="'square'") as refused:
        review.decide(item, label="circle", skip=False, by="admin", classes=CLASSES)
    assert refused.value.code == "already_labelled"
    with pytest.raises(InvalidField, match="circle, square, triangle"):
        review.decide(item, label="horse", skip=False, by="reviewer", classes=CLASSES)
    with pytest.raises(NotFound):
        review.decide("nope", label="square", skip=False, by="reviewer", classes=CLASSES)


def test_undo_goes_back_through_a_reviewers_decisions(
    keeper: ReviewKeeper, review: ReviewQueue, migrated: Settings
) -> None:
    labelled, stranger = keep(keeper, seed=1), keep(keeper, seed=2)
    review.decide(labelled, label="square", skip=False, by="reviewer", classes=CLASSES)
    review.decide(stranger, label=None, skip=False, by="reviewer", classes=CLASSES)
    assert count(migrated, OutOfClassImageRow) == 1
    with pytest.raises(NotFound):
        review.undo("admin")  # the admin decided nothing
    assert review.undo("reviewer").item.id == stranger
    assert count(migrated, OutOfClassImageRow) == 0
    undone = review.undo("reviewer")
    assert (undone.item.id, undone.item.state, undone.training_images_removed) == (
        labelled,
        "pending",
        1,
    )
    assert count(migrated, TrainingUploadRow) == 0
    # Undone, the item takes a new label.
    assert (
        review.decide(
            labelled, label="circle", skip=False, by="admin", classes=CLASSES
        ).training_image
        == "added"
    )


def test_retention_deletes_expired_items_and_the_blobs_nothing_else_needs(
    keeper: ReviewKeeper, review: ReviewQueue, migrated: Settings
) -> None:
    old = datetime.now(UTC) - timedelta(days=40)
    labelled = keep(keeper, seed=1, at=old)
    keep(keeper, seed=2, at=old)
    fresh = keep(keeper, seed=3)
    review.decide(labelled, label="square", skip=False, by="reviewer", classes=CLASSES)
    with session_scope(migrated) as session:
        assert blob_stats(session=session)[0] == 3
    pruned = prune_review(migrated, DatabaseBlobStore(migrated))
    assert (pruned.items, pruned.blobs) == (2, 1)  # the labelled image is a training image now
    with session_scope(migrated) as session:
        remaining = session.scalars(select(ReviewItemRow.id)).all()
        assert blob_stats(session=session)[0] == 2
    assert remaining == [fresh]


def test_storage_stays_within_its_bound_under_a_long_stream(
    keeper: ReviewKeeper, migrated: Settings
) -> None:
    with session_scope(migrated) as session:
        set_review(session=session, name="cifar10", review={"audit_rate": 1.0, "max_items": 25})
    keeper.set_policy("cifar10", ReviewPolicy(audit_rate=1.0, max_items=25))
    keeper.start()
    try:
        for seed in range(200):
            row, data = answer(seed=seed)
            keeper.offer(row, data, {"circle": 0.9, "square": 0.1})
            assert keeper.flush()  # the queue is small here: keep pace with it
    finally:
        keeper.stop()
    with session_scope(migrated) as session:
        items, item_bytes = item_rows.storage(session=session)
        blobs, blob_bytes = blob_stats(session=session)
    assert items == 25 and blobs <= 25 and blob_bytes <= item_bytes
    assert keeper.kept == 200 and keeper.evicted == 175 and keeper.dropped == 0


def test_a_full_keeper_queue_drops_and_counts(migrated: Settings) -> None:
    keeper = ReviewKeeper(
        migrated.model_copy(update={"review_queue_max": 2}), DatabaseBlobStore(migrated)
    )
    keeper.set_policy("cifar10", ReviewPolicy(audit_rate=1.0))
    # A writer that never takes anything: what a stalled database looks like from here.
    keeper._thread = type("Stalled", (), {"is_alive": lambda self: True})()  # type: ignore[assignment]
    for seed in range(5):  # nobody writes: the queue fills
        row, data = answer(seed=seed)
        keeper.offer(row, data, {"circle": 0.9})
    assert keeper.dropped == 3


def test_the_audit_sample_is_reproducible_and_near_its_rate() -> None:
    ids = [uuid.UUID(int=i).hex for i in range(20_000)]
    chosen = [i for i in ids if in_audit_sample(i, 0.05)]
    assert chosen == [i for i in ids if in_audit_sample(i, 0.05)]
    assert 0.045 < len(chosen) / len(ids) < 0.055
    assert not any(in_audit_sample(i, 0.0) for i in ids[:100])


def test_a_policy_patch_changes_only_what_it_names() -> None:
    policy = ReviewPolicy(keep_uncertain=True, audit_rate=0.01, auto_retrain_after=50)
    changed = ReviewPolicyPatch(audit_rate=0.02).applied_to(policy)
    assert (changed.keep_uncertain, changed.audit_rate, changed.auto_retrain_after) == (
        True,
        0.02,
        50,
    )
    off = ReviewPolicyPatch.model_validate({"auto_retrain_after": None}).applied_to(policy)
    assert off.auto_retrain_after is None and off.audit_rate == 0.01
