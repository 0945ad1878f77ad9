"""Train-evaluate-save, as one step the CLI, the notebook and the worker share."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from sightline.data.datasets import Dataset
from sightline.ml.artifacts import machine_description, save_model_dir
from sightline.ml.evaluation import evaluation_report
from sightline.ml.model import count_params
from sightline.ml.training import (
    EpochCallback,
    ProgressCallback,
    TrainConfig,
    TrainResult,
    predict_probabilities,
    train,
)


def evaluate_model(model: keras.Model, dataset: Dataset) -> tuple[dict[str, Any], float]:
    """The evaluation report of a serving model on ``dataset``'s test split."""
    start = time.perf_counter()
    probabilities = predict_probabilities(model, dataset.x_test)
    report = evaluation_report(probabilities, dataset.y_test, dataset.class_names, dataset.name)
    return report, time.perf_counter() - start


def build_card(
    dataset: Dataset,
    config: TrainConfig,
    result: TrainResult,
    report: dict[str, Any],
    command: str,
    parent: str | None = None,
) -> dict[str, Any]:
    model = result.networks.serving_model
    return {
        "name": f"{dataset.name}-cnn",
        "created_at": datetime.now(UTC).isoformat(),
        "class_names": dataset.class_names,
        "input_shape": [int(d) for d in model.input_shape[1:]],
        "input": "raw RGB, uint8 or float 0-255; normalisation is inside the model",
        "output": "softmax probabilities, averaged over the image and its mirror",
        "architecture": {
            "family": "airbench94-style VGG (patch-whitening, 3 conv groups)",
            "widths": list(config.widths),
            "parameters": count_params(model),
        },
        "metrics": report["metrics"],
        "uncertainty": {
            **report["uncertainty"],
            "method": "threshold on the top probability: the lowest confidence at which "
            "test-set predictions at or above it are right at least "
            f"{report['uncertainty']['target_precision']:.0%} of the time",
        },
        "baseline": report["baseline"],
        "history": result.history,
        "training": {
            "command": command,
            "config": config.to_dict(),
            "seconds": round(result.seconds, 1),
            "steps": result.steps,
            "machine": machine_description(),
            "dataset": {
                "name": dataset.name,
                "source": dataset.source,
                "train": dataset.counts("train"),
                "test": dataset.counts("test"),
            },
            "parent": parent,
        },
    }


def train_and_save(
    dataset: Dataset,
    config: TrainConfig,
    out_dir: Path,
    *,
    command: str,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    compressed_copy: Dataset | None = None,
) -> dict[str, Any]:
    result = train(
        dataset,
        config,
        on_progress=on_progress,
        on_epoch=on_epoch,
        compressed_copy=compressed_copy,
    )
    # Save before evaluating, so a long run is never lost to an evaluation problem.
    provisional = {"class_names": dataset.class_names, "history": result.history}
    save_model_dir(out_dir, result.networks.serving_model, provisional)
    report, _ = evaluate_model(result.networks.serving_model, dataset)
    card = build_card(dataset, config, result, report, command)
    save_model_dir(out_dir, result.networks.serving_model, card)
    return card


def accuracy_on(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return 0.0
    return float(np.mean(predict_probabilities(model, images).argmax(axis=1) == labels))
