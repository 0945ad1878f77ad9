"""`sightline scale` for real: two replicas behind nginx under supervisord, one killed
with SIGKILL mid-run. Requests keep succeeding through nginx, supervisord brings the
replica back, no history row is lost, and stopping leaves no process behind. Runs on
SQLite and on Postgres (tests/databases.py)."""

from __future__ import annotations

import os
import random
import signal
import time
import urllib.request
import uuid
from collections.abc import Iterator

import psutil
import pytest
from sqlalchemy import func, select

from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope
from sightline.ops.scale import ScaleError, Stack, StackConfig, find_nginx, free_port_block
from tests.factories import ADMIN_TOKEN, image_bytes


def nginx_missing() -> bool:
    try:
        find_nginx()
    except ScaleError:
        return True
    return False


pytestmark = [
    pytest.mark.slow,
    pytest.mark.process,
    pytest.mark.skipif(nginx_missing(), reason="no nginx"),
]
STARTUP_S = 300  # generous: replicas load TensorFlow on a shared CPU


@pytest.fixture
def stack(settings: Settings) -> Iterator[Stack]:
    base = free_port_block(3)
    env = {
        "SIGHTLINE_MODEL_DIR": str(settings.model_dir),
        "SIGHTLINE_DATASET": settings.dataset,
        "SIGHTLINE_ADMIN_TOKEN": ADMIN_TOKEN,
        "SIGHTLINE_DATABASE_URL": settings.database_url or "",
        "SIGHTLINE_INFERENCE_THREADS": "1",
        "SIGHTLINE_MODEL_POLL_SECONDS": "0.5",
    }
    config = StackConfig(replicas=2, port=base, api_port=base + 1, worker=False, web=False, env=env)
    stack = Stack(settings, config)
    stack.start()
    try:
        stack.wait_ready(STARTUP_S)
        yield stack
    finally:
        stack.stop()


def predict(url: str) -> int:
    body, boundary = image_bytes(seed=random.randint(0, 10**6)), uuid.uuid4().hex
    data = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"'
            f"\r\nContent-Type: image/png\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{url}/api/predict",
        data=data,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def history_rows(settings: Settings) -> int:
    with session_scope(settings) as session:
        return session.scalar(select(func.count()).select_from(PredictionRow)) or 0


def flush_replicas(stack: Stack) -> None:
    for url in stack.replica_urls():  # /api/status flushes that replica's history first
        urllib.request.urlopen(f"{url}/api/status", timeout=30).read()


def upstreams_used(stack: Stack) -> set[str]:
    log = (stack.run / "nginx" / "access.log").read_text()
    return {line.split('"')[3] for line in log.splitlines() if '"/api/predict"' in line}


def test_killed_replica_fails_over_comes_back_and_loses_nothing(
    stack: Stack, settings: Settings
) -> None:
    public = f"http://127.0.0.1:{stack.config.port}"
    assert [predict(public) for _ in range(20)] == [200] * 20
    assert upstreams_used(stack) == {u.removeprefix("http://") for u in stack.replica_urls()}
    flush_replicas(stack)
    assert history_rows(settings) == 20

    victim = f"api-{stack.config.api_port}"
    old_pid = stack.pid(victim)
    os.kill(old_pid, signal.SIGKILL)
    assert [predict(public) for _ in range(30)] == [200] * 30  # nginx routes around it

    deadline = time.monotonic() + STARTUP_S  # supervisord restarts it
    while not (stack.pid(victim) not in (0, old_pid) and _healthy(stack.replica_urls()[0])):
        assert time.monotonic() < deadline, "the killed replica never came back"
        time.sleep(0.5)
    assert [predict(public) for _ in range(10)] == [200] * 10

    started = list(stack.tagged_processes())
    supervised = [psutil.Process(stack.pid(name)) for name in ("nginx", victim)]
    stack.stop()
    assert not [
        p.pid for p in started + supervised if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert history_rows(settings) == 60  # graceful stop wrote every answered row


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
