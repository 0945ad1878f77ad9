"""One classifier's production model in this process, swapped in place when the
registry changes.

The model pool (serving/model_pool.py) polls every classifier's production version (one
query) every ``model_poll_seconds``; on a change the holder loads and warms the new
model in a thread, then swaps one reference. Requests already running finish on the model they
started with, so a swap drops nothing, and each answer names the version used.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from sightline.config import Settings
from sightline.db import jobs as job_rows
from sightline.db.session import session_scope
from sightline.errors import Conflict, ModelUnavailable
from sightline.ml.artifacts import MODEL_FILE
from sightline.ml.registry import ModelRegistry
from sightline.monitoring.prometheus import metrics
from sightline.serving.predictor import WAITED_FOR_WARM_UP, WARM_UP_BATCH_SIZES, Predictor
from sightline.serving.runtime_choice import RuntimeReport
from sightline.serving.shared_ir import BlobSharedIR

log = logging.getLogger(__name__)


class ModelHolder:
    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self._predictor: Predictor | None = None
        self._load_lock = threading.Lock()
        self.last_error: str | None = None
        self._runtime_labels: tuple[str, ...] | None = None
        self.last_used = 0.0  # time.monotonic() of the last request (the pool's LRU)
        self.resident_mb = 0.0  # what loading the model added to the process

    @property
    def classifier(self) -> str:
        return self.registry.classifier

    @property
    def predictor(self) -> Predictor:
        predictor = self._predictor
        if predictor is None:
            raise self._why_not_loaded()
        return predictor

    def _why_not_loaded(self) -> Exception:
        """409 for a classifier with no live version yet (training, or never trained);
        503 for one whose model is on its way, or failed to load."""
        if self.registry.production_version() is not None:
            return ModelUnavailable("No model is loaded yet; try again in a moment.")
        with session_scope(self.settings) as session:
            training = job_rows.active_job(session=session, classifier=self.classifier)
        state = "is still training" if training else "has no trained version yet"
        return Conflict(
            f"Classifier {self.classifier!r} {state}: it answers once a version is live.",
            code="classifier_not_live",
        )

    def unload(self) -> None:
        """Let go of the model (the pool's eviction); the next request loads it again.
        Requests running on it finish with it."""
        with self._load_lock:
            predictor, self._predictor = self._predictor, None
            self.resident_mb = 0.0
        if predictor is not None:
            metrics().model_loaded.labels(predictor.version).set(0)
            log.info("model unloaded", extra={"classifier": self.classifier})

    @property
    def loaded(self) -> bool:
        return self._predictor is not None

    @property
    def version(self) -> str | None:
        return self._predictor.version if self._predictor else None

    def refresh(self, wanted: str | None = None, *, waited_for: bool = False) -> bool:
        """Load the registry's production version (or ``wanted``, when the caller has
        just read it) if it is not the one held. ``waited_for``: a request waits for this
        load, so only the batch sizes of a first answer are warmed up."""
        wanted = wanted or self.registry.production_version()
        if wanted is None or wanted == self.version:
            return False
        with self._load_lock:
            if wanted == self.version:
                return False
            rss_before = resident_set_mb()
            try:
                folder = self.registry.path(wanted)
                predictor = Predictor(
                    wanted,
                    folder,
                    runtime=self.settings.runtime,
                    threads=self.settings.inference_threads,
                    cache_dir=self.settings.resolved_cache_dir / "runtimes",
                    warm_up_sizes=WAITED_FOR_WARM_UP if waited_for else WARM_UP_BATCH_SIZES,
                    shared_ir=BlobSharedIR(self.settings, self.registry.store),
                )
            except Exception as exc:  # keep serving the old model; report why
                self.last_error = f"could not load {wanted}: {exc}"
                log.exception("model load failed", extra={"version": wanted})
                return False
            previous = self.version
            self._predictor = predictor
            # At least the weights' file: RSS grows by less when the allocator reuses
            # what an evicted model freed, and the budget must still count this one.
            file_mb = (folder / MODEL_FILE).stat().st_size / 2**20
            self.resident_mb = max(file_mb, resident_set_mb() - rss_before)
            self.last_used = time.monotonic()
            gauge = metrics().model_loaded
            if previous:
                gauge.labels(previous).set(0)
            gauge.labels(wanted).set(1)
            self._report_runtime(predictor.runtime_report.labels(wanted))
            self.last_error = None
            log.info(
                "model swapped",
                extra={
                    "classifier": self.classifier,
                    "from_version": previous,
                    "to_version": wanted,
                },
            )
            return True

    def _report_runtime(self, labels: tuple[str, ...]) -> None:
        """``sightline_runtime_info`` is 1 for the runtime serving now, 0 for the last."""
        gauge = metrics().runtime_info
        if self._runtime_labels:
            gauge.labels(*self._runtime_labels).set(0)
        gauge.labels(*labels).set(1)
        self._runtime_labels = labels

    @property
    def runtime(self) -> RuntimeReport | None:
        return self._predictor.runtime_report if self._predictor else None


def resident_set_mb() -> float:
    """This process's resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
