"""A model on disk: a folder with model.keras and card.json, written atomically, and
check_images.npy, a sample of its held-out images, when training had one.

A folder is written under a temporary name and renamed into place, so a reader
(another replica, the worker) sees either the whole model or none of it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import uuid
from pathlib import Path
from typing import Any

import keras
import numpy as np

import sightline.ml.model  # noqa: F401 - registers the custom layers for loading
from sightline.blob_store import file_sha256
from sightline.ml.card import ModelCard, load_card, save_card

MODEL_FILE = "model.keras"
# Held-out images kept with a version: a runtime other than Keras serves only after
# agreeing with Keras on them (serving/runtime_choice.py), not only on generated ones.
CHECK_FILE = "check_images.npy"
CHECK_SAMPLE = 256
CHECK_SEED = 31


def check_sample(*held_out: np.ndarray | None) -> np.ndarray | None:
    """A fixed, seeded sample of up to CHECK_SAMPLE of the held-out images (uint8,
    N x H x W x 3, all of one size); None when there are none."""
    parts = [np.asarray(x) for x in held_out if x is not None and len(x)]
    if not parts:
        return None
    images = parts[0] if len(parts) == 1 else np.concatenate(parts)
    rng = np.random.default_rng(CHECK_SEED)
    pick = np.sort(rng.choice(len(images), size=min(CHECK_SAMPLE, len(images)), replace=False))
    return np.ascontiguousarray(images[pick], np.uint8)


def load_check_images(directory: Path) -> np.ndarray | None:
    """The version's stored check images, or None (none stored, or not images)."""
    path = Path(directory) / CHECK_FILE
    if not path.is_file():
        return None
    try:
        images = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        return None
    return images


def save_model_dir(
    directory: Path,
    model: keras.Model,
    card: ModelCard,
    check_images: np.ndarray | None = None,
) -> Path:
    """Write model.keras + card.json (+ check_images.npy) into ``directory`` atomically
    (replacing it)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        model.save(tmp / MODEL_FILE)
        model_file = tmp / MODEL_FILE
        update = {"model_sha256": file_sha256(model_file), "model_bytes": model_file.stat().st_size}
        save_card(tmp, card.model_copy(update=update))
        if check_images is not None:
            np.save(tmp / CHECK_FILE, np.ascontiguousarray(check_images, np.uint8))
        _fsync_dir(tmp)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{uuid.uuid4().hex[:8]}")
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return directory


def copy_model_dir(source: Path, directory: Path) -> Path:
    """Copy a model folder into place atomically."""
    tmp = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
    shutil.copytree(source, tmp)
    try:
        os.replace(tmp, directory)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (directory / MODEL_FILE).exists():
            raise
    return directory


def load_model(directory: Path) -> keras.Model:
    return keras.saving.load_model(Path(directory) / MODEL_FILE, compile=False)


class WrongModel(ValueError):
    """A saved model that cannot be trained on, or teach, a dataset."""


def load_model_for(directory: Path, class_names: list[str]) -> tuple[keras.Model, ModelCard]:
    """A saved model and its card, which must know exactly ``class_names``, in order:
    the start of ``--continue-from`` and each ``--teacher``."""
    if not (directory / MODEL_FILE).is_file():
        raise WrongModel(f"{directory} has no {MODEL_FILE}")
    card = load_card(directory)
    if card.class_names != class_names:
        raise WrongModel(f"{directory} knows {card.class_names}, the data has {class_names}")
    return load_model(directory), card


def json_safe(value: Any) -> Any:
    """NaN and infinities (an epoch with no validation data) become null: JSON has none."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    text = json.dumps(json_safe(data), indent=2, default=float, allow_nan=False)
    tmp.write_text(text + "\n")
    os.replace(tmp, path)


def machine_description() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())
