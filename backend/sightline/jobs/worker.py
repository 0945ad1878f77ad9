"""The retraining worker: one process that claims queued jobs and runs them.

Progress is written to the job row (throttled), a heartbeat thread keeps the row
fresh, and cancellation is checked at every training step. A worker that dies leaves
its job running with a stale heartbeat; the next worker start (or any worker's
periodic sweep) marks it failed. Nothing reaches the registry until training has
finished and the candidate has been saved whole.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid

from sightline.config import Settings
from sightline.db.models import RetrainJob
from sightline.db.session import migrate
from sightline.jobs.queue import JobQueue
from sightline.jobs.retrain import Retrainer
from sightline.ml.registry import ModelRegistry
from sightline.ml.training import Progress, TrainingCancelled
from sightline.monitoring.metrics import metrics

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = JobQueue(settings)
        self.registry = ModelRegistry(settings)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()

    def start(self) -> None:
        """Prepare the database and fail the jobs a previous worker left running."""
        self.settings.ensure_dirs()
        migrate(self.settings)
        self.registry.ensure_seeded()
        self.registry.root.mkdir(parents=True, exist_ok=True)
        self.registry.remove_partial_files()
        failed = self.queue.fail_stale(worker_id=self.worker_id)
        if failed:
            log.warning("marked jobs of a lost worker failed: %s", failed)

    def stop(self) -> None:
        self._stop.set()

    def run_forever(self) -> None:
        self.start()
        log.info("worker %s waiting for jobs", self.worker_id)
        while not self._stop.is_set():
            if not self.run_once():
                self._stop.wait(self.settings.worker_poll_seconds)

    def run_once(self) -> bool:
        """Claim and run one job; False when none was queued."""
        self.queue.fail_stale()
        job = self.queue.claim(self.worker_id)
        if job is None:
            return False
        self._run(job)
        return True

    # ------------------------------------------------------------------ one job

    def _run(self, job: RetrainJob) -> None:
        beat = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(job.id, beat), daemon=True)
        heartbeat.start()
        reporter = _ProgressReporter(self.queue, job.id)
        try:
            outcome = Retrainer(self.settings, self.registry).run(
                job.id, job.epochs, reporter.on_progress, reporter.on_epoch,
                should_stop=lambda: self.queue.cancel_requested(job.id) or self._stop.is_set(),
                say=lambda message: self.queue.update(job.id, message=message),
            )
            self.queue.finish(job.id, outcome.status, outcome.message, progress=1.0,
                              metrics=outcome.metrics, model_version=outcome.version,
                              promoted=outcome.promoted, history=outcome.history,
                              base_version=self.registry.get(outcome.version).parent,
                              eta_seconds=0.0)
            metrics().retrain_jobs.labels(outcome.status).inc()
        except TrainingCancelled:
            metrics().retrain_jobs.labels("cancelled").inc()
            self.queue.finish(job.id, "cancelled", "Cancelled; the production model was not "
                              "changed.", promoted=False)
        except Exception as exc:
            metrics().retrain_jobs.labels("failed").inc()
            log.exception("retraining job %s failed", job.id)
            self.queue.finish(job.id, "failed", f"Retraining failed: {exc}", promoted=False,
                              error=traceback.format_exc()[-4000:])
        finally:
            beat.set()
            heartbeat.join(timeout=5)

    def _heartbeat(self, job_id: str, done: threading.Event) -> None:
        while not done.wait(self.settings.worker_heartbeat_seconds):
            try:
                self.queue.update(job_id)
            except Exception:
                log.exception("heartbeat failed")


class _ProgressReporter:
    """Writes training progress to the job row at most once a second."""

    def __init__(self, queue: JobQueue, job_id: str) -> None:
        self.queue = queue
        self.job_id = job_id
        self.last = 0.0
        self.history: dict[str, list[float | None]] = {}

    def on_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 1.0 and progress.step < progress.total_steps:
            return
        self.last = now
        eta = progress.eta_seconds
        self.queue.update(
            self.job_id, progress=round(progress.fraction * 0.9, 4), epoch=progress.epoch,
            epochs=progress.epochs, step=progress.step, total_steps=progress.total_steps,
            loss=progress.loss, accuracy=progress.accuracy,
            eta_seconds=None if eta != eta else round(eta, 1),  # NaN before the first step
            message=f"Training: epoch {progress.epoch}/{progress.epochs}, "
                    f"step {progress.step}/{progress.total_steps}.",
        )

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            # JSON has no NaN: an epoch without validation data is recorded as None.
            self.history.setdefault(key, []).append(value if value == value else None)
        self.queue.update(self.job_id, history=dict(self.history))


def run_worker(settings: Settings) -> None:
    worker = Worker(settings)
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        worker.stop()

