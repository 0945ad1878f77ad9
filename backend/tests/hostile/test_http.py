"""HTTP-level defences (api/security.py): body limits before the body is read, the admin
guard and its rate limit, security headers, CORS, the private temp folder, and the
admin token kept out of every log line."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sightline.api.auth import require_reviewer, token_sha256
from sightline.api.main import create_app
from sightline.api.security import (
    MAX_TRACKED_CLIENTS,
    AdminGuard,
    BodyLimit,
    TokenBucket,
    api_routes,
    requires_admin,
)
from sightline.config import Settings, get_settings
from sightline.monitoring.logging import JsonFormatter
from tests.factories import ADMIN_TOKEN, image_bytes


def run_asgi(app: Any, scope: dict[str, Any], body_chunks: list[bytes]) -> tuple[int, Any, int]:
    """Drive an ASGI app by hand: (status, JSON body, chunks the app read)."""
    chunks = list(body_chunks)
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        body = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(body), read


def http_scope(path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.7", 5000),
    }


def test_declared_oversize_is_refused_without_reading_the_body(settings: Settings) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be called")

    limit = settings.max_upload_bytes + 64 * 1024
    scope = http_scope("/api/predict", {"content-length": str(limit + 1)})
    status, body, read = run_asgi(BodyLimit(app, settings), scope, [b"x"])
    assert (status, body["code"], read) == (413, "request_too_large", 0)
    assert str(limit) in body["detail"]


def test_streamed_bytes_are_counted(settings: Settings) -> None:
    """No Content-Length (chunked): refused once the bytes read pass the limit."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        raise AssertionError("read past the limit")

    chunks = [bytes(1 << 20)] * 100
    status, body, read = run_asgi(BodyLimit(app, settings), http_scope("/api/retrain", {}), chunks)
    assert (status, body["code"], read) == (413, "request_too_large", 1)  # 64 kB JSON limit


def test_over_limit_upload_through_the_app_is_json_413(client: TestClient) -> None:
    response = client.post(
        "/api/predict", files={"file": ("a.png", bytes(11 * 1024 * 1024), "image/png")}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert re.search(r"\d{8}", response.json()["detail"])  # the limit, in bytes


# Endpoints that take a body but change nothing: they classify, and record the answer.
# Feedback only queues an answer for review (rate limited per client).
# Per-model routes exist under /api (the default classifier) and under each classifier.
MOUNTS = ("/api", "/api/classifiers/{classifier}")
PUBLIC_POSTS = {
    f"{mount}{path}"
    for mount in MOUNTS
    for path in ("/predict", "/predict/batch", "/explain", "/predictions/{prediction_id}/feedback")
}
# Reads that change nothing but hand out a whole model: the admin's alone.
ADMIN_READS = {("GET", f"{mount}/models/{{version}}/export") for mount in MOUNTS}


def operations(client: TestClient) -> list[tuple[str, str, Any]]:
    """(method, concrete path, route) for every operation of the app."""
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        concrete = re.sub(r"\{version\}", "v1", re.sub(r"\{[^}]+\}", "x", route.path))
        found.extend((method, concrete, route) for method in sorted(route.methods))
    assert len(found) >= 15  # the walk reaches into the included routers
    return found


def unscoped(path: str) -> str:
    """A per-classifier route's unscoped twin: /api/classifiers/{classifier}/predict is
    /api/predict for one classifier, with the same access rules."""
    return re.sub(r"^/api/classifiers/\{classifier\}(?=/)", "/api", path)


def requires_reviewer(route: Any) -> bool:
    """Whether a route takes the reviewer token (the review queue, issue #32)."""

    def depends(dependant: Any) -> bool:
        return any(d.call is require_reviewer or depends(d) for d in dependant.dependencies)

    return depends(getattr(route, "original_route", route).dependant)


def requires_token(route: Any) -> bool:
    return requires_admin(route) or requires_reviewer(route)


def test_every_route_that_changes_state_depends_on_the_admin_token(client: TestClient) -> None:
    """...or, for the review queue's decisions, on the reviewer token (which the admin
    token passes as well)."""
    changing = [
        (method, route.path)
        for method, _, route in operations(client)
        if (
            method in {"POST", "PUT", "PATCH", "DELETE"}
            and unscoped(route.path) not in PUBLIC_POSTS
        )
        or (method, unscoped(route.path)) in ADMIN_READS
    ]
    admin = [
        (method, route.path)
        for method, _, route in operations(client)
        if requires_admin(route) or (method == "POST" and requires_reviewer(route))
    ]
    assert changing == admin
    assert ("POST", "/api/retrain") in admin and len(admin) >= 4
    assert ("POST", "/api/classifiers/{classifier}/retrain") in admin
    assert ("POST", "/api/classifiers") in admin and (
        "DELETE",
        "/api/classifiers/{classifier}",
    ) in admin


def test_admin_routes_refuse_calls_without_the_right_token(client: TestClient) -> None:
    """Each operation is called without a token (and without a body): exactly the
    routes with the dependency answer 401, and a wrong token is refused as well."""
    for method, concrete, route in operations(client):
        response = client.request(method, concrete)
        assert (response.status_code == 401) == requires_token(route), (method, route.path)
        if requires_token(route):
            assert response.json()["code"] == "missing_token"
            wrong = client.request(method, concrete, headers={"Authorization": "Bearer guess"})
            assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_token")


def test_admin_guard_answers_401_before_the_body(settings: Settings) -> None:
    """An anonymous 60 MB upload is refused at once, not spooled to disk first."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be called")

    headers = {"content-length": str(60 << 20), "authorization": "Bearer guess"}
    scope = http_scope("/api/upload-training-data", headers)
    scope["app"] = create_app(settings)  # its routes say which are admin routes
    scope["app"].state.admin_token_sha256 = token_sha256(ADMIN_TOKEN)
    status, body, read = run_asgi(AdminGuard(app, settings), scope, [b"x"])
    assert (status, body["code"], read) == (401, "invalid_token", 0)


def test_admin_endpoints_are_rate_limited_per_client(
    settings: Settings, admin: dict[str, str]
) -> None:
    limited = settings.model_copy(update={"admin_rate_limit_per_minute": 3})
    get_settings.cache_clear()
    with TestClient(create_app(limited)) as client:
        answers = [client.delete("/api/retrain/nope", headers=admin) for _ in range(4)]
        assert [r.status_code for r in answers] == [404, 404, 404, 429]
        assert answers[-1].json()["code"] == "rate_limited"
        assert int(answers[-1].headers["retry-after"]) >= 1
        # Wrong tokens count too, so guessing is throttled as well.
        assert client.delete("/api/retrain/nope").status_code == 429
        # Public endpoints are not limited.
        assert all(client.get("/api/retrain/nope").status_code == 404 for _ in range(5))


def test_token_bucket_refills_and_forgets_old_clients() -> None:
    now = [0.0]
    bucket = TokenBucket(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(bucket.take("a") == 0 for _ in range(60))
    assert bucket.take("a") == pytest.approx(1.0)
    assert bucket.take("b") == 0  # per client
    now[0] += 2.0
    assert bucket.take("a") == 0
    for i in range(MAX_TRACKED_CLIENTS + 10):
        bucket.take(f"client-{i}")
    assert len(bucket._buckets) == MAX_TRACKED_CLIENTS
    assert TokenBucket(0).take("anyone") == 0  # 0 turns it off


def test_security_headers(client: TestClient) -> None:
    for path in ("/health", "/api/predictions", "/nowhere"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in headers["content-security-policy"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers


def test_cors_allows_only_the_configured_origins(settings: Settings) -> None:
    configured = settings.model_copy(update={"cors_origins": ["https://dash.example.org"]})
    get_settings.cache_clear()
    with TestClient(create_app(configured)) as client:
        preflight = {"access-control-request-method": "POST"}
        good = client.options(
            "/api/predict", headers={"origin": "https://dash.example.org", **preflight}
        )
        assert good.status_code == 200
        assert good.headers["access-control-allow-origin"] == "https://dash.example.org"
        for origin in ("http://localhost:3000", "https://evil.example", "null"):
            bad = client.options("/api/predict", headers={"origin": origin, **preflight})
            assert bad.status_code == 400
            assert "access-control-allow-origin" not in bad.headers
            simple = client.get("/health", headers={"origin": origin})
            assert "access-control-allow-origin" not in simple.headers
        # Early answers of the guards carry CORS headers, so the dashboard can read them.
        early = client.post("/api/retrain", headers={"origin": "https://dash.example.org"})
        assert early.status_code == 401
        assert early.headers["access-control-allow-origin"] == "https://dash.example.org"


def test_temporary_files_go_under_home(settings: Settings) -> None:
    before = tempfile.gettempdir()
    get_settings.cache_clear()
    with TestClient(create_app(settings)) as client:
        assert Path(tempfile.gettempdir()) == settings.home / "tmp"
        # Over 1 MB: Starlette spools it to a temporary file (in home/tmp, unlinked).
        big = image_bytes() + bytes(2 << 20)
        assert client.post("/api/predict", files={"file": ("a.png", big)}).status_code in (
            200,
            415,
        )
    assert tempfile.gettempdir() == before


def test_admin_token_is_never_logged(
    client: TestClient, admin: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/api/retrain", headers=admin)
    client.post("/api/retrain", headers={"Authorization": "Bearer wrong-" + ADMIN_TOKEN})
    client.post("/api/models/v1/promote", headers=admin)
    client.post(
        "/api/upload-training-data",
        params={"class_name": "circle"},
        files={"files": ("a.png", image_bytes())},
        headers=admin,
    )
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines, "the requests were logged"
    assert not [line for line in lines if ADMIN_TOKEN in line]
