"""Transfer benchmark (issue #18): a user's small photo set, three ways to a model.

On catsdogs-small.zip (800 + 800 training photos, 200 + 200 test photos), with the same
input size, epochs and seed for each:

- from scratch (the airbench recipe on the photos alone);
- fine-tuned from ``--parent`` (models/cifar10 by default): head first, then all layers;
- ``--from auto``'s choice: every start on this machine (scratch, models/*, registered
  versions) tried briefly on a validation split of the training photos, the best kept.
  When it picks a start measured above, that row's model is reused (same recipe and
  seed) and its time is the comparison's plus that row's training.

For each: test accuracy, ROC-AUC, the share of test answers flagged uncertain, training
wall time, and batch-1 p50 latency through the serving path at the model's input size.

    SIGHTLINE_CATSDOGS=../shared/datasets/catsdogs-small.zip make bench-transfer

Prints a table and writes bench/results/transfer-bench-<time>.json. Timings are taken on
the machine as it is: the table records the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from common import SHARED_DATASETS
from model_bench import RESULTS, console, latency_row, time_calls
from sightline.config import get_settings
from sightline.data.datasets import Dataset, load_dataset
from sightline.ml.artifacts import copy_model_dir, save_model_dir
from sightline.ml.card import load_card
from sightline.ml.training import TrainResult
from sightline.ml.transfer import (
    QUICK_TRANSFER,
    Start,
    TransferConfig,
    candidate_starts,
    compare_candidates,
    resolve_parent,
    train_from,
    transfer_card,
)
from sightline.serving.predictor import Predictor, configure_threads

TARGET_ACCURACY = 0.92
FLOOR_ACCURACY = 0.88
TARGET_TRAINING_MINUTES = 10.0
TARGET_LATENCY_MS = 5.0


def catsdogs_source() -> Path:
    """``$SIGHTLINE_CATSDOGS``, else the shared copy beside the checkout."""
    if source := os.environ.get("SIGHTLINE_CATSDOGS"):
        return Path(source)
    return SHARED_DATASETS / "catsdogs-small.zip"


def measure(
    label: str, dataset: Dataset, start: Start, config: TransferConfig, result: TrainResult,
    folder: Path, calls: int,
) -> dict[str, Any]:  # fmt: skip
    """Save the model as `sightline train` would, then score and time it as served."""
    card = transfer_card(dataset, start, config, result, command=f"bench/transfer_bench.py {label}")
    save_model_dir(folder, result.networks.serving_model, card)
    predictor = Predictor(label, folder)
    one_image = dataset.x_test[:1].copy()
    latency = latency_row(time_calls(predictor.predict_arrays, one_image, calls))
    assert card.metrics is not None and card.uncertainty is not None
    return {
        "how": label,
        "start": start.label,
        "accuracy": card.metrics.accuracy,
        "roc_auc": card.metrics.roc_auc,
        "flagged_share": card.uncertainty.flagged_share,
        "training_seconds": result.seconds,
        "batch1_p50_ms": latency["p50_ms"],
        "input_size": config.image_size,
        "history": result.history,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = get_settings()
    configure_threads(settings.inference_threads)  # as the API runs
    config = QUICK_TRANSFER if args.quick else TransferConfig()
    overrides = {
        "image_size": args.image_size,
        "head_epochs": args.head_epochs,
        "epochs": args.epochs,
    }
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    size = (config.image_size, config.image_size)
    source = catsdogs_source()
    if not source.exists():
        raise SystemExit(f"{source} does not exist: set SIGHTLINE_CATSDOGS.")
    dataset = load_dataset(str(source), cache_dir=settings.resolved_cache_dir, image_size=size)
    if args.quick:
        dataset = dataset.subset(200, 100)
    work = Path(tempfile.mkdtemp(prefix="transfer-bench-"))
    # A copy: the model the whole run starts from, even if the folder is replaced meanwhile.
    shipped = resolve_parent(str(args.parent), settings)
    parent = resolve_parent(str(copy_model_dir(shipped.directory, work / shipped.name)), settings)
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    trained: dict[str, tuple[Start, TrainResult]] = {}
    for label, start in (
        ("from scratch", Start()),
        (f"fine-tuned from {parent.name}", Start(parent=parent)),
    ):
        with console.status(f"Training {label} ..."):
            result = train_from(dataset, start, config, on_epoch=_say_epoch)
        trained[_key(start)] = (start, result)
        rows.append(
            measure(label, dataset, start, config, result, work / str(len(rows)), args.calls)
        )
        console.print(f"{label}: {rows[-1]['accuracy']:.2%} in {result.seconds:.0f} s")
    try:
        rows.append(auto_row(dataset, config, trained, work, args.calls))
    except Exception as error:  # the rows above are still worth printing
        console.print(f"[red]--from auto failed: {error!r}[/]")
    parent_card = load_card(parent.directory)
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "dataset": {
            "name": dataset.name,
            "train": len(dataset.y_train),
            "test": len(dataset.y_test),
        },
        "parent": {
            "name": parent.name,
            "created_at": parent_card.created_at.isoformat() if parent_card.created_at else None,
        },
        "config": config.to_dict(),
        "rows": rows,
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }


def auto_row(
    dataset: Dataset,
    config: TransferConfig,
    trained: dict[str, tuple[Start, TrainResult]],
    work: Path,
    calls: int,
) -> dict[str, Any]:
    """--from auto: compare every start here, then measure the chosen one's model (the
    row above's when one already trained it with the same recipe and seed)."""
    comparison_started = time.perf_counter()
    with console.status("--from auto: comparing the starts ..."):
        scores = compare_candidates(dataset, candidate_starts(get_settings()), config)
    comparison_seconds = time.perf_counter() - comparison_started
    chosen = scores[0].start
    if _key(chosen) in trained:
        start, result = trained[_key(chosen)]
        note = "reused from the row above"
    else:
        start, result = chosen, train_from(dataset, chosen, config, on_epoch=_say_epoch)
        note = "trained"
    auto = measure(f"auto: {chosen.label}", dataset, start, config, result, work / "auto", calls)
    auto["training_seconds"] = comparison_seconds + result.seconds
    auto["note"] = note
    auto["comparison"] = [
        {"start": s.name, "val_accuracy": s.val_accuracy, "seconds": s.seconds} for s in scores
    ]
    return auto


def _key(start: Start) -> str:
    reference = start.reference()
    return "scratch" if reference is None else f"{reference.kind}:{reference.model_sha256}"


def _say_epoch(epoch: int, logs: dict[str, float]) -> None:
    console.print(f"  epoch {epoch}: val_accuracy {logs['val_accuracy']:.4f}")


def print_results(result: dict[str, Any]) -> None:
    data = result["dataset"]
    table = Table(
        title=f"Transfer benchmark: {data['name']} ({data['train']:,} train / "
        f"{data['test']:,} test photos); parent {result['parent']['name']} "
        f"(card created_at {result['parent']['created_at']})"
    )
    for column in ("how", "px", "test accuracy", "ROC-AUC", "flagged uncertain",
                   "training wall time", "batch-1 p50", "targets"):  # fmt: skip
        table.add_column(column, justify="right" if column != "how" else "left")
    for row in result["rows"]:
        minutes = row["training_seconds"] / 60
        fine_tuned = row["start"] != "scratch"
        verdicts = (
            [
                _accuracy_verdict(row["accuracy"]),
                "time " + _verdict(minutes <= TARGET_TRAINING_MINUTES),
                "latency " + _verdict(row["batch1_p50_ms"] <= TARGET_LATENCY_MS),
            ]
            if fine_tuned
            else ["(baseline)"]
        )
        roc = "-" if row["roc_auc"] is None else f"{row['roc_auc']:.4f}"
        table.add_row(
            row["how"] + (f" ({row['note']})" if row.get("note") else ""),
            str(row["input_size"]),
            f"{row['accuracy']:.2%}",
            roc,
            f"{row['flagged_share']:.1%}",
            f"{minutes:.1f} min",
            f"{row['batch1_p50_ms']:.2f} ms",
            ", ".join(verdicts),
        )
    console.print(table)
    comparison = Table(title="--from auto: starts compared on a validation split")
    for column in ("start", "validation accuracy", "trial seconds"):
        comparison.add_column(column, justify="right")
    for score in result["rows"][-1].get("comparison", []):
        comparison.add_row(
            score["start"], f"{score['val_accuracy']:.2%}", f"{score['seconds']:.0f}"
        )
    console.print(comparison)
    load = result["load_average"]
    console.print(
        f"Targets (fine-tuned): accuracy >= {TARGET_ACCURACY:.0%} "
        f"(floor {FLOOR_ACCURACY:.0%}), training <= {TARGET_TRAINING_MINUTES:.0f} min, "
        f"batch-1 p50 <= {TARGET_LATENCY_MS:.0f} ms. "
        f"Load average (1 min) before / after: {load['before'][0]:.1f} / {load['after'][0]:.1f} "
        f"on {result['cores']} cores: timings are inflated when above the core count."
    )


def _verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]not met[/]"


def _accuracy_verdict(accuracy: float) -> str:
    if accuracy >= TARGET_ACCURACY:
        return "accuracy " + _verdict(True)
    if accuracy >= FLOOR_ACCURACY:
        return "accuracy [yellow]above the floor only[/]"
    return "accuracy " + _verdict(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parent", default="models/cifar10", help="model folder or version id")
    parser.add_argument("--image-size", type=int, default=None, help="input side in pixels")
    parser.add_argument("--head-epochs", type=float, default=None, help="the head-only phase")
    parser.add_argument("--epochs", type=float, default=None, help="the all-layers phase")
    parser.add_argument("--calls", type=int, default=300, help="timed batch-1 calls per model")
    parser.add_argument(
        "--quick", action="store_true", help="a subset and a few epochs: checks the script only"
    )
    args = parser.parse_args()
    result = run(args)
    print_results(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"transfer-bench-{stamp}.json"
    out.write_text(json.dumps(result, indent=2, default=float) + "\n")
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main()
