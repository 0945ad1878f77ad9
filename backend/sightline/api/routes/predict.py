"""Classification: one image, or a batch sharing the micro-batcher."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, File, UploadFile

from sightline.api.deps import PredictionServiceDep, RequestKeyDep, SettingsDep
from sightline.api.schemas import (
    BatchItemErrorOut,
    BatchItemOut,
    BatchOut,
    ErrorOut,
    PredictionOut,
    error_responses,
)
from sightline.api.upload_limits import read_limited
from sightline.errors import SightlineError, TooLarge

router = APIRouter(tags=["prediction"])

ERRORS = error_responses(400, 413, 415, 422, 503)


@router.post("/predict", response_model=PredictionOut, responses=ERRORS)
async def predict(
    settings: SettingsDep,
    predictions: PredictionServiceDep,
    key: RequestKeyDep,
    file: UploadFile = File(description="An image: JPEG, PNG, GIF, BMP, TIFF, WebP..."),
) -> PredictionOut:
    """Classify one image. The answer is sent once it is recorded in the prediction
    history (503 with Retry-After if it cannot be)."""
    data = await read_limited(file, settings.max_upload_bytes)
    prediction = await predictions.predict(data, file.filename, request_key=key)
    return PredictionOut.of(prediction)


@router.post("/predict/batch", response_model=BatchOut, responses=ERRORS)
async def predict_batch(
    settings: SettingsDep,
    predictions: PredictionServiceDep,
    key: RequestKeyDep,
    files: list[UploadFile] = File(description="1 to 64 images"),
) -> BatchOut:
    """Classify several images; a bad file gets its own error, the others their answers."""
    limit = settings.max_batch_files
    if len(files) > limit:
        raise TooLarge(
            f"{len(files)} files sent; the limit is {limit} per batch.", code="too_many_files"
        )

    async def answer(index: int, upload: UploadFile) -> BatchItemOut | BatchItemErrorOut:
        item_key = f"{key}#{index}" if key else None
        try:
            data = await read_limited(upload, settings.max_upload_bytes)
            prediction = await predictions.predict(
                data, upload.filename, endpoint="batch", request_key=item_key
            )
            return BatchItemOut.of(prediction, filename=upload.filename)
        except SightlineError as exc:
            error = ErrorOut(detail=exc.detail, code=exc.code)
            return BatchItemErrorOut(filename=upload.filename, error=error)

    # All at once, so the images share the micro-batcher's batches.
    answers = await asyncio.gather(*(answer(i, upload) for i, upload in enumerate(files)))
    return BatchOut(results=list(answers))
