"""Checking the `uncertain` flag: how often it fires on the test set and on images that
are none of the model's classes (uniform noise, flat colour, rendered text).

The flag is a threshold on the top probability, calibrated on the test set in
ml/evaluation.py; these images show whether it also catches what the model was never
trained on. Used by tests/test_uncertainty.py and bench/uncertainty_report.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

OUT_OF_CLASS_KINDS = ("noise", "flat colour", "text")
# Rendered larger, then shrunk to the model's input the way an uploaded page would be.
TEXT_CANVAS = 256
WORDS = (
    *("the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "invoice"),
    *("total", "page", "chapter", "lorem", "ipsum", "meeting", "notes", "agenda", "2024"),
)


def flag_rate(probabilities: np.ndarray, threshold: float) -> float:
    """Share of images whose top probability is below the threshold (flagged uncertain)."""
    if len(probabilities) == 0:
        return 0.0
    return float(np.mean(probabilities.max(axis=1) < threshold))


def predict_in_batches(
    predict: Callable[[np.ndarray], np.ndarray], images: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """``predict`` over ``images`` a batch at a time: the whole test set at once would
    need gigabytes of activations."""
    return np.concatenate(
        [predict(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
    )


def out_of_class_images(
    kind: str, n: int, size: tuple[int, int] = (32, 32), seed: int = 0
) -> np.ndarray:
    """``n`` uint8 RGB images (n, height, width, 3) of one kind in OUT_OF_CLASS_KINDS."""
    makers: dict[str, Callable[[np.random.Generator, tuple[int, int]], np.ndarray]] = {
        "noise": _noise,
        "flat colour": _flat_colour,
        "text": _text_page,
    }
    if kind not in makers:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(OUT_OF_CLASS_KINDS)}")
    rng = np.random.default_rng(seed)
    return np.stack([makers[kind](rng, size) for _ in range(n)])


def colour_fields(
    n: int, size: tuple[int, int] = (32, 32), seed: int = 0, grids: tuple[int, ...] = (4,)
) -> np.ndarray:
    """``n`` smooth random colour fields: a grid of random colours, upscaled; the grid's
    side cycles through ``grids`` (4x4 by default).

    Images of none of the classes, with no texture: a retraining fine-tune learns its
    parent's answers on them (jobs/retrain.py), so that it stays as unsure of such images
    as the parent was, and a training run can learn that they are none of its classes
    (``TrainConfig.outlier_fields``). They are relatives of the flat-colour check (a 1x1
    grid), not the check's images.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    if n == 0:
        return np.zeros((0, height, width, 3), np.uint8)
    return np.stack(
        [
            np.asarray(
                Image.fromarray(
                    rng.integers(0, 256, (grids[i % len(grids)],) * 2 + (3,), dtype=np.uint8)
                ).resize(size, Image.Resampling.BICUBIC)
            )
            for i in range(n)
        ]
    )


def _noise(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def _flat_colour(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    return np.full((height, width, 3), rng.integers(0, 256, 3), np.uint8)


def _text_page(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """Lines of dark words on a light background, like a photographed or scanned page."""
    paper = tuple(int(v) for v in rng.integers(200, 256, 3))
    canvas = Image.new("RGB", (TEXT_CANVAS, TEXT_CANVAS), paper)
    draw = ImageDraw.Draw(canvas)
    font_size = int(rng.integers(20, 48))
    font = ImageFont.load_default(size=font_size)
    ink = tuple(int(v) for v in rng.integers(0, 80, 3))
    y = int(rng.integers(0, 30))
    while y < TEXT_CANVAS:
        line = " ".join(str(word) for word in rng.choice(WORDS, 4))
        draw.text((int(rng.integers(0, 20)), y), line, fill=ink, font=font)
        y += font_size + 6
    return np.asarray(canvas.resize(size, Image.Resampling.BOX))
