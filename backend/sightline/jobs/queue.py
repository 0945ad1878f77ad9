"""The retraining queue, kept in the database so every replica and the worker agree.

At most one job is queued or running: a partial unique index (migration 0002) makes a
second one collide, whichever process inserts it. The worker claims a job with a
conditional UPDATE, so two workers can never run the same (or two) jobs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.db.models import RetrainJob, TrainingUpload
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound

ACTIVE = ("queued", "running")
FINISHED = ("completed", "rejected", "failed", "cancelled")


def now() -> datetime:
    return datetime.now(UTC)


def job_view(job: RetrainJob) -> dict[str, Any]:
    """The contract's job shape, plus the live figures the dashboard draws."""
    return {
        "job_id": job.id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "epoch": job.epoch,
        "epochs": job.epochs,
        "step": job.step,
        "total_steps": job.total_steps,
        "loss": job.loss,
        "accuracy": job.accuracy,
        "eta_seconds": job.eta_seconds,
        "message": job.message,
        "history": job.history or {},
        "metrics": job.metrics or {},
        "base_version": job.base_version,
        "model_version": job.model_version,
        "promoted": job.promoted,
        "params": job.params or {},
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


class JobQueue:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # ------------------------------------------------------------------ API side

    def submit(self, epochs: int | None = None) -> RetrainJob:
        if self.new_upload_count() == 0:
            raise InvalidField("There is nothing new to learn from: upload labelled images "
                               "first (POST /api/upload-training-data).", code="no_new_data")
        epochs = epochs or self.settings.retrain_epochs
        job = RetrainJob(id=uuid.uuid4().hex, status="queued", epochs=epochs,
                         params={"epochs": epochs}, message="Waiting for the worker.")
        try:
            with session_scope(self.settings) as session:
                session.add(job)
        except IntegrityError as exc:
            active = self.active()
            detail = f" ({active.id}, {active.status})" if active else ""
            raise Conflict(f"A retraining job is already queued or running{detail}; wait "
                           "for it or cancel it.", code="retrain_in_progress") from exc
        return job

    def get(self, job_id: str) -> RetrainJob:
        with session_scope(self.settings) as session:
            job = session.get(RetrainJob, job_id)
        if job is None:
            raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
        return job

    def latest(self) -> RetrainJob | None:
        with session_scope(self.settings) as session:
            return session.scalar(
                select(RetrainJob).order_by(RetrainJob.created_at.desc()).limit(1)
            )

    def active(self) -> RetrainJob | None:
        with session_scope(self.settings) as session:
            return session.scalar(select(RetrainJob).where(RetrainJob.status.in_(ACTIVE)))

    def cancel(self, job_id: str) -> RetrainJob:
        """A queued job is cancelled at once; a running one at its next training step."""
        with session_scope(self.settings) as session:
            job = session.get(RetrainJob, job_id)
            if job is None:
                raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
            if job.status == "queued":
                job.status, job.finished_at = "cancelled", now()
                job.message = "Cancelled before it started."
            elif job.status == "running":
                job.cancel_requested = True
                job.message = "Cancelling..."
            else:
                raise Conflict(f"Job {job_id} has already finished ({job.status}).",
                               code="job_finished")
            return job

    def new_upload_count(self) -> int:
        with session_scope(self.settings) as session:
            return len(session.scalars(
                select(TrainingUpload.id).where(TrainingUpload.used_by_job.is_(None))
            ).all())

    # ------------------------------------------------------------------ worker side

    def claim(self, worker_id: str) -> RetrainJob | None:
        """Take the oldest queued job, atomically; None when there is none."""
        with session_scope(self.settings) as session:
            job_id = session.scalar(select(RetrainJob.id).where(RetrainJob.status == "queued")
                                    .order_by(RetrainJob.created_at).limit(1))
            if job_id is None:
                return None
            claimed = session.execute(
                update(RetrainJob)
                .where(RetrainJob.id == job_id, RetrainJob.status == "queued")
                .values(status="running", worker_id=worker_id, started_at=now(),
                        heartbeat_at=now(), message="Starting.")
            ).rowcount  # type: ignore[attr-defined]
        return self.get(job_id) if claimed == 1 else None

    def update(self, job_id: str, **values: Any) -> None:
        with session_scope(self.settings) as session:
            session.execute(update(RetrainJob).where(RetrainJob.id == job_id)
                            .values(heartbeat_at=now(), **values))

    def cancel_requested(self, job_id: str) -> bool:
        with session_scope(self.settings) as session:
            return bool(session.scalar(
                select(RetrainJob.cancel_requested).where(RetrainJob.id == job_id)
            ))

    def finish(self, job_id: str, status: str, message: str, **values: Any) -> None:
        assert status in FINISHED
        self.update(job_id, status=status, message=message, finished_at=now(), **values)

    def fail_stale(self, worker_id: str | None = None) -> list[str]:
        """Mark failed the running jobs whose worker is gone.

        A job is orphaned when its heartbeat is older than ``worker_stale_seconds``, or,
        at a worker's start, when it belongs to no live worker (one worker per system).
        """
        cutoff = now() - timedelta(seconds=self.settings.worker_stale_seconds)
        with session_scope(self.settings) as session:
            running = session.scalars(
                select(RetrainJob).where(RetrainJob.status == "running")
            ).all()
            failed = []
            for job in running:
                heartbeat = job.heartbeat_at or job.started_at or job.created_at
                if (worker_id is not None and job.worker_id != worker_id) or heartbeat < cutoff:
                    job.status, job.finished_at = "failed", now()
                    job.message = ("The worker stopped while training (crash or restart); "
                                   "the production model was not changed.")
                    job.error = "worker lost"
                    failed.append(job.id)
            return failed
