"""Where the milliseconds of one answer go in the saturated service (issue #31).

    .venv/bin/python bench/http_profile.py [--runtime keras|openvino|auto] [--seconds 20]

Starts `sightline serve` (one process), drives it back to back with Locust's
``PredictionClient`` and samples every thread of the server with py-spy (``--py-spy``;
on PATH or beside Python) for ``--seconds``. Each sample goes to the stage of its
innermost frame that names one (STAGES), so the table reads as the share of the server's busy Python
samples each stage takes. py-spy leaves out threads it sees idle, and a thread inside
TensorFlow's or OpenVINO's native kernels can look idle: the model's own time is the
history rows' ``time_ms`` and bench/runtimes.py's, not this table's. Prints the table
and the requests/s of the same run.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from common import REPO, locust_command, locust_env, locust_totals
from runtimes import cpu_description, cpu_header
from serve_bench import server

# (stage, markers of its frames); a sample goes to the innermost frame's stage.
STAGES = (
    ("model (runtime)", ("predict_arrays", "run_model_batch")),
    ("decode + resize", ("image_to_input", "decode_image", "_decode_and_hash")),
    ("history (recorder, SQL)", ("recorder.py", "sqlalchemy", "sqlite3")),
    ("multipart parse", ("multipart", "_get_form", "form(")),
    ("request id, metrics, events", ("middleware.py", "prometheus_client")),
    ("security middleware", ("security.py", "cors.py")),
    ("FastAPI routing, dependencies", ("fastapi/routing.py", "fastapi/dependencies")),
    ("thread pool hand-offs", ("concurrent/futures", "threading.py", "to_thread")),
    ("JSON answer", ("jsonable_encoder", "render (", "serialize_response", "pydantic")),
    ("HTTP (uvicorn, h11/httptools)", ("uvicorn", "httptools", "h11")),
    ("event loop, asyncio", ("asyncio", "uvloop")),
)


def stage_of(stack: str) -> str:
    """The stage of the innermost frame that names one: the middleware wraps every
    request, so a sample is its own only when nothing deeper claims it."""
    for frame in reversed(stack.split(";")):
        for stage, markers in STAGES:
            if any(marker in frame for marker in markers):
                return stage
    return "other"


def shares(collapsed: Path) -> dict[str, float]:
    """Samples per stage from py-spy's collapsed output ("frame;frame;... count")."""
    counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        counts[stage_of(stack)] += int(count)
    total = sum(counts.values()) or 1
    return {stage: n / total for stage, n in counts.most_common()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--runtime", default="keras", choices=("auto", "keras", "openvino"))
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--keep", type=Path, default=None, help="copy py-spy's stacks here")
    beside_python = Path(sys.executable).parent / "py-spy"
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or str(beside_python))
    args = parser.parse_args()
    print(cpu_header(cpu_description()))
    with tempfile.TemporaryDirectory(prefix="http-profile-") as folder:
        home = Path(folder)
        url = f"http://127.0.0.1:{args.port}"
        with server("sightline", args.model.resolve(), args.port, home, args.runtime) as process:
            served = psutil.Process(process.pid)
            cpu_before = sum(served.cpu_times()[:2])
            load = subprocess.Popen(
                locust_command(url, args.users, args.seconds + 10, home / "locust", pacing=0.0),
                cwd=REPO,
                env=locust_env(home / "locust"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            collapsed = home / "profile.txt"
            subprocess.run(
                [
                    args.py_spy,
                    "record",
                    "--pid",
                    str(process.pid),
                    "--duration",
                    str(args.seconds),
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--subprocesses",
                    "--output",
                    str(collapsed),
                    "--rate",
                    "200",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            load.wait()
            cpu_seconds = sum(served.cpu_times()[:2]) - cpu_before
        totals = locust_totals(home / "locust")
        stages = shares(collapsed)
        if args.keep:
            shutil.copyfile(collapsed, args.keep)
    print(
        f"SIGHTLINE_RUNTIME={args.runtime}, {args.users} users back to back: "
        f"{totals.rps:.0f} requests/s, p50 {totals.p50:.0f} ms, p95 {totals.p95:.0f} ms"
    )
    # Throughput on 2 cores is shared with the load generator; the server's own CPU time
    # per answer is the figure a trim moves.
    print(f"server CPU per answer: {cpu_seconds * 1000 / max(totals.requests, 1):.2f} ms")
    print("| stage | share of the server's busy samples |\n|---|---:|")
    for stage, share in stages.items():
        print(f"| {stage} | {share:.1%} |")


if __name__ == "__main__":
    sys.exit(main())
