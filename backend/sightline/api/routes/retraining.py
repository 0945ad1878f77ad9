"""Retraining jobs: submit, follow, cancel (the worker runs them; jobs/queue.py)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Body

from sightline.api.deps import AdminDep, JobQueueDep
from sightline.api.schemas import JobOut, RetrainAcceptedOut, RetrainIn, error_responses
from sightline.errors import NotFound

router = APIRouter(prefix="/api", tags=["retraining"])


@router.post(
    "/retrain",
    status_code=202,
    response_model=RetrainAcceptedOut,
    responses=error_responses(401, 409, 422),
)
async def retrain(
    _admin: AdminDep,
    queue: JobQueueDep,
    request: RetrainIn | None = Body(None),
) -> RetrainAcceptedOut:
    """Queue a retraining job; the worker runs it. 409 while one is queued or running."""
    epochs = request.epochs if request else None
    job = await asyncio.to_thread(queue.submit, epochs)
    return RetrainAcceptedOut(job_id=job.id, status=job.status)


@router.get("/retrain-status", response_model=JobOut, responses=error_responses(404))
def retrain_status(queue: JobQueueDep) -> JobOut:
    """The latest retraining job."""
    job = queue.latest()
    if job is None:
        raise NotFound("No retraining job has been submitted yet.", code="no_jobs")
    return JobOut.of(job)


@router.get("/retrain/{job_id}", response_model=JobOut, responses=error_responses(404))
def retrain_job(job_id: str, queue: JobQueueDep) -> JobOut:
    return JobOut.of(queue.get(job_id))


@router.delete(
    "/retrain/{job_id}",
    response_model=JobOut,
    responses=error_responses(401, 404, 409),
)
def cancel_job(_admin: AdminDep, job_id: str, queue: JobQueueDep) -> JobOut:
    """Cancel a queued job now, or a running one at its next training step."""
    return JobOut.of(queue.cancel(job_id))
