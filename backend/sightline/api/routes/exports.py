"""Model exports: a version as SavedModel, ONNX or OpenVINO IR, zipped, for the admin."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from sightline.api.deps import AdminDep, RegistryDep
from sightline.api.schemas import error_responses
from sightline.ml.export import export_version_archive

router = APIRouter(prefix="/models", tags=["model"])

ExportFormat = Literal["savedmodel", "onnx", "openvino"]


@router.get(
    "/{version}/export",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The export, zipped"},
        **error_responses(401, 404, 422, 501),
    },
)
async def export_version(
    _admin: AdminDep, version: str, registry: RegistryDep, format: ExportFormat = "savedmodel"
) -> FileResponse:
    """A version as a SavedModel, ONNX or OpenVINO IR, zipped with its card: raw 0-255
    pixels (N, H, W, 3) in, probabilities out. 501 when the converter is not installed."""
    archive = await asyncio.to_thread(export_version_archive, registry, version, format)
    return FileResponse(
        archive.path,
        media_type="application/zip",
        filename=archive.path.name,
        background=BackgroundTask(archive.discard),
    )
