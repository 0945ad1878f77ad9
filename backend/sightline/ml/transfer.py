"""Transfer learning: a model for your own classes, started from a model you have.

A Sightline network is fully convolutional up to a global pool, so its backbone works at
any input size: ``networks_from_parent`` rebuilds it at the size the new photos deserve
(48 or 64 px instead of CIFAR-10's 32) with the parent's weights, keeps the parent's
normalisation inside the model, and gives it a new head for the new classes. A head
row is copied from the parent where a class has the same name there (CIFAR-10 knows
``cat`` and ``dog``), so training starts from what the parent already knows.

``fine_tune`` trains in two phases with the recipe of ml/training.py: the head alone on
the frozen backbone (batch-norm in inference mode), then everything at a lower
learning rate. ``imagenet_networks`` does the same for a Keras application
(MobileNetV3-Small, EfficientNetV2-B0) with ImageNet weights that Keras downloads on
first use, or from a local weights file. ``compare_candidates`` tries several starts on a
validation split carved from the training images and ranks them (``--from auto``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import keras
import numpy as np
from keras import layers
from pydantic import JsonValue

from sightline.blob_store import file_sha256
from sightline.config import REPO_ROOT, Settings
from sightline.data.datasets import Dataset
from sightline.ml.artifacts import MODEL_FILE, check_sample, load_model, save_model_dir
from sightline.ml.card import ModelCard, TransferStart, load_card
from sightline.ml.model import (
    BACKBONE_NAME,
    Architecture,
    Networks,
    assemble_networks,
    build_backbone,
    uses_flip_tta,
)
from sightline.ml.pipeline import build_card, evaluate_model
from sightline.ml.registry import VERSION_PATTERN, ModelRegistry
from sightline.ml.training import (
    EpochCallback,
    ProgressCallback,
    TrainConfig,
    TrainResult,
    fine_tune_config,
    new_networks,
    predict_probabilities,
    train,
)

SCRATCH = "scratch"
AUTO = "auto"
HEAD_LAYER = "head"
SHIPPED_MODELS = REPO_ROOT / "models"

# ImageNet backbones from keras.applications. Both take raw 0-255 RGB: their own
# preprocessing is a layer inside them (include_preprocessing=True).
IMAGENET_BACKBONES: dict[str, Callable[..., keras.Model]] = {
    "mobilenetv3small": keras.applications.MobileNetV3Small,
    "efficientnetv2b0": keras.applications.EfficientNetV2B0,
}


@dataclass(frozen=True)
class TransferConfig:
    """The two-phase recipe. Learning rates are the recipe's scale (per 1,024 examples,
    summed loss, see ml/training.py); the backbone's is lower so that it adapts to the
    new photos without leaving the minimum the parent found."""

    image_size: int = 48
    head_epochs: float = 2.0  # the first phase: the new head on the frozen backbone
    head_lr: float = 3.0
    epochs: float = 6.0  # the second phase: everything unfrozen
    lr: float = 1.0
    batch_size: int = 64
    translate: int = 4  # pixels, at the new input size
    label_smoothing: float = 0.2
    compression_probability: float = 0.0  # the photos are JPEGs already
    tta_flip: bool = True
    seed: int = 0
    scratch_widths: tuple[int, int, int] = (64, 256, 256)  # the from-scratch candidate

    def phase_config(self, head_only: bool) -> TrainConfig:
        return fine_tune_config(
            epochs=self.head_epochs if head_only else self.epochs,
            lr=self.head_lr if head_only else self.lr,
            batch_size=self.batch_size,
            translate=self.translate,
            label_smoothing=self.label_smoothing,
            compression_probability=self.compression_probability,
            tta_flip=self.tta_flip,
            seed=self.seed,
            warmup_fraction=0.1,
            end_lr_fraction=0.1,
        )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "image_size": self.image_size,
            "head_epochs": self.head_epochs,
            "head_lr": self.head_lr,
            "epochs": self.epochs,
            "lr": self.lr,
            "batch_size": self.batch_size,
            "translate": self.translate,
            "label_smoothing": self.label_smoothing,
            "compression_probability": self.compression_probability,
            "tta_flip": self.tta_flip,
            "seed": self.seed,
        }


# Seconds, not minutes: for tests and the notebook's quick setting.
QUICK_TRANSFER = TransferConfig(
    image_size=32, head_epochs=1, epochs=2, batch_size=8, scratch_widths=(16, 32, 32)
)


# --------------------------------------------------------------------------- parents


@dataclass(frozen=True)
class ParentModel:
    """A saved model to start from: a model folder, or a registered version."""

    name: str  # "cifar10" (the folder's name) or "v3" (a registered version)
    directory: Path
    card: ModelCard = field(repr=False)

    @property
    def class_names(self) -> list[str]:
        return self.card.class_names

    def reference(self) -> TransferStart:
        """What the child's card records: a name and the file's content hash, which
        identify the parent on any machine (a path would only mean something here)."""
        created = self.card.created_at
        return TransferStart(
            kind="model",
            name=f"{self.name} ({self.card.name})",
            model_sha256=file_sha256(self.directory / MODEL_FILE),
            created_at=created.isoformat() if created else None,
            weights=None,
        )


class UnknownParent(ValueError):
    pass


def resolve_parent(spec: str, settings: Settings) -> ParentModel:
    """``spec``: a model folder (model.keras + card.json) or a registered version id."""
    if VERSION_PATTERN.match(spec):
        directory = ModelRegistry(settings).path(spec) if _has_registry(settings) else None
        if directory is None or not (directory / MODEL_FILE).exists():
            raise UnknownParent(f"No registered model version {spec!r}.")
        return ParentModel(spec, directory, load_card(directory))
    directory = Path(spec).expanduser()
    if not (directory / MODEL_FILE).exists():
        raise UnknownParent(
            f"{spec!r} is neither a model folder (with {MODEL_FILE}) nor a version id (v<n>)."
        )
    return ParentModel(directory.name, directory, load_card(directory))


def local_parents(settings: Settings, models_root: Path = SHIPPED_MODELS) -> list[ParentModel]:
    """Every model on this machine: the folders under models/ and the registered
    versions that were not rejected, once per model file."""
    found: list[ParentModel] = []
    if models_root.is_dir():
        found += [
            ParentModel(folder.name, folder, load_card(folder))
            for folder in sorted(models_root.iterdir())
            if (folder / MODEL_FILE).exists()
        ]
    found += _registered_parents(settings)
    unique: dict[str, ParentModel] = {}
    for parent in found:
        unique.setdefault(file_sha256(parent.directory / MODEL_FILE), parent)
    return list(unique.values())


def _has_registry(settings: Settings) -> bool:
    """False when this machine has no registry yet (not created to find out)."""
    return settings.database_url is not None or (settings.home / "sightline.db").exists()


def _registered_parents(settings: Settings) -> list[ParentModel]:
    if not _has_registry(settings):
        return []
    registry = ModelRegistry(settings)
    parents = []
    for row in registry.all_versions():
        directory = registry.path(row.version)
        if row.status != "rejected" and (directory / MODEL_FILE).exists():
            parents.append(ParentModel(row.version, directory, load_card(directory)))
    return parents


# --------------------------------------------------------------------------- networks


def networks_from_parent(
    parent: keras.Model,
    parent_classes: Sequence[str],
    class_names: Sequence[str],
    image_size: int,
    tta_flip: bool | None = None,
) -> Networks:
    """The parent's backbone rebuilt at ``image_size`` with its weights, a new head for
    ``class_names``, and the parent's normalisation inside the model."""
    old_backbone = parent.get_layer(BACKBONE_NAME)
    shape = (image_size, image_size, 3)
    if old_backbone.get_layer("whiten") is None:  # pragma: no cover - get_layer raises
        raise ValueError("not a Sightline network")
    backbone = build_backbone(len(class_names), shape, _architecture_of(old_backbone))
    for layer in backbone.layers:
        if layer.weights and layer.name != HEAD_LAYER:
            layer.set_weights(old_backbone.get_layer(layer.name).get_weights())
    _init_head(
        backbone.get_layer(HEAD_LAYER),
        old_backbone.get_layer(HEAD_LAYER),
        parent_classes,
        class_names,
    )
    normalize = layers.Normalization.from_config(parent.get_layer("normalize").get_config())
    flip = uses_flip_tta(parent) if tta_flip is None else tta_flip
    return assemble_networks(backbone, normalize, shape, flip)


def _architecture_of(backbone: keras.Model) -> Architecture:
    widths = tuple(int(backbone.get_layer(f"block{i}_conv1").kernel.shape[-1]) for i in (1, 2, 3))
    logit_scale = float(backbone.get_layer("logits").get_config()["scale"])
    whiten_kernel = int(backbone.get_layer("whiten").kernel.shape[0])
    return Architecture(
        widths=(widths[0], widths[1], widths[2]),
        logit_scale=logit_scale,
        whiten_kernel=whiten_kernel,
    )


def _init_head(
    head: layers.Dense,
    parent_head: layers.Dense,
    parent_classes: Sequence[str],
    classes: Sequence[str],
) -> None:
    """Rows of classes the parent knows by the same name start as the parent's."""
    kernel = np.array(head.kernel.numpy())
    parent_kernel = parent_head.kernel.numpy()
    for column, name in enumerate(classes):
        if name in parent_classes:
            kernel[:, column] = parent_kernel[:, list(parent_classes).index(name)]
    head.kernel.assign(kernel)


def imagenet_networks(
    backbone_name: str,
    class_names: Sequence[str],
    image_size: int,
    weights: str | None = "imagenet",
    tta_flip: bool = True,
) -> Networks:
    """A Keras application as the backbone, a new head, the same two views as ours.

    ``weights``: "imagenet" (Keras downloads them once, into ~/.keras/models), the path
    of a local weights file (for a machine without internet), or None (random: tests).
    """
    if backbone_name not in IMAGENET_BACKBONES:
        raise ValueError(
            f"Unknown backbone {backbone_name!r}: one of {sorted(IMAGENET_BACKBONES)}."
        )
    shape = (image_size, image_size, 3)
    features = IMAGENET_BACKBONES[backbone_name](
        input_shape=shape, include_top=False, weights=weights, include_preprocessing=True
    )
    inputs = keras.Input(shape, name="normalized")
    x = layers.GlobalAveragePooling2D(name="pool")(features(inputs))
    x = layers.Dense(len(class_names), use_bias=False, name=HEAD_LAYER)(x)
    backbone = keras.Model(inputs, x, name=BACKBONE_NAME)
    # The application scales the pixels itself: the outer normalisation is the identity.
    normalize = layers.Normalization(mean=[0.0] * 3, variance=[1.0] * 3, name="normalize")
    return assemble_networks(backbone, normalize, shape, tta_flip)


# --------------------------------------------------------------------------- training


def set_backbone_frozen(networks: Networks, frozen: bool) -> None:
    """Freeze (or thaw) everything but the head. A frozen batch-norm layer runs in
    inference mode in Keras 3, so the parent's statistics stay as they were."""
    for layer in networks.backbone.layers:
        layer.trainable = layer.name == HEAD_LAYER or not frozen


def fine_tune(
    dataset: Dataset,
    networks: Networks,
    config: TransferConfig,
    *,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """The head on the frozen backbone, then everything at the lower learning rate."""
    set_backbone_frozen(networks, frozen=True)
    head = train(
        dataset,
        config.phase_config(head_only=True),
        networks=networks,
        on_progress=on_progress,
        on_epoch=on_epoch,
        should_stop=should_stop,
    )
    set_backbone_frozen(networks, frozen=False)
    done = len(head.history.get("loss", []))
    full = train(
        dataset,
        config.phase_config(head_only=False),
        networks=networks,
        on_progress=on_progress,
        on_epoch=(lambda epoch, logs: on_epoch(done + epoch, logs)) if on_epoch else None,
        should_stop=should_stop,
    )
    history = {key: [*head.history[key], *full.history[key]] for key in full.history}
    seconds, steps = head.seconds + full.seconds, head.steps + full.steps
    return TrainResult(networks, full.config, history, seconds, steps)


def scratch_config(config: TransferConfig) -> TrainConfig:
    """The from-scratch recipe at the same input size and number of epochs."""
    return TrainConfig(
        epochs=config.head_epochs + config.epochs,
        batch_size=config.batch_size * 2,
        widths=config.scratch_widths,
        lr=4.0,
        translate=config.translate,
        compression_probability=config.compression_probability,
        tta_flip=config.tta_flip,
        seed=config.seed,
        precision="float32",  # as the fine-tunes it is compared with
    )


def train_from_scratch(
    dataset: Dataset,
    config: TransferConfig,
    *,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    recipe = scratch_config(config)
    return train(
        dataset,
        recipe,
        networks=new_networks(dataset, recipe),
        on_progress=on_progress,
        on_epoch=on_epoch,
        should_stop=should_stop,
    )


# --------------------------------------------------------------------------- starts


@dataclass(frozen=True)
class Start:
    """Where a new model starts: from scratch, a saved Sightline model, or an ImageNet
    backbone (``weights``: "imagenet", a local file, or None for random weights)."""

    parent: ParentModel | None = None
    backbone: str | None = None
    weights: str | None = "imagenet"

    @property
    def label(self) -> str:
        if self.parent is not None:
            return self.parent.name
        return self.backbone or SCRATCH

    def reference(self) -> TransferStart | None:
        """What the card records under training.transfer; None from scratch."""
        if self.parent is not None:
            return self.parent.reference()
        if self.backbone is not None:
            return TransferStart(
                kind="imagenet", name=self.backbone, weights=_weights_id(self.weights)
            )
        return None


def _weights_id(weights: str | None) -> str:
    if weights is None:
        return "random"
    if Path(weights).is_file():
        return file_sha256(Path(weights))
    return weights


def train_from(
    dataset: Dataset,
    start: Start,
    config: TransferConfig,
    *,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train a model for ``dataset`` from ``start`` with the recipe that suits it, at the
    size of the dataset's images."""
    if start.parent is None and start.backbone is None:
        return train_from_scratch(
            dataset, config, on_progress=on_progress, on_epoch=on_epoch, should_stop=should_stop
        )
    side = dataset.image_size[0]
    if start.parent is not None:
        networks = networks_from_parent(
            load_model(start.parent.directory),
            start.parent.class_names,
            dataset.class_names,
            side,
            config.tta_flip,
        )
    else:
        assert start.backbone is not None
        networks = imagenet_networks(
            start.backbone, dataset.class_names, side, start.weights, config.tta_flip
        )
    return fine_tune(
        dataset,
        networks,
        config,
        on_progress=on_progress,
        on_epoch=on_epoch,
        should_stop=should_stop,
    )


def transfer_and_save(
    dataset: Dataset,
    start: Start,
    config: TransferConfig,
    out_dir: Path,
    *,
    command: str,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
) -> ModelCard:
    """Train from ``start``, evaluate on the test split, save model.keras + card.json."""
    result = train_from(dataset, start, config, on_progress=on_progress, on_epoch=on_epoch)
    card = transfer_card(dataset, start, config, result, command)
    save_model_dir(out_dir, result.networks.serving_model, card, check_sample(dataset.x_test))
    return card


def transfer_card(
    dataset: Dataset,
    start: Start,
    config: TransferConfig,
    result: TrainResult,
    command: str,
) -> ModelCard:
    """The usual card (ml/pipeline.py), with the two-phase recipe and what it started
    from; from scratch, the usual card as it is."""
    report, _ = evaluate_model(result.networks.serving_model, dataset)
    reference = start.reference()
    if reference is None:
        return build_card(dataset, result.config, result, report, command)
    card = build_card(dataset, config.phase_config(head_only=False), result, report, command)
    card.training.config = config.to_dict()
    card.training.parent = reference.name
    card.training.transfer = reference
    if start.backbone is not None and card.architecture is not None:
        card.architecture.family = f"keras.applications {start.backbone}, new head"
        card.architecture.widths = []
    return card


# --------------------------------------------------------------------------- auto


@dataclass
class CandidateScore:
    start: Start
    val_accuracy: float
    seconds: float

    @property
    def name(self) -> str:
        return self.start.label


def candidate_starts(settings: Settings, models_root: Path = SHIPPED_MODELS) -> list[Start]:
    """From scratch, then every model on this machine (``local_parents``)."""
    return [Start(), *(Start(parent=p) for p in local_parents(settings, models_root))]


def validation_split(dataset: Dataset, fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Train on most of the training images, validate on the rest (stratified): the
    test split stays unseen while candidates are compared."""
    rng = np.random.default_rng(seed)
    per_class = (np.nonzero(dataset.y_train == c)[0] for c in range(len(dataset.class_names)))
    val_idx = np.concatenate(
        [rng.permutation(members)[: max(1, int(len(members) * fraction))] for members in per_class]
    )
    is_val = np.zeros(len(dataset.y_train), bool)
    is_val[val_idx] = True
    return Dataset(
        f"{dataset.name}-validation",
        dataset.class_names,
        dataset.x_train[~is_val],
        dataset.y_train[~is_val],
        dataset.x_train[is_val],
        dataset.y_train[is_val],
        source=dataset.source,
    )


def short_budget(config: TransferConfig, share: float = 0.35) -> TransferConfig:
    """The trial recipe for ``--from auto``: the same schedule, a share of the epochs."""
    return replace(
        config,
        head_epochs=max(1.0, round(config.head_epochs * share, 1)),
        epochs=max(1.0, round(config.epochs * share, 1)),
    )


def compare_candidates(
    dataset: Dataset,
    starts: Sequence[Start],
    config: TransferConfig,
    *,
    on_trial: Callable[[Start], None] | None = None,
) -> list[CandidateScore]:
    """Each start trained on a short budget on most of the training images and scored
    on the rest of them; best first (ties: the earlier start)."""
    split = validation_split(dataset, seed=config.seed)
    trial = short_budget(config)
    scores = []
    for start in starts:
        if on_trial:
            on_trial(start)
        result = train_from(split, start, trial)
        probabilities = predict_probabilities(result.networks.serving_model, split.x_test)
        accuracy = float(np.mean(probabilities.argmax(axis=1) == split.y_test))
        scores.append(CandidateScore(start, accuracy, result.seconds))
    return sorted(scores, key=lambda score: -score.val_accuracy)
