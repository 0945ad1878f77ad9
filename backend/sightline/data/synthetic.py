"""A small, learnable image-folder dataset drawn from scratch: for tests and demos.

Each class is a shape (circle, square, triangle, cross, stripes) in a random colour,
size and place over a noisy background, so a quick model learns it in seconds
while it still needs to generalise to held-out images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle", "cross", "stripes")


def draw_shape(shape: str, rng: np.random.Generator, size: int = 32) -> Image.Image:
    background = rng.integers(0, 90, size=(size, size, 3), dtype=np.uint8)
    image = Image.fromarray(background, "RGB")
    draw = ImageDraw.Draw(image)
    colour = tuple(int(c) for c in rng.integers(140, 256, size=3))
    r = int(rng.integers(size // 4, size // 2 - 1))
    cx, cy = (int(v) for v in rng.integers(r, size - r, size=2))
    box = (cx - r, cy - r, cx + r, cy + r)
    if shape == "circle":
        draw.ellipse(box, fill=colour)
    elif shape == "square":
        draw.rectangle(box, fill=colour)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    elif shape == "cross":
        w = max(2, r // 3)
        draw.rectangle((cx - w, cy - r, cx + w, cy + r), fill=colour)
        draw.rectangle((cx - r, cy - w, cx + r, cy + w), fill=colour)
    elif shape == "stripes":
        for x in range(0, size, 6):
            draw.rectangle((x, 0, x + 2, size), fill=colour)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return image


def make_shapes_dataset(
    root: Path,
    classes: tuple[str, ...] = SHAPES[:3],
    n_train: int = 60,
    n_test: int = 20,
    size: int = 32,
    seed: int = 0,
) -> Path:
    """Write root/train/<class>/*.png and root/test/<class>/*.png; returns root."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("test", n_test)):
        for shape in classes:
            folder = root / split / shape
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                draw_shape(shape, rng, size).save(folder / f"{i:04d}.png")
    return root
