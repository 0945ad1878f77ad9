from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile

from sightline.api.auth import require_admin
from sightline.api.deps import Services, get_services
from sightline.api.schemas import ErrorBody, UploadReportOut
from sightline.api.upload_limits import read_limited
from sightline.data.training_uploads import UploadStore
from sightline.errors import TooLarge

router = APIRouter(prefix="/api", tags=["retraining"], dependencies=[Depends(require_admin)])


@router.post(
    "/upload-training-data",
    response_model=UploadReportOut,
    responses={code: {"model": ErrorBody} for code in (401, 413, 422)},
)
async def upload_training_data(
    files: list[UploadFile] = File(
        description="Images of one class, or .zip files whose top folders are class names"
    ),
    class_name: str | None = Query(None, description="The class of the images (not for zips)"),
    services: Services = Depends(get_services),
) -> dict[str, Any]:
    """Add labelled images for retraining. Each file is checked with the serving
    decoder and stored by its content hash; duplicates and bad files are reported."""
    s = services.settings
    if len(files) > s.max_zip_files:
        raise TooLarge(
            f"{len(files)} files sent; the limit is {s.max_zip_files}.", code="too_many_files"
        )
    zip_limit = min(s.max_request_bytes, s.max_zip_uncompressed_bytes)
    payload = [
        (f.filename, await read_limited(f, max(s.max_upload_bytes, zip_limit))) for f in files
    ]
    known = services.holder.predictor.class_names
    report = await asyncio.to_thread(UploadStore(s).ingest, payload, class_name, known)
    return {
        "uploaded": report.uploaded,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "class_counts": report.class_counts,
    }
