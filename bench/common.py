"""What the benchmark scripts share: where things are, a free port, waiting for a server
to be healthy and stopping it, and the headless Locust run (its command line and what
it leaves behind).

The scripts run as ``python bench/<name>.py``, which puts this folder first on
``sys.path``: they import this module as ``common``.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sightline.config import Settings

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# The virtual environment's console scripts, next to its python.
LOCUST = str(Path(PYTHON).with_name("locust"))
SIGHTLINE = str(Path(PYTHON).with_name("sightline"))
LOCUSTFILE = REPO / "locustfile.py"
# The CIFAR-10 copies in the shared folder beside the checkout, where there is one: the
# lossless reference, and the JPEG copy (quality 75, 4:2:0) for the compressed-uploads test.
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
SHARED_CIFAR10 = SHARED_DATASETS / "cifar10-png.zip"
SHARED_CIFAR10_JPG = SHARED_DATASETS / "cifar10-jpg.zip"

HEALTH_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 60.0
LOG_TAIL_CHARS = 3000


def cifar10_source() -> str | None:
    """``$SIGHTLINE_CIFAR10``, else the shared lossless copy if present, else None (the
    official download)."""
    if source := os.environ.get("SIGHTLINE_CIFAR10"):
        return source
    return str(SHARED_CIFAR10) if SHARED_CIFAR10.exists() else None


def cifar10_jpg_source() -> str | None:
    """``$SIGHTLINE_CIFAR10_JPG``, else the shared JPEG copy if present, else None."""
    if source := os.environ.get("SIGHTLINE_CIFAR10_JPG"):
        return source
    return str(SHARED_CIFAR10_JPG) if SHARED_CIFAR10_JPG.exists() else None


def register_second_version(settings: Settings) -> str:
    """The shipped model again, saved anew through the registry (blobs in the shared
    store, a row in the database): a second version to promote and roll back, as a
    retrain would register it. Returns its version id."""
    from sightline.ml.artifacts import load_model
    from sightline.ml.card import load_card
    from sightline.ml.registry import ModelRegistry

    registry = ModelRegistry(settings)
    return registry.register(
        load_model(settings.model_dir), load_card(settings.model_dir), parent="v1"
    )


# --------------------------------------------------------------------------- servers


def write_json_result(name: str, result: dict[str, Any]) -> Path:
    """``result`` as ``bench/results/<name>-<time>.json`` (gitignored); prints its path."""
    out = REPO / "bench" / "results" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nJSON: {out.relative_to(REPO)}")
    return out


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (free when asked, not reserved)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout: float = HEALTH_TIMEOUT_S,
    log: Path | None = None,
) -> None:
    """Return once ``GET {url}/health`` answers 200.

    Ends the script (``SystemExit`` with a message, the tail of ``log`` included when
    given) if ``process``, the server or what launched it, exits first, or if
    ``timeout`` seconds pass.
    """
    health = f"{url.rstrip('/')}/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit(
                f"The server exited with code {process.returncode} before {health} "
                f"answered{_log_tail(log)}"
            )
        try:
            with urllib.request.urlopen(health, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass  # not listening yet, or not ready (urllib raises on a non-2xx answer)
        time.sleep(0.5)
    sys.exit(f"{health} did not answer 200 within {timeout:.0f} s{_log_tail(log)}")


def _log_tail(log: Path | None) -> str:
    if log is None:
        return ""
    try:
        tail = log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
    except OSError as error:
        return f"; its log {log} cannot be read ({error})"
    return f"; the end of its log, {log}:\n{tail}"


def stop_process(
    process: subprocess.Popen[bytes],
    timeout: float = STOP_TIMEOUT_S,
    *,
    signal_pid: int | None = None,
) -> None:
    """Stop ``process`` gracefully: SIGTERM (Sightline then writes its pending history
    rows), up to ``timeout`` seconds to exit, then SIGKILL. Nothing if it has exited.

    ``signal_pid``: where the SIGTERM goes instead, when ``process`` is a wrapper (such
    as strace) around the server; the wait and the kill are still on ``process``.
    """
    if process.poll() is not None:
        return
    if signal_pid is None:
        process.terminate()
    else:
        os.kill(signal_pid, signal.SIGTERM)
    _wait_or_kill(process, timeout)


def stop_processes(
    processes: Iterable[subprocess.Popen[bytes]], timeout: float = STOP_TIMEOUT_S
) -> None:
    """``stop_process`` for several at once: all are sent SIGTERM first, so they shut
    down side by side, then each gets up to ``timeout`` seconds before SIGKILL."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        _wait_or_kill(process, timeout)


def _wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------- Locust


def locust_command(
    host: str,
    users: int,
    seconds: float,
    csv_prefix: Path,
    *,
    pacing: float,
    user_class: str = "PredictionClient",
    spawn_rate: float | None = None,
    reset_stats: bool = False,
    html: bool = False,
    request_timeout: float | None = None,
    stop_timeout: float | None = None,
) -> list[str]:
    """The argv of a headless Locust run of ``locustfile.py`` against ``host``.

    ``users`` users of ``user_class``, each starting a task every ``pacing`` seconds
    (0: back to back), all on in about 5 s unless ``spawn_rate`` says otherwise, for
    ``seconds``; the summary only, warnings only, CSV statistics under ``csv_prefix``
    (``{csv_prefix}_stats.csv``...). Options: ``reset_stats`` (measure after the
    ramp-up), ``html`` (a report at ``{csv_prefix}.html``), ``request_timeout`` (in
    seconds; Locust's default is 60), ``stop_timeout`` (seconds users get at the end to
    finish the request they are in).
    """
    rate = max(1.0, users / 5) if spawn_rate is None else spawn_rate
    command = [
        LOCUST,
        "-f",
        str(LOCUSTFILE),
        user_class,
        "--headless",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{int(seconds)}s",
        "--host",
        host,
        "--pacing",
        str(pacing),
        "--only-summary",
        "--csv",
        str(csv_prefix),
        "--loglevel",
        "WARNING",
    ]
    if request_timeout is not None:
        command += ["--request-timeout", str(request_timeout)]
    if reset_stats:
        command.append("--reset-stats")
    if html:
        command += ["--html", f"{csv_prefix}.html"]
    if stop_timeout is not None:
        command += ["--stop-timeout", str(stop_timeout)]
    return command


def locust_env(csv_prefix: Path) -> dict[str, str]:
    """The environment for a Locust run: this one's, plus where ``locustfile.py`` writes
    how many predictions were answered 200 (``{csv_prefix}_answered.json``)."""
    return {**os.environ, "SIGHTLINE_LOAD_COUNT_FILE": f"{csv_prefix}_answered.json"}


@dataclass(frozen=True)
class LocustTotals:
    """A finished Locust run's totals (latencies in ms)."""

    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    answered: int  # 200 answers to predictions over the whole run, ramp-up included


def locust_totals(csv_prefix: Path) -> LocustTotals:
    """The ``Aggregated`` row of ``{csv_prefix}_stats.csv`` and the answered count of a
    run started with ``locust_command`` and ``locust_env``."""
    stats_path = Path(f"{csv_prefix}_stats.csv")
    with open(stats_path) as handle:
        row = next((r for r in csv.DictReader(handle) if r["Name"] == "Aggregated"), None)
    if row is None:
        raise RuntimeError(f"no Aggregated row in {stats_path}")
    answered = json.loads(Path(f"{csv_prefix}_answered.json").read_text())["predictions"]
    return LocustTotals(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rps=float(row["Requests/s"]),
        p50=float(row["50%"]),
        p95=float(row["95%"]),
        p99=float(row["99%"]),
        answered=int(answered),
    )


class JobWatch:
    """Polls a retraining job's URL (in a load's check thread) and keeps its last state;
    exits the benchmark when the job outlives ``timeout_s``."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.job: dict[str, Any] = {}
        self.deadline = time.monotonic() + timeout_s

    def finished(self) -> bool:
        import httpx  # only the benches that follow a job need it

        try:
            self.job = httpx.get(self.url, timeout=10).json()
        except httpx.HTTPError:
            return False
        if time.monotonic() > self.deadline:
            sys.exit(f"The job did not finish in {self.timeout_s:.0f} s: {self.job}")
        return self.job.get("status") not in ("queued", "running")
