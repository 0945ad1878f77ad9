"""Drift: how far recent predictions have moved from the production model's test set.

The population stability index (PSI) compares two distributions over the same bins:
sum((p - q) * ln(p / q)). By the usual reading, under 0.1 is stable, 0.1-0.2 a shift
worth watching, over 0.2 a significant change. It is computed for the predicted-class
shares and for the histogram of confidence (10 bins on [0, 1]); the baseline of both
was measured on the test split when the model was evaluated (ml/evaluation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

PSI_THRESHOLD = 0.2
MIN_PREDICTIONS = 50  # fewer than this and the comparison says nothing
EPSILON = 1e-4  # empty bins would make PSI infinite


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    p = np.clip(np.asarray(actual, np.float64), EPSILON, None)
    q = np.clip(np.asarray(expected, np.float64), EPSILON, None)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum((p - q) * np.log(p / q)))


def confidence_histogram(confidences: Sequence[float], bins: int = 10) -> list[float]:
    if not len(confidences):
        return [0.0] * bins
    counts, _ = np.histogram(np.asarray(confidences), bins=bins, range=(0.0, 1.0))
    return (counts / counts.sum()).tolist()


def drift_report(
    baseline: dict[str, Any],
    class_names: list[str],
    class_counts: dict[str, int],
    confidence_bins: Sequence[float],
    threshold: float = PSI_THRESHOLD,
) -> dict[str, Any]:
    """``confidence_bins``: the window's confidences counted in 10 bins on [0, 1] (counts
    or shares: PSI normalises), as ``confidence_histogram`` makes them."""
    n = sum(class_counts.values())
    report: dict[str, Any] = {
        "detected": False,
        "threshold": threshold,
        "window_n": n,
        "min_predictions": MIN_PREDICTIONS,
        "method": "population stability index",
        "class_psi": None,
        "confidence_psi": None,
    }
    expected_shares = baseline.get("class_shares")
    expected_hist = baseline.get("confidence_histogram")
    if not expected_shares or not expected_hist:
        report["reason"] = "the production model's card has no baseline"
        return report
    if n < MIN_PREDICTIONS:
        report["reason"] = f"too few predictions in the window ({n} < {MIN_PREDICTIONS})"
        return report
    actual_shares = [class_counts.get(name, 0) / n for name in class_names]
    report["class_psi"] = round(
        psi([expected_shares.get(c, 0.0) for c in class_names], actual_shares), 4
    )
    report["confidence_psi"] = round(psi(expected_hist, confidence_bins), 4)
    report["detected"] = max(report["class_psi"], report["confidence_psi"]) > threshold
    return report
