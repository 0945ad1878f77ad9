"""GET /api/monitoring: figures over a time window, selected with SQL from the
prediction history and the request events (so every replica reports the same)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from sightline.config import Settings
from sightline.db.models import PredictionRow, RequestEventRow
from sightline.db.session import session_scope
from sightline.monitoring.drift import drift_report
from sightline.monitoring.system import system_figures

SERIES_BUCKETS = 30
PREDICT_ROUTES = ("/api/predict", "/api/predict/batch", "/api/explain")


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    p50, p95, p99 = np.percentile(np.asarray(values), [50, 95, 99])
    return {"p50": round(float(p50), 2), "p95": round(float(p95), 2), "p99": round(float(p99), 2)}


def _bucket(times: list[datetime], start: datetime, seconds: int) -> np.ndarray:
    width = seconds / SERIES_BUCKETS
    offsets = np.array([(t - start).total_seconds() for t in times])
    return np.clip((offsets // width).astype(int), 0, SERIES_BUCKETS - 1)


def monitoring_report(
    settings: Settings, window_seconds: int, class_names: list[str], baseline: dict[str, Any]
) -> dict[str, Any]:
    end = datetime.now(UTC)
    start = end - timedelta(seconds=window_seconds)
    with session_scope(settings) as session:
        predictions = session.execute(
            select(
                PredictionRow.created_at,
                PredictionRow.prediction,
                PredictionRow.confidence,
                PredictionRow.time_ms,
            ).where(PredictionRow.created_at >= start)
        ).all()
        events = session.execute(
            select(
                RequestEventRow.created_at,
                RequestEventRow.route,
                RequestEventRow.status_code,
                RequestEventRow.duration_ms,
            ).where(RequestEventRow.created_at >= start)
        ).all()
        total_predictions = session.scalar(select(func.count()).select_from(PredictionRow)) or 0

    class_counts = {name: 0 for name in class_names}
    for row in predictions:
        class_counts[row.prediction] = class_counts.get(row.prediction, 0) + 1
    confidences = [row.confidence for row in predictions]
    predict_latency = [e.duration_ms for e in events if e.route in PREDICT_ROUTES]
    return {
        "window_seconds": window_seconds,
        "requests": len(events),
        "rps": round(len(events) / window_seconds, 4),
        "errors": sum(1 for e in events if e.status_code >= 400),
        "server_errors": sum(1 for e in events if e.status_code >= 500),
        "predictions": len(predictions),
        "predictions_total": total_predictions,
        "latency_ms": _percentiles(predict_latency),
        "model_time_ms": _percentiles([row.time_ms for row in predictions]),
        "class_distribution": class_counts,
        "confidence": {
            "mean": round(float(np.mean(confidences)), 4) if confidences else None,
            "series": _confidence_series(predictions, start, window_seconds),
        },
        "series": _request_series(events, start, window_seconds),
        "drift": drift_report(baseline, class_names, class_counts, confidences),
        "system": system_figures(settings.home),
    }


def _confidence_series(rows: Sequence[Any], start: datetime, seconds: int) -> list[dict[str, Any]]:
    if not rows:
        return []
    buckets = _bucket([row.created_at for row in rows], start, seconds)
    width = seconds / SERIES_BUCKETS
    series = []
    for b in sorted(set(buckets.tolist())):
        values = [row.confidence for row, k in zip(rows, buckets, strict=True) if k == b]
        t = start + timedelta(seconds=(b + 0.5) * width)
        series.append(
            {"t": t.isoformat(), "mean": round(float(np.mean(values)), 4), "n": len(values)}
        )
    return series


def _request_series(events: Sequence[Any], start: datetime, seconds: int) -> list[dict[str, Any]]:
    width = seconds / SERIES_BUCKETS
    buckets: Sequence[int] = (
        _bucket([e.created_at for e in events], start, seconds).tolist() if events else []
    )
    series = []
    for b in range(SERIES_BUCKETS):
        chosen = [e for e, k in zip(events, buckets, strict=True) if k == b]
        latency = _percentiles([e.duration_ms for e in chosen if e.route in PREDICT_ROUTES])
        series.append(
            {
                "t": (start + timedelta(seconds=(b + 0.5) * width)).isoformat(),
                "requests": len(chosen),
                "errors": sum(1 for e in chosen if e.status_code >= 400),
                "p50": latency["p50"],
                "p95": latency["p95"],
            }
        )
    return series
