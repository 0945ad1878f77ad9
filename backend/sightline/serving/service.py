"""Prediction as a service the API calls: bytes in, a recorded prediction out."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sightline.config import Settings
from sightline.data.preprocessing import image_to_input
from sightline.db.models import Prediction as PredictionRow
from sightline.serving.history import HistoryWriter
from sightline.serving.holder import ModelHolder
from sightline.serving.predictor import Predictor


@dataclass
class PredictionResult:
    id: str
    prediction: str
    confidence: float
    probabilities: dict[str, float]
    top_k: list[dict[str, Any]]
    uncertain: bool
    model_version: str
    time_ms: float
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prediction": self.prediction,
            "confidence": self.confidence,
            "probabilities": self.probabilities,
            "top_k": self.top_k,
            "uncertain": self.uncertain,
            "model_version": self.model_version,
            "time_ms": self.time_ms,
            "created_at": self.created_at.isoformat(),
        }


class PredictionService:
    def __init__(self, settings: Settings, holder: ModelHolder, history: HistoryWriter) -> None:
        self.settings = settings
        self.holder = holder
        self.history = history

    def decode(self, data: bytes, predictor: Predictor) -> np.ndarray:
        return image_to_input(
            data, predictor.input_size,
            max_pixels=self.settings.max_image_pixels, max_frames=self.settings.max_frames,
        )

    async def predict(
        self, data: bytes, filename: str | None, endpoint: str = "predict"
    ) -> PredictionResult:
        """Decode, classify and record one image; raises domain errors on bad input."""
        start = time.perf_counter()
        predictor = self.holder.predictor  # one version for the whole request
        image = await asyncio.to_thread(self.decode, data, predictor)
        probabilities = await self.infer(predictor, image)
        result = self._result(predictor, probabilities, start)
        await asyncio.to_thread(self.history.write, [self._row(result, data, filename, endpoint)])
        return result

    async def infer(self, predictor: Predictor, image: np.ndarray) -> np.ndarray:
        probabilities = await asyncio.to_thread(predictor.predict_arrays, image[None])
        return probabilities[0]

    def _result(
        self, predictor: Predictor, probabilities: np.ndarray, start: float
    ) -> PredictionResult:
        described = predictor.describe(probabilities)
        return PredictionResult(
            id=uuid.uuid4().hex,
            prediction=described.label,
            confidence=described.confidence,
            probabilities=described.probabilities,
            top_k=described.top_k,
            uncertain=described.uncertain,
            model_version=predictor.version,
            time_ms=round((time.perf_counter() - start) * 1000, 3),
            created_at=datetime.now(UTC),
        )

    @staticmethod
    def _row(
        result: PredictionResult, data: bytes, filename: str | None, endpoint: str
    ) -> PredictionRow:
        return PredictionRow(
            id=result.id,
            created_at=result.created_at,
            prediction=result.prediction,
            class_index=int(np.argmax(list(result.probabilities.values()))),
            confidence=result.confidence,
            uncertain=result.uncertain,
            model_version=result.model_version,
            time_ms=result.time_ms,
            image_sha256=hashlib.sha256(data).hexdigest(),
            filename=(filename or "")[:255] or None,
            endpoint=endpoint,
            probabilities=[round(p, 6) for p in result.probabilities.values()],
        )
