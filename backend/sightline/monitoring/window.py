"""GET /api/monitoring: figures over a time window, from the per-minute rollups the
history writer keeps (db/predictions.py), so every replica reports the same and a
read costs O(minutes in the window), whatever the number of rows.

The window is read in whole minutes (the minute it starts in through the current
one) and split into at most ``SERIES_BUCKETS`` buckets of whole minutes
(``bucket_seconds``); the series covers every bucket, empty ones included. Latency
percentiles are read from the log-spaced histogram buckets as Prometheus'
``histogram_quantile`` does (linear within a bucket), so they are within a bucket's
width (±13%) of the exact figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sightline.config import Settings
from sightline.db import predictions as history
from sightline.db.predictions import RollupCell
from sightline.db.session import session_scope
from sightline.monitoring.drift import drift_report
from sightline.monitoring.system import system_figures

SERIES_BUCKETS = 30


def monitoring_report(
    settings: Settings,
    classifier: str,
    window_seconds: int,
    class_names: list[str],
    baseline: dict[str, Any],
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    last_minute = history.minute_of(now)
    first_minute = history.minute_of(now - timedelta(seconds=window_seconds))
    minutes = last_minute - first_minute + 1
    bucket_minutes = math.ceil(minutes / SERIES_BUCKETS)
    with session_scope(settings) as session:
        cells = history.rollup_buckets(
            session=session,
            classifier=classifier,
            first_minute=first_minute,
            last_minute=last_minute,
            bucket_minutes=bucket_minutes,
        )
        predictions_total = history.predictions_served(session=session, classifier=classifier)

    whole = _Figures.of(cells)
    class_counts = {name: 0 for name in class_names}
    for label, (count, _) in whole.labels(history.CLASSES).items():
        class_counts[label] = class_counts.get(label, 0) + count
    predictions, confidence_sum = whole.sum(history.CLASSES)
    requests, _ = whole.sum(history.REQUESTS)
    confidence_bins = [
        whole.labels(history.CONFIDENCE).get(str(i), (0, 0.0))[0]
        for i in range(history.CONFIDENCE_BINS)
    ]
    series = _series(cells, first_minute, minutes, bucket_minutes)
    return {
        "window_seconds": window_seconds,
        "bucket_seconds": bucket_minutes * 60,
        "requests": requests,
        "rps": round(requests / window_seconds, 4),
        "errors": whole.errors(),
        "server_errors": whole.server_errors(),
        "predictions": predictions,
        "predictions_total": predictions_total,
        "latency_ms": whole.percentiles(history.LATENCY),
        "model_time_ms": whole.percentiles(history.MODEL_TIME),
        "class_distribution": class_counts,
        "confidence": {
            "mean": round(confidence_sum / predictions, 4) if predictions else None,
            "series": [
                {"t": point["t"], "mean": point["confidence"], "n": point["predictions"]}
                for point in series
                if point["predictions"]
            ],
        },
        "series": series,
        "drift": drift_report(baseline, class_names, class_counts, confidence_bins),
        "system": system_figures(settings.home),
    }


class _Figures:
    """Rollup cells of one time span, by series and label: (count, total)."""

    def __init__(self) -> None:
        self.cells: dict[str, dict[str, list[float]]] = defaultdict(dict)

    @classmethod
    def of(cls, cells: Iterable[RollupCell]) -> _Figures:
        figures = cls()
        for cell in cells:
            figures.add(cell)
        return figures

    def add(self, cell: RollupCell) -> None:
        sums = self.cells[cell.series].setdefault(cell.label, [0, 0.0])
        sums[0] += cell.count
        sums[1] += cell.total

    def labels(self, series: str) -> dict[str, tuple[int, float]]:
        return {label: (int(c), t) for label, (c, t) in self.cells.get(series, {}).items()}

    def sum(self, series: str) -> tuple[int, float]:
        values = self.labels(series).values()
        return sum(c for c, _ in values), sum(t for _, t in values)

    def errors(self) -> int:
        return self._requests_from(4)

    def server_errors(self) -> int:
        return self._requests_from(5)

    def _requests_from(self, status_class: int) -> int:
        """Requests whose status is ``status_class``xx or above (labels "2xx", "4xx"...)."""
        requests = self.labels(history.REQUESTS).items()
        return sum(c for label, (c, _) in requests if int(label[0]) >= status_class)

    def percentiles(self, series: str) -> dict[str, float | None]:
        counts = {int(label): c for label, (c, _) in self.labels(series).items()}
        return {
            name: histogram_quantile(q, counts)
            for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        }


def histogram_quantile(q: float, counts: dict[int, int]) -> float | None:
    """The q-quantile of durations counted in latency buckets (db/predictions.py):
    found in the bucket where the cumulative count passes q, linear inside it."""
    total = sum(counts.values())
    if not total:
        return None
    rank = q * total
    seen = 0
    for k in sorted(counts):
        if seen + counts[k] >= rank:
            lower = 0.0 if k <= history.FIRST_BUCKET else history.bucket_upper_ms(k - 1)
            upper = history.bucket_upper_ms(k)
            inside = (rank - seen) / counts[k]
            return round(lower + (upper - lower) * inside, 2)
        seen += counts[k]
    return round(history.bucket_upper_ms(max(counts)), 2)


def _series(
    cells: list[RollupCell], first_minute: int, minutes: int, bucket_minutes: int
) -> list[dict[str, Any]]:
    buckets: dict[int, _Figures] = defaultdict(_Figures)
    for cell in cells:
        buckets[cell.bucket].add(cell)
    series = []
    for b in range(math.ceil(minutes / bucket_minutes)):
        figures = buckets.get(b) or _Figures()
        start = datetime.fromtimestamp((first_minute + b * bucket_minutes) * 60, UTC)
        latency = figures.percentiles(history.LATENCY)
        predictions, confidence_sum = figures.sum(history.CLASSES)
        series.append(
            {
                "t": (start + timedelta(seconds=bucket_minutes * 30)).isoformat(),
                "requests": figures.sum(history.REQUESTS)[0],
                "errors": figures.errors(),
                "p50": latency["p50"],
                "p95": latency["p95"],
                "predictions": predictions,
                "confidence": round(confidence_sum / predictions, 4) if predictions else None,
            }
        )
    return series
