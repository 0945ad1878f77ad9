"""The one background writer for per-request records: prediction rows and request
events, inserted by group commit.

A request hands its prediction row to ``Recorder.record`` and waits: the row joins the
writer's next batch, and the answer goes out only once that batch has committed. The
writer takes everything that arrived while the previous batch was committing and
writes it in one transaction (rows, rollups and counters, db/predictions.py), so
under load a commit serves many requests, and a lone request does not wait for a
timer. SQLite runs with ``synchronous=FULL`` (db/session.py): a commit has reached the
disk, so a row survives kill -9 and power loss.

Loss policy:

- **Prediction rows are durable before their answer.** No answer without a committed
  row. If the database cannot take the row (unreachable, refused, too slow:
  ``history_commit_timeout_s``), or ``history_max_pending`` rows are already waiting,
  the request fails with ``503 history_unavailable`` and ``Retry-After``. A row may
  exist without its answer (the commit finished after the client was told 503); the
  client's retry with the same request key then gets the stored answer, not a second
  row (``request_key``, unique).
- **Request events are best effort.** They are statistics (counts, error rates,
  latency), written in the same batches but nobody waits for them: making every GET
  wait for a commit would add its cost to every dashboard poll. They are lost if the
  process dies before the next commit (at most one batch, milliseconds of traffic),
  dropped when the database is unreachable, and dropped beyond ``MAX_QUEUED_EVENTS``
  (counted in ``events_dropped``).

Nothing is kept outside the database (the spill files of the earlier writer are gone:
a row that is not committed has no answer to account for).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from sightline.config import Settings
from sightline.db.models import PredictionRow, RequestEventRow
from sightline.db.predictions import insert_records
from sightline.db.session import session_scope
from sightline.errors import SightlineError

log = logging.getLogger(__name__)

BATCH_ROWS = 1000  # predictions per transaction, at most
MAX_QUEUED_EVENTS = 50_000  # beyond this, request events are dropped
RETRY_AFTER_S = 2
# Errors that mean "the database is not reachable now" (the whole batch fails);
# anything else may be one row's fault, so each request is then tried on its own.
UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class HistoryUnavailable(SightlineError):
    status_code = 503
    code = "history_unavailable"
    retry_after_seconds = RETRY_AFTER_S


@dataclass
class _Waiting:
    """One request's rows and the future its handler awaits."""

    rows: Sequence[PredictionRow]
    done: Future[set[str]] = field(default_factory=Future)


class Recorder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.commit_timeout = settings.history_commit_timeout_s
        self.max_pending = settings.history_max_pending
        self._waiting: list[_Waiting] = []
        self._pending_rows = 0
        self._events: list[RequestEventRow] = []
        self._submitted = 0  # batches of work handed in, ever (for flush)
        self._finished = 0
        self._stopping = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.events_dropped = 0
        self.commits = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._cond:
            if self.running:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._write_loop, name="sightline-recorder", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # Requests ------------------------------------------------------------------------

    async def record(self, rows: Sequence[PredictionRow]) -> set[str]:
        """Return once ``rows`` are committed: the request keys that were new (a key
        already stored means this request was answered before: a replay)."""
        future = asyncio.wrap_future(self.submit(rows))
        try:
            # asyncio.timeout, not wait_for: wait_for wraps the future in a task of its own.
            async with asyncio.timeout(self.commit_timeout):
                return await future
        except TimeoutError:
            raise HistoryUnavailable(
                "The prediction could not be recorded in time, so it is not answered. "
                "Try again in a few seconds."
            ) from None

    def submit(self, rows: Sequence[PredictionRow]) -> Future[set[str]]:
        waiting = _Waiting(rows)
        with self._cond:
            if not self.running or self._stopping:
                raise HistoryUnavailable("The prediction history is not being written.")
            if self._pending_rows + len(rows) > self.max_pending:
                raise HistoryUnavailable(
                    "Predictions are paused: the prediction history cannot be written "
                    "fast enough right now. Try again in a few seconds."
                )
            self._waiting.append(waiting)
            self._pending_rows += len(rows)
            self._submitted += 1
            self._cond.notify_all()
        return waiting.done

    def record_event(self, event: RequestEventRow) -> None:
        """Queue a request event for the next batch; never waits (best effort)."""
        with self._cond:
            if len(self._events) >= MAX_QUEUED_EVENTS or not self.running:
                self.events_dropped += 1
                return
            self._events.append(event)
            self._submitted += 1
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything handed in so far (events too) has been written or
        given up; False on timeout. Predictions need no flush (they wait anyway)."""
        with self._cond:
            target = self._submitted
            return self._cond.wait_for(
                lambda: self._finished >= target or not self.running, timeout
            )

    # The writer thread ---------------------------------------------------------------

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._waiting or self._events or self._stopping)
                if self._stopping and not self._waiting and not self._events:
                    return
                waiting, events = self._take_batch()
            taken = len(waiting) + len(events)
            # A request that gave up waiting (timed out) is not written.
            waiting = [w for w in waiting if w.done.set_running_or_notify_cancel()]
            self._write(waiting, events)
            with self._cond:
                self._finished += taken
                self._cond.notify_all()

    def _take_batch(self) -> tuple[list[_Waiting], list[RequestEventRow]]:
        rows = 0
        count = 0
        for waiting in self._waiting:
            if count and rows + len(waiting.rows) > BATCH_ROWS:
                break
            rows += len(waiting.rows)
            count += 1
        waiting_now, self._waiting = self._waiting[:count], self._waiting[count:]
        events, self._events = self._events, []
        self._pending_rows -= rows
        return waiting_now, events

    def _write(self, waiting: list[_Waiting], events: list[RequestEventRow]) -> None:
        rows = [row for w in waiting for row in w.rows]
        try:
            inserted = self._commit(rows, events)
        except UNREACHABLE as exc:
            self._note_error(exc)
            for w in waiting:
                w.done.set_exception(self._unavailable())
            self.events_dropped += len(events)
            return
        except Exception as exc:
            self._note_error(exc)
            self._write_one_by_one(waiting, events)
            return
        self.last_error = None
        for w in waiting:
            w.done.set_result(inserted)

    def _write_one_by_one(self, waiting: list[_Waiting], events: list[RequestEventRow]) -> None:
        """A batch refused for one record's sake: each request alone, so only the
        faulty one fails (events, best effort, get one more try together)."""
        for w in waiting:
            try:
                w.done.set_result(self._commit(w.rows, ()))
            except Exception as exc:
                log.error("a prediction row was refused by the database: %s", exc)
                w.done.set_exception(self._unavailable())
        try:
            self._commit((), events)
        except Exception as exc:
            self.events_dropped += len(events)
            log.error("%d request events dropped: %s", len(events), exc)

    def _commit(self, rows: Sequence[PredictionRow], events: Sequence[RequestEventRow]) -> set[str]:
        with session_scope(self.settings) as session:
            inserted = insert_records(session=session, predictions=rows, events=events)
        self.commits += 1
        return inserted

    def _unavailable(self) -> HistoryUnavailable:
        return HistoryUnavailable(
            "The prediction history cannot be written right now, so the prediction is "
            "not answered. Try again in a few seconds."
        )

    def _note_error(self, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if message != self.last_error:
            log.error("history write failed: %s", message)
        self.last_error = message
