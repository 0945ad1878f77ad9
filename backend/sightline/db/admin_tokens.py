"""SQL for the generated admin token's hash (table ``admin_tokens``, one row)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sightline.db.models import AdminTokenRow

TOKEN_ROW_ID = 1


def stored_token_sha256(*, session: Session) -> str | None:
    row = session.get(AdminTokenRow, TOKEN_ROW_ID)
    return row.token_sha256 if row else None


def insert_token_sha256(*, session: Session, token_sha256: str) -> None:
    """Record the hash; a second replica doing so at the same time gets IntegrityError
    at commit (one primary key), and takes the stored one instead."""
    session.add(AdminTokenRow(id=TOKEN_ROW_ID, token_sha256=token_sha256))
