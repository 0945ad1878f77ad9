"""One retraining: fine-tune production on new uploads plus replay, then
champion/challenger on the same held-out data, then promote or reject.

Held-out uploads are chosen by their content hash, so an upload is either for
training or for evaluation, in every job, and never both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import select, update

from sightline.config import Settings
from sightline.data.datasets import Dataset, load_dataset
from sightline.data.preprocessing import image_to_input
from sightline.data.uploads import UploadStore
from sightline.db.models import TrainingUpload
from sightline.db.session import session_scope
from sightline.ml.artifacts import load_model
from sightline.ml.evaluation import classification_metrics
from sightline.ml.model import networks_from_serving_model
from sightline.ml.pipeline import evaluate_model
from sightline.ml.registry import ModelRegistry
from sightline.ml.training import (
    ProgressCallback,
    TrainConfig,
    fine_tune_config,
    predict_probabilities,
    train,
)


@dataclass
class UploadSplit:
    train_x: np.ndarray
    train_y: np.ndarray
    holdout_x: np.ndarray
    holdout_y: np.ndarray
    ids: list[int] = field(default_factory=list)

    @property
    def classes(self) -> set[int]:
        return {int(c) for c in np.concatenate([self.train_y, self.holdout_y])}


@dataclass
class RetrainOutcome:
    status: str  # completed / rejected
    message: str
    version: str
    promoted: bool
    metrics: dict[str, Any]
    history: dict[str, list[float]]


def is_holdout(sha256: str, fraction: float) -> bool:
    return int(sha256[:8], 16) / 0xFFFFFFFF < fraction


def load_uploads(settings: Settings, class_names: list[str], size: tuple[int, int]) -> UploadSplit:
    """New uploads for training, and every held-out upload for evaluation."""
    store = UploadStore(settings)
    index = {name: i for i, name in enumerate(class_names)}
    with session_scope(settings) as session:
        rows = session.scalars(select(TrainingUpload)).all()
    train_x, train_y, hold_x, hold_y, ids = [], [], [], [], []
    for row in rows:
        if row.class_name not in index:
            continue
        image = image_to_input(store.path_of(row.sha256).read_bytes(), size)
        if is_holdout(row.sha256, settings.retrain_holdout_fraction):
            hold_x.append(image)
            hold_y.append(index[row.class_name])
        elif row.used_by_job is None:
            train_x.append(image)
            train_y.append(index[row.class_name])
            ids.append(row.id)
    shape = (0, *size, 3)

    def stack(images: list[np.ndarray]) -> np.ndarray:
        return np.stack(images) if images else np.zeros(shape, np.uint8)

    return UploadSplit(stack(train_x), np.asarray(train_y, np.int64), stack(hold_x),
                       np.asarray(hold_y, np.int64), ids)


def replay_sample(dataset: Dataset, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    picked = [rng.choice(np.nonzero(dataset.y_train == c)[0],
                         min(per_class, int((dataset.y_train == c).sum())), replace=False)
              for c in range(len(dataset.class_names))]
    idx = np.sort(np.concatenate(picked)) if picked else np.zeros(0, int)
    return dataset.x_train[idx], dataset.y_train[idx]


def eval_subset(dataset: Dataset, size: int) -> Dataset:
    """A fixed sample of the test split, the same for champion and challenger."""
    return dataset.subset(0, size, seed=1234)


class Retrainer:
    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry

    def run(
        self,
        job_id: str,
        epochs: int,
        on_progress: ProgressCallback,
        on_epoch: Callable[[int, dict[str, float]], None],
        should_stop: Callable[[], bool],
        say: Callable[[str], None],
    ) -> RetrainOutcome:
        s = self.settings
        base = self.registry.production()
        card = self.registry.card(base.version)
        class_names: list[str] = card["class_names"]
        size = (int(card["input_shape"][0]), int(card["input_shape"][1]))
        uploads = load_uploads(s, class_names, size)
        if len(uploads.train_y) == 0:
            raise ValueError("No new uploads to train on (all were used or held out).")
        notes: list[str] = []
        dataset = self._original_data(size, class_names, notes)
        say("; ".join([f"Fine-tuning {base.version} on {len(uploads.train_y)} uploads", *notes]))

        x, y = uploads.train_x, uploads.train_y
        if dataset is not None:
            rx, ry = replay_sample(dataset, s.retrain_replay_per_class, seed=len(uploads.ids))
            x, y = np.concatenate([x, rx]), np.concatenate([y, ry])
        # Per-epoch validation curves use the held-out uploads: what this job is about.
        train_set = Dataset("retrain", class_names, x, y, uploads.holdout_x, uploads.holdout_y)
        production_model = load_model(self.registry.path(base.version))
        candidate_model = load_model(self.registry.path(base.version))
        config = self._config(epochs, len(y))
        result = train(train_set, config, networks=networks_from_serving_model(candidate_model),
                       on_progress=on_progress, on_epoch=on_epoch, should_stop=should_stop)
        say("Comparing the candidate with production on the same held-out data.")
        metrics = self._compare(production_model, result.networks.serving_model, dataset,
                                uploads, class_names)
        promote, reason = self._decide(metrics, uploads)
        new_card = {**card, "history": result.history,
                    "training": {**card.get("training", {}), "fine_tune": {
                        "job_id": job_id, "parent": base.version, "uploads": len(uploads.ids),
                        "replay": int(len(y) - len(uploads.ids)), "config": config.to_dict(),
                        "seconds": round(result.seconds, 1)}},
                    "metrics": metrics["candidate"].get("full", card["metrics"])}
        version = self.registry.register(result.networks.serving_model, new_card,
                                         parent=base.version, note=reason)
        if promote:
            # Only a promoted model has learned them; a rejected job leaves them new,
            # so more data can be added and the job tried again.
            self._mark_used(uploads.ids, job_id)
            self.registry.promote(version)
        else:
            self.registry.set_status(version, "rejected", reason)
        return RetrainOutcome("completed" if promote else "rejected", reason, version, promote,
                              {k: _summary(v) for k, v in metrics.items()}, result.history)

    # ------------------------------------------------------------------ pieces

    def _original_data(
        self, size: tuple[int, int], class_names: list[str], notes: list[str]
    ) -> Dataset | None:
        try:
            dataset = load_dataset(self.settings.dataset, cifar10_source=self.settings.cifar10,
                                   cache_dir=self.settings.resolved_cache_dir, image_size=size)
        except Exception as exc:  # any reason the data is unavailable: say it, go on
            notes.append(f"original data unavailable ({exc}); training on uploads alone")
            return None
        if dataset.class_names != class_names:
            notes.append("original data has other classes; training on uploads alone")
            return None
        notes.append(f"with {self.settings.retrain_replay_per_class} replay images per class")
        return dataset

    def _config(self, epochs: int, n: int) -> TrainConfig:
        base = fine_tune_config(epochs=float(epochs), lr=self.settings.retrain_learning_rate,
                                batch_size=min(256, max(16, n // 8)), val_size=500,
                                warmup_fraction=0.1)
        return replace(base, seed=int(time.time()) % 10_000)

    def _compare(
        self, production: Any, candidate: Any, dataset: Dataset | None, uploads: UploadSplit,
        class_names: list[str],
    ) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {"production": {}, "candidate": {}}
        test = eval_subset(dataset, self.settings.retrain_eval_size) if dataset else None
        for name, model in (("production", production), ("candidate", candidate)):
            if test is not None:
                report, _ = evaluate_model(model, test)
                out[name]["full"] = report["metrics"]
                out[name]["accuracy"] = report["metrics"]["accuracy"]
            if len(uploads.holdout_y):
                probs = predict_probabilities(model, uploads.holdout_x)
                held = classification_metrics(probs, uploads.holdout_y, class_names)
                out[name]["uploads_accuracy"] = held["accuracy"]
                out[name]["uploads_n"] = len(uploads.holdout_y)
        return out

    def _decide(self, metrics: dict[str, dict[str, Any]], uploads: UploadSplit) -> tuple[bool, str]:
        """Promote when the candidate is no worse on the test split than production
        minus the tolerance, and no worse on the held-out uploads."""
        cand, prod = metrics["candidate"], metrics["production"]
        tolerance = self.settings.promotion_tolerance
        if "accuracy" in cand and cand["accuracy"] < prod["accuracy"] - tolerance:
            return False, (f"Rejected: test accuracy {cand['accuracy']:.2%} is below production "
                           f"{prod['accuracy']:.2%} by more than {tolerance:.1%}.")
        if "uploads_accuracy" in cand and cand["uploads_accuracy"] < prod["uploads_accuracy"]:
            return False, (f"Rejected: on held-out uploads {cand['uploads_accuracy']:.2%} < "
                           f"production {prod['uploads_accuracy']:.2%}.")
        parts = []
        if "accuracy" in cand:
            parts.append(f"test {cand['accuracy']:.2%} vs {prod['accuracy']:.2%}")
        if "uploads_accuracy" in cand:
            parts.append(f"held-out uploads {cand['uploads_accuracy']:.2%} vs "
                         f"{prod['uploads_accuracy']:.2%}")
        return True, "Promoted: " + (", ".join(parts) or "no held-out data to compare on") + "."

    def _mark_used(self, ids: list[int], job_id: str) -> None:
        with session_scope(self.settings) as session:
            session.execute(update(TrainingUpload).where(TrainingUpload.id.in_(ids))
                            .values(used_by_job=job_id))


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    full = metrics.get("full", {})
    return {k: v for k, v in {
        "accuracy": metrics.get("accuracy"),
        "precision": full.get("precision"), "recall": full.get("recall"), "f1": full.get("f1"),
        "per_class": {c: row["accuracy"] for c, row in full.get("per_class", {}).items()} or None,
        "uploads_accuracy": metrics.get("uploads_accuracy"),
        "uploads_n": metrics.get("uploads_n"),
    }.items() if v is not None}
