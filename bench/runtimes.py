"""Keras and the runtime Sightline would serve with, timed side by side on one machine.

Used by `make bench` (serve_bench.py) and `make bench-model` (model_bench.py): the CPU's
name and the flags that decide OpenVINO's precision and speed (AMX, AVX512-BF16, AVX2),
then for each runtime batch-1 p50/p95, batch-64 images/s and top-1 agreement with Keras,
and what OpenVINO costs to carry (installed size, import time, memory).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

FLAGS = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2")


def cpu_description() -> dict[str, Any]:
    """The CPU's model name, core count and which of FLAGS it has."""
    fields: dict[str, str] = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    return {
        "cpu": fields.get("model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "flags": {flag: flag in flags for flag in FLAGS},
    }


def cpu_header(cpu: dict[str, Any]) -> str:
    flags = ", ".join(f"{name} {'yes' if has else 'no'}" for name, has in cpu["flags"].items())
    return f"CPU: {cpu['cpu']}, {cpu['cores']} cores; {flags}"


def time_ms(call: Callable[[], Any], calls: int) -> np.ndarray:
    for _ in range(max(3, calls // 10)):
        call()
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call()
        times[i] = (time.perf_counter() - start) * 1000
    return times


def openvino_cost() -> dict[str, Any]:
    """OpenVINO's installed size, and the time and memory its import takes in a fresh
    process (what a replica pays to have it, whichever runtime serves)."""
    spec = importlib.util.find_spec("openvino")
    if spec is None or not spec.submodule_search_locations:
        return {"installed": False}
    folder = Path(next(iter(spec.submodule_search_locations)))
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    probe = (
        "import time, psutil; p = psutil.Process(); r = p.memory_info().rss; "
        "t = time.perf_counter(); import openvino; c = openvino.Core(); "
        "print(time.perf_counter() - t, (p.memory_info().rss - r) / 2**20)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    seconds, rss_mb = (float(v) for v in out.stdout.split())
    return {
        "installed": True,
        "installed_mb": size / 2**20,
        "import_s": seconds,
        "import_rss_mb": rss_mb,
    }


def compare_runtimes(
    model_dir: Path, images: np.ndarray, requested: str, calls: int, threads: int
) -> dict[str, Any]:
    """Keras and the runtime ``requested`` picks (auto, openvino), each loaded as the API
    loads it: batch-1 p50/p95 ms, batch-64 images/s, top-1 agreement with Keras on
    ``images``, load seconds and the memory the load added."""
    from sightline.serving.predictor import Predictor, configure_threads

    configure_threads(threads)
    process = psutil.Process()
    rows: dict[str, Any] = {}
    reference: np.ndarray | None = None
    for label, runtime in (("keras", "keras"), ("chosen", requested)):
        rss, start = process.memory_info().rss, time.perf_counter()
        predictor = Predictor("bench", model_dir, runtime=runtime, threads=threads)
        load_s = time.perf_counter() - start
        load_rss_mb = (process.memory_info().rss - rss) / 2**20
        answers = np.concatenate(
            [predictor.predict_arrays(images[i : i + 256]) for i in range(0, len(images), 256)]
        )
        if reference is None:
            reference = answers
        one, batch = np.ascontiguousarray(images[:1]), np.ascontiguousarray(images[:64])
        batch1 = time_ms(lambda p=predictor, x=one: p.predict_arrays(x), calls)
        batch64 = time_ms(lambda p=predictor, x=batch: p.predict_arrays(x), max(20, calls // 10))
        rows[label] = {
            **predictor.runtime_report.as_dict(),
            "batch1_p50_ms": float(np.percentile(batch1, 50)),
            "batch1_p95_ms": float(np.percentile(batch1, 95)),
            "batch64_images_per_s": 64 / (float(np.median(batch64)) / 1000),
            "top1_agreement_with_keras": float(np.mean(answers.argmax(1) == reference.argmax(1))),
            "load_s": load_s,
            "load_rss_mb": load_rss_mb,
            "answers": answers,
        }
    return rows


def runtime_lines(rows: dict[str, Any], cost: dict[str, Any]) -> list[str]:
    """The side-by-side table, as Markdown lines."""
    lines = [
        "| runtime | precision | batch 1 p50 / p95 ms | batch 64 images/s | top-1 agreement "
        "with Keras | load s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, row in rows.items():
        title = "Keras (reference)" if label == "keras" else f"chosen ({row['requested']})"
        lines.append(
            f"| {title}: {row['name']} | {row['precision']} | {row['batch1_p50_ms']:.2f} / "
            f"{row['batch1_p95_ms']:.2f} | {row['batch64_images_per_s']:,.0f} | "
            f"{row['top1_agreement_with_keras']:.2%} | {row['load_s']:.1f} |"
        )
    return lines + runtime_notes(rows, cost)


def runtime_notes(rows: dict[str, Any], cost: dict[str, Any]) -> list[str]:
    """Why the chosen runtime serves, its timings at load, and OpenVINO's cost."""
    lines = []
    chosen = rows["chosen"]
    if chosen.get("reason"):
        lines.append(f"Keras serves: {chosen['reason']}.")
    if chosen.get("timings_ms"):
        lines.append(f"Timings at load (ms per call): {chosen['timings_ms']}.")
    if cost.get("installed"):
        lines.append(
            f"OpenVINO's cost: {cost['installed_mb']:.0f} MB installed, import + Core() "
            f"{cost['import_s']:.2f} s and {cost['import_rss_mb']:.0f} MB RSS in a fresh "
            f"process; loading the chosen runtime added {chosen['load_rss_mb']:.0f} MB."
        )
    return lines
