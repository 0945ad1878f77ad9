"""Model benchmark: test accuracy on the full CIFAR-10 test split, per-class accuracy,
single-image latency of the compiled model (batch 1), batch-64 throughput, file size.

    SIGHTLINE_CIFAR10=../shared/datasets/cifar10-jpg.zip .venv/bin/python bench/model_bench.py
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from sightline.config import REPO_ROOT
from sightline.data.datasets import load_dataset
from sightline.ml.artifacts import MODEL_FILE, read_card
from sightline.ml.pipeline import evaluate_model
from sightline.serving.predictor import Predictor, configure_threads


def latency_ms(predictor: Predictor, batch: np.ndarray, calls: int) -> np.ndarray:
    for _ in range(20):
        predictor.predict_arrays(batch)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predictor.predict_arrays(batch)
        times.append((time.perf_counter() - start) * 1000)
    return np.asarray(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models" / "cifar10")
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    configure_threads(2)
    card = read_card(args.model)
    predictor = Predictor("bench", args.model)
    dataset = load_dataset("cifar10", cifar10_source=os.environ.get("SIGHTLINE_CIFAR10"))
    report, seconds = evaluate_model(predictor.model, dataset)
    metrics = report["metrics"]
    print(f"model: {args.model} ({(args.model / MODEL_FILE).stat().st_size / 2**20:.2f} MB, "
          f"{card['architecture']['parameters']:,} parameters)")
    print(f"test accuracy (10,000 CIFAR-10 test images, jpg copy): {metrics['accuracy']:.2%} "
          f"(evaluated in {seconds:.0f} s)")
    print("per-class accuracy: " + ", ".join(
        f"{name} {row['accuracy']:.1%}" for name, row in metrics["per_class"].items()))
    one = latency_ms(predictor, dataset.x_test[:1], args.calls)
    print(f"batch 1, compiled: p50 {np.percentile(one, 50):.2f} ms, "
          f"p95 {np.percentile(one, 95):.2f} ms")
    sixty_four = latency_ms(predictor, dataset.x_test[:64], max(30, args.calls // 10))
    print(f"batch 64, compiled: {64 / (np.median(sixty_four) / 1000):.0f} images/s")
    training = card.get("training", {})
    print(f"trained in {training.get('seconds', 0) / 60:.1f} min on "
          f"{training.get('machine', {}).get('cpu')} ({training.get('machine', {}).get('cores')} "
          f"cores); command: {training.get('command')}")


if __name__ == "__main__":
    main()
