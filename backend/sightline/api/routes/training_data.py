"""Labelled images for retraining, stored by content hash (data/training_uploads.py)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, File, Query, UploadFile

from sightline.api.deps import AdminDep, HolderDep, SettingsDep, UploadStoreDep
from sightline.api.schemas import UploadReportOut, error_responses
from sightline.api.upload_limits import read_limited
from sightline.errors import TooLarge

router = APIRouter(prefix="/api", tags=["retraining"])


@router.post(
    "/upload-training-data",
    response_model=UploadReportOut,
    responses=error_responses(401, 413, 422),
)
async def upload_training_data(
    _admin: AdminDep,
    settings: SettingsDep,
    store: UploadStoreDep,
    holder: HolderDep,
    files: list[UploadFile] = File(
        description="Images of one class, or .zip files whose top folders are class names"
    ),
    class_name: str | None = Query(None, description="The class of the images (not for zips)"),
) -> UploadReportOut:
    """Add labelled images for retraining. Each file is checked with the serving
    decoder and stored by its content hash; duplicates and bad files are reported."""
    s = settings
    if len(files) > s.max_zip_files:
        raise TooLarge(
            f"{len(files)} files sent; the limit is {s.max_zip_files}.", code="too_many_files"
        )
    zip_limit = min(s.max_request_bytes, s.max_zip_uncompressed_bytes)
    payload = [
        (f.filename, await read_limited(f, max(s.max_upload_bytes, zip_limit))) for f in files
    ]
    known = holder.predictor.class_names
    report = await asyncio.to_thread(store.ingest, payload, class_name, known)
    return UploadReportOut.model_validate(report, from_attributes=True)
