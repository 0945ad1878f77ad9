"""db/predictions.py: one row per request key, rollups that equal a recount of the raw
rows, keyset pages that return every row once, pruning that monitoring does not notice,
and the migration that fills rollups for a database written before them."""

from __future__ import annotations

import csv
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import predictions as history
from sightline.db.models import PredictionRow, RequestEventRow, RollupMinuteRow
from sightline.db.session import MIGRATIONS_DIR, migrate, session_scope
from sightline.monitoring.window import histogram_quantile, monitoring_report
from sightline.ops.retention import ExportFormat, export_predictions, prune
from tests.factories import make_settings

CLASSES = ["circle", "square", "triangle"]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def session(db: Settings) -> Iterator[Session]:
    with session_scope(db) as session:
        yield session


def row(created_at: datetime = NOW, key: str | None = None, **values: object) -> PredictionRow:
    confidence = float(values.pop("confidence", 0.9))  # type: ignore[arg-type]
    return PredictionRow(
        id=uuid.uuid4().hex,
        classifier=values.pop("classifier", "cifar10"),
        created_at=created_at,
        request_key=key or uuid.uuid4().hex,
        prediction=values.pop("prediction", "circle"),
        class_index=0,
        confidence=confidence,
        uncertain=False,
        model_version="v1",
        time_ms=values.pop("time_ms", 5.0),
        image_sha256="0" * 64,
        filename=None,
        endpoint="predict",
        probabilities=[confidence, 1 - confidence, 0.0],
    )


def event(
    created_at: datetime = NOW, route: str = "/api/predict", status: int = 200
) -> RequestEventRow:
    return RequestEventRow(
        classifier="cifar10",
        created_at=created_at,
        method="POST",
        route=route,
        status_code=status,
        duration_ms=random.uniform(1, 200),
    )


def random_history(
    minutes: int, per_minute: int
) -> tuple[list[PredictionRow], list[RequestEventRow]]:
    rng = random.Random(7)
    rows, events = [], []
    for m in range(minutes):
        for _ in range(per_minute):
            moment = NOW - timedelta(minutes=m, seconds=rng.randrange(60))
            rows.append(
                row(
                    moment,
                    prediction=rng.choice(CLASSES),
                    confidence=rng.uniform(0.3, 1.0),
                    time_ms=rng.uniform(1, 50),
                )
            )
            events.append(
                event(
                    moment,
                    rng.choice(["/api/predict", "/api/status"]),
                    rng.choice([200, 200, 415, 503]),
                )
            )
    return rows, events


def test_a_request_key_gets_one_row_and_is_counted_once(session: Session) -> None:
    first = row(key="replayed")
    assert history.insert_records(session=session, predictions=[first]) == {"replayed"}
    replay, other = row(key="replayed"), row(key="other")
    same_batch = row(key="other")  # the same request twice in one batch
    inserted = history.insert_records(session=session, predictions=[replay, other, same_batch])
    assert inserted == {"other"}
    assert session.scalar(select(func.count()).select_from(PredictionRow)) == 2
    stored = history.get_prediction_by_key(session=session, request_key="replayed")
    assert stored is not None and stored.id == first.id
    assert history.count_predictions(session=session, classifier="cifar10") == 2
    assert history.predictions_served(session=session, classifier="cifar10") == 2
    classes = session.scalar(
        select(func.sum(RollupMinuteRow.count)).where(RollupMinuteRow.series == history.CLASSES)
    )
    assert classes == 2


def test_rollups_equal_a_recount_of_the_raw_rows(session: Session) -> None:
    rows, events = random_history(minutes=30, per_minute=20)
    for start in range(0, len(rows), 97):  # in batches, as the writer does
        history.insert_records(
            session=session, predictions=rows[start : start + 97], events=events[start : start + 97]
        )
    recount = {
        (minute, label): (n, total)
        for minute, label, n, total in session.execute(
            text(
                "SELECT created_minute, prediction, COUNT(*), SUM(confidence) FROM "
                f"(SELECT prediction, confidence, {minute_sql(session)} AS created_minute "
                "FROM predictions) AS p GROUP BY created_minute, prediction"
            )
        )
    }
    rolled = {
        (r.minute, r.label): (r.count, r.total)
        for r in session.scalars(
            select(RollupMinuteRow).where(RollupMinuteRow.series == history.CLASSES)
        )
    }
    assert rolled.keys() == recount.keys()
    for key, (n, total) in recount.items():
        assert rolled[key][0] == n and rolled[key][1] == pytest.approx(float(total))
    statuses = Counter(f"{e.status_code // 100}xx" for e in events)
    by_status = dict(
        session.execute(
            select(RollupMinuteRow.label, func.sum(RollupMinuteRow.count))
            .where(RollupMinuteRow.series == history.REQUESTS)
            .group_by(RollupMinuteRow.label)
        ).all()
    )
    assert by_status == dict(statuses)
    latency = session.scalar(
        select(func.sum(RollupMinuteRow.count)).where(RollupMinuteRow.series == history.LATENCY)
    )
    assert latency == sum(e.route in history.PREDICT_ROUTES for e in events)

    # And rebuilding from the raw rows (what migration 0003 does) gives the same table.
    before = set(session.execute(select(RollupMinuteRow.__table__)).all())
    history.rebuild_rollups(session=session, chunk_rows=101)
    after = set(session.execute(select(RollupMinuteRow.__table__)).all())
    assert {k[:4] for k in after} == {k[:4] for k in before}
    assert history.count_predictions(session=session, classifier="cifar10") == len(rows)


def test_each_classifier_has_its_own_rollups_equal_to_its_own_recount(session: Session) -> None:
    rows, events = random_history(minutes=10, per_minute=20)
    for i, (prediction, request) in enumerate(zip(rows, events, strict=True)):
        if i % 3 == 0:  # a third of the traffic is another classifier's, interleaved
            prediction.classifier = request.classifier = "pets"
    history.insert_records(session=session, predictions=rows, events=events)
    for classifier in ("cifar10", "pets"):
        mine = [r for r in rows if r.classifier == classifier]
        recount = Counter(r.prediction for r in mine)
        rolled = dict(
            session.execute(
                select(RollupMinuteRow.label, func.sum(RollupMinuteRow.count))
                .where(
                    RollupMinuteRow.classifier == classifier,
                    RollupMinuteRow.series == history.CLASSES,
                )
                .group_by(RollupMinuteRow.label)
            ).all()
        )
        assert rolled == dict(recount), classifier
        assert history.count_predictions(session=session, classifier=classifier) == len(mine)
        requests = session.scalar(
            select(func.sum(RollupMinuteRow.count)).where(
                RollupMinuteRow.classifier == classifier,
                RollupMinuteRow.series == history.REQUESTS,
            )
        )
        assert requests == sum(e.classifier == classifier for e in events)


def minute_sql(session: Session) -> str:
    """The created_at minute in the database's own arithmetic (an independent recount)."""
    if session.get_bind().dialect.name == "postgresql":
        return "CAST(FLOOR(EXTRACT(EPOCH FROM created_at) / 60) AS INTEGER)"
    return "CAST(strftime('%s', created_at) AS INTEGER) / 60"


def test_keyset_pages_return_every_row_exactly_once(session: Session) -> None:
    # Many rows share a created_at: the id breaks the tie, so none is skipped or repeated.
    rows = [row(NOW - timedelta(seconds=i // 4)) for i in range(103)]
    history.insert_records(session=session, predictions=rows)
    seen: list[str] = []
    after: history.Cursor | None = None
    while page := history.list_predictions(
        session=session, classifier="cifar10", limit=10, after=after
    ):
        seen.extend(r.id for r in page)
        after = (page[-1].created_at, page[-1].id)
    assert len(seen) == len(set(seen)) == 103
    expected = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    assert seen == [r.id for r in expected]
    assert [
        r.id
        for r in history.list_predictions(session=session, classifier="cifar10", limit=5, offset=10)
    ] == seen[10:15]


def test_a_pruned_database_still_answers_monitoring_the_same(db: Settings) -> None:
    rows, events = random_history(minutes=50, per_minute=10)
    old = [event(NOW - timedelta(days=9, minutes=i)) for i in range(40)]
    with session_scope(db) as session:
        history.insert_records(session=session, predictions=rows, events=events + old)
    before = {
        w: monitoring_report(db, "cifar10", w, CLASSES, {}, NOW) for w in (300, 3600, 30 * 86400)
    }

    db.retention_batch_rows = 7  # several batches
    db.predictions_retention_days = 0.02  # 29 minutes
    pruned = prune(db, now=NOW)
    assert pruned.request_events == 40
    old_rows = [r for r in rows if r.created_at < NOW - timedelta(days=0.02)]
    assert pruned.predictions == len(old_rows) > 0
    for window, report in before.items():
        after = monitoring_report(db, "cifar10", window, CLASSES, {}, NOW)
        for field in (
            "requests",
            "errors",
            "server_errors",
            "predictions",
            "latency_ms",
            "model_time_ms",
            "class_distribution",
            "confidence",
            "series",
        ):
            assert after[field] == report[field], (window, field)
    assert before[3600]["predictions"] == len(rows)
    assert before[3600]["requests"] == len(events)
    assert before[30 * 86400]["requests"] == len(events) + len(old)
    with session_scope(db) as session:
        assert history.count_predictions(session=session, classifier="cifar10") == len(rows) - len(
            old_rows
        )
        assert history.predictions_served(session=session, classifier="cifar10") == len(rows)
        remaining = session.scalar(select(func.count()).select_from(RequestEventRow))
        assert remaining == len(events)


def test_the_report_reads_the_window_in_buckets(db: Settings) -> None:
    rows, events = random_history(minutes=5, per_minute=30)
    with session_scope(db) as session:
        history.insert_records(session=session, predictions=rows, events=events)
    report = monitoring_report(db, "cifar10", 3600, CLASSES, {}, NOW)
    assert report["bucket_seconds"] == 180 and len(report["series"]) == 21
    assert sum(p["requests"] for p in report["series"]) == report["requests"] == len(events)
    assert sum(report["class_distribution"].values()) == len(rows)
    mean = sum(r.confidence for r in rows) / len(rows)
    assert report["confidence"]["mean"] == pytest.approx(mean, abs=1e-4)
    assert report["errors"] == sum(e.status_code >= 400 for e in events)
    assert report["server_errors"] == sum(e.status_code >= 500 for e in events)


def test_percentiles_from_histogram_buckets_are_within_a_bucket() -> None:
    rng = random.Random(1)
    values = [rng.lognormvariate(2, 0.8) for _ in range(5000)]
    counts = Counter(history.latency_bucket(v) for v in values)
    ordered = sorted(values)
    for q in (0.5, 0.95, 0.99):
        exact = ordered[int(q * len(values)) - 1]
        estimate = histogram_quantile(q, counts)
        assert estimate is not None and abs(estimate - exact) / exact < 0.13
    assert histogram_quantile(0.5, {}) is None
    assert history.latency_bucket(10.0) == 10 and history.latency_bucket(10.01) == 11


@pytest.mark.parametrize("fmt", [ExportFormat.csv, ExportFormat.parquet])
def test_export_writes_the_rows_before_a_date(
    db: Settings, tmp_path: Path, fmt: ExportFormat
) -> None:
    rows = [row(NOW - timedelta(days=d)) for d in range(6)]
    with session_scope(db) as session:
        history.insert_records(session=session, predictions=rows)
    out = tmp_path / f"old.{fmt.value}"
    assert export_predictions(db, out, fmt, before=NOW - timedelta(days=2, hours=1)) == 3
    if fmt is ExportFormat.csv:
        with open(out) as handle:
            ids = [record["id"] for record in csv.DictReader(handle)]
    else:
        import pyarrow.parquet as pq

        ids = pq.read_table(out).column("id").to_pylist()
    assert ids == [r.id for r in rows[:2:-1]]  # oldest first: 5, 4 and 3 days old


def test_migration_0003_keys_and_rolls_up_the_rows_already_stored(
    tmp_path: Path, database_url: str | None
) -> None:
    settings = make_settings(tmp_path / "home", tmp_path / "no-model", database_url=database_url)
    settings.ensure_dirs()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    command.upgrade(config, "0002")
    with session_scope(settings) as session:
        for i in range(5):
            session.execute(
                text(
                    "INSERT INTO predictions (id, created_at, prediction, class_index, confidence, "
                    "uncertain, model_version, time_ms, image_sha256, endpoint, probabilities) "
                    "VALUES (:id, :at, 'square', 1, 0.5, false, 'v1', 3.0, :sha, 'predict', "
                    "'[0.5]')"
                ),
                {"id": f"old{i}", "at": NOW - timedelta(minutes=i), "sha": "0" * 64},
            )
    migrate(settings)
    with session_scope(settings) as session:
        assert history.count_predictions(session=session, classifier="cifar10") == 5
        assert history.get_prediction_by_key(session=session, request_key="old3") is not None
    report = monitoring_report(settings, "cifar10", 3600, CLASSES, {})
    assert report["class_distribution"]["square"] == 5 and report["predictions_total"] == 5
