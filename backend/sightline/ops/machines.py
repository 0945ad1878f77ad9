"""Sightline processes that behave as if each ran on its own machine: each has a home
of its own and shares only what the environment names (the database, the admin
token). The multi-machine test and bench/multi_machine_bench.py start them this way,
with no containers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sightline.ops.scale import http_json


@dataclass
class Machine:
    """One `sightline serve` (``port`` set) or `sightline worker` process."""

    name: str
    home: Path
    env: dict[str, str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home.parent / f"{self.name}.log"  # beside the home: it may be deleted

    def command(self) -> list[str]:
        cli = [sys.executable, "-m", "sightline.cli"]
        if self.port is None:
            return [*cli, "worker"]
        return [*cli, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]

    def start(self) -> Machine:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SIGHTLINE_")},
            # Prometheus files are per home too: nothing on disk is shared.
            "PROMETHEUS_MULTIPROC_DIR": str(self.home / "prometheus"),
            **self.env,
            "SIGHTLINE_HOME": str(self.home),
        }
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command(), env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def health(self) -> dict[str, object]:
        code, body = http_json(f"{self.url}/health", timeout=2.0)
        return body if code == 200 else {}

    def model_version(self) -> object:
        return self.health().get("model_version")

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until /health answers with a model loaded."""
        started = time.monotonic()
        while not self.model_version():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{self.name} not healthy in {timeout} s; see {self.log_path}")
            time.sleep(0.1)
        return time.monotonic() - started

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (uvicorn drains requests in flight), then SIGKILL after ``timeout``."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
