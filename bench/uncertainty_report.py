"""How the shipped model's `uncertain` flag behaves: the share it flags on the CIFAR-10
test set (against what the card states) and on out-of-class images (uniform noise,
flat colour, rendered text), with the accuracy of flagged and unflagged test answers.

    .venv/bin/python bench/uncertainty_report.py [--model models/cifar10] [--n-ood 500]

Data: $SIGHTLINE_CIFAR10 (default ../shared/datasets/cifar10-png.zip if present,
else the official download). Writes bench/results/uncertainty-<time>.json too.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from common import cifar10_source
from sightline.config import REPO_ROOT, get_settings
from sightline.data.datasets import load_dataset
from sightline.ml.uncertainty import (
    OUT_OF_CLASS_KINDS,
    flag_rate,
    out_of_class_images,
    predict_in_batches,
)
from sightline.serving.predictor import Predictor


def test_set_figures(predictor: Predictor) -> dict[str, Any]:
    dataset = load_dataset(
        "cifar10",
        cifar10_source=cifar10_source(),
        cache_dir=get_settings().resolved_cache_dir,
    )
    probabilities = predict_in_batches(predictor.predict_arrays, dataset.x_test)
    flagged = probabilities.max(axis=1) < predictor.threshold
    correct = probabilities.argmax(axis=1) == dataset.y_test
    uncertainty = predictor.card.uncertainty
    return {
        "n": len(dataset.y_test),
        "flag_rate": flag_rate(probabilities, predictor.threshold),
        "card_flagged_share": uncertainty.flagged_share if uncertainty else None,
        "accuracy": float(correct.mean()),
        "accuracy_unflagged": float(correct[~flagged].mean()) if (~flagged).any() else None,
        "accuracy_flagged": float(correct[flagged].mean()) if flagged.any() else None,
    }


def out_of_class_figures(predictor: Predictor, n: int) -> dict[str, Any]:
    per_kind: dict[str, Any] = {}
    for kind in OUT_OF_CLASS_KINDS:
        images = out_of_class_images(kind, n, predictor.input_size)
        probabilities = predict_in_batches(predictor.predict_arrays, images)
        per_kind[kind] = {
            "n": n,
            "flag_rate": flag_rate(probabilities, predictor.threshold),
            "mean_confidence": float(probabilities.max(axis=1).mean()),
        }
    overall = float(np.mean([figures["flag_rate"] for figures in per_kind.values()]))
    return {"flag_rate": overall, "per_kind": per_kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models" / "cifar10")
    parser.add_argument("--n-ood", type=int, default=500, help="images per out-of-class kind")
    args = parser.parse_args()

    predictor = Predictor("shipped", args.model)
    report = {
        "model": str(args.model),
        "threshold": predictor.threshold,
        "target_precision": (
            predictor.card.uncertainty.target_precision if predictor.card.uncertainty else None
        ),
        "test_set": test_set_figures(predictor),
        "out_of_class": out_of_class_figures(predictor, args.n_ood),
    }
    print_report(report)
    out = REPO_ROOT / "bench" / "results" / f"uncertainty-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {out}")


def print_report(report: dict[str, Any]) -> None:
    test = report["test_set"]
    print(f"threshold: uncertain below confidence {report['threshold']:.4f}")
    print(
        f"CIFAR-10 test set (n={test['n']}): flagged {test['flag_rate']:.2%} "
        f"(card states {test['card_flagged_share']:.2%}); accuracy {test['accuracy']:.2%}, "
        f"unflagged {test['accuracy_unflagged']:.2%}, flagged {test['accuracy_flagged']:.2%}"
    )
    ood = report["out_of_class"]
    print(f"out-of-class images: flagged {ood['flag_rate']:.2%} overall")
    for kind, figures in ood["per_kind"].items():
        print(
            f"  {kind:12s} n={figures['n']}: flagged {figures['flag_rate']:.2%}, "
            f"mean confidence {figures['mean_confidence']:.3f}"
        )


if __name__ == "__main__":
    main()
