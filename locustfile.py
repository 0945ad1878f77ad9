"""Load test for the Sightline API.

    make load USERS=100 TIME=60s          # headless, CSV + HTML report in loadtest-results/
    .venv/bin/locust -f locustfile.py --host http://localhost:8000      # the web UI

Two kinds of user:

- ``DashboardUser`` (the default): a person using the product. Mostly classifies
  images (real CIFAR-10 test photos when ``SIGHTLINE_CIFAR10`` points to the image-folder
  zip or folder, generated shapes otherwise), and now and then reads the dashboard:
  status, model metrics, dataset stats, monitoring (a 404 there is tolerated while
  that endpoint does not exist), and the prediction history.
- ``PredictionClient``: a program that only classifies images. ``bench/serve_bench.py``
  drives both servers with it, since the baseline has nothing else.

Name the class on the command line (``make load`` names ``DashboardUser``); with no
name Locust mixes both.

Each user starts one task every ``--pacing`` seconds (default 1, the pacing of the
reference projects' load tests: 100 users = about 100 requests/s); ``--pacing 0``
sends back to back, a closed loop that finds the server's saturation throughput.
``--classifiers a,b,c`` spreads the users over those classifiers' predict routes
(``/api/classifiers/<name>/predict``), one classifier per user, in turn.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment

BOUNDARY = "sightline-load-test-boundary"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@events.init_command_line_parser.add_listener
def add_options(parser: Any) -> None:
    parser.add_argument(
        "--pacing",
        type=float,
        default=1.0,
        env_var="SIGHTLINE_LOAD_PACING",
        help="Seconds between the starts of a user's tasks (0: back to back)",
    )
    parser.add_argument(
        "--images",
        type=int,
        default=500,
        env_var="SIGHTLINE_LOAD_IMAGES",
        help="How many distinct test images the users send",
    )
    parser.add_argument(
        "--classifiers",
        default="",
        env_var="SIGHTLINE_LOAD_CLASSIFIERS",
        help="Comma-separated classifier names: each user predicts with one of them, in "
        "turn (none: /api/predict, the default classifier)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        env_var="SIGHTLINE_LOAD_TIMEOUT",
        help="Seconds before a request counts as failed",
    )


@events.init.add_listener
def configure(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    timeout = options.request_timeout if options else 10.0
    for user in (DashboardUser, PredictionClient):
        user.network_timeout = timeout
        user.connection_timeout = timeout
    UPLOADS.extend(
        multipart(name, data) for name, data in load_images(options.images if options else 500)
    )


@events.request.add_listener
def count_answers(name: str, exception: BaseException | None, **_: Any) -> None:
    if name.endswith("/predict") and exception is None:
        ANSWERED["predictions"] += 1


@events.quitting.add_listener
def write_answer_count(**_: Any) -> None:
    # All answers seen, ramp-up included (the CSV restarts with --reset-stats): the
    # benchmark checks that each has its history row.
    if path := os.environ.get("SIGHTLINE_LOAD_COUNT_FILE"):
        Path(path).write_text(json.dumps(ANSWERED))


def load_images(count: int) -> list[tuple[str, bytes]]:
    """Encoded images to upload: CIFAR-10 test photos if available, else shapes."""
    source = os.environ.get("SIGHTLINE_CIFAR10", "")
    rng = random.Random(0)
    if source.endswith(".zip") and Path(source).is_file():
        with zipfile.ZipFile(source) as archive:
            names = [
                n
                for n in archive.namelist()
                if "/test/" in f"/{n}" and n.lower().endswith(IMAGE_SUFFIXES)
            ]
            chosen = rng.sample(names, min(count, len(names)))
            return [(Path(n).name, archive.read(n)) for n in chosen]
    if source and Path(source).is_dir():
        paths = [
            p
            for p in Path(source).rglob("*")
            if p.suffix.lower() in IMAGE_SUFFIXES and "test" in p.parts
        ]
        chosen_paths = rng.sample(paths, min(count, len(paths)))
        return [(p.name, p.read_bytes()) for p in chosen_paths]
    return generated_images(count)


def generated_images(count: int) -> list[tuple[str, bytes]]:
    import numpy as np

    from sightline.data.synthetic import SHAPES, draw_shape

    rng = np.random.default_rng(0)
    images = []
    for i in range(count):
        buffer = io.BytesIO()
        draw_shape(SHAPES[i % len(SHAPES)], rng, 32).save(buffer, "JPEG", quality=90)
        images.append((f"{SHAPES[i % len(SHAPES)]}-{i}.jpg", buffer.getvalue()))
    return images


def multipart(filename: str, data: bytes) -> bytes:
    """The upload body, built once: encoding it per request would cost the load
    generator CPU that the server under test shares on a small machine."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


UPLOADS: list[bytes] = []
ANSWERED = {"predictions": 0}
USERS_STARTED = itertools.count()  # hands each user the next classifier of --classifiers
UPLOAD_HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


class SightlineUser(FastHttpUser):
    abstract = True

    def pacing(self) -> float:
        options = self.environment.parsed_options
        return options.pacing if options else 1.0

    def on_start(self) -> None:
        self.predict_path = self.choose_predict_path()
        # Each user keeps its own timetable: a random offset within the first period,
        # then one task start every period. Locust starts users in bursts (the spawn
        # rate, all at once) and its constant_pacing lets them fall into step, so 100
        # users would fire 100 requests at the same instant every second: a load no
        # group of people produces.
        self.next_start = time.monotonic() + random.uniform(0, self.pacing())
        gevent.sleep(self.next_start - time.monotonic())

    def choose_predict_path(self) -> str:
        """/api/predict, or with --classifiers, the next classifier's predict route."""
        options = self.environment.parsed_options
        names = [n.strip() for n in (options.classifiers if options else "").split(",")]
        names = [n for n in names if n]
        if not names:
            return "/api/predict"
        return f"/api/classifiers/{names[next(USERS_STARTED) % len(names)]}/predict"

    def wait_time(self) -> float:
        pacing = self.pacing()
        if pacing <= 0:
            return 0.0
        self.next_start += pacing
        now = time.monotonic()
        if self.next_start < now:  # a slow answer: start now, keep the period after
            self.next_start = now
        return self.next_start - now

    def classify(self) -> None:
        body = random.choice(UPLOADS)
        with self.client.post(
            self.predict_path,
            data=body,  # type: ignore[arg-type]  # bytes are sent as they are
            headers=UPLOAD_HEADERS,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
            elif b'"prediction"' not in (response.content or b""):
                response.failure("no prediction in the answer")


class DashboardUser(SightlineUser):
    """A person: mostly classifying, sometimes looking at the dashboard."""

    @task(20)
    def predict(self) -> None:
        self.classify()

    @task(2)
    def status(self) -> None:
        self.client.get("/api/status")

    @task(1)
    def model_metrics(self) -> None:
        self.client.get("/api/metrics")
        self.client.get("/api/dataset-stats")

    @task(1)
    def monitoring(self) -> None:
        with self.client.get("/api/monitoring?window=3600", catch_response=True) as response:
            if response.status_code in (200, 404):  # 404 until monitoring ships
                response.success()

    @task(1)
    def history(self) -> None:
        self.client.get("/api/predictions?limit=20", name="/api/predictions")


class PredictionClient(SightlineUser):
    """A program that only classifies images (what the benchmark compares)."""

    @task
    def predict(self) -> None:
        self.classify()
