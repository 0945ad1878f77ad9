"""The network: a small VGG-like CNN after airbench94 (Jordan, arXiv 2404.00498).

A frozen 2x2 patch-whitening convolution, three conv groups (conv, max-pool,
batch-norm, GELU, conv, batch-norm, GELU) of widths 64/256/256, global max-pool and a
scaled linear head. Batch-norm has no learned scale (only a bias), convolutions have
no bias and start as identity (dirac) on their first input-channel-count filters.

Two Keras models share the same layers:
- the *training model* maps normalised images to logits;
- the *serving model* takes raw 0-255 RGB, normalises inside itself, averages the
  logits of the image and its mirror (test-time flip augmentation) and returns
  softmax probabilities. This is the model that is saved, so every client gets the
  accuracy that is reported and no preprocessing can drift between train and serve.
  The images and their mirrors go through the network as one batch of 2N: one pass
  instead of two halves the per-layer overhead that dominates a lone image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

BACKBONE_NAME = "backbone"
LAST_CONV_LAYER = "block3_act2"  # the last conv feature map, for Grad-CAM


@keras.saving.register_keras_serializable(package="sightline")
class HorizontalFlip(layers.Layer):
    """Mirrors images left-right (NHWC). Models saved before MirrorBatch use it."""

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return keras.ops.flip(inputs, axis=2)


@keras.saving.register_keras_serializable(package="sightline")
class MirrorBatch(layers.Layer):
    """N images (NHWC) -> 2N: the images, then their left-right mirrors."""

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return keras.ops.concatenate([inputs, keras.ops.flip(inputs, axis=2)], axis=0)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        batch = None if input_shape[0] is None else 2 * input_shape[0]
        return (batch, *input_shape[1:])


@keras.saving.register_keras_serializable(package="sightline")
class MirrorAverage(layers.Layer):
    """2N rows from MirrorBatch -> N: each image's row averaged with its mirror's."""

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        images, mirrors = keras.ops.split(inputs, 2, axis=0)
        return (images + mirrors) / 2

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        batch = None if input_shape[0] is None else input_shape[0] // 2
        return (batch, *input_shape[1:])


@dataclass(frozen=True)
class Architecture:
    widths: tuple[int, int, int] = (64, 256, 256)
    batchnorm_momentum: float = 0.6
    logit_scale: float = 1 / 9
    whiten_kernel: int = 2

    @property
    def whiten_width(self) -> int:
        return 2 * 3 * self.whiten_kernel**2


def _torch_default_init() -> keras.initializers.Initializer:
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the init the recipe was tuned with.
    return keras.initializers.VarianceScaling(1 / 3, mode="fan_in", distribution="uniform")


def build_backbone(
    num_classes: int,
    input_shape: tuple[int, int, int],
    arch: Architecture,
    dtype: str = "float32",
) -> keras.Model:
    """``dtype``: a Keras dtype policy; "mixed_bfloat16" computes in bf16 on float32
    weights (training only: float32_networks turns the result back for saving)."""
    inputs = keras.Input(input_shape, name="normalized")
    x = layers.Conv2D(
        arch.whiten_width,
        arch.whiten_kernel,
        padding="valid",
        name="whiten",
        kernel_initializer="zeros",
        dtype=dtype,
    )(inputs)
    x = layers.Activation("gelu", name="whiten_act", dtype=dtype)(x)
    for block, width in enumerate(arch.widths, start=1):
        x = _conv_group(x, width, block, arch.batchnorm_momentum, dtype)
    x = layers.GlobalMaxPooling2D(name="pool", dtype=dtype)(x)
    x = layers.Dense(
        num_classes,
        use_bias=False,
        name="head",
        kernel_initializer=_torch_default_init(),
        dtype=dtype,
    )(x)
    logits = layers.Rescaling(arch.logit_scale, name="logits", dtype=dtype)(x)
    return keras.Model(inputs, logits, name=BACKBONE_NAME)


def _conv_group(
    x: keras.KerasTensor, width: int, block: int, momentum: float, dtype: str
) -> keras.KerasTensor:
    def conv(name: str) -> layers.Conv2D:
        return layers.Conv2D(
            width,
            3,
            padding="same",
            use_bias=False,
            name=name,
            kernel_initializer=_torch_default_init(),
            dtype=dtype,
        )

    def norm(name: str) -> layers.BatchNormalization:
        # Keras' momentum is the weight of the old running value: 0.6 as in the recipe.
        return layers.BatchNormalization(
            momentum=momentum, epsilon=1e-5, scale=False, name=name, dtype=dtype
        )

    x = conv(f"block{block}_conv1")(x)
    x = layers.MaxPooling2D(2, name=f"block{block}_pool", dtype=dtype)(x)
    x = norm(f"block{block}_norm1")(x)
    x = layers.Activation("gelu", name=f"block{block}_act1", dtype=dtype)(x)
    x = conv(f"block{block}_conv2")(x)
    x = norm(f"block{block}_norm2")(x)
    return layers.Activation("gelu", name=f"block{block}_act2", dtype=dtype)(x)


@dataclass
class Networks:
    backbone: keras.Model
    train_model: keras.Model  # raw images -> logits (normalisation inside)
    serving_model: keras.Model  # raw images -> probabilities, flip-averaged


def build_networks(
    num_classes: int,
    input_shape: tuple[int, int, int],
    mean: Sequence[float],
    std: Sequence[float],
    arch: Architecture | None = None,
    tta_flip: bool = True,
    dtype: str = "float32",
) -> Networks:
    arch = arch or Architecture()
    backbone = build_backbone(num_classes, input_shape, arch, dtype)
    normalize = layers.Normalization(
        mean=list(mean), variance=[s * s for s in std], name="normalize"
    )

    _dirac_init(backbone)
    return assemble_networks(backbone, normalize, input_shape, tta_flip)


def assemble_networks(
    backbone: keras.Model,
    normalize: layers.Layer,
    input_shape: tuple[int, ...],
    tta_flip: bool,
) -> Networks:
    """The training and serving views around a backbone and its normalisation layer."""
    raw = keras.Input(input_shape, name="image")
    train_model = keras.Model(raw, backbone(normalize(raw)), name="sightline_train")

    serving_raw = keras.Input(input_shape, name="image")
    serving_norm = normalize(serving_raw)
    if tta_flip:
        logits = MirrorAverage(name="mirror_average")(
            backbone(MirrorBatch(name="mirror_batch")(serving_norm))
        )
    else:
        logits = backbone(serving_norm)
    probs = layers.Softmax(name="probabilities")(logits)
    serving_model = keras.Model(serving_raw, probs, name="sightline_cnn")
    return Networks(backbone, train_model, serving_model)


def float32_networks(networks: Networks, arch: Architecture) -> Networks:
    """The same weights in a float32 backbone: what a bf16-trained model is saved as, so
    serving never depends on the CPU's bf16 support."""
    trained = networks.backbone
    shape = tuple(int(d) for d in trained.input_shape[1:])
    backbone = build_backbone(int(trained.output_shape[-1]), shape, arch)  # type: ignore[arg-type]
    backbone.set_weights(trained.get_weights())
    normalize = networks.train_model.get_layer("normalize")
    return assemble_networks(backbone, normalize, shape, uses_flip_tta(networks.serving_model))


def uses_flip_tta(serving_model: keras.Model) -> bool:
    names = {layer.name for layer in serving_model.layers}
    return bool(names & {"mirror_batch", "mirror"})  # "mirror": the two-pass form


def networks_from_serving_model(serving_model: keras.Model) -> Networks:
    """Rebuild both views of a saved serving model (for fine-tuning). The serving view is
    built anew in the current form, sharing the saved one's layers and weights."""
    return assemble_networks(
        serving_model.get_layer(BACKBONE_NAME),
        serving_model.get_layer("normalize"),
        tuple(int(d) for d in serving_model.input_shape[1:]),
        uses_flip_tta(serving_model),
    )


def _dirac_init(backbone: keras.Model) -> None:
    """Identity init for the first in-channels filters of every 3x3 conv."""
    for layer in backbone.layers:
        if isinstance(layer, layers.Conv2D) and layer.name.startswith("block"):
            kernel = np.array(layer.kernel.numpy())
            kh, kw, cin, cout = kernel.shape
            n = min(cin, cout)
            kernel[:, :, :, :n] = 0.0
            kernel[kh // 2, kw // 2, np.arange(n), np.arange(n)] = 1.0
            layer.kernel.assign(kernel)


def init_whitening(backbone: keras.Model, normalized_images: np.ndarray, eps: float = 5e-4) -> None:
    """Set the whitening conv to the eigenbasis of the data's 2x2 patch covariance.

    Each eigenvector, scaled by 1/sqrt(eigenvalue), becomes a filter, with its negative
    beside it, so the layer's output is whitened patches split into two half-planes.
    """
    layer = backbone.get_layer("whiten")
    k = layer.kernel.shape[0]
    x = normalized_images.astype(np.float64)
    _, h, w, c = x.shape
    patches = np.stack(
        [x[:, i : h - k + 1 + i, j : w - k + 1 + j, :] for i in range(k) for j in range(k)],
        axis=3,
    ).reshape(-1, k * k * c)  # (h, w, c) order, as Keras lays out a kernel
    covariance = patches.T @ patches / len(patches)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1]
    scaled = eigenvectors[:, order] / np.sqrt(eigenvalues[order] + eps)
    filters = np.concatenate([scaled, -scaled], axis=1).reshape(k, k, c, -1)
    layer.kernel.assign(filters.astype(np.float32))
    layer.bias.assign(np.zeros(layer.bias.shape, np.float32))


def count_params(model: keras.Model) -> int:
    return int(sum(np.prod(v.shape) for v in model.weights))
