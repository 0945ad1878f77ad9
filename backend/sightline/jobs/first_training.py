"""A classifier's first training: transfer learning from its parent on its own uploads,
then the first-version gate.

The start is the classifier's ``parent`` (ClassifierRow.parent): another classifier's
production model, "auto" (the best start on this machine, ``ml.transfer.compare_candidates``)
or None (from scratch). The data is the classifier's uploads, as a ``Dataset``: those of
split "train" train, those of split "test" are held out, and an upload without a split
is held out by its content hash (``data.training_uploads.is_held_out``). The recipe is the one of
``sightline train --from`` (``ml.transfer.train_from``).

The gate, both parts required:
1. Accuracy on the held-out uploads at least ``first_version_min_accuracy``.
2. The doubt check: on generated images of none of the classes (noise, flat colour,
   text; ml/uncertainty.py), at the threshold fitted on the held-out uploads, the
   candidate flags each kind at least as often as its parent does at its own threshold,
   minus ``promotion_out_of_class_tolerance``, or ``first_version_min_flagged`` of them,
   whichever is lower; from scratch, at least SCRATCH_FLAG_FLOOR.
A candidate that passes is registered and promoted: the classifier is live. One that
fails is registered "rejected" and the job ends REJECTED saying why in plain words; the
uploads stay, unused, for the next try.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from sightline.config import Settings
from sightline.data.datasets import Dataset
from sightline.data.training_uploads import UploadStore
from sightline.db import uploads as upload_rows
from sightline.db.classifiers import Classifier
from sightline.db.session import session_scope
from sightline.jobs.retrain import (
    RetrainOutcome,
    UploadSplit,
    load_uploads,
    out_of_class_set,
    score_model,
    summary,
)
from sightline.ml.artifacts import check_sample, load_model
from sightline.ml.card import load_card
from sightline.ml.classifiers import AUTO_PARENT, ClassifierCatalog
from sightline.ml.registry import ModelRegistry
from sightline.ml.training import (
    EpochCallback,
    Progress,
    ProgressCallback,
    TrainingCancelled,
)
from sightline.ml.transfer import (
    ParentModel,
    Start,
    TransferConfig,
    candidate_starts,
    compare_candidates,
    train_from,
    transfer_card,
)
from sightline.ml.uncertainty import flag_rate, predict_in_batches
from sightline.retrain_job import JobStatus
from sightline.serving.runtime_choice import serving_runtime

# A model from scratch has no parent to match: it must flag at least half of each kind
# of out-of-class image, so that a page of text or a noise image is more often flagged
# than answered with confidence. (Matching a parent at 100% would ask of a model trained
# on a few dozen photos what the shipped model needed outlier exposure for.)
SCRATCH_FLAG_FLOOR = 0.5
# Photos are sampled for their size; the side is the recipe's unless they are smaller.
SIZE_SAMPLE = 100
SMALLEST_SIDE = 32


class FirstTraining:
    """The worker's job for a classifier that has no live version yet."""

    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.catalog = ClassifierCatalog(settings)

    def run(
        self,
        job_id: str,
        epochs: int,
        on_progress: ProgressCallback,
        on_epoch: EpochCallback,
        should_stop: Callable[[], bool],
        say: Callable[[str], None],
    ) -> RetrainOutcome:
        classifier = self.catalog.get(self.registry.classifier)
        class_names = self._class_names(classifier)
        recipe = self._recipe(epochs)
        uploads, data = self._data(class_names, recipe.image_size)
        recipe = replace(recipe, batch_size=batch_size_for(recipe, len(data.y_train)))
        start = self._start(classifier.parent, data, recipe, should_stop, say)
        say(
            f"Training from {start.label} on {len(data.y_train)} images of "
            f"{len(class_names)} classes at {recipe.image_size} px."
        )
        phases = AcrossPhases(on_progress, phase_epochs(start, recipe))
        result = train_from(
            data, start, recipe, on_progress=phases, on_epoch=on_epoch, should_stop=should_stop
        )
        say(
            f"Checking the candidate on {len(data.y_test)} held-out images and on generated "
            "images of none of its classes."
        )
        candidate = result.networks.serving_model
        scores = self._scores(candidate, data, uploads)
        parent_flags = parent_flag_rates(start, self.settings)
        live, reason = first_version_gate(
            scores,
            parent_flags,
            start.label,
            self.settings.first_version_min_accuracy,
            self.settings.promotion_out_of_class_tolerance,
            self.settings.first_version_min_flagged,
        )
        if should_stop():  # cancelled, or taken from us, while evaluating: write nothing
            raise TrainingCancelled("Stopped before the candidate was registered.")
        card = transfer_card(
            data, start, recipe, result, command=f"first training of {classifier.name} ({job_id})"
        )
        version = self.registry.register(
            candidate, card, parent=None, note=reason, check_images=check_sample(data.x_test)
        )
        self.catalog.add_classes(classifier.name, class_names)
        if live:
            self._mark_used(uploads.ids, job_id)  # learned: a later retrain replays them
            self.registry.promote(version)
        else:
            self.registry.set_status(version, "rejected", reason)
        return RetrainOutcome(
            JobStatus.COMPLETED if live else JobStatus.REJECTED,
            reason,
            version,
            None,
            live,
            {"candidate": summary(scores), "parent": {"out_of_class_flagged": parent_flags}},
            result.history,
        )

    # ------------------------------------------------------------------ pieces

    def _class_names(self, classifier: Classifier) -> list[str]:
        """The classes named for it, in order, then any others its uploads have; only
        those with images (the queue refused a job with too few)."""
        with session_scope(self.settings) as session:
            counts = upload_rows.upload_counts(session=session, classifier=classifier.name)
        named = list(dict.fromkeys([*classifier.classes, *sorted(counts)]))
        return [name for name in named if counts.get(name, 0) > 0]

    def _recipe(self, epochs: int) -> TransferConfig:
        side = min(TransferConfig.image_size, self._photo_side())
        return TransferConfig(image_size=side, epochs=float(epochs))

    def _photo_side(self) -> int:
        """The median shorter side of a sample of its photos, in multiples of 8: smaller
        photos than the recipe's size are not blown up (compute for no information)."""
        store = UploadStore(self.settings, self.registry.store, classifier=self.registry.classifier)
        with session_scope(self.settings) as session:
            rows = upload_rows.all_uploads(session=session, classifier=self.registry.classifier)
        step = max(1, len(rows) // SIZE_SAMPLE)
        sides = [min(Image.open(io.BytesIO(store.read(r.sha256))).size) for r in rows[::step]]
        if not sides:
            return TransferConfig.image_size
        return max(SMALLEST_SIDE, int(np.median(sides)) // 8 * 8)

    def _data(self, class_names: list[str], side: int) -> tuple[UploadSplit, Dataset]:
        uploads = load_uploads(self.settings, self.registry.classifier, class_names, (side, side))
        data = Dataset(
            self.registry.classifier,
            class_names,
            uploads.train_x,
            uploads.train_y,
            uploads.holdout_x,
            uploads.holdout_y,
        )
        missing = [
            f"{name!r} ({split})"
            for split in ("train", "test")
            for name, n in data.counts(split).items()
            if n == 0
        ]
        if missing:
            raise ValueError(
                "Every class needs training images and held-out images to be checked on; "
                f"none for {', '.join(missing)}. Upload more images of those classes."
            )
        return uploads, data

    def _start(
        self,
        parent: str | None,
        data: Dataset,
        recipe: TransferConfig,
        should_stop: Callable[[], bool],
        say: Callable[[str], None],
    ) -> Start:
        if parent is None:
            return Start()
        if parent != AUTO_PARENT:
            return Start(parent=classifier_parent(self.settings, self.registry, parent))

        def trying(start: Start) -> None:
            if should_stop():
                raise TrainingCancelled("Cancelled while choosing where to start.")
            say(f"Choosing where to start: trying {start.label} on a short run ...")

        scores = compare_candidates(data, candidate_starts(self.settings), recipe, on_trial=trying)
        say(
            "Compared on a validation share of the training images: "
            + ", ".join(f"{s.name} {s.val_accuracy:.1%}" for s in scores)
            + f"; keeping {scores[0].name}."
        )
        return scores[0].start

    def _scores(self, model: Any, data: Dataset, uploads: UploadSplit) -> dict[str, Any]:
        """Its scores on the held-out uploads (the report the card keeps) and its flag
        rates on out-of-class images, with the runtime that will serve it."""
        runtime, _ = serving_runtime(model, self.settings, threshold=0.5)
        train_only = replace(
            uploads, holdout_x=uploads.holdout_x[:0], holdout_y=uploads.holdout_y[:0]
        )
        strangers = out_of_class_set(data.image_size)
        return score_model(model, data, train_only, data.class_names, strangers, runtime)

    def _mark_used(self, ids: list[int], job_id: str) -> None:
        with session_scope(self.settings) as session:
            upload_rows.mark_used(session=session, upload_ids=ids, job_id=job_id)


def batch_size_for(recipe: TransferConfig, n: int) -> int:
    """The recipe's batch, smaller for a few dozen photos: at least 8 steps an epoch, or
    a handful of photos would be one step an epoch."""
    return min(recipe.batch_size, max(8, n // 8))


def classifier_parent(settings: Settings, registry: ModelRegistry, name: str) -> ParentModel:
    """Classifier ``name``'s production model, to start from."""
    parent = ModelRegistry(settings, registry.store, classifier=name)
    version = parent.production_version()
    if version is None:
        raise ValueError(f"Its parent {name!r} has no live version to start from yet.")
    directory = parent.path(version)
    return ParentModel(f"{name} {version}", directory, load_card(directory))


def parent_flag_rates(start: Start, settings: Settings) -> dict[str, float] | None:
    """How often the parent flags each kind of out-of-class image at its own threshold,
    with its serving runtime; None from scratch."""
    if start.parent is None:
        return None
    model = load_model(start.parent.directory)
    threshold = start.parent.card.uncertainty_threshold
    runtime, _ = serving_runtime(model, settings, threshold)
    size = start.parent.card.input_size
    return {
        kind: flag_rate(predict_in_batches(runtime.predict, images), threshold)
        for kind, images in out_of_class_set(size).items()
    }


def first_version_gate(
    scores: dict[str, Any],
    parent_flags: dict[str, float] | None,
    parent_label: str,
    minimum: float,
    tolerance: float,
    min_flagged: float = 0.75,
) -> tuple[bool, str]:
    """The rule of the module docstring: (goes live?, the reason in words)."""
    accuracy, n = scores["accuracy"], scores["test_n"]
    if accuracy < minimum:
        return False, (
            f"Rejected: accuracy {accuracy:.1%} < {minimum:.0%} on {n} held-out images. "
            "Add more (or clearer) images of each class and train again."
        )
    flags = scores.get("out_of_class_flagged", {})
    if parent_flags is None:
        floors = {kind: SCRATCH_FLAG_FLOOR for kind in flags}
    else:
        floors = {
            kind: min(parent_flags[kind] - tolerance, min_flagged)
            for kind in flags.keys() & parent_flags
        }
    sure = sorted(kind for kind, floor in floors.items() if flags[kind] < floor)
    if sure:
        flagged = ", ".join(f"{kind} {flags[kind]:.0%}" for kind in sure)
        if parent_flags is None:
            whom = f"a model from scratch must flag at least {SCRATCH_FLAG_FLOOR:.0%}"
        else:
            whom = (
                f"at least {min_flagged:.0%} or as many as {parent_label} are needed; it flags "
                + ", ".join(f"{kind} {parent_flags[kind]:.0%}" for kind in sure)
            )
        return False, (
            f"Rejected: it was sure of {' and '.join(sure)} images, which are none of its "
            f"classes (it flags {flagged} uncertain; {whom})."
        )
    shown = ", ".join(f"{kind} {flags[kind]:.0%}" for kind in sorted(flags))
    return True, (
        f"Promoted: accuracy {accuracy:.1%} on {n} held-out images (at least {minimum:.0%}); "
        f"flags out-of-class images uncertain ({shown})."
    )


def phase_epochs(start: Start, recipe: TransferConfig) -> list[float]:
    """The epochs of each phase ``train_from`` runs: from scratch one, else two."""
    if start.parent is None and start.backbone is None:
        return [recipe.head_epochs + recipe.epochs]
    return [recipe.head_epochs, recipe.epochs]


class AcrossPhases:
    """A training's progress over its phases (the head, then everything) as one run:
    epochs and steps count on across them, so the job's bar never goes back."""

    def __init__(self, report: ProgressCallback, epochs: Sequence[float]) -> None:
        self.report = report
        self.epochs = list(epochs)
        self.phase = 0
        self.steps_before = 0
        self.epochs_before = 0
        self.last: Progress | None = None
        self.started = time.perf_counter()

    def __call__(self, progress: Progress) -> None:
        if self.last is not None and progress.step <= self.last.step:  # the next phase
            self.phase = min(self.phase + 1, len(self.epochs) - 1)
            self.steps_before += self.last.total_steps
            self.epochs_before += self.last.epochs
        self.last = progress
        per_epoch = progress.total_steps / self.epochs[self.phase]
        later = self.epochs[self.phase + 1 :]
        self.report(
            Progress(
                epoch=self.epochs_before + progress.epoch,
                epochs=self.epochs_before + progress.epochs + sum(math.ceil(e) for e in later),
                step=self.steps_before + progress.step,
                total_steps=self.steps_before
                + progress.total_steps
                + sum(math.ceil(per_epoch * e) for e in later),
                loss=progress.loss,
                accuracy=progress.accuracy,
                elapsed_seconds=time.perf_counter() - self.started,
            )
        )
