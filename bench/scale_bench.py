"""Scale-out through nginx, measured: `make scale-bench` or

    .venv/bin/python bench/scale_bench.py --model models/cifar10 --replicas 2 --users 100 \
        --time 60 --databases sqlite,postgres

For each database (SQLite in a fresh $SIGHTLINE_HOME; Postgres from apt, started here
with deploy/postgres-dev.sh, fsync on), stacks are started with `sightline scale`'s
code (ops/scale.py: replicas + nginx under supervisord; no worker, no dashboard):

1. Throughput: the same Locust load (locustfile.py, ``PredictionClient``) through nginx
   on 1 replica, then on N, side by side. Each replica gets cores/N TensorFlow threads.
2. Failover: N replicas under the load; at a third of the run one replica is killed
   with SIGKILL, and supervisord restarts it. From Locust and nginx's own logs: failed
   requests overall, those that started after nginx noticed the dead replica, requests
   nginx replayed on another replica, and how long until the replica served again.
3. Promotion and rollback under the load: a second version is registered, promoted
   through nginx, and each replica is polled directly until its /health names it.
4. Nothing lost: after each run the stack is stopped gracefully and the history rows
   are counted against the predictions Locust saw answered (the SIGKILLed replica's
   unwritten rows are reported, not hidden).

Results (Locust CSVs, nginx logs, summary.md, summary.json) go to
``bench/results/scale-<time>/`` (gitignored). Targets are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from common import (
    REPO,
    LocustTotals,
    free_port,
    locust_command,
    locust_env,
    locust_totals,
    register_second_version,
)
from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope
from sightline.ops.scale import Stack, StackConfig, http_json

TOKEN = "scale-bench-token"
PROMOTE_AT_S = 10
ACCESS = re.compile(
    r'^(?P<msec>[\d.]+) (?P<status>\d+) \S+ "(?P<uri>[^"]*)" "(?P<addrs>[^"]*)" '
    r'"(?P<statuses>[^"]*)" (?P<rt>[\d.]+) "(?P<urts>[^"]*)"'
)


@dataclass(frozen=True)
class Load(LocustTotals):
    @property
    def failed_pct(self) -> float:
        return 100 * self.failures / self.requests if self.requests else 0.0


@dataclass
class Run:
    database: str
    name: str
    replicas: int
    load: Load | None = None
    rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- databases


@contextmanager
def postgres_server(out: Path) -> Any:
    """A throwaway Postgres from apt (deploy/postgres-dev.sh), fsync on like production."""
    folder = Path(tempfile.mkdtemp(prefix="sightline-pg-"))
    port = free_port()
    env = {**os.environ, "PGDEV_FSYNC": "on"}
    script = str(REPO / "deploy" / "postgres-dev.sh")
    line = subprocess.run(
        ["bash", script, "start", str(folder), str(port)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        yield line.split("=", 1)[1]
    finally:
        subprocess.run(["bash", script, "stop", str(folder)], check=False)
        shutil.copy(folder / "postgres.log", out / "postgres.log")
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"scale_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


# --------------------------------------------------------------------------- stacks


@contextmanager
def stack(args: argparse.Namespace, run: Run, database_url: str | None, out: Path) -> Any:
    """A running stack of ``run.replicas``; on exit a graceful stop, then ``run.rows``."""
    replicas = run.replicas
    home = Path(tempfile.mkdtemp(prefix="sightline-scale-"))
    threads = max(1, (os.cpu_count() or 2) // replicas)
    env = {
        "SIGHTLINE_MODEL_DIR": str(args.model.resolve()),
        "SIGHTLINE_ADMIN_TOKEN": TOKEN,
        "SIGHTLINE_DATABASE_URL": database_url or "",
        "SIGHTLINE_INFERENCE_THREADS": str(threads),
    }
    config = StackConfig(
        replicas=replicas,
        port=args.port,
        api_port=args.port + 1,
        worker=False,
        web=False,
        env=env,
    )
    settings = Settings(home=home, database_url=database_url, model_dir=args.model.resolve())
    running = Stack(settings, config)
    running.start()
    try:
        running.wait_ready(600)
        yield running
    finally:
        running.stop()  # graceful: every replica writes its pending history rows
        run.rows = history_rows(running)
        shutil.copytree(
            running.run / "nginx",
            out,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(
                "*_temp", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"
            ),
        )
        shutil.copytree(running.run / "logs", out / "logs", dirs_exist_ok=True)
        run.extra["nginx_200"] = nginx_answered(out)
        shutil.rmtree(home, ignore_errors=True)


def history_rows(running: Stack) -> int:
    with session_scope(running.settings) as session:
        return session.scalar(select(func.count()).select_from(PredictionRow)) or 0


# --------------------------------------------------------------------------- load


def start_locust(
    url: str, args: argparse.Namespace, seconds: float, prefix: Path, reset_stats: bool
) -> subprocess.Popen[bytes]:
    command = locust_command(
        url,
        args.users,
        seconds,
        prefix,
        pacing=args.pacing,
        reset_stats=reset_stats,  # measure after the ramp-up
        # At the end, users finish the request they are in: every answer is counted.
        stop_timeout=60,
    )
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=locust_env(prefix),
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}_locust.log", "w"),
    )


def finish_locust(process: subprocess.Popen[bytes], prefix: Path) -> Load:
    process.wait()
    return Load(**asdict(locust_totals(prefix)))


def public(running: Stack) -> str:
    return f"http://127.0.0.1:{running.config.port}"


# --------------------------------------------------------------------------- phases


def throughput(
    args: argparse.Namespace, database: str, url: str | None, out: Path, replicas: int
) -> Run:
    run = Run(database, "throughput", replicas)
    folder = out / f"{database}-throughput-{replicas}"
    folder.mkdir()
    with stack(args, run, url and new_database(url), folder) as running:
        print(
            f"  {database}: {replicas} replica(s), {args.users} users, {args.time} s",
            flush=True,
        )
        run.load = finish_locust(
            start_locust(public(running), args, args.time, folder / "load", True),
            folder / "load",
        )
    return run


def failover(args: argparse.Namespace, database: str, url: str | None, out: Path) -> Run:
    run = Run(database, "failover", args.replicas)
    folder = out / f"{database}-failover"
    folder.mkdir()
    with stack(args, run, url and new_database(url), folder) as running:
        print(
            f"  {database}: promotion, then kill -9 one of {args.replicas} replicas",
            flush=True,
        )
        # Longer than the other runs: the killed replica takes a while to come back.
        promotion(running, run, "idle")
        started = time.monotonic()
        load = start_locust(public(running), args, args.time + 60, folder / "load", False)
        time.sleep(PROMOTE_AT_S)  # all users on
        promotion(running, run, "load")
        time.sleep(max(0.0, started + args.time / 2 - time.monotonic()))
        victim = running.config.api_ports[0]
        old_pid = running.pid(f"api-{victim}")
        killed_at = time.time()
        os.kill(old_pid, signal.SIGKILL)
        run.extra["restarted_s"] = wait_back(running, victim, old_pid, killed_at)
        run.load = finish_locust(load, folder / "load")
    run.extra.update(nginx_view(folder, victim, killed_at))
    return run


def wait_back(running: Stack, port: int, old_pid: int, since: float) -> float:
    """Seconds from the kill until the restarted replica answers /health with 200."""
    while True:
        pid = running.pid(f"api-{port}")
        if pid not in (0, old_pid) and http_json(f"http://127.0.0.1:{port}/health")[0] == 200:
            return time.time() - since
        time.sleep(0.2)


def access_log(folder: Path) -> list[dict[str, str]]:
    text = (folder / "access.log").read_text()
    return [m.groupdict() for m in map(ACCESS.match, text.splitlines()) if m]


def nginx_answered(folder: Path) -> int:
    """Predictions nginx passed back with 200: a cross-check of Locust's count."""
    return sum(1 for x in access_log(folder) if x["uri"] == "/api/predict" and x["status"] == "200")


def nginx_view(folder: Path, victim: int, killed_at: float) -> dict[str, Any]:
    """What nginx saw: when it first failed on the dead replica, what failed after."""
    lines = access_log(folder)
    victim_addr = f"127.0.0.1:{victim}"
    failures = [t for x in lines if (t := victim_failure(x, victim_addr)) is not None]
    noticed = min((t for t in failures if t >= killed_at - 1), default=None)
    failed = [x for x in lines if int(x["status"]) >= 500]
    back = min(
        (
            float(x["msec"])
            for x in lines
            if x["addrs"] == victim_addr
            and x["statuses"] == "200"
            and noticed
            and request_start(x) > noticed
        ),
        default=None,
    )
    return {
        "nginx_noticed_after_s": None if noticed is None else noticed - killed_at,
        "failed_5xx_total": len(failed),
        "failed_after_noticed": sum(1 for x in failed if noticed and request_start(x) > noticed),
        "replayed_on_another_replica": sum(1 for x in lines if "," in x["addrs"]),
        "victim_served_again_after_s": None if back is None else back - killed_at,
    }


def victim_failure(line: dict[str, str], victim_addr: str) -> float | None:
    """When this request's attempt on the victim failed (its start plus the time each
    attempt took, as $upstream_response_time lists them), or None."""
    elapsed = request_start(line)
    attempts = zip(
        line["addrs"].split(", "),
        line["statuses"].split(", "),
        line["urts"].split(", "),
        strict=False,
    )
    for addr, status, spent in attempts:
        elapsed += float(spent) if spent.replace(".", "").isdigit() else 0.0
        if addr == victim_addr and status in ("502", "503", "504"):
            return elapsed
    return None


def request_start(line: dict[str, str]) -> float:
    return float(line["msec"]) - float(line["rt"])  # nginx logs a request when it ends


def promotion(running: Stack, run: Run, when: str) -> None:
    """Promote a second version, then roll back to v1, through nginx; time each replica."""
    second = run.extra.get("second_version") or register_second_version(running.settings)
    run.extra["second_version"] = second
    for label, version in (("v2", second), ("v1", "v1")):
        started = time.time()
        request = urllib.request.Request(
            f"{public(running)}/api/models/{version}/promote",
            method="POST",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        urllib.request.urlopen(request, timeout=60).read()
        seconds = [wait_version(url, version) - started for url in running.replica_urls()]
        run.extra[f"promote_{label}_{when}_s"] = seconds
        time.sleep(2)


def wait_version(replica: str, version: str) -> float:
    while http_json(f"{replica}/health")[1].get("model_version") != version:
        time.sleep(0.05)
    return time.time()


# --------------------------------------------------------------------------- report


def report(runs: list[Run], args: argparse.Namespace) -> str:
    lines = [
        (
            f"# Scale-out through nginx ({args.users} users, pacing {args.pacing} s, "
            f"{args.time} s, {os.cpu_count()} cores, model {args.model})"
        ),
        "",
    ]
    lines += [
        "## Throughput: 1 vs N replicas, same load",
        "",
        (
            "| database | replicas | requests | req/s | p50 ms | p95 ms | p99 ms | failed % "
            "| answered (Locust) | 200s (nginx) | history rows | lost |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if run.name == "throughput" and run.load:
            load = run.load
            lines.append(
                f"| {run.database} | {run.replicas} | {load.requests} | {load.rps:.1f} "
                f"| {load.p50:.0f} | {load.p95:.0f} | {load.p99:.0f} "
                f"| {load.failed_pct:.2f} | {load.answered} | {run.extra['nginx_200']} "
                f"| {run.rows} | {load.answered - run.rows} |"
            )
    lines += [
        "",
        "## Failover: kill -9 one replica mid-load (supervisord restarts it)",
        "",
        (
            "| database | requests | failed % | 5xx seen by nginx | failed after nginx noticed "
            "| replayed elsewhere | nginx noticed (s) | replica back (s) | served again (s) "
            "| answered (Locust) | 200s (nginx) | rows | lost with the killed process |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if run.name == "failover" and run.load:
            x, load = run.extra, run.load
            lines.append(
                f"| {run.database} | {load.requests} | {load.failed_pct:.3f} "
                f"| {x['failed_5xx_total']} | {x['failed_after_noticed']} "
                f"| {x['replayed_on_another_replica']} | {fmt(x['nginx_noticed_after_s'])} "
                f"| {fmt(x['restarted_s'])} | {fmt(x['victim_served_again_after_s'])} "
                f"| {load.answered} | {x['nginx_200']} | {run.rows} "
                f"| {load.answered - run.rows} |"
            )
    lines += [
        "",
        "## Promotion and rollback: seconds until each replica serves it",
        "",
        "| database | when | promote v2 (per replica) | roll back to v1 (per replica) |",
        "|---|---|---|---|",
    ]
    for run in runs:
        for when in ("idle", "load") if run.name == "failover" else ():
            lines.append(
                f"| {run.database} | {'no load' if when == 'idle' else 'under the load'} "
                f"| {secs(run.extra[f'promote_v2_{when}_s'])} "
                f"| {secs(run.extra[f'promote_v1_{when}_s'])} |"
            )
    lines += [
        "",
        (
            "Targets: failover < 0.5 % failed and none after nginx notices; every "
            "replica on a promoted version within 5 s; history rows == answered "
            "predictions."
        ),
    ]
    return "\n".join(lines)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def secs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--pacing",
        type=float,
        default=1.0,
        help="seconds between a user's requests (0: back to back)",
    )
    parser.add_argument("--time", type=int, default=60, help="seconds per load run")
    parser.add_argument("--port", type=int, default=18080, help="nginx; replicas follow")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--no-throughput",
        action="store_true",
        help="only the failover and promotion run",
    )
    args = parser.parse_args()
    out = REPO / "bench" / "results" / time.strftime("scale-%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    runs: list[Run] = []
    for database in args.databases.split(","):
        with postgres_server(out) if database == "postgres" else nullcontext() as url:
            for replicas in [] if args.no_throughput else sorted({1, args.replicas}):
                runs.append(throughput(args, database, url, out, replicas))
            runs.append(failover(args, database, url, out))
    summary = report(runs, args)
    (out / "summary.md").write_text(summary + "\n")
    (out / "summary.json").write_text(
        json.dumps(
            [asdict(r) | {"load": asdict(r.load) if r.load else None} for r in runs],
            indent=2,
        )
    )
    print(summary)
    print(f"\nResults in {out}")


if __name__ == "__main__":
    main()
