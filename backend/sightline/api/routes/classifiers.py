"""``/api/classifiers``: the classifiers of this service, and making one.

Everything a classifier does (predict, history, versions, training data, jobs,
monitoring) is under ``/api/classifiers/{classifier}/...``: the same routes as the
unscoped ones (api/main.py), which serve the default classifier."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Query, Response

from sightline.api.deps import AdminDep, CatalogDep, ModelPoolDep, SettingsDep
from sightline.api.schemas import (
    ClassifierIn,
    ClassifierListOut,
    ClassifierOut,
    ClassifierPatchIn,
    error_responses,
)
from sightline.ml.review_queue import ReviewQueue

router = APIRouter(prefix="/api/classifiers", tags=["classifiers"])


@router.get("", response_model=ClassifierListOut)
async def list_classifiers(catalog: CatalogDep) -> ClassifierListOut:
    """Every classifier, active ones first, with its production version, accuracy,
    answers today and last training."""
    summaries = await asyncio.to_thread(catalog.summaries)
    return ClassifierListOut(
        items=[ClassifierOut.of(s) for s in summaries], default=catalog.default
    )


@router.get("/{classifier}", response_model=ClassifierOut, responses=error_responses(404))
async def get_classifier(classifier: str, catalog: CatalogDep) -> ClassifierOut:
    return ClassifierOut.of(await asyncio.to_thread(catalog.summary, classifier))


@router.post(
    "",
    status_code=201,
    response_model=ClassifierOut,
    responses=error_responses(401, 409, 422),
)
async def create_classifier(
    _admin: AdminDep, body: ClassifierIn, catalog: CatalogDep
) -> ClassifierOut:
    """Make a classifier: then add labelled images (``.../training-data``) and train it
    (``.../retrain``); it answers once its first version passes the gate."""
    created = await asyncio.to_thread(catalog.create, body.name, body.parent, body.classes)
    return ClassifierOut.of(await asyncio.to_thread(catalog.summary, created.name))


@router.patch(
    "/{classifier}", response_model=ClassifierOut, responses=error_responses(401, 403, 404, 422)
)
async def change_classifier(
    _admin: AdminDep,
    classifier: str,
    body: ClassifierPatchIn,
    catalog: CatalogDep,
    pool: ModelPoolDep,
    settings: SettingsDep,
) -> ClassifierOut:
    """Change a classifier's settings: today its review policy (``{"review":
    {"keep_uncertain": true, "audit_rate": 0.01, "retention_days": 30, "max_items":
    10000, "auto_retrain_after": null}}``; the fields sent change, the rest stay)."""
    await asyncio.to_thread(catalog.get, classifier)  # 404 for an unknown name
    if body.review is not None:
        review = ReviewQueue(settings, pool.store, classifier)
        policy = await asyncio.to_thread(review.change_policy, body.review)
        pool.keeper.set_policy(classifier, policy)  # this replica at once; others poll
    return ClassifierOut.of(await asyncio.to_thread(catalog.summary, classifier))


@router.delete(
    "/{classifier}",
    response_model=ClassifierOut,
    responses={204: {"description": "Purged"}, **error_responses(401, 404, 409)},
)
async def delete_classifier(
    _admin: AdminDep,
    classifier: str,
    catalog: CatalogDep,
    pool: ModelPoolDep,
    purge: bool = Query(
        False, description="Remove its history, versions and training data too (no undo)"
    ),
) -> ClassifierOut | Response:
    """Archive a classifier: it answers no more; its history, versions and data stay
    readable and exportable. With ``purge=true`` they are removed (204)."""
    if purge:
        await asyncio.to_thread(catalog.purge, classifier)
        await asyncio.to_thread(pool.poll)
        return Response(status_code=204)
    await asyncio.to_thread(catalog.archive, classifier)
    await asyncio.to_thread(pool.poll)
    return ClassifierOut.of(await asyncio.to_thread(catalog.summary, classifier))
