"""The review queue's figures (issue #32): the live-accuracy estimate on a simulated
stream, and the storage bound under a long stream of kept answers.

    .venv/bin/python bench/review_bench.py
    .venv/bin/python bench/review_bench.py --accuracy 0.85 --labels 300 --stream 5000

1. Live accuracy: a stream of answers right with probability ``--accuracy``; the audit
   sample's first ``--labels`` labels give the estimate and its 95% Wilson interval
   (target: contains the truth, at most +-4 points). Then its coverage over
   ``--runs`` such streams (should be near 95%), and the labels +-4 points needs.
2. Storage: ``--stream`` distinct images offered to the keeper (serving/review_keeper.py)
   as fast as one thread can, on a fresh SQLite home, policy ``audit_rate=1`` and
   ``max_items=--max-items``; prints the items and blob bytes left against the bound,
   what the queue dropped (counted, never silent), the keeper's rate, and what an
   offer costs the request that makes it.

The active-learning comparison (200 most-doubted vs 200 random labels on
retrain_bench.py's "new camera" images, two full retrains) is active_learning_bench.py.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from sightline.blob_store import DatabaseBlobStore, sha256_hex
from sightline.config import Settings
from sightline.db import review_items as item_rows
from sightline.db.blobs import blob_stats
from sightline.db.models import PredictionRow
from sightline.db.session import migrate, session_scope
from sightline.ml.live_accuracy import estimate
from sightline.ml.review_policy import ReviewPolicy
from sightline.serving.review_keeper import ReviewKeeper

Z95 = 1.959964


def live_accuracy(truth: float, labels: int, runs: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    one = estimate(int((rng.random(labels) < truth).sum()), labels)
    assert one.low is not None and one.high is not None and one.half_width is not None
    print(f"Live accuracy, true accuracy {truth:.4f}, {labels} audit labels:")
    print(
        f"  estimate {one.accuracy:.4f}, 95% interval [{one.low:.4f}, {one.high:.4f}] "
        f"(+-{one.half_width * 100:.2f} points); contains the truth: "
        f"{one.low <= truth <= one.high}; within +-4 points: {one.half_width <= 0.04}"
    )
    correct = rng.binomial(labels, truth, size=runs)
    intervals = [estimate(int(k), labels) for k in correct]
    covered = np.mean([(e.low or 0) <= truth <= (e.high or 0) for e in intervals])
    widths = [e.half_width or 0 for e in intervals]
    needed = int(np.ceil(Z95**2 * truth * (1 - truth) / 0.04**2))
    print(
        f"  over {runs} streams: coverage {covered:.3f}, "
        f"mean +-{statistics.mean(widths) * 100:.2f} points, widest "
        f"+-{max(widths) * 100:.2f}; +-4 points needs ~{needed} labels at this accuracy"
    )


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def answer(data: bytes) -> PredictionRow:
    return PredictionRow(
        id=uuid.uuid4().hex,
        classifier="cifar10",
        created_at=datetime.now(UTC),
        request_key=uuid.uuid4().hex,
        prediction="cat",
        class_index=3,
        confidence=0.4,
        uncertain=True,
        model_version="v1",
        time_ms=1.0,
        image_sha256=sha256_hex(data),
        endpoint="predict",
        probabilities=[0.4, 0.3, 0.3],
    )


def storage(stream: int, max_items: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="review-bench-"))
    settings = Settings(home=home, admin_token="bench")  # type: ignore[call-arg]
    settings.ensure_dirs()
    migrate(settings)
    keeper = ReviewKeeper(settings, DatabaseBlobStore(settings))
    keeper.set_policy("cifar10", ReviewPolicy(audit_rate=1.0, max_items=max_items))
    images = [png(seed) for seed in range(stream)]
    answers = [answer(data) for data in images]
    probabilities = {"cat": 0.4, "dog": 0.3, "bird": 0.3}
    keeper.start()
    offer_us = []
    started = time.perf_counter()
    for row, data in zip(answers, images, strict=True):
        t = time.perf_counter()
        keeper.offer(row, data, probabilities)
        offer_us.append((time.perf_counter() - t) * 1e6)
    keeper.flush(600)
    seconds = time.perf_counter() - started
    keeper.stop()
    with session_scope(settings) as session:
        items, _ = item_rows.storage(session=session)
        blobs, blob_bytes = blob_stats(session=session)
    image_kb = statistics.mean(len(d) for d in images) / 1024
    print(f"Storage, {stream} kept answers ({image_kb:.1f} KiB images), max_items {max_items}:")
    print(
        f"  left: {items} items, {blobs} blobs, {blob_bytes / 1024:.0f} KiB "
        f"(bound: {max_items} items, {max_items * image_kb:.0f} KiB); within: "
        f"{items <= max_items and blobs <= max_items}"
    )
    print(
        f"  kept {keeper.kept}, dropped {keeper.dropped} (queue of "
        f"{settings.review_queue_max}), trimmed {keeper.evicted}; keeper "
        f"{keeper.kept / seconds:.0f} items/s"
    )
    offer_us.sort()
    print(
        f"  offer() on the request path: p50 {offer_us[len(offer_us) // 2]:.1f} us, "
        f"p99 {offer_us[int(len(offer_us) * 0.99)]:.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accuracy", type=float, default=0.9406, help="true accuracy")
    parser.add_argument("--labels", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=32)
    parser.add_argument("--stream", type=int, default=3000)
    parser.add_argument("--max-items", type=int, default=500)
    args = parser.parse_args()
    live_accuracy(args.accuracy, args.labels, args.runs, args.seed)
    for truth in (0.9, 0.85, 0.8):
        if truth != args.accuracy:
            live_accuracy(truth, args.labels, args.runs, args.seed)
    storage(args.stream, args.max_items)


if __name__ == "__main__":
    main()
