"""Accuracy through HTTP: the 10,000 CIFAR-10 test images, as uploaded files, against
Keras in this process on the same bytes (issue #31: within 0.1 point of Keras).

    .venv/bin/python bench/http_accuracy.py [--runtime auto|keras|openvino] [--data ZIP]

Starts `sightline serve` with ``--runtime`` and posts every test image of the image-folder
zip (``test/<class>/*``; default the lossless CIFAR-10, $SIGHTLINE_CIFAR10) to
``/api/predict/batch``, 64 files a request, a few requests at once. Keras in this process
classifies the same bytes through the same preprocessing. Prints both accuracies, their
top-1 agreement and the runtime the server chose (``/api/status``); every answer must
also be in the server's history (``predictions_served``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from common import REPO, cifar10_source, write_json_result
from runtimes import cpu_description, cpu_header
from serve_bench import server
from sightline.data.preprocessing import image_to_input
from sightline.serving.predictor import Predictor, configure_threads

FILES_PER_REQUEST = 64
REQUESTS_AT_ONCE = 4


def test_images(zip_path: Path) -> list[tuple[str, str, bytes]]:
    """(member name, class, bytes) of every ``.../test/<class>/<file>`` in the zip."""
    found = []
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            parts = info.filename.split("/")
            if info.is_dir() or len(parts) < 3 or parts[-3] != "test":
                continue
            found.append((info.filename, parts[-2], archive.read(info)))
    return sorted(found)


def served_labels(url: str, images: list[tuple[str, str, bytes]]) -> list[str]:
    """The label the server gave each image, in order; any failed item stops the bench."""
    chunks = [images[i : i + FILES_PER_REQUEST] for i in range(0, len(images), FILES_PER_REQUEST)]

    def post(chunk: list[tuple[str, str, bytes]]) -> list[str]:
        files = [("files", (name.rsplit("/", 1)[-1], data)) for name, _, data in chunk]
        answer = httpx.post(f"{url}/api/predict/batch", files=files, timeout=120)
        answer.raise_for_status()
        results = answer.json()["results"]
        failed = [r for r in results if "error" in r]
        if failed:
            raise RuntimeError(f"{len(failed)} images refused, e.g. {failed[0]}")
        return [r["prediction"] for r in results]

    with ThreadPoolExecutor(REQUESTS_AT_ONCE) as pool:
        return [label for labels in pool.map(post, chunks) for label in labels]


def keras_labels(model: Path, images: list[tuple[str, str, bytes]]) -> list[str]:
    configure_threads(2)
    predictor = Predictor("reference", model, runtime="keras")
    labels: list[str] = []
    for start in range(0, len(images), 256):
        chunk = images[start : start + 256]
        arrays = np.stack([image_to_input(data, predictor.input_size) for _, _, data in chunk])
        indexes = predictor.predict_arrays(arrays).argmax(axis=1)
        labels += [predictor.class_names[int(i)] for i in indexes]
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--data", type=Path, default=cifar10_source())
    parser.add_argument("--runtime", default="auto", choices=("auto", "keras", "openvino"))
    parser.add_argument("--port", type=int, default=8192)
    args = parser.parse_args()
    if args.data is None:
        parser.error("no test zip: pass --data or set SIGHTLINE_CIFAR10")
    print(cpu_header(cpu_description()))
    images = test_images(args.data)
    truth = [label for _, label, _ in images]
    with tempfile.TemporaryDirectory(prefix="http-accuracy-") as folder:
        url = f"http://127.0.0.1:{args.port}"
        with server("sightline", args.model.resolve(), args.port, Path(folder), args.runtime):
            served = served_labels(url, images)
            status = httpx.get(f"{url}/api/status").json()
    runtime = status.get("runtime") or {}
    reference = keras_labels(args.model, images)
    n = len(images)
    result = {
        "images": n,
        "runtime": runtime.get("name"),
        "precision": runtime.get("precision"),
        "http_accuracy": sum(s == t for s, t in zip(served, truth, strict=True)) / n,
        "keras_accuracy": sum(k == t for k, t in zip(reference, truth, strict=True)) / n,
        "agreement": sum(s == k for s, k in zip(served, reference, strict=True)) / n,
        "history_rows": status.get("predictions_served"),
    }
    gap = 100 * (result["http_accuracy"] - result["keras_accuracy"])
    print(
        f"{n} test images from {args.data.name}: through HTTP ({result['runtime']} "
        f"{result['precision']}) {result['http_accuracy']:.2%}, Keras in-process "
        f"{result['keras_accuracy']:.2%} ({gap:+.2f} points, target within 0.1); "
        f"top-1 agreement {result['agreement']:.2%}; history rows {result['history_rows']}"
    )
    write_json_result("http-accuracy", result)


if __name__ == "__main__":
    sys.exit(main())
