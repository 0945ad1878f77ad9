"""Grad-CAM (Selvaraju et al., 2017): where the model looked for the class it chose.

The gradient of the class logit with respect to the last convolutional feature map,
averaged over space, weights that map's channels; their ReLU'd sum, upsampled to the
upload's size, is the heat map. It is computed on the un-mirrored view of the image.
"""

from __future__ import annotations

import base64
import io

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from sightline.ml.model import BACKBONE_NAME, LAST_CONV_LAYER


class GradCam:
    def __init__(self, serving_model: keras.Model) -> None:
        self.normalize = serving_model.get_layer("normalize")
        backbone = serving_model.get_layer(BACKBONE_NAME)
        self.features_and_logits = keras.Model(
            backbone.inputs, [backbone.get_layer(LAST_CONV_LAYER).output, backbone.output]
        )

    def heatmap(self, image: np.ndarray, class_index: int) -> np.ndarray:
        """A (H', W') map in [0, 1] at the feature map's resolution."""
        x = self.normalize(tf.constant(image[None], tf.float32))
        with tf.GradientTape() as tape:
            features, logits = self.features_and_logits(x, training=False)
            score = logits[:, class_index]
        grads = tape.gradient(score, features)
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        cam = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))[0].numpy()
        peak = float(cam.max())
        return cam / peak if peak > 0 else cam


def colorize(cam: np.ndarray, size: tuple[int, int]) -> bytes:
    """The map as an RGBA PNG of ``size`` (width, height): warm where it matters."""
    resized = (
        np.asarray(
            Image.fromarray((cam * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC),
            np.float32,
        )
        / 255.0
    )
    # A compact "jet"-like ramp: blue -> cyan -> yellow -> red.
    red = np.clip(1.5 - np.abs(4 * resized - 3), 0, 1)
    green = np.clip(1.5 - np.abs(4 * resized - 2), 0, 1)
    blue = np.clip(1.5 - np.abs(4 * resized - 1), 0, 1)
    alpha = np.clip(resized * 1.2, 0.15, 0.85)
    rgba = (np.stack([red, green, blue, alpha], axis=-1) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def heatmap_png_base64(cam: np.ndarray, size: tuple[int, int]) -> str:
    return base64.b64encode(colorize(cam, size)).decode("ascii")
