"""What the durable history costs a request: the wait for the group commit.

    .venv/bin/python bench/commit_bench.py                      # SQLite
    .venv/bin/python bench/commit_bench.py --database postgres

Before group commit an answer did not wait for its row (a list append; the row could
be lost). Now it waits for the commit of the batch its row joined
(``serving/recorder.py``); this measures exactly that wait, in one process, with the
project's recorder and a freshly migrated database:

- paced: ``--users`` simulated requests, each recording one prediction row per second
  on its own timetable (as Locust's paced users), for ``--time`` seconds: p50/p95/p99
  of the wait, and rows per commit;
- saturation: ``--saturation-users`` record back to back: rows committed per second
  (the ceiling the history puts on predictions/s, far above the model's).

SQLite runs with synchronous=FULL (every commit fsynced), Postgres with fsync on.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from history_bench import database
from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import migrate
from sightline.serving.recorder import Recorder


def row() -> PredictionRow:
    return PredictionRow(
        id=uuid.uuid4().hex,
        classifier="cifar10",
        created_at=datetime.now(UTC),
        request_key=uuid.uuid4().hex * 2,
        prediction="cat",
        class_index=3,
        confidence=0.93,
        uncertain=False,
        model_version="v1",
        time_ms=5.0,
        image_sha256="0" * 64,
        filename="cat.jpg",
        endpoint="predict",
        probabilities=[0.007] * 9 + [0.93],
    )


async def paced(recorder: Recorder, users: int, seconds: float) -> list[float]:
    waits: list[float] = []
    end = time.monotonic() + seconds

    async def user() -> None:
        await asyncio.sleep(random.random())  # users start spread over a second
        while time.monotonic() < end:
            started = time.perf_counter()
            await recorder.record([row()])
            waits.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

    await asyncio.gather(*(user() for _ in range(users)))
    return waits


async def saturation(recorder: Recorder, users: int, seconds: float) -> int:
    end = time.monotonic() + seconds
    done = 0

    async def user() -> None:
        nonlocal done
        while time.monotonic() < end:
            await recorder.record([row()])
            done += 1

    await asyncio.gather(*(user() for _ in range(users)))
    return done


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--time", type=float, default=30)
    parser.add_argument("--saturation-users", type=int, default=64)
    parser.add_argument("--saturation-time", type=float, default=10)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="sightline-commit-"))
    with database(args.database, home, home) as url:
        settings = Settings(home=home, database_url=url)
        settings.ensure_dirs()
        migrate(settings)
        recorder = Recorder(settings)
        recorder.start()
        try:
            waits = asyncio.run(paced(recorder, args.users, args.time))
            paced_commits = recorder.commits
            rows = asyncio.run(saturation(recorder, args.saturation_users, args.saturation_time))
            saturation_commits = recorder.commits - paced_commits
        finally:
            recorder.stop()
    summary: dict[str, Any] = {
        "p50": statistics.median(waits),
        "p95": percentile(waits, 0.95),
        "p99": percentile(waits, 0.99),
    }
    print(f"{args.database}: the wait for the row's commit (group commit)")
    print(
        f"  paced, {args.users} users x 1 row/s, {args.time:.0f} s: {len(waits)} rows, "
        f"p50 {summary['p50']:.2f} ms, p95 {summary['p95']:.2f} ms, "
        f"p99 {summary['p99']:.2f} ms, {len(waits) / max(1, paced_commits):.1f} rows per commit"
    )
    print(
        f"  saturation, {args.saturation_users} users back to back, "
        f"{args.saturation_time:.0f} s: {rows / args.saturation_time:,.0f} rows/s, "
        f"{rows / max(1, saturation_commits):.1f} rows per commit"
    )


if __name__ == "__main__":
    main()
