"""A loaded model, compiled once: raw uint8 images in, probabilities out.

The model runs on the runtime ``serving/runtime_choice.py`` picks (Keras in a
tf.function, or OpenVINO once it agrees with Keras) and is warmed up at load, so a
request never pays for tracing; Keras' predict() loop (tens of ms per call) is never on
the request path. Grad-CAM always uses the Keras model.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

from sightline.blob_store import file_sha256
from sightline.ids import new_id
from sightline.ml.artifacts import MODEL_FILE, load_check_images, load_model
from sightline.ml.card import load_card
from sightline.ml.explain import GradCam
from sightline.serving.runtime import InferenceRuntime, SharedIR
from sightline.serving.runtime_choice import RuntimeReport, select_runtime

WARM_UP_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64)  # up to the default batch_max_size
# When a request waits for the load (a classifier's first use, or one evicted): the sizes
# a first answer meets; the larger ones cost their kernel choice once, under load.
WAITED_FOR_WARM_UP = (1, 2, 4)


def configure_threads(threads: int) -> None:
    """TF thread pools sized for the machine (``inference_threads``, 2 on the 2-core box).

    - intra-op = ``threads``: one convolution is split over that many cores. The
      micro-batcher runs one call at a time, so this is what uses the cores.
    - inter-op = 1: ops run one after another; the model is a chain (its two flip
      branches each already fill the cores), and a second pool would only oversubscribe.
    Decoding, HTTP and the database run in other threads and take the gaps.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already initialised in this process; the first setting stands


@dataclass(frozen=True, slots=True)
class Prediction:
    """One image's answer: the API's PredictionOut and the history's PredictionRow are
    both made from it."""

    id: str
    label: str
    class_index: int
    confidence: float
    probabilities: dict[str, float]
    top_k: list[tuple[str, float]]  # (class, probability), most likely first
    uncertain: bool
    model_version: str
    time_ms: float
    created_at: datetime


class Predictor:
    def __init__(
        self,
        version: str,
        directory: Path,
        *,
        runtime: str = "keras",
        threads: int = 2,
        cache_dir: Path | None = None,
        warm_up_sizes: tuple[int, ...] = WARM_UP_BATCH_SIZES,
        shared_ir: SharedIR | None = None,
    ) -> None:
        self.version = version
        self.directory = Path(directory)
        self.card = load_card(self.directory)
        self.model = load_model(self.directory)
        shape = self.model.input_shape[1:]
        self.input_size: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.class_names: list[str] = list(self.card.class_names)
        self.threshold = self.card.uncertainty_threshold
        self.runtime: InferenceRuntime
        self.runtime_report: RuntimeReport
        self.runtime, self.runtime_report = select_runtime(
            self.model,
            requested=runtime,
            input_size=self.input_size,
            threshold=self.threshold,
            model_sha256=file_sha256(self.directory / MODEL_FILE),
            cache_dir=cache_dir or Path(tempfile.gettempdir()) / "sightline-runtimes",
            threads=threads,
            shared=shared_ir,
            held_out=load_check_images(self.directory),
        )
        self._gradcam: GradCam | None = None
        self.loaded_at = time.time()
        self.warm_up(warm_up_sizes)

    def warm_up(self, sizes: tuple[int, ...] = WARM_UP_BATCH_SIZES) -> None:
        """Run each batch size once, so no request pays for tracing or for choosing
        kernels; sizes in between cost a few ms the first time they occur."""
        for n in sizes:
            self.predict_arrays(np.zeros((n, *self.input_size, 3), np.uint8))

    def predict_arrays(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for uint8 images (N, H, W, 3)."""
        if images.ndim != 4 or images.shape[1:3] != self.input_size:
            raise ValueError(f"expected (N, {self.input_size}, 3) images, got {images.shape}")
        return self.runtime.predict(images)

    def gradcam(self) -> GradCam:
        """The Grad-CAM view of this model, built on first use (only /api/explain needs it)."""
        if self._gradcam is None:
            self._gradcam = GradCam(self.model)
        return self._gradcam

    def describe(
        self, probabilities: np.ndarray, *, time_ms: float = 0.0, k: int = 3
    ) -> Prediction:
        """The prediction for one image's probabilities (classes,), with a new id."""
        order = np.argsort(-probabilities)
        best = int(order[0])
        confidence = float(probabilities[best])
        return Prediction(
            id=new_id(),
            label=self.class_names[best],
            class_index=best,
            confidence=confidence,
            probabilities={
                name: float(p) for name, p in zip(self.class_names, probabilities, strict=True)
            },
            top_k=[(self.class_names[int(i)], float(probabilities[int(i)])) for i in order[:k]],
            uncertain=confidence < self.threshold,
            model_version=self.version,
            time_ms=time_ms,
            created_at=datetime.now(UTC),
        )
