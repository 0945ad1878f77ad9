"""Keeps the production answers worth a person's look (issue #32), off the request's
critical path.

After an answer's row is committed, ``PredictionService`` offers it here: a dict
lookup and a hash decide, in the request, whether the classifier's review policy keeps
it (an uncertain answer with ``keep_uncertain``; the audit sample, chosen by a hash of
the prediction id; audit wins when both, so the audit sample stays a random one). A
kept answer joins a bounded queue; one background thread stores what queued in one
transaction: each image as a blob (content-addressed: the same image is stored once)
and its review item; then it trims the classifier's items to ``max_items``. Beyond
``review_queue_max`` waiting, an offer is dropped and counted
(``sightline_review_items_dropped_total``), never lost silently; the queue is written
out when the process stops.

Feedback (a client reporting an answer as wrong) needs the image of an answer that
the policy may not have kept. Decision: every answer of a classifier with review on
stays in this process's memory for ``review_recent_seconds`` (at most
``review_recent_images`` images and ``review_recent_mb``), so feedback sent right after
an answer, to the replica that gave it, finds its image; later, or on another replica,
feedback works for kept answers only and says so (409 ``image_not_kept``). Nothing of
a classifier with review off is held anywhere.

Policies are read with the classifiers (the pool's poll, every few seconds, and at
once on this replica when changed), so deciding costs no query.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sightline.blob_store import BlobStore, DatabaseBlobStore
from sightline.config import Settings
from sightline.db import blobs as blob_rows
from sightline.db import review_items as item_rows
from sightline.db.classifiers import Classifier
from sightline.db.models import PredictionRow, ReviewItemRow
from sightline.db.predictions import get_prediction
from sightline.db.session import session_scope
from sightline.errors import Conflict, NotFound
from sightline.ids import new_id
from sightline.ml.review_policy import ReviewPolicy, in_audit_sample
from sightline.ml.review_queue import ReviewItem, ReviewQueue, purge_items
from sightline.monitoring.prometheus import metrics

log = logging.getLogger(__name__)

TOP = 3
WRITE_BATCH = 200  # kept answers per transaction, at most


@dataclass(frozen=True)
class KeptAnswer:
    """What an item is made of: the answer's row (committed), its image and top three."""

    row: PredictionRow
    data: bytes
    top3: list[dict[str, object]]


def review_item(answer: KeptAnswer, reason: str, suggested: str | None = None) -> ReviewItemRow:
    row = answer.row
    return ReviewItemRow(
        id=new_id(),
        classifier=row.classifier,
        prediction_id=row.id,
        reason=reason,
        image_sha256=row.image_sha256,
        size_bytes=len(answer.data),
        model_version=row.model_version,
        predicted=row.prediction,
        top3=answer.top3,
        confidence=row.confidence,
        uncertain=row.uncertain,
        created_at=row.created_at,
        state=item_rows.PENDING,
        suggested_label=suggested,
    )


def top_three(probabilities: dict[str, float]) -> list[dict[str, object]]:
    ranked = sorted(probabilities.items(), key=lambda item: item[1], reverse=True)[:TOP]
    return [{"class": name, "p": round(p, 6)} for name, p in ranked]


def reason_to_keep(row: PredictionRow, policy: ReviewPolicy) -> str | None:
    if in_audit_sample(row.id, policy.audit_rate):
        return "audit"
    if row.uncertain and policy.keep_uncertain:
        return "uncertain"
    return None


class RecentImages:
    """Answers' images for a short while, bounded by count and bytes (oldest out)."""

    def __init__(self, max_images: int, max_bytes: int, seconds: float) -> None:
        self.max_images, self.max_bytes, self.seconds = max_images, max_bytes, seconds
        self._items: OrderedDict[tuple[str, str], tuple[float, KeptAnswer]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, answer: KeptAnswer) -> None:
        if self.max_images == 0 or len(answer.data) > self.max_bytes:
            return
        with self._lock:
            self._items[(answer.row.classifier, answer.row.id)] = (time.monotonic(), answer)
            self._bytes += len(answer.data)
            self._expire(time.monotonic())

    def get(self, classifier: str, prediction_id: str) -> KeptAnswer | None:
        with self._lock:
            self._expire(time.monotonic())
            found = self._items.get((classifier, prediction_id))
        return found[1] if found else None

    def _expire(self, now: float) -> None:
        while self._items:
            at, oldest = next(iter(self._items.values()))
            over = len(self._items) > self.max_images or self._bytes > self.max_bytes
            if not over and now - at <= self.seconds:
                return
            self._items.popitem(last=False)
            self._bytes -= len(oldest.data)

    def __len__(self) -> int:
        return len(self._items)


class ReviewKeeper:
    def __init__(self, settings: Settings, store: BlobStore) -> None:
        self.settings = settings
        self.store = store
        self.policies: dict[str, ReviewPolicy] = {}
        self.recent = RecentImages(
            settings.review_recent_images,
            int(settings.review_recent_mb * 1024 * 1024),
            settings.review_recent_seconds,
        )
        self._queue: queue.Queue[KeptAnswer | None] = queue.Queue(settings.review_queue_max)
        self._thread: threading.Thread | None = None
        self.kept = 0
        self.dropped = 0
        self.evicted = 0
        metrics()  # made here, once: two threads' first calls would both register them

    # ------------------------------------------------------------------ policies

    def set_policy(self, classifier: str, policy: ReviewPolicy) -> None:
        self.policies[classifier] = policy

    def read_policies(self, classifiers: list[Classifier]) -> None:
        self.policies = {c.name: ReviewPolicy.stored(c.review) for c in classifiers}

    def policy(self, classifier: str) -> ReviewPolicy:
        return self.policies.get(classifier) or ReviewPolicy()

    # ------------------------------------------------------------------ requests

    def offer(self, row: PredictionRow, data: bytes, probabilities: dict[str, float]) -> None:
        """Called with every answered (and recorded) prediction; never blocks."""
        policy = self.policies.get(row.classifier)
        if policy is None or not policy.enabled:
            return
        answer = KeptAnswer(row, data, top_three(probabilities))
        self.recent.add(answer)
        reason = reason_to_keep(row, policy)
        if reason is None:
            return
        if not self.running:
            self._drop("not_running")
            return
        try:
            self._queue.put_nowait(answer)
        except queue.Full:
            self._drop("queue_full")

    def _drop(self, why: str) -> None:
        self.dropped += 1
        metrics().review_items_dropped.labels(why).inc()

    def keep(self, answer: KeptAnswer, reason: str, suggested: str | None = None) -> str:
        """Store the answer's image and item now (the caller's thread); the item's id
        (the existing one when the prediction has an item already)."""
        self.store.put(answer.data)
        row = answer.row
        item = review_item(answer, reason, suggested)
        with session_scope(self.settings) as session:
            added = item_rows.insert_item(session=session, row=item)
            if not added:
                existing = item_rows.item_for_prediction(
                    session=session, classifier=row.classifier, prediction_id=row.id
                )
                assert existing is not None
                return existing.id
        if not self.store.exists(row.image_sha256):
            self.store.put(answer.data)  # retention deleted it between our put and insert
        self._count_kept([reason])
        return item.id

    def _count_kept(self, reasons: list[str]) -> None:
        self.kept += len(reasons)
        for reason in reasons:
            metrics().review_items_kept.labels(reason).inc()

    def keep_many(self, answers: list[KeptAnswer]) -> int:
        """Store queued answers: with the database as blob store, images and items in
        one transaction (one commit for the lot, and retention, which checks and
        deletes in one transaction too, never sees an item without its image)."""
        reasons = [
            reason_to_keep(a.row, self.policy(a.row.classifier)) or "uncertain" for a in answers
        ]
        in_database = isinstance(self.store, DatabaseBlobStore)
        if not in_database:
            for answer in answers:
                self.store.put(answer.data)
        with session_scope(self.settings) as session:
            if in_database:
                for answer in answers:
                    blob_rows.insert_blob_unless_present(
                        session=session, sha256=answer.row.image_sha256, data=answer.data
                    )
            added = [
                reason
                for answer, reason in zip(answers, reasons, strict=True)
                if item_rows.insert_item(session=session, row=review_item(answer, reason))
            ]
        self._count_kept(added)
        return len(added)

    # ------------------------------------------------------------------ the writer

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._thread = threading.Thread(target=self._loop, name="sightline-review", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything offered so far is written; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < WRITE_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())  # what queued meanwhile: one commit
            answers = [answer for answer in batch if answer is not None]
            try:
                if answers:
                    self._write(answers)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if len(answers) < len(batch):
                return  # stop() queued None: everything before it is written

    def _write(self, answers: list[KeptAnswer]) -> None:
        try:
            self.keep_many(answers)
            for classifier in {answer.row.classifier for answer in answers}:
                self.evicted += self.trim(classifier, self.policy(classifier).max_items)
        except Exception:
            log.exception("%d review items could not be stored", len(answers))
            for _ in answers:
                self._drop("error")

    def trim(self, classifier: str, max_items: int) -> int:
        """Delete the classifier's oldest items past ``max_items`` (and their blobs)."""
        with session_scope(self.settings) as session:
            beyond = item_rows.items_beyond(
                session=session, classifier=classifier, keep=max_items, limit=1000
            )
        if not beyond:
            return 0
        purge_items(self.settings, self.store, beyond)
        return len(beyond)


def unknown_prediction(classifier: str, prediction_id: str) -> NotFound:
    return NotFound(
        f"No prediction {prediction_id!r} of classifier {classifier!r}.",
        code="unknown_prediction",
    )


def send_feedback(
    keeper: ReviewKeeper, review: ReviewQueue, prediction_id: str, suggested: str | None
) -> tuple[ReviewItem, bool]:
    """Queue a client's report that an answer is wrong: its review item and whether it
    is new. 404 for an unknown prediction; 409 when review is off for the classifier,
    or when the answer's image was not kept (see the module's note)."""
    classifier = review.classifier
    if not review.policy().enabled:
        raise Conflict(
            f"Review is off for {classifier!r}, so no image is kept for feedback; an admin "
            f'can turn it on: PATCH /api/classifiers/{classifier} {{"review": {{...}}}}.',
            code="review_off",
        )
    with session_scope(keeper.settings) as session:
        answered = get_prediction(
            session=session, classifier=classifier, prediction_id=prediction_id
        )
    if answered is None:
        raise unknown_prediction(classifier, prediction_id)
    recent = keeper.recent.get(classifier, prediction_id)

    def keep_now() -> str:
        if recent is None:
            minutes = round(keeper.settings.review_recent_seconds / 60)
            raise Conflict(
                f"The image of prediction {prediction_id} was not kept: feedback works for "
                f"answers the review policy kept, and for any answer within {minutes} "
                "minutes, sent to the server that gave it.",
                code="image_not_kept",
            )
        return keeper.keep(recent, "feedback", suggested)

    return review.feedback(prediction_id, suggested, keep_now)
