"""SQL for the generated tokens' hashes (table ``admin_tokens``): the admin token's
row and the reviewer token's (issue #32), one row each."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sightline.db.models import AdminTokenRow

TOKEN_ROW_ID = 1
REVIEWER_TOKEN_ROW_ID = 2


def stored_token_sha256(*, session: Session, row_id: int = TOKEN_ROW_ID) -> str | None:
    row = session.get(AdminTokenRow, row_id)
    return row.token_sha256 if row else None


def insert_token_sha256(*, session: Session, token_sha256: str, row_id: int = TOKEN_ROW_ID) -> None:
    """Record the hash; a second replica doing so at the same time gets IntegrityError
    at commit (one primary key), and takes the stored one instead."""
    session.add(AdminTokenRow(id=row_id, token_sha256=token_sha256))
