from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends

from sightline.api.auth import require_admin
from sightline.api.deps import Services, get_services
from sightline.api.schemas import ErrorBody, ModelList, ModelOut

router = APIRouter(prefix="/api/models", tags=["model"])


@router.get("", response_model=ModelList)
def list_models(services: Services = Depends(get_services)) -> ModelList:
    """Every model version, newest first; exactly one is production."""
    rows = services.registry.all_versions()
    items = [ModelOut.model_validate(row, from_attributes=True) for row in rows]
    production = next((row.version for row in rows if row.status == "production"), None)
    return ModelList(items=items, production=production)


@router.post(
    "/{version}/promote",
    response_model=ModelOut,
    dependencies=[Depends(require_admin)],
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
async def promote(version: str, services: Services = Depends(get_services)) -> ModelOut:
    """Make a version production (roll back or forward). Every replica serves it
    within the model poll interval; this one swaps before answering."""
    row = await asyncio.to_thread(services.registry.promote, version)
    await asyncio.to_thread(services.holder.refresh)
    return ModelOut.model_validate(row, from_attributes=True)
