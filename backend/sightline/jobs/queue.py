"""The retraining queue, kept in the database so every replica and the worker agree.

At most one job is queued or running: a partial unique index (migration 0002) makes a
second one collide, whichever process inserts it. The worker claims a job with a
conditional UPDATE, so two workers can never run the same (or two) jobs. Every later
write by the worker is conditional too (still running, still its own): a worker whose
job was taken from it (cancelled, or failed as lost) learns so at its next write and
stops, and can never overwrite the verdict.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.data.training_uploads import is_holdout
from sightline.db.models import RetrainJobRow, TrainingUploadRow
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound

ACTIVE = ("queued", "running")
FINISHED = ("completed", "rejected", "failed", "cancelled")


def _rows_changed(session: Session, statement: Update) -> int:
    """How many rows a conditional UPDATE changed: 0 means another process won."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def now() -> datetime:
    return datetime.now(UTC)


def job_view(job: RetrainJobRow) -> dict[str, Any]:
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

    def submit(self, epochs: int | None = None) -> RetrainJobRow:
        if self.new_upload_count() == 0:
            raise InvalidField(
                "There is nothing new to learn from: upload labelled images "
                "first (POST /api/upload-training-data). Uploads a promoted "
                "model has learned, and the share kept for evaluation, do not "
                "count.",
                code="no_new_data",
            )
        epochs = epochs or self.settings.retrain_epochs
        job = RetrainJobRow(
            id=uuid.uuid4().hex,
            status="queued",
            epochs=epochs,
            params={"epochs": epochs},
            message="Waiting for the worker.",
        )
        try:
            with session_scope(self.settings) as session:
                session.add(job)
        except IntegrityError as exc:
            active = self.active()
            detail = f" ({active.id}, {active.status})" if active else ""
            raise Conflict(
                f"A retraining job is already queued or running{detail}; wait for it or cancel it.",
                code="retrain_in_progress",
            ) from exc
        return job

    def get(self, job_id: str) -> RetrainJobRow:
        with session_scope(self.settings) as session:
            job = session.get(RetrainJobRow, job_id)
        if job is None:
            raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
        return job

    def latest(self) -> RetrainJobRow | None:
        with session_scope(self.settings) as session:
            return session.scalar(
                select(RetrainJobRow).order_by(RetrainJobRow.created_at.desc()).limit(1)
            )

    def active(self) -> RetrainJobRow | None:
        with session_scope(self.settings) as session:
            return session.scalar(select(RetrainJobRow).where(RetrainJobRow.status.in_(ACTIVE)))

    def cancel(self, job_id: str) -> RetrainJobRow:
        """A queued job is cancelled at once; a running one at its next training step."""
        with session_scope(self.settings) as session:
            job = session.get(RetrainJobRow, job_id)
            if job is None:
                raise NotFound(f"No retraining job {job_id!r}.", code="unknown_job")
            if job.status == "queued":
                job.status, job.finished_at = "cancelled", now()
                job.message = "Cancelled before it started."
            elif job.status == "running":
                job.cancel_requested = True
                job.message = "Cancelling..."
            else:
                raise Conflict(
                    f"Job {job_id} has already finished ({job.status}).", code="job_finished"
                )
            return job

    def new_upload_count(self) -> int:
        """Uploads a job would train on: not learned yet, and not held out for evaluation."""
        with session_scope(self.settings) as session:
            hashes = session.scalars(
                select(TrainingUploadRow.sha256).where(TrainingUploadRow.used_by_job.is_(None))
            ).all()
        fraction = self.settings.retrain_holdout_fraction
        return sum(not is_holdout(sha, fraction) for sha in hashes)

    # ------------------------------------------------------------------ worker side

    def claim(self, worker_id: str) -> RetrainJobRow | None:
        """Take the oldest queued job, atomically; None when there is none."""
        with session_scope(self.settings) as session:
            job_id = session.scalar(
                select(RetrainJobRow.id)
                .where(RetrainJobRow.status == "queued")
                .order_by(RetrainJobRow.created_at)
                .limit(1)
            )
            if job_id is None:
                return None
            claimed = _rows_changed(
                session,
                update(RetrainJobRow)
                .where(RetrainJobRow.id == job_id, RetrainJobRow.status == "queued")
                .values(
                    status="running",
                    worker_id=worker_id,
                    started_at=now(),
                    heartbeat_at=now(),
                    message="Starting.",
                ),
            )
        return self.get(job_id) if claimed == 1 else None

    def report(self, job_id: str, worker_id: str, **values: Any) -> bool:
        """Write progress (and the heartbeat) to a job this worker runs.

        False when the job is no longer this worker's running job: nothing is written.
        """
        with session_scope(self.settings) as session:
            return bool(
                _rows_changed(
                    session,
                    update(RetrainJobRow)
                    .where(
                        RetrainJobRow.id == job_id,
                        RetrainJobRow.status == "running",
                        RetrainJobRow.worker_id == worker_id,
                    )
                    .values(heartbeat_at=now(), **values),
                )
            )

    def should_stop(self, job_id: str, worker_id: str) -> bool:
        """True when cancellation was asked for, or the job is no longer this worker's."""
        with session_scope(self.settings) as session:
            row = session.execute(
                select(
                    RetrainJobRow.status, RetrainJobRow.worker_id, RetrainJobRow.cancel_requested
                ).where(RetrainJobRow.id == job_id)
            ).one_or_none()
        if row is None:
            return True
        status, owner, cancel_requested = row
        return bool(cancel_requested) or status != "running" or owner != worker_id

    def finish(self, job_id: str, worker_id: str, status: str, message: str, **values: Any) -> bool:
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
            running = session.execute(
                select(
                    RetrainJobRow.id,
                    RetrainJobRow.worker_id,
                    RetrainJobRow.heartbeat_at,
                    RetrainJobRow.started_at,
                    RetrainJobRow.created_at,
                ).where(RetrainJobRow.status == "running")
            ).all()
        failed = []
        for job_id, owner, heartbeat_at, started_at, created_at in running:
            last_seen = heartbeat_at or started_at or created_at
            gone = last_seen < cutoff or (is_lost is not None and is_lost(owner))
            if gone and self._fail_lost(job_id, owner):
                failed.append(job_id)
        return failed

    def _fail_lost(self, job_id: str, owner: str | None) -> bool:
        # Conditional: a worker finishing at this very moment keeps its own verdict.
        with session_scope(self.settings) as session:
            return bool(
                _rows_changed(
                    session,
                    update(RetrainJobRow)
                    .where(
                        RetrainJobRow.id == job_id,
                        RetrainJobRow.status == "running",
                        RetrainJobRow.worker_id == owner,
                    )
                    .values(
                        status="failed",
                        finished_at=now(),
                        error="worker lost",
                        message="The worker stopped while training (crash or restart); "
                        "the production model was not changed.",
                    ),
                )
            )
