from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from sightline.api.auth import require_admin
from sightline.api.deps import Services, get_services
from sightline.api.schemas import ErrorBody, JobOut, RetrainRequest
from sightline.errors import NotFound
from sightline.jobs.queue import JobQueue, job_view

router = APIRouter(prefix="/api", tags=["retraining"])
ADMIN = [Depends(require_admin)]


def _queue(services: Services) -> JobQueue:
    return JobQueue(services.settings)


@router.post(
    "/retrain",
    status_code=202,
    dependencies=ADMIN,
    responses={code: {"model": ErrorBody} for code in (401, 409, 422)},
)
async def retrain(
    request: RetrainRequest | None = Body(None),
    services: Services = Depends(get_services),
) -> JSONResponse:
    """Queue a retraining job; the worker runs it. 409 while one is queued or running."""
    epochs = request.epochs if request else None
    job = await asyncio.to_thread(_queue(services).submit, epochs)
    return JSONResponse({"job_id": job.id, "status": job.status}, status_code=202)


@router.get("/retrain-status", response_model=JobOut, responses={404: {"model": ErrorBody}})
def retrain_status(services: Services = Depends(get_services)) -> dict[str, Any]:
    """The latest retraining job."""
    job = _queue(services).latest()
    if job is None:
        raise NotFound("No retraining job has been submitted yet.", code="no_jobs")
    return job_view(job)


@router.get("/retrain/{job_id}", response_model=JobOut, responses={404: {"model": ErrorBody}})
def retrain_job(job_id: str, services: Services = Depends(get_services)) -> dict[str, Any]:
    return job_view(_queue(services).get(job_id))


@router.delete(
    "/retrain/{job_id}",
    response_model=JobOut,
    dependencies=ADMIN,
    responses={code: {"model": ErrorBody} for code in (401, 404, 409)},
)
def cancel_job(job_id: str, services: Services = Depends(get_services)) -> dict[str, Any]:
    """Cancel a queued job now, or a running one at its next training step."""
    return job_view(_queue(services).cancel(job_id))
