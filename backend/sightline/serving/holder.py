"""The production model of this process, swapped in place when the registry changes.

Every API process polls the registry's production version (a one-row query) every
``model_poll_seconds``; on a change it loads and warms the new model in a thread,
then swaps one reference. Requests already running finish on the model they
started with, so a swap drops nothing, and each answer names the version used.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from sightline.config import Settings
from sightline.errors import ModelUnavailable
from sightline.ml.registry import ModelRegistry
from sightline.monitoring.prometheus import metrics
from sightline.serving.predictor import Predictor
from sightline.serving.runtime_choice import RuntimeReport

log = logging.getLogger(__name__)


class ModelHolder:
    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self._predictor: Predictor | None = None
        self._load_lock = threading.Lock()
        self.last_error: str | None = None
        self._runtime_labels: tuple[str, ...] | None = None

    @property
    def predictor(self) -> Predictor:
        predictor = self._predictor
        if predictor is None:
            raise ModelUnavailable("No model is loaded yet; try again in a moment.")
        return predictor

    @property
    def loaded(self) -> bool:
        return self._predictor is not None

    @property
    def version(self) -> str | None:
        return self._predictor.version if self._predictor else None

    def refresh(self) -> bool:
        """Load the registry's production version if it is not the one held."""
        wanted = self.registry.production_version()
        if wanted is None or wanted == self.version:
            return False
        with self._load_lock:
            if wanted == self.version:
                return False
            try:
                predictor = Predictor(
                    wanted,
                    self.registry.path(wanted),
                    runtime=self.settings.runtime,
                    threads=self.settings.inference_threads,
                    cache_dir=self.settings.resolved_cache_dir / "runtimes",
                )
            except Exception as exc:  # keep serving the old model; report why
                self.last_error = f"could not load {wanted}: {exc}"
                log.exception("model load failed", extra={"version": wanted})
                return False
            previous = self.version
            self._predictor = predictor
            gauge = metrics().model_loaded
            if previous:
                gauge.labels(previous).set(0)
            gauge.labels(wanted).set(1)
            self._report_runtime(predictor.runtime_report.labels(wanted))
            self.last_error = None
            log.info("model swapped", extra={"from_version": previous, "to_version": wanted})
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

    async def watch(self) -> None:
        """Poll the registry for a new production version until cancelled."""
        while True:
            await asyncio.sleep(self.settings.model_poll_seconds)
            try:
                # $SIGHTLINE_HOME is only a cache: if it was deleted, make its folders
                # again (uploads spool to its tmp/); models are fetched into it on demand.
                await asyncio.to_thread(self.settings.ensure_dirs)
                await asyncio.to_thread(self.refresh)
            except Exception:
                log.exception("registry poll failed")
