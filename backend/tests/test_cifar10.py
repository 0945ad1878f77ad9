"""The shipped CIFAR-10 model on the real data (CI sets SIGHTLINE_CIFAR10)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from sightline.config import REPO_ROOT
from sightline.data.datasets import load_dataset
from sightline.ml.artifacts import load_model
from sightline.ml.card import load_card
from sightline.ml.training import predict_probabilities

SHIPPED = REPO_ROOT / "models" / "cifar10"
CIFAR10 = os.environ.get("SIGHTLINE_CIFAR10")

pytestmark = [
    pytest.mark.cifar10,
    pytest.mark.skipif(not CIFAR10, reason="SIGHTLINE_CIFAR10 is not set (CI sets it)"),
]


@pytest.fixture(scope="module")
def cifar10(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cache = Path(os.environ.get("SIGHTLINE_TEST_CACHE", tmp_path_factory.mktemp("cache")))
    return load_dataset("cifar10", cifar10_source=CIFAR10, cache_dir=cache)


def test_cifar10_has_the_official_split_and_classes(cifar10) -> None:  # type: ignore[no-untyped-def]
    assert cifar10.class_names == [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    assert cifar10.x_train.shape == (50000, 32, 32, 3)
    assert cifar10.x_test.shape == (10000, 32, 32, 3)
    assert set(cifar10.counts("test").values()) == {1000}


def test_shipped_model_accuracy_on_1000_test_images(cifar10) -> None:  # type: ignore[no-untyped-def]
    card = load_card(SHIPPED)
    assert card.class_names == cifar10.class_names and card.metrics is not None
    model = load_model(SHIPPED)
    idx = np.random.default_rng(0).choice(len(cifar10.y_test), 1000, replace=False)
    probabilities = predict_probabilities(model, cifar10.x_test[idx])
    accuracy = float(np.mean(probabilities.argmax(1) == cifar10.y_test[idx]))
    assert accuracy >= 0.85
    assert accuracy == pytest.approx(card.metrics.accuracy, abs=0.03)


CIFAR10_JPG = os.environ.get("SIGHTLINE_CIFAR10_JPG")


@pytest.mark.skipif(not CIFAR10_JPG, reason="SIGHTLINE_CIFAR10_JPG is not set (CI sets it)")
def test_shipped_model_holds_up_on_the_jpeg_copy(tmp_path: Path) -> None:
    """The same test images JPEG-compressed, as uploads arrive: the card's robustness
    figure for that copy is what the model scores on it."""
    card = load_card(SHIPPED)
    recorded = {row.dataset: row for row in card.robustness}
    assert "cifar10-jpg" in recorded, "the card records the JPEG copy's accuracy"
    assert recorded["cifar10-jpg"].n == 10000 and recorded["cifar10-jpg"].sha256
    assert CIFAR10_JPG is not None
    jpg = load_dataset(CIFAR10_JPG, cache_dir=tmp_path)
    model = load_model(SHIPPED)
    idx = np.random.default_rng(0).choice(len(jpg.y_test), 1000, replace=False)
    probabilities = predict_probabilities(model, jpg.x_test[idx])
    accuracy = float(np.mean(probabilities.argmax(1) == jpg.y_test[idx]))
    assert accuracy >= 0.85
    assert accuracy == pytest.approx(recorded["cifar10-jpg"].accuracy, abs=0.03)


def test_card_names_its_data_by_hash_not_path() -> None:
    card = load_card(SHIPPED)
    dataset = card.training.dataset
    assert dataset is not None and dataset.name == "cifar10"
    assert dataset.sha256 is not None and len(dataset.sha256) == 64
    text = (SHIPPED / "card.json").read_text()
    assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text
