"""The compose stack under load, one API container killed: `make compose-load` or

    .venv/bin/python bench/compose_bench.py --port 8080 --users 100 --time 60

The stack must be up (`make compose-up N=3 PORT=8080`; podman, or Docker with
ENGINE=docker). The same Locust load as `make scale-bench` (locustfile.py,
``PredictionClient``, one request per second per user) goes through the stack's nginx
container; at a third of the run one API container is killed (``podman kill``,
SIGKILL). Then: failed requests, requests nginx replayed on another replica (from its
access log), and the history rows in Postgres (``psql`` inside its container) against
the predictions Locust saw answered. Results in ``bench/results/compose-<time>/``.

``--smoke`` (CI, `make compose-smoke`): 20 predictions through nginx, one replica
killed, 20 more; every one must be answered and have its history row. Exit status 1
when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from common import REPO, locust_command, locust_env, locust_totals

PROJECT = "sightline"
ENGINE = os.environ.get("ENGINE", "podman")


def engine(*args: str) -> str:
    return subprocess.run(
        [ENGINE, *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def containers(service: str) -> list[str]:
    names = engine(
        "ps",
        "--filter",
        f"label=com.docker.compose.project={PROJECT}",
        "--filter",
        f"label=com.docker.compose.service={service}",
        "--format",
        "{{.Names}}",
    )
    return sorted(names.split())


def history_rows() -> int:
    postgres = containers("postgres")[0]
    count = engine(
        "exec",
        postgres,
        "psql",
        "-U",
        "sightline",
        "-d",
        "sightline",
        "-tAc",
        "SELECT count(*) FROM predictions",
    )
    return int(count)


def nginx_replays(since: float) -> dict[str, int]:
    """From nginx's access log (its container's stdout) after ``since``: predictions
    answered 200, and those tried on more than one replica."""
    nginx = containers("nginx")[0]
    log = subprocess.run([ENGINE, "logs", nginx], check=True, capture_output=True, text=True).stdout
    line = re.compile(r'^(\d+\.\d+) (\d+) POST "/api/predict" "([^"]*)" "([^"]*)"')
    answered = replayed = 0
    for match in map(line.match, log.splitlines()):
        if match is None or float(match.group(1)) < since:
            continue
        if match.group(2) == "200":
            answered += 1
            replayed += "," in match.group(3)
    return {"answered": answered, "replayed": replayed}


def kill(victim: str) -> float:
    at = time.time()
    engine("kill", victim)
    print(f"killed {victim} at {time.strftime('%H:%M:%S')}", flush=True)
    return at


def image_body() -> tuple[bytes, str]:
    """One test image as a multipart body (a PNG from the repository)."""
    png = (REPO / "frontend" / "public").glob("*.png")
    path = next(png, None) or REPO / "notebook" / "figures" / "evaluation.png"
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def predict(url: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(
        f"{url}/api/predict", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            ok = b'"prediction"' in response.read()
            return response.status if ok else 0
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def smoke(url: str, count: int) -> int:
    body, content_type = image_body()
    replicas = containers("api")
    print(f"{len(replicas)} API replicas: {' '.join(replicas)}")
    before = history_rows()
    statuses = [predict(url, body, content_type) for _ in range(count)]
    kill(replicas[-1])
    statuses += [predict(url, body, content_type) for _ in range(count)]
    time.sleep(1)
    rows = history_rows() - before
    answered = statuses.count(200)
    print(f"predictions: {len(statuses)}, answered 200: {answered}, history rows: {rows}")
    web = urllib.request.urlopen(f"{url}/", timeout=10).status
    print(f"dashboard through nginx: {web}")
    ok = answered == len(statuses) and rows == answered and web == 200
    print("smoke test:", "passed" if ok else f"FAILED (statuses {statuses})")
    return 0 if ok else 1


def load(url: str, args: argparse.Namespace) -> int:
    out = REPO / "bench" / "results" / f"compose-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True)
    prefix = out / "load"
    replicas = containers("api")
    print(f"{len(replicas)} API replicas: {' '.join(replicas)}; results in {out}", flush=True)
    before = history_rows()
    started = time.time()
    command = locust_command(
        url, args.users, args.time, prefix, pacing=args.pacing, stop_timeout=60
    )
    killed_at = None
    with open(f"{prefix}_locust.log", "w") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=locust_env(prefix), stdout=subprocess.DEVNULL, stderr=log
        )
        if args.kill:
            time.sleep(args.time / 3)
            killed_at = kill(replicas[-1]) - started
        process.wait()
    time.sleep(1)
    totals = locust_totals(prefix)
    rows = history_rows() - before
    nginx = nginx_replays(started)
    restarted = replicas[-1] in containers("api")
    summary = {
        "replicas": len(replicas),
        "users": args.users,
        "seconds": args.time,
        "killed": replicas[-1] if args.kill else None,
        "killed_at_s": round(killed_at, 1) if killed_at is not None else None,
        "killed_replica_running_again": restarted,
        "requests": totals.requests,
        "failures": totals.failures,
        "rps": totals.rps,
        "p50_ms": totals.p50,
        "p95_ms": totals.p95,
        "p99_ms": totals.p99,
        "answered_locust": totals.answered,
        "answered_nginx": nginx["answered"],
        "replayed_nginx": nginx["replayed"],
        "history_rows": rows,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    ok = totals.failures == 0 and rows == totals.answered
    print("load test:", "passed" if ok else "FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on this host")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--time", type=int, default=60, help="seconds")
    parser.add_argument("--pacing", type=float, default=1.0)
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="the CI check, no Locust")
    parser.add_argument("--count", type=int, default=20, help="--smoke: before and after")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    sys.exit(smoke(url, args.count) if args.smoke else load(url, args))


if __name__ == "__main__":
    main()
