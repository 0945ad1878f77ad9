"""Request ids, timing, Prometheus counters and request events, as ASGI middleware
(no per-request task or body buffering, unlike BaseHTTPMiddleware). Request events go
to the one background writer (serving/recorder.py), best effort: nobody waits."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sightline.db.models import RequestEventRow, utcnow
from sightline.ids import new_id
from sightline.monitoring.logging import request_id
from sightline.monitoring.prometheus import metrics
from sightline.serving.recorder import Recorder

log = logging.getLogger("sightline.access")
NOT_RECORDED = ("/metrics", "/health")  # scrapes and probes would drown the history


class RequestMonitor:
    def __init__(self, app: ASGIApp, recorder: Recorder | None = None) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or new_id()
        token = request_id.set(rid)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, status, time.perf_counter() - start)
            request_id.reset(token)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route_template(scope)
        method = scope.get("method", "")
        m = metrics()
        m.requests.labels(method, route, str(status)).inc()
        m.latency.labels(route).observe(seconds)
        log.info(
            "request",
            extra={
                "method": method,
                "route": route,
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
        if self.recorder and route not in NOT_RECORDED and method != "OPTIONS":
            self.recorder.record_event(
                RequestEventRow(
                    classifier=_classifier(scope) or self.recorder.settings.default_classifier,
                    created_at=utcnow(),
                    method=method[:8],
                    route=route[:128],
                    status_code=status,
                    duration_ms=round(seconds * 1000, 3),
                )
            )


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")[:64]
            return "".join(ch for ch in text if ch.isalnum() or ch in "-_") or None
    return None


def _classifier(scope: Scope) -> str | None:
    """The classifier the route served, once api/deps.py found it (never a name the
    client made up: that would be a label per request)."""
    state = scope.get("state") or {}
    name = state.get("classifier")
    return name if isinstance(name, str) else None


def _route_template(scope: Scope) -> str:
    """The matched route's template (/api/retrain/{job_id}), never the raw path, so
    metrics have few labels and no user input."""
    # Recent FastAPI serves an included router's route as its own (/predict); the
    # effective route context has the template with the include's prefix.
    context: Any = (scope.get("fastapi") or {}).get("effective_route_context")
    route: Any = context if context is not None else scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
