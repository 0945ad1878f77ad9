"""The registry: seeding from the shipped model, one production version, promotion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.db.models import ModelVersionRow
from sightline.db.session import migrate, session_scope
from sightline.errors import NotFound
from sightline.ml.artifacts import load_model
from sightline.ml.card import load_card
from sightline.ml.registry import ModelRegistry


@pytest.fixture
def registry(settings: Settings) -> ModelRegistry:
    settings.ensure_dirs()
    migrate(settings)
    registry = ModelRegistry(settings)
    registry.ensure_seeded()
    return registry


def test_seeding_imports_the_shipped_model_once(registry: ModelRegistry) -> None:
    assert registry.production_version() == "v1"
    assert (registry.path("v1") / "model.keras").exists()
    registry.ensure_seeded()
    assert [row.version for row in registry.all_versions()] == ["v1"]


def test_register_then_promote_and_roll_back(registry: ModelRegistry, quick_model_dir) -> None:  # type: ignore[no-untyped-def]
    model = load_model(quick_model_dir)
    version = registry.register(model, load_card(quick_model_dir), parent="v1")
    assert version == "v2"
    assert registry.get("v2").status == "candidate"
    assert registry.production_version() == "v1"
    registry.promote("v2")
    assert registry.production_version() == "v2"
    assert registry.get("v1").status == "archived"
    registry.promote("v1")
    assert registry.production_version() == "v1"
    assert [row.status for row in registry.all_versions()] == ["archived", "production"]


def test_a_line_of_retrains_starts_where_parents_end(
    registry: ModelRegistry, quick_model_dir: Path
) -> None:
    model, card = load_model(quick_model_dir), load_card(quick_model_dir)
    assert registry.register(model, card, parent="v1") == "v2"
    assert registry.register(model, card, parent="v2") == "v3"
    assert registry.line_start("v3") == registry.line_start("v2") == "v1"
    assert registry.line_start("v1") == "v1"


def test_database_allows_only_one_production(registry: ModelRegistry, settings: Settings) -> None:
    with pytest.raises(IntegrityError), session_scope(settings) as session:
        session.add(
            ModelVersionRow(
                version="v9",
                status="production",
                metrics={},
                trained_on={},
                path="x",
                model_sha256="0" * 64,
            )
        )


def test_versions_are_data_not_paths(registry: ModelRegistry) -> None:
    for bad in ("../v1", "v1/../../etc", "/etc/passwd", "v1 ", ""):
        with pytest.raises(NotFound):
            registry.get(bad)
        with pytest.raises(NotFound):
            registry.promote(bad)


def test_a_new_shipped_model_replaces_a_shipped_production(
    registry: ModelRegistry, settings: Settings, quick_model_dir: Path, tmp_path: Path
) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(quick_model_dir, shipped)
    model = load_model(shipped)
    model.get_layer("backbone").get_layer("head").kernel.assign(
        model.get_layer("backbone").get_layer("head").kernel * 1.01
    )
    from sightline.ml.artifacts import save_model_dir

    save_model_dir(shipped, model, load_card(quick_model_dir))
    newer = ModelRegistry(settings.model_copy(update={"model_dir": shipped}))
    assert newer.ensure_seeded() == "v2"
    assert newer.production_version() == "v2"


def test_the_home_is_only_a_cache(registry: ModelRegistry, settings: Settings) -> None:
    shipped = (settings.model_dir / "model.keras").read_bytes()
    shutil.rmtree(registry.root)
    assert (registry.path("v1") / "model.keras").read_bytes() == shipped  # fetched again
    (registry.path("v1") / "model.keras").write_bytes(b"changed on disk")
    assert (registry.path("v1") / "model.keras").read_bytes() == shipped  # checked, replaced
    shutil.rmtree(registry.root)
    assert registry.card("v1").model_sha256 == registry.get("v1").model_sha256
    assert not (registry.root / "v1" / "model.keras").exists()  # the card alone


def test_versions_from_before_shared_blobs_are_imported_at_start(
    registry: ModelRegistry, settings: Settings
) -> None:
    """A home upgraded to migration 0004: its files go into the store, once."""
    folder = registry.path("v1")
    shutil.copytree(folder, registry.root / "v2")
    with session_scope(settings) as session:
        session.add(
            ModelVersionRow(
                version="v2",
                classifier="cifar10",
                status="archived",
                metrics={},
                trained_on={},
                path=str(registry.root / "v2"),
                model_sha256=registry.get("v1").model_sha256,
                card_sha256=None,
            )
        )
    with pytest.raises(NotFound):
        registry.promote("v2")  # no stored files yet
    assert registry.import_local_files() == ["v2"]
    assert registry.import_local_files() == []
    assert registry.get("v2").card_sha256 == registry.get("v1").card_sha256
    assert registry.promote("v2").status == "production"


def test_processes_seeding_at_once_import_the_shipped_model_once(settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    settings.ensure_dirs()
    migrate(settings)
    with ThreadPoolExecutor(4) as pool:
        seeded = list(pool.map(lambda _: ModelRegistry(settings).ensure_seeded(), range(4)))
    assert seeded == ["v1"] * 4
    assert [row.version for row in ModelRegistry(settings).all_versions()] == ["v1"]


def test_a_versions_check_images_travel_with_it_to_another_replica(
    registry: ModelRegistry, settings: Settings, quick_model_dir: Path
) -> None:
    import numpy as np

    from sightline.ml.artifacts import CHECK_SAMPLE, check_sample, load_check_images

    held_out = np.random.default_rng(3).integers(0, 256, (300, 32, 32, 3), dtype=np.uint8)
    sample = check_sample(held_out)
    assert sample is not None and len(sample) == CHECK_SAMPLE  # at most, seeded
    np.testing.assert_array_equal(sample, check_sample(held_out))
    model = load_model(quick_model_dir)
    version = registry.register(model, load_card(quick_model_dir), parent="v1", check_images=sample)

    other_home = {
        "home": settings.home.parent / "other",
        "database_url": settings.resolved_database_url,
    }
    elsewhere = ModelRegistry(settings.model_copy(update=other_home))
    stored = load_check_images(elsewhere.path(version))
    assert stored is not None
    np.testing.assert_array_equal(stored, sample)
    # The seeded version keeps what its folder had (the quick model's training saved some).
    shipped = load_check_images(settings.model_dir)
    assert shipped is not None
    np.testing.assert_array_equal(load_check_images(elsewhere.path("v1")), shipped)
