"""Dataset statistics for the production model: what it was trained and tested on
(from its card, so the API never scans the dataset) plus the uploads waiting."""

from __future__ import annotations

from typing import Any


def dataset_stats(card: dict[str, Any], uploads: dict[str, int]) -> dict[str, Any]:
    classes: list[str] = list(card.get("class_names", []))
    trained_on = card.get("training", {}).get("dataset", {})
    train = {name: int(trained_on.get("train", {}).get(name, 0)) for name in classes}
    test = {name: int(trained_on.get("test", {}).get(name, 0)) for name in classes}
    uploaded = {name: int(uploads.get(name, 0)) for name in classes}
    return {
        "dataset": trained_on.get("name", card.get("name", "unknown")),
        "classes": classes,
        "train": train,
        "test": test,
        "uploads": uploaded,
        "total": sum(train.values()) + sum(test.values()) + sum(uploaded.values()),
    }
