from __future__ import annotations

import asyncio

from fastapi import APIRouter

from sightline.api.deps import AdminDep, ServicesDep
from sightline.api.schemas import ModelListOut, ModelOut, error_responses

router = APIRouter(prefix="/api/models", tags=["model"])


@router.get("", response_model=ModelListOut)
def list_models(services: ServicesDep) -> ModelListOut:
    """Every model version, newest first; exactly one is production."""
    rows = services.registry.all_versions()
    items = [ModelOut.model_validate(row, from_attributes=True) for row in rows]
    production = next((row.version for row in rows if row.status == "production"), None)
    return ModelListOut(items=items, production=production)


@router.post(
    "/{version}/promote",
    response_model=ModelOut,
    responses=error_responses(401, 404),
)
async def promote(_admin: AdminDep, version: str, services: ServicesDep) -> ModelOut:
    """Make a version production (roll back or forward). Every replica serves it
    within the model poll interval; this one swaps before answering."""
    row = await asyncio.to_thread(services.registry.promote, version)
    await asyncio.to_thread(services.holder.refresh)
    return ModelOut.model_validate(row, from_attributes=True)
