"""Auth: bearer tokens, checked by their sha256 in constant time.

Two tokens: the admin token (everything) and the reviewer token (issue #32: it labels
the review queue and reads kept images, nothing else; on an admin endpoint it gets
403). Where they come from (the environment, or generated once and kept as hashes in
the database) is ``ops/credentials.py``; this module holds the HTTP side.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from sightline.errors import Forbidden, Unauthorized
from sightline.ops.credentials import resolve_admin_token, resolve_reviewer_token, token_sha256

# Re-exported: the app resolves the tokens at start through this module.
__all__ = [
    "require_admin",
    "require_reviewer",
    "resolve_admin_token",
    "resolve_reviewer_token",
    "token_sha256",
]

ADMIN = "admin"
REVIEWER = "reviewer"


def _supplied_sha256(request: Request, needed: str) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, supplied = header.partition(" ")
    if not supplied or scheme.lower() != "bearer":
        raise Unauthorized(
            f"This endpoint needs {needed}: send 'Authorization: Bearer <token>'.",
            code="missing_token",
        )
    return token_sha256(supplied)


def _matches(supplied: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(supplied.encode(), expected.encode())


def require_admin(request: Request) -> None:
    """FastAPI dependency for every endpoint that changes state."""
    supplied = _supplied_sha256(request, "an admin token")
    if _matches(supplied, request.app.state.admin_token_sha256):
        return
    if _matches(supplied, getattr(request.app.state, "reviewer_token_sha256", None)):
        raise Forbidden(
            "The reviewer token labels the review queue only; this endpoint needs the admin token.",
            code="reviewer_not_allowed",
        )
    raise Unauthorized("The admin token is wrong.", code="invalid_token")


def require_reviewer(request: Request) -> str:
    """FastAPI dependency of the review queue: who is deciding ("admin" or "reviewer")."""
    supplied = _supplied_sha256(request, "the reviewer (or admin) token")
    if _matches(supplied, request.app.state.admin_token_sha256):
        return ADMIN
    if _matches(supplied, getattr(request.app.state, "reviewer_token_sha256", None)):
        return REVIEWER
    raise Unauthorized("The reviewer token is wrong.", code="invalid_token")
