"""Dataset statistics for the production model: what it was trained and tested on
(from its card, so the API never scans the dataset) plus the uploads waiting."""

from __future__ import annotations

from dataclasses import dataclass

from sightline.ml.card import ModelCard


@dataclass(frozen=True)
class DatasetCounts:
    dataset: str
    classes: list[str]
    train: dict[str, int]
    test: dict[str, int]
    uploads: dict[str, int]
    total: int


def dataset_stats(card: ModelCard, uploads: dict[str, int]) -> DatasetCounts:
    classes = list(card.class_names)
    trained_on = card.training.dataset
    train = {name: trained_on.train.get(name, 0) if trained_on else 0 for name in classes}
    test = {name: trained_on.test.get(name, 0) if trained_on else 0 for name in classes}
    uploaded = {name: int(uploads.get(name, 0)) for name in classes}
    return DatasetCounts(
        dataset=trained_on.name if trained_on else card.name,
        classes=classes,
        train=train,
        test=test,
        uploads=uploaded,
        total=sum(train.values()) + sum(test.values()) + sum(uploaded.values()),
    )
