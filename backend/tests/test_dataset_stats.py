"""data/stats.py: images per class from what a card records, and the uploads waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

from sightline.data.stats import dataset_stats
from sightline.ml.card import ModelCard, Training, TrainingData


@dataclass
class PlainTrainedOn:
    name: str
    train: dict[str, int]
    test: dict[str, int]


@dataclass
class PlainTraining:
    dataset: PlainTrainedOn | None = None


@dataclass
class PlainCard:
    name: str
    class_names: list[str]
    training: PlainTraining = field(default_factory=PlainTraining)


def test_counts_come_from_the_card_and_the_uploads() -> None:
    card = ModelCard(
        name="shapes-model",
        class_names=["circle", "square"],
        training=Training(
            dataset=TrainingData.model_validate(
                {"name": "shapes", "train": {"circle": 60, "square": 50}}
            )
        ),
    )
    counts = dataset_stats(card, {"square": 2, "triangle": 9})
    assert counts.dataset == "shapes" and counts.classes == ["circle", "square"]
    assert counts.train == {"circle": 60, "square": 50}
    assert counts.test == {"circle": 0, "square": 0}
    assert counts.uploads == {"circle": 0, "square": 2}  # unknown classes are not counted
    assert counts.total == 112


def test_any_object_with_the_card_fields_will_do() -> None:
    trained_on = PlainTrainedOn("toy", train={"a": 1}, test={"a": 2})
    counts = dataset_stats(PlainCard("m", ["a"], PlainTraining(trained_on)), {})
    assert (counts.dataset, counts.train, counts.test, counts.total) == (
        "toy",
        {"a": 1},
        {"a": 2},
        3,
    )
    untrained = dataset_stats(PlainCard("m", ["a"]), {"a": 4})
    assert (untrained.dataset, untrained.train, untrained.total) == ("m", {"a": 0}, 4)
