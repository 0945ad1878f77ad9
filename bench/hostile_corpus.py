"""The hostile-upload corpus (backend/tests/hostile/corpus.py) against a real
`sightline serve`, ten times over, and the issue's three figures:

1. 5xx answers over every repetition (target: 0), and answers the corpus's judge
   finds wrong (a valid image refused, a hostile one kept...);
2. the API's RSS (psutil, sampled every 0.2 s) before the corpus, after the first
   pass and at the end (target: growth under 200 MB);
3. every path the server process wrote outside ``$SIGHTLINE_HOME`` (target: none),
   from an strace of each file-writing system call of the process and its threads
   (open for writing, O_TMPFILE, mkdir, rename, unlink, link, truncate), so other
   programs on a shared machine cannot blur the answer.

It also checks that the admin token never appears in the server's output (access log
on). Run from the repository root:

    .venv/bin/python bench/hostile_corpus.py [--model models/cifar10] [--repeat 10]

Without a trained model at --model, a quick one is trained on synthetic shapes first.
Results (a JSON summary, the server's log and the strace) go to bench/results/<time>/.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from common import PYTHON, REPO, free_port, stop_process, wait_healthy

sys.path.insert(0, str(REPO / "backend"))

# The corpus lives with the tests, so both send the same files and judge them alike.
corpus = importlib.import_module("tests.hostile.corpus")

RSS_TARGET_MB = 200
WRITE_CALLS = (
    "open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,"
    "link,linkat,symlink,symlinkat,truncate"
)
# Kernel interfaces, not files: /proc/self/task/*/comm is written to name threads.
NOT_FILES = ("/proc/", "/sys/", "/dev/")


@dataclass
class Figures:
    model: str
    requests_per_pass: int = 0
    repetitions: int = 0
    answers: int = 0
    five_xx: int = 0
    wrong: list[str] = field(default_factory=list)
    transport_errors: dict[str, int] = field(default_factory=dict)
    unhealthy_after_pass: list[int] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)
    written_outside_home: list[str] | None = None
    token_in_output: bool = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "cifar10")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    out = REPO / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S-hostile")
    out.mkdir(parents=True)
    model = args.model if (args.model / "model.keras").exists() else quick_model(out)
    class_name = json.loads((model / "card.json").read_text())["class_names"][0]
    figures = Figures(model=str(model))
    token = secrets.token_urlsafe(24)
    home = out / "home"

    with serve(home, model, token, out) as (url, process):
        sampler = RssSampler(process)
        figures.rss_mb["after start-up"] = sampler.now_mb()
        for rep in range(1, args.repeat + 1):
            run_pass(url, token, class_name, figures)
            if httpx.get(f"{url}/health", timeout=30).status_code != 200:
                figures.unhealthy_after_pass.append(rep)
            if rep == 1:
                figures.rss_mb["after pass 1"] = sampler.now_mb()
            print(
                f"  pass {rep}/{args.repeat}: {figures.answers} answers, "
                f"{figures.five_xx} 5xx, RSS {sampler.now_mb():.0f} MB",
                flush=True,
            )
        figures.repetitions = args.repeat
        figures.rss_mb["end"] = sampler.now_mb()
        figures.rss_mb["peak"] = sampler.stop()
    log_text = (out / "server.log").read_text(errors="replace")
    figures.token_in_output = token in log_text
    figures.written_outside_home = writes_outside(out / "strace.txt", home)
    (out / "hostile.json").write_text(json.dumps(asdict(figures), indent=2))
    report(figures, out)


def quick_model(out: Path) -> Path:
    """A quick model on synthetic shapes, when no trained model is at --model."""
    sightline = [PYTHON, "-m", "sightline.cli"]
    print("No model at --model: training a quick one on synthetic shapes...", flush=True)
    data, model = out / "shapes", out / "model"
    subprocess.run([*sightline, "demo-data", str(data)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*sightline, "train", "--quick", "--data", str(data), "--out", str(model)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return model


@contextmanager
def serve(home: Path, model: Path, token: str, out: Path) -> Iterator[tuple[str, psutil.Process]]:
    """`sightline serve` under strace (when installed), its output in out/server.log."""
    port = free_port()
    env = {
        **os.environ,
        "SIGHTLINE_HOME": str(home),
        "SIGHTLINE_MODEL_DIR": str(model),
        "SIGHTLINE_ADMIN_TOKEN": token,
        "SIGHTLINE_ADMIN_RATE_LIMIT_PER_MINUTE": "100000",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the server keeps its metrics in its home
    command = [PYTHON, "-m", "sightline.cli", "serve", "--port", str(port)]
    if shutil.which("strace"):
        command = [
            "strace",
            "-f",
            "-qq",
            "-y",
            "--seccomp-bpf",
            "-e",
            f"trace={WRITE_CALLS}",
            "-o",
            str(out / "strace.txt"),
            "--",
            *command,
        ]
    with open(out / "server.log", "wb") as log:
        launcher = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, launcher, log=out / "server.log")
        yield url, server_process(launcher)
    finally:
        if launcher.poll() is None:
            # To the server itself: under strace, it then writes under the trace.
            stop_process(launcher, signal_pid=server_process(launcher).pid)


def server_process(launcher: subprocess.Popen[bytes]) -> psutil.Process:
    """The Python process itself (strace's child when traced)."""
    process = psutil.Process(launcher.pid)
    children = process.children()
    return children[0] if process.name() == "strace" and children else process


class RssSampler:
    """The server's RSS now, and its peak (a thread samples every 0.2 s)."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def now_mb(self) -> float:
        rss: int = self.process.memory_info().rss
        self.peak = max(self.peak, rss)
        return round(rss / 2**20, 1)

    def _run(self) -> None:
        while not self.done.wait(0.2):
            try:
                self.now_mb()
            except psutil.Error:
                return

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return round(self.peak / 2**20, 1)


def run_pass(url: str, token: str, class_name: str, figures: Figures) -> None:
    admin = {"Authorization": f"Bearer {token}"}
    count = 0
    with httpx.Client(base_url=url, timeout=120) as client:
        for endpoint in corpus.endpoints(class_name):
            headers = admin if endpoint.admin else {}
            for case in corpus.file_cases(class_name):
                params = {} if case.zip else endpoint.params
                files = [(endpoint.field, (case.filename, case.data, case.content_type))]
                answer = send(
                    client,
                    figures,
                    case.name,
                    endpoint.path,
                    params=params,
                    files=files,
                    headers=headers,
                )
                count += 1
                if answer is not None:
                    for problem in corpus.judge_file(endpoint, case, *answer):
                        figures.wrong.append(f"{endpoint.path} {case.name}: {problem}")
            for name, (build, expect) in corpus.REQUEST_CASES.items():
                request = build(endpoint)
                request["headers"] = {**request.get("headers", {}), **headers}
                answer = send(
                    client,
                    figures,
                    name,
                    endpoint.path,
                    params=endpoint.params,
                    **request,
                )
                count += 1
                if answer is not None:
                    for problem in corpus.judge_request(expect, *answer):
                        figures.wrong.append(f"{endpoint.path} {name}: {problem}")
    figures.requests_per_pass = count


def send(
    client: httpx.Client, figures: Figures, name: str, path: str, **request: Any
) -> tuple[int, Any] | None:
    try:
        response = client.post(path, **request)
    except httpx.TransportError as exc:
        # A server that refuses a 70 MB body by its Content-Length answers 413 and closes
        # the connection; a client still sending may see the close instead of the answer.
        key = f"{path} {name}: {type(exc).__name__}"
        figures.transport_errors[key] = figures.transport_errors.get(key, 0) + 1
        return None
    figures.answers += 1
    figures.five_xx += response.status_code >= 500
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text[:200]


SYSCALL = re.compile(r"^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)")
PATH_ARG = re.compile(r'(?:(\d+)<([^>]*)>, )?"((?:[^"\\]|\\.)*)"')
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_TMPFILE")


def writes_outside(trace: Path, home: Path) -> list[str] | None:
    """Paths the server wrote outside ``home``, from the strace; None without one."""
    if not trace.exists():
        return None
    inside = str(home.resolve())
    outside: set[str] = set()
    for line in trace.read_text(errors="replace").splitlines():
        match = SYSCALL.match(line)
        if not match or int(match.group(3)) < 0:
            continue  # failed calls wrote nothing
        call, args = match.group(1), match.group(2)
        if call in ("open", "openat") and not any(flag in args for flag in WRITE_FLAGS):
            continue
        for path in written_paths(args):
            if not path.startswith(inside) and not path.startswith(NOT_FILES):
                outside.add(path)
    return sorted(outside)


def written_paths(args: str) -> list[str]:
    paths = []
    for dir_fd, dir_path, name in PATH_ARG.findall(args):
        if name.startswith("/"):
            paths.append(name)
        elif dir_fd and dir_path:
            paths.append(str(Path(dir_path) / name))
        else:  # relative to the working directory: the repository root
            paths.append(str(REPO / name))
    return [os.path.normpath(p) for p in paths]


def report(figures: Figures, out: Path) -> None:
    rss = figures.rss_mb
    growth = rss["end"] - rss["after start-up"]
    outside = figures.written_outside_home
    print(
        f"\nHostile corpus x{figures.repetitions} against a real `sightline serve` "
        f"({figures.requests_per_pass} requests a pass, model {figures.model})"
    )
    print(f"  5xx answers:                 {figures.five_xx} of {figures.answers} (target 0)")
    print(f"  answers the judge finds wrong: {len(figures.wrong)}")
    for problem in figures.wrong[:20]:
        print(f"    - {problem}")
    if figures.transport_errors:
        print(f"  connections closed before an answer: {sum(figures.transport_errors.values())}")
        for key, n in sorted(figures.transport_errors.items()):
            print(f"    - {key} x{n}")
    print(f"  healthy after every pass:    {not figures.unhealthy_after_pass}")
    print(
        f"  API RSS (MB): after start-up {rss['after start-up']:.0f}, after pass 1 "
        f"{rss['after pass 1']:.0f}, end {rss['end']:.0f}, peak {rss['peak']:.0f}; "
        f"growth {growth:.0f} MB (target < {RSS_TARGET_MB})"
    )
    if outside is None:
        print("  written outside $SIGHTLINE_HOME: not checked (strace is not installed)")
    else:
        print(f"  written outside $SIGHTLINE_HOME: {len(outside)} paths (target 0)")
        for path in outside[:20]:
            print(f"    - {path}")
    print(f"  admin token in the server's output: {'YES' if figures.token_in_output else 'no'}")
    print(f"Results: {out}")


if __name__ == "__main__":
    main()
