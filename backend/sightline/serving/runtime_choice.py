"""Which runtime serves a model: the setting, checked against Keras before it serves.

An alternative runtime serves only when, on a fixed set of images, its top-1 answer
agrees with Keras' on at least MIN_AGREEMENT of them and it flags (uncertain, with the
card's threshold) a share within MAX_FLAGGED_GAP of Keras'. With ``auto`` it must also
be no slower than Keras at batch 1 and at a full micro-batch, timed on this machine at
load. Otherwise Keras serves, and the report says why (log, metric, /api/status).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np

from sightline.config import Settings
from sightline.ml.uncertainty import colour_fields, flag_rate, out_of_class_images
from sightline.serving.runtime import InferenceRuntime, KerasRuntime, SharedIR, openvino_runtime

log = logging.getLogger(__name__)

MIN_AGREEMENT = 0.995
MAX_FLAGGED_GAP = 0.01
VERIFY_SEED = 31
CHECK_FIELDS = 160
CHECK_STRANGERS = {"noise": 32, "flat colour": 32, "text": 32}
TIMED_BATCH_SIZES = (1, 32)
TIMED_CALLS = {1: 20, 32: 3}


@dataclass(frozen=True, slots=True)
class RuntimeReport:
    """Which runtime serves a model, and the evidence: shown by /api/status."""

    name: str
    precision: str
    requested: str
    agreement: float | None = None  # top-1 agreement with Keras on the check images
    flagged_gap: float | None = None  # |runtime's flagged share - Keras'|
    checked_images: int = 0
    reason: str | None = None  # why Keras serves when another runtime was asked for
    timings_ms: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def labels(self, version: str) -> tuple[str, ...]:
        """The labels of ``sightline_runtime_info`` for ``version`` served this way."""
        return (version, self.name, self.precision, self.requested, self.reason or "")


def check_images(input_size: tuple[int, int], held_out: np.ndarray | None = None) -> np.ndarray:
    """The images a runtime is checked on: the version's stored held-out sample
    (ml/artifacts.check_sample; real images of its classes) when it has one, and a fixed,
    seeded set for every model of this size: smooth colour fields at several scales,
    noise, flat colours and text. They spread the model's confidence from sure to unsure,
    which is where a runtime's rounding shows."""
    size = (input_size[1], input_size[0])  # (width, height)
    parts = []
    if held_out is not None and held_out.shape[1:3] == input_size:
        parts.append(held_out)
    parts += [colour_fields(CHECK_FIELDS, size, seed=VERIFY_SEED, grids=(2, 3, 4, 6, 8))]
    parts += [
        out_of_class_images(kind, n, size, seed=VERIFY_SEED) for kind, n in CHECK_STRANGERS.items()
    ]
    return np.concatenate(parts)


@dataclass(frozen=True, slots=True)
class Agreement:
    agreement: float
    flagged_gap: float

    def passes(self) -> bool:
        return self.agreement >= MIN_AGREEMENT and self.flagged_gap <= MAX_FLAGGED_GAP


def compare(reference: np.ndarray, candidate: np.ndarray, threshold: float) -> Agreement:
    """How closely ``candidate``'s probabilities follow ``reference``'s."""
    agreement = float(np.mean(reference.argmax(axis=1) == candidate.argmax(axis=1)))
    gap = abs(flag_rate(candidate, threshold) - flag_rate(reference, threshold))
    return Agreement(agreement, gap)


def median_ms(predict: Callable[[np.ndarray], np.ndarray], batch: np.ndarray, calls: int) -> float:
    predict(batch)  # the first call of a shape may compile kernels
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predict(batch)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def timings(runtime: InferenceRuntime, images: np.ndarray) -> dict[str, float]:
    """Median ms per call at each of TIMED_BATCH_SIZES."""
    return {
        f"batch_{n}": round(median_ms(runtime.predict, images[:n], TIMED_CALLS[n]), 3)
        for n in TIMED_BATCH_SIZES
    }


def select_runtime(
    model: keras.Model,
    *,
    requested: str,
    input_size: tuple[int, int],
    threshold: float,
    model_sha256: str,
    cache_dir: Path,
    threads: int,
    shared: SharedIR | None = None,
    held_out: np.ndarray | None = None,
) -> tuple[InferenceRuntime, RuntimeReport]:
    """The runtime to serve ``model`` with, and the report of how it was chosen;
    ``shared``: where replicas share converted models (serving/shared_ir.py);
    ``held_out``: the version's stored check images."""
    keras_runtime = KerasRuntime(model, input_size)
    if requested == "keras":
        return keras_runtime, RuntimeReport("keras", keras_runtime.precision, requested)

    def keep_keras(reason: str, **evidence: Any) -> tuple[InferenceRuntime, RuntimeReport]:
        log.warning("serving with keras", extra={"requested": requested, "reason": reason})
        report = RuntimeReport("keras", keras_runtime.precision, requested, reason=reason)
        return keras_runtime, _with(report, **evidence)

    try:
        candidate = openvino_runtime(model, model_sha256, cache_dir, threads, shared)
    except Exception as exc:  # not installed, or the conversion failed: Keras serves
        return keep_keras(f"openvino unavailable: {exc}")
    images = check_images(input_size, held_out)
    reference = keras_runtime.predict(images)
    result = compare(reference, candidate.predict(images), threshold)
    evidence: dict[str, Any] = {
        "agreement": round(result.agreement, 4),
        "flagged_gap": round(result.flagged_gap, 4),
        "checked_images": len(images),
    }
    if not result.passes():
        return keep_keras(
            f"openvino {candidate.precision} disagreed with keras: top-1 agreement "
            f"{result.agreement:.2%} (needs {MIN_AGREEMENT:.1%}), flagged share differs by "
            f"{result.flagged_gap:.2%} (at most {MAX_FLAGGED_GAP:.0%})",
            **evidence,
        )
    if requested == "auto":
        measured = {"keras": timings(keras_runtime, images), "openvino": timings(candidate, images)}
        evidence["timings_ms"] = measured
        log.info("runtime timings", extra={"timings_ms": measured})
        slower = [k for k, ms in measured["openvino"].items() if ms > measured["keras"][k]]
        if slower:
            return keep_keras(f"keras was faster at {', '.join(slower)}", **evidence)
    report = RuntimeReport("openvino", candidate.precision, requested)
    log.info("serving with openvino", extra={"precision": candidate.precision, **evidence})
    return candidate, _with(report, **evidence)


def _with(report: RuntimeReport, **evidence: Any) -> RuntimeReport:
    return replace(report, **evidence)


def weights_sha256(model: keras.Model) -> str:
    """A hash of the model's weights: the cache key of a model not saved to a file yet
    (the retraining gate's candidate)."""
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(np.ascontiguousarray(weights).tobytes())
    return digest.hexdigest()


def serving_runtime(
    model: keras.Model, settings: Settings, threshold: float
) -> tuple[InferenceRuntime, RuntimeReport]:
    """The runtime ``settings`` would serve ``model`` with on this machine: the retraining
    gate scores models with it, so it judges the answers production would give."""
    shape = model.input_shape[1:3]
    return select_runtime(
        model,
        requested=settings.runtime,
        input_size=(int(shape[0]), int(shape[1])),
        threshold=threshold,
        model_sha256=weights_sha256(model),
        cache_dir=settings.resolved_cache_dir / "runtimes",
        threads=settings.inference_threads,
    )
