"""The model card (ml/card.py): older cards load, no machine path survives a save,
the training data is named by its content hash, and extra evaluations are kept."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from sightline.config import REPO_ROOT
from sightline.data.datasets import dataset_fingerprint
from sightline.ml.card import (
    CARD_FILE,
    DEFAULT_UNCERTAINTY_THRESHOLD,
    Evaluation,
    ModelCard,
    load_card,
    save_card,
)

SHIPPED_CARD = REPO_ROOT / "models" / "cifar10" / CARD_FILE


def write_raw(folder: Path, data: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CARD_FILE).write_text(json.dumps(data))
    return folder


def test_the_committed_card_loads_and_loses_its_machine_path_on_saving(tmp_path: Path) -> None:
    raw = json.loads(SHIPPED_CARD.read_text())
    shutil.copy(SHIPPED_CARD, tmp_path / CARD_FILE)
    card = load_card(tmp_path)
    assert card.class_names == raw["class_names"]
    assert card.metrics is not None
    assert card.metrics.accuracy == raw["metrics"]["accuracy"]
    assert card.training.dataset is not None
    assert card.training.dataset.name == raw["training"]["dataset"]["name"]
    assert card.uncertainty_threshold == raw["uncertainty"]["threshold"]
    save_card(tmp_path, card)
    saved = (tmp_path / CARD_FILE).read_text()
    source = raw["training"]["dataset"].get("source")
    if source and not source.startswith("http"):
        assert source not in saved
    assert load_card(tmp_path) == card


def test_an_old_download_url_is_kept_as_the_url(tmp_path: Path) -> None:
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    training = {"dataset": {"name": "cifar10", "source": url, "train": {"a": 1}}}
    card = load_card(write_raw(tmp_path, {"class_names": ["a"], "training": training}))
    assert card.training.dataset is not None
    assert (card.training.dataset.url, card.training.dataset.train) == (url, {"a": 1})


def test_a_minimal_card_loads_with_defaults(tmp_path: Path) -> None:
    """What train_and_save writes before evaluating: classes and history only."""
    card = load_card(write_raw(tmp_path, {"class_names": ["a", "b"], "history": {}}))
    assert card.metrics is None and card.robustness == []
    assert card.uncertainty_threshold == DEFAULT_UNCERTAINTY_THRESHOLD


def test_a_card_without_classes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="class_names"):
        load_card(write_raw(tmp_path, {"name": "x"}))


def test_robustness_evaluations_and_nan_history_round_trip(tmp_path: Path) -> None:
    card = ModelCard(
        class_names=["a", "b"],
        history={"val_loss": [0.5, math.nan]},
        robustness=[Evaluation(dataset="cifar10-jpg", sha256="ab" * 32, n=10_000, accuracy=0.9)],
    )
    save_card(tmp_path, card)
    raw = json.loads((tmp_path / CARD_FILE).read_text())
    assert raw["history"]["val_loss"] == [0.5, None]  # JSON has no NaN
    loaded = load_card(tmp_path)
    assert loaded.robustness == card.robustness
    assert loaded.history["val_loss"] == [0.5, None]


def test_an_evaluation_replaces_metrics_and_refits_the_threshold_keeping_its_method() -> None:
    card = ModelCard.model_validate(
        {"class_names": ["a", "b"], "uncertainty": {"threshold": 0.7, "method": "how"}}
    )
    per_class = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "support": 1}
    report = {
        "metrics": {
            "accuracy": 1.0,
            "precision": 1.0,
            "recall": 1.0,
            "f1": 1.0,
            "per_class": {"a": per_class, "b": per_class},
            "class_names": ["a", "b"],
            "confusion_matrix": [[1, 0], [0, 1]],
            "evaluated_on": {"dataset": "d", "n": 2},
        },
        "uncertainty": {"threshold": 0.6, "flagged_share": 0.1},
        "baseline": {"class_shares": {"a": 0.5, "b": 0.5}, "confidence_histogram": [1.0]},
    }
    evaluated = card.with_evaluation(report)
    assert evaluated.metrics is not None and evaluated.metrics.evaluated_on.n == 2
    assert evaluated.uncertainty is not None
    assert (evaluated.uncertainty.threshold, evaluated.uncertainty.method) == (0.6, "how")
    assert card.metrics is None  # the original is unchanged


def make_folder(root: Path) -> Path:
    (root / "train" / "cat").mkdir(parents=True)
    (root / "train" / "cat" / "1.png").write_bytes(b"one")
    (root / "test" / "cat").mkdir(parents=True)
    (root / "test" / "cat" / "2.png").write_bytes(b"two")
    return root


def test_a_folder_fingerprint_depends_on_content_not_location(tmp_path: Path) -> None:
    here, there = make_folder(tmp_path / "here"), make_folder(tmp_path / "elsewhere" / "there")
    assert dataset_fingerprint(here) == dataset_fingerprint(there)
    (there / "test" / "cat" / "2.png").write_bytes(b"tw0")
    assert dataset_fingerprint(here) != dataset_fingerprint(there)


def test_a_folder_fingerprint_sees_a_renamed_member(tmp_path: Path) -> None:
    here, there = make_folder(tmp_path / "here"), make_folder(tmp_path / "there")
    (there / "test" / "cat" / "2.png").rename(there / "test" / "cat" / "3.png")
    assert dataset_fingerprint(here) != dataset_fingerprint(there)


def test_a_file_fingerprint_is_its_sha256(tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    archive.write_bytes(b"PK not really a zip")
    assert dataset_fingerprint(archive) == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_the_shipped_card_says_how_it_was_made_and_what_it_cannot_do() -> None:
    card = load_card(SHIPPED_CARD.parent)
    assert card.training.distillation is not None
    teachers = [t.model_sha256 for t in card.training.distillation.teachers]
    assert card.lineage.teachers == teachers
    assert card.lineage.parents == []
    assert card.lineage.commands[-1].endswith("--out models/cifar10")
    assert " && ".join(card.lineage.commands) == card.training.command
    assert card.lineage.recipe is not None
    assert (REPO_ROOT / card.lineage.recipe).is_file()
    assert card.limitations
    assert all(isinstance(line, str) and line.endswith(".") for line in card.limitations)
    assert any("32x32" in line for line in card.limitations)
    assert any("uncertain" in line for line in card.limitations)


def test_a_card_without_lineage_or_limitations_still_loads(tmp_path: Path) -> None:
    raw = json.loads(SHIPPED_CARD.read_text())
    del raw["lineage"], raw["limitations"]
    card = load_card(write_raw(tmp_path, raw))
    assert card.lineage.parents == card.lineage.teachers == card.lineage.commands == []
    assert card.lineage.recipe is None
    assert card.limitations == []
    assert card.metrics is not None
    assert card.metrics.accuracy == raw["metrics"]["accuracy"]
