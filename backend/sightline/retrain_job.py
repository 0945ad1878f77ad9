"""A retraining job as the rest of Sightline sees it: its status and its state.

The ``retrain_jobs`` table (db/models.py) stores the same fields; db/jobs.py turns its
rows into ``RetrainJob``, so no ORM row leaves db/. Nothing here imports upward, so
db/, jobs/ and api/ can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


# The values are what retrain_jobs.status stores (a plain string column): keep them.
class JobStatus(StrEnum):
    """A retraining job's status: queued, then running, then one of the final four."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED: tuple[JobStatus, ...] = (
    JobStatus.COMPLETED,
    JobStatus.REJECTED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)


@dataclass(frozen=True)
class RetrainJob:
    id: str
    status: JobStatus
    epochs: int
    created_at: datetime
    classifier: str  # the slug of the classifier it trains
    message: str = ""
    progress: float = 0.0
    epoch: int = 0
    step: int = 0
    total_steps: int = 0
    loss: float | None = None
    accuracy: float | None = None
    eta_seconds: float | None = None
    history: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    base_version: str | None = None
    model_version: str | None = None
    promoted: bool | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker_id: str | None = None
    cancel_requested: bool = False
    error: str | None = None
