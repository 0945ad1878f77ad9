"""Dataset statistics for the production model: what it was trained and tested on
(from its card, so the API never scans the dataset) plus the uploads waiting.

The card is described here only by the fields these counts read (``ml.card.ModelCard``
has them), so data/ needs nothing from ml/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class TrainedOn(Protocol):
    """The dataset a model was trained on, as its card records it."""

    @property
    def name(self) -> str: ...

    @property
    def train(self) -> Mapping[str, int]: ...

    @property
    def test(self) -> Mapping[str, int]: ...

    @property
    def sha256(self) -> str | None: ...


class TrainingRecord(Protocol):
    @property
    def dataset(self) -> TrainedOn | None: ...


class CardCounts(Protocol):
    """What the counts need from a model card."""

    @property
    def name(self) -> str: ...

    @property
    def class_names(self) -> Sequence[str]: ...

    @property
    def training(self) -> TrainingRecord: ...


@dataclass(frozen=True)
class DatasetCounts:
    dataset: str
    classes: list[str]
    train: dict[str, int]
    test: dict[str, int]
    uploads: dict[str, int]
    total: int


def dataset_stats(
    card: CardCounts, uploads: Mapping[str, int], classifier: str | None = None
) -> DatasetCounts:
    """Images per class. ``uploads`` are ``classifier``'s; those its model was trained
    and tested on (a training in the service, from the uploads alone) are counted once,
    in train and test, so only the uploads beyond them count as uploads."""
    classes = list(card.class_names)
    trained_on = card.training.dataset
    train = {name: trained_on.train.get(name, 0) if trained_on else 0 for name in classes}
    test = {name: trained_on.test.get(name, 0) if trained_on else 0 for name in classes}
    uploaded = {name: int(uploads.get(name, 0)) for name in classes}
    if learned_from_uploads(trained_on, classifier):
        uploaded = {name: max(0, n - train[name] - test[name]) for name, n in uploaded.items()}
    return DatasetCounts(
        dataset=trained_on.name if trained_on else card.name,
        classes=classes,
        train=train,
        test=test,
        uploads=uploaded,
        total=sum(train.values()) + sum(test.values()) + sum(uploaded.values()),
    )


def learned_from_uploads(trained_on: TrainedOn | None, classifier: str | None) -> bool:
    # A training in the service names its dataset after the classifier, and has no file
    # to hash; a dataset trained on from a folder or zip has its content hash.
    return trained_on is not None and trained_on.name == classifier and trained_on.sha256 is None
