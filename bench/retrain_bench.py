"""Retraining on this machine: how long fine-tuning takes, and what it costs serving.

    .venv/bin/python bench/retrain_bench.py                    # models/cifar10, 500 uploads
    .venv/bin/python bench/retrain_bench.py --model /tmp/m --uploads 500 --rps 20

1. Starts the API (``sightline serve``) and the worker (``sightline worker``) as two
   processes, as ``make run`` does, on a fresh ``$SIGHTLINE_HOME`` with ``--model`` as
   the shipped model and the CIFAR-10 copy at ``$SIGHTLINE_CIFAR10`` (default:
   ../shared/datasets/cifar10-png.zip) for replay and evaluation. The decoded-dataset
   cache is the repo's ``var/cache`` (as after ``make train``), so the job does not pay
   for decoding.
2. Uploads ``--uploads`` CIFAR-10 training images, the same number per class, through
   POST /api/upload-training-data. With ``--shift lowlight`` (default) they are
   darkened and noisy, a "new camera" the production model has not seen, so the
   champion/challenger verdict means something; ``--shift none`` uploads them as-is.
3. Idle: drives POST /api/predict at ``--rps`` (open loop: requests are sent on
   schedule, whether or not earlier ones have answered) for ``--idle-seconds``.
4. Training: POST /api/retrain, then the same load until the job ends (through the
   hot swap, when the candidate is promoted).
5. Prints the job's wall time (claimed to finished: data, fine-tuning, evaluation of
   both models, registration) against the 3-minute target, the verdict with both
   models' accuracies, and predict p50/p95/p99 and failures idle and while training
   against the targets (zero failures, p95 no more than 3x idle). JSON summary in
   ``bench/results/retrain-<time>.json`` (gitignored).

Every process shares the machine's cores with the load generator (and with whatever
else runs there): the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import numpy as np
from PIL import Image

from common import (
    REPO,
    SIGHTLINE,
    JobWatch,
    cifar10_source,
    free_port,
    stop_processes,
    wait_healthy,
    write_json_result,
)

TOKEN = "retrain-bench-token"
JOB_TIMEOUT_S = 1800
REQUEST_TIMEOUT_S = 30
TARGET_SECONDS = 180
TARGET_P95_RATIO = 3.0


@dataclass
class Answer:
    sent_at: float  # seconds since the phase began
    latency_ms: float
    ok: bool
    model_version: str | None
    error: str | None = None


@dataclass
class LoadSummary:
    requests: int
    failures: int
    achieved_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    versions: dict[str, int]
    errors: list[str]


# --------------------------------------------------------------------------- data


def cifar10_members(source: str, split: str) -> dict[str, list[str]]:
    """Member names of the image-folder zip, by class: ``<root>/<split>/<class>/N.jpg``."""
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
    by_class: dict[str, list[str]] = {}
    for name in names:
        parts = PurePosixPath(name).parts
        if len(parts) >= 3 and parts[-3] == split and name.lower().endswith((".jpg", ".png")):
            by_class.setdefault(parts[-2], []).append(name)
    return {c: sorted(v) for c, v in sorted(by_class.items())}


def lowlight(data: bytes, rng: np.random.Generator) -> bytes:
    """A darker, noisier camera: half the light, sensor noise, as PNG."""
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32)
    shifted = pixels * 0.5 + rng.normal(0, 6, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(shifted, 0, 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_images(source: str, n: int, shift: str) -> dict[str, list[tuple[str, bytes]]]:
    """``n`` training images, the same number per class, by class."""
    members = cifar10_members(source, "train")
    per_class = max(1, n // len(members))
    rng = np.random.default_rng(0)
    chosen: dict[str, list[tuple[str, bytes]]] = {}
    with zipfile.ZipFile(source) as archive:
        for class_name, names in members.items():
            picks = rng.choice(len(names), per_class, replace=False)
            images = []
            for i in picks:
                data = archive.read(names[i])
                if shift == "lowlight":
                    data = lowlight(data, rng)
                images.append((PurePosixPath(names[i]).name, data))
            chosen[class_name] = images
    return chosen


def predict_images(source: str, n: int = 200) -> list[bytes]:
    members = [name for names in cifar10_members(source, "test").values() for name in names]
    picks = np.random.default_rng(1).choice(len(members), n, replace=False)
    with zipfile.ZipFile(source) as archive:
        return [archive.read(members[i]) for i in picks]


# --------------------------------------------------------------------------- processes


@contextmanager
def sightline(args: argparse.Namespace, home: Path, port: int) -> Iterator[str]:
    """The API and the worker, as two processes; yields the API's base URL."""
    env = {
        **os.environ,
        "SIGHTLINE_HOME": str(home),
        "SIGHTLINE_MODEL_DIR": str(args.model.resolve()),
        "SIGHTLINE_CIFAR10": args.cifar10,
        "SIGHTLINE_CACHE_DIR": str(args.cache_dir.resolve()),
        "SIGHTLINE_ADMIN_TOKEN": TOKEN,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    if args.epochs:
        env["SIGHTLINE_RETRAIN_EPOCHS"] = str(args.epochs)
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    commands = {
        "api": [
            SIGHTLINE,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        "worker": [SIGHTLINE, "worker"],
    }
    processes = []
    try:
        for name, command in commands.items():
            with open(logs / f"{name}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
                )
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, processes[0], log=logs / "api.log")
        yield base
    finally:
        stop_processes(processes)  # side by side: SIGTERM to both, then up to 60 s each


# --------------------------------------------------------------------------- load


async def _predict(client: httpx.AsyncClient, image: bytes, started: float) -> Answer:
    sent = time.perf_counter()
    try:
        response = await client.post("/api/predict", files={"file": ("x.jpg", image)})
        latency = (time.perf_counter() - sent) * 1000
        body = response.json()
        ok = response.status_code == 200
        return Answer(
            sent - started,
            latency,
            ok,
            body.get("model_version"),
            None if ok else f"{response.status_code} {body.get('code')}",
        )
    except (httpx.HTTPError, ValueError) as exc:
        latency = (time.perf_counter() - sent) * 1000
        return Answer(sent - started, latency, False, None, type(exc).__name__)


async def drive(base: str, images: list[bytes], rps: float, until: Any) -> list[Answer]:
    """Send predictions at ``rps`` on schedule until ``until()`` is true (checked
    every second, in a thread: it may do HTTP itself)."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        started = time.perf_counter()
        tasks: list[asyncio.Task[Answer]] = []
        next_check = started
        i = 0
        while True:
            now = time.perf_counter()
            if now >= next_check:
                if await asyncio.to_thread(until):
                    break
                next_check = now + 1.0
            due = started + i / rps
            if due > now:
                await asyncio.sleep(due - now)
            tasks.append(asyncio.create_task(_predict(client, images[i % len(images)], started)))
            i += 1
        return list(await asyncio.gather(*tasks))


def summarise(answers: list[Answer]) -> LoadSummary:
    latencies = np.array([a.latency_ms for a in answers if a.ok]) if answers else np.zeros(1)
    span = max(a.sent_at for a in answers) if answers else 0.0
    versions: dict[str, int] = {}
    for answer in answers:
        if answer.model_version:
            versions[answer.model_version] = versions.get(answer.model_version, 0) + 1
    errors = sorted({a.error for a in answers if a.error})
    return LoadSummary(
        requests=len(answers),
        failures=sum(not a.ok for a in answers),
        achieved_rps=round(len(answers) / span, 2) if span else 0.0,
        p50_ms=round(float(np.percentile(latencies, 50)), 1),
        p95_ms=round(float(np.percentile(latencies, 95)), 1),
        p99_ms=round(float(np.percentile(latencies, 99)), 1),
        versions=versions,
        errors=errors,
    )


# --------------------------------------------------------------------------- phases


def upload(base: str, images: dict[str, list[tuple[str, bytes]]]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    totals = {"uploaded": 0, "duplicates": 0, "rejected": 0}
    for class_name, files in images.items():
        response = httpx.post(
            f"{base}/api/upload-training-data",
            params={"class_name": class_name},
            files=[("files", (name, data, "image/png")) for name, data in files],
            headers=headers,
            timeout=300,
        )
        response.raise_for_status()
        body = response.json()
        totals["uploaded"] += body["uploaded"]
        totals["duplicates"] += body["duplicates"]
        totals["rejected"] += len(body["rejected"])
    return totals


def seconds_between(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    print(f"Preparing {args.uploads} upload images ({args.shift}) and predict images ...")
    uploads = upload_images(args.cifar10, args.uploads, args.shift)
    images = predict_images(args.cifar10)
    with (
        tempfile.TemporaryDirectory(prefix="sightline-retrain-bench-") as tmp,
        sightline(args, Path(tmp) / "home", free_port()) as base,
    ):
        production = httpx.get(f"{base}/health").json()["model_version"]
        print(f"API up, serving {production}; uploading ...")
        uploaded = upload(base, uploads)
        print(f"Uploaded: {uploaded}. Idle load: {args.rps} rps for {args.idle_seconds} s ...")
        asyncio.run(_timed(base, images, args.rps, 5))  # warm-up, not counted
        idle = summarise(asyncio.run(_timed(base, images, args.rps, args.idle_seconds)))
        response = httpx.post(
            f"{base}/api/retrain",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        response.raise_for_status()
        watch = JobWatch(f"{base}/api/retrain/{response.json()['job_id']}", JOB_TIMEOUT_S)
        print(f"Job {watch.url.rsplit('/', 1)[1]} queued; load at {args.rps} rps until it ends ...")
        training = summarise(asyncio.run(drive(base, images, args.rps, watch.finished)))
        job = watch.job
    return {
        "model": str(args.model),
        "uploads": uploaded,
        "shift": args.shift,
        "rps": args.rps,
        "cores": os.cpu_count(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "job": {
            k: job.get(k)
            for k in (
                "status",
                "message",
                "epochs",
                "total_steps",
                "model_version",
                "promoted",
                "metrics",
                "history",
                "created_at",
                "started_at",
                "finished_at",
            )
        },
        "job_seconds": seconds_between(job.get("started_at"), job.get("finished_at")),
        "queued_to_finished_seconds": seconds_between(
            job.get("created_at"), job.get("finished_at")
        ),
        "idle": asdict(idle),
        "training": asdict(training),
    }


async def _timed(base: str, images: list[bytes], rps: float, seconds: float) -> list[Answer]:
    end = time.time() + seconds
    return await drive(base, images, rps, lambda: time.time() >= end)


def report(result: dict[str, Any]) -> None:
    job, idle, busy = result["job"], result["idle"], result["training"]
    metrics = job.get("metrics") or {}
    cand, prod = metrics.get("candidate", {}), metrics.get("production", {})
    seconds = result["job_seconds"] or float("nan")
    ratio = busy["p95_ms"] / idle["p95_ms"] if idle["p95_ms"] else float("nan")
    print()
    print(
        f"Model {result['model']}; {result['uploads']['uploaded']} uploads "
        f"({result['shift']}); {result['cores']} cores; load average "
        f"{result['load_average_before']} before, {result['load_average_after']} after"
    )
    print(
        f"Job: {job['status']} in {seconds:.1f} s (claimed to finished; queued to finished "
        f"{result['queued_to_finished_seconds']:.1f} s), {job['epochs']} epochs, "
        f"{job['total_steps']} steps"
    )
    print(f"  {job['message']}")
    for name, scores in (("production", prod), ("candidate", cand)):
        print(
            f"  {name:10s} test accuracy {scores.get('accuracy', float('nan')):.4f}  "
            f"held-out uploads {scores.get('uploads_accuracy', float('nan')):.4f} "
            f"(n={scores.get('uploads_n', 0)})"
        )
    print()
    print(
        f"{'predict @ ' + str(result['rps']) + ' rps':22s} {'requests':>9s} {'failed':>7s} "
        f"{'rps':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}  versions"
    )
    for name, row in (("idle", idle), ("while training", busy)):
        print(
            f"{name:22s} {row['requests']:9d} {row['failures']:7d} {row['achieved_rps']:6.1f} "
            f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['p99_ms']:8.1f}  {row['versions']}"
        )
    if busy["errors"] or idle["errors"]:
        print(f"errors: {sorted(set(idle['errors'] + busy['errors']))}")
    print()
    print("Targets:")
    print(
        f"  fine-tune 500 uploads + replay < {TARGET_SECONDS} s: {seconds:.1f} s "
        f"{'MET' if seconds < TARGET_SECONDS else 'NOT MET'}"
    )
    print(
        f"  zero failed predictions while training: {busy['failures']} "
        f"{'MET' if busy['failures'] == 0 else 'NOT MET'}"
    )
    print(
        f"  p95 while training <= {TARGET_P95_RATIO:.0f}x idle: {ratio:.2f}x "
        f"{'MET' if ratio <= TARGET_P95_RATIO else 'NOT MET'}"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument(
        "--cifar10", default=cifar10_source(), help="the CIFAR-10 zip (lossless copy)"
    )
    parser.add_argument("--cache-dir", type=Path, default=REPO / "var" / "cache")
    parser.add_argument("--uploads", type=int, default=500)
    parser.add_argument("--shift", choices=("lowlight", "none"), default="lowlight")
    parser.add_argument("--epochs", type=int, default=None, help="default: the setting")
    parser.add_argument("--rps", type=float, default=20.0)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not (args.model / "model.keras").exists():
        sys.exit(f"No model at {args.model}: train one first (make train).")
    if args.cifar10 is None:
        sys.exit("No CIFAR-10 zip: pass --cifar10 or set SIGHTLINE_CIFAR10.")
    result = run(args)
    report(result)
    write_json_result("retrain", result)


if __name__ == "__main__":
    main()
