"""Prediction as a service the API calls: bytes in, a recorded prediction out."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sightline.config import Settings
from sightline.data.names import display_name
from sightline.data.preprocessing import decode_image, image_to_input, resize_for_model
from sightline.db.models import PredictionRow
from sightline.ids import new_id
from sightline.ml.explain import heatmap_png_base64
from sightline.monitoring.prometheus import metrics
from sightline.serving.batching import MicroBatcher
from sightline.serving.holder import ModelHolder
from sightline.serving.predictor import Prediction, Predictor
from sightline.serving.recorder import HistoryWriter


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
    """Decode in a thread pool (in parallel), classify in shared micro-batches, answer,
    and queue the history row for the background writer: the database is never on the
    request's path, yet every answer has its row (see history.py)."""

    def __init__(
        self,
        settings: Settings,
        holder: ModelHolder,
        history: HistoryWriter,
        batcher: MicroBatcher | None = None,
    ) -> None:
        self.settings = settings
        self.holder = holder
        self.history = history
        self.batcher = batcher or MicroBatcher.from_settings(settings)

    async def start(self) -> None:
        """Start the batcher on this event loop and the history writer's thread."""
        self.batcher.start()
        await asyncio.to_thread(self.history.start)

    async def stop(self) -> None:
        """Answer what is waiting, then write every queued history row."""
        await self.batcher.stop()
        await asyncio.to_thread(self.history.stop)

    def decode(self, data: bytes, predictor: Predictor) -> np.ndarray:
        return image_to_input(
            data,
            predictor.input_size,
            max_pixels=self.settings.max_image_pixels,
            max_frames=self.settings.max_frames,
        )

    def _decode_and_hash(self, data: bytes, predictor: Predictor) -> tuple[np.ndarray, str]:
        # Hashing a large upload takes milliseconds: keep it off the event loop too.
        return self.decode(data, predictor), hashlib.sha256(data).hexdigest()

    async def predict(
        self, data: bytes, filename: str | None, endpoint: str = "predict"
    ) -> PredictionResult:
        """Decode, classify and record one image; raises domain errors on bad input."""
        start = time.perf_counter()
        self.history.check_accepting()  # never answer what could not be recorded
        predictor = self.holder.predictor  # one version for the whole request
        with self.batcher.incoming():
            image, sha256 = await asyncio.to_thread(self._decode_and_hash, data, predictor)
        probabilities = await self.infer(predictor, image)
        described = predictor.describe(probabilities)
        result = self._result(predictor, described, start)
        self.history.write([self._row(result, described, sha256, filename, endpoint)])
        metrics().predictions.labels(result.prediction, result.model_version).inc()
        return result

    async def explain(self, data: bytes, filename: str | None) -> tuple[PredictionResult, str]:
        """A recorded prediction plus its Grad-CAM heat map at the upload's size."""
        predictor = self.holder.predictor
        result = await self.predict(data, filename, endpoint="explain")
        class_index = predictor.class_names.index(result.prediction)
        heatmap = await asyncio.to_thread(self._heatmap, data, predictor, class_index)
        return result, heatmap

    def _heatmap(self, data: bytes, predictor: Predictor, class_index: int) -> str:
        image = decode_image(
            data, max_pixels=self.settings.max_image_pixels, max_frames=self.settings.max_frames
        )
        cam = predictor.gradcam().heatmap(
            resize_for_model(image, predictor.input_size), class_index
        )
        return heatmap_png_base64(cam, fit_within(image.size, self.settings.max_heatmap_pixels))

    async def infer(self, predictor: Predictor, image: np.ndarray) -> np.ndarray:
        return await self.batcher.predict(predictor, image)

    @staticmethod
    def _result(predictor: Predictor, described: Prediction, start: float) -> PredictionResult:
        return PredictionResult(
            id=new_id(),
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
        result: PredictionResult,
        described: Prediction,
        sha256: str,
        filename: str | None,
        endpoint: str,
    ) -> PredictionRow:
        return PredictionRow(
            id=result.id,
            created_at=result.created_at,
            prediction=result.prediction,
            class_index=described.class_index,
            confidence=result.confidence,
            uncertain=result.uncertain,
            model_version=result.model_version,
            time_ms=result.time_ms,
            image_sha256=sha256,
            filename=display_name(filename),
            endpoint=endpoint,
            probabilities=[round(p, 6) for p in result.probabilities.values()],
        )


def fit_within(size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    """``size`` (width, height), scaled down to at most ``max_pixels``, same aspect."""
    width, height = size
    if width * height <= max_pixels:
        return size
    scale = (max_pixels / (width * height)) ** 0.5
    # A side scaled below one pixel stays one pixel; the other then takes the rest.
    new_width = max(1, int(width * scale))
    new_height = max(1, min(int(height * scale), max_pixels // new_width))
    return max(1, min(new_width, max_pixels // new_height)), new_height
