"""Host figures for the monitoring page."""

from __future__ import annotations

from pathlib import Path

import psutil


def system_figures(path: Path) -> dict[str, float]:
    return {
        # Since the previous call: this is sampled every few seconds by the dashboard.
        "cpu_percent": float(psutil.cpu_percent(interval=None)),
        "memory_percent": float(psutil.virtual_memory().percent),
        "disk_percent": float(psutil.disk_usage(str(path)).percent),
        "process_rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
    }
