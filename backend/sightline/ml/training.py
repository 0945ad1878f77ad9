"""Training: the airbench94 recipe in Keras 3 (TensorFlow backend), from scratch or as a
fine-tune of a saved model.

The recipe's pieces, each cheap on a CPU: label smoothing 0.2 on a summed loss,
Nesterov SGD (momentum 0.85) with decoupled-looking weight decay, a 64x learning rate
for batch-norm biases, a triangular schedule, lookahead (an EMA that the weights snap
to every 5 steps, its decay rising to the end), and augmentation by alternating
mirror (an image is mirrored in every other epoch, not at random) and random
translation by up to 2 pixels with reflection padding. Beyond the recipe, for the long
run and for uploads: cutout, JPEG compression (data/compression.py) and bfloat16
convolutions on CPUs that have them (the weights, and the saved model, stay float32).
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras
import tensorflow as tf

from sightline.data.compression import CompressionAugment, check_aligned
from sightline.data.datasets import Dataset
from sightline.ml.model import (
    Architecture,
    Networks,
    build_networks,
    float32_networks,
    init_whitening,
)
from sightline.ml.uncertainty import colour_fields


@dataclass(frozen=True)
class TrainConfig:
    # The shipped recipe's teacher schedule (configs/train/teacher-*.toml).
    epochs: float = 35.0
    batch_size: int = 1024
    widths: tuple[int, int, int] = (64, 256, 256)
    lr: float = 11.5  # per 1,024 examples, as in the recipe
    momentum: float = 0.85
    weight_decay: float = 0.0153
    bias_scaler: float = 64.0
    label_smoothing: float = 0.2
    whiten_bias_epochs: float = 3.0
    translate: int = 2
    # Cutout: one random square of this side per image is set to the dataset's mean
    # colour, so that a long run cannot memorise its images (it costs doubt on flat
    # colours: see outlier_fields).
    cutout: int = 0
    # Outlier exposure: this many smooth colour fields (ml/uncertainty.colour_fields, grids
    # of 2 to 16 colours a side) join the training images and learn the uniform answer,
    # "none of the classes": a counterweight to cutout, which teaches that a flat patch
    # belongs to the image's class.
    outlier_fields: int = 0
    lookahead_every: int = 5
    # Triangular schedule: from 0.2x up to 1x at 23% of the steps, then down to 0.07x.
    warmup_fraction: float = 0.23
    start_lr_fraction: float = 0.2
    end_lr_fraction: float = 0.07
    tta_flip: bool = True
    seed: int = 0
    val_size: int = 2000  # test images scored after each epoch, for the curves only
    # Fine-tuning keeps the whitening layer and the init of the model it starts from.
    fine_tune: bool = False
    # Scale the weight decay by lr / 11.5 (see _Trainer._make_optimizer_state): for the
    # retrain worker, whose fine-tunes follow one another.
    decay_follows_lr: bool = False
    # Share of training images seen JPEG-compressed (data/compression.py): uploads are
    # JPEGs, and a model that never saw block artefacts does worse on them.
    compression_probability: float = 0.4
    # One of PRECISIONS. "bfloat16": convolutions in bf16 for speed (weights and the saved
    # model stay float32). "auto": bf16 where the CPU computes it in hardware.
    precision: str = "auto"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


PRECISIONS = ("auto", "float32", "bfloat16")

QUICK = TrainConfig(
    precision="float32",
    epochs=8,
    batch_size=32,
    widths=(16, 32, 32),
    val_size=500,
    whiten_bias_epochs=1,
    compression_probability=0.0,
)


@dataclass
class Progress:
    epoch: int  # 1-based, the epoch in progress
    epochs: int
    step: int
    total_steps: int
    loss: float
    accuracy: float
    elapsed_seconds: float

    @property
    def fraction(self) -> float:
        return self.step / max(1, self.total_steps)

    @property
    def eta_seconds(self) -> float:
        if self.step == 0:
            return float("nan")
        return self.elapsed_seconds / self.step * (self.total_steps - self.step)


ProgressCallback = Callable[[Progress], None]
EpochCallback = Callable[[int, dict[str, float]], None]


class TrainingCancelled(Exception):
    pass


@dataclass(frozen=True)
class SoftTargets:
    """Class probabilities to learn for some training images instead of their labels:
    a fine-tune learning its replay images from the parent model's answers (distillation)
    keeps more of the parent than learning their labels again."""

    probabilities: np.ndarray  # (n, classes), row for row with the training images
    rows: np.ndarray  # bool (n,): the images that learn these instead of their label

    def __post_init__(self) -> None:
        if self.probabilities.shape[0] != self.rows.shape[0]:
            raise ValueError("soft targets need one row of probabilities per image")


@dataclass
class TrainResult:
    networks: Networks
    config: TrainConfig  # as run: "auto" precision resolved
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    steps: int = 0


def native_bf16() -> bool:
    """Whether this CPU computes bf16 in hardware (AVX512-BF16 or AMX); emulated bf16 is
    slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            flags = cpuinfo.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(config: TrainConfig) -> TrainConfig:
    if config.precision not in PRECISIONS:
        known = ", ".join(PRECISIONS)
        raise ValueError(f"precision must be one of {known}, not {config.precision!r}")
    if config.precision != "auto":
        return config
    return replace(config, precision="bfloat16" if native_bf16() else "float32")


def channel_stats(images: np.ndarray) -> tuple[list[float], list[float]]:
    sample = images[:: max(1, len(images) // 10000)].astype(np.float64)
    mean = sample.mean(axis=(0, 1, 2))
    std = sample.std(axis=(0, 1, 2)) + 1e-6
    return [float(v) for v in mean], [float(v) for v in std]


def new_networks(dataset: Dataset, config: TrainConfig) -> Networks:
    keras.utils.set_random_seed(config.seed)
    mean, std = channel_stats(dataset.x_train)
    height, width = dataset.image_size
    networks = build_networks(
        len(dataset.class_names),
        (height, width, 3),
        mean,
        std,
        Architecture(widths=config.widths),
        tta_flip=config.tta_flip,
        dtype="mixed_bfloat16" if config.precision == "bfloat16" else "float32",
    )
    # A random sample: image folders are sorted by class, and the first 5,000 would be one.
    sample_idx = np.random.default_rng(config.seed).permutation(len(dataset.y_train))[:5000]
    whiten_sample = dataset.x_train[np.sort(sample_idx)].astype(np.float32)
    normalized = (whiten_sample - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    init_whitening(networks.backbone, normalized)
    return networks


def train(
    dataset: Dataset,
    config: TrainConfig,
    *,
    networks: Networks | None = None,
    on_progress: ProgressCallback | None = None,
    on_epoch: EpochCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    compressed_copy: Dataset | None = None,
    soft_targets: SoftTargets | None = None,
) -> TrainResult:
    """Train (or fine-tune, when ``networks`` is given) on ``dataset.x_train``.

    ``compressed_copy``: the same training images, JPEG-compressed, row for row; the
    compression augmentation draws half its images from it. ``soft_targets``: what some
    images learn instead of their (smoothed) label. A fine-tune runs in the given
    networks' precision (float32 for every saved model).
    """
    if len(dataset.y_train) == 0:
        raise ValueError("The dataset has no training images.")
    if soft_targets is not None and len(soft_targets.rows) != len(dataset.y_train):
        raise ValueError("soft targets need one row per training image")
    copy_images = None
    if compressed_copy is not None:
        check_aligned(dataset.y_train, compressed_copy.y_train)
        copy_images = compressed_copy.x_train
    if networks is None:
        config = resolve_precision(config)
        networks = new_networks(dataset, config)
    else:
        config = replace(config, precision="float32")
    if config.outlier_fields > 0:
        # After the networks: the whitening layer is fitted to the real images only.
        dataset, copy_images, soft_targets = with_outlier_fields(
            dataset, copy_images, soft_targets, config.outlier_fields, config.seed
        )
    trainer = _Trainer(networks, dataset, config, copy_images, soft_targets)
    result = trainer.run(on_progress, on_epoch, should_stop)
    if config.precision == "bfloat16":
        result.networks = float32_networks(result.networks, Architecture(widths=config.widths))
    return result


OUTLIER_GRIDS = (2, 4, 8, 16)


def with_outlier_fields(
    dataset: Dataset,
    compressed_copy: np.ndarray | None,
    soft_targets: SoftTargets | None,
    n: int,
    seed: int,
) -> tuple[Dataset, np.ndarray | None, SoftTargets]:
    """The training images with ``n`` colour fields appended (to the compressed copy too,
    which the compression augmentation indexes row for row), each learning the uniform
    answer; the other images keep what they learned before (label or soft target)."""
    fields = colour_fields(n, (dataset.image_size[1], dataset.image_size[0]), seed, OUTLIER_GRIDS)
    k, m = len(dataset.class_names), len(dataset.y_train)
    probabilities = np.zeros((m + n, k), np.float32)
    rows = np.zeros(m + n, bool)
    if soft_targets is not None:
        probabilities[:m], rows[:m] = soft_targets.probabilities, soft_targets.rows
    probabilities[m:], rows[m:] = 1 / k, True
    extended = replace(
        dataset,
        x_train=np.concatenate([dataset.x_train, fields]),
        # A field's label only counts in the training accuracy shown: it has none right.
        y_train=np.concatenate([dataset.y_train, np.full(n, -1, dataset.y_train.dtype)]),
    )
    copy = None if compressed_copy is None else np.concatenate([compressed_copy, fields])
    return extended, copy, SoftTargets(probabilities, rows)


class _Trainer:
    def __init__(
        self,
        networks: Networks,
        dataset: Dataset,
        config: TrainConfig,
        compressed_copy: np.ndarray | None = None,
        soft_targets: SoftTargets | None = None,
    ) -> None:
        self.networks = networks
        self.soft_targets = soft_targets
        self.compress = CompressionAugment(
            config.compression_probability, compressed_copy=compressed_copy
        )
        self.dataset = dataset
        self.config = config
        self.num_classes = len(dataset.class_names)
        n = len(dataset.y_train)
        self.batch_size = min(config.batch_size, n)
        self.steps_per_epoch = max(1, n // self.batch_size)
        self.total_steps = max(1, math.ceil(self.steps_per_epoch * config.epochs))
        self.rng = np.random.default_rng(config.seed)
        self.model = networks.train_model
        self._split_variables()
        self._make_optimizer_state()
        # oneDNN's convolutions beat XLA's on a CPU; SIGHTLINE_XLA=1 compiles with XLA.
        use_xla = os.environ.get("SIGHTLINE_XLA", "0") == "1"
        self.train_step = tf.function(self._train_step, reduce_retracing=True, jit_compile=use_xla)
        self.lookahead_step = tf.function(self._lookahead)

    # ------------------------------------------------------------------ parameters

    def _split_variables(self) -> None:
        backbone = self.networks.backbone
        # A Keras application backbone (ml/transfer.py) has no whitening layer.
        whiten = next((layer for layer in backbone.layers if layer.name == "whiten"), None)
        self.whiten_biases = [whiten.bias] if whiten is not None else []
        self.norm_biases = [
            v for layer in backbone.layers if "norm" in layer.name for v in layer.trainable_weights
        ]
        excluded = {id(v) for v in self.norm_biases}
        if whiten is not None:
            excluded |= {id(whiten.kernel), id(whiten.bias)}
        self.others = [v for v in backbone.trainable_weights if id(v) not in excluded]
        # Everything lookahead averages: weights and batch-norm running statistics.
        self.averaged = [v for v in backbone.weights if v.dtype == "float32"]

    def _make_optimizer_state(self) -> None:
        c = self.config
        # The recipe's PyTorch SGD takes lr per summed-loss example; this is its scale.
        kilostep_scale = 1024 * (1 + 1 / (1 - c.momentum))
        self.lr_other = c.lr / kilostep_scale
        self.lr_bias = self.lr_other * c.bias_scaler
        # Decoupled from the rate, as in the recipe, also in a fine-tune: the shrinking it
        # gives there is what lets a cutout-free continuation restore doubt. Retrains
        # follow one another and their losses add up, so theirs follows the rate.
        self.decay = c.weight_decay * self.batch_size / kilostep_scale
        if c.decay_follows_lr:
            self.decay *= c.lr / TrainConfig.lr
        groups = [*self.others, *self.norm_biases, *self.whiten_biases]
        self._is_norm_bias = (
            [False] * len(self.others)
            + [True] * len(self.norm_biases)
            + [False] * len(self.whiten_biases)
        )
        self.momentum_buffers = [
            tf.Variable(tf.zeros(v.shape, tf.float32), trainable=False) for v in groups
        ]
        self.ema = [tf.Variable(tf.convert_to_tensor(v), trainable=False) for v in self.averaged]

    def _schedule(self, step: int) -> float:
        c = self.config
        warm = max(1, int(c.warmup_fraction * self.total_steps))
        if step < warm:
            return c.start_lr_fraction + (1 - c.start_lr_fraction) * step / warm
        frac = min(1.0, (step - warm) / max(1, self.total_steps - warm))
        return 1 - (1 - c.end_lr_fraction) * frac

    # ------------------------------------------------------------------ compiled steps

    def _train_step(
        self,
        images: tf.Tensor,
        labels: tf.Tensor,
        targets: tf.Tensor,
        lr_scale: tf.Tensor,
        train_whiten_bias: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        c = self.config
        with tf.GradientTape() as tape:
            logits = tf.cast(self.model(images, training=True), tf.float32)
            losses = tf.nn.softmax_cross_entropy_with_logits(targets, logits)
            loss = tf.reduce_sum(losses)
        variables = [*self.others, *self.norm_biases, *self.whiten_biases]
        grads = tape.gradient(loss, variables)
        whiten_gate = tf.cast(train_whiten_bias, tf.float32)
        for i, (var, grad, buf) in enumerate(
            zip(variables, grads, self.momentum_buffers, strict=True)
        ):
            if grad is None:
                continue
            base_lr = self.lr_bias if self._is_norm_bias[i] else self.lr_other
            # PyTorch SGD semantics: weight decay joins the gradient, then Nesterov.
            grad = grad + (self.decay / base_lr) * var
            buf.assign(c.momentum * buf + grad)
            step_lr = base_lr * lr_scale
            if any(var is bias for bias in self.whiten_biases):
                step_lr = step_lr * whiten_gate
            var.assign_sub(step_lr * (grad + c.momentum * buf))
        correct = tf.reduce_sum(
            tf.cast(tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), labels), tf.float32)
        )
        return loss / tf.cast(tf.shape(images)[0], tf.float32), correct

    def _lookahead(self, decay: tf.Tensor) -> None:
        for ema, var in zip(self.ema, self.averaged, strict=True):
            ema.assign(ema + (1 - decay) * (var - ema))
            var.assign(ema)

    # ------------------------------------------------------------------ data

    def _epoch_batches(self, epoch: int) -> list[np.ndarray]:
        order = self.rng.permutation(len(self.dataset.y_train))
        return [
            order[i * self.batch_size : (i + 1) * self.batch_size]
            for i in range(self.steps_per_epoch)
        ]

    def _augment(self, idx: np.ndarray, epoch: int) -> np.ndarray:
        images = self.compress(self.dataset.x_train[idx], idx, self.rng)
        # Alternating flip: each image has a fixed coin; it is mirrored on epochs where
        # the coin and the epoch's parity agree, so it alternates instead of repeating.
        coin = (idx * 2654435761 + self.config.seed) % 2 == 1
        flip = coin if epoch % 2 == 0 else ~coin
        images = np.where(flip[:, None, None, None], images[:, :, ::-1], images)
        pad = self.config.translate
        if pad > 0:
            images = _random_translate(images, pad, self.rng)
        if self.config.cutout > 0:
            images = _cutout(images, self.config.cutout, self._mean_colour, self.rng)
        return images

    def _targets(self, idx: np.ndarray) -> np.ndarray:
        """The smoothed labels of a batch, or its soft targets where it has them."""
        k, smoothing = self.num_classes, self.config.label_smoothing
        targets = np.eye(k, dtype=np.float32)[self.dataset.y_train[idx]]
        targets = targets * (1 - smoothing) + smoothing / k
        if self.soft_targets is not None:
            rows = self.soft_targets.rows[idx]
            targets[rows] = self.soft_targets.probabilities[idx[rows]]
        return targets

    @functools.cached_property
    def _mean_colour(self) -> np.ndarray:
        """Cutout's fill; computed only when a run uses cutout."""
        return np.asarray(channel_stats(self.dataset.x_train)[0], np.float32)

    # ------------------------------------------------------------------ loop

    def run(
        self,
        on_progress: ProgressCallback | None,
        on_epoch: EpochCallback | None,
        should_stop: Callable[[], bool] | None,
    ) -> TrainResult:
        c = self.config
        history: dict[str, list[float]] = {
            "loss": [],
            "accuracy": [],
            "val_loss": [],
            "val_accuracy": [],
        }
        val_idx = np.random.default_rng(1).permutation(len(self.dataset.y_test))[: c.val_size]
        start = time.perf_counter()
        step = 0
        epochs = math.ceil(c.epochs)
        alpha_end = 0.95**c.lookahead_every
        for epoch in range(epochs):
            loss_sum, correct, seen = 0.0, 0.0, 0
            for idx in self._epoch_batches(epoch):
                if step >= self.total_steps:
                    break
                if should_stop and should_stop():
                    raise TrainingCancelled("Training was cancelled.")
                images = tf.constant(self._augment(idx, epoch), tf.float32)
                labels = tf.constant(self.dataset.y_train[idx], tf.int32)
                train_bias = (epoch < c.whiten_bias_epochs) and not c.fine_tune
                loss, hits = self.train_step(
                    images,
                    labels,
                    tf.constant(self._targets(idx), tf.float32),
                    tf.constant(self._schedule(step), tf.float32),
                    tf.constant(train_bias),
                )
                step += 1
                if step % c.lookahead_every == 0:
                    decay = alpha_end * (step / self.total_steps) ** 3
                    self.lookahead_step(tf.constant(decay, tf.float32))
                loss_sum += float(loss) * len(idx)
                correct += float(hits)
                seen += len(idx)
                if on_progress:
                    on_progress(
                        Progress(
                            epoch + 1,
                            epochs,
                            step,
                            self.total_steps,
                            loss_sum / seen,
                            correct / seen,
                            time.perf_counter() - start,
                        )
                    )
            # Snap to the average, which exists only once a lookahead step has run: a
            # run shorter than that (a small fine-tune) keeps its trained weights.
            if step >= self.total_steps and step >= c.lookahead_every:
                self.lookahead_step(tf.constant(1.0, tf.float32))
            history["loss"].append(loss_sum / max(1, seen))
            history["accuracy"].append(correct / max(1, seen))
            val_loss, val_acc = self._validate(val_idx)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_acc)
            if on_epoch:
                on_epoch(epoch + 1, {k: v[-1] for k, v in history.items()})
        return TrainResult(self.networks, c, history, time.perf_counter() - start, step)

    def _validate(self, idx: np.ndarray) -> tuple[float, float]:
        if len(idx) == 0:
            return float("nan"), float("nan")
        x = self.dataset.x_test[idx]
        y = self.dataset.y_test[idx]
        probs = predict_probabilities(self.networks.serving_model, x)
        loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1.0))))
        return loss, float(np.mean(probs.argmax(axis=1) == y))


def _random_translate(images: np.ndarray, pad: int, rng: np.random.Generator) -> np.ndarray:
    """Shift each image by up to ``pad`` pixels in x and y, reflecting at the borders."""
    n, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    dy = rng.integers(0, 2 * pad + 1, size=(n,))
    dx = rng.integers(0, 2 * pad + 1, size=(n,))
    rows = dy[:, None] + np.arange(h)[None, :]
    cols = dx[:, None] + np.arange(w)[None, :]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def _cutout(
    images: np.ndarray, side: int, fill: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Fill one ``side`` x ``side`` square per image (centre anywhere, so it may be cut by
    the border) with ``fill``, the mean colour: zero once normalised."""
    n, h, w, _ = images.shape
    top = rng.integers(0, h, size=(n,)) - side // 2
    left = rng.integers(0, w, size=(n,)) - side // 2
    rows = np.arange(h)[None, :]
    cols = np.arange(w)[None, :]
    in_rows = (rows >= top[:, None]) & (rows < top[:, None] + side)
    in_cols = (cols >= left[:, None]) & (cols < left[:, None] + side)
    mask = in_rows[:, :, None] & in_cols[:, None, :]
    return np.where(mask[..., None], fill.astype(np.float32), images.astype(np.float32))


def predict_probabilities(
    model: keras.Model, images: np.ndarray, batch_size: int = 500
) -> np.ndarray:
    """Probabilities of a serving model for uint8 images, batched, no Keras overhead."""
    fn = _compiled(model)
    out = [
        fn(tf.constant(images[i : i + batch_size], tf.float32)).numpy()
        for i in range(0, len(images), batch_size)
    ]
    if not out:
        return np.zeros((0, model.output_shape[-1]), np.float32)
    return np.concatenate(out)


_COMPILED: dict[int, Callable[[tf.Tensor], tf.Tensor]] = {}


def _compiled(model: keras.Model) -> Callable[[tf.Tensor], tf.Tensor]:
    key = id(model)
    if key not in _COMPILED:
        _COMPILED[key] = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return _COMPILED[key]


def fine_tune_config(base: TrainConfig | None = None, **overrides: object) -> TrainConfig:
    return replace(base or TrainConfig(), fine_tune=True, **overrides)  # type: ignore[arg-type]


def continuation_config(epochs: float, **overrides: object) -> TrainConfig:
    """More training for a saved model on its own data and classes, at a fine-tune rate:
    an epoch without cutout gives back the doubt on flat colours that cutout took."""
    config = fine_tune_config(epochs=epochs, lr=0.3, warmup_fraction=0.1)
    return replace(config, **overrides)  # type: ignore[arg-type]
