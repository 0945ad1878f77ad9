"""Sightline's serving against the reference projects' way, on this machine, in one run.

    make bench                                     # defaults below
    .venv/bin/python bench/serve_bench.py --model models/cifar10 --users 100 --time 60

1. The model's own limit: images/s of the served runtime on batches of 64, no HTTP,
   beside Keras' (bench/runtimes.py: batch-1 p50/p95, batch-64 images/s, top-1
   agreement, OpenVINO's size, import time and memory), under a header naming the CPU
   and its AMX, AVX512-BF16 and AVX2 flags.
2. Sightline (``sightline.api.main``) and the baseline (``bench/baseline_server.py``:
   Keras ``model.predict()`` per request) are started on two ports with the same model.
3. Each is driven by the same headless Locust load (``locustfile.py``,
   ``PredictionClient``, real CIFAR-10 test JPEGs when ``SIGHTLINE_CIFAR10`` is set):
   - paced: ``--users`` users, one request per second each (the reference pacing);
   - saturation: ``--saturation-users`` users sending back to back (a closed loop).
   One server runs at a time; the load generator shares the machine, and the CPU it
   took is reported.
4. Prints answers/s (successful requests/s), p50/p95/p99 and failure rate per server
   and their ratio, the server-side predict time (from the history rows), idle
   memory, and the targets.

Results (Locust CSV + HTML, a JSON summary, the table as Markdown) go to
``bench/results/<time>/`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from common import (
    PYTHON,
    REPO,
    SIGHTLINE,
    LocustTotals,
    locust_command,
    locust_env,
    locust_totals,
    stop_process,
    wait_healthy,
)
from runtimes import cpu_description, cpu_header, runtime_lines

# Locust's default: long enough that a slow server shows as slow, not as failures.
REQUEST_TIMEOUT_S = 60


@dataclass(frozen=True)
class LoadResult(LocustTotals):
    loadgen_cores: float  # CPU the Locust process used, in cores
    server_cores: float
    users: int

    @property
    def failure_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def ok_rps(self) -> float:
        """Successful answers per second: what the ratio compares."""
        return self.rps * (1 - self.failure_rate)


@dataclass
class ServerResult:
    name: str
    idle_rss_mb: float = 0.0
    runs: dict[str, LoadResult] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# --- the model's own limit --------------------------------------------------------


def model_limit(model_dir: Path, runtime: str) -> dict[str, Any]:
    """The served runtime's batch-64 images/s and batch-1 latency, in this process, beside
    Keras' (bench/runtimes.py); and what OpenVINO costs to carry."""
    import numpy as np

    from runtimes import compare_runtimes, openvino_cost
    from sightline.config import Settings

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (512, 32, 32, 3), dtype=np.uint8)
    rows = compare_runtimes(model_dir, images, runtime, 300, Settings().inference_threads)
    for row in rows.values():
        row.pop("answers")
    chosen = rows["chosen"]
    return {
        "batch64_images_per_s": chosen["batch64_images_per_s"],
        "batch1_ms": chosen["batch1_p50_ms"],
        "runtimes": rows,
        "openvino_cost": openvino_cost(),
    }


def _calls_per_second(call: Any, seconds: float) -> float:
    call()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or calls < 3:
        call()
        calls += 1
    return calls / elapsed


def measure_model_limit(model_dir: Path, runtime: str) -> dict[str, Any]:
    # A separate process, so TensorFlow's threads and memory leave with it.
    out = subprocess.run(
        [PYTHON, __file__, "--model-limit-only", "--model", str(model_dir), "--runtime", runtime],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- servers ------------------------------------------------------------------------


@contextmanager
def server(
    kind: str, model_dir: Path, port: int, home: Path, runtime: str = "keras"
) -> Iterator[psutil.Process]:
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SIGHTLINE_HOME": str(home),
        "SIGHTLINE_MODEL_DIR": str(model_dir),
        "BASELINE_MODEL_DIR": str(model_dir),
        # This checkout's backend, not the one the venv was installed from (A/B runs).
        "PYTHONPATH": os.pathsep.join((str(REPO), str(REPO / "backend"))),
        "SIGHTLINE_RUNTIME": runtime,
    }
    address = ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    # Sightline as users start it (`sightline serve`: heap settings, private temp dir);
    # the baseline as the reference projects do (uvicorn on their app).
    command = (
        [SIGHTLINE, "serve", *address]
        if kind == "sightline"
        else [PYTHON, "-m", "uvicorn", "bench.baseline_server:app", *address]
    )
    log_path = home / f"{kind}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log=log_path)
        yield psutil.Process(process.pid)
    finally:
        stop_process(process)  # SIGTERM first: Sightline flushes its history
        log.close()


def idle_rss_mb(process: psutil.Process) -> float:
    time.sleep(2)  # let start-up garbage settle
    return process.memory_info().rss / 2**20


# --- load ---------------------------------------------------------------------------


def run_locust(
    url: str, users: int, seconds: int, pacing: float, prefix: Path, server_process: psutil.Process
) -> LoadResult:
    # All users on in about 5 s; the stats restart then.
    command = locust_command(
        url,
        users,
        seconds,
        prefix,
        pacing=pacing,
        reset_stats=True,
        html=True,
        request_timeout=REQUEST_TIMEOUT_S,
    )
    server_before = _cpu_seconds(server_process)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, check=False, cwd=REPO, env=locust_env(prefix), capture_output=True)
    wall = time.monotonic() - start
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    loadgen = (
        children_after.ru_utime
        - children_before.ru_utime
        + children_after.ru_stime
        - children_before.ru_stime
    )
    return LoadResult(
        **asdict(locust_totals(prefix)),
        loadgen_cores=loadgen / wall,
        server_cores=(_cpu_seconds(server_process) - server_before) / wall,
        users=users,
    )


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


# --- Sightline's own records ----------------------------------------------------------


def history_times(db: Path, since: str | None = None) -> list[float]:
    with sqlite3.connect(db) as connection:
        query = "SELECT time_ms FROM predictions"
        rows = (
            connection.execute(query + " WHERE created_at >= ?", (since,))
            if since
            else connection.execute(query)
        )
        return [float(r[0]) for r in rows]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def db_timestamp() -> str:
    # The format SQLAlchemy stores for SQLite, so string comparison orders correctly.
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


# --- the run ------------------------------------------------------------------------


def bench_server(
    kind: str, args: argparse.Namespace, port: int, out: Path, home: Path
) -> ServerResult:
    result = ServerResult(kind)
    url = f"http://127.0.0.1:{port}"
    runtime = args.runtime if kind == "sightline" else "keras"
    with server(kind, args.model, port, home, runtime) as process:
        result.idle_rss_mb = idle_rss_mb(process)
        paced_since = db_timestamp()
        print(f"  {kind}: paced run, {args.users} users, {args.time} s", flush=True)
        result.runs["paced"] = run_locust(
            url, args.users, args.time, 1.0, out / f"{kind}-paced", process
        )
        if kind == "sightline":
            times = history_times(home / "sightline.db", paced_since)
            result.extra["server_predict_ms"] = {
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "n": len(times),
            }
        print(
            f"  {kind}: saturation run, {args.saturation_users} users back to back, "
            f"{args.saturation_time} s",
            flush=True,
        )
        result.runs["saturation"] = run_locust(
            url,
            args.saturation_users,
            args.saturation_time,
            0.0,
            out / f"{kind}-saturation",
            process,
        )
        result.extra["rss_after_mb"] = process.memory_info().rss / 2**20
    if kind == "sightline":  # after a graceful stop every answer must have its row
        result.extra["answered"] = sum(run.answered for run in result.runs.values())
        # Requests in flight when Locust stops are answered and recorded, but unseen.
        result.extra["in_flight_max"] = sum(run.users for run in result.runs.values())
        result.extra["rows"] = len(history_times(home / "sightline.db"))
    return result


def machine() -> dict[str, Any]:
    return {**cpu_description(), "load_average_1m": os.getloadavg()[0]}


def report(
    args: argparse.Namespace,
    limit: dict[str, Any],
    ours: ServerResult,
    baseline: ServerResult,
    host: dict[str, Any],
) -> str:
    lines = [
        cpu_header(host),
        f"1-minute load average before the run {host['load_average_1m']:.1f} (other work "
        "shares the cores).",
        f"Model: {args.model}, SIGHTLINE_RUNTIME={args.runtime}. Its own limit (served "
        f"runtime, batch-64 call, no HTTP): {limit['batch64_images_per_s']:.0f} images/s; "
        f"a batch-1 call: {limit['batch1_ms']:.1f} ms.",
        "",
        *runtime_lines(limit["runtimes"], limit["openvino_cost"]),
        "",
        "| load | server | answers/s | p50 ms | p95 ms | p99 ms | failures | load generator CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run, title in (
        ("paced", f"{args.users} users, 1 req/s each"),
        ("saturation", f"{args.saturation_users} users, back to back"),
    ):
        for server_result in (ours, baseline):
            r = server_result.runs[run]
            lines.append(
                f"| {title} | {server_result.name} | {r.ok_rps:.1f} | {r.p50:.0f} | "
                f"{r.p95:.0f} | {r.p99:.0f} | {r.failure_rate:.2%} | "
                f"{r.loadgen_cores:.2f} cores |"
            )
        ratio = ours.runs[run].ok_rps / max(baseline.runs[run].ok_rps, 1e-9)
        lines.append(f"| {title} | **ratio** | **{ratio:.1f}x** | | | | | |")
    server_ms = ours.extra["server_predict_ms"]
    lines += [
        "",
        f"Sightline server-side predict time in the paced run (decode + batching + model, "
        f"from its history rows): p50 {server_ms['p50']:.1f} ms, p95 {server_ms['p95']:.1f} ms "
        f"(n={server_ms['n']}).",
        f"Idle RSS: Sightline {ours.idle_rss_mb:.0f} MB (after load "
        f"{ours.extra['rss_after_mb']:.0f} MB), baseline {baseline.idle_rss_mb:.0f} MB.",
        f"History: {ours.extra['answered']} predictions answered 200 (seen by Locust), "
        f"{ours.extra['rows']} rows after shutdown (the difference, at most "
        f"{ours.extra['in_flight_max']}, were in flight when Locust stopped).",
        "",
        *targets(limit, ours, baseline),
    ]
    return "\n".join(lines)


def targets(limit: dict[str, Any], ours: ServerResult, baseline: ServerResult) -> list[str]:
    paced, saturated = ours.runs["paced"], ours.runs["saturation"]
    ratio = saturated.ok_rps / max(baseline.runs["saturation"].ok_rps, 1e-9)
    checks = [
        ("paced: zero failures", paced.failures == 0),
        (f"paced: p95 <= 50 ms ({paced.p95:.0f})", paced.p95 <= 50),
        (f"saturation: >= 10x baseline ({ratio:.1f}x)", ratio >= 10),
        ("saturation: zero failures", saturated.failures == 0),
        (
            f"saturation: >= half the model's limit ({saturated.ok_rps:.0f} of "
            f"{limit['batch64_images_per_s']:.0f}/s)",
            saturated.ok_rps >= limit["batch64_images_per_s"] / 2,
        ),
        (
            f"server-side predict p50 <= 5 ms ({ours.extra['server_predict_ms']['p50']:.1f})",
            ours.extra["server_predict_ms"]["p50"] <= 5,
        ),
        (f"idle RSS < 1 GB ({ours.idle_rss_mb:.0f} MB)", ours.idle_rss_mb < 1024),
        (
            "every answer has its row",
            0 <= ours.extra["rows"] - ours.extra["answered"] <= ours.extra["in_flight_max"],
        ),
    ]
    return ["Targets:"] + [f"- [{'x' if ok else ' '}] {text}" for text, ok in checks]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--time", type=int, default=60, help="seconds of the paced run")
    parser.add_argument("--saturation-users", type=int, default=64)
    parser.add_argument("--saturation-time", type=int, default=30)
    parser.add_argument("--port", type=int, default=8100, help="Sightline; baseline is +1")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--runtime", default="auto", choices=("auto", "keras", "openvino"), help="Sightline's"
    )
    parser.add_argument("--model-limit-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.model = args.model.resolve()
    if args.model_limit_only:
        print(json.dumps(model_limit(args.model, args.runtime)))
        return
    if not (args.model / "model.keras").is_file():
        sys.exit(f"No model at {args.model}: train one (make train) or pass --model.")
    out = args.out or REPO / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    host = machine()
    print(f"Measuring the model's own limit ({args.model})...", flush=True)
    limit = measure_model_limit(args.model, args.runtime)
    results = []
    for offset, kind in enumerate(("sightline", "baseline")):
        with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as home:
            results.append(bench_server(kind, args, args.port + offset, out, Path(home)))
    ours, baseline = results
    table = report(args, limit, ours, baseline, host)
    print("\n" + table)
    (out / "summary.md").write_text(table + "\n")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "machine": host,
                "model_limit": limit,
                "servers": [
                    {
                        **asdict(r),
                        "runs": {
                            k: {**asdict(v), "failure_rate": v.failure_rate}
                            for k, v in r.runs.items()
                        },
                    }
                    for r in results
                ],
            },
            indent=2,
        )
    )
    print(f"\nLocust CSV and HTML reports, summary.md and summary.json: {out}")


if __name__ == "__main__":
    main()
