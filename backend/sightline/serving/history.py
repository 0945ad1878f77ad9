"""Writes prediction history to the database."""

from __future__ import annotations

from sightline.config import Settings
from sightline.db.models import Prediction as PredictionRow
from sightline.db.session import session_scope


class HistoryWriter:
    """Inserts prediction rows; every answered prediction has its row."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def write(self, rows: list[PredictionRow]) -> None:
        if not rows:
            return
        with session_scope(self.settings) as session:
            session.add_all(rows)
