"""Prediction as a service the API calls: bytes in, a recorded prediction out."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time

import numpy as np

from sightline.config import Settings
from sightline.data.names import display_name
from sightline.data.preprocessing import decode_image, image_to_input, resize_for_model
from sightline.db.models import PredictionRow
from sightline.db.predictions import get_prediction_by_key
from sightline.db.session import session_scope
from sightline.errors import ModelUnavailable, TooLarge
from sightline.ids import new_id
from sightline.ml.explain import heatmap_png_base64
from sightline.monitoring.prometheus import metrics
from sightline.serving.batching import BatcherClosed, MicroBatcher
from sightline.serving.holder import ModelHolder
from sightline.serving.predictor import Prediction, Predictor
from sightline.serving.recorder import Recorder
from sightline.serving.review_keeper import ReviewKeeper

# An upload this small (CIFAR's 32x32, a thumbnail) decodes in less time than a hand-off
# to a thread costs, so it is decoded on the event loop; anything larger in a thread.
INLINE_DECODE_BYTES = 64 * 1024
INLINE_DECODE_PIXELS = 256 * 256

# What the micro-batcher carries: the model a request started with, and its image.
ModelInput = tuple[Predictor, np.ndarray]
ModelBatcher = MicroBatcher[ModelInput, np.ndarray]


def run_model_batch(batch: list[ModelInput]) -> list[np.ndarray]:
    """Probabilities for each (predictor, image), one model call per predictor: a hot
    swap can put two versions in one batch, and each request is answered by the one it
    started with. Every model call is observed in ``sightline_batch_size``."""
    outputs: list[np.ndarray | None] = [None] * len(batch)
    groups: dict[int, list[int]] = {}
    for index, (predictor, _) in enumerate(batch):
        groups.setdefault(id(predictor), []).append(index)
    histogram = metrics().batch_size
    for indexes in groups.values():
        predictor = batch[indexes[0]][0]
        probabilities = predictor.predict_arrays(np.stack([batch[i][1] for i in indexes]))
        histogram.observe(len(indexes))
        for index, row in zip(indexes, probabilities, strict=True):
            outputs[index] = row
    return [output for output in outputs if output is not None]


def model_batcher(settings: Settings, name: str = "sightline-infer") -> ModelBatcher:
    return MicroBatcher(
        run_model_batch,
        max_size=settings.batch_max_size,
        max_wait_ms=settings.batch_max_wait_ms,
        name=name,
    )


class PredictionService:
    """Decode in a thread pool (in parallel), classify in shared micro-batches, record
    the row and answer once it is committed (group commit, serving/recorder.py): every
    answer has its row, and a replayed request keeps its one row."""

    def __init__(
        self,
        settings: Settings,
        holder: ModelHolder,
        recorder: Recorder,
        batcher: ModelBatcher | None = None,
        keeper: ReviewKeeper | None = None,
    ) -> None:
        self.settings = settings
        self.holder = holder
        self.classifier = holder.registry.classifier
        self.recorder = recorder
        self.keeper = keeper  # the review queue's (serving/review_keeper.py)
        self.batcher = batcher or model_batcher(settings, name=f"sightline-infer-{self.classifier}")

    def start(self) -> None:
        """Start the batcher on the running event loop (the recorder is the pool's)."""
        self.batcher.start()

    async def stop(self) -> None:
        """Answer what is waiting (each answer after its row is queued)."""
        await self.batcher.stop()

    def decode(
        self, data: bytes, predictor: Predictor, max_pixels: int | None = None
    ) -> np.ndarray:
        return image_to_input(
            data,
            predictor.input_size,
            max_pixels=max_pixels or self.settings.max_image_pixels,
            max_frames=self.settings.max_frames,
        )

    def _decode_and_hash(
        self, data: bytes, predictor: Predictor, max_pixels: int | None = None
    ) -> tuple[np.ndarray, str]:
        return self.decode(data, predictor, max_pixels), hashlib.sha256(data).hexdigest()

    async def decode_and_hash(self, data: bytes, predictor: Predictor) -> tuple[np.ndarray, str]:
        """The model input and the upload's sha256: small images here, on the event loop
        (bounded by INLINE_DECODE_PIXELS), the rest in a thread."""
        inline_limit = min(INLINE_DECODE_PIXELS, self.settings.max_image_pixels)
        if len(data) <= INLINE_DECODE_BYTES:
            try:
                return self._decode_and_hash(data, predictor, inline_limit)
            except TooLarge:
                if inline_limit == self.settings.max_image_pixels:
                    raise  # over the service's own limit: the client's error
        # Large, or small bytes that expand to many pixels: decoding takes milliseconds.
        return await asyncio.to_thread(self._decode_and_hash, data, predictor)

    async def predict(
        self,
        data: bytes,
        filename: str | None,
        endpoint: str = "predict",
        request_key: str | None = None,
    ) -> Prediction:
        """Decode, classify and record one image; raises domain errors on bad input.

        Returns once the row is committed (serving/recorder.py). ``request_key`` names
        the request across replays (Idempotency-Key or nginx's request id, plus the
        item's place in a batch): a replay of an answered request gets the stored
        answer and writes no second row."""
        start = time.perf_counter()
        predictor = self.holder.predictor  # one version for the whole request
        with self.batcher.incoming():
            image, sha256 = await self.decode_and_hash(data, predictor)
        probabilities = await self.infer(predictor, image)
        time_ms = round((time.perf_counter() - start) * 1000, 3)
        prediction = predictor.describe(probabilities, time_ms=time_ms)
        row = prediction_row(prediction, sha256, filename, endpoint, self.classifier)
        row.request_key = (
            stored_request_key(request_key, self.classifier, endpoint, sha256) or new_id()
        )
        if row.request_key not in await self.recorder.record([row]):
            stored = await asyncio.to_thread(self._stored_row, row.request_key)
            return stored_prediction(stored, predictor) if stored else prediction
        metrics().predictions.labels(prediction.label, prediction.model_version).inc()
        if self.keeper is not None:  # after the commit: an item always has its answer
            self.keeper.offer(row, data, prediction.probabilities)
        return prediction

    def _stored_row(self, request_key: str) -> PredictionRow | None:
        with session_scope(self.settings) as session:
            return get_prediction_by_key(session=session, request_key=request_key)

    async def explain(
        self, data: bytes, filename: str | None, request_key: str | None = None
    ) -> tuple[Prediction, str]:
        """A recorded prediction plus its Grad-CAM heat map at the upload's size."""
        predictor = self.holder.predictor
        prediction = await self.predict(data, filename, endpoint="explain", request_key=request_key)
        heatmap = await asyncio.to_thread(self._heatmap, data, predictor, prediction.class_index)
        return prediction, heatmap

    def _heatmap(self, data: bytes, predictor: Predictor, class_index: int) -> str:
        image = decode_image(
            data, max_pixels=self.settings.max_image_pixels, max_frames=self.settings.max_frames
        )
        cam = predictor.gradcam().heatmap(
            resize_for_model(image, predictor.input_size), class_index
        )
        return heatmap_png_base64(cam, fit_within(image.size, self.settings.max_heatmap_pixels))

    async def infer(self, predictor: Predictor, image: np.ndarray) -> np.ndarray:
        """Probabilities (classes,) for one uint8 image, computed in a shared batch."""
        try:
            return await self.batcher.submit((predictor, image))
        except BatcherClosed:
            raise ModelUnavailable("The server is shutting down; try again.") from None


def prediction_row(
    prediction: Prediction, sha256: str, filename: str | None, endpoint: str, classifier: str
) -> PredictionRow:
    """The history row of ``prediction``."""
    return PredictionRow(
        id=prediction.id,
        classifier=classifier,
        created_at=prediction.created_at,
        prediction=prediction.label,
        class_index=prediction.class_index,
        confidence=prediction.confidence,
        uncertain=prediction.uncertain,
        model_version=prediction.model_version,
        time_ms=prediction.time_ms,
        image_sha256=sha256,
        filename=display_name(filename),
        endpoint=endpoint,
        probabilities=[round(p, 6) for p in prediction.probabilities.values()],
    )


def stored_request_key(
    client_key: str | None, classifier: str, endpoint: str, image_sha256: str
) -> str | None:
    """The key stored for a request that the client (Idempotency-Key) or nginx (its
    request id) named; None when nothing names it. Scoped by classifier, endpoint and
    image: a key reused for another image or classifier is another request, and a key
    never returns the answer for an image the asker did not send."""
    if not client_key:
        return None
    text = f"{classifier}\n{endpoint}\n{client_key}\n{image_sha256}"
    return hashlib.sha256(text.encode()).hexdigest()


def stored_prediction(row: PredictionRow, predictor: Predictor) -> Prediction:
    """The answer recorded in ``row``, as it was first given (a replayed request)."""
    if len(row.probabilities) != len(predictor.class_names):  # another model's classes
        raise ModelUnavailable("This request was answered by a model no longer served.")
    described = predictor.describe(np.asarray(row.probabilities, np.float64))
    return dataclasses.replace(
        described,
        id=row.id,
        label=row.prediction,
        class_index=row.class_index,
        confidence=row.confidence,
        uncertain=row.uncertain,
        model_version=row.model_version,
        time_ms=row.time_ms,
        created_at=row.created_at,
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
