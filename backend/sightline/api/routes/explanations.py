"""``/api/explain``: a prediction with its Grad-CAM heat map."""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile

from sightline.api.deps import PredictionServiceDep, RequestKeyDep, SettingsDep
from sightline.api.schemas import ExplainOut, error_responses
from sightline.api.upload_limits import read_limited

router = APIRouter(tags=["prediction"])


@router.post(
    "/explain",
    response_model=ExplainOut,
    responses=error_responses(413, 415, 422, 503),
)
async def explain(
    settings: SettingsDep,
    predictions: PredictionServiceDep,
    key: RequestKeyDep,
    file: UploadFile = File(description="An image to classify and explain"),
) -> ExplainOut:
    """The prediction plus a Grad-CAM heat map (base64 PNG at the upload's size)."""
    data = await read_limited(file, settings.max_upload_bytes)
    prediction, heatmap = await predictions.explain(data, file.filename, request_key=key)
    return ExplainOut.of(prediction, heatmap_png=heatmap)
