"""Many classifiers in one process: each has its own holder and micro-batcher, its
model loaded on first use and kept in a least-recently-used pool with a budget.

``scope(name)`` answers a classifier's serving parts (a dict lookup; the database is
asked only for a name this process has not seen, so a replica learns of classifiers
made on another one at their first request). ``ready(name)`` loads the model in a
thread when it is not resident; then, past ``max_resident_models`` or
``max_resident_model_mb``, the least recently used others are unloaded. One model
loads at a time, so what each adds to the process is measured cleanly.

Each classifier's requests share only that classifier's batches, so a busy or slow
classifier never delays another's; training runs in the worker, another process. The
watcher polls every classifier's production version in one query and swaps those that
changed, and re-reads which classifiers are archived.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass

from sightline.blob_store import BlobStore
from sightline.config import Settings
from sightline.db import classifiers as classifier_rows
from sightline.db import model_versions as version_rows
from sightline.db.session import session_scope
from sightline.errors import Conflict
from sightline.ml.classifiers import unknown_classifier
from sightline.ml.registry import ModelRegistry
from sightline.ml.review_policy import ReviewPolicy
from sightline.serving.holder import ModelHolder
from sightline.serving.recorder import Recorder
from sightline.serving.review_keeper import ReviewKeeper
from sightline.serving.service import PredictionService

log = logging.getLogger(__name__)


@dataclass
class ClassifierServing:
    """One classifier's serving parts in this process."""

    name: str
    registry: ModelRegistry
    holder: ModelHolder
    predictions: PredictionService
    archived: bool = False


class ModelPool:
    def __init__(self, settings: Settings, store: BlobStore, recorder: Recorder) -> None:
        self.settings = settings
        self.store = store
        self.recorder = recorder
        self.keeper = ReviewKeeper(settings, store)  # keeps answers for the review queue
        self._scopes: dict[str, ClassifierServing] = {}
        self._scopes_lock = threading.Lock()
        self._load_lock = threading.Lock()  # one load at a time: clean memory figures
        self._started = False  # batchers start once the event loop runs (start())

    # ------------------------------------------------------------------ lookup

    def scope(self, name: str) -> ClassifierServing:
        """The classifier's parts; 404 for a name the database does not know. Blocking
        (a query) only for a name not seen yet: call ``scope_async`` from the loop."""
        found = self._scopes.get(name)
        if found is not None:
            return found
        with session_scope(self.settings) as session:
            row = classifier_rows.get_classifier(session=session, name=name)
        if row is None:
            raise unknown_classifier(name)
        with self._scopes_lock:
            found = self._scopes.get(name)
            if found is None:
                found = self._new_scope(name, archived=row.archived)
                self._scopes[name] = found
                self.keeper.set_policy(name, ReviewPolicy.stored(row.review))
        return found

    async def scope_async(self, name: str) -> ClassifierServing:
        """``scope`` from the event loop: the query in a thread, and a new classifier's
        batcher started here (a batcher runs on the loop)."""
        found = self._scopes.get(name)
        if found is None:
            found = await asyncio.to_thread(self.scope, name)
        if self._started and not found.predictions.batcher.running:
            found.predictions.start()
        return found

    def _new_scope(self, name: str, archived: bool) -> ClassifierServing:
        registry = ModelRegistry(self.settings, self.store, classifier=name)
        holder = ModelHolder(self.settings, registry)
        predictions = PredictionService(self.settings, holder, self.recorder, keeper=self.keeper)
        return ClassifierServing(name, registry, holder, predictions, archived)

    def resident(self) -> list[ClassifierServing]:
        """The classifiers whose model is loaded now."""
        return [scope for scope in list(self._scopes.values()) if scope.holder.loaded]

    # ------------------------------------------------------------------ loading

    async def ready(self, name: str, *, serving: bool = False) -> ClassifierServing:
        """The classifier's parts with its model loaded when it has a live version (a
        request that needs none still gets the parts). ``serving``: the caller will
        answer with the model, so an archived classifier is refused (409)."""
        scope = await self.scope_async(name)
        if serving and scope.archived:
            raise Conflict(
                f"Classifier {name!r} is archived: its history stays readable, it answers no more.",
                code="classifier_archived",
            )
        scope.holder.last_used = time.monotonic()
        if not scope.holder.loaded:
            await asyncio.to_thread(self.load, scope, waited_for=True)
        return scope

    def load(
        self, scope: ClassifierServing, wanted: str | None = None, *, waited_for: bool = False
    ) -> bool:
        """Load (or swap) the classifier's model, then keep the pool within budget."""
        with self._load_lock:
            changed = scope.holder.refresh(wanted, waited_for=waited_for)
        if changed:
            self.evict_over_budget(keep=scope.name)
        return changed

    def evict_over_budget(self, keep: str | None = None) -> list[str]:
        """Unload the least recently used models until the pool is within both bounds."""
        s = self.settings
        loaded = sorted(self.resident(), key=lambda scope: scope.holder.last_used)
        evicted = []
        while loaded and (
            len(loaded) > s.max_resident_models
            or sum(scope.holder.resident_mb for scope in loaded) > s.max_resident_model_mb
        ):
            victim = next((scope for scope in loaded if scope.name != keep), None)
            if victim is None:
                break
            victim.holder.unload()
            loaded.remove(victim)
            evicted.append(victim.name)
        return evicted

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start every known classifier's batcher and the recorder (on the running loop)."""
        self._started = True
        self.recorder.start()
        self.keeper.start()
        for scope in list(self._scopes.values()):
            scope.predictions.start()

    async def stop(self) -> None:
        """Answer what is waiting (each answer after its row), then stop the recorder."""
        self._started = False  # no batcher starts again while they stop
        await asyncio.gather(*(s.predictions.stop() for s in list(self._scopes.values())))
        await asyncio.to_thread(self.recorder.stop)
        await asyncio.to_thread(self.keeper.stop)  # writes the kept answers still queued
        for scope in self.resident():
            scope.holder.unload()

    async def watch(self) -> None:
        """Poll for new production versions and archived classifiers until cancelled."""
        while True:
            await asyncio.sleep(self.settings.model_poll_seconds)
            try:
                # $SIGHTLINE_HOME is only a cache: if it was deleted, make its folders
                # again (uploads spool to its tmp/); models are fetched into it on demand.
                await asyncio.to_thread(self.settings.ensure_dirs)
                await asyncio.to_thread(self.poll)
            except Exception:
                log.exception("registry poll failed")

    def poll(self) -> None:
        with session_scope(self.settings) as session:
            production = version_rows.production_versions(session=session)
            rows = {row.name: row for row in classifier_rows.list_classifiers(session=session)}
        self.keeper.read_policies(list(rows.values()))  # another replica may have changed one
        for name, scope in list(self._scopes.items()):
            row = rows.get(name)
            scope.archived = row is None or row.archived
            if row is None:  # purged on another replica
                scope.holder.unload()
                self._scopes.pop(name, None)
                continue
            if scope.archived:
                scope.holder.unload()
                continue
            wanted = production.get(name)
            if scope.holder.loaded and wanted and wanted != scope.holder.version:
                self.load(scope, wanted)
