"""Evaluation: the metrics the API reports, and the uncertainty threshold.

The contract's /api/metrics shape is produced here, once, when a model is trained
or evaluated; it is stored with the model version and served from there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)

# A prediction is "uncertain" below the confidence at which, on held-out images, the
# predictions at or above it are right this often; high enough that pages of text are
# flagged (docs/model.md, The uncertainty flag).
UNCERTAINTY_TARGET_PRECISION = 0.98


def classification_metrics(
    probabilities: np.ndarray, labels: np.ndarray, class_names: list[str]
) -> dict[str, Any]:
    predicted = probabilities.argmax(axis=1)
    n_classes = len(class_names)
    classes = list(range(n_classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=classes, zero_division=0
    )
    macro = precision_recall_fscore_support(
        labels, predicted, labels=classes, average="macro", zero_division=0
    )
    matrix = confusion_matrix(labels, predicted, labels=classes)
    per_class = {
        name: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            # Per-class accuracy is the share of that class's images classified right.
            "accuracy": float(recall[i]),
            "support": int(support[i]),
        }
        for i, name in enumerate(class_names)
    }
    metrics: dict[str, Any] = {
        "accuracy": float(np.mean(predicted == labels)) if len(labels) else 0.0,
        "precision": float(macro[0]),
        "recall": float(macro[1]),
        "f1": float(macro[2]),
        "per_class": per_class,
        "class_names": class_names,
        "confusion_matrix": matrix.astype(int).tolist(),
        "roc_auc": None,
    }
    if n_classes == 2 and len(set(labels.tolist())) == 2:
        metrics["roc_auc"] = float(roc_auc_score(labels, probabilities[:, 1]))
    return metrics


def calibrate_uncertainty(
    probabilities: np.ndarray,
    labels: np.ndarray,
    target_precision: float = UNCERTAINTY_TARGET_PRECISION,
) -> dict[str, float]:
    """The lowest confidence threshold whose confident predictions reach the target.

    Sort test predictions by confidence, highest first; walk down while the running
    accuracy of everything above stays at or over ``target_precision``. The flagged
    share (below the threshold) and the accuracy of both parts are reported.
    """
    if len(labels) == 0:
        return {
            "threshold": 0.5,
            "target_precision": target_precision,
            "flagged_share": 0.0,
            "accuracy_confident": 0.0,
            "accuracy_flagged": 0.0,
        }
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    order = np.argsort(-confidence, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.nonzero(running >= target_precision)[0]
    # No prefix reaches the target: flag everything below the most confident answer.
    threshold = float(confidence[order][ok[-1]]) if len(ok) else float(confidence.max())
    flagged = confidence < threshold
    return {
        "threshold": threshold,
        "target_precision": target_precision,
        "flagged_share": float(flagged.mean()),
        "accuracy_confident": float(correct[~flagged].mean()) if (~flagged).any() else 0.0,
        "accuracy_flagged": float(correct[flagged].mean()) if flagged.any() else 0.0,
    }


def calibration_split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indexes of two disjoint halves of a test split, alternating within each class.

    The model trains on every training image, so nothing of the training split is left
    to calibrate on. The threshold is fitted on one half of the test split and checked
    on the other: the figures the card reports for the flag come from images the
    threshold never saw. (Accuracy does not depend on the threshold: it is on the whole
    split.)
    """
    fit: list[np.ndarray] = []
    check: list[np.ndarray] = []
    for label in np.unique(labels):
        members = np.nonzero(labels == label)[0]
        fit.append(members[0::2])
        check.append(members[1::2])
    if not fit:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.sort(np.concatenate(fit)), np.sort(np.concatenate(check))


def honest_uncertainty(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """The threshold fitted on one half of the test split, its effect measured on the other."""
    fit, check = calibration_split(labels)
    if len(check) == 0:  # one image: nothing to hold out
        return {**calibrate_uncertainty(probabilities, labels), "fitted_on": len(labels)}
    fitted = calibrate_uncertainty(probabilities[fit], labels[fit])
    threshold = fitted["threshold"]
    confidence = probabilities[check].max(axis=1)
    correct = probabilities[check].argmax(axis=1) == labels[check]
    flagged = confidence < threshold
    return {
        "threshold": threshold,
        "target_precision": fitted["target_precision"],
        "flagged_share": float(flagged.mean()),
        "accuracy_confident": float(correct[~flagged].mean()) if (~flagged).any() else 0.0,
        "accuracy_flagged": float(correct[flagged].mean()) if flagged.any() else 0.0,
        "fitted_on": len(fit),
        "measured_on": len(check),
    }


def confidence_histogram(probabilities: np.ndarray, bins: int = 10) -> list[float]:
    """Share of predictions per confidence bin on [0, 1]: the drift baseline."""
    if len(probabilities) == 0:
        return [0.0] * bins
    counts, _ = np.histogram(probabilities.max(axis=1), bins=bins, range=(0.0, 1.0))
    return (counts / counts.sum()).astype(float).tolist()


def predicted_class_shares(probabilities: np.ndarray, class_names: list[str]) -> dict[str, float]:
    if len(probabilities) == 0:
        return {name: 0.0 for name in class_names}
    counts = np.bincount(probabilities.argmax(axis=1), minlength=len(class_names))
    return {name: float(counts[i] / counts.sum()) for i, name in enumerate(class_names)}


def evaluation_report(
    probabilities: np.ndarray, labels: np.ndarray, class_names: list[str], dataset: str
) -> dict[str, Any]:
    """Everything a model card records about a model on one test set."""
    return {
        "metrics": {
            **classification_metrics(probabilities, labels, class_names),
            "evaluated_on": {"dataset": dataset, "n": len(labels)},
        },
        "uncertainty": honest_uncertainty(probabilities, labels),
        "baseline": {
            "class_shares": predicted_class_shares(probabilities, class_names),
            "confidence_histogram": confidence_histogram(probabilities),
        },
    }
