from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile

from sightline.api.deps import Services, get_services
from sightline.api.schemas import ErrorBody, ExplainOut
from sightline.api.upload_limits import read_limited

router = APIRouter(prefix="/api", tags=["prediction"])


@router.post(
    "/explain",
    response_model=ExplainOut,
    responses={code: {"model": ErrorBody} for code in (413, 415, 422, 503)},
)
async def explain(
    file: UploadFile = File(description="An image to classify and explain"),
    services: Services = Depends(get_services),
) -> dict[str, Any]:
    """The prediction plus a Grad-CAM heat map (base64 PNG at the upload's size)."""
    data = await read_limited(file, services.settings.max_upload_bytes)
    result, heatmap = await services.predictions.explain(data, file.filename)
    return {**result.as_dict(), "heatmap_png": heatmap}
