"""Model benchmark: the figures issues #3 and #13 set targets for, for one saved model folder.

- test accuracy on the whole test split (the 10,000 CIFAR-10 test images of the lossless
  copy) and per class, through the same `evaluate_model` as `sightline eval`; and on the
  same 10,000 images JPEG-compressed (the JPEG copy: what uploads look like);
- single-image latency, batch 1, uint8 (1, 32, 32, 3), through the serving path's
  compiled tf.function (`Predictor`), p50/p95 over `--calls` calls after a warm-up; and
  the same model under XLA (jit_compile), for comparison;
- batch-64 throughput, images/s;
- model file size, parameter count, and the card's training time, machine and command;
- Keras and the runtime SIGHTLINE_RUNTIME (--runtime, default auto) picks, side by side
  (bench/runtimes.py), under the CPU's name and AMX / AVX512-BF16 / AVX2 flags.

    make bench-model [MODEL=models/cifar10]   # lossless copy + JPEG copy beside the checkout

Prints a table and writes bench/results/model-bench-<time>.json. Latency is measured on
this machine as it is: the table records the load average, since a busy machine
inflates every timing.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from common import cifar10_jpg_source, cifar10_source
from runtimes import compare_runtimes, cpu_description, cpu_header, openvino_cost, runtime_notes
from sightline.config import REPO_ROOT, get_settings
from sightline.data.datasets import Dataset, load_dataset
from sightline.ml.artifacts import MODEL_FILE
from sightline.ml.model import count_params
from sightline.ml.pipeline import evaluate_model
from sightline.serving.predictor import Predictor, configure_threads

# The targets of issue #13, for CIFAR-10: the lossless test split, and its JPEG copy.
TARGET_ACCURACY = 0.950
FLOOR_ACCURACY = 0.940
TARGET_JPG_ACCURACY = 0.930
TARGET_LATENCY_MS = 3.0
TARGET_FILE_MB = 10.0
TARGET_TRAINING_MINUTES = 75.0
WARM_UP_CALLS = 50
RESULTS = REPO_ROOT / "bench" / "results"

# Wide enough for the table when the output is a file or a pipe (rich assumes 80 there).
console = Console(width=max(Console().width, 120))


def time_calls(call: Callable[[np.ndarray], Any], batch: np.ndarray, calls: int) -> np.ndarray:
    """Wall time of each of ``calls`` calls, in ms, after WARM_UP_CALLS untimed ones."""
    for _ in range(WARM_UP_CALLS):
        call(batch)
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call(batch)
        times[i] = (time.perf_counter() - start) * 1000
    return times


def xla_predict(predictor: Predictor) -> Callable[[np.ndarray], np.ndarray]:
    """The serving model compiled with XLA (not the serving path: for comparison)."""
    import tensorflow as tf

    model = predictor.model

    @tf.function(jit_compile=True)
    def infer(images: tf.Tensor) -> tf.Tensor:
        return model(tf.cast(images, tf.float32), training=False)

    return lambda images: infer(tf.constant(images, tf.uint8)).numpy()


def latency_row(times_ms: np.ndarray) -> dict[str, float]:
    return {
        "p50_ms": float(np.percentile(times_ms, 50)),
        "p95_ms": float(np.percentile(times_ms, 95)),
        "mean_ms": float(times_ms.mean()),
        "calls": len(times_ms),
    }


def load_test_data(spec: str, cifar10: str | None = None) -> Dataset:
    settings = get_settings()
    with console.status(f"Loading {spec} ..."):
        return load_dataset(
            spec,
            cifar10_source=cifar10 or settings.cifar10 or cifar10_source(),
            cache_dir=settings.resolved_cache_dir,
        )


def jpg_accuracy(predictor: Predictor, data: str, jpg: str | None) -> float | None:
    """Accuracy on the JPEG copy of the CIFAR-10 test split, when there is one."""
    if data != "cifar10" or not jpg:
        return None
    dataset = load_test_data("cifar10", jpg)
    with console.status(f"Evaluating on {len(dataset.y_test):,} JPEG test images ..."):
        report, _ = evaluate_model(predictor.model, dataset)
    return float(report["metrics"]["accuracy"])


def runtime_rows(
    model_dir: Path, dataset: Dataset, requested: str, calls: int, threads: int
) -> dict[str, Any]:
    """Keras and the runtime ``requested`` picks, side by side on the whole test split."""
    with console.status(f"Keras vs SIGHTLINE_RUNTIME={requested} ..."):
        rows = compare_runtimes(model_dir, dataset.x_test, requested, calls, threads)
    for row in rows.values():
        row["accuracy"] = float(np.mean(row.pop("answers").argmax(1) == dataset.y_test))
    return rows


def benchmark(
    model_dir: Path, data: str, calls: int, jpg: str | None, runtime: str = "auto"
) -> dict[str, Any]:
    settings = get_settings()
    configure_threads(settings.inference_threads)  # as the API runs it
    load_before = os.getloadavg()
    predictor = Predictor("bench", model_dir)  # loads, compiles and warms up
    card = predictor.card
    dataset = load_test_data(data)
    if card.class_names and card.class_names != dataset.class_names:
        raise SystemExit(
            f"The model's classes {card.class_names} are not the data's "
            f"{dataset.class_names}: pass --data with the dataset it was trained on."
        )

    with console.status(f"Evaluating on {len(dataset.y_test):,} test images ..."):
        report, eval_seconds = evaluate_model(predictor.model, dataset)
    one_image = np.ascontiguousarray(dataset.x_test[:1])
    batch_64 = np.ascontiguousarray(dataset.x_test[:64])
    with console.status("Timing batch 1 (serving path) ..."):
        serving_ms = time_calls(predictor.predict_arrays, one_image, calls)
    with console.status("Timing batch 1 (XLA) ..."):
        xla = xla_predict(predictor)
        xla_ms = time_calls(xla, one_image, calls)
    with console.status("Timing batch 64 ..."):
        batch_ms = time_calls(predictor.predict_arrays, batch_64, max(50, calls // 4))

    metrics = report["metrics"]
    training = card.training
    runtimes = runtime_rows(model_dir, dataset, runtime, calls, settings.inference_threads)
    return {
        "model": str(model_dir),
        "cpu": cpu_description(),
        "runtimes": runtimes,
        "openvino_cost": openvino_cost(),
        "measured_at": datetime.now(UTC).isoformat(),
        "dataset": {"name": dataset.name, "source": dataset.source, "test": len(dataset.y_test)},
        "accuracy": metrics["accuracy"],
        "jpg_accuracy": jpg_accuracy(predictor, data, jpg),
        "per_class": {name: row["accuracy"] for name, row in metrics["per_class"].items()},
        "evaluation_seconds": eval_seconds,
        "batch1_serving": latency_row(serving_ms),
        "batch1_xla": latency_row(xla_ms),
        "batch64_images_per_s": 64 / (float(np.median(batch_ms)) / 1000),
        "file_mb": (model_dir / MODEL_FILE).stat().st_size / 1e6,
        "parameters": count_params(predictor.model),
        "inference_threads": settings.inference_threads,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "training": {
            "seconds": training.seconds,
            "machine": training.machine.model_dump() if training.machine else None,
            "command": training.command,
            "created_at": card.created_at.isoformat() if card.created_at else None,
        },
    }


def verdict(ok: bool | None) -> str:
    if ok is None:
        return ""
    return "[green]met[/]" if ok else "[red]not met[/]"


def accuracy_verdict(accuracy: float) -> str:
    if accuracy >= TARGET_ACCURACY:
        return verdict(True)
    if accuracy >= FLOOR_ACCURACY:
        return "[yellow]above the floor only[/]"
    return verdict(False)


def print_results(result: dict[str, Any]) -> None:
    is_cifar10 = result["dataset"]["name"] == "cifar10"

    def check(ok: bool) -> bool | None:
        return ok if is_cifar10 else None  # the targets are for CIFAR-10

    table = Table(title=f"Model benchmark: {result['model']}")
    for column in ("measure", "value", "target", ""):
        table.add_column(column)
    accuracy = result["accuracy"]
    accuracy_target = f">= {TARGET_ACCURACY:.1%} (floor {FLOOR_ACCURACY:.0%})"
    table.add_row(
        f"test accuracy ({result['dataset']['test']:,} {result['dataset']['name']} test images)",
        f"{accuracy:.2%}",
        accuracy_target if is_cifar10 else "",
        accuracy_verdict(accuracy) if is_cifar10 else "",
    )
    if result.get("jpg_accuracy") is not None:
        table.add_row(
            "test accuracy (the same images, JPEG copy: quality 75, 4:2:0)",
            f"{result['jpg_accuracy']:.2%}",
            f">= {TARGET_JPG_ACCURACY:.1%}",
            verdict(result["jpg_accuracy"] >= TARGET_JPG_ACCURACY),
        )
    for key, label in (("batch1_serving", "serving tf.function"), ("batch1_xla", "XLA")):
        row = result[key]
        table.add_row(
            f"batch 1, p50 / p95, {label}",
            f"{row['p50_ms']:.2f} / {row['p95_ms']:.2f} ms",
            f"<= {TARGET_LATENCY_MS:.0f} ms" if key == "batch1_serving" else "",
            verdict(check(row["p50_ms"] <= TARGET_LATENCY_MS)) if key == "batch1_serving" else "",
        )
    table.add_row("batch 64, serving", f"{result['batch64_images_per_s']:,.0f} images/s", "", "")
    table.add_row(
        "model file",
        f"{result['file_mb']:.2f} MB",
        f"< {TARGET_FILE_MB:.0f} MB",
        verdict(check(result["file_mb"] < TARGET_FILE_MB)),
    )
    table.add_row("parameters", f"{result['parameters']:,}", "", "")
    training = result["training"]
    if training["seconds"] is not None:
        minutes = training["seconds"] / 60
        machine = training["machine"] or {}
        table.add_row(
            "training time (card)",
            f"{minutes:.1f} min on {machine.get('cpu')} ({machine.get('cores')} cores)",
            f"<= {TARGET_TRAINING_MINUTES:.0f} min",
            verdict(check(minutes <= TARGET_TRAINING_MINUTES)),
        )
        table.add_row("training command (card)", str(training["command"]), "", "")
    load = result["load_average"]
    table.add_row(
        "load average (1 min) before / after",
        f"{load['before'][0]:.1f} / {load['after'][0]:.1f} on {os.cpu_count()} cores",
        "",
        "timings are inflated when above the core count",
    )
    console.print(table)
    print_runtimes(result)

    per_class = Table(title="Per-class accuracy")
    per_class.add_column("class")
    per_class.add_column("accuracy", justify="right")
    for name, value in result["per_class"].items():
        per_class.add_row(name, f"{value:.1%}")
    console.print(per_class)


def print_runtimes(result: dict[str, Any]) -> None:
    """Keras and the chosen runtime side by side, under the CPU's name and flags."""
    console.print(cpu_header(result["cpu"]))
    table = Table(title="Keras and the chosen runtime (the serving path, this machine)")
    for column in ("runtime", "precision", "batch 1 p50 / p95", "batch 64", "top-1 = Keras"):
        table.add_column(column)
    table.add_column("test accuracy", justify="right")
    for label, row in result["runtimes"].items():
        title = "Keras (reference)" if label == "keras" else f"chosen ({row['requested']})"
        table.add_row(
            f"{title}: {row['name']}",
            row["precision"],
            f"{row['batch1_p50_ms']:.2f} / {row['batch1_p95_ms']:.2f} ms",
            f"{row['batch64_images_per_s']:,.0f} images/s",
            f"{row['top1_agreement_with_keras']:.2%}",
            f"{row['accuracy']:.2%}",
        )
    console.print(table)
    for line in runtime_notes(result["runtimes"], result["openvino_cost"]):
        console.print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description="Accuracy, latency and size of a saved model.")
    parser.add_argument("--model", type=Path, default=get_settings().model_dir)
    parser.add_argument(
        "--data", default="cifar10", help='"cifar10" (SIGHTLINE_CIFAR10) or an image folder'
    )
    parser.add_argument(
        "--jpg",
        default=cifar10_jpg_source(),
        help="the JPEG copy of CIFAR-10 (SIGHTLINE_CIFAR10_JPG); '' to skip",
    )
    parser.add_argument("--calls", type=int, default=300, help="timed batch-1 calls (>= 200)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results")
    parser.add_argument(
        "--runtime", default="auto", choices=("auto", "keras", "openvino"), help="beside Keras"
    )
    args = parser.parse_args()
    if args.calls < 200:
        parser.error("--calls must be at least 200 for a stable p95")

    result = benchmark(args.model, args.data, args.calls, args.jpg or None, args.runtime)
    print_results(result)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.json or RESULTS / f"model-bench-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"Results: {out}")


if __name__ == "__main__":
    main()
