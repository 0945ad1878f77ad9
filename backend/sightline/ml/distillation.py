"""Distillation from scratch: every training image learns the mean answer of one or more
trained teacher models instead of its smoothed label.

The teachers' answers carry what a label cannot (this cat looks like a dog), and their
mean is a better teacher than any one of them. The answers are worked out once, on the
clean training images, and stay fixed while the student sees its images augmented
(shifted, cut out, JPEG-compressed): the student learns to answer a compressed image as
the teachers answer the clean one. Used by ``sightline train --teacher``.

The answers are cached by the teachers' model hashes and the images' hash, so trying a
second student recipe on the same teachers does not ask them again.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from sightline.blob_store import write_atomically
from sightline.ml.artifacts import load_model_for
from sightline.ml.card import ModelCard, Teacher
from sightline.ml.training import SoftTargets, predict_probabilities


@dataclass(frozen=True)
class LoadedTeacher:
    model: keras.Model
    card: ModelCard
    name: str

    def reference(self) -> Teacher:
        """What the student's card records of its teacher: no machine path."""
        metrics = self.card.metrics
        return Teacher(
            name=self.name,
            model_sha256=self.card.model_sha256,
            accuracy=metrics.accuracy if metrics is not None else None,
            training_seconds=self.card.training.seconds,
        )


def load_teacher(model_dir: Path, class_names: list[str]) -> LoadedTeacher:
    """A saved model that knows exactly ``class_names`` (else ``artifacts.WrongModel``)."""
    return LoadedTeacher(*load_model_for(model_dir, class_names), model_dir.name)


def teacher_targets(
    teachers: Sequence[LoadedTeacher], images: np.ndarray, cache_dir: Path | None = None
) -> tuple[SoftTargets, float]:
    """The teachers' mean answers on ``images``, as soft targets for every image, and the
    seconds it took to ask them (the first time, when the answers come from the cache).

    With ``cache_dir``, the answers are kept there under a key of the teachers' model
    hashes and the images' own hash: a second student of the same teachers and data does
    not ask them again, which takes minutes."""
    if not teachers:
        raise ValueError("distillation needs at least one teacher")
    path = _cache_path(teachers, images, cache_dir)
    if path is not None and path.exists():
        with np.load(path) as cached:
            answers, seconds = cached["answers"], float(cached["seconds"])
    else:
        start = time.perf_counter()
        answers = np.mean(
            [predict_probabilities(t.model, images) for t in teachers], axis=0
        ).astype(np.float32)
        seconds = time.perf_counter() - start
        if path is not None:
            npz = io.BytesIO()
            np.savez(npz, answers=answers, seconds=seconds)
            write_atomically(path, npz.getvalue())
    return SoftTargets(answers, np.ones(len(images), dtype=bool)), seconds


def _cache_path(
    teachers: Sequence[LoadedTeacher], images: np.ndarray, cache_dir: Path | None
) -> Path | None:
    hashes = [t.card.model_sha256 for t in teachers]
    if cache_dir is None or None in hashes:
        return None
    digest = hashlib.sha256()
    # The mean does not depend on the teachers' order, so neither does the key.
    for model_hash in sorted(str(h) for h in hashes):
        digest.update(model_hash.encode())
    digest.update(str(images.shape).encode())
    digest.update(np.ascontiguousarray(images).data)
    return cache_dir / "teacher-answers" / f"{digest.hexdigest()[:24]}.npz"
