"""Labelled images for retraining, stored by content hash (data/training_uploads.py)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, File, Query, UploadFile

from sightline.api.deps import (
    AdminDep,
    CatalogDep,
    ClassifierDep,
    HolderDep,
    SettingsDep,
    UploadStoreDep,
)
from sightline.api.schemas import TrainingDataReportOut, UploadReportOut, error_responses
from sightline.api.upload_limits import read_limited
from sightline.config import Settings
from sightline.errors import TooLarge

router = APIRouter(tags=["retraining"])

FILES = File(description="Images of one class, or .zip files of class folders")


@router.post(
    "/training-data",
    response_model=TrainingDataReportOut,
    responses=error_responses(401, 404, 413, 422),
)
async def add_training_data(
    _admin: AdminDep,
    settings: SettingsDep,
    classifier: ClassifierDep,
    catalog: CatalogDep,
    store: UploadStoreDep,
    files: list[UploadFile] = FILES,
    class_name: str | None = Query(
        None, description="The class of the images (not for zips); new or known"
    ),
) -> TrainingDataReportOut:
    """Add labelled images: images of ``class_name``, or zips laid out ``<class>/<image>``
    or ``train/<class>/<image>`` with an optional ``test/<class>/<image>``. New class
    names become the classifier's classes. Without a test/ folder a stratified share of
    each class is held out for evaluation. Duplicates, the same image under two classes
    and unreadable files are reported per file; a zip without class folders is refused
    (422 ``no_class_folders``) and nothing of the upload is stored."""
    payload = await _read_files(settings, files)
    summary = await asyncio.to_thread(catalog.summary, classifier)
    report = await asyncio.to_thread(store.add_training_data, payload, class_name, summary.classes)
    return TrainingDataReportOut.model_validate(report, from_attributes=True)


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
    """Add labelled images of the production model's classes (POST /training-data also
    takes new classes and train/test folders). Each file is checked with the serving
    decoder and stored by its content hash; duplicates and bad files are reported."""
    payload = await _read_files(settings, files)
    known = holder.predictor.class_names
    report = await asyncio.to_thread(store.ingest, payload, class_name, known)
    return UploadReportOut.model_validate(report, from_attributes=True)


async def _read_files(s: Settings, files: list[UploadFile]) -> list[tuple[str | None, bytes]]:
    if len(files) > s.max_zip_files:
        raise TooLarge(
            f"{len(files)} files sent; the limit is {s.max_zip_files}.", code="too_many_files"
        )
    zip_limit = min(s.max_request_bytes, s.max_zip_uncompressed_bytes)
    return [(f.filename, await read_limited(f, max(s.max_upload_bytes, zip_limit))) for f in files]
