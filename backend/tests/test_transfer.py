"""Transfer learning (ml/transfer.py): a saved model rebuilt at a new input size with its
weights, a new head that keeps what the parent knew of same-named classes, the
head-then-everything schedule, ImageNet backbones (random weights: no download here),
``--from auto``, and the whole walk a new user takes on generated images: train on a
zip from a model they have, serve it, retrain it from uploads and a replay of the zip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sightline.blob_store import file_sha256
from sightline.cli import app
from sightline.config import Settings, get_settings
from sightline.data.datasets import Dataset, load_image_folder
from sightline.data.synthetic import make_shapes_dataset
from sightline.jobs.worker import Worker
from sightline.ml.artifacts import MODEL_FILE, load_model
from sightline.ml.card import load_card
from sightline.ml.training import predict_probabilities, train
from sightline.ml.transfer import (
    QUICK_TRANSFER,
    SCRATCH,
    Start,
    compare_candidates,
    fine_tune,
    imagenet_networks,
    local_parents,
    networks_from_parent,
    resolve_parent,
    set_backbone_frozen,
    validation_split,
)
from tests.factories import image_bytes, make_settings

# Two classes the quick parent (circle, square, triangle) knows, in another order.
WALK_CLASSES = ("square", "circle")


@pytest.fixture(scope="module")
def walk_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's photos, as a zip: train/<class>/ and test/<class>/, 40 px images."""
    root = make_shapes_dataset(
        tmp_path_factory.mktemp("walk") / "mine", WALK_CLASSES, 40, 16, size=40, seed=7
    )
    archive = root.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(root.rglob("*.png")):
            handle.write(path, path.relative_to(root.parent).as_posix())
    return archive


@pytest.fixture(scope="module")
def walk_data(walk_zip: Path) -> Dataset:
    return load_image_folder(walk_zip, image_size=(40, 40))


def test_the_parent_rebuilt_at_a_new_size_keeps_its_weights_and_what_it_knew(
    quick_model_dir: Path, shapes_dataset: Dataset
) -> None:
    parent = load_model(quick_model_dir)
    parent_classes = load_card(quick_model_dir).class_names
    same_size = networks_from_parent(parent, parent_classes, list(WALK_CLASSES), 32)

    # At the parent's size the child is the parent restricted to the shared classes:
    # its probabilities are the parent's, renormalised over those two classes.
    images = shapes_dataset.x_test[:8]
    columns = [parent_classes.index(name) for name in WALK_CLASSES]
    parent_probs = predict_probabilities(parent, images)[:, columns]
    expected = parent_probs / parent_probs.sum(axis=1, keepdims=True)
    child_probs = predict_probabilities(same_size.serving_model, images)
    np.testing.assert_allclose(child_probs, expected, atol=1e-4)

    bigger = networks_from_parent(parent, parent_classes, ["new", "circle"], 48)
    assert bigger.serving_model.input_shape == (None, 48, 48, 3)
    old, new = parent.get_layer("backbone"), bigger.backbone
    for name in ("whiten", "block1_conv1", "block3_conv2", "block2_norm1"):
        for a, b in zip(
            old.get_layer(name).get_weights(), new.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(a, b)
    head, parent_head = new.get_layer("head").kernel.numpy(), old.get_layer("head").kernel.numpy()
    np.testing.assert_array_equal(head[:, 1], parent_head[:, parent_classes.index("circle")])
    assert not np.allclose(head[:, 0], parent_head[:, 0])  # "new" starts fresh
    # Raw 0-255 RGB in, normalisation inside: a uint8 batch gives probabilities.
    probs = predict_probabilities(bigger.serving_model, np.zeros((2, 48, 48, 3), np.uint8))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_the_head_phase_leaves_the_backbone_alone_and_the_second_phase_moves_it(
    quick_model_dir: Path, walk_data: Dataset
) -> None:
    parent = load_model(quick_model_dir)
    networks = networks_from_parent(
        parent, load_card(quick_model_dir).class_names, walk_data.class_names, 40
    )
    backbone = networks.backbone
    before = {v.path: v.numpy().copy() for v in backbone.weights}

    set_backbone_frozen(networks, frozen=True)
    train(walk_data, QUICK_TRANSFER.phase_config(head_only=True), networks=networks)
    changed = {v.path for v in backbone.weights if not np.array_equal(v.numpy(), before[v.path])}
    assert changed == {backbone.get_layer("head").kernel.path}  # BN statistics included

    result = fine_tune(walk_data, networks, QUICK_TRANSFER)
    conv = backbone.get_layer("block2_conv1").kernel
    assert not np.array_equal(conv.numpy(), before[conv.path])
    epochs = QUICK_TRANSFER.head_epochs + QUICK_TRANSFER.epochs
    assert len(result.history["val_accuracy"]) == epochs
    assert all(layer.trainable for layer in backbone.layers)


@pytest.mark.model
def test_an_imagenet_backbone_fine_tunes_saves_and_loads(
    tmp_path: Path, walk_data: Dataset
) -> None:
    # weights=None: random, as this machine cannot download ImageNet weights.
    networks = imagenet_networks("mobilenetv3small", walk_data.class_names, 40, weights=None)
    result = fine_tune(walk_data, networks, QUICK_TRANSFER)
    assert len(result.history["loss"]) == 3
    model = result.networks.serving_model
    model.save(tmp_path / MODEL_FILE)
    loaded = keras.saving.load_model(tmp_path / MODEL_FILE, compile=False)
    np.testing.assert_allclose(
        predict_probabilities(loaded, walk_data.x_test[:4]),
        predict_probabilities(model, walk_data.x_test[:4]),
        atol=1e-5,
    )
    with pytest.raises(ValueError, match="Unknown backbone"):
        imagenet_networks("vgg99", walk_data.class_names, 40, weights=None)


@pytest.mark.model
def test_cli_backbone_reads_a_local_weights_file(
    tmp_path: Path, walk_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--weights PATH: what a machine without internet uses instead of the download."""
    features = keras.applications.MobileNetV3Small(
        input_shape=(40, 40, 3), include_top=False, weights=None, include_preprocessing=True
    )
    weights = tmp_path / "mobilenetv3small.weights.h5"
    features.save_weights(weights)
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    out = tmp_path / "mine"
    result = CliRunner().invoke(
        app,
        ["train", "--data", str(walk_zip), "--backbone", "mobilenetv3small", "--weights",
         str(weights), "--quick", "--image-size", "40", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    transfer = load_card(out).training.transfer
    assert transfer is not None and transfer.kind == "imagenet"
    assert transfer.weights == file_sha256(weights)


def test_auto_compares_scratch_and_each_local_model_on_a_validation_split(
    tmp_path: Path, quick_model_dir: Path, walk_data: Dataset
) -> None:
    split = validation_split(walk_data)
    assert len(split.y_test) == 16 and len(split.y_train) == 64  # 20% of each class
    assert set(np.bincount(split.y_test)) == {8}
    models = tmp_path / "models"
    models.mkdir()
    (models / "shapes").symlink_to(quick_model_dir)
    settings = make_settings(tmp_path / "home", quick_model_dir)
    parents = local_parents(settings, models)
    assert [p.name for p in parents] == ["shapes"]  # no registry yet: none created

    starts = [Start(), Start(parent=parents[0])]
    scores = compare_candidates(walk_data, starts, QUICK_TRANSFER)
    assert sorted(s.name for s in scores) == sorted([SCRATCH, "shapes"])
    assert scores[0].val_accuracy >= scores[1].val_accuracy
    assert all(0.0 <= s.val_accuracy <= 1.0 and s.seconds > 0 for s in scores)


@pytest.mark.model
def test_cli_auto_prints_the_comparison_and_keeps_the_best(
    tmp_path: Path, walk_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    out = tmp_path / "auto"
    result = CliRunner().invoke(
        app, ["train", "--data", str(walk_zip), "--from", "auto", "--quick", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Starts compared" in result.output
    assert SCRATCH in result.output and "cifar10" in result.output  # models/ is searched
    kept = result.output.split("Keeping ", 1)[1].split(":", 1)[0].strip()
    transfer = load_card(out).training.transfer
    assert (transfer is None) == (kept == SCRATCH)
    assert transfer is None or transfer.name.startswith(kept)


def test_unknown_parent_is_refused_with_a_clear_message(
    tmp_path: Path, walk_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    for spec in ("nowhere/model", "v42"):
        result = CliRunner().invoke(app, ["train", "--data", str(walk_zip), "--from", spec])
        assert result.exit_code == 2
        said = " ".join(result.output.split())  # rich wraps long lines
        assert "neither a model folder" in said or "No registered model version" in said
    both = ["train", "--data", str(walk_zip), "--from", "auto", "--backbone", "mobilenetv3small"]
    assert CliRunner().invoke(app, both).exit_code == 2


def test_your_data_end_to_end(
    tmp_path: Path, walk_zip: Path, quick_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's walk on generated images: fine-tune on a zip from a model you have,
    serve it, then retrain it from uploads with a replay of the zip."""
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    mine = tmp_path / "models" / "mine"
    result = CliRunner().invoke(
        app,
        ["train", "--data", str(walk_zip), "--from", str(quick_model_dir), "--quick",
         "--image-size", "40", "--out", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    card = load_card(mine)
    assert card.class_names == sorted(WALK_CLASSES) and card.input_shape == [40, 40, 3]
    assert card.metrics is not None and card.metrics.accuracy >= 0.75
    parent = card.training.transfer
    assert parent is not None and parent.kind == "model"
    assert parent.model_sha256 == file_sha256(quick_model_dir / MODEL_FILE)
    assert str(tmp_path) not in (mine / "card.json").read_text()  # no machine paths
    assert resolve_parent(str(mine), Settings(home=tmp_path / "home")).name == "mine"

    # Serve it: SIGHTLINE_MODEL_DIR and SIGHTLINE_DATASET (the replay) in settings.
    settings: Settings = make_settings(
        tmp_path / "home",
        mine,
        dataset=str(walk_zip),
        retrain_replay_per_class=20,
        retrain_eval_size=32,
    )
    from sightline.api.main import create_app

    admin = {"Authorization": "Bearer test-admin-token"}
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/api/predict",
            files={"file": ("c.png", image_bytes("circle", seed=5, size=40), "image/png")},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["prediction"] in WALK_CLASSES
        for shape in WALK_CLASSES:
            files = [
                ("files", (f"{shape}{i}.png", image_bytes(shape, seed=900 + i, size=40)))
                for i in range(10)
            ]
            uploaded = client.post(
                "/api/upload-training-data",
                params={"class_name": shape},
                files=files,
                headers=admin,
            )
            assert uploaded.status_code == 200, uploaded.text
        queued = client.post("/api/retrain", json={"epochs": 1}, headers=admin)
        assert queued.status_code == 202, queued.text
        assert Worker(settings).run_once()
        job = client.get(f"/api/retrain/{queued.json()['job_id']}").json()
    assert job["status"] in ("completed", "rejected"), job["message"]
    retrained = load_card(settings.registry_dir / job["model_version"])
    assert retrained.input_shape == [40, 40, 3]
    fine_tune_record = retrained.training.fine_tune
    assert fine_tune_record is not None and fine_tune_record.replay == 2 * 20
