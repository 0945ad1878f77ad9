"""`sightline train`'s request (ml/train_request.py) and presets (configs/train/): the
flags' rules, the recipe each preset resolves to, and flags over a preset. Nothing here
trains: the CLI is stopped where it would start loading data."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from sightline.cli import app
from sightline.config import REPO_ROOT
from sightline.ml import train_runner
from sightline.ml.card import load_card
from sightline.ml.train_request import TrainRequest, explain, read_preset, train_request
from sightline.ml.training import QUICK, TrainConfig, continuation_config
from sightline.ml.transfer import QUICK_TRANSFER, TransferConfig

PRESETS = REPO_ROOT / "configs" / "train"
SHIPPED = REPO_ROOT / "models" / "cifar10"


class _Stopped(Exception):
    """Raised where the CLI would start loading data, with the request it built."""

    def __init__(self, request: TrainRequest) -> None:
        super().__init__("stopped before loading")
        self.request = request


def _stop(request: TrainRequest, *_: Any) -> None:
    raise _Stopped(request)


@pytest.fixture
def requested(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``requested(args)``: the request `sightline train args` builds, or its refusal."""
    monkeypatch.setattr(train_runner, "prepare_training", _stop)

    def invoke(args: list[str]) -> TrainRequest:
        result = CliRunner().invoke(app, ["train", *args])
        if isinstance(result.exception, _Stopped):
            return result.exception.request
        raise AssertionError(f"exit {result.exit_code}: {result.output}")

    return invoke


def _refusal(args: list[str]) -> str:
    result = CliRunner().invoke(app, ["train", *args])
    assert result.exit_code == 2, result.output
    return " ".join(result.output.replace("│", " ").split())  # rich wraps and boxes it


def _recipe_commands() -> list[list[str]]:
    """The shipped model's recipe as its card records it: four `sightline train` lines."""
    command = load_card(SHIPPED).training.command
    assert command is not None
    steps = [shlex.split(step) for step in command.split("&&")]
    return [step[step.index("train") + 1 :] for step in steps]


def test_the_shipped_recipe_runs_as_its_presets(requested: Any) -> None:
    """Each preset is its recipe line: the same request, hence the same recipe."""
    presets = ["teacher-a", "teacher-b", "teacher-c", "student"]
    for preset, flags in zip(presets, _recipe_commands(), strict=True):
        from_flags = requested(flags)
        from_preset = requested(["--config", str(PRESETS / f"{preset}.toml")])
        assert from_preset == from_flags, preset
        assert from_preset.train_config() == from_flags.train_config()
        data_and_out = ["--data", "cifar10", "--out", f"runs/{preset}"]
        assert requested(["--config", str(PRESETS / f"{preset}.toml"), *data_and_out]) == (
            from_flags.model_copy(update={"out": Path(f"runs/{preset}")})
        )


def test_a_preset_run_records_the_flags_it_equals(requested: Any) -> None:
    """A card records a preset run as flags: the file may change after the run."""
    for preset in PRESETS.glob("*.toml"):
        request = requested(["--config", str(preset), "--epochs", "2", "--no-quick"])
        assert requested(request.as_flags()) == request, preset.name
    student = requested(["--config", str(PRESETS / "student.toml")]).as_flags()
    assert student == shlex.split(
        "--data cifar10 --out models/cifar10 --epochs 30.0 --compressed-copy "
        "../shared/datasets/cifar10-jpg.zip --cutout 10 --outlier-fields 1000 --teacher "
        "runs/teacher-a --teacher runs/teacher-b --teacher runs/teacher-c"
    )


def test_each_preset_resolves_to_its_recipe() -> None:
    def preset(name: str) -> TrainRequest:
        return train_request(read_preset(PRESETS / f"{name}.toml"), {})

    teacher = TrainConfig(epochs=35, cutout=10)
    assert preset("teacher-a").train_config() == teacher
    assert preset("teacher-b").train_config() == TrainConfig(epochs=35, precision="float32")
    assert preset("teacher-c").train_config() == teacher
    student = preset("student")
    assert student.train_config() == TrainConfig(epochs=30, cutout=10, outlier_fields=1000)
    assert student.teacher == [Path(f"runs/teacher-{x}") for x in "abc"]
    assert preset("quick").train_config() == QUICK
    assert preset("quick").transfer_config() is None
    fine_tune = preset("fine-tune")
    assert fine_tune.transfer_config() == TransferConfig()
    assert fine_tune.from_ == "models/cifar10" and fine_tune.input_side == 48


def test_flags_override_the_preset(requested: Any) -> None:
    teacher_a = str(PRESETS / "teacher-a.toml")
    request = requested(["--config", teacher_a, "--epochs", "1", "--cutout", "0"])
    assert request.train_config() == TrainConfig(epochs=1, cutout=0)
    assert request.compressed_copy == "../shared/datasets/cifar10-jpg.zip"  # from the file
    student = str(PRESETS / "student.toml")
    assert requested(["--config", student, "--teacher", "mine"]).teacher == [Path("mine")]
    quick = requested(["--config", str(PRESETS / "quick.toml"), "--no-quick"])
    assert quick.train_config() == TrainConfig()
    fine_tune = requested(["--config", str(PRESETS / "fine-tune.toml"), "--quick"])
    assert fine_tune.transfer_config() == replace(QUICK_TRANSFER, image_size=48)


def test_flags_alone_resolve_as_before(requested: Any) -> None:
    """The recipes the flags gave before presets existed."""
    assert requested([]).train_config() == TrainConfig()
    assert requested([]).out == Path("models/cifar10") and requested([]).data == "cifar10"
    quick = requested(["--quick", "--width", "8", "--seed", "3", "--compression", "0.5"])
    expected = replace(QUICK, widths=(8, 32, 32), seed=3, compression_probability=0.5)
    assert quick.train_config() == expected
    adapted = requested(["--from", "auto", "--epochs", "2", "--batch-size", "16"])
    assert adapted.transfer_config() == TransferConfig(epochs=2, batch_size=16)
    assert requested(["--backbone", "mobilenetv3small", "--quick"]).input_side == 32
    assert requested(["--image-size", "40"]).input_side == 40


def test_continuing_keeps_the_saved_models_shape() -> None:
    parent = load_card(SHIPPED)
    assert parent.architecture is not None
    widths = tuple(parent.architecture.widths)
    saved = TrainRequest(continue_from=SHIPPED)
    assert saved.continuation_config(parent) == continuation_config(
        1.0, seed=0, cutout=0, widths=widths, batch_size=1024
    )
    asked = TrainRequest(continue_from=SHIPPED, epochs=2, batch_size=64, cutout=4, compression=0.5)
    assert asked.continuation_config(parent) == continuation_config(
        2.0, seed=0, cutout=4, widths=widths, batch_size=64, compression_probability=0.5
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "auto", "--backbone", "mobilenetv3small"], ["--from", "--backbone"]),
        (["--continue-from", "m", "--from", "auto"], ["--continue-from", "--from"]),
        (["--continue-from", "m", "--backbone", "x"], ["--continue-from", "--backbone"]),
        (["--continue-from", "m", "--quick"], ["--continue-from", "--quick"]),
        (["--continue-from", "m", "--width", "32"], ["--continue-from", "--width"]),
        (["--continue-from", "m", "--precision", "float32"], ["--precision"]),
        (["--teacher", "t", "--from", "auto"], ["--teacher", "--from"]),
        (["--outlier-fields", "10", "--backbone", "x"], ["--outlier-fields", "--backbone"]),
        (["--compression", "1.5"], ["--compression"]),
        (["--compression", "-0.1"], ["--compression"]),
        (["--outlier-fields", "-1"], ["--outlier-fields"]),
        (["--precision", "fp8"], ["--precision", "auto, float32, bfloat16"]),
    ],
)
def test_each_rule_refuses_with_the_flags_it_concerns(args: list[str], named: list[str]) -> None:
    said = _refusal(args)
    assert all(flag in said for flag in named), said


def test_a_rule_holds_for_a_preset_and_its_flags_together() -> None:
    said = _refusal(["--config", str(PRESETS / "student.toml"), "--from", "models/cifar10"])
    assert "--teacher and --outlier-fields" in said
    fine_tune = str(PRESETS / "fine-tune.toml")
    assert "--continue-from" in _refusal(["--config", fine_tune, "--continue-from", "m"])


def test_a_preset_with_an_unknown_key_or_bad_toml_is_refused(tmp_path: Path) -> None:
    typo = tmp_path / "typo.toml"
    typo.write_text('outlier_fields = 10\nepochs = "many"\nteacher = ["a", 3]\n')
    with pytest.raises(ValidationError) as refused:
        train_request(read_preset(typo), {})
    lines = explain(refused.value).splitlines()
    flags = [line.split(":")[0] for line in lines]
    assert flags == ["--epochs", "--teacher[1]", "--outlier_fields"]
    assert lines[-1].endswith("Extra inputs are not permitted")
    broken = tmp_path / "broken.toml"
    broken.write_text("epochs = \n")
    assert "--config" in _refusal(["--config", str(broken)])
    assert "--config" in _refusal(["--config", str(tmp_path / "missing.toml")])
