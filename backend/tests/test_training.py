"""Training end to end with --quick: the CLI trains, evaluates and saves a model whose
saved form takes raw images and reproduces the reported accuracy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from sightline.data.datasets import Dataset, dataset_fingerprint, load_image_folder
from sightline.data.synthetic import SHAPES, make_shapes_dataset
from sightline.ml.artifacts import load_model
from sightline.ml.card import load_card
from sightline.ml.evaluation import calibrate_uncertainty, classification_metrics
from sightline.ml.model import HorizontalFlip, networks_from_serving_model
from sightline.ml.training import predict_probabilities


def test_quick_model_learns_and_its_card_is_complete(
    quick_model_dir: Path, shapes_dataset: Dataset
) -> None:
    card = load_card(quick_model_dir)
    assert card.class_names == shapes_dataset.class_names
    assert card.input_shape == [32, 32, 3]
    assert card.metrics is not None and card.uncertainty is not None
    assert card.metrics.accuracy >= 0.8  # three easy shapes; chance is 0.33
    assert set(card.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(card.history["loss"]) == 8
    assert 0 < card.uncertainty.threshold <= 1
    assert card.training.config["epochs"] == 8
    assert card.model_sha256
    # The training data by name and content hash, never by where it lay.
    assert card.training.dataset is not None
    assert card.training.dataset.name == shapes_dataset.name
    assert card.training.dataset.sha256 == dataset_fingerprint(Path(shapes_dataset.source))
    assert shapes_dataset.source not in (quick_model_dir / "card.json").read_text()


def test_saved_model_takes_raw_uint8_and_matches_the_card(
    quick_model_dir: Path, shapes_dataset: Dataset
) -> None:
    model = load_model(quick_model_dir)
    probabilities = predict_probabilities(model, shapes_dataset.x_test)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    accuracy = float(np.mean(probabilities.argmax(1) == shapes_dataset.y_test))
    card = load_card(quick_model_dir)
    assert card.metrics is not None
    assert accuracy == pytest.approx(card.metrics.accuracy)
    mirrored = predict_probabilities(model, shapes_dataset.x_test[:, :, ::-1])
    np.testing.assert_allclose(mirrored, probabilities, atol=1e-5)  # flip TTA is inside


def test_a_model_saved_in_the_two_pass_form_serves_the_same_rebuilt(
    quick_model_dir: Path, shapes_dataset: Dataset, tmp_path: Path
) -> None:
    """Models saved before the mirror pass was batched (the image and its mirror through
    the network one after the other) still load, and fine-tuning rebuilds them in the
    one-pass form with the same answers."""
    current = load_model(quick_model_dir)
    backbone, normalize = current.get_layer("backbone"), current.get_layer("normalize")
    raw = keras.Input(current.input_shape[1:], name="image")
    normalized = normalize(raw)
    mirrored = backbone(HorizontalFlip(name="mirror")(normalized))
    logits = keras.layers.Average(name="flip_average")([backbone(normalized), mirrored])
    keras.Model(raw, keras.layers.Softmax()(logits)).save(tmp_path / "two_pass.keras")
    two_pass = keras.saving.load_model(tmp_path / "two_pass.keras", compile=False)

    rebuilt = networks_from_serving_model(two_pass).serving_model
    assert {"mirror_batch", "mirror_average"} <= {layer.name for layer in rebuilt.layers}
    np.testing.assert_allclose(
        predict_probabilities(rebuilt, shapes_dataset.x_test),
        predict_probabilities(two_pass, shapes_dataset.x_test),
        atol=1e-5,
    )


@pytest.mark.model
@pytest.mark.process
def test_cli_train_and_eval(shapes_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    env = {**os.environ, "SIGHTLINE_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "sightline.cli"]
    subprocess.run(
        [*cli, "train", "--quick", "--data", str(shapes_dir), "--out", str(out), "--epochs", "3"],
        check=True,
        env=env,
        capture_output=True,
    )
    assert (out / "model.keras").exists()
    refused = subprocess.run(
        [*cli, "train", "--quick", "--data", str(shapes_dir), "--precision", "fp8"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "--precision" in refused.stderr
    report = tmp_path / "report.json"
    result = subprocess.run(
        [*cli, "eval", "--model", str(out), "--data", str(shapes_dir), "--json", str(report)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "Test accuracy" in result.stdout
    metrics = json.loads(report.read_text())["metrics"]
    assert metrics["evaluated_on"]["n"] == 60


def test_binary_datasets_get_roc_auc() -> None:
    labels = np.array([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55]])
    metrics = classification_metrics(probabilities, labels, ["cat", "dog"])
    assert metrics["roc_auc"] == 1.0
    assert metrics["accuracy"] == 1.0
    assert metrics["confusion_matrix"] == [[2, 0], [0, 2]]


def test_uncertainty_threshold_reaches_the_target_precision() -> None:
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 2000)
    labels = np.zeros(2000, int)
    correct = rng.uniform(size=2000) < confidence  # more confident, more often right
    predicted = np.where(correct, 0, 1)
    probabilities = np.zeros((2000, 2))
    probabilities[np.arange(2000), predicted] = confidence
    probabilities[np.arange(2000), 1 - predicted] = 1 - confidence
    result = calibrate_uncertainty(probabilities, labels, target_precision=0.9)
    kept = probabilities.max(1) >= result["threshold"]
    assert (probabilities.argmax(1)[kept] == 0).mean() >= 0.9
    assert 0 < result["flagged_share"] < 1


@pytest.mark.model
def test_a_run_shorter_than_one_lookahead_period_keeps_what_it_learned(
    shapes_dataset: Dataset,
) -> None:
    """Lookahead snaps the weights to their running average at the end; a run of fewer
    steps than one lookahead period has no average yet and must keep its weights."""
    from dataclasses import replace

    from sightline.ml.training import QUICK, new_networks, train

    config = replace(QUICK, epochs=1, batch_size=len(shapes_dataset.y_train) // 2, val_size=0)
    networks = new_networks(shapes_dataset, config)
    before = [np.array(w) for w in networks.backbone.get_weights()]
    result = train(shapes_dataset, config, networks=networks)
    assert 0 < result.steps < config.lookahead_every
    after = networks.backbone.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))


def test_cutout_fills_one_square_per_image_with_the_mean_colour() -> None:
    from sightline.ml.training import _cutout

    images = np.full((64, 32, 32, 3), 200, np.uint8)
    fill = np.array([10.0, 20.0, 30.0], np.float32)
    out = _cutout(images, 10, fill, np.random.default_rng(0))
    filled = np.all(out == fill, axis=-1)
    untouched = np.all(out == 200, axis=-1)
    assert np.all(filled | untouched)
    for mask in filled:
        rows, cols = np.nonzero(mask)
        assert len(rows) > 0  # the centre is always inside the image
        # One axis-aligned square of side 10, clipped by the border.
        height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert height <= 10 and width <= 10 and mask.sum() == height * width
    assert filled.sum(axis=(1, 2)).mean() > 50  # mostly whole squares, not slivers


@pytest.mark.model
def test_bf16_training_learns_and_leaves_a_float32_model(shapes_dataset: Dataset) -> None:
    """bfloat16 is a training speed-up only: the networks that come back, and so the saved
    model, compute in float32 and agree with what training measured."""
    from dataclasses import replace

    from sightline.ml.training import QUICK, train

    config = replace(QUICK, precision="bfloat16", cutout=8)
    result = train(shapes_dataset, config)
    assert result.config.precision == "bfloat16"
    policies = {layer.dtype_policy.name for layer in result.networks.backbone.layers}
    assert policies == {"float32"}
    probabilities = predict_probabilities(result.networks.serving_model, shapes_dataset.x_test)
    assert probabilities.dtype == np.float32
    assert float(np.mean(probabilities.argmax(1) == shapes_dataset.y_test)) >= 0.8


def test_auto_precision_resolves_and_an_unknown_one_is_refused() -> None:
    from sightline.ml.training import TrainConfig, native_bf16, resolve_precision

    resolved = resolve_precision(TrainConfig()).precision
    assert resolved == ("bfloat16" if native_bf16() else "float32")
    assert resolve_precision(TrainConfig(precision="float32")).precision == "float32"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision(TrainConfig(precision="fp8"))


def test_continue_from_trains_a_saved_model_further(
    quick_model_dir: Path,
    shapes_dir: Path,
    shapes_dataset: Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--continue-from starts from the saved weights (not from scratch) and records a
    one-epoch, no-cutout fine-tune, with the --compression asked for, in the new card."""
    from typer.testing import CliRunner

    from sightline.cli import app
    from sightline.config import get_settings

    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    out = tmp_path / "continued"
    args = ["train", "--data", str(shapes_dir), "--continue-from", str(quick_model_dir)]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--compression", "0.5"])
    assert result.exit_code == 0, result.output

    card = load_card(out)
    assert card.training.config["fine_tune"] is True
    assert card.training.config["compression_probability"] == 0.5
    assert card.training.config["epochs"] == 1.0 and card.training.config["cutout"] == 0
    # The saved model's own shape and batch size (the --quick ones), not the defaults.
    assert card.training.config["widths"] == [16, 32, 32]
    assert card.training.config["batch_size"] == 32
    assert card.training.parent == load_card(quick_model_dir).model_sha256 is not None
    before = load_model(quick_model_dir).get_weights()
    after = load_model(out).get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    # One low-rate epoch keeps what the saved model knew.
    assert card.metrics is not None and card.metrics.accuracy >= 0.8

    other = tmp_path / "other"
    make_shapes_dataset(other, SHAPES[1:4])
    refused = CliRunner().invoke(app, ["train", "--data", str(other), "--continue-from", str(out)])
    assert refused.exit_code == 2 and "--continue-from" in refused.output
    beyond = CliRunner().invoke(app, [*args, "--compression", "1.5"])
    assert beyond.exit_code == 2 and "--compression" in beyond.output
    for ignored in (["--width", "32"], ["--precision", "bfloat16"], ["--quick"]):
        refused = CliRunner().invoke(app, [*args, *ignored])
        assert refused.exit_code == 2 and ignored[0] in refused.output


@pytest.mark.model
def test_a_student_learns_its_teachers_answers_instead_of_the_labels(
    shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--teacher: the student learns what the teachers answer, even against the labels
    (here a teacher taught that circles are squares and squares circles), and its card
    names each teacher by hash, accuracy and training time, never by path. A teacher of
    other classes, and --teacher with --from, are refused."""
    from typer.testing import CliRunner

    from sightline.cli import app
    from sightline.config import get_settings

    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    swapped = tmp_path / "swapped"
    shutil.copytree(shapes_dir, swapped)
    for split in ("train", "test"):
        (swapped / split / "circle").rename(swapped / split / "was-circle")
        (swapped / split / "square").rename(swapped / split / "circle")
        (swapped / split / "was-circle").rename(swapped / split / "square")
    teacher = tmp_path / "teacher"
    taught = CliRunner().invoke(
        app, ["train", "--data", str(swapped), "--quick", "--out", str(teacher)]
    )
    assert taught.exit_code == 0, taught.output

    student = tmp_path / "student"
    args = ["train", "--data", str(shapes_dir), "--quick", "--teacher", str(teacher)]
    result = CliRunner().invoke(app, [*args, "--out", str(student)])
    assert result.exit_code == 0, result.output

    dataset = load_image_folder(shapes_dir)
    answers = predict_probabilities(load_model(student), dataset.x_test).argmax(axis=1)
    # A quick student learns the teacher's circles-are-squares in full; the squares'
    # soft "circle" (0.56 on average) only in part, so only circles are asserted.
    circle, triangle = dataset.y_test == 0, dataset.y_test == 2
    assert np.mean(answers[circle] == 1) > 0.8 and np.mean(answers[triangle] == 2) > 0.8
    card = load_card(student)
    assert card.training.distillation is not None
    (recorded,) = card.training.distillation.teachers
    teacher_card = load_card(teacher)
    assert recorded.model_sha256 == teacher_card.model_sha256 is not None
    assert teacher_card.metrics is not None and recorded.accuracy == teacher_card.metrics.accuracy
    assert recorded.training_seconds == teacher_card.training.seconds
    assert str(tmp_path) not in card.model_dump_json()

    other = tmp_path / "other"
    make_shapes_dataset(other, SHAPES[1:4])
    refused = CliRunner().invoke(app, ["train", "--data", str(other), "--teacher", str(teacher)])
    assert refused.exit_code == 2 and "--teacher" in refused.output
    adapted = CliRunner().invoke(app, [*args, "--from", str(teacher)])
    assert adapted.exit_code == 2 and "--teacher" in adapted.output
    fields = ["--outlier-fields", "10", "--from", str(teacher)]
    adapted = CliRunner().invoke(app, ["train", "--data", str(shapes_dir), *fields])
    assert adapted.exit_code == 2 and "--outlier-fields" in adapted.output


@pytest.mark.model
def test_soft_targets_are_learned_instead_of_the_labels(shapes_dataset: Dataset) -> None:
    """Rows with soft targets learn those probabilities (here: circles taught "square");
    the other rows still learn their labels."""
    from dataclasses import replace

    from sightline.ml.training import QUICK, SoftTargets, train

    y = shapes_dataset.y_train
    rows = y == 0
    probabilities = np.zeros((len(y), 3), np.float32)
    probabilities[rows] = [0.05, 0.9, 0.05]
    result = train(
        shapes_dataset, replace(QUICK, val_size=0), soft_targets=SoftTargets(probabilities, rows)
    )
    predicted = predict_probabilities(result.networks.serving_model, shapes_dataset.x_test).argmax(
        1
    )
    y_test = shapes_dataset.y_test
    assert np.mean(predicted[y_test == 0] == 1) > 0.8  # circles answered "square"
    assert np.mean(predicted[y_test == 2] == 2) > 0.8  # triangles still "triangle"
    with pytest.raises(ValueError, match="one row"):
        SoftTargets(probabilities[:-1], rows)


@pytest.mark.parametrize(("follows", "kept"), [(False, (0.9, 0.996)), (True, (0.9995, 1.0005))])
def test_a_fine_tunes_decay_shrinks_the_weights_unless_it_follows_the_rate(
    quick_model_dir: Path, shapes_dataset: Dataset, follows: bool, kept: tuple[float, float]
) -> None:
    """At a rate too small to learn anything, the recipe's decoupled decay still shrinks
    the weights; scaled with the rate (decay_follows_lr), it leaves them be."""
    from sightline.ml.training import QUICK, fine_tune_config, train

    networks = networks_from_serving_model(load_model(quick_model_dir))
    norm = lambda: float(np.sqrt(sum(np.sum(w**2) for w in networks.backbone.trainable_weights)))  # noqa: E731
    before = norm()
    config = fine_tune_config(QUICK, epochs=20, lr=1e-6, val_size=0, decay_follows_lr=follows)
    train(shapes_dataset, config, networks=networks)
    assert kept[0] < norm() / before < kept[1]


@pytest.mark.model
def test_outlier_fields_make_noise_less_sure_than_real_images(shapes_dataset: Dataset) -> None:
    """--outlier-fields: smooth colour fields learn the uniform answer, and the doubt
    carries over to uniform noise, which the model never saw. Trained without them, the
    quick model is surer of noise than of its own test images (0.83 vs 0.55 on average);
    with them, less sure (0.50 vs 0.71). The shapes are still learned."""
    from dataclasses import replace

    from sightline.ml.training import QUICK, train
    from sightline.ml.uncertainty import out_of_class_images

    noise = out_of_class_images("noise", 200, (32, 32), seed=5)

    def mean_top_probability(outlier_fields: int) -> tuple[float, float]:
        """On the test images and on noise."""
        config = replace(QUICK, val_size=0, outlier_fields=outlier_fields)
        model = train(shapes_dataset, config).networks.serving_model
        on_test = predict_probabilities(model, shapes_dataset.x_test)
        assert np.mean(on_test.argmax(1) == shapes_dataset.y_test) > 0.8
        on_noise = predict_probabilities(model, noise)
        return float(on_test.max(1).mean()), float(on_noise.max(1).mean())

    test_without, noise_without = mean_top_probability(0)
    test_with, noise_with = mean_top_probability(180)
    assert noise_with < test_with - 0.1
    assert noise_with - test_with < noise_without - test_without - 0.2


def test_outlier_fields_join_the_images_the_copy_and_the_soft_targets(
    shapes_dataset: Dataset,
) -> None:
    """The fields are appended to the training images and, row for row, to the compressed
    copy; they learn the uniform answer while earlier soft targets and labels stay."""
    from sightline.ml.training import SoftTargets, with_outlier_fields

    n = len(shapes_dataset.y_train)
    rows = shapes_dataset.y_train == 0
    soft = SoftTargets(np.full((n, 3), [0.1, 0.8, 0.1], np.float32), rows)
    copy = shapes_dataset.x_train // 2
    extended, extended_copy, targets = with_outlier_fields(shapes_dataset, copy, soft, 30, 0)
    assert extended.x_train.shape == (n + 30, *shapes_dataset.x_train.shape[1:])
    assert extended_copy is not None and np.array_equal(extended_copy[:n], copy)
    assert np.array_equal(extended_copy[n:], extended.x_train[n:])
    assert np.array_equal(extended.y_train[:n], shapes_dataset.y_train)
    assert np.array_equal(targets.rows, np.concatenate([rows, np.ones(30, bool)]))
    assert np.allclose(targets.probabilities[n:], 1 / 3)
    assert np.array_equal(targets.probabilities[:n][rows], soft.probabilities[rows])
    assert extended.counts("train") == shapes_dataset.counts("train")


def test_teachers_answers_are_cached_by_model_hash_and_images(
    quick_model_dir: Path, shapes_dataset: Dataset, tmp_path: Path
) -> None:
    """A second student of the same teachers and images reads their answers (and the
    seconds they took) from the cache; other images are asked afresh."""
    from dataclasses import replace

    from sightline.ml.distillation import load_teacher, teacher_targets

    teacher = load_teacher(quick_model_dir, shapes_dataset.class_names)
    images = shapes_dataset.x_train
    first, seconds = teacher_targets([teacher], images, cache_dir=tmp_path)
    assert np.allclose(first.probabilities, predict_probabilities(teacher.model, images))
    # The same card (the key) over a model that answers otherwise: the cache answers.
    untrained = keras.models.clone_model(teacher.model)
    impostor = replace(teacher, model=untrained)
    again, seconds_again = teacher_targets([impostor], images, cache_dir=tmp_path)
    assert np.array_equal(again.probabilities, first.probabilities)
    assert seconds_again == seconds
    others, _ = teacher_targets([impostor], images[:10], cache_dir=tmp_path)
    assert np.allclose(others.probabilities, predict_probabilities(untrained, images[:10]))
    assert not np.allclose(others.probabilities, first.probabilities[:10])
    assert len(list((tmp_path / "teacher-answers").glob("*.npz"))) == 2
