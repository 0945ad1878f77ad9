"""Admin auth: a bearer token, checked by its sha256 in constant time.

Where the token comes from (the environment, or generated once and kept as a hash in
the database) is ``ops/credentials.py``; this module holds the HTTP side.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from sightline.errors import Unauthorized
from sightline.ops.credentials import resolve_admin_token, token_sha256

# Re-exported: the app resolves the token at start through this module.
__all__ = ["require_admin", "resolve_admin_token", "token_sha256"]


def require_admin(request: Request) -> None:
    """FastAPI dependency for every endpoint that changes state."""
    expected: str = request.app.state.admin_token_sha256
    header = request.headers.get("authorization", "")
    scheme, _, supplied = header.partition(" ")
    if not supplied or scheme.lower() != "bearer":
        raise Unauthorized(
            "This endpoint needs an admin token: send 'Authorization: Bearer <token>'.",
            code="missing_token",
        )
    if not hmac.compare_digest(token_sha256(supplied).encode(), expected.encode()):
        raise Unauthorized("The admin token is wrong.", code="invalid_token")
