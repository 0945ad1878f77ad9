"""Training-step benchmark: float32 against bfloat16, side by side in one process.

Times the trainer's own compiled step (``ml/training.py``: forward, backward, the SGD
update) at the default widths and batch of 1,024 on random images, alternating the two
precisions round by round so that a machine that slows down or speeds up mid-run
affects both alike. bfloat16 pays only on a CPU that computes it in hardware (AMX or
AVX512-BF16); the table says whether this one does.

    .venv/bin/python bench/train_step_bench.py [--rounds 5] [--batch 1024]

Prints seconds per step (median of the rounds) and the speed-up, and writes
bench/results/train-step-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import tensorflow as tf

from sightline.config import REPO_ROOT
from sightline.data.datasets import Dataset
from sightline.ml.training import TrainConfig, _Trainer, native_bf16, new_networks

RESULTS = REPO_ROOT / "bench" / "results"
PRECISIONS = ("float32", "bfloat16")


def random_dataset(n: int, classes: int = 10) -> Dataset:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(n) % classes
    names = [f"class{i}" for i in range(classes)]
    return Dataset("random", names, images, labels, images[:10], labels[:10])


def make_step(dataset: Dataset, precision: str, batch: int) -> tuple[_Trainer, list[tf.Tensor]]:
    config = replace(
        TrainConfig(), precision=precision, batch_size=batch, compression_probability=0.0
    )
    trainer = _Trainer(new_networks(dataset, config), dataset, config)
    idx = np.arange(batch)
    inputs = [
        tf.constant(trainer._augment(idx, 0), tf.float32),
        tf.constant(dataset.y_train[idx], tf.int32),
        tf.constant(1.0, tf.float32),
        tf.constant(False),
    ]
    return trainer, inputs


def time_step(trainer: _Trainer, inputs: list[tf.Tensor]) -> float:
    start = time.perf_counter()
    loss, _ = trainer.train_step(*inputs)
    float(loss)  # wait for the step to finish
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1024)
    args = parser.parse_args()

    dataset = random_dataset(args.batch)
    steps = {p: make_step(dataset, p, args.batch) for p in PRECISIONS}
    for trainer, inputs in steps.values():  # trace and warm up
        time_step(trainer, inputs)
        time_step(trainer, inputs)
    times: dict[str, list[float]] = {p: [] for p in PRECISIONS}
    for _ in range(args.rounds):
        for precision, (trainer, inputs) in steps.items():
            times[precision].append(time_step(trainer, inputs))

    median = {p: float(np.median(t)) for p, t in times.items()}
    speedup = median["float32"] / median["bfloat16"]
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"native bf16: {native_bf16()}, load average {os.getloadavg()}"
    )
    for precision in PRECISIONS:
        rounds = ", ".join(f"{t:.2f}" for t in times[precision])
        print(f"{precision:>9}: {median[precision]:.2f} s per step of {args.batch}  ({rounds})")
    print(f"bfloat16 speed-up: {speedup:.2f}x")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"train-step-{stamp}.json"
    summary = {
        "measured_at": datetime.now(UTC).isoformat(),
        "batch": args.batch,
        "native_bf16": native_bf16(),
        "cores": os.cpu_count(),
        "seconds_per_step": times,
        "median": median,
        "speedup": speedup,
    }
    out.write_text(json.dumps(summary, indent=1))
    print(f"JSON: {out.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
