"""The admin token: where it comes from, for the API, `sightline migrate` and
`sightline scale up` alike (``api/auth.py`` checks requests against it).

The token comes from SIGHTLINE_ADMIN_TOKEN (an environment variable or a mounted
secret). When that is unset, the first process to start generates one, prints it and
keeps only its hash in the database (table ``admin_tokens``), so every replica, on any
machine, accepts the same token and none stores it in plain text. For `make run` on one
machine the process that generated it also leaves a copy in $SIGHTLINE_HOME/admin_token
(mode 0600) for the user; Sightline never reads that copy back, except once, to carry
over the token of a home that predates the hash (migration 0004).

The reviewer token (issue #32) works the same way: SIGHTLINE_REVIEWER_TOKEN, or
generated, printed, its hash in the second row and a copy in $SIGHTLINE_HOME/reviewer_token.
It labels the review queue and reads kept images; it changes nothing else.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.db import admin_tokens as token_rows
from sightline.db.session import session_scope

TOKEN_FILE = "admin_token"
REVIEWER_TOKEN_FILE = "reviewer_token"


@dataclass(frozen=True)
class AdminToken:
    sha256: str  # what every request's token is checked against
    generated: str | None = None  # the token itself, only where it was just generated


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def resolve_admin_token(settings: Settings) -> AdminToken:
    """The admin token's hash, generating (and recording) a token when there is none.
    The database must be migrated."""
    if settings.admin_token:
        return AdminToken(token_sha256(settings.admin_token))
    with session_scope(settings) as session:
        stored = token_rows.stored_token_sha256(session=session)
    if stored:
        return AdminToken(stored)
    legacy = Path(settings.home) / TOKEN_FILE
    if legacy.exists():  # a home from before migration 0004: keep its token
        return AdminToken(_record(settings, token_sha256(legacy.read_text())))
    return _generate(settings, legacy, token_rows.TOKEN_ROW_ID)


def resolve_reviewer_token(settings: Settings) -> AdminToken:
    """The reviewer token's hash, generating (and recording) one when there is none."""
    if settings.reviewer_token:
        return AdminToken(token_sha256(settings.reviewer_token))
    row_id = token_rows.REVIEWER_TOKEN_ROW_ID
    with session_scope(settings) as session:
        stored = token_rows.stored_token_sha256(session=session, row_id=row_id)
    if stored:
        return AdminToken(stored)
    return _generate(settings, Path(settings.home) / REVIEWER_TOKEN_FILE, row_id)


def _generate(settings: Settings, copy: Path, row_id: int) -> AdminToken:
    token = secrets.token_urlsafe(32)
    recorded = _record(settings, token_sha256(token), row_id)
    if recorded != token_sha256(token):
        return AdminToken(recorded)  # another replica generated one a moment ago
    _leave_copy(copy, token)
    return AdminToken(recorded, generated=token)


def _record(settings: Settings, sha256: str, row_id: int = token_rows.TOKEN_ROW_ID) -> str:
    """Store ``sha256`` unless a hash is stored already; the stored one."""
    try:
        with session_scope(settings) as session:
            token_rows.insert_token_sha256(session=session, token_sha256=sha256, row_id=row_id)
        return sha256
    except IntegrityError:
        with session_scope(settings) as session:
            stored = token_rows.stored_token_sha256(session=session, row_id=row_id)
        assert stored is not None
        return stored


def _leave_copy(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:
        return  # a read-only home: the token was printed, and that is enough
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
