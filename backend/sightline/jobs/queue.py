"""The retraining queue, kept in the database so every replica and the worker agree.

At most one job per classifier is queued or running: a partial unique index (migrations
0002 and 0005) makes a second one collide, whichever process inserts it; classifiers
train side by side, each on whichever worker claims its job. The worker claims a job with a
conditional UPDATE, so two workers can never run the same (or two) jobs. Every later
write by the worker is conditional too (still running, still its own): a worker whose
job was taken from it (cancelled, or failed as lost) learns so at its next write and
stops, and can never overwrite the verdict.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.data.training_uploads import is_held_out
from sightline.db import classifiers as classifier_rows
from sightline.db import jobs as job_rows
from sightline.db import uploads as upload_rows
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound
from sightline.retrain_job import FINISHED, JobStatus, RetrainJob

# Each lost race means another worker took a job: a few tries cover any burst.
CLAIM_ATTEMPTS = 5


def now() -> datetime:
    return datetime.now(UTC)


class JobQueue:
    """Stateless but for its settings and classifier: the API side (submit, get,
    cancel...) is one classifier's jobs (the default one unless named); the worker side
    (claim, report, finish...) takes any classifier's job."""

    def __init__(self, settings: Settings, classifier: str | None = None) -> None:
        self.settings = settings
        self.classifier = classifier or settings.default_classifier

    # ------------------------------------------------------------------ API side

    def submit(self, epochs: int | None = None, *, first_training: bool = False) -> RetrainJob:
        """Queue a job for this classifier. A first training (no version yet) needs
        enough images in every class; a retraining needs something new to learn."""
        if first_training:
            self._check_enough_images()
        elif self.new_upload_count() == 0:
            raise InvalidField(
                "There is nothing new to learn from: upload labelled images first "
                f"(POST /api/classifiers/{self.classifier}/training-data), or label "
                "images on the review page. Uploads a promoted model has learned, and "
                "the share kept for evaluation, do not count.",
                code="no_new_data",
            )
        default = self.settings.first_training_epochs if first_training else None
        epochs = epochs or default or self.settings.retrain_epochs
        try:
            with session_scope(self.settings) as session:
                job = job_rows.insert_job(
                    session=session,
                    classifier=self.classifier,
                    job_id=uuid.uuid4().hex,
                    epochs=epochs,
                    params={"epochs": epochs, "first_training": first_training},
                    message="Waiting for the worker.",
                )
        except IntegrityError as exc:
            active = self.active()
            detail = f" ({active.id}, {active.status})" if active else ""
            raise Conflict(
                f"A retraining job is already queued or running{detail}; wait for it or cancel it.",
                code="retrain_in_progress",
            ) from exc
        return job

    def _check_enough_images(self) -> None:
        """422 naming each class with fewer images than a training needs."""
        with session_scope(self.settings) as session:
            counts = upload_rows.upload_counts(session=session, classifier=self.classifier)
            classifier = classifier_rows.get_classifier(session=session, name=self.classifier)
        classes = list(dict.fromkeys([*(classifier.classes if classifier else []), *counts]))
        minimum = self.settings.min_images_per_class
        short = [
            f"{name!r} has {counts.get(name, 0)}"
            for name in classes
            if counts.get(name, 0) < minimum
        ]
        if len(classes) < 2 or short:
            need = f"Training needs at least 2 classes with {minimum} images each"
            found = "; ".join(short) if short else f"only {len(classes)} class(es) so far"
            raise InvalidField(f"{need}: {found}.", code="too_few_images")

    def get(self, job_id: str) -> RetrainJob:
        """This classifier's job (another classifier's is not found here)."""
        with session_scope(self.settings) as session:
            job = job_rows.get_job(session=session, job_id=job_id, classifier=self.classifier)
        if job is None:
            raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
        return job

    def latest(self) -> RetrainJob | None:
        with session_scope(self.settings) as session:
            return job_rows.latest_job(session=session, classifier=self.classifier)

    def active(self) -> RetrainJob | None:
        with session_scope(self.settings) as session:
            return job_rows.active_job(session=session, classifier=self.classifier)

    def cancel(self, job_id: str) -> RetrainJob:
        """A queued job is cancelled at once; a running one at its next training step."""
        with session_scope(self.settings) as session:
            job = job_rows.get_job(
                session=session, job_id=job_id, classifier=self.classifier, for_update=True
            )
            if job is None:
                raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
            values: dict[str, Any]
            if job.status is JobStatus.QUEUED:
                values = {
                    "status": JobStatus.CANCELLED,
                    "finished_at": now(),
                    "message": "Cancelled before it started.",
                }
            elif job.status is JobStatus.RUNNING:
                values = {"cancel_requested": True, "message": "Cancelling..."}
            else:
                raise Conflict(
                    f"Job {job_id} has already finished ({job.status}).", code="job_finished"
                )
            job_rows.update_job(session=session, job_id=job_id, values=values)
        return replace(job, **values)

    def new_upload_count(self) -> int:
        """Uploads a job would train on: not learned yet, and not held out for evaluation."""
        with session_scope(self.settings) as session:
            uploads = upload_rows.unused_upload_splits(session=session, classifier=self.classifier)
        fraction = self.settings.retrain_holdout_fraction
        return sum(not is_held_out(sha, split, fraction) for sha, split in uploads)

    # ------------------------------------------------------------------ worker side

    def claim(self, worker_id: str) -> RetrainJob | None:
        """Take the oldest queued job of any classifier, atomically; None when there is none.
        A job another worker claimed first is passed over for the next queued one, so
        two idle workers and two queued jobs (of two classifiers) start both at once."""
        for _attempt in range(CLAIM_ATTEMPTS):
            with session_scope(self.settings) as session:
                job_id = job_rows.oldest_queued_job_id(session=session)
                if job_id is None:
                    return None
                if job_rows.claim_job(
                    session=session, job_id=job_id, worker_id=worker_id, now=now()
                ):
                    return job_rows.get_job(session=session, job_id=job_id)
        return None

    def report(self, job_id: str, worker_id: str, **values: Any) -> bool:
        """Write progress (and the heartbeat) to a job this worker runs.

        False when the job is no longer this worker's running job: nothing is written.
        """
        with session_scope(self.settings) as session:
            return job_rows.update_running_job(
                session=session,
                job_id=job_id,
                worker_id=worker_id,
                values={"heartbeat_at": now(), **values},
            )

    def should_stop(self, job_id: str, worker_id: str) -> bool:
        """True when cancellation was asked for, or the job is no longer this worker's."""
        with session_scope(self.settings) as session:
            flags = job_rows.stop_flags(session=session, job_id=job_id)
        if flags is None:
            return True
        status, owner, cancel_requested = flags
        return cancel_requested or status is not JobStatus.RUNNING or owner != worker_id

    def finish(
        self, job_id: str, worker_id: str, status: JobStatus, message: str, **values: Any
    ) -> bool:
        """End this worker's job; False (and no write) when it was no longer its own."""
        if status not in FINISHED:
            raise ValueError(f"{status!r} is not a final status")
        return self.report(
            job_id, worker_id, status=status, message=message, finished_at=now(), **values
        )

    def fail_stale(self, is_lost: Callable[[str | None], bool] | None = None) -> list[str]:
        """Mark failed the running jobs whose worker is gone.

        A worker is gone when its heartbeat is older than ``worker_stale_seconds``, or
        when ``is_lost(worker_id)`` says so (a worker that can tell, e.g. the process is
        dead on this machine).
        """
        cutoff = now() - timedelta(seconds=self.settings.worker_stale_seconds)
        with session_scope(self.settings) as session:
            running = job_rows.running_jobs(session=session)
        failed = []
        for job_id, owner, heartbeat_at, started_at, created_at in running:
            last_seen = heartbeat_at or started_at or created_at
            gone = last_seen < cutoff or (is_lost is not None and is_lost(owner))
            if gone and self._fail_lost(job_id, owner):
                failed.append(job_id)
        return failed

    def _fail_lost(self, job_id: str, owner: str | None) -> bool:
        # Conditional: a worker finishing at this very moment keeps its own verdict.
        if owner is None:
            return False
        with session_scope(self.settings) as session:
            return job_rows.update_running_job(
                session=session,
                job_id=job_id,
                worker_id=owner,
                values={
                    "status": JobStatus.FAILED,
                    "finished_at": now(),
                    "error": "worker lost",
                    "message": "The worker stopped while training (crash or restart); "
                    "the production model was not changed.",
                },
            )
