"""Sightline across machines, on one machine: every replica has its own $SIGHTLINE_HOME
and shares only Postgres (sightline/ops/machines.py). Prints:

1. how long a replica that starts with an empty home takes to serve the shipped model
   (TensorFlow's import, the model fetched from the database, the warm-up), and the
   fetch alone;
2. how long a promotion and a rollback take to be served by each replica (target: 5 s);
3. the database as the store: a 10 MB model (insert, fetch on a fresh replica) and
   100,000 uploads (insert time, database size, listing and reading them back);
4. a rolling replacement of one replica under 100 paced users (1 request/s each)
   through nginx: start the new replica, wait until it serves, SIGTERM the old one
   (uvicorn drains what it has in flight); every request must succeed.

Postgres: --database-url, else $SIGHTLINE_TEST_POSTGRES_URL, else a throwaway server
from deploy/postgres-dev.sh. Usage: python bench/multi_machine_bench.py [--uploads N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from common import REPO, register_second_version
from sightline.blob_store import DatabaseBlobStore, fetch_to_file, sha256_hex
from sightline.config import Settings
from sightline.db import blobs as blob_rows
from sightline.db import uploads as upload_rows
from sightline.db.models import TrainingUploadRow
from sightline.db.session import engine_for, session_scope
from sightline.ops.machines import Machine
from sightline.ops.scale import (
    TEMPLATE,
    StackConfig,
    find_nginx,
    free_port_block,
    nginx_command,
    nginx_values,
    render_template,
)

TOKEN = "bench-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def say(line: str) -> None:
    print(line, flush=True)


# --------------------------------------------------------------------------- postgres


@contextlib.contextmanager
def postgres_server(url: str | None, work: Path) -> Iterator[str]:
    if url:
        yield url
        return
    # Its own folder straight under the temp dir: the postgres user must be able to
    # reach it, and the bench's work folder is private to root (mkdtemp's 0700).
    folder = Path(tempfile.mkdtemp(prefix="sightline-mm-pg-"))
    port = str(free_port_block(1))
    script = REPO / "deploy" / "postgres-dev.sh"
    out = subprocess.run(
        ["bash", str(script), "start", str(folder), port],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    try:
        yield out.split("SIGHTLINE_TEST_POSTGRES_URL=", 1)[1].split()[0].strip("'\"")
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new database on the server, dropped afterwards."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"sightline_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --------------------------------------------------------------------------- 1 and 2


def seconds_until(check: Callable[[], bool], timeout: float = 120.0) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            return float("inf")
        time.sleep(0.02)
    return time.monotonic() - started


def visibility(replicas: list[Machine], version: str, promote_through: Machine) -> list[float]:
    """Seconds from the promotion request to each replica serving ``version``."""
    results: dict[str, float] = {}
    started = time.monotonic()

    def watch(machine: Machine) -> None:
        seconds_until(lambda: machine.model_version() == version)
        results[machine.name] = time.monotonic() - started

    threads = [threading.Thread(target=watch, args=(m,)) for m in replicas]
    for thread in threads:
        thread.start()
    response = httpx.post(
        f"{promote_through.url}/api/models/{version}/promote", headers=ADMIN, timeout=120
    )
    response.raise_for_status()
    for thread in threads:
        thread.join()
    return [results[m.name] for m in replicas]


# --------------------------------------------------------------------------- 3


def database_as_store(settings: Settings, uploads: int, work: Path) -> None:
    store = DatabaseBlobStore(settings)
    model = os.urandom(10 * 1024 * 1024)
    started = time.monotonic()
    sha = store.put(model)
    insert_s = time.monotonic() - started
    engine_for(settings.resolved_database_url).dispose()  # a fresh replica: new connections
    target = work / "fresh-replica" / "model.keras"
    started = time.monotonic()
    fetch_to_file(store, sha, target)
    fetch_s = time.monotonic() - started
    say(
        f"  10 MB model: insert {insert_s:.2f} s, fetch + verify on a fresh replica {fetch_s:.2f} s"
    )

    # Uploads: CIFAR-sized PNGs are 2-3 KB; random bytes of that size stand in for
    # them (the store neither decodes nor compresses). Written as the API writes them
    # (blob, then row), 1,000 per transaction.
    size = 2500
    batch = 1000
    started = time.monotonic()
    for first in range(0, uploads, batch):
        with session_scope(settings) as session:
            for i in range(first, min(first + batch, uploads)):
                data = i.to_bytes(8, "big") + os.urandom(size - 8)
                digest = sha256_hex(data)
                blob_rows.insert_blob(session=session, sha256=digest, data=data)
                upload_rows.insert_upload(
                    session=session,
                    row=TrainingUploadRow(
                        classifier=settings.default_classifier,
                        sha256=digest,
                        class_name=f"class{i % 10}",
                        size_bytes=len(data),
                        path=f"{digest[:2]}/{digest}",
                    ),
                )
    insert_s = time.monotonic() - started
    with session_scope(settings) as session:
        database_bytes = session.scalar(text("SELECT pg_database_size(current_database())"))
        count, blob_bytes = blob_rows.blob_stats(session=session)
    say(
        f"  {uploads:,} uploads of {size} B: insert {insert_s:.1f} s "
        f"({uploads / insert_s:,.0f}/s); {count:,} blobs, {blob_bytes / 1e6:.0f} MB of bytes; "
        f"database size {database_bytes / 1e6:.0f} MB"
    )
    engine_for(settings.resolved_database_url).dispose()
    started = time.monotonic()
    with session_scope(settings) as session:
        rows = upload_rows.all_uploads(session=session, classifier=settings.default_classifier)
        counts = upload_rows.upload_counts(session=session, classifier=settings.default_classifier)
    list_s = time.monotonic() - started
    sample = rows[:: max(1, len(rows) // 1000)][:1000]
    started = time.monotonic()
    for row in sample:
        store.get(row.sha256)
    read_s = time.monotonic() - started
    say(
        f"  on a fresh replica: list every upload {list_s:.2f} s ({len(counts)} classes), "
        f"read + verify {len(sample):,} of them {read_s:.2f} s "
        f"({read_s * 1000 / len(sample):.2f} ms each; "
        f"all {uploads:,}: ~{read_s * len(rows) / len(sample):.0f} s)"
    )


# --------------------------------------------------------------------------- 4


async def paced_users(
    url: str, users: int, stop: asyncio.Event, image: bytes
) -> tuple[int, list[str]]:
    """``users`` clients, one prediction a second each, until ``stop``."""
    done = 0
    failures: list[str] = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def user(index: int) -> None:
            nonlocal done
            await asyncio.sleep(index / users)  # spread over the first second
            while not stop.is_set():
                tick = time.monotonic()
                try:
                    files = {"file": ("x.png", image, "image/png")}
                    response = await client.post(f"{url}/api/predict", files=files)
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text[:120]}")
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                done += 1
                await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))

        await asyncio.gather(*(user(i) for i in range(users)))
    return done, failures


def rolling_replacement(
    old: Machine, new: Machine, nginx_port: int, work: Path, users: int, image: bytes
) -> None:
    nginx_dir = work / "nginx"
    nginx_dir.mkdir()
    config = StackConfig(replicas=2, port=nginx_port, api_port=old.port or 0, web=False)
    (nginx_dir / "nginx.conf").write_text(
        render_template(TEMPLATE.read_text(), nginx_values(config, nginx_dir))
    )
    nginx = subprocess.Popen(nginx_command(find_nginx(), nginx_dir))
    url = f"http://127.0.0.1:{nginx_port}"
    seconds_until(lambda: httpx.get(f"{url}/nginx-health").status_code == 200, 30)
    stop = asyncio.Event()
    timeline: dict[str, float] = {}

    def replace() -> None:
        try:
            time.sleep(5)  # load on the old replica alone first
            started = time.monotonic()
            new.start()
            new.wait_healthy(600)
            timeline["new replica serving"] = time.monotonic() - started
            time.sleep(3)
            started = time.monotonic()
            old.stop()  # SIGTERM: uvicorn stops accepting, finishes what is in flight
            timeline["old replica drained and gone"] = time.monotonic() - started
            time.sleep(5)  # load on the new replica alone
        finally:
            stop.set()  # the users stop whatever happened

    async def run() -> tuple[int, list[str]]:
        replacer = asyncio.create_task(asyncio.to_thread(replace))
        result = await paced_users(url, users, stop, image)
        await replacer
        return result

    started = time.monotonic()
    try:
        done, failures = asyncio.run(run())
    finally:
        nginx.terminate()
        nginx.wait(10)
    say(
        f"  {users} paced users for {time.monotonic() - started:.0f} s: {done:,} requests, "
        f"{len(failures)} failed; new replica serving after "
        f"{timeline.get('new replica serving', float('nan')):.1f} s, old one drained in "
        f"{timeline.get('old replica drained and gone', float('nan')):.1f} s"
    )
    for failure in failures[:5]:
        say(f"    {failure}")


# --------------------------------------------------------------------------- main


def only_store(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="sightline-mm-bench-"))
    try:
        with postgres_server(args.database_url, work) as server, fresh_database(server) as url:
            settings = Settings(home=work / "home", database_url=url, model_dir=args.model)
            from sightline.db.session import migrate

            migrate(settings)
            say(f"3. The database as the store ({args.uploads:,} uploads):")
            database_as_store(settings, args.uploads, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "cifar10"))
    parser.add_argument("--database-url", default=os.environ.get("SIGHTLINE_TEST_POSTGRES_URL"))
    parser.add_argument("--uploads", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--only-store", action="store_true", help="only part 3 (no replicas, no TensorFlow)"
    )
    args = parser.parse_args()
    if args.only_store:
        only_store(args)
        return
    work = Path(tempfile.mkdtemp(prefix="sightline-mm-bench-"))
    say(
        f"Sightline multi-machine bench ({os.cpu_count()} cores, shared with anything else running)"
    )
    machines: list[Machine] = []
    try:
        with postgres_server(args.database_url, work) as server, fresh_database(server) as url:
            shared = {
                "SIGHTLINE_DATABASE_URL": url,
                "SIGHTLINE_ADMIN_TOKEN": TOKEN,
                "SIGHTLINE_MODEL_DIR": args.model,
                "SIGHTLINE_INFERENCE_THREADS": "1",
            }
            base = free_port_block(3)
            a = Machine("replica-a", work / "a" / "home", shared, port=base)
            b = Machine("replica-b", work / "b" / "home", shared, port=base + 2)
            machines += [a, b]
            say("1. A replica with an empty home, shipped model (default poll 2 s):")
            a.start()
            first = a.wait_healthy(600)
            say(f"  first replica (migrates, stores the shipped model): serving in {first:.1f} s")
            b.start()
            second = b.wait_healthy(600)
            say(f"  second replica, empty home (fetch + warm-up): serving in {second:.1f} s")
            settings = Settings(home=work / "bench-home", database_url=url, model_dir=args.model)
            from sightline.ml.registry import ModelRegistry

            engine_for(url).dispose()
            started = time.monotonic()
            ModelRegistry(settings).path("v1")
            fetched = time.monotonic() - started
            say(f"  the fetch alone (8 MB model + card, verified): {fetched:.2f} s")

            say("2. Promotion and rollback, seen by each replica (target 5 s):")
            version = register_second_version(settings)
            seen = visibility([a, b], version, promote_through=a)
            say(f"  promote {version} through A: A {seen[0]:.2f} s, B {seen[1]:.2f} s")
            seen = visibility([a, b], "v1", promote_through=a)
            say(f"  roll back to v1 through A: A {seen[0]:.2f} s, B {seen[1]:.2f} s")

            say(f"4. Rolling replacement of replica A under {args.users} paced users (nginx):")
            png = io.BytesIO()
            Image.new("RGB", (32, 32), (120, 80, 40)).save(png, "PNG")
            c = Machine("replica-c", work / "c" / "home", shared, port=base + 1)
            machines.append(c)
            rolling_replacement(a, c, free_port_block(1), work, args.users, png.getvalue())

            say(f"3. The database as the store ({args.uploads:,} uploads):")
            database_as_store(settings, args.uploads, work)
    finally:
        for machine in machines:
            machine.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
