"""The prediction history at scale: read latency and memory with 10 M rows.

    make bench-history                                   # 10 M rows, SQLite
    .venv/bin/python bench/history_bench.py --database postgres --rows 1000000

1. Grows a fresh database (migrated by the project) to ``--rows`` predictions and as
   many request events, spread evenly over the last ``rows / --rate`` seconds (10 M
   at 100 req/s: 27.8 hours, so the 24 h window holds 8.6 M of each). A bulk loader
   writes them (SQLite: executemany in big transactions; Postgres: COPY), indexes
   dropped during the load and rebuilt after, as one would restore a dump; the
   rollups and counters are computed from the loaded rows by the writer's own code
   (``db.predictions.rollup_deltas``, ``add_rollups``), so they are what the writer
   would have kept.
2. Starts the API (``sightline serve``) on that database with the shipped model and
   times, one request at a time, ``--repeat`` calls of each read: /api/monitoring
   (5 min, 1 h, 24 h), /api/predictions (the first page, and a page 100,000 rows deep
   by cursor), /api/status and /api/metrics; and the API's RSS before and after.
3. Prints the table (p50/p95 ms) and writes it, with a JSON copy, to
   ``bench/results/<time>-history/``.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import psutil
from sqlalchemy import Index, func, text
from sqlalchemy.orm import Session

from common import PYTHON, REPO, free_port, stop_process, wait_healthy
from sightline.config import Settings
from sightline.db import predictions as history
from sightline.db.models import PredictionRow, RequestEventRow
from sightline.db.session import engine_for, migrate, session_scope

CHUNK = 100_000
ROUTES = ["/api/predict"] * 8 + ["/api/status", "/api/monitoring"]  # as the dashboard mixes
STATUSES = [200] * 97 + [415, 422, 503]
DEEP_ROWS = 100_000
TARGET_MS = 200
RSS_TARGET_MB = 50


# Every row is the shipped classifier's (the columns' default since migration 0005).
CLASSIFIER = "cifar10"
SERVED = {
    (CLASSIFIER, history.PREDICTIONS_SERVED): 1,
    (CLASSIFIER, history.PREDICTION_ROWS): 1,
}


class Prediction(NamedTuple):
    """What the rollups read of a prediction row (the writer's rollup_deltas)."""

    created_at: datetime
    prediction: str
    confidence: float
    time_ms: float
    classifier: str = CLASSIFIER


class Event(NamedTuple):
    created_at: datetime
    route: str
    status_code: int
    duration_ms: float
    classifier: str = CLASSIFIER


# --------------------------------------------------------------------------- loading


def load(settings: Settings, rows: int, rate: float, classes: list[str]) -> dict[str, float]:
    """Bulk-load ``rows`` predictions and request events ending now; returns timings."""
    migrate(settings)
    engine = engine_for(settings.resolved_database_url)
    indexes = [*PredictionRow.__table__.indexes, *RequestEventRow.__table__.indexes]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    end = time.time()
    span = rows / rate
    if not settings.resolved_database_url.startswith("postgresql"):
        return _load_sqlite(settings, rows, end - span, span / rows, classes, indexes, timings)
    deltas: dict[history.RollupKey, list[float]] = defaultdict(lambda: [0, 0.0])
    rng = np.random.default_rng(0)
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        times = end - span + (np.arange(start, start + n) + rng.random(n)) * (span / rows)
        predictions, events = _generate(rng, times, classes)
        _insert(settings, predictions, events)
        for key, (count, total) in history.rollup_deltas(
            predictions.summary,
            events.summary,  # type: ignore[arg-type]
        ).items():
            deltas[key][0] += count
            deltas[key][1] += total
        done = start + n
        print(f"\r  loaded {done:,} / {rows:,} of each", end="", flush=True)
    print()
    timings["insert_s"] = time.perf_counter() - started
    timings["index_s"] = _create_indexes(engine, indexes)
    with session_scope(settings) as session:
        history.add_rollups(
            session=session, deltas={k: (int(c), t) for k, (c, t) in deltas.items()}
        )
        history.add_to_counters(session=session, amounts={k: rows for k in SERVED})
    if settings.resolved_database_url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return timings


def _create_indexes(engine: Any, indexes: list[Index]) -> float:
    """Build the indexes dropped for the bulk load; the seconds it took."""
    started = time.perf_counter()
    with engine.begin() as connection:
        for index in indexes:
            index.create(connection)
    return time.perf_counter() - started


# SQLite: rows made by SQLite itself (INSERT ... SELECT over a recursive sequence), at
# C speed, in transactions of SQL_CHUNK rows. The values are a hash of the row number,
# so the same sequence feeds the predictions, the request events and the rollups (one
# GROUP BY per chunk, added with ON CONFLICT), and the rollups are those of the rows.
SQL_CHUNK = 500_000
# The writer's bucket functions (db/predictions.py) in SQL; checked against them below.
LATENCY_BUCKET_SQL = (
    "CAST(CAST(max({first}, min({last}, ceil({per} * log10(max({v}, 1e-12)) - 1e-9))) "
    "AS INTEGER) AS TEXT)"
)
CONFIDENCE_BIN_SQL = "CAST(max(0, min({bins} - 1, CAST({v} * {bins} AS INTEGER))) AS TEXT)"


def _hash(stream: int) -> str:
    """A number in [0, 4294967291) that looks random, the same for row i every time."""
    return f"(((i + {stream * 7919}) * 2654435761) % 4294967291)"


def _sequence(start: int, stop: int, t0: float, step: float, classes: int) -> str:
    micros = f"CAST(({t0} + (i + {_hash(1)} % 1000000 / 1000000.0) * {step}) * 1000000 AS INTEGER)"
    return (
        f"WITH RECURSIVE seq(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM seq "
        f"WHERE i < {stop - 1}), "
        f"raw AS (SELECT i, {micros} AS us, {_hash(2)} % {classes} AS ci, "
        f"round(0.1 + 0.9 * max({_hash(3)} % 1000000, {_hash(4)} % 1000000) / 1000000.0, 6) "
        f"AS conf, round(2 + {_hash(5)} % 18000 / 1000.0, 3) AS model_ms, "
        f"{_hash(6)} % 100 AS pick, {_hash(7)} % 1000 / 2000.0 AS slow FROM seq), "
        "v AS MATERIALIZED (SELECT *, us / 1000000 AS secs, us / 60000000 AS minute, "
        "round(model_ms * (1.05 + slow), 3) AS duration, "
        "CASE WHEN pick < 80 THEN '/api/predict' WHEN pick < 90 THEN '/api/status' "
        "ELSE '/api/monitoring' END AS route, "
        "CASE WHEN pick % 34 = 0 THEN 415 WHEN pick = 97 THEN 503 ELSE 200 END AS status "
        "FROM raw) "
    )


def _load_sqlite(
    settings: Settings,
    rows: int,
    t0: float,
    step: float,
    classes: list[str],
    indexes: list[Index],
    timings: dict[str, float],
) -> dict[str, float]:
    engine = engine_for(settings.resolved_database_url)
    started = time.perf_counter()
    probabilities = ", ".join(
        f"round(CASE ci WHEN {i} THEN conf ELSE (1 - conf) / {len(classes) - 1} END, 6)"
        for i in range(len(classes))
    )
    names = json.dumps(classes)
    label = f"json_extract('{names}', '$[' || ci || ']')"
    stamp = (
        "strftime('%Y-%m-%d %H:%M:%S', secs, 'unixepoch') || '.' || printf('%06d', us % 1000000)"
    )
    bucket = {"first": history.FIRST_BUCKET, "last": history.LAST_BUCKET}
    per = history.BUCKETS_PER_DECADE
    predict_routes = ", ".join(repr(r) for r in sorted(history.PREDICT_ROUTES))
    rollups = (
        "INSERT INTO rollup_minutes (classifier, minute, series, label, count, total) "
        f"SELECT '{CLASSIFIER}', minute, series, label, COUNT(*), SUM(value) FROM ("
        f"SELECT minute, '{history.CLASSES}' AS series, {label} AS label, conf AS value FROM v "
        f"UNION ALL SELECT minute, '{history.CONFIDENCE}', "
        f"{CONFIDENCE_BIN_SQL.format(v='conf', bins=history.CONFIDENCE_BINS)}, conf FROM v "
        f"UNION ALL SELECT minute, '{history.MODEL_TIME}', "
        f"{LATENCY_BUCKET_SQL.format(v='model_ms', per=per, **bucket)}, model_ms FROM v "
        f"UNION ALL SELECT minute, '{history.REQUESTS}', (status / 100) || 'xx', duration "
        f"FROM v UNION ALL SELECT minute, '{history.LATENCY}', "
        f"{LATENCY_BUCKET_SQL.format(v='duration', per=per, **bucket)}, duration FROM v "
        f"WHERE route IN ({predict_routes})) WHERE true GROUP BY minute, series, label "
        "ON CONFLICT (classifier, minute, series, label) DO UPDATE SET "
        "count = count + excluded.count, total = total + excluded.total"
    )
    for start in range(0, rows, SQL_CHUNK):
        sequence = _sequence(start, min(rows, start + SQL_CHUNK), t0, step, len(classes))
        with engine.begin() as connection:
            connection.execute(
                text(
                    sequence + f"INSERT INTO predictions ({PREDICTION_COLUMNS}) "
                    f"SELECT lower(hex(randomblob(16))), {stamp}, lower(hex(randomblob(32))), "
                    f"{label}, ci, conf, conf < 0.5, 'v1', model_ms, lower(hex(randomblob(32))), "
                    f"NULL, 'predict', json_array({probabilities}) FROM v"
                )
            )
            connection.execute(
                text(
                    sequence + f"INSERT INTO request_events ({EVENT_COLUMNS}) "
                    f"SELECT {stamp}, 'POST', route, status, duration FROM v"
                )
            )
            connection.execute(text(sequence + rollups))
        done = min(rows, start + SQL_CHUNK)
        print(f"\r  loaded {done:,} / {rows:,} of each", end="", flush=True)
    print()
    timings["insert_s"] = time.perf_counter() - started
    timings["index_s"] = _create_indexes(engine, indexes)
    with session_scope(settings) as session:
        history.add_to_counters(session=session, amounts={k: rows for k in SERVED})
        _check_rollups(session)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return timings


def _check_rollups(session: Session) -> None:
    """The SQL rollups of the newest full minute equal the writer's own rollup_deltas of
    that minute's rows: the loaded database is what the writer would have kept."""
    from sqlalchemy import select

    from sightline.db.models import RollupMinuteRow

    minute = (session.scalar(select(func.max(RollupMinuteRow.minute))) or 1) - 1
    since = datetime.fromtimestamp(minute * 60, UTC)
    until = datetime.fromtimestamp((minute + 1) * 60, UTC)
    rows = session.scalars(
        select(PredictionRow).where(PredictionRow.created_at.between(since, until))
    ).all()
    events = session.scalars(
        select(RequestEventRow).where(RequestEventRow.created_at.between(since, until))
    ).all()
    deltas = history.rollup_deltas(rows, events)
    expected = {k[1:]: v for k, v in deltas.items() if k[1] == minute}
    stored = {
        (r.minute, r.series, r.label): (r.count, r.total)
        for r in session.scalars(select(RollupMinuteRow).where(RollupMinuteRow.minute == minute))
    }
    assert stored.keys() == expected.keys(), sorted(set(stored) ^ set(expected))[:5]
    for key, (count, total) in expected.items():
        assert stored[key][0] == count and math.isclose(stored[key][1], total, rel_tol=1e-9)
    print(f"  rollups checked against the writer's code on minute {minute}: {len(stored)} rows")


class Generated(NamedTuple):
    records: list[tuple[Any, ...]]  # in the table's column order, for the loader
    summary: list[Any]  # what rollup_deltas reads


def _generate(
    rng: np.random.Generator, times: np.ndarray, classes: list[str]
) -> tuple[Generated, Generated]:
    n = len(times)
    class_index = rng.integers(0, len(classes), n)
    confidence = np.clip(rng.beta(8, 1.5, n), 0.1, 1.0)
    time_ms = rng.lognormal(1.8, 0.35, n)
    duration = time_ms * rng.uniform(1.05, 1.6, n)
    route = rng.integers(0, len(ROUTES), n)
    status = rng.integers(0, len(STATUSES), n)
    predictions = Generated([], [])
    events = Generated([], [])
    for i in range(n):
        moment = datetime.fromtimestamp(float(times[i]), UTC)
        label = classes[int(class_index[i])]
        c = round(float(confidence[i]), 6)
        rest = (1 - c) / (len(classes) - 1)
        probabilities = [rest] * len(classes)
        probabilities[int(class_index[i])] = c
        row_id = uuid.uuid4().hex
        predictions.records.append(
            (
                row_id,
                moment,
                row_id + row_id,  # request_key: 64 characters, as the service's
                label,
                int(class_index[i]),
                c,
                c < 0.5,
                "v1",
                round(float(time_ms[i]), 3),
                uuid.uuid4().hex * 2,
                None,
                "predict",
                json.dumps([round(p, 6) for p in probabilities]),
            )
        )
        predictions.summary.append(Prediction(moment, label, c, round(float(time_ms[i]), 3)))
        event = Event(
            moment, ROUTES[int(route[i])], STATUSES[int(status[i])], round(float(duration[i]), 3)
        )
        events.records.append((moment, "POST", event.route, event.status_code, event.duration_ms))
        events.summary.append(event)
    return predictions, events


PREDICTION_COLUMNS = (
    "id, created_at, request_key, prediction, class_index, confidence, uncertain, "
    "model_version, time_ms, image_sha256, filename, endpoint, probabilities"
)
EVENT_COLUMNS = "created_at, method, route, status_code, duration_ms"


def _insert(settings: Settings, predictions: Generated, events: Generated) -> None:
    engine = engine_for(settings.resolved_database_url)
    if settings.resolved_database_url.startswith("postgresql"):
        with engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY predictions ({PREDICTION_COLUMNS}) FROM STDIN") as copy:
                for record in predictions.records:
                    copy.write_row(record)
            with cursor.copy(f"COPY request_events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for record in events.records:
                    copy.write_row(record)
        return
    # SQLite: the text format SQLAlchemy stores datetimes in, one transaction per chunk.
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        raw.executemany(  # type: ignore[union-attr]
            f"INSERT INTO predictions ({PREDICTION_COLUMNS}) VALUES ({','.join('?' * 13)})",
            [(r[0], r[1].strftime(stamp), *r[2:]) for r in predictions.records],
        )
        raw.executemany(  # type: ignore[union-attr]
            f"INSERT INTO request_events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?)",
            [(r[0].strftime(stamp), *r[1:]) for r in events.records],
        )


# --------------------------------------------------------------------------- reading


def deep_cursor(settings: Settings, depth: int) -> str:
    """The cursor of the page that starts ``depth`` rows into the history (found once
    here, the way a client would get it after paging that far)."""
    with Session(engine_for(settings.resolved_database_url)) as session:
        row = session.execute(
            text(
                "SELECT created_at, id FROM predictions ORDER BY created_at DESC, id DESC "
                f"LIMIT 1 OFFSET {depth - 1}"
            )
        ).one()
    created = row[0] if isinstance(row[0], datetime) else datetime.fromisoformat(row[0])
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    token = f"{created.isoformat()}|{row[1]}"
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def timed_get(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, body


def measure(url: str, path: str, repeat: int) -> dict[str, float]:
    timed_get(url + path)  # warm: first-call costs are not what is measured
    times = sorted(timed_get(url + path)[0] for _ in range(repeat))
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)],
        "max": times[-1],
    }


@contextmanager
def api(settings: Settings, model: Path, out: Path) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    env = {
        **os.environ,
        "SIGHTLINE_HOME": str(settings.home),
        "SIGHTLINE_DATABASE_URL": settings.database_url or "",
        "SIGHTLINE_MODEL_DIR": str(model),
        "SIGHTLINE_ADMIN_TOKEN": "bench",
    }
    log = out / "api.log"
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            [PYTHON, "-m", "sightline.cli", "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=900, log=log)  # TensorFlow on a busy CPU
        yield url, psutil.Process(process.pid)
    finally:
        stop_process(process)


def run_reads(
    settings: Settings, model: Path, repeat: int, out: Path, rows: int
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    depth = min(DEEP_ROWS, rows // 2)  # quick runs with few rows: half way in
    cursor = deep_cursor(settings, depth)
    reads = {
        "/api/monitoring?window=300": "/api/monitoring?window=300",
        "/api/monitoring?window=3600": "/api/monitoring?window=3600",
        "/api/monitoring?window=86400": "/api/monitoring?window=86400",
        "/api/predictions?limit=50 (first page)": "/api/predictions?limit=50",
        f"/api/predictions?limit=50&cursor=... ({depth:,} rows deep)": (
            f"/api/predictions?limit=50&cursor={cursor}"
        ),
        "/api/status": "/api/status",
        "/api/metrics": "/api/metrics",
    }
    with api(settings, model, out) as (url, process):
        rss_before = process.memory_info().rss / 2**20
        results = {name: measure(url, path, repeat) for name, path in reads.items()}
        rss_after = process.memory_info().rss / 2**20
        sample = json.loads(timed_get(url + "/api/monitoring?window=86400")[1])
        deep = json.loads(timed_get(url + reads[list(reads)[4]])[1])
    checks = {
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "monitoring_24h_predictions": sample["predictions"],
        "monitoring_24h_requests": sample["requests"],
        "deep_page_items": len(deep["items"]),
        "total": deep["total"],
    }
    return results, checks


# --------------------------------------------------------------------------- main


@contextmanager
def database(kind: str, home: Path, out: Path) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    from scale_bench import new_database, postgres_server

    with postgres_server(out) as server_url:
        yield new_database(server_url)


def report(
    kind: str,
    rows: int,
    results: dict[str, Any],
    checks: dict[str, Any],
    load: dict[str, float],
    size_mb: float,
) -> str:
    lines = [
        f"### {kind}, {rows:,} predictions + {rows:,} request events "
        f"(database {size_mb:,.0f} MB; loaded in {load['insert_s']:.0f} s + indexes "
        f"{load['index_s']:.0f} s)",
        "",
        "| request | p50 ms | p95 ms | max ms | target p95 <= 200 ms |",
        "|---|---:|---:|---:|---|",
    ]
    for name, figures in results.items():
        verdict = "ok" if figures["p95"] <= TARGET_MS else "MISSED"
        lines.append(
            f"| `{name}` | {figures['p50']:.1f} | {figures['p95']:.1f} | "
            f"{figures['max']:.1f} | {verdict} |"
        )
    growth = checks["rss_after_mb"] - checks["rss_before_mb"]
    lines += [
        "",
        f"API RSS: {checks['rss_before_mb']:.0f} MB before, {checks['rss_after_mb']:.0f} MB "
        f"after ({growth:+.0f} MB; target < {RSS_TARGET_MB} MB: "
        f"{'ok' if growth < RSS_TARGET_MB else 'MISSED'}).",
        f"24 h window: {checks['monitoring_24h_predictions']:,} predictions, "
        f"{checks['monitoring_24h_requests']:,} requests; deep page: "
        f"{checks['deep_page_items']} rows; total {checks['total']:,}.",
    ]
    return "\n".join(lines)


def database_size_mb(settings: Settings) -> float:
    if settings.database_url:
        with engine_for(settings.database_url).connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
        return float(size or 0) / 2**20
    folder = settings.home
    return sum(p.stat().st_size for p in folder.glob("sightline.db*")) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000_000, help="of each table")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s the rows span")
    parser.add_argument("--repeat", type=int, default=40, help="timed calls per read")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--home", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or REPO / "bench" / "results" / f"{stamp}-history-{args.database}"
    out.mkdir(parents=True, exist_ok=True)
    home = args.home or Path(tempfile.mkdtemp(prefix="sightline-history-"))
    try:
        run(args, home, out)
    finally:
        # A 10 M-row SQLite file is ~7 GB: a temporary home must not outlive the run.
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, home: Path, out: Path) -> None:
    classes = json.loads((args.model / "card.json").read_text())["class_names"]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; home {home}")
    with database(args.database, home, out) as url:
        settings = Settings(home=home, database_url=url, model_dir=args.model)
        settings.ensure_dirs()
        print(f"Loading {args.rows:,} predictions and request events ({args.database})...")
        timings = load(settings, args.rows, args.rate, classes)
        size = database_size_mb(settings)
        print("Timing the reads...")
        results, checks = run_reads(settings, args.model, args.repeat, out, args.rows)
        table = report(args.database, args.rows, results, checks, timings, size)
    print("\n" + table)
    (out / "history.md").write_text(table + "\n")
    summary = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "load": timings,
        "size_mb": size,
        "results": results,
        "checks": checks,
        "machine": platform.platform(),
    }
    (out / "history.json").write_text(json.dumps(summary, indent=2))
    print(f"\nWritten to {out}")


if __name__ == "__main__":
    main()
