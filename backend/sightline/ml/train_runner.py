"""Carrying out a train request (ml/train_request.py): load what it names, then train from
scratch, on from a saved model, as a student of teachers, or from another model's start,
and save the model with its card. `sightline train` shows the progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sightline.config import Settings
from sightline.data.datasets import Dataset

if TYPE_CHECKING:
    from sightline.ml.card import Distillation, ModelCard
    from sightline.ml.model import Networks
    from sightline.ml.train_request import TrainRequest
    from sightline.ml.training import EpochCallback, ProgressCallback, SoftTargets, TrainConfig
    from sightline.ml.transfer import CandidateScore, Start, TransferConfig


class UnusableModel(ValueError):
    """A model the request names cannot be used; ``flag`` is the flag that names it."""

    def __init__(self, flag: str, message: str) -> None:
        super().__init__(message)
        self.flag = flag


@dataclass(frozen=True)
class TrainHooks:
    """How the caller loads datasets and hears what happens before training starts."""

    # (dataset spec, n_train, n_test, input side) -> the dataset
    load: Callable[[str, int | None, int | None, int], Dataset]
    say: Callable[[str], None]
    # The --from auto comparison, best first.
    show_comparison: Callable[[list[CandidateScore]], None]


@dataclass(frozen=True)
class PreparedTraining:
    """Everything a request needs, loaded and checked: what is left is the training."""

    dataset: Dataset
    out: Path
    config: TrainConfig
    compressed_copy: Dataset | None = None
    networks: Networks | None = None  # --continue-from: the saved model's
    parent: str | None = None  # --continue-from: the saved model's hash
    distillation: tuple[SoftTargets, Distillation] | None = None
    transfer: TransferConfig | None = None
    start: Start | None = None

    def run(
        self, *, command: str, on_progress: ProgressCallback, on_epoch: EpochCallback
    ) -> ModelCard:
        """Train, evaluate on the test split, save to ``out``; the saved model's card."""
        from sightline.ml.pipeline import train_and_save
        from sightline.ml.transfer import transfer_and_save

        if self.transfer is not None and self.start is not None:
            return transfer_and_save(
                self.dataset,
                self.start,
                self.transfer,
                self.out,
                command=command,
                on_progress=on_progress,
                on_epoch=on_epoch,
            )
        return train_and_save(
            self.dataset,
            self.config,
            self.out,
            command=command,
            on_progress=on_progress,
            on_epoch=on_epoch,
            compressed_copy=self.compressed_copy,
            networks=self.networks,
            parent=self.parent,
            distillation=self.distillation,
        )


def prepare_training(
    request: TrainRequest, settings: Settings, hooks: TrainHooks
) -> PreparedTraining:
    """Load the data and every model the request names (``UnusableModel`` when one does
    not fit); for --from auto, run the comparison that picks the start."""
    side = request.input_side
    dataset = hooks.load(request.data, request.n_train, request.n_test, side)
    copy = request.compressed_copy
    compressed = hooks.load(copy, request.n_train, request.n_test, side) if copy else None
    prepared = PreparedTraining(dataset, request.out, request.train_config(), compressed)
    transfer = request.transfer_config()
    if transfer is not None:
        start = _start(request, dataset, transfer, settings, hooks)
        return replace(prepared, transfer=transfer, start=start)
    if request.continue_from is not None:
        networks, parent = _saved_networks(request.continue_from, dataset)
        prepared = replace(
            prepared,
            config=request.continuation_config(parent),
            networks=networks,
            parent=parent.model_sha256,
        )
    if request.teacher:
        distillation = _distillation(request.teacher, dataset, settings, hooks)
        prepared = replace(prepared, distillation=distillation)
    return prepared


def _saved_networks(model_dir: Path, dataset: Dataset) -> tuple[Networks, ModelCard]:
    """The trainable networks of a saved model, which must know the dataset's classes,
    and its card."""
    from sightline.ml.artifacts import WrongModel, load_model_for
    from sightline.ml.model import networks_from_serving_model

    try:
        model, card = load_model_for(model_dir, dataset.class_names)
    except WrongModel as error:
        raise UnusableModel("--continue-from", str(error)) from error
    return networks_from_serving_model(model), card


def _distillation(
    teacher_dirs: list[Path], dataset: Dataset, settings: Settings, hooks: TrainHooks
) -> tuple[SoftTargets, Distillation]:
    """The teachers' mean answers on the training images, and the card's record of them."""
    from sightline.ml.artifacts import WrongModel
    from sightline.ml.card import Distillation
    from sightline.ml.distillation import load_teacher, teacher_targets

    try:
        teachers = [load_teacher(d, dataset.class_names) for d in teacher_dirs]
    except WrongModel as error:
        raise UnusableModel("--teacher", str(error)) from error
    hooks.say(f"Asking {len(teachers)} teacher(s) for their answers on the training images")
    targets, seconds = teacher_targets(
        teachers, dataset.x_train, cache_dir=settings.resolved_cache_dir
    )
    record = Distillation(teachers=[t.reference() for t in teachers], seconds=round(seconds, 1))
    return targets, record


def _start(
    request: TrainRequest,
    dataset: Dataset,
    config: TransferConfig,
    settings: Settings,
    hooks: TrainHooks,
) -> Start:
    """What --from / --backbone name; for "auto", the winner of a short comparison."""
    from sightline.ml.transfer import (
        AUTO,
        Start,
        UnknownParent,
        candidate_starts,
        compare_candidates,
        resolve_parent,
    )

    if request.backbone is not None:
        weights = str(request.weights) if request.weights else "imagenet"
        start = Start(backbone=request.backbone, weights=weights)
    elif request.from_ == AUTO:
        scores = compare_candidates(
            dataset,
            candidate_starts(settings),
            config,
            on_trial=lambda s: hooks.say(f"Trying {s.label} ..."),
        )
        hooks.show_comparison(scores)
        hooks.say(f"Keeping {scores[0].name}: training it on all the data.")
        start = scores[0].start
    else:
        assert request.from_ is not None
        try:
            start = Start(parent=resolve_parent(request.from_, settings))
        except UnknownParent as error:
            raise UnusableModel("--from", str(error)) from error
    hooks.say(f"Starting from {start.label} at {config.image_size} px")
    return start


@dataclass(frozen=True)
class Registration:
    """Where `sightline train --classifier` put the model it trained."""

    classifier: str
    version: str
    production: bool  # True: the classifier had none, so it answers with this one now
    created: bool  # True: the classifier was made for it


def check_classifier(settings: Settings, name: str) -> None:
    """Refuse, before any training, a name that is no classifier name or one archived."""
    from sightline.errors import Conflict
    from sightline.ml.classifiers import ClassifierCatalog, validate_name

    validate_name(name)
    _migrated(settings)
    found = ClassifierCatalog(settings).get_or_none(name)
    if found is not None and found.archived:
        raise Conflict(f"Classifier {name!r} is archived.", code="classifier_archived")


def register_trained(settings: Settings, name: str, model_dir: Path) -> Registration:
    """Register a saved model as a version of classifier ``name``, made (with the
    model's classes) when missing: production when the classifier has none, else a
    candidate to compare and promote (the API's /models/{version}/promote)."""
    from sightline.ml.artifacts import load_check_images, load_model
    from sightline.ml.card import load_card
    from sightline.ml.classifiers import ClassifierCatalog
    from sightline.ml.registry import ModelRegistry

    check_classifier(settings, name)
    catalog = ClassifierCatalog(settings)
    catalog.ensure_default()
    card = load_card(model_dir)
    created = catalog.get_or_none(name) is None
    if created:
        catalog.create(name, parent=None, classes=card.class_names)
    registry = ModelRegistry(settings, classifier=name)
    if name == settings.default_classifier:
        registry.ensure_seeded()  # the shipped model stays its first version
    production = registry.production_version()
    version = registry.register(
        load_model(model_dir),
        card,
        parent=production,
        note=f"sightline train: {model_dir}",
        check_images=load_check_images(model_dir),
    )
    if production is None:
        registry.promote(version)
    return Registration(name, version, production is None, created)


def _migrated(settings: Settings) -> None:
    """The database at the latest schema (as `serve` and `worker` leave it)."""
    from sightline.db.session import migrate

    settings.ensure_dirs()
    if settings.migrate_on_start:
        migrate(settings)
