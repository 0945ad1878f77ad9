"""SQL for retraining jobs (table ``retrain_jobs``). ``jobs/queue.py`` holds the rules;
every write the worker makes here is conditional (still running, still its own), so a
worker whose job was taken from it changes nothing. Reads answer ``RetrainJob``, never
the ORM row."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Update, func, select, update
from sqlalchemy.orm import Session

from sightline.db.models import RetrainJobRow
from sightline.retrain_job import ACTIVE, JobStatus, RetrainJob


def _job(row: RetrainJobRow) -> RetrainJob:
    return RetrainJob(
        id=row.id,
        classifier=row.classifier,
        status=JobStatus(row.status),
        epochs=row.epochs,
        created_at=row.created_at,
        message=row.message,
        progress=row.progress,
        epoch=row.epoch,
        step=row.step,
        total_steps=row.total_steps,
        loss=row.loss,
        accuracy=row.accuracy,
        eta_seconds=row.eta_seconds,
        history=row.history or {},
        metrics=row.metrics or {},
        params=row.params or {},
        base_version=row.base_version,
        model_version=row.model_version,
        promoted=row.promoted,
        started_at=row.started_at,
        finished_at=row.finished_at,
        worker_id=row.worker_id,
        cancel_requested=bool(row.cancel_requested),
        error=row.error,
    )


def _rows_changed(session: Session, statement: Update) -> int:
    """How many rows a conditional UPDATE changed: 0 means another process won."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def insert_job(
    *,
    session: Session,
    classifier: str,
    job_id: str,
    epochs: int,
    params: dict[str, Any],
    message: str,
) -> RetrainJob:
    """Add a queued job; a second active one of the classifier fails here (a partial
    unique index, migrations 0002 and 0005)."""
    row = RetrainJobRow(
        id=job_id,
        classifier=classifier,
        status=JobStatus.QUEUED,
        epochs=epochs,
        params=params,
        message=message,
    )
    session.add(row)
    session.flush()  # the collision, and the column defaults, now
    return _job(row)


def get_job(
    *, session: Session, job_id: str, classifier: str | None = None, for_update: bool = False
) -> RetrainJob | None:
    """The job; with ``classifier``, only when it is that classifier's."""
    row = session.get(RetrainJobRow, job_id, with_for_update=for_update)
    if row is None or (classifier is not None and row.classifier != classifier):
        return None
    return _job(row)


def latest_job(*, session: Session, classifier: str) -> RetrainJob | None:
    query = select(RetrainJobRow).where(RetrainJobRow.classifier == classifier)
    row = session.scalar(query.order_by(RetrainJobRow.created_at.desc()).limit(1))
    return None if row is None else _job(row)


def latest_jobs(*, session: Session) -> dict[str, RetrainJob]:
    """Each classifier's latest job (the classifiers list shows them), in one query."""
    newest = (
        select(RetrainJobRow.classifier, func.max(RetrainJobRow.created_at).label("created_at"))
        .group_by(RetrainJobRow.classifier)
        .subquery()
    )
    query = select(RetrainJobRow).join(
        newest,
        (RetrainJobRow.classifier == newest.c.classifier)
        & (RetrainJobRow.created_at == newest.c.created_at),
    )
    return {row.classifier: _job(row) for row in session.scalars(query)}


def active_job(*, session: Session, classifier: str) -> RetrainJob | None:
    query = select(RetrainJobRow).where(
        RetrainJobRow.classifier == classifier, RetrainJobRow.status.in_(ACTIVE)
    )
    row = session.scalar(query)
    return None if row is None else _job(row)


def update_job(*, session: Session, job_id: str, values: dict[str, Any]) -> None:
    """Write ``values`` unconditionally (the caller holds the row's lock)."""
    session.execute(update(RetrainJobRow).where(RetrainJobRow.id == job_id).values(**values))


def oldest_queued_job_id(*, session: Session) -> str | None:
    return session.scalar(
        select(RetrainJobRow.id)
        .where(RetrainJobRow.status == JobStatus.QUEUED)
        .order_by(RetrainJobRow.created_at)
        .limit(1)
    )


def claim_job(*, session: Session, job_id: str, worker_id: str, now: datetime) -> bool:
    """Queued -> running for this worker; False when another worker claimed it first."""
    return (
        _rows_changed(
            session,
            update(RetrainJobRow)
            .where(RetrainJobRow.id == job_id, RetrainJobRow.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                worker_id=worker_id,
                started_at=now,
                heartbeat_at=now,
                message="Starting.",
            ),
        )
        == 1
    )


def update_running_job(
    *, session: Session, job_id: str, worker_id: str, values: dict[str, Any]
) -> bool:
    """Write ``values`` to the job only while it runs under ``worker_id``."""
    return bool(
        _rows_changed(
            session,
            update(RetrainJobRow)
            .where(
                RetrainJobRow.id == job_id,
                RetrainJobRow.status == JobStatus.RUNNING,
                RetrainJobRow.worker_id == worker_id,
            )
            .values(**values),
        )
    )


def stop_flags(*, session: Session, job_id: str) -> tuple[JobStatus, str | None, bool] | None:
    """(status, worker_id, cancel_requested) of a job, or None when there is none."""
    row = session.execute(
        select(RetrainJobRow.status, RetrainJobRow.worker_id, RetrainJobRow.cancel_requested).where(
            RetrainJobRow.id == job_id
        )
    ).one_or_none()
    if row is None:
        return None
    status, owner, cancel_requested = row
    return JobStatus(status), owner, bool(cancel_requested)


RunningJob = tuple[str, str | None, datetime | None, datetime | None, datetime]


def running_jobs(*, session: Session) -> list[RunningJob]:
    """(id, worker_id, heartbeat_at, started_at, created_at) of every running job."""
    rows = session.execute(
        select(
            RetrainJobRow.id,
            RetrainJobRow.worker_id,
            RetrainJobRow.heartbeat_at,
            RetrainJobRow.started_at,
            RetrainJobRow.created_at,
        ).where(RetrainJobRow.status == JobStatus.RUNNING)
    ).all()
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]
