"""SQL for classifiers (table ``classifiers``). ``ml/classifiers.py`` holds the rules
(the name rule, what creating, archiving and purging mean); these functions only read
and write rows. Reads answer ``Classifier``, never the ORM row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sightline.db.models import ClassifierRow, ModelVersionRow, RetrainJobRow
from sightline.db.session import add_unless_refused

ACTIVE = "active"
ARCHIVED = "archived"


@dataclass(frozen=True)
class Classifier:
    name: str
    created_at: datetime
    status: str  # active / archived
    parent: str | None
    classes: list[str]  # named before (or beyond) what its model knows
    archived_at: datetime | None
    review: dict[str, Any] = field(default_factory=dict)  # the stored review policy

    @property
    def archived(self) -> bool:
        return self.status == ARCHIVED

    @classmethod
    def of(cls, row: ClassifierRow) -> Classifier:
        return cls(
            name=row.name,
            created_at=row.created_at,
            status=row.status,
            parent=row.parent,
            classes=list(row.classes or []),
            archived_at=row.archived_at,
            review=dict(row.review or {}),
        )


def get_classifier(*, session: Session, name: str) -> Classifier | None:
    row = session.get(ClassifierRow, name)
    return None if row is None else Classifier.of(row)


def list_classifiers(*, session: Session) -> list[Classifier]:
    return [Classifier.of(row) for row in session.scalars(select(ClassifierRow))]


def insert_classifier(
    *, session: Session, name: str, parent: str | None, classes: list[str]
) -> bool:
    """Add a classifier; False, and nothing added, when the name is taken."""
    row = ClassifierRow(name=name, status=ACTIVE, parent=parent, classes=classes)
    return add_unless_refused(session, row)


def add_classes(*, session: Session, name: str, classes: list[str]) -> list[str]:
    """Append the classes it does not have yet (in order); returns all of them."""
    row = session.get(ClassifierRow, name, with_for_update=True)
    if row is None:
        return []
    known = list(row.classes or [])
    row.classes = known + [c for c in dict.fromkeys(classes) if c not in known]
    return list(row.classes)


def set_review(*, session: Session, name: str, review: dict[str, Any]) -> Classifier | None:
    """Store the classifier's review policy (validated by the caller)."""
    row = session.get(ClassifierRow, name, with_for_update=True)
    if row is None:
        return None
    row.review = review
    return Classifier.of(row)


def set_status(*, session: Session, name: str, status: str) -> Classifier | None:
    row = session.get(ClassifierRow, name, with_for_update=True)
    if row is None:
        return None
    row.status = status
    row.archived_at = datetime.now(UTC) if status == ARCHIVED else None
    return Classifier.of(row)


def delete_classifier(*, session: Session, name: str) -> None:
    """The classifier's row, its versions' rows and its jobs (a purge; the caller has
    removed its history and uploads first)."""
    session.execute(delete(RetrainJobRow).where(RetrainJobRow.classifier == name))
    session.execute(delete(ModelVersionRow).where(ModelVersionRow.classifier == name))
    session.execute(delete(ClassifierRow).where(ClassifierRow.name == name))
