"""Spine benchmark: dataset load time (cold, cached), and 100 CIFAR-10 test images sent
through HTTP to a real `sightline serve` with the shipped model: accuracy, history rows,
server-side predict latency.

    .venv/bin/python bench/spine_bench.py   # SIGHTLINE_CIFAR10: default, the lossless copy
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
import numpy as np

from common import free_port, stop_process, wait_healthy
from sightline.config import REPO_ROOT
from sightline.data.datasets import load_dataset

N_IMAGES = 100
HEALTH_TIMEOUT_S = 180


def time_dataset_load(source: str, cache: Path) -> tuple[float, float]:
    start = time.perf_counter()
    load_dataset("cifar10", cifar10_source=source, cache_dir=cache)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    dataset = load_dataset("cifar10", cifar10_source=source, cache_dir=cache)
    _ = int(dataset.x_train[-1].sum())  # touch the memory map
    return cold, time.perf_counter() - start


def test_images(source: str, n: int) -> list[tuple[str, bytes, str]]:
    """n original JPEG files from the test split (not re-encoded), with their class."""
    with zipfile.ZipFile(source) as archive:
        names = sorted(m for m in archive.namelist() if "/test/" in m and m.endswith(".jpg"))
        rng = np.random.default_rng(0)
        picked = [names[i] for i in rng.choice(len(names), n, replace=False)]
        return [(name, archive.read(name), name.split("/")[-2]) for name in picked]


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGHTLINE_HOME": str(home), "SIGHTLINE_ADMIN_TOKEN": "bench"}
    return subprocess.Popen(
        [sys.executable, "-m", "sightline.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # no options: --help only
    source = os.environ.get("SIGHTLINE_CIFAR10")
    if not source or not source.endswith(".zip"):
        sys.exit("Set SIGHTLINE_CIFAR10 to the CIFAR-10 image-folder zip.")
    with tempfile.TemporaryDirectory() as tmp:
        cold, cached = time_dataset_load(source, Path(tmp) / "cache")
        print(f"dataset load: cold {cold:.1f} s, cached {cached:.3f} s")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(Path(tmp) / "home", port)
        try:
            wait_healthy(base, server, timeout=HEALTH_TIMEOUT_S)
            images = test_images(source, N_IMAGES)
            right, times, ids = 0, [], []
            with httpx.Client(base_url=base, timeout=30) as client:
                for name, data, label in images:
                    body = client.post(
                        "/api/predict", files={"file": (Path(name).name, io.BytesIO(data))}
                    ).json()
                    right += body["prediction"] == label
                    times.append(body["time_ms"])
                    ids.append(body["id"])
                history = client.get("/api/predictions", params={"limit": 500}).json()
            stored = {item["id"] for item in history["items"]}
            print(f"HTTP accuracy on {N_IMAGES} CIFAR-10 test images: {right / N_IMAGES:.0%}")
            print(
                f"history rows: {history['total']} (all {N_IMAGES} present: {set(ids) <= stored})"
            )
            print(
                f"server-side predict time_ms: p50 {np.percentile(times, 50):.2f}, "
                f"p95 {np.percentile(times, 95):.2f}"
            )
        finally:
            stop_process(server, timeout=30)


if __name__ == "__main__":
    os.chdir(REPO_ROOT)
    main()
