"""Request events written to the database in the background, in batches, so that
recording a request never adds a database write to its latency."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading

from sightline.config import Settings
from sightline.db.models import RequestEventRow
from sightline.db.session import session_scope

log = logging.getLogger(__name__)
MAX_QUEUED = 50_000  # beyond this, events are dropped (they are statistics, not data)


class EventRecorder:
    def __init__(self, settings: Settings, flush_seconds: float = 0.5) -> None:
        self.settings = settings
        self.flush_seconds = flush_seconds
        self._queue: queue.Queue[RequestEventRow] = queue.Queue(MAX_QUEUED)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="request-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self.flush()

    def record(self, event: RequestEventRow) -> None:
        with contextlib.suppress(queue.Full):  # statistics, not data: drop when swamped
            self._queue.put_nowait(event)

    def flush(self) -> int:
        batch: list[RequestEventRow] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            try:
                with session_scope(self.settings) as session:
                    session.add_all(batch)
            except Exception:
                log.exception("could not write %d request events", len(batch))
        return len(batch)

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()
