"""The image-folder loader: folders and zips, class names from the data, caching."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sightline.data.datasets import (
    DatasetError,
    count_image_folder,
    load_dataset,
    load_image_folder,
)


def test_folder_dataset_has_classes_from_the_data(shapes_dir: Path) -> None:
    dataset = load_image_folder(shapes_dir)
    assert dataset.class_names == ["circle", "square", "triangle"]
    assert dataset.x_train.shape == (180, 32, 32, 3)
    assert dataset.x_train.dtype == np.uint8
    assert dataset.x_test.shape == (60, 32, 32, 3)
    assert dataset.counts("train") == {"circle": 60, "square": 60, "triangle": 60}


def test_zip_with_a_top_folder_loads_the_same(shapes_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "shapes.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(shapes_dir.rglob("*.png")):
            zf.write(path, "shapes/" + str(path.relative_to(shapes_dir)))
    from_zip = load_image_folder(archive)
    from_folder = load_image_folder(shapes_dir)
    assert from_zip.class_names == from_folder.class_names
    np.testing.assert_array_equal(from_zip.x_train, from_folder.x_train)
    np.testing.assert_array_equal(from_zip.y_test, from_folder.y_test)
    assert count_image_folder(archive)["test"] == {"circle": 20, "square": 20, "triangle": 20}


def test_second_load_comes_from_the_cache(shapes_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_dataset(str(shapes_dir), cache_dir=cache)
    start = time.perf_counter()
    second = load_dataset(str(shapes_dir), cache_dir=cache)
    assert time.perf_counter() - start < 5  # sanity bound only; the benchmark measures
    assert list(cache.glob("dataset-*/x_train.npy"))
    np.testing.assert_array_equal(first.x_train, second.x_train)
    assert second.class_names == first.class_names


def test_larger_images_are_resized_for_the_model(tmp_path: Path) -> None:
    from sightline.data.synthetic import make_shapes_dataset

    root = make_shapes_dataset(tmp_path / "big", n_train=4, n_test=2, size=96)
    dataset = load_image_folder(root, image_size=(32, 32))
    assert dataset.x_train.shape[1:] == (32, 32, 3)


def test_unreadable_files_are_skipped(shapes_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(shapes_dir, copy)
    (copy / "train" / "circle" / "broken.png").write_bytes(b"not a png")
    assert len(load_image_folder(copy).y_train) == 180


def test_missing_and_empty_datasets_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        load_image_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="No images"):
        load_image_folder(tmp_path / "empty")
