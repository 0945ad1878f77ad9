"""`sightline classifiers list/create/delete` and `sightline train --classifier`, run
through Typer's CliRunner against a real migrated database (the ``db`` fixture), read
back through the catalog and the registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sightline.cli import app
from sightline.config import REPO_ROOT, Settings, get_settings
from sightline.db import predictions as history
from sightline.db.session import session_scope
from sightline.ml.classifiers import ClassifierCatalog
from sightline.ml.registry import ModelRegistry
from sightline.ml.train_runner import register_trained
from tests.factories import prediction_row

SHIPPED = REPO_ROOT / "models" / "cifar10"


@pytest.fixture
def settings_of_cli(db: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The ``db`` settings, as the environment the CLI reads them from; the shipped
    model as the default classifier's."""
    monkeypatch.setenv("SIGHTLINE_HOME", str(db.home))
    monkeypatch.setenv("SIGHTLINE_MODEL_DIR", str(SHIPPED))
    if db.database_url is not None:
        monkeypatch.setenv("SIGHTLINE_DATABASE_URL", db.database_url)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def sightline(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def one_line(result: Result) -> str:
    """The output with rich's wrapping undone."""
    return " ".join(result.output.split())


def test_create_makes_a_classifier_with_its_parent_and_classes(settings_of_cli: Settings) -> None:
    made = sightline("classifiers", "create", "cats-dogs", "--class", "cat", "--class", "dog")
    assert made.exit_code == 0, made.output
    scratch = sightline("classifiers", "create", "scratch", "--parent", "none")
    assert scratch.exit_code == 0, scratch.output

    catalog = ClassifierCatalog(settings_of_cli)
    cats_dogs = catalog.get("cats-dogs")
    assert (cats_dogs.parent, cats_dogs.classes) == ("auto", ["cat", "dog"])
    assert catalog.get("scratch").parent is None
    listed = sightline("classifiers", "list")
    assert listed.exit_code == 0
    for name in ("cats-dogs", "scratch", "cifar10 *"):
        assert name in listed.output
    assert listed.output.count("untrained") == 3  # no version anywhere yet


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Cats_Dogs"], "is not a classifier name: use 1 to 40 characters"),
        (["pets", "--parent", "nope"], "Unknown parent 'nope'"),
        (["cifar10"], "A classifier named 'cifar10' exists already. (classifier_exists)"),
    ],
)
def test_create_refusals_print_the_reason_and_exit_non_zero(
    settings_of_cli: Settings, args: list[str], message: str
) -> None:
    refused = sightline("classifiers", "create", *args)
    assert refused.exit_code == 1
    assert message in one_line(refused)
    names = [row.name for row in ClassifierCatalog(settings_of_cli).all()]
    assert names == ["cifar10"]


def test_list_shows_each_classifiers_version_accuracy_answers_and_stage(
    settings_of_cli: Settings,
) -> None:
    assert sightline("classifiers", "create", "live-one").exit_code == 0
    assert sightline("classifiers", "create", "idle-one").exit_code == 0
    seeded = ModelRegistry(settings_of_cli, classifier="live-one").ensure_seeded()
    answers = [prediction_row("cat") for _ in range(3)]
    for row in answers:
        row.classifier = "live-one"
    with session_scope(settings_of_cli) as session:
        history.insert_records(session=session, predictions=answers)

    listed = sightline("classifiers", "list")
    assert listed.exit_code == 0
    accuracy = ModelRegistry(settings_of_cli, classifier="live-one").production().metrics
    live, idle = row_cells(listed, "live-one"), row_cells(listed, "idle-one")
    assert live[:5] == ["live", seeded, f"{accuracy['accuracy']:.2%}", "3", "0"]
    assert idle[:5] == ["untrained", "-", "-", "0", "0"]


def row_cells(listed: Result, name: str) -> list[str]:
    """The cells after the name in the table row of classifier ``name``."""
    line = next(line for line in listed.output.splitlines() if f"│ {name} " in line)
    return [cell.strip() for cell in line.split("│")[2:-1]]


def test_delete_archives_and_purge_removes_after_confirmation(settings_of_cli: Settings) -> None:
    catalog = ClassifierCatalog(settings_of_cli)
    for name in ("kept", "purged", "asked"):
        assert sightline("classifiers", "create", name).exit_code == 0

    archived = sightline("classifiers", "delete", "kept")
    assert archived.exit_code == 0, archived.output
    assert catalog.get("kept").archived
    assert "archived" in next(
        line for line in sightline("classifiers", "list").output.splitlines() if "kept" in line
    )

    declined = sightline("classifiers", "delete", "asked", "--purge", input="n\n")
    assert declined.exit_code == 1 and "Nothing purged" in declined.output
    assert catalog.get_or_none("asked") is not None
    confirmed = sightline("classifiers", "delete", "asked", "--purge", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert catalog.get_or_none("asked") is None

    purged = sightline("classifiers", "delete", "purged", "--purge", "--yes")
    assert purged.exit_code == 0 and "Purged purged" in purged.output
    assert catalog.get_or_none("purged") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cifar10"], "'cifar10' is the default classifier"),
        (["cifar10", "--purge", "--yes"], "'cifar10' is the default classifier"),
        (["ghost"], "No classifier 'ghost'. (unknown_classifier)"),
        (["ghost", "--purge"], "No classifier 'ghost'. (unknown_classifier)"),
    ],
)
def test_delete_refusals_print_the_reason_and_exit_non_zero(
    settings_of_cli: Settings, args: list[str], message: str
) -> None:
    refused = sightline("classifiers", "delete", *args)
    assert refused.exit_code == 1
    assert message in one_line(refused)
    assert not ClassifierCatalog(settings_of_cli).get("cifar10").archived


def test_a_trained_model_becomes_production_of_a_new_classifier_then_candidates(
    settings_of_cli: Settings,
) -> None:
    """What `train --classifier` does once the model is saved (the shipped model here)."""
    first = register_trained(settings_of_cli, "photos", SHIPPED)
    assert first.created and first.production
    catalog = ClassifierCatalog(settings_of_cli)
    shipped_classes = ModelRegistry(settings_of_cli, classifier="photos").card(first.version)
    assert catalog.get("photos").classes == shipped_classes.class_names

    second = register_trained(settings_of_cli, "photos", SHIPPED)
    assert not second.created and not second.production
    registry = ModelRegistry(settings_of_cli, classifier="photos")
    assert registry.production_version() == first.version
    assert registry.get(second.version).status == "candidate"
    assert registry.get(second.version).parent == first.version


def test_train_refuses_an_archived_or_badly_named_classifier_before_training(
    settings_of_cli: Settings,
) -> None:
    assert sightline("classifiers", "create", "old").exit_code == 0
    assert sightline("classifiers", "delete", "old").exit_code == 0
    # --data names nothing that exists: reaching the loading would fail differently.
    for name, message in (("old", "is archived"), ("Old", "is not a classifier name")):
        refused = sightline("train", "--data", "/nowhere", "--classifier", name)
        assert refused.exit_code == 2
        assert message in " ".join(one_line(refused).replace("│", " ").split())


@pytest.mark.slow
def test_train_with_classifier_registers_what_it_trained(
    settings_of_cli: Settings, shapes_dir: Path, tmp_path: Path
) -> None:
    args = ["train", "--quick", "--epochs", "1", "--n-train", "60", "--n-test", "30"]
    trained = sightline(
        *args, "--data", str(shapes_dir), "--out", str(tmp_path / "m"), "--classifier", "shapes"
    )
    assert trained.exit_code == 0, trained.output
    assert "Created classifier shapes; registered v" in one_line(trained)
    assert "production: it answers with this model now" in one_line(trained)
    registry = ModelRegistry(settings_of_cli, classifier="shapes")
    version = registry.production()
    assert version.metrics["class_names"] == ["circle", "square", "triangle"]
    assert (
        ClassifierCatalog(settings_of_cli).get("shapes").classes == version.metrics["class_names"]
    )
