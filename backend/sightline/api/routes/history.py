"""``/api/predictions``: the prediction history, a keyset page at a time."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from fastapi import APIRouter, Query

from sightline.api.deps import ClassifierDep, SessionDep
from sightline.api.schemas import PredictionPageOut, PredictionSummaryOut, error_responses
from sightline.db.predictions import Cursor, count_predictions, list_predictions
from sightline.errors import InvalidField

router = APIRouter(tags=["prediction"])

# Skipping rows costs what is skipped: deeper than this, pages go by cursor.
MAX_OFFSET = 10_000


@router.get("/predictions", response_model=PredictionPageOut, responses=error_responses(422))
def predictions(
    session: SessionDep,
    classifier: ClassifierDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(
        0, ge=0, le=MAX_OFFSET, description="Rows to skip (first pages); deeper, use cursor."
    ),
    cursor: str | None = Query(
        None, max_length=200, description="A page's next_cursor: the rows after that page."
    ),
) -> PredictionPageOut:
    """The prediction history, newest first, a keyset page at a time: follow
    ``next_cursor`` and a page deep in the history costs what the first one does.
    ``total`` is a maintained counter, not a count of the table."""
    after = decode_cursor(cursor) if cursor else None
    entries = list_predictions(
        session=session,
        classifier=classifier,
        limit=limit,
        offset=0 if after else offset,
        after=after,
    )
    items = [PredictionSummaryOut.model_validate(e, from_attributes=True) for e in entries]
    total = count_predictions(session=session, classifier=classifier)
    next_cursor = encode_cursor(items[-1]) if len(items) == limit else None
    return PredictionPageOut(
        items=items, total=total, limit=limit, offset=offset, next_cursor=next_cursor
    )


def encode_cursor(last: PredictionSummaryOut) -> str:
    """Opaque to clients: the (created_at, id) of a page's last row."""
    text = f"{last.created_at.isoformat()}|{last.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, row_id = text.split("|", 1)
        moment = datetime.fromisoformat(created)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidField(
            "cursor: not a cursor this API gave out (use a page's next_cursor).",
            code="invalid_cursor",
        ) from None
    if moment.tzinfo is None:
        raise InvalidField("cursor: not a cursor this API gave out.", code="invalid_cursor")
    return moment, row_id
