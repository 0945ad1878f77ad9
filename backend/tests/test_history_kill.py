"""kill -9 under load: every prediction the API answered has its row, on SQLite and
Postgres (group commit: the answer is sent after the row's commit), and no answered
request has two."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope
from tests.factories import free_port, image_bytes
from tests.test_crash_safety import spawn, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.process]
CLIENTS = 6


class Predictions:
    """Threads that ask for predictions until stopped, keeping the ids answered."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.answered: list[str] = []
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self, n: int) -> None:
        seed = 1000 * n
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                seed += 1
                files = {"file": ("x.png", image_bytes(seed=seed))}
                try:
                    answer = client.post("/api/predict", files=files)
                except httpx.HTTPError:
                    time.sleep(0.02)  # killed: that is the point
                    continue
                if answer.status_code == 200:
                    self.answered.append(answer.json()["id"])

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_every_answer_has_its_row_after_kill_9(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    api = spawn(settings, "serve", "--port", str(port), "--no-access-log", log=tmp_path / "api.log")
    try:
        wait_healthy(url, api)
        load = Predictions(url)
        deadline = time.monotonic() + 120
        while len(load.answered) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(api.pid, signal.SIGKILL)  # mid-request: no shutdown, no flush
        api.wait(timeout=30)
        load.finish()
    finally:
        if api.poll() is None:
            api.kill()
    assert len(load.answered) >= 60
    with session_scope(settings) as session:
        stored = set(session.scalars(select(PredictionRow.id)))
        rows = session.scalar(select(func.count()).select_from(PredictionRow))
    assert set(load.answered) <= stored  # every answer has its row
    # At most the requests in flight at the kill have a row but no answer.
    assert len(load.answered) <= rows <= len(load.answered) + CLIENTS
