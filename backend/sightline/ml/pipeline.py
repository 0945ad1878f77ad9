"""Train-evaluate-save, as one step the CLI, the notebook and the worker share."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from sightline.data.datasets import Dataset, dataset_fingerprint
from sightline.ml.artifacts import check_sample, machine_description, save_model_dir
from sightline.ml.card import (
    Architecture,
    Distillation,
    Evaluation,
    Machine,
    ModelCard,
    Training,
    TrainingData,
)
from sightline.ml.evaluation import evaluation_report
from sightline.ml.model import Networks, count_params
from sightline.ml.training import (
    EpochCallback,
    ProgressCallback,
    SoftTargets,
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
) -> ModelCard:
    model = result.networks.serving_model
    card = ModelCard(
        name=f"{dataset.name}-cnn",
        created_at=datetime.now(UTC),
        class_names=dataset.class_names,
        input_shape=[int(d) for d in model.input_shape[1:]],
        input="raw RGB, uint8 or float 0-255; normalisation is inside the model",
        output="softmax probabilities, averaged over the image and its mirror",
        architecture=Architecture(
            family="airbench94-style VGG (patch-whitening, 3 conv groups)",
            widths=list(config.widths),
            parameters=count_params(model),
        ),
        history={key: [*values] for key, values in result.history.items()},
        training=Training(
            command=command,
            config=config.to_dict(),
            seconds=round(result.seconds, 1),
            steps=result.steps,
            machine=Machine.model_validate(machine_description()),
            dataset=training_data(dataset),
            parent=parent,
        ),
    )
    method = (
        "threshold on the top probability: the lowest confidence at which "
        "predictions at or above it are right at least "
        f"{report['uncertainty']['target_precision']:.0%} of the time, fitted on one half "
        "of the test split (alternate images of each class); the flagged share and the "
        "accuracies are measured on the other half"
    )
    evaluated = card.with_evaluation(report)
    assert evaluated.uncertainty is not None
    return evaluated.model_copy(
        update={"uncertainty": evaluated.uncertainty.model_copy(update={"method": method})}
    )


def robustness_evaluation(model: keras.Model, dataset: Dataset) -> Evaluation:
    """Accuracy on another test set of the same classes (the JPEG copy of CIFAR-10, say)."""
    probabilities = predict_probabilities(model, dataset.x_test)
    named = training_data(dataset)
    return Evaluation(
        dataset=dataset.name,
        sha256=named.sha256,
        n=len(dataset.y_test),
        accuracy=float(np.mean(probabilities.argmax(axis=1) == dataset.y_test)),
    )


def training_data(dataset: Dataset) -> TrainingData:
    """The dataset as a card names it: name, content hash and download URL, no path."""
    downloaded = dataset.source.startswith(("https://", "http://"))
    local = Path(dataset.source) if dataset.source and not downloaded else None
    return TrainingData(
        name=dataset.name,
        sha256=dataset_fingerprint(local) if local is not None and local.exists() else None,
        url=dataset.source if downloaded else None,
        train=dataset.counts("train"),
        test=dataset.counts("test"),
    )


def train_and_save(
    dataset: Dataset,
    config: TrainConfig,
    out_dir: Path,
    *,
    command: str,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    compressed_copy: Dataset | None = None,
    networks: Networks | None = None,
    parent: str | None = None,
    distillation: tuple[SoftTargets, Distillation] | None = None,
) -> ModelCard:
    """Train (or, given ``networks``, continue training), evaluate, save with its card.

    ``distillation``: the teachers' answers to learn instead of the labels, and what the
    card says of them (``ml.distillation``)."""
    result = train(
        dataset,
        config,
        networks=networks,
        on_progress=on_progress,
        on_epoch=on_epoch,
        compressed_copy=compressed_copy,
        soft_targets=distillation[0] if distillation is not None else None,
    )
    # Save before evaluating, so a long run is never lost to an evaluation problem.
    provisional = ModelCard(
        class_names=dataset.class_names,
        history={key: [*values] for key, values in result.history.items()},
    )
    save_model_dir(out_dir, result.networks.serving_model, provisional)
    report, _ = evaluate_model(result.networks.serving_model, dataset)
    card = build_card(dataset, result.config, result, report, command, parent)
    if distillation is not None:
        training = card.training.model_copy(update={"distillation": distillation[1]})
        card = card.model_copy(update={"training": training})
    if compressed_copy is not None:
        model = result.networks.serving_model
        card = card.model_copy(
            update={
                "training": card.training.model_copy(
                    update={"compressed_copy": training_data(compressed_copy)}
                ),
                "robustness": [robustness_evaluation(model, compressed_copy)],
            }
        )
    save_model_dir(out_dir, result.networks.serving_model, card, check_sample(dataset.x_test))
    return card


def accuracy_on(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return 0.0
    return float(np.mean(predict_probabilities(model, images).argmax(axis=1) == labels))
