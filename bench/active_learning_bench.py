"""Does labelling what the model doubted pay more than labelling at random? (issue #32)

    .venv/bin/python bench/active_learning_bench.py              # 2,000 answers, 200 labels

The retrain bench's "new camera" (``lowlight``: half the light, sensor noise) through the
product's own loop, twice, each on a fresh ``$SIGHTLINE_HOME`` with the shipped model:

1. ``--answers`` CIFAR-10 training images, through the new camera, are sent to
   POST /api/predict: production traffic. Their true classes are known to the bench only.
2. The review policy keeps them: the *doubt* arm keeps the answers flagged uncertain
   (``keep_uncertain``) and takes the ``--labels`` least confident from GET /api/review;
   the *random* arm keeps an audit sample at the rate ``--labels`` / ``--answers`` and takes
   all of it (up to ``--labels``; the queue's page would order a larger sample by
   confidence). The random arm runs first; the doubt arm labels as many as it got.
3. Each taken item is labelled with its true class through POST /api/review/{id}, which
   makes it a training image, as a person at the review page would.
4. POST /api/retrain: the same job, replay and gate as any retrain.
5. The job's candidate (promoted or not) and production are scored on ``--held-out``
   new-camera images from the test split, the same images for both arms.

Prints both arms' held-out accuracy, production's, and the difference. JSON in
``bench/results/active-learning-<time>.json`` (gitignored). Run it alone on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from common import REPO, JobWatch, cifar10_source, free_port, write_json_result
from retrain_bench import TOKEN, cifar10_members, lowlight, sightline
from sightline.ml.card import load_card

HEADERS = {"Authorization": f"Bearer {TOKEN}"}
JOB_TIMEOUT_S = 1800
CONCURRENCY = 8


def new_camera_images(source: str, split: str, n: int, seed: int) -> list[tuple[bytes, str]]:
    """``n`` images of ``split``, the same number per class, through the new camera."""
    members = cifar10_members(source, split)
    per_class = n // len(members)
    rng = np.random.default_rng(seed)
    images: list[tuple[bytes, str]] = []
    with zipfile.ZipFile(source) as archive:
        for class_name, names in members.items():
            for i in rng.choice(len(names), per_class, replace=False):
                images.append((lowlight(archive.read(names[i]), rng), class_name))
    order = rng.permutation(len(images))  # traffic arrives mixed, not class by class
    return [images[i] for i in order]


async def answer_all(base: str, images: list[tuple[bytes, str]]) -> dict[str, str]:
    """Sends every image to /api/predict; the prediction id of each, to its true class."""
    truth: dict[str, str] = {}
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one(data: bytes, label: str) -> None:
            async with gate:
                response = await client.post("/api/predict", files={"file": ("x.png", data)})
            response.raise_for_status()
            truth[response.json()["id"]] = label

        await asyncio.gather(*(one(data, label) for data, label in images))
    return truth


def kept_items(
    base: str, strategy: str, limit: int, expected: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """The review page's first ``limit`` items, once the keeper has written what it kept,
    and the classes a label may be (the model's output order)."""
    deadline = time.monotonic() + 120
    last = -1
    while True:
        page = httpx.get(
            f"{base}/api/review",
            params={"limit": limit, "strategy": strategy},
            headers=HEADERS,
            timeout=30,
        ).json()
        waiting = sum(page["counts"]["by_reason"].values())
        # The keeper writes in the background: wait until what it kept stops growing.
        if (waiting >= expected and waiting == last) or time.monotonic() > deadline:
            return list(page["items"]), list(page["classes"])
        last = waiting
        time.sleep(2)


def label_items(base: str, items: list[dict[str, Any]], truth: dict[str, str]) -> int:
    added = 0
    for item in items:
        response = httpx.post(
            f"{base}/api/review/{item['id']}",
            json={"label": truth[item["prediction_id"]]},
            headers=HEADERS,
            timeout=30,
        )
        response.raise_for_status()
        added += response.json()["training_image"] == "added"
    return added


def retrain(base: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/retrain", headers=HEADERS, timeout=30)
    response.raise_for_status()
    watch = JobWatch(f"{base}/api/retrain/{response.json()['job_id']}", JOB_TIMEOUT_S)
    while not watch.finished():
        time.sleep(2)
    return watch.job


def accuracy(model_dir: Path, images: list[tuple[bytes, str]], classes: list[str]) -> float:
    """Top-1 accuracy of a saved model (raw 0-255 RGB in) on labelled image bytes."""
    from sightline.ml.artifacts import load_model

    model = load_model(model_dir)
    size = tuple(model.input_shape[1:3])
    pixels = np.stack(
        [
            np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize(size[::-1]), np.float32)
            for data, _ in images
        ]
    )
    predicted = np.argmax(model.predict(pixels, batch_size=256, verbose=0), axis=1)
    truth = np.array([classes.index(label) for _, label in images])
    return float(np.mean(predicted == truth))


def model_dir(home: Path, version: str) -> Path:
    from sightline.config import Settings
    from sightline.ml.registry import ModelRegistry

    return ModelRegistry(Settings(home=home)).path(version)


def run_arm(
    args: argparse.Namespace,
    arm: str,
    labels: int,
    answers: list[tuple[bytes, str]],
    held_out: list[tuple[bytes, str]],
) -> dict[str, Any]:
    policy = (
        {"keep_uncertain": True, "audit_rate": 0.0}
        if arm == "doubt"
        else {"keep_uncertain": False, "audit_rate": args.labels / args.answers}
    )
    strategy = "least_confident" if arm == "doubt" else "audit_first"
    with tempfile.TemporaryDirectory(prefix=f"sightline-al-{arm}-") as tmp:
        home = Path(tmp) / "home"
        with sightline(args, home, free_port()) as base:
            httpx.patch(
                f"{base}/api/classifiers/cifar10",
                json={"review": {**policy, "max_items": 100_000}},
                headers=HEADERS,
                timeout=30,
            ).raise_for_status()
            started = time.perf_counter()
            truth = asyncio.run(answer_all(base, answers))
            answered_s = time.perf_counter() - started
            expected = labels if arm == "doubt" else 1
            items, classes = kept_items(base, strategy, labels, expected)
            confidences = [item["confidence"] for item in items]
            added = label_items(base, items, truth)
            print(f"  {arm}: {len(truth)} answers in {answered_s:.0f} s; labelled {len(items)}")
            job = retrain(base)
            print(f"  {arm}: job {job['status']}: {job.get('message')}")
            production = httpx.get(f"{base}/health", timeout=30).json()
            candidate = job.get("model_version")
            scores = {
                "candidate": accuracy(model_dir(home, candidate), held_out, classes)
                if candidate
                else None,
            }
        correct_before = sum(item["predicted"] == truth[item["prediction_id"]] for item in items)
    return {
        "arm": arm,
        "policy": policy,
        "labelled": len(items),
        "training_images_added": added,
        "labelled_mean_confidence": float(np.mean(confidences)) if confidences else None,
        "labelled_model_was_right": correct_before,
        "job": {k: job.get(k) for k in ("status", "message", "model_version", "promoted")},
        "serving_after": production.get("model_version"),
        "held_out_accuracy": scores["candidate"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--cifar10", default=cifar10_source(), help="the CIFAR-10 zip")
    parser.add_argument("--cache-dir", type=Path, default=REPO / "var" / "cache")
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--labels", type=int, default=200)
    parser.add_argument("--held-out", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=None, help="default: the setting")
    args = parser.parse_args()

    print(f"{args.answers} production answers, {args.held_out} held-out, new camera ...")
    answers = new_camera_images(args.cifar10, "train", args.answers, seed=32)
    held_out = new_camera_images(args.cifar10, "test", args.held_out, seed=33)
    classes = load_card(args.model).class_names
    shipped = accuracy(args.model, held_out, classes)
    random_arm = run_arm(args, "random", args.labels, answers, held_out)
    arms = [run_arm(args, "doubt", random_arm["labelled"], answers, held_out), random_arm]
    result = {"production_held_out_accuracy": shipped, "arms": arms, "cores": os.cpu_count()}

    print(f"\nHeld-out new-camera accuracy (n={len(held_out)}):")
    print(f"  production (shipped)         {shipped:.4f}")
    for arm in arms:
        acc = arm["held_out_accuracy"]
        print(
            f"  {arm['arm']:6s} {arm['labelled']} labels -> {acc:.4f} ({acc - shipped:+.4f})  "
            f"mean confidence of labelled {arm['labelled_mean_confidence']:.3f}, "
            f"model right on {arm['labelled_model_was_right']}; job {arm['job']['status']}, "
            f"promoted {arm['job']['promoted']}"
        )
    gain = arms[0]["held_out_accuracy"] - arms[1]["held_out_accuracy"]
    result["doubt_minus_random"] = gain
    verdict = "MET" if gain > 0 else "NOT MET"
    print(f"Target: doubt gains more than random: {gain * 100:+.2f} points {verdict}")
    write_json_result("active-learning", result)


if __name__ == "__main__":
    main()
