"""What `sightline train` is asked to do: its flags, or a preset file (configs/train/)
with flags over it, checked against one another and turned into the recipe to run.

A preset's keys are the flags' names without the leading dashes (``outlier-fields =
1000``, ``from = "models/cifar10"``). Paths in a file are read like the flags' paths:
relative to the directory `sightline train` runs in, not to the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from sightline.ml.card import ModelCard
    from sightline.ml.training import TrainConfig
    from sightline.ml.transfer import TransferConfig


def _flag_name(field: str) -> str:
    """A field's key in a preset file: its flag without the dashes (from_ -> from)."""
    return field.rstrip("_").replace("_", "-")


class TrainRequest(BaseModel):
    """Every knob of `sightline train`, with the rules on which of them go together."""

    model_config = ConfigDict(
        alias_generator=_flag_name, populate_by_name=True, extra="forbid", frozen=True
    )

    # "cifar10" or an image-folder dataset (a folder or .zip with train/ and test/).
    data: str = "cifar10"
    # The model folder to write (model.keras + card.json).
    out: Path = Path("models/cifar10")
    # A small, fast network and schedule (training.QUICK, transfer.QUICK_TRANSFER).
    quick: bool = False
    # Epochs, fractions allowed; None: the recipe's own (35, 8 quick, 1 continued).
    epochs: float | None = None
    # Block widths are width, 4*width, 4*width; None: the recipe's (64 -> 64, 256, 256).
    width: int | None = None
    # Images per step; None: the recipe's, or the saved model's when continuing.
    batch_size: int | None = None
    # Seeds the initialisation, the data order and the augmentation.
    seed: int = 0
    # Train (or test) on a random subset of this many images; None: all of them.
    n_train: int | None = None
    n_test: int | None = None
    # Input side in pixels; None: 32 from scratch, the transfer recipe's 48 fine-tuned.
    image_size: int | None = None
    # Fine-tune from a model folder, a registered version (v3), or "auto" (compare them).
    from_: str | None = None
    # Fine-tune a keras.applications backbone (mobilenetv3small, efficientnetv2b0).
    backbone: str | None = None
    # A local weights file for the backbone, for a machine that cannot download them.
    weights: Path | None = None
    # The same dataset JPEG-compressed: half the compression augmentation draws from it.
    compressed_copy: str | None = None
    # Side of the square cut out of each training image; 0 or None: no cutout.
    cutout: int | None = None
    # Share of training images seen JPEG-compressed; None: 0.4 (0 quick).
    compression: float | None = Field(default=None, ge=0.0, le=1.0)
    # auto, float32 or bfloat16 convolutions from scratch; the saved model is float32.
    precision: str | None = None
    # A saved model to train further on the same data and classes, at a fine-tune rate.
    continue_from: Path | None = None
    # Smooth colour fields added to the training images, learning "none of the classes".
    outlier_fields: int | None = Field(default=None, ge=0)
    # Models whose mean answer each training image learns instead of its label.
    teacher: list[Path] = Field(default_factory=list)

    @field_validator("precision")
    @classmethod
    def _known_precision(cls, precision: str | None) -> str | None:
        from sightline.ml.training import PRECISIONS

        if precision is not None and precision not in PRECISIONS:
            raise PydanticCustomError("precision", "one of " + ", ".join(PRECISIONS))
        return precision

    @model_validator(mode="after")
    def _compatible(self) -> TrainRequest:
        if self.from_ is not None and self.backbone is not None:
            _refuse("--from and --backbone are two different starts: give one.")
        if self.continue_from is not None and self.adapts:
            _refuse("--continue-from trains a model on; --from/--backbone adapt one.")
        # Refused rather than ignored: the saved model fixes its widths and trains on
        # in float32 (ml/training.train).
        if self.continue_from is not None and (
            self.quick or self.width is not None or self.precision is not None
        ):
            _refuse(
                "--continue-from keeps the saved model's widths and trains in float32: "
                "--quick, --width and --precision do not apply."
            )
        if (self.teacher or self.outlier_fields) and self.adapts:
            _refuse(
                "--teacher and --outlier-fields train a Sightline CNN; --from/--backbone adapt one."
            )
        return self

    @property
    def adapts(self) -> bool:
        """Whether this fine-tunes another model (--from, --backbone) for new classes."""
        return self.from_ is not None or self.backbone is not None

    def train_config(self) -> TrainConfig:
        """The from-scratch recipe: the defaults (or the quick ones) with the knobs set."""
        from sightline.ml.training import QUICK, TrainConfig

        widths = None if self.width is None else (self.width, 4 * self.width, 4 * self.width)
        knobs = _set(
            epochs=self.epochs,
            widths=widths,
            batch_size=self.batch_size,
            cutout=self.cutout,
            compression_probability=self.compression,
            outlier_fields=self.outlier_fields,
            precision=self.precision,
        )
        return replace(QUICK if self.quick else TrainConfig(), seed=self.seed, **knobs)

    def continuation_config(self, parent: ModelCard) -> TrainConfig:
        """The recipe of --continue-from: the saved model's widths and batch size, one
        epoch by default, no cutout unless asked for."""
        from sightline.ml.training import continuation_config

        architecture = parent.architecture
        knobs = _set(
            widths=None if architecture is None else tuple(architecture.widths),
            batch_size=self.batch_size or parent.training.config.get("batch_size"),
            compression_probability=self.compression,
            outlier_fields=self.outlier_fields,
        )
        return continuation_config(
            self.epochs or 1.0, seed=self.seed, cutout=self.cutout or 0, **knobs
        )

    def transfer_config(self) -> TransferConfig | None:
        """The fine-tuning recipe when --from or --backbone asks for one, else None."""
        from sightline.ml.transfer import QUICK_TRANSFER, TransferConfig

        if not self.adapts:
            return None
        knobs = _set(epochs=self.epochs, batch_size=self.batch_size, image_size=self.image_size)
        return replace(QUICK_TRANSFER if self.quick else TransferConfig(), seed=self.seed, **knobs)

    def as_flags(self) -> list[str]:
        """The flags that make this request without a preset: what a model's card
        records of a preset run, since the file may change after it."""
        flags: list[str] = []
        for name in type(self).model_fields:
            if name not in self.model_fields_set:
                continue
            value, flag = getattr(self, name), "--" + _flag_name(name)
            if isinstance(value, bool):
                flags.append(flag if value else "--no-" + flag[2:])
            elif isinstance(value, list):
                flags += [part for item in value for part in (flag, str(item))]
            elif value is not None:
                flags += [flag, str(value)]
        return flags

    @property
    def input_side(self) -> int:
        """The side the data is loaded at."""
        transfer = self.transfer_config()
        if transfer is not None:
            return transfer.image_size
        return self.image_size or 32


def _set(**knobs: object) -> dict[str, Any]:
    """The knobs a request sets; the others keep the recipe's values."""
    return {name: value for name, value in knobs.items() if value is not None}


def _refuse(message: str) -> None:
    """A rule broken: the message is the whole explanation (no "Value error," prefix)."""
    raise PydanticCustomError("incompatible_flags", message)


def read_preset(path: Path) -> dict[str, Any]:
    """A preset file's values, by flag name (checked when the request is built)."""
    with path.open("rb") as file:
        return tomllib.load(file)


def train_request(preset: Mapping[str, Any], flags: Mapping[str, Any]) -> TrainRequest:
    """The request of a preset's values with the flags given on the command line over
    them; ``flags`` are keyed by field name (from_, batch_size)."""
    by_flag = {_flag_name(name): value for name, value in flags.items()}
    # By flag name only: a file's outlier_fields is a typo, not a second spelling.
    return TrainRequest.model_validate({**preset, **by_flag}, by_alias=True, by_name=False)


def explain(error: ValidationError) -> str:
    """A rejected request in the flags' terms, one line per problem."""
    lines = []
    for problem in error.errors():
        flag, *index = problem["loc"] or ("",)
        where = f"--{flag}" + "".join(f"[{i}]" for i in index) if flag else ""
        lines.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "\n".join(lines)
