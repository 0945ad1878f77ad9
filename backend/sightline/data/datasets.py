"""Datasets: image folders (a folder or .zip holding train/<class>/ and test/<class>/)
and CIFAR-10 (the image-folder zip, the official python tarball, or a keras download).

Decoded arrays are cached as .npy files keyed by the source's path, size and mtime, so
the second load of a dataset is a memory map, not 60,000 JPEG decodes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from sightline.data.preprocessing import image_to_input
from sightline.errors import SightlineError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
SPLITS = ("train", "test")
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


@dataclass
class Dataset:
    """Images as raw uint8 (N, H, W, 3) and integer labels into ``class_names``."""

    name: str
    class_names: list[str]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def image_size(self) -> tuple[int, int]:
        return int(self.x_train.shape[1]), int(self.x_train.shape[2])

    def counts(self, split: str) -> dict[str, int]:
        labels = self.y_train if split == "train" else self.y_test
        counted = Counter(int(label) for label in labels)
        return {name: counted.get(i, 0) for i, name in enumerate(self.class_names)}

    def subset(self, n_train: int | None, n_test: int | None, seed: int = 0) -> Dataset:
        """A stratified-enough random subset, for quick runs and tests."""
        rng = np.random.default_rng(seed)
        train_idx = _take(rng, len(self.y_train), n_train)
        test_idx = _take(rng, len(self.y_test), n_test)
        return Dataset(
            name=self.name,
            class_names=self.class_names,
            x_train=self.x_train[train_idx],
            y_train=self.y_train[train_idx],
            x_test=self.x_test[test_idx],
            y_test=self.y_test[test_idx],
            source=self.source,
        )


def _take(rng: np.random.Generator, n: int, k: int | None) -> np.ndarray:
    if k is None or k >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size=k, replace=False))


class DatasetError(SightlineError):
    status_code = 422
    code = "invalid_dataset"


# --------------------------------------------------------------------------- entry point


def load_dataset(
    spec: str,
    *,
    cifar10_source: str | None = None,
    cache_dir: Path | None = None,
    image_size: tuple[int, int] = (32, 32),
) -> Dataset:
    """``spec`` is "cifar10" or a path to an image-folder dataset (folder or .zip)."""
    if spec == "cifar10":
        return load_cifar10(cifar10_source, cache_dir=cache_dir, image_size=image_size)
    return load_image_folder(Path(spec), cache_dir=cache_dir, image_size=image_size)


def load_cifar10(
    source: str | None, *, cache_dir: Path | None = None, image_size: tuple[int, int] = (32, 32)
) -> Dataset:
    """CIFAR-10 from a local copy, or the official download through keras when unset."""
    if source:
        path = Path(source).expanduser()
        if not path.exists():
            raise DatasetError(f"SIGHTLINE_CIFAR10 points at {path}, which does not exist.")
        if path.name.endswith((".tar.gz", ".tgz")) or (path / "batches.meta").exists():
            dataset = _cached(path, cache_dir, image_size, lambda: _read_cifar_python(path))
        else:
            dataset = load_image_folder(path, cache_dir=cache_dir, image_size=image_size)
    else:
        dataset = _download_cifar10()
    dataset.name = "cifar10"
    return dataset


def load_image_folder(
    path: Path, *, cache_dir: Path | None = None, image_size: tuple[int, int] = (32, 32)
) -> Dataset:
    if not path.exists():
        raise DatasetError(f"Dataset path {path} does not exist.")
    dataset = _cached(path, cache_dir, image_size, lambda: _decode_image_folder(path, image_size))
    return dataset


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class ImageEntry:
    split: str
    class_name: str
    member: str  # path inside the folder or zip


def list_image_folder(path: Path) -> list[ImageEntry]:
    """Every image under <root>/{train,test}/<class>/ in a folder or zip.

    The root may be nested one level (``cifar10/train/...``), as in most zips.
    """
    names = _zip_names(path) if zipfile.is_zipfile(path) else _folder_names(path)
    entries = [entry for entry in (_parse_member(name) for name in names) if entry]
    if not entries:
        raise DatasetError(
            f"No images found in {path}: expected train/<class>/*.jpg and test/<class>/*.jpg."
        )
    roots = {entry.member.split(f"{entry.split}/", 1)[0] for entry in entries}
    if len(roots) > 1:
        raise DatasetError(f"{path} holds more than one dataset root: {sorted(roots)}.")
    return sorted(entries, key=lambda entry: entry.member)


def _zip_names(path: Path) -> Iterable[str]:
    with zipfile.ZipFile(path) as archive:
        return [info.filename for info in archive.infolist() if not info.is_dir()]


def _folder_names(path: Path) -> Iterator[str]:
    for root, _dirs, files in os.walk(path):
        for name in files:
            yield str(PurePosixPath(Path(root, name).relative_to(path)))


def _parse_member(name: str) -> ImageEntry | None:
    parts = PurePosixPath(name).parts
    if len(parts) < 3 or PurePosixPath(name).suffix.lower() not in IMAGE_SUFFIXES:
        return None
    if any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return None
    split, class_name = parts[-3], parts[-2]
    if split not in SPLITS:
        return None
    return ImageEntry(split=split, class_name=class_name, member=name)


def count_image_folder(path: Path) -> dict[str, dict[str, int]]:
    """Images per class and split, from names alone (no decoding)."""
    counts: dict[str, dict[str, int]] = {split: {} for split in SPLITS}
    for entry in list_image_folder(path):
        split_counts = counts[entry.split]
        split_counts[entry.class_name] = split_counts.get(entry.class_name, 0) + 1
    return counts


# --------------------------------------------------------------------------- decoding


def _decode_image_folder(path: Path, image_size: tuple[int, int]) -> Dataset:
    entries = list_image_folder(path)
    class_names = sorted({entry.class_name for entry in entries if entry.split == "train"})
    if not class_names:
        raise DatasetError(f"{path} has no train/<class>/ folders with images.")
    test_classes = {entry.class_name for entry in entries if entry.split == "test"}
    unknown = test_classes - set(class_names)
    if unknown:
        raise DatasetError(f"test/ has classes that train/ lacks: {sorted(unknown)}.")
    index = {name: i for i, name in enumerate(class_names)}
    arrays = _decode_members(path, [entry.member for entry in entries], image_size)
    by_split: dict[str, tuple[list[np.ndarray], list[int]]] = {s: ([], []) for s in SPLITS}
    for entry, array in zip(entries, arrays, strict=True):
        if array is None:
            continue  # unreadable files are skipped, as any image-folder loader does
        by_split[entry.split][0].append(array)
        by_split[entry.split][1].append(index[entry.class_name])
    x_train, y_train = _stack(*by_split["train"], image_size)
    x_test, y_test = _stack(*by_split["test"], image_size)
    return Dataset(
        name=path.stem,
        class_names=class_names,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        source=str(path),
    )


def _stack(
    images: list[np.ndarray], labels: list[int], image_size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    if not images:
        return np.zeros((0, *image_size, 3), np.uint8), np.zeros((0,), np.int64)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def _decode_members(
    path: Path, members: list[str], image_size: tuple[int, int]
) -> list[np.ndarray | None]:
    def decode(data: bytes) -> np.ndarray | None:
        try:
            return image_to_input(data, image_size)
        except SightlineError:
            return None

    def read_all() -> Iterator[bytes]:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in members:
                    yield archive.read(member)
        else:
            for member in members:
                yield (path / member).read_bytes()

    # Pillow releases the GIL while decoding, so threads use both cores.
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return list(pool.map(decode, read_all(), chunksize=256))


def _read_cifar_python(path: Path) -> Dataset:
    """The official python-pickle CIFAR-10 (tarball or its extracted folder)."""

    def batches() -> dict[str, dict[bytes, Any]]:
        found: dict[str, dict[bytes, Any]] = {}
        if path.is_dir():
            for name in ["batches.meta", *(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]:
                with open(path / name, "rb") as handle:
                    found[name] = pickle.load(handle, encoding="bytes")
        else:
            with tarfile.open(path) as tar:
                for member in tar.getmembers():
                    base = PurePosixPath(member.name).name
                    if member.isfile() and (
                        base.startswith(("data_batch", "test_batch")) or base == "batches.meta"
                    ):
                        extracted = tar.extractfile(member)
                        assert extracted is not None
                        found[base] = pickle.load(extracted, encoding="bytes")
        return found

    raw = batches()
    class_names = [name.decode() for name in raw["batches.meta"][b"label_names"]]

    def to_arrays(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        data = np.concatenate([raw[n][b"data"] for n in names])
        labels = np.concatenate([raw[n][b"labels"] for n in names])
        images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.uint8)
        return images, labels.astype(np.int64)

    x_train, y_train = to_arrays([f"data_batch_{i}" for i in range(1, 6)])
    x_test, y_test = to_arrays(["test_batch"])
    return Dataset("cifar10", class_names, x_train, y_train, x_test, y_test, source=str(path))


def _download_cifar10() -> Dataset:
    """The official download, through keras (cached under ~/.keras/datasets)."""
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    meta = Path(keras.utils.get_file("cifar-10-batches-py", CIFAR10_URL, untar=True))
    candidates = [meta / "batches.meta", meta / "cifar-10-batches-py" / "batches.meta"]
    meta_file = next((c for c in candidates if c.exists()), None)
    if meta_file is None:
        raise DatasetError("The CIFAR-10 download has no batches.meta; set SIGHTLINE_CIFAR10.")
    with open(meta_file, "rb") as handle:
        names = [n.decode() for n in pickle.load(handle, encoding="bytes")[b"label_names"]]
    return Dataset(
        "cifar10",
        names,
        x_train,
        y_train.reshape(-1).astype(np.int64),
        x_test,
        y_test.reshape(-1).astype(np.int64),
        source=CIFAR10_URL,
    )


# --------------------------------------------------------------------------- cache


def _cache_key(path: Path, image_size: tuple[int, int]) -> str:
    stat = path.stat()
    ident = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{image_size}|v1"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]


def _cached(
    path: Path, cache_dir: Path | None, image_size: tuple[int, int], build: Callable[[], Dataset]
) -> Dataset:
    if cache_dir is None:
        return build()
    folder = cache_dir / f"dataset-{_cache_key(path, image_size)}"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        x_train, y_train, x_test, y_test = (
            np.load(folder / f"{name}.npy", mmap_mode="r")
            for name in ("x_train", "y_train", "x_test", "y_test")
        )
        return Dataset(
            meta["name"],
            meta["class_names"],
            x_train,
            y_train,
            x_test,
            y_test,
            source=meta["source"],
        )
    dataset = build()
    tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.save(tmp / f"{name}.npy", getattr(dataset, name))
    meta = {"name": dataset.name, "class_names": dataset.class_names, "source": dataset.source}
    (tmp / "meta.json").write_text(json.dumps(meta))
    try:
        os.replace(tmp, folder)  # atomic: a reader sees the whole cache or none
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won; its copy is identical
    return dataset


def dataset_fingerprint(path: Path) -> str:
    """The sha256 of a dataset's content, never of where it lies: of the file (a .zip,
    a tarball), or for a folder of its files' relative paths, sorted, and their bytes."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for member in files:
        if member != path:
            # Name and size before the bytes, so moving bytes between files shows.
            name = member.relative_to(path).as_posix()
            digest.update(f"{name}\0{member.stat().st_size}\0".encode())
        with open(member, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
