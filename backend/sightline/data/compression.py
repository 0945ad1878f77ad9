"""Compression augmentation: training images as a camera or a web upload delivers them.

Users upload JPEGs. A model trained only on lossless pixels does markedly worse on them
(docs/model.md), because block artefacts and halved chroma are patterns it never saw.
Training sees some images re-encoded at random qualities and chroma subsamplings, and,
when one is given, the same image from an already compressed copy of the training split.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

# Pillow's subsampling codes: 0 is 4:4:4, 1 is 4:2:2, 2 is 4:2:0 (what most cameras use).
SUBSAMPLINGS = (0, 1, 2)


def jpeg_roundtrip(image: np.ndarray, quality: int, subsampling: int) -> np.ndarray:
    """``image`` (H, W, 3 uint8) encoded as JPEG and decoded again."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        return np.asarray(decoded.convert("RGB"))


@dataclass(frozen=True)
class CompressionAugment:
    """Replace a share of each batch with compressed versions of the same images.

    ``probability`` of an image being replaced; of those, half come from
    ``compressed_copy`` (aligned with the training split, row for row) when there is
    one, the rest are re-encoded here at a quality drawn from ``quality_range``.
    """

    probability: float = 0.5
    quality_range: tuple[int, int] = (30, 95)
    compressed_copy: np.ndarray | None = None

    def __call__(self, images: np.ndarray, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.probability <= 0:
            return images
        chosen = np.nonzero(rng.random(len(idx)) < self.probability)[0]
        if len(chosen) == 0:
            return images
        out = np.array(images, copy=True)
        from_copy = (
            rng.random(len(chosen)) < 0.5
            if self.compressed_copy is not None
            else np.zeros(len(chosen), bool)
        )
        if self.compressed_copy is not None and from_copy.any():
            rows = chosen[from_copy]
            out[rows] = self.compressed_copy[idx[rows]]
        low, high = self.quality_range
        for row in chosen[~from_copy]:
            quality = int(rng.integers(low, high + 1))
            subsampling = int(rng.choice(SUBSAMPLINGS))
            out[row] = jpeg_roundtrip(out[row], quality, subsampling)
        return out


def check_aligned(train_labels: np.ndarray, copy_labels: np.ndarray) -> None:
    """A compressed copy must hold the same images in the same order as the training split."""
    if len(train_labels) != len(copy_labels) or not np.array_equal(train_labels, copy_labels):
        raise ValueError(
            "The compressed copy's training split does not line up with the dataset's: "
            f"{len(copy_labels)} images vs {len(train_labels)}, or labels in another order."
        )
