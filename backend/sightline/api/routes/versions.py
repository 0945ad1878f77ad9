"""Model versions: the registry's list, and promotion (roll back or forward)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from sightline.api.deps import AdminDep, HolderDep, RegistryDep
from sightline.api.schemas import ModelListOut, ModelOut, error_responses

router = APIRouter(prefix="/models", tags=["model"])


@router.get("", response_model=ModelListOut)
def list_models(registry: RegistryDep) -> ModelListOut:
    """Every model version, newest first; exactly one is production."""
    items = [ModelOut.model_validate(v, from_attributes=True) for v in registry.all_versions()]
    production = next((item.version for item in items if item.status == "production"), None)
    return ModelListOut(items=items, production=production)


@router.post(
    "/{version}/promote",
    response_model=ModelOut,
    responses=error_responses(401, 404),
)
async def promote(
    _admin: AdminDep, version: str, registry: RegistryDep, holder: HolderDep
) -> ModelOut:
    """Make a version production (roll back or forward). Every replica serves it
    within the model poll interval; this one swaps before answering."""
    promoted = await asyncio.to_thread(registry.promote, version)
    await asyncio.to_thread(holder.refresh)
    return ModelOut.model_validate(promoted, from_attributes=True)
