"""SQL for retraining jobs (table ``retrain_jobs``). ``jobs/queue.py`` holds the rules;
every write the worker makes here is conditional (still running, still its own), so a
worker whose job was taken from it changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.orm import Session

from sightline.db.models import RetrainJobRow

ACTIVE = ("queued", "running")


def _rows_changed(session: Session, statement: Update) -> int:
    """How many rows a conditional UPDATE changed: 0 means another process won."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def insert_job(*, session: Session, job: RetrainJobRow) -> None:
    """Add a job; a second active one fails at commit (unique index, migration 0002)."""
    session.add(job)


def get_job(*, session: Session, job_id: str, for_update: bool = False) -> RetrainJobRow | None:
    return session.get(RetrainJobRow, job_id, with_for_update=for_update)


def latest_job(*, session: Session) -> RetrainJobRow | None:
    return session.scalar(select(RetrainJobRow).order_by(RetrainJobRow.created_at.desc()).limit(1))


def active_job(*, session: Session) -> RetrainJobRow | None:
    return session.scalar(select(RetrainJobRow).where(RetrainJobRow.status.in_(ACTIVE)))


def oldest_queued_job_id(*, session: Session) -> str | None:
    return session.scalar(
        select(RetrainJobRow.id)
        .where(RetrainJobRow.status == "queued")
        .order_by(RetrainJobRow.created_at)
        .limit(1)
    )


def claim_job(*, session: Session, job_id: str, worker_id: str, now: datetime) -> bool:
    """Queued -> running for this worker; False when another worker claimed it first."""
    return (
        _rows_changed(
            session,
            update(RetrainJobRow)
            .where(RetrainJobRow.id == job_id, RetrainJobRow.status == "queued")
            .values(
                status="running",
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
                RetrainJobRow.status == "running",
                RetrainJobRow.worker_id == worker_id,
            )
            .values(**values),
        )
    )


def stop_flags(*, session: Session, job_id: str) -> tuple[str, str | None, bool] | None:
    """(status, worker_id, cancel_requested) of a job, or None when there is none."""
    row = session.execute(
        select(RetrainJobRow.status, RetrainJobRow.worker_id, RetrainJobRow.cancel_requested).where(
            RetrainJobRow.id == job_id
        )
    ).one_or_none()
    if row is None:
        return None
    status, owner, cancel_requested = row
    return str(status), owner, bool(cancel_requested)


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
        ).where(RetrainJobRow.status == "running")
    ).all()
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]
