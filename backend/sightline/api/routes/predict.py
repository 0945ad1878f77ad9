from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile

from sightline.api.deps import Services, get_services
from sightline.api.schemas import BatchOut, ErrorBody, PredictionOut
from sightline.api.upload_limits import read_limited
from sightline.errors import SightlineError, TooLarge

router = APIRouter(prefix="/api", tags=["prediction"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 413, 415, 422, 503)
}


@router.post("/predict", response_model=PredictionOut, responses=ERRORS)
async def predict(
    file: UploadFile = File(description="An image: JPEG, PNG, GIF, BMP, TIFF, WebP..."),
    services: Services = Depends(get_services),
) -> dict[str, Any]:
    """Classify one image. The answer is recorded in the prediction history."""
    data = await read_limited(file, services.settings.max_upload_bytes)
    result = await services.predictions.predict(data, file.filename)
    return result.as_dict()


@router.post("/predict/batch", response_model=BatchOut, responses=ERRORS)
async def predict_batch(
    files: list[UploadFile] = File(description="1 to 64 images"),
    services: Services = Depends(get_services),
) -> dict[str, Any]:
    """Classify several images; a bad file gets its own error, the others their answers."""
    limit = services.settings.max_batch_files
    if len(files) > limit:
        raise TooLarge(
            f"{len(files)} files sent; the limit is {limit} per batch.", code="too_many_files"
        )

    async def answer(upload: UploadFile) -> dict[str, Any]:
        try:
            data = await read_limited(upload, services.settings.max_upload_bytes)
            result = await services.predictions.predict(data, upload.filename, endpoint="batch")
            return {**result.as_dict(), "filename": upload.filename}
        except SightlineError as exc:
            return {"filename": upload.filename, "error": {"detail": exc.detail, "code": exc.code}}

    # All at once, so the images share the micro-batcher's batches.
    return {"results": list(await asyncio.gather(*(answer(upload) for upload in files)))}
