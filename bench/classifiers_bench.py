"""Many classifiers in one API process (issue #30): memory, reloads, load spread over
classifiers, and one classifier's answers while another trains.

    make bench-classifiers                                  # the full run, alone
    .venv/bin/python bench/classifiers_bench.py --quick     # a smoke run (CI), tiny numbers

Setup: a fresh ``$SIGHTLINE_HOME``; ``--classifiers`` (20) classifiers ``c00``, ``c01``...,
each with a production version of its own: the shipped model with its last bias nudged
by a different 1e-6 step, saved through the registry, so every file and blob differs
and nothing is shared between them (the answers are the shipped model's to 5 decimals).

(a) Resident: the API (``sightline serve``) with room for all of them
    (``SIGHTLINE_MAX_RESIDENT_MODELS`` = N + 1 with the default classifier); its RSS
    once up, then after one prediction on each classifier, and the MB per classifier.
(c) Spread: Locust (``PredictionClient``, ``--classifiers``), ``--users`` (100) paced
    users (1 request/s each) spread over 5 classifiers, then the same load on 1
    classifier, on that same server: requests, failures, p50/p95/p99.
(d) Training beside: predictions on classifier A at ``--rps`` (open loop) idle, then
    while classifier B retrains on uploaded CIFAR-10 images in a real
    ``sightline worker`` process: p50/p95/p99, failures, and the job's wall time.
(b) Evicted model back: a second API with ``SIGHTLINE_MAX_RESIDENT_MODELS=2``; requests
    round-robin over 3 classifiers, so each finds its model evicted and waits for the
    reload, then the same number of requests on one resident classifier: time from
    request to answer, p50/p95 of each.

Prints the CPU; a JSON summary goes to ``bench/results/classifiers-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from common import (
    REPO,
    SIGHTLINE,
    JobWatch,
    cifar10_source,
    free_port,
    locust_command,
    locust_env,
    locust_totals,
    stop_processes,
    wait_healthy,
    write_json_result,
)
from runtimes import cpu_description, cpu_header

TOKEN = "classifiers-bench-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
REQUEST_TIMEOUT_S = 60.0
JOB_TIMEOUT_S = 1800.0
SPREAD_OVER = 5


@dataclass(frozen=True)
class Timings:
    """Request-to-answer times of a phase (ms) and its failures."""

    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: list[str]

    @classmethod
    def of(cls, latencies: list[float], errors: list[str]) -> Timings:
        values = np.array(latencies) if latencies else np.zeros(1)
        return cls(
            requests=len(latencies) + len(errors),
            failures=len(errors),
            p50_ms=round(float(np.percentile(values, 50)), 1),
            p95_ms=round(float(np.percentile(values, 95)), 1),
            p99_ms=round(float(np.percentile(values, 99)), 1),
            errors=sorted(set(errors)),
        )


# --------------------------------------------------------------------------- setup


def names_of(count: int) -> list[str]:
    return [f"c{i:02d}" for i in range(count)]


def register_classifiers(env: dict[str, str], names: list[str]) -> None:
    """Each classifier gets the shipped model, its last bias nudged by its own step, as
    its production version (through the registry: blobs and rows, as training would)."""
    from sightline.config import Settings
    from sightline.db.session import migrate
    from sightline.ml.artifacts import load_model
    from sightline.ml.card import load_card
    from sightline.ml.classifiers import ClassifierCatalog
    from sightline.ml.registry import ModelRegistry

    settings = Settings(
        home=Path(env["SIGHTLINE_HOME"]), model_dir=Path(env["SIGHTLINE_MODEL_DIR"])
    )
    settings.ensure_dirs()
    migrate(settings)
    catalog = ClassifierCatalog(settings)
    catalog.ensure_default()
    ModelRegistry(settings).ensure_seeded()
    model, card = load_model(settings.model_dir), load_card(settings.model_dir)
    weights = model.get_weights()
    last_bias = max(i for i, w in enumerate(weights) if w.ndim == 1)
    for step, name in enumerate(names, start=1):
        nudged = list(weights)
        nudged[last_bias] = weights[last_bias] + np.float32(step * 1e-6)
        model.set_weights(nudged)
        catalog.create(name, parent=None)
        registry = ModelRegistry(settings, classifier=name)
        registry.promote(registry.register(model, card, parent=None, note="classifiers bench"))


def server_env(home: Path, args: argparse.Namespace, **settings: object) -> dict[str, str]:
    env = {
        **os.environ,
        "SIGHTLINE_HOME": str(home),
        "SIGHTLINE_MODEL_DIR": str(args.model.resolve()),
        "SIGHTLINE_CACHE_DIR": str(args.cache_dir.resolve()),
        "SIGHTLINE_ADMIN_TOKEN": TOKEN,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    if args.cifar10:
        env["SIGHTLINE_CIFAR10"] = args.cifar10
    env.update({f"SIGHTLINE_{key.upper()}": str(value) for key, value in settings.items()})
    return env


@contextmanager
def api(env: dict[str, str], name: str) -> Iterator[tuple[str, int]]:
    """``sightline serve`` on a free port; yields its base URL and pid."""
    logs = Path(env["SIGHTLINE_HOME"]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [SIGHTLINE, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with open(logs / f"{name}.log", "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process, log=logs / f"{name}.log")
        yield base, process.pid
    finally:
        stop_processes([process])


@contextmanager
def worker(env: dict[str, str]) -> Iterator[None]:
    logs = Path(env["SIGHTLINE_HOME"]) / "logs"
    with open(logs / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [SIGHTLINE, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        stop_processes([process])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def prediction_images(args: argparse.Namespace) -> list[bytes]:
    """CIFAR-10 test images when the zip is there, else generated shapes."""
    if args.cifar10:
        from retrain_bench import predict_images

        return predict_images(args.cifar10, 100)
    import io

    from sightline.data.synthetic import SHAPES, draw_shape

    rng, images = np.random.default_rng(0), []
    for i in range(100):
        buffer = io.BytesIO()
        draw_shape(SHAPES[i % len(SHAPES)], rng, 32).save(buffer, "PNG")
        images.append(buffer.getvalue())
    return images


def predict_once(client: httpx.Client, name: str, image: bytes) -> float:
    """Seconds from request to a 200 answer."""
    started = time.perf_counter()
    response = client.post(f"/api/classifiers/{name}/predict", files={"file": ("x.jpg", image)})
    response.raise_for_status()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- phases


def resident_memory(base: str, pid: int, names: list[str], image: bytes) -> dict[str, Any]:
    """(a) RSS with the default model only, then with every classifier's loaded."""
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        predict_once(client, "cifar10", image)
        before = rss_mb(pid)
        load_seconds = [predict_once(client, name, image) for name in names]
        after = rss_mb(pid)
    return {
        "classifiers": len(names),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "mb_per_classifier": round((after - before) / len(names), 1),
        "first_request_s_p50": round(statistics.median(load_seconds), 2),
    }


def spread_load(base: str, names: list[str], args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """(c) The same paced Locust load over 5 classifiers, then on 1."""
    runs = {}
    for label, chosen in (
        (f"over {len(names[:SPREAD_OVER])} classifiers", names[:SPREAD_OVER]),
        ("on 1 classifier", names[:1]),
    ):
        prefix = out / f"locust-{len(chosen)}"
        command = locust_command(base, args.users, args.load_seconds, prefix, pacing=1.0)
        command += ["--classifiers", ",".join(chosen)]
        env = locust_env(prefix) | ({"SIGHTLINE_CIFAR10": args.cifar10} if args.cifar10 else {})
        done = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
        try:
            runs[label] = asdict(locust_totals(prefix))
        except (OSError, ValueError, RuntimeError) as error:  # no request made: say why
            sys.exit(f"Locust gave no figures ({error}); its output:\n{done.stderr[-3000:]}")
    return runs


async def _paced(
    base: str, path: str, images: list[bytes], rps: float, until: Callable[[], bool]
) -> Timings:
    """Predictions at ``rps`` on schedule (open loop) until ``until()`` (checked each second)."""
    latencies: list[float] = []
    errors: list[str] = []

    async def one(client: httpx.AsyncClient, image: bytes) -> None:
        sent = time.perf_counter()
        try:
            response = await client.post(path, files={"file": ("x.jpg", image)})
            if response.status_code == 200:
                latencies.append((time.perf_counter() - sent) * 1000)
            else:
                errors.append(f"{response.status_code} {response.json().get('code')}")
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)

    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        started, tasks, i, next_check = time.perf_counter(), [], 0, 0.0
        while True:
            now = time.perf_counter()
            if now >= next_check:
                if await asyncio.to_thread(until):
                    break
                next_check = now + 1.0
            due = started + i / rps
            if due > now:
                await asyncio.sleep(due - now)
            tasks.append(asyncio.create_task(one(client, images[i % len(images)])))
            i += 1
        await asyncio.gather(*tasks)
    return Timings.of(latencies, errors)


def for_seconds(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() >= end


def upload_training_images(base: str, name: str, args: argparse.Namespace) -> int:
    """CIFAR-10 training images, ``--uploads-per-class`` of each class, to ``name``."""
    from retrain_bench import upload_images

    by_class = upload_images(args.cifar10, args.uploads_per_class * 10, "lowlight")
    for class_name, files in by_class.items():
        response = httpx.post(
            f"{base}/api/classifiers/{name}/upload-training-data",
            params={"class_name": class_name},
            files=[("files", (file, data, "image/png")) for file, data in files],
            headers=ADMIN,
            timeout=300,
        )
        response.raise_for_status()
    return sum(len(files) for files in by_class.values())


def training_beside(
    base: str, a: str, b: str, images: list[bytes], args: argparse.Namespace
) -> dict[str, Any]:
    """(d) Predictions on ``a`` idle, then while ``b`` retrains in the worker."""
    uploaded = upload_training_images(base, b, args)
    path = f"/api/classifiers/{a}/predict"
    asyncio.run(_paced(base, path, images, args.rps, for_seconds(3)))  # warm-up, not counted
    idle = asyncio.run(_paced(base, path, images, args.rps, for_seconds(args.idle_seconds)))
    response = httpx.post(f"{base}/api/classifiers/{b}/retrain", headers=ADMIN, timeout=30)
    response.raise_for_status()
    watch = JobWatch(
        f"{base}/api/classifiers/{b}/retrain/{response.json()['job_id']}", JOB_TIMEOUT_S
    )
    started = time.monotonic()
    training = asyncio.run(_paced(base, path, images, args.rps, watch.finished))
    return {
        "uploads": uploaded,
        "idle": asdict(idle),
        "training": asdict(training),
        "job_status": watch.job.get("status"),
        "job_message": watch.job.get("message"),
        "job_seconds": round(time.monotonic() - started, 1),
    }


def reloads(base: str, names: list[str], image: bytes, count: int) -> dict[str, Any]:
    """(b) Round robin over 3 classifiers with room for 2 models, then one resident."""
    cycle = names[:3]
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        for name in cycle:
            predict_once(client, name, image)  # each loaded once before timing
        evicted = [predict_once(client, cycle[i % 3], image) * 1000 for i in range(count)]
        resident = [predict_once(client, cycle[-1], image) * 1000 for _ in range(count)]
    return {
        "evicted": asdict(Timings.of(evicted, [])),
        "resident": asdict(Timings.of(resident, [])),
    }


# --------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> dict[str, Any]:
    names = names_of(args.classifiers)
    images = prediction_images(args)
    result: dict[str, Any] = {"cpu": cpu_description(), "quick": args.quick, "names": names}
    with tempfile.TemporaryDirectory(prefix="sightline-classifiers-bench-") as tmp:
        home = Path(tmp) / "home"
        many = server_env(
            home,
            args,
            max_resident_models=len(names) + 1,
            max_resident_model_mb=1_000_000,  # (a) measures them all, whatever they take
            retrain_epochs=args.epochs,
            **args.retrain_settings,
        )
        print(f"Registering {len(names)} classifiers (nudged copies of {args.model}) ...")
        register_classifiers(many, names)
        with api(many, "api-many") as (base, pid):
            print("(a) one prediction on each classifier ...")
            result["resident"] = resident_memory(base, pid, names, images[0])
            print(f"(c) {args.users} paced users over {SPREAD_OVER} classifiers, then on 1 ...")
            result["spread"] = spread_load(base, names, args, Path(tmp))
            if args.cifar10:
                print(f"(d) predictions on {names[0]} idle, then while {names[1]} trains ...")
                with worker(many):
                    result["training"] = training_beside(base, names[0], names[1], images, args)
            else:
                print("(d) skipped: no CIFAR-10 zip to train on (--cifar10)")
        few = server_env(home, args, max_resident_models=2)
        with api(few, "api-few") as (base, _pid):
            print(f"(b) {args.reloads} requests that each reload an evicted model ...")
            result["reloads"] = reloads(base, names, images[0], args.reloads)
    return result


def report(result: dict[str, Any]) -> None:
    print()
    print(cpu_header(result["cpu"]))
    memory = result["resident"]
    print(
        f"(a) {memory['classifiers']} classifiers resident: RSS {memory['rss_before_mb']:.0f} MB "
        f"(default model only) -> {memory['rss_after_mb']:.0f} MB, "
        f"{memory['mb_per_classifier']:.1f} MB per classifier; first request (load) "
        f"p50 {memory['first_request_s_p50']:.2f} s"
    )
    reload = result["reloads"]
    print("(b) request to answer        p50 ms   p95 ms")
    for label in ("evicted", "resident"):
        row = reload[label]
        print(f"    {label:24s} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}   (n={row['requests']})")
    print("(c) paced users              requests  failed     rps   p50 ms   p95 ms   p99 ms")
    for label, row in result["spread"].items():
        print(
            f"    {label:24s} {row['requests']:8d} {row['failures']:7d} {row['rps']:7.1f} "
            f"{row['p50']:8.0f} {row['p95']:8.0f} {row['p99']:8.0f}"
        )
    training = result.get("training")
    if training:
        print(
            f"(d) predictions on one classifier, another training ({training['uploads']} "
            f"uploads; job {training['job_status']} in {training['job_seconds']:.0f} s)"
        )
        print("                             requests  failed   p50 ms   p95 ms   p99 ms")
        for label in ("idle", "training"):
            row = training[label]
            print(
                f"    {label:24s} {row['requests']:8d} {row['failures']:7d} "
                f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['p99_ms']:8.1f}"
            )
        idle_p95 = training["idle"]["p95_ms"]
        if idle_p95:
            print(
                f"    p95 while training / idle: {training['training']['p95_ms'] / idle_p95:.2f}x"
            )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny numbers: a smoke run")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--cifar10", default=cifar10_source(), help="the CIFAR-10 zip")
    parser.add_argument("--cache-dir", type=Path, default=REPO / "var" / "cache")
    parser.add_argument("--classifiers", type=int, default=20)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--reloads", type=int, default=20)
    parser.add_argument("--rps", type=float, default=20.0)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--uploads-per-class", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    args.retrain_settings = {}
    if args.quick:
        args.classifiers, args.users, args.load_seconds = 5, 10, 15.0
        args.reloads, args.rps, args.idle_seconds = 3, 5.0, 3.0
        args.uploads_per_class, args.epochs = 10, 1
        args.retrain_settings = {"retrain_replay_per_class": 20, "retrain_eval_size": 200}
    if args.classifiers < 3:
        parser.error("--classifiers: at least 3 (the reload phase cycles over 3)")
    return args


def main() -> None:
    args = parse_args()
    if not (args.model / "model.keras").exists():
        sys.exit(f"No model at {args.model}: train one first (make train).")
    result = run(args)
    report(result)
    write_json_result("classifiers", result)


if __name__ == "__main__":
    main()
