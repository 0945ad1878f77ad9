"""Queries the API needs, in one place."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sightline.db.models import PredictionRow, TrainingUploadRow


def list_predictions(session: Session, limit: int, offset: int) -> list[PredictionRow]:
    query = (
        select(PredictionRow)
        .order_by(PredictionRow.created_at.desc(), PredictionRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query).all())


def count_predictions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PredictionRow)) or 0


def upload_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(TrainingUploadRow.class_name, func.count()).group_by(TrainingUploadRow.class_name)
    ).all()
    return {name: int(n) for name, n in rows}
