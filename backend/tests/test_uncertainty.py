"""The `uncertain` flag of the shipped CIFAR-10 model: on test images it flags about the
share its card states; on images that are none of the classes it flags most."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sightline.config import REPO_ROOT
from sightline.data.datasets import load_dataset
from sightline.serving.predictor import Predictor

SHIPPED = REPO_ROOT / "models" / "cifar10"
CIFAR10 = os.environ.get("SIGHTLINE_CIFAR10")

pytestmark = [
    pytest.mark.cifar10,
    pytest.mark.skipif(not CIFAR10, reason="SIGHTLINE_CIFAR10 is not set (CI sets it)"),
    pytest.mark.skipif(not (SHIPPED / "model.keras").exists(), reason="no shipped model"),
]


def out_of_class_images(n: int = 60, seed: int = 0) -> np.ndarray:
    """Uniform noise, flat colours and rendered text: none of them is a CIFAR-10 class."""
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(n // 3)]
    images += [np.full((32, 32, 3), rng.integers(0, 256, 3), np.uint8) for _ in range(n // 3)]
    for i in range(n - len(images)):
        canvas = Image.new("RGB", (32, 32), tuple(int(v) for v in rng.integers(180, 256, 3)))
        ImageDraw.Draw(canvas).text((1, 10), f"A{i}z", fill=(0, 0, 0))
        images.append(np.asarray(canvas))
    return np.stack(images)


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor("shipped", SHIPPED)


def flag_rate(predictor: Predictor, images: np.ndarray) -> float:
    probabilities = predictor.predict_arrays(images)
    return float(np.mean(probabilities.max(axis=1) < predictor.threshold))


def test_test_set_flag_rate_is_what_the_card_states(predictor: Predictor) -> None:
    dataset = load_dataset("cifar10", cifar10_source=CIFAR10).subset(0, 2000, seed=7)
    stated = predictor.card["uncertainty"]["flagged_share"]
    assert flag_rate(predictor, dataset.x_test) == pytest.approx(stated, abs=0.04)


def test_most_out_of_class_images_are_flagged(predictor: Predictor) -> None:
    assert flag_rate(predictor, out_of_class_images()) >= 0.5
