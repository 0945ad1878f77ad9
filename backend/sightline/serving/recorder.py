"""Writes prediction history to the database in batches, off the request path.

A request hands its row to ``HistoryWriter.write`` (a list append) and is answered;
a flusher thread inserts what has gathered every ``history_flush_ms`` (or as soon as
``BATCH_ROWS`` are waiting) in one transaction. Nothing is lost:

- A row leaves memory only after the transaction holding it has committed.
- Database unreachable (connection errors, "database is locked"): the batch is
  retried with backoff, up to 5 s apart, for as long as it takes. Up to
  ``history_max_pending`` rows wait in memory (about a minute of full load); beyond
  that ``check_accepting`` refuses new predictions with a 503, so no answer is ever
  given that could not be recorded.
- A row the database refuses for itself (a constraint, a bad value) cannot block the
  others: the batch is retried row by row, and refused rows are kept for a person in
  ``$SIGHTLINE_HOME/history-spill/refused-*.jsonl`` with the reason.
- Shutdown flushes everything; rows that still cannot be written go to
  ``$SIGHTLINE_HOME/history-spill/pending-*.jsonl`` and are inserted at the next start.

``flush`` waits until every row written before it is committed, for readers that
must see their own writes (the history page, tests). Any mapped row can be written,
so other per-request records can share the same writer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, inspect
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from sightline.config import Settings
from sightline.db.models import Base
from sightline.db.session import session_scope
from sightline.errors import SightlineError

log = logging.getLogger(__name__)

BATCH_ROWS = 500
RETRY_FIRST_S = 0.05
RETRY_MAX_S = 5.0
SPILL_DIR = "history-spill"
PENDING = "pending"  # spilled because the database was unreachable: replayed at start
REFUSED = "refused"  # refused by the database for themselves: kept for a person
# Errors that mean "the database is not reachable now", worth retrying as they are.
UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class HistoryUnavailable(SightlineError):
    status_code = 503
    code = "history_unavailable"


class HistoryWriter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.flush_interval = max(0.0, settings.history_flush_ms) / 1000
        self.max_pending = settings.history_max_pending
        self.spill_dir = settings.home / SPILL_DIR
        self._pending: deque[Base] = deque()
        self._oldest_at = 0.0  # when the oldest pending row arrived (monotonic)
        self._enqueued = 0  # rows handed to write(), ever
        self._committed = 0  # rows committed or spilled, ever
        self._flush_now = False
        self._stopping = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    # Public interface -------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Write rows spilled by an earlier run, then start the flusher (idempotent)."""
        with self._cond:
            if self.running:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._flush_loop, name="sightline-history", daemon=True
            )
        self.replay_spilled()
        self._thread.start()

    def check_accepting(self) -> None:
        """Refuse new predictions while the backlog is full (database down too long)."""
        if len(self._pending) >= self.max_pending:
            raise HistoryUnavailable(
                "Predictions are paused: the prediction history cannot be written right "
                "now. Try again in a few seconds."
            )

    def write(self, rows: Sequence[Base]) -> None:
        """Queue rows for the next batched insert; returns at once."""
        if not rows:
            return
        with self._cond:
            queued = self._thread is not None and not self._stopping
            if queued:
                was_empty = not self._pending
                if was_empty:
                    self._oldest_at = time.monotonic()
                self._pending.extend(rows)
                self._enqueued += len(rows)
                if was_empty or len(self._pending) >= BATCH_ROWS:
                    self._cond.notify_all()  # start the flush timer, or flush a full batch
        if not queued:
            # No flusher (a script, or after shutdown): write now, lose nothing.
            self._write_now(list(rows))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every row queued so far is committed; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._enqueued
            self._flush_now = True
            self._cond.notify_all()
            while self._committed < target and self.running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return self._committed >= target

    def stop(self, timeout: float = 30.0) -> None:
        """Flush and stop; rows that still cannot be written are spilled to disk."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._cond:
            leftover = list(self._pending)
            self._pending.clear()
            self._committed += len(leftover)
            self._cond.notify_all()
        if leftover:
            path = self._spill(leftover, PENDING, reason=self.last_error or "shutdown")
            log.error(
                "%d history rows could not be written; spilled to %s (written at the next start)",
                len(leftover),
                path,
            )

    def replay_spilled(self) -> int:
        """Insert rows spilled by earlier runs; files are removed once written."""
        written = 0
        for path in sorted(self.spill_dir.glob(f"{PENDING}-*.jsonl")):
            try:
                rows = [_row_from_json(line) for line in path.read_text().splitlines() if line]
                with session_scope(self.settings) as session:
                    for row in rows:
                        session.merge(row)  # idempotent: a row may have landed already
            except Exception as exc:
                log.warning("spilled history %s not written yet: %s", path, exc)
                continue
            path.unlink(missing_ok=True)  # replicas sharing a home may race to it
            written += len(rows)
        if written:
            log.info("wrote %d spilled history rows", written)
        return written

    # The flusher thread -------------------------------------------------------------

    def _flush_loop(self) -> None:
        backoff = RETRY_FIRST_S
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            if self._insert(batch):
                backoff = RETRY_FIRST_S
                self._done(len(batch))
                continue
            with self._cond:
                if self._stopping:
                    return  # give up retrying; stop() spills what is left
                self._cond.wait(backoff)
            backoff = min(RETRY_MAX_S, backoff * 2)

    def _next_batch(self) -> list[Base] | None:
        """The rows to insert next (left queued until committed); None to exit."""
        with self._cond:
            while True:
                if self._pending and self._due():
                    # A requested flush lasts until the rows queued before it are taken.
                    self._flush_now = self._flush_now and len(self._pending) > BATCH_ROWS
                    return list(islice(self._pending, BATCH_ROWS))
                if self._stopping:
                    return None
                wait = (
                    None
                    if not self._pending
                    else (self._oldest_at + self.flush_interval - time.monotonic())
                )
                self._cond.wait(wait)

    def _due(self) -> bool:
        return (
            self._stopping
            or self._flush_now
            or len(self._pending) >= BATCH_ROWS
            or time.monotonic() - self._oldest_at >= self.flush_interval
        )

    def _done(self, count: int) -> None:
        with self._cond:
            # Fewer are left only if stop() gave up waiting and spilled them meanwhile.
            for _ in range(min(count, len(self._pending))):
                self._pending.popleft()
            self._committed += count
            self._oldest_at = time.monotonic()
            self._cond.notify_all()

    def _insert(self, rows: list[Base]) -> bool:
        """True when the rows are committed, or committed but for refused rows that
        were spilled; False when the database is unreachable (retry later)."""
        try:
            with session_scope(self.settings) as session:
                session.add_all(rows)
        except UNREACHABLE as exc:
            self._note_error(exc, len(rows))
            return False
        except Exception as exc:
            self._note_error(exc, len(rows))
            return self._insert_one_by_one(rows)
        self.last_error = None
        return True

    def _insert_one_by_one(self, rows: list[Base]) -> bool:
        refused: list[Base] = []
        for row in rows:
            try:
                with session_scope(self.settings) as session:
                    session.merge(row)
            except UNREACHABLE as exc:
                self._note_error(exc, 1)
                return False
            except Exception as exc:
                log.error("a history row was refused by the database: %s", exc)
                refused.append(row)
        if refused:
            self._spill(refused, REFUSED, reason="refused by the database")
        return True

    def _write_now(self, rows: list[Base]) -> None:
        if not self._insert(rows):
            self._spill(rows, PENDING, reason=self.last_error or "database unreachable")

    def _note_error(self, exc: Exception, rows: int) -> None:
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if message != self.last_error:
            log.error("history insert of %d rows failed (will retry): %s", rows, message)
        self.last_error = message

    def _spill(self, rows: Iterable[Base], kind: str, reason: str) -> Path:
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        path = self.spill_dir / f"{kind}-{stamp}-{uuid.uuid4().hex[:8]}.jsonl"
        with open(path, "a") as handle:
            for row in rows:
                handle.write(json.dumps(_row_to_json(row, reason), default=_json_default) + "\n")
        return path


def _row_to_json(row: Base, reason: str) -> dict[str, Any]:
    mapper = inspect(row).mapper
    values = {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs}
    return {"table": row.__tablename__, "reason": reason, "values": values}


def _row_from_json(line: str) -> Base:
    record = json.loads(line)
    model = _model_for_table(record["table"])
    columns = {attr.key: attr.columns[0] for attr in inspect(model).column_attrs}
    values = {}
    for key, value in record["values"].items():
        if key in columns and isinstance(value, str) and _is_datetime(columns[key]):
            value = datetime.fromisoformat(value)
        values[key] = value
    return model(**values)


def _model_for_table(table: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        model: type[Base] = mapper.class_
        if model.__tablename__ == table:
            return model
    raise ValueError(f"no mapped table {table!r}")


def _is_datetime(column: Any) -> bool:
    kind = column.type
    return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
