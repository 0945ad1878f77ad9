"""The retraining worker: one process that claims queued jobs and runs them.

Progress is written to the job row (throttled), a heartbeat thread keeps the row
fresh, and cancellation is checked at every training step. Every write is conditional
on the job still being this worker's (jobs/queue.py), so a worker whose job was failed
as lost stops and leaves the verdict alone.

A worker that dies leaves its job running. Any worker on the same machine sees at once
that the process is gone (a restarted worker included); on other machines the
heartbeat going stale (``worker_stale_seconds``) tells. Either way the job is marked
failed. Nothing reaches the registry until training has finished and the candidate
has been saved whole.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import traceback
import uuid
import weakref
from pathlib import Path
from types import FrameType

import psutil

from sightline.config import Settings
from sightline.db.session import migrate
from sightline.jobs.first_training import FirstTraining
from sightline.jobs.queue import JobQueue
from sightline.jobs.retrain import Retrainer
from sightline.ml.registry import ModelRegistry
from sightline.ml.training import Progress, TrainingCancelled
from sightline.monitoring.prometheus import metrics
from sightline.ops.retention import prune
from sightline.retrain_job import JobStatus, RetrainJob

log = logging.getLogger(__name__)

# The job row is asked whether to stop at most this often (training steps can be ms).
STOP_POLL_SECONDS = 0.5
# Progress is written at most this often.
PROGRESS_WRITE_SECONDS = 1.0

HOSTNAME = socket.gethostname()[:40]  # worker ids must fit the 64-character column
# Touched while the worker lives (mark_alive); a liveness probe reads its age.
ALIVE_FILE = "worker-alive"


# The ids of the Worker objects alive in this process: our pid alone does not make an
# owner gone, as one process may hold several workers (tests, an embedded worker).
_WORKERS_HERE: set[str] = set()
_WORKERS_HERE_LOCK = threading.Lock()


def new_worker_id() -> str:
    return f"{HOSTNAME}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _register_here(worker: Worker) -> None:
    with _WORKERS_HERE_LOCK:
        _WORKERS_HERE.add(worker.worker_id)
    weakref.finalize(worker, _forget_here, worker.worker_id)


def _forget_here(worker_id: str) -> None:
    with _WORKERS_HERE_LOCK:
        _WORKERS_HERE.discard(worker_id)


def is_dead_here(worker_id: str | None, me: str) -> bool:
    """Whether ``worker_id`` names a worker process on this machine that is gone.

    Workers elsewhere cannot be checked: False, and their heartbeat decides.
    """
    if worker_id is None:
        return True
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOSTNAME or not pid_text.isdigit() or worker_id == me:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        # Not one of ours: an earlier process with our pid (a restarted container).
        with _WORKERS_HERE_LOCK:
            return worker_id not in _WORKERS_HERE
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # exists but not ours to inspect: alive


def is_first_training(job: RetrainJob, registry: ModelRegistry) -> bool:
    """A classifier's first training (transfer from its parent, jobs/first_training.py):
    submitted as one, or its classifier has no live version."""
    return bool(job.params.get("first_training")) or registry.production_version() is None


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = JobQueue(settings)
        self.registry = ModelRegistry(settings)
        self.worker_id = new_worker_id()
        self._stop = threading.Event()
        _register_here(self)

    def start(self) -> None:
        """Prepare the database and fail the jobs of workers that are gone."""
        self.settings.ensure_dirs()
        if self.settings.migrate_on_start:
            migrate(self.settings)
        self.registry.import_local_files()  # a home from before shared blobs (0004)
        self.registry.ensure_seeded()
        self.registry.root.mkdir(parents=True, exist_ok=True)
        self.registry.remove_partial_files()
        self._fail_lost_jobs()

    def mark_alive(self) -> None:
        """Touch $SIGHTLINE_HOME/worker-alive: a liveness probe (Kubernetes) reads its
        age, as the worker serves no HTTP. Between jobs and while training alike."""
        with contextlib.suppress(OSError):  # a deleted home is made again at the next poll
            self.settings.home.mkdir(parents=True, exist_ok=True)
            (self.settings.home / ALIVE_FILE).touch()

    def stop(self) -> None:
        """Stop after the current training step; the job ends failed ('shut down')."""
        self._stop.set()

    def run_forever(self) -> None:
        self.start()
        log.info("worker %s waiting for jobs", self.worker_id)
        next_prune = 0.0
        while not self._stop.is_set():
            self.mark_alive()
            if time.monotonic() >= next_prune:  # between jobs: retention (ops/retention.py)
                self._prune()
                next_prune = time.monotonic() + self.settings.retention_interval_s
            if not self.run_once():
                self._stop.wait(self.settings.worker_poll_seconds)

    def _prune(self) -> None:
        try:
            pruned = prune(self.settings)
        except Exception:  # retention can wait for the next round; jobs cannot
            log.exception("pruning the history failed")
            return
        if pruned.request_events or pruned.predictions:
            log.info("pruned %s", pruned)

    def run_once(self) -> bool:
        """Claim and run one job; False when none was queued."""
        self._fail_lost_jobs()
        job = self.queue.claim(self.worker_id)
        if job is None:
            return False
        self._run(job)
        return True

    def _fail_lost_jobs(self) -> None:
        failed = self.queue.fail_stale(lambda owner: is_dead_here(owner, self.worker_id))
        if failed:
            log.warning("marked failed the jobs of lost workers: %s", failed)

    # ------------------------------------------------------------------ one job

    def _run(self, job: RetrainJob) -> None:
        lost = threading.Event()  # set when the job is no longer ours
        done = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(job.id, done, lost), daemon=True)
        heartbeat.start()
        reporter = _ProgressReporter(self.queue, job.id, self.worker_id)
        stop_check = _StopCheck(self.queue, job.id, self.worker_id, self._stop, lost)
        try:
            registry = ModelRegistry(self.settings, self.registry.store, classifier=job.classifier)
            trainer = FirstTraining if is_first_training(job, registry) else Retrainer
            outcome = trainer(self.settings, registry).run(
                job.id,
                job.epochs,
                reporter.on_progress,
                reporter.on_epoch,
                should_stop=stop_check,
                say=reporter.say,
            )
            self._finish(
                job.id,
                outcome.status,
                outcome.message,
                progress=1.0,
                metrics=outcome.metrics,
                model_version=outcome.version,
                promoted=outcome.promoted,
                history=outcome.history,
                base_version=outcome.base_version,
                eta_seconds=0.0,
            )
        except TrainingCancelled:
            if self._stop.is_set():
                self._finish(
                    job.id,
                    JobStatus.FAILED,
                    "The worker was shut down while training; "
                    "the production model was not changed. Submit it again.",
                    promoted=False,
                    error="worker shut down",
                )
            else:
                self._finish(
                    job.id,
                    JobStatus.CANCELLED,
                    "Cancelled; the production model was not changed.",
                    promoted=False,
                )
        except Exception as exc:
            log.exception("retraining job %s failed", job.id)
            self._finish(
                job.id,
                JobStatus.FAILED,
                f"Retraining failed: {exc}",
                promoted=False,
                error=traceback.format_exc()[-4000:],
            )
        finally:
            done.set()
            heartbeat.join(timeout=5)

    def _finish(self, job_id: str, status: JobStatus, message: str, **values: object) -> None:
        if self.queue.finish(job_id, self.worker_id, status, message, **values):
            metrics().retrain_jobs.labels(status).inc()
        else:
            log.warning(
                "job %s was taken from this worker (failed as lost); its result "
                "(%s) is not recorded",
                job_id,
                status,
            )

    def _heartbeat(self, job_id: str, done: threading.Event, lost: threading.Event) -> None:
        while not done.wait(self.settings.worker_heartbeat_seconds):
            self.mark_alive()
            try:
                if not self.queue.report(job_id, self.worker_id):
                    lost.set()
            except Exception:
                log.exception("heartbeat failed")


class _StopCheck:
    """``should_stop`` for training: cancel asked, job lost, or the worker stopping.
    The database is asked at most every STOP_POLL_SECONDS."""

    def __init__(
        self,
        queue: JobQueue,
        job_id: str,
        worker_id: str,
        stopping: threading.Event,
        lost: threading.Event,
    ) -> None:
        self.queue, self.job_id, self.worker_id = queue, job_id, worker_id
        self.stopping, self.lost = stopping, lost
        self.asked_at = 0.0
        self.answer = False

    def __call__(self) -> bool:
        if self.stopping.is_set() or self.lost.is_set():
            return True
        now = time.monotonic()
        if now - self.asked_at >= STOP_POLL_SECONDS:
            self.asked_at = now
            self.answer = self.queue.should_stop(self.job_id, self.worker_id)
        return self.answer


class _ProgressReporter:
    """Writes training progress to the job row at most once a second."""

    def __init__(self, queue: JobQueue, job_id: str, worker_id: str) -> None:
        self.queue = queue
        self.job_id = job_id
        self.worker_id = worker_id
        self.last = 0.0
        self.history: dict[str, list[float | None]] = {}

    def say(self, message: str) -> None:
        self.queue.report(self.job_id, self.worker_id, message=message)

    def on_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_WRITE_SECONDS and progress.step < progress.total_steps:
            return
        self.last = now
        eta = progress.eta_seconds
        self.queue.report(
            self.job_id,
            self.worker_id,
            # Training is 90% of the job; evaluating both models is the rest.
            progress=round(progress.fraction * 0.9, 4),
            epoch=progress.epoch,
            epochs=progress.epochs,
            step=progress.step,
            total_steps=progress.total_steps,
            loss=progress.loss,
            accuracy=progress.accuracy,
            eta_seconds=None if eta != eta else round(eta, 1),  # NaN before the first step
            message=f"Training: epoch {progress.epoch}/{progress.epochs}, "
            f"step {progress.step}/{progress.total_steps}.",
        )

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            # JSON has no NaN: an epoch without validation data is recorded as None.
            self.history.setdefault(key, []).append(value if value == value else None)
        self.queue.report(self.job_id, self.worker_id, history=dict(self.history))


def lower_priority(nice: int) -> None:
    """Give the CPU to the API first: training is batch work, predictions are not.

    Linux applies a nice value per thread, and threads inherit their creator's: every
    thread already running (TensorFlow's pools among them) is reniced, and those
    started later follow.
    """
    if nice <= 0:
        return
    tasks = Path("/proc/self/task")
    thread_ids = [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [0]
    for thread_id in thread_ids:
        with contextlib.suppress(OSError):  # a thread that has just ended
            current = os.getpriority(os.PRIO_PROCESS, thread_id)
            os.setpriority(os.PRIO_PROCESS, thread_id, max(current, nice))


def run_worker(settings: Settings) -> None:
    """Run until SIGTERM or Ctrl-C; the first one stops after the current training
    step (the job is recorded as failed), a second one exits at once."""
    lower_priority(settings.worker_nice)
    worker = Worker(settings)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping (signal %d); again to exit at once", signum)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        worker.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        worker.stop()
