"""One retraining: fine-tune production on new uploads plus replay, then
champion/challenger on the same held-out data, then promote or reject.

Held-out uploads are those stored in the test split, or, stored without one, chosen by
their content hash (``data.training_uploads.is_held_out``), so an upload is either for
training or for evaluation, in every job, and never both.

The fine-tune learns the new uploads' labels, and its parent's answers (its class
probabilities) on the replay images and on smooth colour fields (``colour_fields``):
learning the replay labels afresh, and a dark camera's uploads, made the model sure of
flat-colour images that its parent had flagged uncertain.

The promotion rule (``decide``), all three parts required:
1. Not worse overall: the candidate's accuracy on a fixed sample of the original test
   split is at least production's minus ``promotion_tolerance``, and at least that of
   the model the line of retrains began with (``ModelRegistry.line_start``) minus the
   same tolerance. Without the second, small losses within the tolerance add up unseen
   over a line of retrains (docs/model.md, Retraining).
2. Still unsure of what is none of the classes: on generated out-of-class images (noise,
   flat colour, text; ml/uncertainty.py), each model at its own threshold fitted on that
   test sample, the candidate flags each kind at least as often as production minus
   ``promotion_out_of_class_tolerance``. Skipped without the original test split.
3. Better on the uploaded classes (the classes of this job's new uploads), measured on
   their held-out uploads, or, when none are held out yet, on those classes' test
   images. "Better" means strictly higher accuracy, with one exception: when
   production already scores 100% there it cannot be beaten, and equal counts.
   With no data at all for part 2, the candidate is rejected: nothing shows it helps.

A classifier other than the default one has no original dataset: its own uploads are
its data. The uploads earlier jobs learned are its replay, and its held-out uploads
are the test split of parts 1 and 2. Uploads of a class its model does not know grow
the head (``ml.transfer.networks_from_parent`` keeps the known classes' rows); then
part 1 compares the classes both models know, and each new class must reach
``first_version_min_accuracy`` on its held-out uploads, the bar of a first version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sightline.config import Settings
from sightline.data.datasets import Dataset, load_dataset
from sightline.data.preprocessing import image_to_input
from sightline.data.training_uploads import UploadStore, is_held_out
from sightline.db import uploads as upload_rows
from sightline.db.session import session_scope
from sightline.ml.artifacts import check_sample, load_model
from sightline.ml.card import FineTune, ModelCard
from sightline.ml.classifiers import ClassifierCatalog
from sightline.ml.evaluation import classification_metrics, evaluation_report
from sightline.ml.model import networks_from_serving_model
from sightline.ml.pipeline import accuracy_on as model_accuracy
from sightline.ml.registry import ModelRegistry
from sightline.ml.review_queue import reviewed_out_of_class
from sightline.ml.training import (
    ProgressCallback,
    SoftTargets,
    TrainConfig,
    TrainingCancelled,
    fine_tune_config,
    predict_probabilities,
    train,
)
from sightline.ml.transfer import networks_from_parent
from sightline.ml.uncertainty import (
    OUT_OF_CLASS_KINDS,
    colour_fields,
    flag_rate,
    out_of_class_images,
    predict_in_batches,
)
from sightline.retrain_job import JobStatus
from sightline.serving.runtime import InferenceRuntime
from sightline.serving.runtime_choice import serving_runtime

OUT_OF_CLASS_PER_KIND = 200


@dataclass
class UploadSplit:
    train_x: np.ndarray
    train_y: np.ndarray
    holdout_x: np.ndarray
    holdout_y: np.ndarray
    ids: list[int] = field(default_factory=list)  # of the training uploads

    @property
    def uploaded_classes(self) -> list[int]:
        """The classes this job has new images of."""
        return sorted({int(c) for c in self.train_y})


@dataclass
class RetrainOutcome:
    status: JobStatus  # COMPLETED or REJECTED
    message: str
    version: str
    base_version: str | None  # None: a classifier's first version
    promoted: bool
    metrics: dict[str, Any]
    history: dict[str, list[float]]


def load_uploads(
    settings: Settings, classifier: str, class_names: list[str], size: tuple[int, int]
) -> UploadSplit:
    """The classifier's new uploads for training, and every held-out one for evaluation."""
    store = UploadStore(settings, classifier=classifier)
    index = {name: i for i, name in enumerate(class_names)}
    with session_scope(settings) as session:
        rows = upload_rows.all_uploads(session=session, classifier=classifier)
    train_x, train_y, hold_x, hold_y, ids = [], [], [], [], []
    for row in rows:
        if row.class_name not in index:
            continue
        image = image_to_input(store.read(row.sha256), size)
        if is_held_out(row.sha256, row.split, settings.retrain_holdout_fraction):
            hold_x.append(image)
            hold_y.append(index[row.class_name])
        elif row.used_by_job is None:
            train_x.append(image)
            train_y.append(index[row.class_name])
            ids.append(row.id)
    shape = (0, *size, 3)

    def stack(images: list[np.ndarray]) -> np.ndarray:
        return np.stack(images) if images else np.zeros(shape, np.uint8)

    return UploadSplit(
        stack(train_x),
        np.asarray(train_y, np.int64),
        stack(hold_x),
        np.asarray(hold_y, np.int64),
        ids,
    )


def load_learned_uploads(
    settings: Settings, classifier: str, class_names: list[str], size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The training uploads a promoted model has learned: a classifier's own replay."""
    store = UploadStore(settings, classifier=classifier)
    index = {name: i for i, name in enumerate(class_names)}
    with session_scope(settings) as session:
        rows = upload_rows.all_uploads(session=session, classifier=classifier)
    fraction = settings.retrain_holdout_fraction
    learned = [
        row
        for row in rows
        if row.used_by_job is not None
        and row.class_name in index
        and not is_held_out(row.sha256, row.split, fraction)
    ]
    images = [image_to_input(store.read(row.sha256), size) for row in learned]
    labels = np.asarray([index[row.class_name] for row in learned], np.int64)
    return (np.stack(images) if images else np.zeros((0, *size, 3), np.uint8)), labels


def known_only(test: Dataset | None, known: int) -> Dataset | None:
    """The test images of the first ``known`` classes (those both models know)."""
    if test is None:
        return None
    keep = test.y_test < known
    return replace(test, x_test=test.x_test[keep], y_test=test.y_test[keep])


def replay_sample(dataset: Dataset, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``per_class`` original training images of every class, so that
    fine-tuning on a few classes does not make the model forget the others."""
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(
            np.nonzero(dataset.y_train == c)[0],
            min(per_class, int((dataset.y_train == c).sum())),
            replace=False,
        )
        for c in range(len(dataset.class_names))
    ]
    idx = np.sort(np.concatenate(picked)) if picked else np.zeros(0, int)
    return dataset.x_train[idx], dataset.y_train[idx]


def eval_subset(dataset: Dataset, size: int) -> Dataset:
    """A fixed sample of the test split, the same for champion and challenger."""
    return dataset.subset(0, size, seed=1234)


def accuracy_on(probabilities: np.ndarray, labels: np.ndarray, classes: list[int]) -> float | None:
    """Accuracy on the images whose label is one of ``classes``; None without any."""
    mask = np.isin(labels, classes)
    if not mask.any():
        return None
    return float(np.mean(probabilities[mask].argmax(axis=1) == labels[mask]))


def out_of_class_set(size: tuple[int, int]) -> dict[str, np.ndarray]:
    """The generated images of none of the classes both models are checked on."""
    return {
        kind: out_of_class_images(kind, OUT_OF_CLASS_PER_KIND, size, seed=2024)
        for kind in OUT_OF_CLASS_KINDS
    }


def score_model(
    model: Any,
    test: Dataset | None,
    uploads: UploadSplit,
    class_names: list[str],
    out_of_class: dict[str, np.ndarray] | None = None,
    runtime: InferenceRuntime | None = None,
    known: int | None = None,
) -> dict[str, Any]:
    """One model's scores on the held-out data; the same data for every model. With a
    ``runtime``, the answers are that runtime's (the one that will serve the model).
    ``known``: when the head grew, the number of classes both models know (the first
    ones); a model without the new classes answers 0 for them."""

    def answers(images: np.ndarray) -> np.ndarray:
        if runtime is None:
            found = predict_probabilities(model, images)
        else:
            found = predict_in_batches(runtime.predict, images)
        return widen(found, len(class_names))

    classes = uploads.uploaded_classes
    scores: dict[str, Any] = {"uploaded_classes": [class_names[c] for c in classes]}
    if test is not None:
        probabilities = answers(test.x_test)
        report = evaluation_report(probabilities, test.y_test, class_names, test.name)
        scores.update(
            report=report,
            accuracy=report["metrics"]["accuracy"],
            test_n=len(test.y_test),
            uploaded_classes_test_accuracy=accuracy_on(probabilities, test.y_test, classes),
        )
        if known is not None:
            scores["known_classes_accuracy"] = accuracy_on(
                probabilities, test.y_test, list(range(known))
            )
        threshold = report["uncertainty"]["threshold"]
        scores["out_of_class_flagged"] = {
            kind: flag_rate(answers(images), threshold)
            for kind, images in (out_of_class or {}).items()
        }
    if len(uploads.holdout_y):
        probabilities = answers(uploads.holdout_x)
        mask = np.isin(uploads.holdout_y, classes)
        scores["uploads_n"] = int(mask.sum())
        scores["uploads_accuracy"] = accuracy_on(probabilities, uploads.holdout_y, classes)
        scores["all_uploads_accuracy"] = classification_metrics(
            probabilities, uploads.holdout_y, class_names
        )["accuracy"]
        scores["all_uploads_n"] = len(uploads.holdout_y)
        scores["held_out_per_class"] = {
            class_names[c]: (accuracy_on(probabilities, uploads.holdout_y, [c]), n)
            for c, n in enumerate(np.bincount(uploads.holdout_y, minlength=len(class_names)))
        }
    return scores


def widen(probabilities: np.ndarray, n_classes: int) -> np.ndarray:
    """Answers with a column of zeros for each class the model does not know."""
    missing = n_classes - probabilities.shape[1]
    return np.pad(probabilities, ((0, 0), (0, missing))) if missing > 0 else probabilities


def new_classes_gate(
    candidate: dict[str, Any], new_classes: list[str], minimum: float
) -> tuple[bool, str]:
    """Each new class at least ``minimum`` accurate on its held-out uploads."""
    per_class = candidate.get("held_out_per_class", {})
    for name in new_classes:
        accuracy, n = per_class.get(name, (None, 0))
        if not n:
            return False, (
                f"Rejected: no held-out images of the new class {name!r} to check it on "
                "(upload more: a share of them is kept for evaluation)."
            )
        if accuracy < minimum:
            return False, (
                f"Rejected: the new class {name!r} scores {accuracy:.1%} < {minimum:.0%} "
                f"on its {n} held-out images."
            )
    return True, ", ".join(
        f"new class {name!r} {per_class[name][0]:.1%} on {per_class[name][1]} held-out images"
        for name in new_classes
    )


def on_known_classes(scores: dict[str, Any]) -> dict[str, Any]:
    """The scores part 1 of the rule reads: the accuracy on the classes both know."""
    if scores.get("known_classes_accuracy") is None:
        return scores
    return {**scores, "accuracy": scores["known_classes_accuracy"]}


def decide(
    candidate: dict[str, Any],
    production: dict[str, Any],
    tolerance: float,
    out_of_class_tolerance: float = 0.1,
    line_start: dict[str, Any] | None = None,
) -> tuple[bool, str]:
    """The promotion rule of the module docstring: (promote?, the reason in words).

    ``line_start``: the version and test accuracy of the model the line of retrains
    began with, when production is not that model."""
    facts = []
    if "accuracy" in candidate:
        cand, prod = candidate["accuracy"], production["accuracy"]
        facts.append(f"test accuracy {cand:.2%} vs production {prod:.2%}")
        if cand < prod - tolerance:
            return False, (
                f"Rejected: test accuracy {cand:.2%} is below production "
                f"{prod:.2%} by more than the tolerance ({tolerance:.1%})."
            )
        if line_start is not None and cand < line_start["accuracy"] - tolerance:
            first = line_start["accuracy"]
            return False, (
                f"Rejected: test accuracy {cand:.2%} is below {first:.2%}, that of "
                f"{line_start['version']}, which this line of retrains began with, by "
                f"more than the tolerance ({tolerance:.1%}): the retrains' losses add up."
            )
    surer = _surer_out_of_class(candidate, production, out_of_class_tolerance)
    if surer:
        return False, (
            "Rejected: sure of images that are none of the classes, where production "
            f"flags them uncertain ({surer}; tolerance {out_of_class_tolerance:.0%})."
        )
    where, cand, prod = _uploaded_classes_scores(candidate, production)
    if cand is None or prod is None:
        return False, (
            "Rejected: there is no held-out data of the uploaded classes to show "
            "the candidate is better (upload more images: a share of them is kept "
            "for evaluation)."
        )
    facts.append(f"{where} {cand:.2%} vs {prod:.2%}")
    if cand > prod or cand == prod == 1.0:
        return True, "Promoted: " + ", ".join(facts) + "."
    return False, (
        f"Rejected: not better on the uploaded classes ({where} {cand:.2%} vs "
        f"production {prod:.2%})."
    )


def _surer_out_of_class(
    candidate: dict[str, Any], production: dict[str, Any], tolerance: float
) -> str:
    """The out-of-class kinds the candidate flags less often than production minus the
    tolerance, in words; empty when there are none (or nothing to compare)."""
    cand = candidate.get("out_of_class_flagged", {})
    prod = production.get("out_of_class_flagged", {})
    return ", ".join(
        f"{kind} flagged {cand[kind]:.0%} vs {prod[kind]:.0%}"
        for kind in sorted(cand.keys() & prod.keys())
        if cand[kind] < prod[kind] - tolerance
    )


def _uploaded_classes_scores(
    candidate: dict[str, Any], production: dict[str, Any]
) -> tuple[str, float | None, float | None]:
    if candidate.get("uploads_accuracy") is not None:
        where = f"held-out uploads of the uploaded classes (n={candidate['uploads_n']})"
        return where, candidate["uploads_accuracy"], production["uploads_accuracy"]
    return (
        "the uploaded classes' test images",
        candidate.get("uploaded_classes_test_accuracy"),
        production.get("uploaded_classes_test_accuracy"),
    )


def summary(scores: dict[str, Any]) -> dict[str, Any]:
    """What the job records of a model's scores (the full report goes in the card)."""
    metrics = scores.get("report", {}).get("metrics", {})
    return {
        k: v
        for k, v in {
            "accuracy": scores.get("accuracy"),
            "precision": metrics.get("precision"),
            "recall": metrics.get("recall"),
            "f1": metrics.get("f1"),
            "per_class": {c: row["accuracy"] for c, row in metrics.get("per_class", {}).items()}
            or None,
            "test_n": scores.get("test_n"),
            "uploaded_classes": scores.get("uploaded_classes"),
            "uploaded_classes_test_accuracy": scores.get("uploaded_classes_test_accuracy"),
            "uploads_accuracy": scores.get("uploads_accuracy"),
            "uploads_n": scores.get("uploads_n"),
            "all_uploads_accuracy": scores.get("all_uploads_accuracy"),
            "all_uploads_n": scores.get("all_uploads_n"),
            "out_of_class_flagged": scores.get("out_of_class_flagged") or None,
        }.items()
        if v is not None
    }


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
        base = self.registry.production()
        card = self.registry.card(base.version)
        known = list(card.class_names)
        grown = self._new_classes(known)
        class_names = [*known, *grown]
        size = card.input_size
        uploads = load_uploads(self.settings, self.registry.classifier, class_names, size)
        if len(uploads.train_y) == 0:
            raise ValueError("No new uploads to train on (all were used or held out).")
        notes = [f"the head grows for {', '.join(map(repr, grown))}"] if grown else []
        dataset = self._original_data(size, class_names, notes, uploads)
        say("; ".join([f"Fine-tuning {base.version} on {len(uploads.train_y)} uploads", *notes]))

        production_model = load_model(self.registry.path(base.version))
        candidate_model = load_model(self.registry.path(base.version))
        if grown:
            networks = networks_from_parent(candidate_model, known, class_names, size[0])
        else:
            networks = networks_from_serving_model(candidate_model)
        train_set, soft_targets = self._training_set(
            uploads, dataset, class_names, production_model
        )
        config = self._config(epochs, len(train_set.y_train))
        result = train(
            train_set,
            config,
            networks=networks,
            on_progress=on_progress,
            on_epoch=on_epoch,
            should_stop=should_stop,
            soft_targets=soft_targets,
        )

        say("Comparing the candidate with production on the same held-out data.")
        test = eval_subset(dataset, self.settings.retrain_eval_size) if dataset else None
        strangers = out_of_class_set(size)
        # Images reviewers called none of the classes (issue #32), once there are enough.
        registry = self.registry
        strangers.update(
            reviewed_out_of_class(self.settings, registry.store, registry.classifier, size)
        )
        threshold = card.uncertainty_threshold
        production_runtime, _ = serving_runtime(production_model, self.settings, threshold)
        k = len(known) if grown else None
        # Production is scored (and its threshold fitted) on the classes it knows: on a
        # new class it is wrong by construction, which would flag everything it sees.
        production_scores = score_model(
            production_model,
            known_only(test, len(known)),
            uploads,
            class_names,
            strangers,
            production_runtime,
        )
        candidate = result.networks.serving_model
        candidate_runtime, _ = serving_runtime(candidate, self.settings, threshold)
        candidate_scores = score_model(
            candidate, test, uploads, class_names, strangers, candidate_runtime, k
        )
        promote, reason = decide(
            on_known_classes(candidate_scores),
            on_known_classes(production_scores),
            self.settings.promotion_tolerance,
            self.settings.promotion_out_of_class_tolerance,
            self._line_start_scores(base.version, known_only(test, len(known))),
        )
        if promote and grown:
            promote, words = new_classes_gate(
                candidate_scores, grown, self.settings.first_version_min_accuracy
            )
            reason = f"{reason[:-1]}, {words}." if promote else words
        if should_stop():  # cancelled, or taken from us, while evaluating: write nothing
            raise TrainingCancelled("Stopped before the candidate was registered.")

        training = {
            "job_id": job_id,
            "parent": base.version,
            "uploads": len(uploads.ids),
            "replay": int(soft_targets.rows.sum()) - self.settings.retrain_colour_fields,
            "colour_fields": self.settings.retrain_colour_fields,
            "config": config.to_dict(),
            "seconds": round(result.seconds, 1),
        }
        new_card = self._card(card, candidate_scores, result.history, training, class_names)
        held_out = check_sample(test.x_test if test else None, uploads.holdout_x)
        version = self.registry.register(
            candidate, new_card, parent=base.version, note=reason, check_images=held_out
        )
        if grown:
            ClassifierCatalog(self.settings).add_classes(self.registry.classifier, grown)
        if promote:
            # Only a promoted model has learned them; a rejected job leaves them new,
            # so more data can be added and the job tried again.
            self._mark_used(uploads.ids, job_id)
            self.registry.promote(version)
        else:
            self.registry.set_status(version, "rejected", reason)
        return RetrainOutcome(
            JobStatus.COMPLETED if promote else JobStatus.REJECTED,
            reason,
            version,
            base.version,
            promote,
            {"candidate": summary(candidate_scores), "production": summary(production_scores)},
            result.history,
        )

    # ------------------------------------------------------------------ pieces

    def _original_data(
        self, size: tuple[int, int], class_names: list[str], notes: list[str], uploads: UploadSplit
    ) -> Dataset | None:
        if self.registry.classifier != self.settings.default_classifier:
            return self._own_data(size, class_names, notes, uploads)
        try:
            dataset = load_dataset(
                self.settings.dataset,
                cifar10_source=self.settings.cifar10,
                cache_dir=self.settings.resolved_cache_dir,
                image_size=size,
            )
        except Exception as exc:  # any reason the data is unavailable: say it, go on
            notes.append(f"original data unavailable ({exc}); training on uploads alone")
            return None
        if dataset.class_names != class_names:
            notes.append("original data has other classes; training on uploads alone")
            return None
        notes.append(f"with {self.settings.retrain_replay_per_class} replay images per class")
        return dataset

    def _own_data(
        self, size: tuple[int, int], class_names: list[str], notes: list[str], uploads: UploadSplit
    ) -> Dataset | None:
        """A classifier's own data: the uploads it learned (the replay) and every held-out
        one (the test split); None when nothing is held out."""
        if len(uploads.holdout_y) == 0:
            notes.append("no held-out uploads to check it on")
            return None
        learned_x, learned_y = load_learned_uploads(
            self.settings, self.registry.classifier, class_names, size
        )
        notes.append(f"replaying up to {self.settings.retrain_replay_per_class} of its learned")
        notes[-1] += f" uploads per class ({len(learned_y)} in all)"
        return Dataset(
            f"{self.registry.classifier} uploads",
            class_names,
            learned_x,
            learned_y,
            uploads.holdout_x,
            uploads.holdout_y,
        )

    def _new_classes(self, known: list[str]) -> list[str]:
        """Classes of new uploads that the production model does not know, in the order
        the classifier names them (then by name)."""
        with session_scope(self.settings) as session:
            rows = upload_rows.all_uploads(session=session, classifier=self.registry.classifier)
        found = {row.class_name for row in rows if row.used_by_job is None} - set(known)
        named = ClassifierCatalog(self.settings).get_or_none(self.registry.classifier)
        order = [*(named.classes if named else []), *sorted(found)]
        return [name for name in dict.fromkeys(order) if name in found]

    def _training_set(
        self,
        uploads: UploadSplit,
        dataset: Dataset | None,
        class_names: list[str],
        parent: Any,
    ) -> tuple[Dataset, SoftTargets]:
        """The uploads with their labels, then replay images and colour fields that learn
        the parent's answers instead."""
        height, width = uploads.train_x.shape[1:3]
        kept_x = colour_fields(self.settings.retrain_colour_fields, (width, height))
        if dataset is not None:
            replay_x, _ = replay_sample(
                dataset, self.settings.retrain_replay_per_class, seed=len(uploads.ids)
            )
            kept_x = np.concatenate([replay_x, kept_x])
        answers = predict_probabilities(parent, kept_x)
        x = np.concatenate([uploads.train_x, kept_x])
        # The labels only count the training accuracy shown: the parent's answer.
        y = np.concatenate([uploads.train_y, answers.argmax(axis=1)])
        rows = np.arange(len(y)) >= len(uploads.train_y)
        probabilities = np.zeros((len(y), len(class_names)), np.float32)
        probabilities[rows] = widen(answers, len(class_names))
        # Per-epoch validation curves use the held-out uploads: what this job is about.
        train_set = Dataset("retrain", class_names, x, y, uploads.holdout_x, uploads.holdout_y)
        return train_set, SoftTargets(probabilities, rows)

    def _line_start_scores(self, version: str, test: Dataset | None) -> dict[str, Any] | None:
        """The accuracy, on the same test sample, of the model ``version``'s line of
        retrains began with; None when ``version`` is that model, or without a test."""
        first = self.registry.line_start(version)
        if test is None or first == version:
            return None
        model = load_model(self.registry.path(first))
        return {"version": first, "accuracy": model_accuracy(model, test.x_test, test.y_test)}

    def _config(self, epochs: int, n: int) -> TrainConfig:
        base = fine_tune_config(
            epochs=float(epochs),
            lr=self.settings.retrain_learning_rate,
            batch_size=min(256, max(16, n // 8)),
            val_size=500,
            warmup_fraction=0.1,
            decay_follows_lr=True,
        )
        return replace(base, seed=int(time.time()) % 10_000)

    @staticmethod
    def _card(
        card: ModelCard,
        scores: dict[str, Any],
        history: dict[str, list[float]],
        fine_tune: dict[str, Any],
        class_names: list[str],
    ) -> ModelCard:
        """The parent's card with this model's own classes, evaluation, history and
        recipe."""
        report = scores.get("report")
        evaluated = card.with_evaluation(report) if report else card
        training = card.training.model_copy(
            update={"fine_tune": FineTune.model_validate(fine_tune)}
        )
        return evaluated.model_copy(
            update={"history": history, "training": training, "class_names": class_names}
        )

    def _mark_used(self, ids: list[int], job_id: str) -> None:
        with session_scope(self.settings) as session:
            upload_rows.mark_used(session=session, upload_ids=ids, job_id=job_id)
