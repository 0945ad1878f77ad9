"""What runs the model: Keras (the reference) or OpenVINO, behind one small interface.

Both take the same raw uint8 batch (N, H, W, 3) and return probabilities (N, classes):
the serving model holds its own preprocessing, so a runtime cannot skew the input.
OpenVINO runs the model converted from Keras' SavedModel export; the converted IR is
cached on disk keyed by the model's sha256, OpenVINO's version and the precision, so a
process converts a model once, and OpenVINO's own compiled-model cache sits beside it.
Replicas share the IR too (``SharedIR``, serving/shared_ir.py): the first to convert a
model publishes it, the others fetch it.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Protocol

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras
import tensorflow as tf

from sightline.ml.export import OPENVINO_XML, export_openvino, openvino_version

RUNTIMES = ("auto", "keras", "openvino")
DEVICE = "CPU"


class InferenceRuntime(Protocol):
    name: str
    precision: str

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for uint8 images (N, H, W, 3)."""
        ...


class KerasRuntime:
    """The Keras model in a tf.function with a fixed signature: traced once per batch
    size at warm-up, never Keras' predict() loop."""

    name = "keras"
    precision = "f32"

    def __init__(self, model: keras.Model, input_size: tuple[int, int]) -> None:
        signature = tf.TensorSpec((None, *input_size, 3), tf.uint8)

        @tf.function(input_signature=[signature])
        def infer(images: tf.Tensor) -> tf.Tensor:
            return model(tf.cast(images, tf.float32), training=False)

        self._infer = infer

    def predict(self, images: np.ndarray) -> np.ndarray:
        result: np.ndarray = self._infer(tf.constant(images, tf.uint8)).numpy()
        return result


class OpenVINORuntime:
    """An OpenVINO IR compiled for the CPU, taking uint8 (the cast to float is part of the
    compiled graph). One infer request, used by one caller at a time."""

    name = "openvino"

    def __init__(self, xml_path: Path, threads: int, cache_dir: Path | None = None) -> None:
        import openvino

        core = openvino.Core()
        if cache_dir is not None:
            core.set_property({"CACHE_DIR": str(cache_dir)})
        model = core.read_model(str(xml_path))
        pre = openvino.preprocess.PrePostProcessor(model)
        pre.input().tensor().set_element_type(openvino.Type.u8)
        pre.input().preprocess().convert_element_type(openvino.Type.f32)
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads}
        compiled = core.compile_model(pre.build(), DEVICE, config)
        self.precision = compiled.get_property("INFERENCE_PRECISION_HINT").to_string()
        self._request = compiled.create_infer_request()
        self._lock = threading.Lock()  # an infer request is not re-entrant

    def predict(self, images: np.ndarray) -> np.ndarray:
        batch = np.ascontiguousarray(images, np.uint8)
        with self._lock:
            result = self._request.infer({0: batch})
            return np.array(result[0], np.float32)  # a copy: the request reuses its buffer


class SharedIR(Protocol):
    """Where replicas share converted models (serving/shared_ir.py); best effort."""

    def fetch(self, key: str, folder: Path) -> bool:
        """Put ``key``'s files in ``folder``; False when none are shared."""
        ...

    def publish(self, key: str, folder: Path) -> None: ...


def default_precision() -> str:
    """The precision OpenVINO's CPU plugin picks on this machine (bf16 with AMX)."""
    import openvino

    return str(openvino.Core().get_property(DEVICE, "INFERENCE_PRECISION_HINT").to_string())


def ir_key(model_sha256: str) -> str:
    """What a conversion is named by: the model, OpenVINO's version, the precision."""
    return f"{model_sha256}-ov{openvino_version()}-{default_precision()}"


def converted_ir(
    model: keras.Model, model_sha256: str, cache_dir: Path, shared: SharedIR | None = None
) -> Path:
    """The model's OpenVINO IR, converted once per (model, OpenVINO version, precision)
    and reused from ``cache_dir`` after that, or fetched from ``shared`` when another
    replica converted it; written atomically (a folder renamed)."""
    key = ir_key(model_sha256)
    folder = cache_dir / "openvino" / key
    if (folder / OPENVINO_XML).is_file():
        return folder / OPENVINO_XML
    tmp = folder.with_name(f".{key}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        fetched = shared is not None and shared.fetch(key, tmp)
        if not fetched:
            shutil.rmtree(tmp, ignore_errors=True)  # what a failed fetch left
            export_openvino(model, tmp)
            if shared is not None:
                shared.publish(key, tmp)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / OPENVINO_XML).is_file():  # not a concurrent writer's win
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / OPENVINO_XML


def openvino_runtime(
    model: keras.Model,
    model_sha256: str,
    cache_dir: Path,
    threads: int,
    shared: SharedIR | None = None,
) -> OpenVINORuntime:
    xml = converted_ir(model, model_sha256, cache_dir, shared)
    return OpenVINORuntime(xml, threads, cache_dir / "openvino" / "compiled")
