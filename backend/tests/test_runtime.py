"""The runtime seam: OpenVINO serves only after agreeing with Keras, `auto` is never
slower than Keras, a converted model is reused, and /api/status and /metrics say which
runtime serves."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sightline.blob_store import file_sha256
from sightline.config import Settings, get_settings
from sightline.data.datasets import Dataset
from sightline.ml.artifacts import MODEL_FILE, load_check_images
from sightline.serving import runtime_choice
from sightline.serving.predictor import Predictor
from sightline.serving.runtime_choice import check_images, compare
from tests.factories import make_settings

pytest.importorskip("openvino")


@pytest.fixture(scope="module")
def keras_predictor(quick_model_dir: Path) -> Predictor:
    return Predictor("v1", quick_model_dir, runtime="keras")


def test_openvino_serves_the_same_answers_as_keras(
    quick_model_dir: Path, tmp_path: Path, keras_predictor: Predictor, shapes_dataset: Dataset
) -> None:
    predictor = Predictor("v1", quick_model_dir, runtime="openvino", cache_dir=tmp_path)
    report = predictor.runtime_report
    assert (report.name, report.requested, report.reason) == ("openvino", "openvino", None)
    assert report.agreement is not None and report.agreement >= 0.995
    held_out = load_check_images(quick_model_dir)  # saved by its training
    assert held_out is not None
    assert report.checked_images == len(check_images(predictor.input_size, held_out))
    images = shapes_dataset.x_test
    ours, reference = predictor.predict_arrays(images), keras_predictor.predict_arrays(images)
    assert ours.shape == reference.shape
    assert np.mean(ours.argmax(1) == reference.argmax(1)) >= 0.995
    assert np.allclose(ours.sum(1), 1.0, atol=1e-3)
    # Grad-CAM stays on the Keras model whatever serves.
    cam = predictor.gradcam().heatmap(images[0], int(reference[0].argmax()))
    assert cam.ndim == 2 and 0.0 <= cam.min() <= cam.max() <= 1.0


def test_the_converted_model_is_reused(quick_model_dir: Path, tmp_path: Path) -> None:
    Predictor("v1", quick_model_dir, runtime="openvino", cache_dir=tmp_path)
    converted = sorted((tmp_path / "openvino").glob("*/model.xml"))
    assert len(converted) == 1
    stamp = converted[0].stat().st_mtime_ns
    Predictor("v1", quick_model_dir, runtime="openvino", cache_dir=tmp_path)
    assert sorted((tmp_path / "openvino").glob("*/model.xml")) == converted
    assert converted[0].stat().st_mtime_ns == stamp
    key = converted[0].parent.name
    assert key.split("-")[0] == file_sha256(quick_model_dir / MODEL_FILE)
    assert "-ov" in key and key.endswith(("-f32", "-bf16", "-f16"))


def test_auto_is_never_slower_than_keras(quick_model_dir: Path, tmp_path: Path) -> None:
    report = Predictor("v1", quick_model_dir, runtime="auto", cache_dir=tmp_path).runtime_report
    timings = report.timings_ms
    assert set(timings) == {"keras", "openvino"}
    chosen, other = ("openvino", "keras") if report.name == "openvino" else ("keras", "openvino")
    if chosen == "openvino":
        assert all(timings["openvino"][k] <= timings["keras"][k] for k in timings["keras"])
    else:
        assert report.reason and "faster" in report.reason
        assert any(timings[other][k] > timings[chosen][k] for k in timings[chosen])


def test_a_runtime_that_disagrees_falls_back_to_keras(
    quick_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_choice, "MIN_AGREEMENT", 1.01)  # no runtime can pass
    predictor = Predictor("v1", quick_model_dir, runtime="openvino", cache_dir=tmp_path)
    report = predictor.runtime_report
    assert report.name == "keras" and report.requested == "openvino"
    assert report.reason is not None and "disagreed" in report.reason
    assert report.agreement is not None


def test_compare_counts_top1_and_flagged_share() -> None:
    reference = np.array([[0.9, 0.1], [0.2, 0.8], [0.55, 0.45], [0.6, 0.4]])
    same = compare(reference, reference, threshold=0.7)
    assert (same.agreement, same.flagged_gap, same.passes()) == (1.0, 0.0, True)
    flipped = reference.copy()
    flipped[2] = [0.45, 0.55]
    result = compare(reference, flipped, threshold=0.7)
    assert result.agreement == 0.75 and not result.passes()
    surer = reference.copy()
    surer[2] = [0.75, 0.25]  # the same answer, no longer flagged
    result = compare(reference, surer, threshold=0.7)
    assert result.agreement == 1.0 and result.flagged_gap == 0.25 and not result.passes()


@pytest.fixture
def openvino_client(
    tmp_path: Path, quick_model_dir: Path, shapes_dir: Path
) -> Iterator[TestClient]:
    from sightline.api.main import create_app

    settings: Settings = make_settings(
        tmp_path / "home", quick_model_dir, dataset=str(shapes_dir), runtime="openvino"
    )
    get_settings.cache_clear()
    with TestClient(create_app(settings)) as client:
        yield client


def test_status_and_metrics_name_the_runtime(openvino_client: TestClient) -> None:
    from tests.factories import image_bytes

    status = openvino_client.get("/api/status").json()
    assert status["runtime"]["name"] == "openvino"
    assert status["runtime"]["agreement"] >= 0.995
    answer = openvino_client.post(
        "/api/predict", files={"file": ("c.png", image_bytes("circle"), "image/png")}
    )
    assert answer.status_code == 200, answer.text
    metrics = openvino_client.get("/metrics").text
    assert "sightline_runtime_info{" in metrics
    assert 'runtime="openvino"' in metrics


def test_the_gate_scores_with_the_runtime_that_will_serve(
    quick_model_dir: Path, tmp_path: Path, shapes_dataset: Dataset
) -> None:
    from sightline.jobs.retrain import UploadSplit, score_model
    from sightline.ml.artifacts import load_model
    from sightline.ml.card import load_card
    from sightline.serving.runtime_choice import serving_runtime

    settings = make_settings(tmp_path / "home", quick_model_dir, runtime="openvino")
    model, card = load_model(quick_model_dir), load_card(quick_model_dir)
    runtime, report = serving_runtime(model, settings, card.uncertainty_threshold)
    assert runtime.name == report.name == "openvino"
    empty = np.zeros((0, *shapes_dataset.x_test.shape[1:]), np.uint8)
    uploads = UploadSplit(empty, np.zeros(0, int), empty, np.zeros(0, int))
    names = shapes_dataset.class_names
    by_keras = score_model(model, shapes_dataset, uploads, names)
    by_openvino = score_model(model, shapes_dataset, uploads, names, runtime=runtime)
    assert abs(by_openvino["accuracy"] - by_keras["accuracy"]) <= 0.01


def replica(settings: Settings, model_dir: Path, cache_dir: Path) -> Predictor:
    """A replica's predictor: its own cache folder, the shared database and store."""
    from sightline.blob_store import open_blob_store
    from sightline.serving.shared_ir import BlobSharedIR

    shared = BlobSharedIR(settings, open_blob_store(settings))
    return Predictor("v1", model_dir, runtime="openvino", cache_dir=cache_dir, shared_ir=shared)


def refuse_conversion(*args: object) -> None:
    raise AssertionError("converted again")


def test_a_replica_fetches_the_model_another_converted(
    settings: Settings, quick_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sightline.db.session import migrate
    from sightline.serving import runtime

    settings.ensure_dirs()
    migrate(settings)
    first = replica(settings, quick_model_dir, tmp_path / "first")
    monkeypatch.setattr(runtime, "export_openvino", refuse_conversion)
    second = replica(settings, quick_model_dir, tmp_path / "second")

    assert second.runtime_report.name == "openvino", second.runtime_report.reason
    assert len(list((tmp_path / "second" / "openvino").glob("*/model.xml"))) == 1
    images = check_images(second.input_size)
    np.testing.assert_allclose(second.predict_arrays(images), first.predict_arrays(images))


def test_a_shared_conversion_lost_from_the_store_is_converted_and_shared_again(
    settings: Settings, quick_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sightline.blob_store import open_blob_store
    from sightline.db.runtime_artifacts import find_runtime_artifact
    from sightline.db.session import migrate, session_scope
    from sightline.serving import runtime

    settings.ensure_dirs()
    migrate(settings)
    replica(settings, quick_model_dir, tmp_path / "first")
    key = runtime.ir_key(file_sha256(quick_model_dir / MODEL_FILE))
    store = open_blob_store(settings)
    with session_scope(settings) as session:
        lost = find_runtime_artifact(session=session, key=key)
    assert lost is not None
    store.delete(lost)

    second = replica(settings, quick_model_dir, tmp_path / "second")  # converts itself
    assert second.runtime_report.name == "openvino", second.runtime_report.reason
    with session_scope(settings) as session:
        shared_now = find_runtime_artifact(session=session, key=key)
    assert shared_now is not None and store.exists(shared_now)
    monkeypatch.setattr(runtime, "export_openvino", refuse_conversion)
    third = replica(settings, quick_model_dir, tmp_path / "third")  # fetches the new one
    assert third.runtime_report.name == "openvino", third.runtime_report.reason


def test_a_versions_held_out_images_are_checked_too(quick_model_dir: Path, tmp_path: Path) -> None:
    from sightline.ml.artifacts import CHECK_FILE

    folder = tmp_path / "model"
    shutil.copytree(quick_model_dir, folder)
    held_out = np.random.default_rng(4).integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    np.save(folder / CHECK_FILE, held_out)
    report = Predictor("v1", folder, runtime="openvino", cache_dir=tmp_path).runtime_report
    assert report.name == "openvino", report.reason
    assert report.checked_images == len(held_out) + len(check_images((32, 32)))
