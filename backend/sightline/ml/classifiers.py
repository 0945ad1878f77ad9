"""Classifiers: named lines of model versions, each with its own classes, training
data, jobs and history, side by side in one database.

The catalog holds the rules: the name rule (a URL-safe slug), what creating,
archiving and purging mean, and what the classifiers list shows. The shipped model
is the classifier ``cifar10`` (the default one, which the unscoped routes serve); it
exists from the first start. Archiving keeps every row readable (history,
versions, exports) and stops serving; purging removes the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import classifiers as classifier_rows
from sightline.db import jobs as job_rows
from sightline.db import model_versions as version_rows
from sightline.db import predictions as history
from sightline.db import uploads as upload_rows
from sightline.db.classifiers import ARCHIVED, Classifier
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound
from sightline.retrain_job import ACTIVE, RetrainJob

NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
NAME_RULE = (
    "1 to 40 characters: lowercase letters, digits and hyphens, "
    "starting and ending with a letter or digit"
)
AUTO_PARENT = "auto"  # the first training picks its start (ml/transfer.py)


def validate_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InvalidField(
            f"{name!r} is not a classifier name: use {NAME_RULE} (e.g. 'cats-vs-dogs').",
            code="invalid_name",
        )
    return name


def unknown_classifier(name: str) -> NotFound:
    return NotFound(f"No classifier {name!r}.", code="unknown_classifier")


@dataclass(frozen=True)
class ClassifierSummary:
    """A classifier as the list shows it: its row and the figures around it."""

    classifier: Classifier
    is_default: bool
    production_version: str | None
    accuracy: float | None
    classes: list[str]
    predictions_today: int
    training_images: int
    last_job: RetrainJob | None

    @property
    def stage(self) -> str:
        if self.production_version is not None:
            return "live"
        if self.last_job is not None and self.last_job.status in ACTIVE:
            return "training"
        return "untrained"


class ClassifierCatalog:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.default = settings.default_classifier

    # ------------------------------------------------------------------ reading

    def get(self, name: str) -> Classifier:
        with session_scope(self.settings) as session:
            found = classifier_rows.get_classifier(session=session, name=name)
        if found is None:
            raise unknown_classifier(name)
        return found

    def all(self) -> list[Classifier]:
        with session_scope(self.settings) as session:
            return classifier_rows.list_classifiers(session=session)

    def summaries(self, names: list[str] | None = None) -> list[ClassifierSummary]:
        """Every classifier (or those named), active first, each group by name; a few
        queries in all, whatever the number of classifiers."""
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with session_scope(self.settings) as session:
            rows = classifier_rows.list_classifiers(session=session)
            production = version_rows.production_rows(session=session)
            answered = history.predictions_since(session=session, minute=history.minute_of(today))
            uploads = upload_rows.upload_totals(session=session)
            jobs = job_rows.latest_jobs(session=session)
        chosen = [row for row in rows if names is None or row.name in names]
        chosen.sort(key=lambda row: (row.archived, row.name))
        return [
            self._summary(row, production.get(row.name), answered, uploads, jobs) for row in chosen
        ]

    def summary(self, name: str) -> ClassifierSummary:
        found = self.summaries([name])
        if not found:
            raise unknown_classifier(name)
        return found[0]

    def _summary(
        self,
        row: Classifier,
        production: version_rows.ModelVersion | None,
        answered: dict[str, int],
        uploads: dict[str, int],
        jobs: dict[str, RetrainJob],
    ) -> ClassifierSummary:
        metrics = production.metrics if production else {}
        model_classes = list(metrics.get("class_names") or [])
        return ClassifierSummary(
            classifier=row,
            is_default=row.name == self.default,
            production_version=production.version if production else None,
            accuracy=metrics.get("accuracy"),
            classes=list(dict.fromkeys([*model_classes, *row.classes])),
            predictions_today=answered.get(row.name, 0),
            training_images=uploads.get(row.name, 0),
            last_job=jobs.get(row.name),
        )

    # ------------------------------------------------------------------ writing

    def ensure_default(self) -> Classifier:
        """The default classifier, created when missing (the first start)."""
        with session_scope(self.settings) as session:
            classifier_rows.insert_classifier(
                session=session, name=self.default, parent=None, classes=[]
            )
        return self.get(self.default)

    def create(self, name: str, parent: str | None, classes: list[str] | None = None) -> Classifier:
        validate_name(name)
        if parent is not None and parent != AUTO_PARENT:
            parent_row = self.get_or_none(parent)
            if parent_row is None or parent_row.archived:
                raise InvalidField(
                    f"Unknown parent {parent!r}: name a classifier, {AUTO_PARENT!r} or null.",
                    code="unknown_parent",
                )
        wanted = [c.strip() for c in classes or [] if c.strip()]
        with session_scope(self.settings) as session:
            created = classifier_rows.insert_classifier(
                session=session, name=name, parent=parent, classes=list(dict.fromkeys(wanted))
            )
        if not created:
            raise Conflict(f"A classifier named {name!r} exists already.", code="classifier_exists")
        return self.get(name)

    def get_or_none(self, name: str) -> Classifier | None:
        with session_scope(self.settings) as session:
            return classifier_rows.get_classifier(session=session, name=name)

    def add_classes(self, name: str, classes: list[str]) -> list[str]:
        """Give the classifier these classes too (new ones at the end); all of them."""
        with session_scope(self.settings) as session:
            return classifier_rows.add_classes(session=session, name=name, classes=classes)

    def archive(self, name: str) -> Classifier:
        """Stop serving it; its history, versions and data stay readable."""
        self._refuse_default(name, "archived")
        with session_scope(self.settings) as session:
            archived = classifier_rows.set_status(session=session, name=name, status=ARCHIVED)
        if archived is None:
            raise unknown_classifier(name)
        return archived

    def purge(self, name: str, batch_rows: int = 5000) -> None:
        """Remove the classifier and its data: history (in batches), uploads, versions,
        jobs. Blobs other classifiers share stay; the rest go with ``sightline prune``."""
        self._refuse_default(name, "purged")
        self.get(name)
        with session_scope(self.settings) as session:
            refuse_while_training(session, name)
        while True:
            with session_scope(self.settings) as session:
                deleted = history.delete_classifier_history(
                    session=session, classifier=name, limit=batch_rows
                )
            if deleted == 0:
                break
        with session_scope(self.settings) as session:
            # Again in the deleting transaction: a job may have been queued meanwhile.
            refuse_while_training(session, name)
            upload_rows.delete_uploads(session=session, classifier=name)
            classifier_rows.delete_classifier(session=session, name=name)

    def _refuse_default(self, name: str, what: str) -> None:
        if name == self.default:
            raise Conflict(
                f"{name!r} is the default classifier (SIGHTLINE_DEFAULT_CLASSIFIER); "
                f"it cannot be {what}.",
                code="default_classifier",
            )


def refuse_while_training(session: Session, name: str) -> None:
    if job_rows.active_job(session=session, classifier=name) is not None:
        raise Conflict(
            f"{name!r} is training; cancel its job before purging it.", code="job_active"
        )
