"""Admin auth: a bearer token compared in constant time.

When SIGHTLINE_ADMIN_TOKEN is unset, a token is generated once, kept in
$SIGHTLINE_HOME/admin_token (mode 0600) and printed at start-up.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request

from sightline.config import Settings
from sightline.errors import Unauthorized

TOKEN_FILE = "admin_token"


def resolve_admin_token(settings: Settings) -> tuple[str, bool]:
    """The admin token, and whether it was generated just now."""
    if settings.admin_token:
        return settings.admin_token, False
    path = Path(settings.home) / TOKEN_FILE
    if path.exists():
        return path.read_text().strip(), False
    token = secrets.token_urlsafe(32)
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another replica made it a moment ago
        return path.read_text().strip(), False
    try:
        os.write(fd, token.encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return token, True


def require_admin(request: Request) -> None:
    """FastAPI dependency for every endpoint that changes state."""
    expected: str = request.app.state.admin_token
    header = request.headers.get("authorization", "")
    scheme, _, supplied = header.partition(" ")
    if not supplied or scheme.lower() != "bearer":
        raise Unauthorized(
            "This endpoint needs an admin token: send 'Authorization: Bearer <token>'.",
            code="missing_token",
        )
    if not hmac.compare_digest(supplied.strip().encode(), expected.encode()):
        raise Unauthorized("The admin token is wrong.", code="invalid_token")
