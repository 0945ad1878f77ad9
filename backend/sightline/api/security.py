"""HTTP-level defences, as pure ASGI middleware that runs before any route reads a body.

- ``BodyLimit``: a request body larger than its endpoint's limit is refused with 413
  without being read: at once when Content-Length says so, otherwise as soon as the
  streamed bytes pass the limit (chunked uploads, lying headers).
- ``AdminGuard``: admin endpoints are rate limited per client (a token bucket) and a
  request without the right token is answered 401 before its body is read, so an
  anonymous client cannot make the server spool 64 MB uploads it will then refuse.
  An admin endpoint is one whose route depends on ``require_admin`` (``AdminDep`` in
  api/deps.py): the guard finds them among the app's routes, so admin access is
  declared once, on the route, and the route's dependency checks the token too.
- ``SecurityHeaders``: nosniff, no framing, no referrer, and a CSP that lets the
  JSON API load nothing (the /docs pages keep what they need).

``with_private_tempdir`` runs the app with its temporary files (Starlette spools
uploads over 1 MB to disk) in ``$SIGHTLINE_HOME/tmp`` (``ops/tempdir.py``), so nothing
is written elsewhere.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sightline.api.auth import require_admin
from sightline.config import Settings
from sightline.errors import Forbidden, Unauthorized
from sightline.ops.tempdir import private_tempdir

# Endpoints that take one image: the file limit plus room for the multipart framing.
SINGLE_FILE_PATHS = frozenset({"/api/predict", "/api/explain"})
# Endpoints that take many files (or a zip): the whole-request limit.
MULTI_FILE_PATHS = frozenset(
    {"/api/predict/batch", "/api/upload-training-data", "/api/training-data"}
)
# /api/classifiers/<name>/predict is /api/predict for one classifier: the same limits.
SCOPED_PATH = re.compile(r"^/api/classifiers/[^/]+(?=/)")
MULTIPART_OVERHEAD = 64 * 1024
# Everything else takes at most a small JSON body ({"epochs": 3}).
OTHER_BODY_LIMIT = 64 * 1024

# Clients remembered by the rate limiter; the least recently seen are forgotten first,
# so a flood of source addresses cannot grow memory without bound.
MAX_TRACKED_CLIENTS = 10_000


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[Any]:
    """The route of every API operation, in included routers too. Recent FastAPI keeps
    an included router as one entry of ``app.routes``; ``iter_route_contexts`` walks
    into it and gives each operation's route as the app serves it (prefix included)."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in iterate(routes) if iterate else routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def requires_admin(route: Any) -> bool:
    """Whether an API route depends on ``require_admin``, directly or through another
    dependency: what makes an endpoint an admin endpoint."""
    original = getattr(route, "original_route", route)
    return isinstance(original, APIRoute) and _depends_on_admin(original.dependant)


def _depends_on_admin(dependant: Dependant) -> bool:
    return any(
        dependency.call is require_admin or _depends_on_admin(dependency)
        for dependency in dependant.dependencies
    )


@dataclass(frozen=True)
class AdminEndpoint:
    methods: frozenset[str]
    path_regex: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.path_regex.match(path) is not None


def admin_endpoints(routes: Sequence[BaseRoute]) -> list[AdminEndpoint]:
    return [
        AdminEndpoint(frozenset(route.methods), route.path_regex)
        for route in api_routes(routes)
        if requires_admin(route)
    ]


def body_limit_for(settings: Settings, path: str) -> int:
    path = SCOPED_PATH.sub("/api", path, count=1)
    if path in SINGLE_FILE_PATHS:
        return settings.max_upload_bytes + MULTIPART_OVERHEAD
    if path in MULTI_FILE_PATHS:
        return settings.max_request_bytes
    return OTHER_BODY_LIMIT


class RequestTooLarge(StarletteHTTPException):
    """Raised from ``receive``: FastAPI re-raises HTTPExceptions met while reading a
    body (anything else it would turn into a 400), so the JSON handler answers it."""

    code = "request_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"The request body is larger than the limit of {limit} bytes for this endpoint."
        )


async def _send_error(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
) -> None:
    response = JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)
    await response(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(self.settings, scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_error(
                scope, receive, send, 413, RequestTooLarge(limit).detail, RequestTooLarge.code
            )
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except RequestTooLarge as exc:
            # Raised where no exception handler saw it (outside a FastAPI route).
            if started:
                raise
            await _send_error(scope, receive, send, 413, exc.detail, exc.code)


class TokenBucket:
    """``per_minute`` requests per key, in bursts of up to ``per_minute``.

    In-process: each replica counts on its own (documented in docs/security.md).
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when a request may go ahead (and it is counted), else seconds to wait."""
        if self.capacity <= 0:
            return 0.0  # a limit of 0 turns rate limiting off
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        return wait


class AdminGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.bucket = TokenBucket(settings.admin_rate_limit_per_minute)
        self._endpoints: list[AdminEndpoint] | None = None

    def is_admin_request(self, scope: Scope) -> bool:
        # Found once, on the first request: the app's routes are all added by then.
        # Starlette puts the application in the scope before any middleware runs.
        if self._endpoints is None:
            self._endpoints = admin_endpoints(scope["app"].routes)
        method, path = scope["method"], scope["path"]
        return any(endpoint.matches(method, path) for endpoint in self._endpoints)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_admin_request(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.bucket.take(client[0] if client else "unknown")
        if wait > 0:
            retry = str(max(1, round(wait)))
            await _send_error(
                scope,
                receive,
                send,
                429,
                f"Too many admin requests from this client; try again in {retry} s.",
                "rate_limited",
                {"Retry-After": retry},
            )
            return
        try:
            require_admin(Request(scope))  # headers only: the body is not touched
        except (Unauthorized, Forbidden) as exc:  # Forbidden: the reviewer token
            await _send_error(scope, receive, send, exc.status_code, exc.detail, exc.code)
            return
        await self.app(scope, receive, send)


# The API answers JSON only: a browser that opens a response directly may run nothing
# and frame nothing. /docs and /redoc load Swagger UI / ReDoc from their CDN.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")
BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(BASE_HEADERS)
        if not scope["path"].startswith(DOCS_PATHS):
            extra.append((b"content-security-policy", API_CSP.encode()))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middleware. Call before adding CORS, so CORS wraps these and their early
    401/413/429 answers carry the CORS headers the dashboard needs to read them."""
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(AdminGuard, settings=settings)
    app.add_middleware(SecurityHeaders)


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def with_private_tempdir(home: Path, lifespan: Lifespan) -> Lifespan:
    """``lifespan``, run with ``private_tempdir(home)`` around it."""

    @asynccontextmanager
    async def wrapped(app: FastAPI) -> AsyncIterator[None]:
        with private_tempdir(home):
            async with lifespan(app):
                yield

    return wrapped


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # h11/httptools refuse these before we see them
    return None
