"""db/jobs.py: conditional writes keep one worker per job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import jobs
from sightline.db.session import session_scope
from sightline.retrain_job import JobStatus, RetrainJob


def queue_job(session: Session, job_id: str) -> RetrainJob:
    return jobs.insert_job(
        session=session, classifier="cifar10", job_id=job_id, epochs=1, params={}, message=""
    )


def test_a_job_is_claimed_once_and_written_only_by_its_worker(session: Session) -> None:
    job = queue_job(session, "j1")
    assert job.status is JobStatus.QUEUED and job.progress == 0.0 and job.created_at
    assert jobs.oldest_queued_job_id(session=session) == "j1"
    now = datetime.now(UTC)
    assert jobs.claim_job(session=session, job_id="j1", worker_id="w1", now=now)
    assert not jobs.claim_job(session=session, job_id="j1", worker_id="w2", now=now)
    assert jobs.oldest_queued_job_id(session=session) is None
    assert not jobs.update_running_job(
        session=session, job_id="j1", worker_id="w2", values={"progress": 0.5}
    )
    assert jobs.update_running_job(
        session=session, job_id="j1", worker_id="w1", values={"progress": 0.5}
    )
    assert jobs.stop_flags(session=session, job_id="j1") == ("running", "w1", False)
    assert jobs.stop_flags(session=session, job_id="nope") is None
    assert [r[:2] for r in jobs.running_jobs(session=session)] == [("j1", "w1")]
    session.expire_all()
    active = jobs.active_job(session=session, classifier="cifar10")
    assert active is not None and active.progress == 0.5
    assert active.status is JobStatus.RUNNING
    latest = jobs.latest_job(session=session, classifier="cifar10")
    assert latest is not None and latest.id == "j1"


def test_a_second_active_job_collides(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        queue_job(session, "j1")
    with pytest.raises(IntegrityError), session_scope(migrated) as session:
        queue_job(session, "j2")
