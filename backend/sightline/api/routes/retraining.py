"""Retraining jobs: submit, follow, cancel (the worker runs them; jobs/queue.py)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Body

from sightline.api.deps import AdminDep, JobQueueDep, RegistryDep
from sightline.api.schemas import JobOut, RetrainAcceptedOut, RetrainIn, error_responses
from sightline.errors import NotFound

router = APIRouter(tags=["retraining"])


@router.post(
    "/retrain",
    status_code=202,
    response_model=RetrainAcceptedOut,
    responses=error_responses(401, 409, 422),
)
async def retrain(
    _admin: AdminDep,
    queue: JobQueueDep,
    registry: RegistryDep,
    request: RetrainIn | None = Body(None),
) -> RetrainAcceptedOut:
    """Queue a training job for the classifier; a worker runs it. A classifier with no
    version yet trains from its parent (422 naming any class with too few images);
    later jobs retrain its production model on what is new. 409 while it has a job
    queued or running (other classifiers train meanwhile)."""
    epochs = request.epochs if request else None
    first_training = await asyncio.to_thread(registry.production_version) is None
    job = await asyncio.to_thread(queue.submit, epochs, first_training=first_training)
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
