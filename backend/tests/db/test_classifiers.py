"""Classifiers in one database: each classifier's history, rollups and counters are its
own (db/predictions.py), a purge removes one classifier's rows only, and the catalog
(ml/classifiers.py) keeps the name rule, refuses what the contract refuses and sums up
each classifier for the list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import classifiers as classifier_rows
from sightline.db import jobs as job_rows
from sightline.db import model_versions as version_rows
from sightline.db import predictions as history
from sightline.db import uploads as upload_rows
from sightline.db.models import (
    ClassifierRow,
    CounterRow,
    ModelVersionRow,
    PredictionRow,
    RequestEventRow,
    RetrainJobRow,
    RollupMinuteRow,
    TrainingUploadRow,
)
from sightline.db.session import session_scope
from sightline.errors import Conflict, InvalidField, NotFound
from sightline.ml.classifiers import NAME_RULE, ClassifierCatalog
from sightline.retrain_job import JobStatus
from tests.factories import add_upload, add_version

NOW = datetime.now(UTC).replace(microsecond=0)
HOUR_AGO = NOW - timedelta(hours=1)
# What each classifier predicts, so a label names its classifier in the rollups.
LABELS = {"cifar10": "cat", "dogs": "poodle"}


def answer(classifier: str, created_at: datetime = NOW) -> PredictionRow:
    return PredictionRow(
        id=uuid.uuid4().hex,
        classifier=classifier,
        created_at=created_at,
        request_key=uuid.uuid4().hex,
        prediction=LABELS[classifier],
        class_index=0,
        confidence=0.8,
        uncertain=False,
        model_version="v1",
        time_ms=4.0,
        image_sha256="0" * 64,
        filename=None,
        endpoint="predict",
        probabilities=[0.8, 0.2],
    )


def request(classifier: str, created_at: datetime = NOW) -> RequestEventRow:
    route = "/api/predict" if classifier == "cifar10" else "/api/classifiers/{classifier}/predict"
    return RequestEventRow(
        classifier=classifier,
        created_at=created_at,
        method="POST",
        route=route,
        status_code=200,
        duration_ms=12.0,
    )


def write_history(settings: Settings, rows: list[PredictionRow]) -> None:
    """The rows, each with its request event, as the recorder writes them."""
    with session_scope(settings) as session:
        events = [request(row.classifier, row.created_at) for row in rows]
        history.insert_records(session=session, predictions=rows, events=events)


def add_classifier(settings: Settings, name: str, classes: list[str] | None = None) -> None:
    with session_scope(settings) as session:
        assert classifier_rows.insert_classifier(
            session=session, name=name, parent=None, classes=classes or []
        )


@pytest.fixture
def two_classifiers(migrated: Settings) -> Settings:
    """cifar10 (the migration made it) and dogs, with a history each: 3 and 5 answers
    now, and 2 and 1 an hour ago."""
    add_classifier(migrated, "dogs")
    rows = [answer("cifar10") for _ in range(3)] + [answer("dogs") for _ in range(5)]
    rows += [answer("cifar10", HOUR_AGO) for _ in range(2)] + [answer("dogs", HOUR_AGO)]
    write_history(migrated, rows)
    return migrated


# ------------------------------------------------------------------ the history, scoped


def test_each_classifier_lists_and_counts_only_its_own_answers(two_classifiers: Settings) -> None:
    with session_scope(two_classifiers) as session:
        for classifier, count in (("cifar10", 5), ("dogs", 6)):
            page = history.list_predictions(session=session, classifier=classifier, limit=100)
            assert len(page) == count
            assert {entry.prediction for entry in page} == {LABELS[classifier]}
            assert history.count_predictions(session=session, classifier=classifier) == count
            assert history.predictions_served(session=session, classifier=classifier) == count
            chunks = history.iter_predictions(session=session, classifier=classifier, chunk_rows=2)
            assert {row.classifier for chunk in chunks for row in chunk} == {classifier}
        assert history.predictions_served(session=session) == 11  # all of them
        assert history.list_predictions(session=session, classifier="cats", limit=10) == []
        assert history.count_predictions(session=session, classifier="cats") == 0


def test_each_classifier_reads_only_its_own_rollups(two_classifiers: Settings) -> None:
    first, last = history.minute_of(HOUR_AGO), history.minute_of(NOW)
    with session_scope(two_classifiers) as session:
        for classifier, count in (("cifar10", 5), ("dogs", 6)):
            cells = history.rollup_buckets(
                session=session,
                classifier=classifier,
                first_minute=first,
                last_minute=last,
                bucket_minutes=last - first + 1,  # one bucket: the whole window
            )
            per_series = {
                (cell.series, cell.label): cell.count
                for cell in cells
                if cell.series in (history.CLASSES, history.REQUESTS, history.LATENCY)
            }
            assert per_series[(history.CLASSES, LABELS[classifier])] == count
            assert per_series[(history.REQUESTS, "2xx")] == count
            latency = sum(n for (series, _), n in per_series.items() if series == history.LATENCY)
            assert latency == count  # both routes are predict routes, scoped or not
            assert {label for series, label in per_series if series == history.CLASSES} == {
                LABELS[classifier]
            }
        since_now = history.predictions_since(session=session, minute=history.minute_of(NOW))
        assert since_now == {"cifar10": 3, "dogs": 5}
        since_then = history.predictions_since(session=session, minute=first)
        assert since_then == {"cifar10": 5, "dogs": 6}


def test_pruning_takes_each_row_from_its_own_classifiers_counter(
    two_classifiers: Settings,
) -> None:
    with session_scope(two_classifiers) as session:
        pruned = history.delete_predictions(
            session=session, before=NOW - timedelta(minutes=30), limit=100
        )
    assert pruned == 3
    with session_scope(two_classifiers) as session:
        assert history.count_predictions(session=session, classifier="cifar10") == 3
        assert history.count_predictions(session=session, classifier="dogs") == 5
        # What was served stays counted; the rollups keep the pruned answers too.
        assert history.predictions_served(session=session, classifier="cifar10") == 5
        assert history.predictions_served(session=session, classifier="dogs") == 6
        since = history.predictions_since(session=session, minute=history.minute_of(HOUR_AGO))
        assert since == {"cifar10": 5, "dogs": 6}


def test_deleting_a_classifiers_history_leaves_the_others(two_classifiers: Settings) -> None:
    with session_scope(two_classifiers) as session:
        kept_rollups = rows_of(session, RollupMinuteRow, "cifar10")
        kept_counters = rows_of(session, CounterRow, "cifar10")
    batches = []
    while True:  # in batches, as a purge does
        with session_scope(two_classifiers) as session:
            deleted = history.delete_classifier_history(session=session, classifier="dogs", limit=4)
        batches.append(deleted)
        if deleted == 0:
            break
    assert batches == [4, 2, 0]
    with session_scope(two_classifiers) as session:
        for table in (PredictionRow, RequestEventRow, RollupMinuteRow, CounterRow):
            assert rows_of(session, table, "dogs") == [], table.__tablename__
        assert rows_of(session, RollupMinuteRow, "cifar10") == kept_rollups
        assert rows_of(session, CounterRow, "cifar10") == kept_counters
        assert len(rows_of(session, PredictionRow, "cifar10")) == 5
        assert len(rows_of(session, RequestEventRow, "cifar10")) == 5


def rows_of(session: Session, table: Any, classifier: str) -> list[tuple[Any, ...]]:
    """The classifier's rows of ``table``, as sorted tuples of their columns."""
    columns = table.__table__.columns
    query = select(*columns).where(columns["classifier"] == classifier)
    return sorted(tuple(row) for row in session.execute(query))


# ------------------------------------------------------------------ the catalog


# Empty, capitals, a hyphen at either end, a space, an underscore, a non-ASCII letter,
# 41 characters, a slash, a dot.
BAD_NAMES = ["", "Dogs", "-dogs", "dogs-", "do gs", "dogs_1", "dög", "a" * 41, "cats/dogs", "x.y"]


def test_a_name_outside_the_rule_is_refused_with_the_rule(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    for name in BAD_NAMES:
        with pytest.raises(InvalidField) as refused:
            catalog.create(name, parent=None)
        assert (refused.value.status_code, refused.value.code) == (422, "invalid_name")
        assert NAME_RULE in refused.value.detail and repr(name) in refused.value.detail
    assert [c.name for c in catalog.all()] == ["cifar10"]


def test_names_inside_the_rule_are_created(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    for name in ("a", "9", "a" * 40, "cats-vs-dogs", "x-1-y"):
        created = catalog.create(name, parent=None)
        assert (created.name, created.status, created.archived_at) == (name, "active", None)
        assert catalog.get(name) == created


def test_a_taken_name_is_a_conflict(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    catalog.create("dogs", parent=None, classes=["poodle"])
    for name in ("dogs", "cifar10"):
        with pytest.raises(Conflict) as refused:
            catalog.create(name, parent="auto")
        assert (refused.value.status_code, refused.value.code) == (409, "classifier_exists")
    assert catalog.get("dogs").classes == ["poodle"]  # the first one is untouched


def test_the_parent_must_be_a_live_classifier_auto_or_none(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    assert catalog.create("from-cifar", parent="cifar10").parent == "cifar10"
    assert catalog.create("picked", parent="auto").parent == "auto"
    assert catalog.create("scratch", parent=None).parent is None
    catalog.archive("scratch")
    for parent in ("nope", "scratch"):  # unknown, and archived
        with pytest.raises(InvalidField) as refused:
            catalog.create("orphan", parent=parent)
        assert (refused.value.status_code, refused.value.code) == (422, "unknown_parent")
        assert repr(parent) in refused.value.detail
    assert catalog.get_or_none("orphan") is None


def test_classes_are_kept_in_order_once_each(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    created = catalog.create("birds", parent=None, classes=[" robin ", "owl", "robin", " "])
    assert created.classes == ["robin", "owl"]
    assert catalog.add_classes("birds", ["owl", "wren", "jay", "wren"]) == [
        "robin",
        "owl",
        "wren",
        "jay",
    ]


def test_the_default_classifier_cannot_be_archived_or_purged(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    for remove in (catalog.archive, catalog.purge):
        with pytest.raises(Conflict) as refused:
            remove("cifar10")
        assert (refused.value.status_code, refused.value.code) == (409, "default_classifier")
    assert catalog.get("cifar10").status == "active"


def test_an_unknown_classifier_is_not_found(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    for action in (catalog.get, catalog.archive, catalog.purge, catalog.summary):
        with pytest.raises(NotFound) as missing:
            action("nope")
        assert (missing.value.status_code, missing.value.code) == (404, "unknown_classifier")


def test_an_archived_classifier_keeps_its_history_readable(two_classifiers: Settings) -> None:
    catalog = ClassifierCatalog(two_classifiers)
    archived = catalog.archive("dogs")
    assert archived.status == "archived" and archived.archived and archived.archived_at
    assert catalog.get("dogs") == archived
    with session_scope(two_classifiers) as session:
        page = history.list_predictions(session=session, classifier="dogs", limit=100)
        assert len(page) == 6


def test_a_purge_removes_the_classifier_and_its_data_only(two_classifiers: Settings) -> None:
    settings = two_classifiers
    for classifier in ("cifar10", "dogs"):
        with session_scope(settings) as session:
            assert add_version(session, classifier, f"v{len(classifier)}", "production")
            assert add_upload(session, classifier, "a" * 64)  # one image, shared
            job_rows.insert_job(
                session=session,
                classifier=classifier,
                job_id=f"job-{classifier}",
                epochs=1,
                params={},
                message="",
            )
    catalog = ClassifierCatalog(settings)
    with pytest.raises(Conflict) as refused:
        catalog.purge("dogs")  # its job is queued
    assert (refused.value.status_code, refused.value.code) == (409, "job_active")
    assert catalog.get("dogs").status == "active"

    with session_scope(settings) as session:
        job_rows.update_job(session=session, job_id="job-dogs", values={"status": "cancelled"})
    catalog.purge("dogs", batch_rows=4)
    assert catalog.get_or_none("dogs") is None
    tables = (PredictionRow, RequestEventRow, RollupMinuteRow, CounterRow)
    owned = (*tables, ModelVersionRow, TrainingUploadRow, RetrainJobRow)
    with session_scope(settings) as session:
        for table in owned:
            assert rows_of(session, table, "dogs") == [], table.__tablename__
            assert rows_of(session, table, "cifar10") != [], table.__tablename__
        assert history.count_predictions(session=session, classifier="cifar10") == 5
        assert upload_rows.upload_exists(session=session, classifier="cifar10", sha256="a" * 64)
        assert version_rows.production_version(session=session, classifier="cifar10") == "v7"
    # The name is free again.
    assert catalog.create("dogs", parent=None).status == "active"


def test_a_job_queued_while_a_purge_deletes_history_stops_the_purge(
    two_classifiers: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = two_classifiers
    with session_scope(settings) as session:
        assert add_upload(session, "dogs", "b" * 64)
    delete_history = history.delete_classifier_history

    def queue_a_job_first(**kwargs: Any) -> int:
        with session_scope(settings) as session:
            if job_rows.active_job(session=session, classifier="dogs") is None:
                job_rows.insert_job(
                    session=session,
                    classifier="dogs",
                    job_id="job-meanwhile",
                    epochs=1,
                    params={},
                    message="",
                )
        return delete_history(**kwargs)

    monkeypatch.setattr(history, "delete_classifier_history", queue_a_job_first)
    catalog = ClassifierCatalog(settings)
    with pytest.raises(Conflict) as refused:
        catalog.purge("dogs", batch_rows=4)
    assert refused.value.code == "job_active"
    # The classifier, its uploads and the job stay: nothing the job needs was deleted.
    assert catalog.get("dogs").status == "active"
    with session_scope(settings) as session:
        assert upload_rows.upload_exists(session=session, classifier="dogs", sha256="b" * 64)
        assert job_rows.active_job(session=session, classifier="dogs") is not None


def test_summaries_show_stage_figures_and_the_latest_job(migrated: Settings) -> None:
    settings = migrated
    catalog = ClassifierCatalog(settings)
    catalog.create("dogs", parent="cifar10")
    catalog.create("birds", parent=None, classes=["owl"])
    catalog.create("ants", parent=None)
    catalog.archive("ants")
    with session_scope(settings) as session:
        classifier_rows.add_classes(session=session, name="cifar10", classes=["dog", "fox"])
        assert add_version(
            session, "cifar10", "v1", "production", {"accuracy": 0.9, "class_names": ["cat", "dog"]}
        )
        for letter in "abc":
            assert add_upload(session, "birds", letter * 64, "owl")
        assert add_upload(session, "dogs", "a" * 64)
        for job_id, status, age in (("old", "failed", 60), ("new", "queued", 1)):
            job_rows.insert_job(
                session=session, classifier="dogs", job_id=job_id, epochs=1, params={}, message=""
            )
            created = NOW - timedelta(minutes=age)
            values = {"status": status, "created_at": created}
            job_rows.update_job(session=session, job_id=job_id, values=values)
        job_rows.insert_job(
            session=session, classifier="birds", job_id="done", epochs=1, params={}, message=""
        )
        job_rows.update_job(session=session, job_id="done", values={"status": "completed"})
    write_history(
        settings,
        [answer("cifar10") for _ in range(2)] + [answer("cifar10", NOW - timedelta(days=2))],
    )

    summaries = {s.classifier.name: s for s in catalog.summaries()}
    assert list(summaries) == ["birds", "cifar10", "dogs", "ants"]  # active, then archived

    shipped = summaries["cifar10"]
    assert (shipped.stage, shipped.production_version, shipped.accuracy) == ("live", "v1", 0.9)
    assert shipped.is_default and shipped.classes == ["cat", "dog", "fox"]
    assert (shipped.predictions_today, shipped.training_images, shipped.last_job) == (2, 0, None)

    training = summaries["dogs"]
    assert (training.stage, training.production_version, training.accuracy) == (
        "training",
        None,
        None,
    )
    assert not training.is_default and training.training_images == 1
    assert training.last_job is not None and training.last_job.id == "new"
    assert training.last_job.status is JobStatus.QUEUED

    untrained = summaries["birds"]
    assert (untrained.stage, untrained.classes, untrained.training_images) == (
        "untrained",
        ["owl"],
        3,
    )
    assert untrained.last_job is not None and untrained.last_job.status is JobStatus.COMPLETED
    assert summaries["ants"].stage == "untrained" and summaries["ants"].classifier.archived
    assert summaries["ants"].predictions_today == 0

    assert catalog.summary("dogs") == training
    assert [s.classifier.name for s in catalog.summaries(["dogs", "ants"])] == ["dogs", "ants"]


def test_the_default_classifier_is_created_once(migrated: Settings) -> None:
    catalog = ClassifierCatalog(migrated)
    with session_scope(migrated) as session:
        session.execute(delete(ClassifierRow))  # a database from before the first start
    assert catalog.get_or_none("cifar10") is None
    first = catalog.ensure_default()
    assert catalog.ensure_default() == first
    with session_scope(migrated) as session:
        assert session.scalar(select(func.count()).select_from(ClassifierRow)) == 1
