"""Prometheus metrics, correct across processes.

Every API replica and the worker write their samples to files in one shared folder
(prometheus-client's multiprocess mode); GET /metrics on any replica sums them all.
``configure`` must run before the first metric is made in a process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV = "PROMETHEUS_MULTIPROC_DIR"


def configure(home: Path) -> Path:
    """Point this process at the shared metrics folder (under $SIGHTLINE_HOME), and
    drop the live gauges of processes that have exited (counters keep their totals)."""
    folder = Path(os.environ.setdefault(ENV, str(home / "prometheus")))
    folder.mkdir(parents=True, exist_ok=True)
    reap_exited_processes(folder)
    return folder


def reap_exited_processes(folder: Path) -> list[int]:
    from prometheus_client import multiprocess

    reaped = []
    for path in folder.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, str(folder))
            reaped.append(pid)
    return reaped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@lru_cache
def metrics() -> Any:
    """The metric objects, made once per process after ``configure``."""
    from prometheus_client import Counter, Gauge, Histogram

    class Metrics:
        requests = Counter(
            "sightline_requests_total", "API requests", ["method", "route", "status"]
        )
        latency = Histogram(
            "sightline_request_duration_seconds",
            "API request duration",
            ["route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )
        predictions = Counter(
            "sightline_predictions_total", "Predictions served", ["class_name", "model_version"]
        )
        batch_size = Histogram(
            "sightline_batch_size", "Images per model call", buckets=(1, 2, 4, 8, 16, 32, 64)
        )
        model_loaded = Gauge(
            "sightline_model_loaded",
            "1 for the model version a process serves",
            ["version"],
            multiprocess_mode="liveall",
        )
        runtime_info = Gauge(
            "sightline_runtime_info",
            "1 for the runtime serving a model version; reason: why Keras serves instead",
            ["version", "runtime", "precision", "requested", "reason"],
            multiprocess_mode="liveall",
        )
        retrain_jobs = Counter(
            "sightline_retrain_jobs_total", "Retraining jobs finished", ["status"]
        )
        review_items_kept = Counter(
            "sightline_review_items_kept_total", "Answers kept for review", ["reason"]
        )
        review_items_dropped = Counter(
            "sightline_review_items_dropped_total",
            "Answers the review policy kept but the keeper could not store",
            ["why"],
        )

    return Metrics


def render() -> tuple[bytes, str]:
    """The text exposition of every process's metrics."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST
