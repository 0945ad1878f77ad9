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
    sha256: str | None = None


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


def test_a_model_trained_on_its_classifiers_uploads_counts_them_once() -> None:
    # A first training in the service: the uploads are its train and test images.
    from_uploads = PlainTrainedOn("pets", train={"cat": 80, "dog": 80}, test={"cat": 20, "dog": 20})
    card = PlainCard("pets", ["cat", "dog"], PlainTraining(from_uploads))
    counts = dataset_stats(card, {"cat": 105, "dog": 100}, classifier="pets")
    assert counts.uploads == {"cat": 5, "dog": 0}  # only what came after the training
    assert counts.total == 205
    # A dataset file of the same name (trained on with the CLI) is not the uploads.
    from_file = PlainTrainedOn("pets", train={"cat": 80}, test={"cat": 20}, sha256="f" * 64)
    counts = dataset_stats(PlainCard("pets", ["cat"], PlainTraining(from_file)), {"cat": 7}, "pets")
    assert (counts.uploads, counts.total) == ({"cat": 7}, 107)
