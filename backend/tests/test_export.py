"""Exports: each format, reloaded by the tool that reads it, answers as Keras does; the
admin download route zips one, and refuses bad requests with clear errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sightline.data.datasets import Dataset
from sightline.errors import SightlineError
from sightline.ml.artifacts import load_model
from sightline.ml.card import CARD_FILE
from sightline.ml.export import ONNX_FILE, OPENVINO_XML, export_model_dir


@pytest.fixture(scope="module")
def keras_answers(quick_model_dir: Path, shapes_dataset: Dataset) -> np.ndarray:
    model = load_model(quick_model_dir)
    answers: np.ndarray = model(shapes_dataset.x_test.astype(np.float32)).numpy()
    return answers


def agreement(answers: np.ndarray, reference: np.ndarray) -> float:
    return float(np.mean(answers.argmax(1) == reference.argmax(1)))


def test_savedmodel_reloads_with_the_same_answers(
    quick_model_dir: Path, tmp_path: Path, shapes_dataset: Dataset, keras_answers: np.ndarray
) -> None:
    import tensorflow as tf

    out = export_model_dir(quick_model_dir, "savedmodel", tmp_path / "sm")
    assert (out / CARD_FILE).is_file()
    loaded = tf.saved_model.load(str(out))
    answers = loaded.serve(tf.constant(shapes_dataset.x_test, tf.float32)).numpy()
    assert agreement(answers, keras_answers) == 1.0
    assert np.allclose(answers, keras_answers, atol=1e-4)


def test_openvino_reloads_with_the_same_answers(
    quick_model_dir: Path, tmp_path: Path, shapes_dataset: Dataset, keras_answers: np.ndarray
) -> None:
    openvino = pytest.importorskip("openvino")
    out = export_model_dir(quick_model_dir, "openvino", tmp_path / "ov")
    compiled = openvino.Core().compile_model(str(out / OPENVINO_XML), "CPU")
    answers = compiled(shapes_dataset.x_test.astype(np.float32))[0]
    assert agreement(answers, keras_answers) >= 0.995


def test_onnx_loads_in_onnx_runtime_with_the_same_answers(
    quick_model_dir: Path, tmp_path: Path, shapes_dataset: Dataset, keras_answers: np.ndarray
) -> None:
    import onnx
    import onnxruntime

    out = export_model_dir(quick_model_dir, "onnx", tmp_path / "onnx")
    graph = onnx.load(str(out / ONNX_FILE)).graph
    assert "Erfc" not in {node.op_type for node in graph.node}  # no ONNX operator
    session = onnxruntime.InferenceSession(str(out / ONNX_FILE))
    assert [graph_input.name for graph_input in session.get_inputs()] == ["image"]
    answers = session.run(None, {"image": shapes_dataset.x_test.astype(np.float32)})[0]
    assert agreement(answers, keras_answers) >= 0.995
    assert np.abs(answers - keras_answers).max() < 1e-4


def test_unknown_format_is_refused(quick_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(SightlineError) as caught:
        export_model_dir(quick_model_dir, "pickle", tmp_path / "x")
    assert caught.value.status_code == 422


def test_export_route(client: TestClient, admin: dict[str, str]) -> None:
    url = "/api/models/v1/export"
    assert client.get(url, params={"format": "savedmodel"}).status_code == 401
    missing = client.get("/api/models/v99/export", headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_version"
    bad = client.get(url, params={"format": "pickle"}, headers=admin)
    assert bad.status_code == 422 and "detail" in bad.json()
    response = client.get(url, params={"format": "savedmodel"}, headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "sightline-v1-savedmodel.zip" in response.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert CARD_FILE in names and "saved_model.pb" in names


def test_the_command_writes_a_zip(quick_model_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sightline.cli import app

    out = tmp_path / "model.zip"
    args = ["export-model", "--model", str(quick_model_dir), "--format", "openvino"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {OPENVINO_XML, "model.bin", CARD_FILE} <= set(zipfile.ZipFile(out).namelist())
    refused = CliRunner().invoke(app, [*args[:-1], "pickle", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "Unknown export format" in refused.output
