"""Distillation from scratch: every training image learns the mean answer of one or more
trained teacher models instead of its smoothed label.

The teachers' answers carry what a label cannot (this cat looks like a dog), and their
mean is a better teacher than any one of them. The answers are worked out once, on the
clean training images, and stay fixed while the student sees its images augmented
(shifted, cut out, JPEG-compressed): the student learns to answer a compressed image as
the teachers answer the clean one. Used by ``sightline train --teacher``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

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
    teachers: Sequence[keras.Model], images: np.ndarray
) -> tuple[SoftTargets, float]:
    """The teachers' mean answers on ``images``, as soft targets for every image, and the
    seconds it took to ask them."""
    if not teachers:
        raise ValueError("distillation needs at least one teacher")
    start = time.perf_counter()
    answers = np.mean([predict_probabilities(t, images) for t in teachers], axis=0)
    targets = SoftTargets(answers.astype(np.float32), np.ones(len(images), dtype=bool))
    return targets, time.perf_counter() - start
