"""The prediction history aggregate: prediction rows, request events, their per-minute
rollups and running counters. Every SQL statement about them is here; callers pass a
session (keyword-only) and own the transaction.

Writes (``insert_records``) keep three things in one transaction, so they can never
disagree: the raw rows, the rollups of what was inserted, and the counters. A
prediction whose ``request_key`` is already stored is skipped (``ON CONFLICT DO
NOTHING``) and counted nowhere, so a replayed request leaves one row and one count.

Reads cost what the answer holds, not what the tables hold: monitoring sums rollup
rows grouped into time buckets by the database (``rollup_buckets``), pages of the
history are keyset pages on the (created_at, id) index, totals come from counters.
The SQL is the same on SQLite and Postgres (dialect inserts for the upserts).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sightline.db.models import CounterRow, PredictionRow, RequestEventRow, RollupMinuteRow

# Rollup series: what a rollup row counts. ``count`` is always the number of records,
# ``total`` the sum of the value named here (for means).
REQUESTS = "requests"  # label: status class ("2xx", "4xx", ...); total: duration ms
LATENCY = "latency"  # predict routes only; label: latency bucket; total: duration ms
CLASSES = "class"  # label: predicted class; total: confidence
CONFIDENCE = "confidence"  # label: confidence bin "0".."9" (tenths); total: confidence
MODEL_TIME = "model_time"  # label: latency bucket of the server's predict time; total: ms

# The routes whose duration is "prediction latency" on the dashboard.
PREDICT_ROUTES = frozenset({"/api/predict", "/api/predict/batch", "/api/explain"})
CLASSIFIER_PREFIX = "/api/classifiers/{classifier}"
PREDICT_SUFFIXES = frozenset(route.removeprefix("/api") for route in PREDICT_ROUTES)

# Latency histogram buckets, as Prometheus' but log-spaced and finer: bucket k holds
# durations in (10^((k-1)/10), 10^(k/10)] ms, ten per decade (each 26% wider than the
# last), from 0.1 ms to 100 s; so a percentile read from them is within 13%.
BUCKETS_PER_DECADE = 10
FIRST_BUCKET = -10  # <= 0.1 ms
LAST_BUCKET = 50  # > 79 ms ... 100 s, and anything slower
CONFIDENCE_BINS = 10  # as the model card's drift baseline (monitoring/drift.py)

PREDICTIONS_SERVED = "predictions_served"  # every prediction ever recorded
PREDICTION_ROWS = "prediction_rows"  # rows stored now (retention subtracts)


# ----------------------------------------------------------------------- writing


def insert_records(
    *,
    session: Session,
    predictions: Sequence[PredictionRow] = (),
    events: Sequence[RequestEventRow] = (),
) -> set[str]:
    """Insert prediction rows (skipping request keys already stored) and request
    events, with their rollups and counters; returns the request keys inserted."""
    first_of_each: dict[str, PredictionRow] = {}
    for row in predictions:  # the same request twice in one batch: the first one counts
        first_of_each.setdefault(row.request_key, row)
    inserted = _insert_new_predictions(session, list(first_of_each.values()))
    new_rows = [row for key, row in first_of_each.items() if key in inserted]
    if events:
        session.execute(_event_insert(_dialect(session)), [_event_values(e) for e in events])
    add_rollups(session=session, deltas=rollup_deltas(new_rows, events))
    add_to_counters(session=session, amounts=_new_row_counts(new_rows))
    return inserted


def _new_row_counts(rows: Iterable[PredictionRow]) -> dict[tuple[str, str], int]:
    per_classifier: dict[str, int] = defaultdict(int)
    for row in rows:
        per_classifier[row.classifier] += 1
    return {
        (classifier, name): n
        for classifier, n in per_classifier.items()
        for name in (PREDICTIONS_SERVED, PREDICTION_ROWS)
    }


def _insert_new_predictions(session: Session, rows: Sequence[PredictionRow]) -> set[str]:
    if not rows:
        return set()
    statement = _prediction_insert(_dialect(session))
    # RETURNING gives the keys that were new.
    return set(session.execute(statement, [_prediction_values(row) for row in rows]).scalars())


# (classifier, minute, series, label): the key of a rollup row.
RollupKey = tuple[str, int, str, str]


def add_rollups(*, session: Session, deltas: dict[RollupKey, tuple[int, float]]) -> None:
    """Add counts and totals to the rollup rows, creating those that are missing."""
    if not deltas:
        return
    # Sorted: two replicas' transactions lock shared rows in one order, so on
    # Postgres they wait for each other instead of deadlocking.
    values = [
        {"classifier": cl, "minute": m, "series": s, "label": lb, "count": c, "total": t}
        for (cl, m, s, lb), (c, t) in sorted(deltas.items())
    ]
    session.execute(_rollup_upsert(_dialect(session)), values)


def add_to_counters(*, session: Session, amounts: dict[tuple[str, str], int]) -> None:
    """Add to the (classifier, name) counters, creating those that are missing."""
    if not amounts:
        return
    values = [{"classifier": c, "name": n, "value": a} for (c, n), a in sorted(amounts.items())]
    session.execute(_counter_upsert(_dialect(session)), values)


def rollup_deltas(
    predictions: Iterable[PredictionRow], events: Iterable[RequestEventRow]
) -> dict[RollupKey, tuple[int, float]]:
    """What the given rows add to each (classifier, minute, series, label) rollup row."""
    sums: dict[RollupKey, list[float]] = defaultdict(lambda: [0, 0.0])

    def add(classifier: str, minute: int, series: str, label: str, value: float) -> None:
        cell = sums[(classifier, minute, series, label)]
        cell[0] += 1
        cell[1] += value

    for row in predictions:
        minute, classifier = minute_of(row.created_at), row.classifier
        add(classifier, minute, CLASSES, row.prediction, row.confidence)
        add(classifier, minute, CONFIDENCE, str(confidence_bin(row.confidence)), row.confidence)
        add(classifier, minute, MODEL_TIME, str(latency_bucket(row.time_ms)), row.time_ms)
    for event in events:
        minute, classifier = minute_of(event.created_at), event.classifier
        status = f"{event.status_code // 100}xx"
        add(classifier, minute, REQUESTS, status, event.duration_ms)
        if is_predict_route(event.route):
            bucket = str(latency_bucket(event.duration_ms))
            add(classifier, minute, LATENCY, bucket, event.duration_ms)
    return {key: (int(count), total) for key, (count, total) in sums.items()}


def is_predict_route(route: str) -> bool:
    """A route whose duration is "prediction latency", unscoped or under a classifier."""
    return route in PREDICT_ROUTES or route.removeprefix(CLASSIFIER_PREFIX) in PREDICT_SUFFIXES


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def latency_bucket(ms: float) -> int:
    if ms <= 0:
        return FIRST_BUCKET
    # The small epsilon keeps exact bounds (1 ms, 10 ms) in their own bucket.
    k = math.ceil(BUCKETS_PER_DECADE * math.log10(ms) - 1e-9)
    return min(LAST_BUCKET, max(FIRST_BUCKET, k))


def bucket_upper_ms(k: int) -> float:
    return float(10 ** (k / BUCKETS_PER_DECADE))


def confidence_bin(confidence: float) -> int:
    return min(CONFIDENCE_BINS - 1, max(0, int(confidence * CONFIDENCE_BINS)))


# ----------------------------------------------------------------------- reading


@dataclass(frozen=True)
class RollupCell:
    bucket: int  # which time bucket of the window
    series: str
    label: str
    count: int
    total: float


def rollup_buckets(
    *,
    session: Session,
    classifier: str,
    first_minute: int,
    last_minute: int,
    bucket_minutes: int,
) -> list[RollupCell]:
    """Rollups from ``first_minute`` to ``last_minute`` (inclusive), summed by the
    database into buckets of ``bucket_minutes``: at most (buckets x labels) rows."""
    bucket = ((RollupMinuteRow.minute - first_minute) // bucket_minutes).label("bucket")
    query = (
        select(
            bucket,
            RollupMinuteRow.series,
            RollupMinuteRow.label,
            func.sum(RollupMinuteRow.count),
            func.sum(RollupMinuteRow.total),
        )
        .where(
            RollupMinuteRow.classifier == classifier,
            RollupMinuteRow.minute.between(first_minute, last_minute),
        )
        .group_by(bucket, RollupMinuteRow.series, RollupMinuteRow.label)
    )
    return [
        RollupCell(int(b), series, label, int(count), float(total))
        for b, series, label, count, total in session.execute(query)
    ]


def counter(*, session: Session, name: str, classifier: str | None = None) -> int:
    """A counter of one classifier, or its sum over all of them (``classifier`` None)."""
    query = select(func.sum(CounterRow.value)).where(CounterRow.name == name)
    if classifier is not None:
        query = query.where(CounterRow.classifier == classifier)
    return int(session.scalar(query) or 0)


def counters_by_classifier(*, session: Session, name: str) -> dict[str, int]:
    query = select(CounterRow.classifier, CounterRow.value).where(CounterRow.name == name)
    return {classifier: int(value) for classifier, value in session.execute(query)}


def predictions_served(*, session: Session, classifier: str | None = None) -> int:
    return counter(session=session, name=PREDICTIONS_SERVED, classifier=classifier)


def count_predictions(*, session: Session, classifier: str) -> int:
    """Rows in the classifier's history now (a maintained counter, not COUNT(*))."""
    return counter(session=session, name=PREDICTION_ROWS, classifier=classifier)


def predictions_since(*, session: Session, minute: int) -> dict[str, int]:
    """Answers per classifier from ``minute`` on (from the rollups: O(minutes) rows)."""
    query = (
        select(RollupMinuteRow.classifier, func.sum(RollupMinuteRow.count))
        .where(RollupMinuteRow.series == CLASSES, RollupMinuteRow.minute >= minute)
        .group_by(RollupMinuteRow.classifier)
    )
    return {classifier: int(n) for classifier, n in session.execute(query)}


Cursor = tuple[datetime, str]  # (created_at, id) of the last row of a page


@dataclass(frozen=True)
class HistoryEntry:
    """A prediction as the history lists it: no probabilities, no request key."""

    id: str
    created_at: datetime
    prediction: str
    confidence: float
    uncertain: bool
    model_version: str
    time_ms: float
    filename: str | None


# The entry's fields, in order, as columns: only what a page shows is read.
_HISTORY_COLUMNS = tuple(getattr(PredictionRow, field.name) for field in fields(HistoryEntry))


def list_predictions(
    *,
    session: Session,
    classifier: str,
    limit: int,
    offset: int = 0,
    after: Cursor | None = None,
) -> list[HistoryEntry]:
    """The classifier's answers, newest first. ``after``: the rows older than that row
    (a keyset page: as cheap deep in the history as at its start); ``offset`` skips rows
    (cheap for the first pages only)."""
    order = (PredictionRow.created_at.desc(), PredictionRow.id.desc())
    query = (
        select(*_HISTORY_COLUMNS)
        .where(PredictionRow.classifier == classifier)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    if after is not None:
        query = query.where(tuple_(PredictionRow.created_at, PredictionRow.id) < after)
    return [HistoryEntry(**row._asdict()) for row in session.execute(query)]


def get_prediction(
    *, session: Session, classifier: str, prediction_id: str
) -> PredictionRow | None:
    """One of the classifier's answers by its id (feedback on it, issue #32)."""
    row = session.get(PredictionRow, prediction_id)
    return row if row is not None and row.classifier == classifier else None


def get_prediction_by_key(*, session: Session, request_key: str) -> PredictionRow | None:
    return session.scalar(select(PredictionRow).where(PredictionRow.request_key == request_key))


def iter_predictions(
    *,
    session: Session,
    before: datetime | None = None,
    classifier: str | None = None,
    chunk_rows: int = 5000,
) -> Iterator[list[PredictionRow]]:
    """Every prediction (older than ``before``, of ``classifier``, if given), oldest
    first, in keyset chunks so that memory stays flat however large the history."""
    last: Cursor | None = None
    while True:
        query = select(PredictionRow).order_by(PredictionRow.created_at, PredictionRow.id)
        if classifier is not None:
            query = query.where(PredictionRow.classifier == classifier)
        if before is not None:
            query = query.where(PredictionRow.created_at < before)
        if last is not None:
            query = query.where(tuple_(PredictionRow.created_at, PredictionRow.id) > last)
        rows = list(session.scalars(query.limit(chunk_rows)))
        if not rows:
            return
        yield rows
        last = (rows[-1].created_at, rows[-1].id)
        session.expunge_all()  # what was yielded is the caller's; keep the session small


# ----------------------------------------------------------------------- retention


def delete_request_events(*, session: Session, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` of the oldest request events older than ``before`` (their
    rollups were written with them); returns how many went."""
    return len(_delete_oldest(session, RequestEventRow, before, limit))


def delete_predictions(*, session: Session, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` of the oldest predictions older than ``before``; the
    rollups keep their figures, the ``prediction_rows`` counter goes down."""
    oldest = (
        select(PredictionRow.id, PredictionRow.classifier)
        .where(PredictionRow.created_at < before)
        .order_by(PredictionRow.created_at)
        .limit(limit)
    )
    rows = session.execute(oldest).all()
    if rows:
        session.execute(delete(PredictionRow).where(PredictionRow.id.in_([i for i, _ in rows])))
    per_classifier: dict[tuple[str, str], int] = defaultdict(int)
    for _, classifier in rows:
        per_classifier[(classifier, PREDICTION_ROWS)] -= 1
    add_to_counters(session=session, amounts=per_classifier)
    return len(rows)


def delete_classifier_history(*, session: Session, classifier: str, limit: int) -> int:
    """Delete up to ``limit`` of a purged classifier's predictions, then (when none are
    left) its rollups and counters; returns how many predictions went."""
    ids = list(
        session.scalars(
            select(PredictionRow.id).where(PredictionRow.classifier == classifier).limit(limit)
        )
    )
    if ids:
        session.execute(delete(PredictionRow).where(PredictionRow.id.in_(ids)))
        add_to_counters(session=session, amounts={(classifier, PREDICTION_ROWS): -len(ids)})
        return len(ids)
    session.execute(delete(RollupMinuteRow).where(RollupMinuteRow.classifier == classifier))
    session.execute(delete(CounterRow).where(CounterRow.classifier == classifier))
    session.execute(delete(RequestEventRow).where(RequestEventRow.classifier == classifier))
    return 0


def _delete_oldest(
    session: Session, entity: type[RequestEventRow], before: datetime, limit: int
) -> list[Any]:
    """Delete up to ``limit`` of the oldest rows created before ``before`` (a small
    batch, so pruning never holds a long lock); returns their ids."""
    oldest = (
        select(entity.id).where(entity.created_at < before).order_by(entity.created_at).limit(limit)
    )
    ids = list(session.scalars(oldest))
    if ids:
        session.execute(delete(entity).where(entity.id.in_(ids)))
    return ids


# ----------------------------------------------------------------------- rebuilding


def rebuild_rollups(*, session: Session, chunk_rows: int = 20_000) -> None:
    """Recompute every rollup and counter from the raw rows (migration 0003 fills them
    for a database written before they existed; the soak benchmark after a bulk load)."""
    session.execute(delete(RollupMinuteRow))
    session.execute(delete(CounterRow))
    stored: dict[tuple[str, str], int] = defaultdict(int)
    for rows in iter_predictions(session=session, chunk_rows=chunk_rows):
        add_rollups(session=session, deltas=rollup_deltas(rows, ()))
        for key, n in _new_row_counts(rows).items():
            stored[key] += n
    for events in _iter_events(session, chunk_rows):
        add_rollups(session=session, deltas=rollup_deltas((), events))
    add_to_counters(session=session, amounts=stored)


def _iter_events(session: Session, chunk_rows: int) -> Iterator[list[RequestEventRow]]:
    last_id = 0
    while True:
        query = (
            select(RequestEventRow)
            .where(RequestEventRow.id > last_id)
            .order_by(RequestEventRow.id)
            .limit(chunk_rows)
        )
        events = list(session.scalars(query))
        if not events:
            return
        yield events
        last_id = events[-1].id
        session.expunge_all()


# ----------------------------------------------------------------------- helpers


# The write statements are built once per dialect and take their rows as parameters,
# never as literal VALUES: compiled once and cached, a batch runs as one executemany
# (multi-row INSERT pages, "insertmanyvalues"). Every answer waits for a commit, so
# building and compiling must not be part of it.


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert(dialect: str, entity: type[Any]) -> Any:
    """The dialect's INSERT (with ON CONFLICT), SQLite's or Postgres', as Core on the
    entity's table (not the ORM's bulk path)."""
    dialect_insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = dialect_insert(entity.__table__)
    return statement


@functools.cache
def _prediction_insert(dialect: str) -> Any:
    statement = _insert(dialect, PredictionRow).on_conflict_do_nothing(
        index_elements=["request_key"]
    )
    return statement.returning(PredictionRow.__table__.c.request_key)


@functools.cache
def _event_insert(dialect: str) -> Any:
    return _insert(dialect, RequestEventRow)


@functools.cache
def _rollup_upsert(dialect: str) -> Any:
    table = RollupMinuteRow.__table__
    statement = _insert(dialect, RollupMinuteRow)
    return statement.on_conflict_do_update(
        index_elements=["classifier", "minute", "series", "label"],
        set_={
            "count": table.c.count + statement.excluded.count,
            "total": table.c.total + statement.excluded.total,
        },
    )


@functools.cache
def _counter_upsert(dialect: str) -> Any:
    statement = _insert(dialect, CounterRow)
    return statement.on_conflict_do_update(
        index_elements=["classifier", "name"],
        set_={"value": CounterRow.__table__.c.value + statement.excluded.value},
    )


def _prediction_values(row: PredictionRow) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in PredictionRow.__table__.columns}


def _event_values(event: RequestEventRow) -> dict[str, Any]:
    return {
        c.key: getattr(event, c.key)
        for c in RequestEventRow.__table__.columns
        if c.key != "id"  # the database numbers them
    }
