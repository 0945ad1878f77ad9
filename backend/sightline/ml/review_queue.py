"""The review queue (issue #32): kept production answers, a person's decisions on
them, and what those decisions feed.

- A label (one of the classifier's classes) becomes a training image of that class:
  the same image once per classifier (dedup by content), with its provenance (the
  prediction, who, when). "None of these" puts the image in the classifier's
  out-of-class set, which the retrain gate's doubt check scores
  (``reviewed_out_of_class``). Skip leaves it for later (after the pending ones).
- The same decision again (a double press, a retried request) changes nothing; another
  decision on a decided item is refused (409, saying what it has) until it is undone.
- Undo reverts the most recent decision of that token (admin or reviewer), one step
  at a time, back through its decisions: the item is pending again, and the training
  image or out-of-class image it added is removed, unless a job has trained on it.
- With ``auto_retrain_after`` = N, the Nth review label since the classifier's last
  job queues a retrain through the job queue (and so through the gate).
- Retention (``prune_review``, run by the worker): items older than their policy's
  ``retention_days``, and the oldest past ``max_items``, are deleted; then each of
  their images, once no row (item, upload, out-of-class image, model) needs it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from sightline.blob_store import BlobStore, DatabaseBlobStore
from sightline.config import Settings
from sightline.db import classifiers as classifier_rows
from sightline.db import jobs as job_rows
from sightline.db import review_items as item_rows
from sightline.db.models import ReviewItemRow
from sightline.db.review_items import LABELLED, NONE_OF_THESE, PENDING, SKIPPED
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound, SightlineError
from sightline.ml.live_accuracy import Estimate, estimate
from sightline.ml.review_policy import ReviewPolicy, ReviewPolicyPatch

# The retrain gate scores the newest reviewed out-of-class images, once there are
# enough for a rate to mean something (its tolerance is 10 points).
OUT_OF_CLASS_KIND = "reviewed"
OUT_OF_CLASS_MIN = 20
OUT_OF_CLASS_MAX = 500


class JobSubmitter(Protocol):
    """The job queue, as far as the review queue uses it (jobs/queue.py)."""

    def submit(self, epochs: int | None = None, *, first_training: bool = False) -> Any: ...


@dataclass(frozen=True)
class ReviewItem:
    id: str
    classifier: str
    prediction_id: str
    reason: str
    predicted: str
    top3: list[dict[str, Any]]
    confidence: float
    uncertain: bool
    model_version: str
    created_at: datetime
    state: str
    label: str | None
    labelled_by: str | None
    labelled_at: datetime | None
    suggested_label: str | None
    image_sha256: str

    @classmethod
    def of(cls, row: ReviewItemRow) -> ReviewItem:
        return cls(
            id=row.id,
            classifier=row.classifier,
            prediction_id=row.prediction_id,
            reason=row.reason,
            predicted=row.predicted,
            top3=list(row.top3),
            confidence=row.confidence,
            uncertain=row.uncertain,
            model_version=row.model_version,
            created_at=row.created_at,
            state=row.state,
            label=row.label,
            labelled_by=row.labelled_by,
            labelled_at=row.labelled_at,
            suggested_label=row.suggested_label,
            image_sha256=row.image_sha256,
        )


@dataclass(frozen=True)
class ReviewPage:
    items: list[ReviewItem]
    counts: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Decision:
    item: ReviewItem
    repeated: bool  # the same decision was recorded already: nothing changed
    training_image: str | None = None  # "added" / "duplicate" (the classifier had it)
    retrain_job: str | None = None  # queued by the policy's auto_retrain_after


@dataclass(frozen=True)
class Undone:
    item: ReviewItem
    training_images_removed: int
    kept_trained_on: int  # a job trained on it already: it stays


@dataclass
class DayFigures:
    audit: Estimate
    uncertain: Estimate


@dataclass(frozen=True)
class LiveAccuracy:
    days: int
    audit: Estimate
    uncertain: Estimate
    none_of_these: int
    per_day: dict[str, DayFigures] = field(default_factory=dict)


def describe(state: str, label: str | None) -> str:
    if state == LABELLED:
        return repr(label)
    return {NONE_OF_THESE: "'none of these'", SKIPPED: "skipped"}.get(state, state)


class ReviewQueue:
    """One classifier's review queue."""

    def __init__(
        self,
        settings: Settings,
        store: BlobStore,
        classifier: str,
        jobs: JobSubmitter | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.classifier = classifier
        self.jobs = jobs

    # ------------------------------------------------------------------ policy

    def policy(self) -> ReviewPolicy:
        with session_scope(self.settings) as session:
            row = classifier_rows.get_classifier(session=session, name=self.classifier)
        return ReviewPolicy.stored(row.review if row else None)

    def change_policy(self, patch: ReviewPolicyPatch) -> ReviewPolicy:
        with session_scope(self.settings) as session:
            row = classifier_rows.get_classifier(session=session, name=self.classifier)
            if row is None:
                raise NotFound(f"No classifier {self.classifier!r}.", code="unknown_classifier")
            policy = patch.applied_to(ReviewPolicy.stored(row.review))
            classifier_rows.set_review(
                session=session, name=self.classifier, review=policy.model_dump()
            )
        return policy

    # ------------------------------------------------------------------ reading

    def next(self, limit: int, strategy: str) -> ReviewPage:
        with session_scope(self.settings) as session:
            rows = item_rows.next_items(
                session=session, classifier=self.classifier, strategy=strategy, limit=limit
            )
            counts = item_rows.waiting_counts(session=session, classifier=self.classifier)
        return ReviewPage([ReviewItem.of(row) for row in rows], counts)

    def item(self, item_id: str) -> ReviewItem:
        with session_scope(self.settings) as session:
            row = item_rows.get_item(session=session, classifier=self.classifier, item_id=item_id)
            if row is None:
                raise self._unknown(item_id)
            return ReviewItem.of(row)

    def image(self, item_id: str) -> tuple[bytes, str]:
        """The item's image bytes (verified) and their hash."""
        sha = self.item(item_id).image_sha256
        return self.store.get(sha), sha

    def _unknown(self, item_id: str) -> NotFound:
        return NotFound(
            f"No review item {item_id!r} for classifier {self.classifier!r} (it may have expired).",
            code="unknown_review_item",
        )

    # ------------------------------------------------------------------ deciding

    def decide(
        self, item_id: str, *, label: str | None, skip: bool, by: str, classes: list[str]
    ) -> Decision:
        """Record a label (``label``), "none of these" (``label`` None) or a skip."""
        if skip:
            state, wanted = SKIPPED, None
        elif label is None:
            state, wanted = NONE_OF_THESE, None
        else:
            if label not in classes:
                raise InvalidField(
                    f"{label!r} is not a class of {self.classifier!r}. "
                    f"Classes: {', '.join(classes)}.",
                    code="unknown_class",
                )
            state, wanted = LABELLED, label
        with session_scope(self.settings) as session:
            row = item_rows.get_item(
                session=session, classifier=self.classifier, item_id=item_id, for_update=True
            )
            if row is None:
                raise self._unknown(item_id)
            if (row.state, row.label) == (state, wanted):
                return Decision(ReviewItem.of(row), repeated=True)
            if row.state in (LABELLED, NONE_OF_THESE):
                raise Conflict(
                    f"Item {item_id} is labelled {describe(row.state, row.label)} already "
                    f"(by {row.labelled_by}); undo it first to change it.",
                    code="already_labelled",
                )
            row.state, row.label = state, wanted
            row.labelled_by, row.labelled_at = by, datetime.now(UTC)
            training_image = self._feed(session, row, by)
            decided = ReviewItem.of(row)
        job = self._maybe_retrain() if training_image == "added" else None
        return Decision(decided, repeated=False, training_image=training_image, retrain_job=job)

    def _feed(self, session: Any, row: ReviewItemRow, by: str) -> str | None:
        """What a decision adds: a training image, or an out-of-class image."""
        if row.state == LABELLED:
            assert row.label is not None
            added = item_rows.add_labelled_upload(
                session=session,
                classifier=self.classifier,
                sha256=row.image_sha256,
                class_name=row.label,
                size_bytes=row.size_bytes,
                prediction_id=row.prediction_id,
                added_by=by,
            )
            return "added" if added else "duplicate"
        if row.state == NONE_OF_THESE:
            item_rows.add_out_of_class(
                session=session,
                classifier=self.classifier,
                sha256=row.image_sha256,
                prediction_id=row.prediction_id,
                added_by=by,
            )
        return None

    def undo(self, by: str) -> Undone:
        """Revert ``by``'s most recent decision on this classifier's items."""
        with session_scope(self.settings) as session:
            row = item_rows.last_decision(session=session, classifier=self.classifier, by=by)
            if row is None:
                raise NotFound(
                    f"There is no decision of the {by} token on {self.classifier!r} to undo.",
                    code="nothing_to_undo",
                )
            removed, kept = item_rows.remove_labelled_upload(
                session=session, classifier=self.classifier, prediction_id=row.prediction_id
            )
            item_rows.remove_out_of_class(
                session=session, classifier=self.classifier, prediction_id=row.prediction_id
            )
            row.state, row.label, row.labelled_by, row.labelled_at = PENDING, None, None, None
            return Undone(ReviewItem.of(row), removed, kept)

    def _maybe_retrain(self) -> str | None:
        """Queue a retrain when the policy's count of new labels is reached."""
        policy = self.policy()
        if policy.auto_retrain_after is None or self.jobs is None:
            return None
        with session_scope(self.settings) as session:
            last = job_rows.latest_job(session=session, classifier=self.classifier)
            new_labels = item_rows.labels_since(
                session=session,
                classifier=self.classifier,
                since=last.created_at if last else None,
            )
        if new_labels < policy.auto_retrain_after:
            return None
        try:
            return str(self.jobs.submit().id)
        except SightlineError:
            return None  # a job is running, or nothing is trainable: the next label tries

    # ------------------------------------------------------------------ feedback

    def feedback(
        self, prediction_id: str, suggested: str | None, keep_now: Any
    ) -> tuple[ReviewItem, bool]:
        """Queue a client's report on an answer: its item (made by ``keep_now()``
        when the answer was not kept) and whether it was new."""
        with session_scope(self.settings) as session:
            row = item_rows.item_for_prediction(
                session=session, classifier=self.classifier, prediction_id=prediction_id
            )
            if row is not None:
                if suggested and row.state in (PENDING, SKIPPED):
                    row.suggested_label = suggested
                return ReviewItem.of(row), False
        item_id = keep_now()
        return self.item(item_id), True

    # ------------------------------------------------------------------ live accuracy

    def live_accuracy(self, days: int, now: datetime | None = None) -> LiveAccuracy:
        now = now or datetime.now(UTC)
        since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
        with session_scope(self.settings) as session:
            rows = item_rows.decided_since(session=session, classifier=self.classifier, since=since)
        return live_accuracy_of([ReviewItem.of(row) for row in rows], days)


def is_correct(item: ReviewItem) -> bool:
    return item.state == LABELLED and item.label == item.predicted


def live_accuracy_of(items: list[ReviewItem], days: int) -> LiveAccuracy:
    """Audit items' accuracy (unbiased), and the doubted answers' (uncertain items of
    the audit sample or kept for their doubt; feedback is not a sample of anything)."""
    audit = [item for item in items if item.reason == "audit"]
    doubted = [item for item in items if item.uncertain and item.reason != "feedback"]

    def figures(chosen: list[ReviewItem]) -> Estimate:
        return estimate(sum(is_correct(item) for item in chosen), len(chosen))

    by_day: dict[str, tuple[list[ReviewItem], list[ReviewItem]]] = defaultdict(lambda: ([], []))
    for item in audit:
        by_day[item.created_at.date().isoformat()][0].append(item)
    for item in doubted:
        by_day[item.created_at.date().isoformat()][1].append(item)
    return LiveAccuracy(
        days=days,
        audit=figures(audit),
        uncertain=figures(doubted),
        none_of_these=sum(item.state == NONE_OF_THESE for item in audit),
        per_day={day: DayFigures(figures(a), figures(u)) for day, (a, u) in sorted(by_day.items())},
    )


# ----------------------------------------------------------------------- retention


def purge_items(settings: Settings, store: BlobStore, item_ids: list[str]) -> tuple[int, int]:
    """Delete the items, then each of their images no row needs: (items, blobs)."""
    with session_scope(settings) as session:
        hashes = item_rows.delete_items(session=session, item_ids=item_ids)
    if not hashes:
        return len(item_ids), 0
    if isinstance(store, DatabaseBlobStore):
        with session_scope(settings) as session:  # the check and the delete at once
            gone = item_rows.delete_unreferenced_blobs(session=session, hashes=hashes)
        return len(item_ids), len(gone)
    with session_scope(settings) as session:
        needed = item_rows.referenced(session=session, hashes=hashes)
    unneeded = [sha for sha in hashes if sha not in needed]
    for sha in unneeded:
        store.delete(sha)
    return len(item_ids), len(unneeded)


@dataclass(frozen=True)
class ReviewPruned:
    items: int
    blobs: int


def prune_review(settings: Settings, store: BlobStore, now: datetime | None = None) -> ReviewPruned:
    """Apply every classifier's retention (days and count) to its review items."""
    now = now or datetime.now(UTC)
    items = blobs = 0
    with session_scope(settings) as session:
        names = item_rows.classifiers_with_items(session=session)
        policies = {
            c.name: ReviewPolicy.stored(c.review)
            for c in classifier_rows.list_classifiers(session=session)
        }
    for name in names:
        policy = policies.get(name) or ReviewPolicy()
        before = now - timedelta(days=policy.retention_days)
        while True:
            with session_scope(settings) as session:
                batch = item_rows.expired_items(
                    session=session,
                    classifier=name,
                    before=before,
                    limit=settings.retention_batch_rows,
                ) or item_rows.items_beyond(
                    session=session,
                    classifier=name,
                    keep=policy.max_items,
                    limit=settings.retention_batch_rows,
                )
            if not batch:
                break
            gone_items, gone_blobs = purge_items(settings, store, batch)
            items += gone_items
            blobs += gone_blobs
    return ReviewPruned(items, blobs)


# ----------------------------------------------------------------------- retrain gate


def reviewed_out_of_class(
    settings: Settings, store: BlobStore, classifier: str, size: tuple[int, int]
) -> dict[str, np.ndarray]:
    """The images reviewers called none of the classes, as a kind of the gate's
    out-of-class set (jobs/retrain.py), once there are ``OUT_OF_CLASS_MIN``."""
    from sightline.data.preprocessing import image_to_input

    with session_scope(settings) as session:
        hashes = item_rows.out_of_class_hashes(
            session=session, classifier=classifier, limit=OUT_OF_CLASS_MAX
        )
    if len(hashes) < OUT_OF_CLASS_MIN:
        return {}
    images = [
        image_to_input(
            store.get(sha),
            size,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_frames,
        )
        for sha in hashes
    ]
    return {OUT_OF_CLASS_KIND: np.stack(images)}
