"""The background history writer: answers do not wait for the database, and every
answered prediction still lands in it: after a shutdown flush, after an outage, and
across a restart when the database stayed down."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import migrate, session_scope
from sightline.serving.recorder import PENDING, REFUSED, HistoryUnavailable, HistoryWriter
from tests.conftest import image_bytes, make_settings, prediction_row


def stored_ids(settings: Settings) -> set[str]:
    with session_scope(settings) as session:
        return set(session.scalars(select(PredictionRow.id)).all())


@pytest.fixture
def unreachable(tmp_path: Path, quick_model_dir: Path) -> Settings:
    """Settings whose SQLite file is in a folder that does not exist yet: every
    connection fails (as with a database that is down) until the folder is made."""
    url = f"sqlite:///{tmp_path / 'db-host' / 'history.db'}"
    return make_settings(
        tmp_path / "home",
        quick_model_dir,
        database_url=url,
        history_flush_ms=10.0,
        history_max_pending=5,
    )


def bring_back(settings: Settings) -> None:
    (settings.home.parent / "db-host").mkdir()
    migrate(settings)


def test_answers_do_not_wait_for_rows_and_shutdown_writes_them_all(settings: Settings) -> None:
    from sightline.api.main import create_app

    settings.history_flush_ms = 3_600_000.0  # the timer never fires during the test
    uploads = [image_bytes(seed=i) for i in range(12)]
    with TestClient(create_app(settings)) as client, ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda data: client.post("/api/predict", files={"file": ("x.png", data)}), uploads
            )
        )
        history = client.app.state.services.predictions.history  # type: ignore[attr-defined]
        assert history.pending == len(uploads)  # answered, rows still queued
    assert all(answer.status_code == 200 for answer in answers)
    assert {answer.json()["id"] for answer in answers} == stored_ids(settings)


def test_rows_are_written_by_the_timer_without_being_asked(settings: Settings) -> None:
    migrate(settings)
    settings.history_flush_ms = 10.0
    writer = HistoryWriter(settings)
    writer.start()
    try:
        rows = [prediction_row() for _ in range(3)]
        writer.write(rows[:1])
        writer.write(rows[1:])
        deadline = time.monotonic() + 30  # generous: this checks that, not how fast
        while stored_ids(settings) != {r.id for r in rows} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored_ids(settings) == {r.id for r in rows}
    finally:
        writer.stop()


def test_rows_wait_out_an_outage_and_a_full_backlog_refuses_new_work(
    unreachable: Settings,
) -> None:
    writer = HistoryWriter(unreachable)
    writer.start()
    try:
        first = [prediction_row() for _ in range(3)]
        writer.write(first)
        assert writer.flush(timeout=0.3) is False  # the database is down
        assert writer.pending == 3 and writer.last_error
        writer.check_accepting()  # room for more
        writer.write([prediction_row(), prediction_row()])
        with pytest.raises(HistoryUnavailable) as refused:
            writer.check_accepting()
        assert refused.value.status_code == 503

        bring_back(unreachable)
        assert writer.flush(timeout=30)
        assert writer.pending == 0 and writer.last_error is None
        assert {r.id for r in first} <= stored_ids(unreachable)
        assert len(stored_ids(unreachable)) == 5
        writer.check_accepting()
    finally:
        writer.stop()


def test_rows_unwritable_at_shutdown_are_spilled_and_written_at_next_start(
    unreachable: Settings,
) -> None:
    writer = HistoryWriter(unreachable)
    writer.start()
    rows = [prediction_row() for _ in range(4)]
    writer.write(rows)
    writer.stop(timeout=10)
    spilled = list(writer.spill_dir.glob(f"{PENDING}-*.jsonl"))
    assert len(spilled) == 1

    bring_back(unreachable)
    restarted = HistoryWriter(unreachable)
    restarted.start()
    restarted.stop()
    assert stored_ids(unreachable) == {r.id for r in rows}
    assert not list(writer.spill_dir.glob("*.jsonl"))
    with session_scope(unreachable) as session:
        back = session.get(PredictionRow, rows[0].id)
        assert back is not None and back.created_at == rows[0].created_at


def test_a_row_the_database_refuses_does_not_block_the_others(settings: Settings) -> None:
    migrate(settings)
    writer = HistoryWriter(settings)
    writer.start()
    good = [prediction_row(), prediction_row()]
    writer.write([good[0], prediction_row(prediction=None), good[1]])  # NOT NULL violated
    assert writer.flush(timeout=30)
    writer.stop()
    assert stored_ids(settings) == {r.id for r in good}
    refused = list(writer.spill_dir.glob(f"{REFUSED}-*.jsonl"))
    assert len(refused) == 1 and '"prediction": null' in refused[0].read_text()


def test_without_a_flusher_rows_are_written_at_once(settings: Settings) -> None:
    migrate(settings)
    writer = HistoryWriter(settings)  # never started, as in a script
    one = prediction_row()
    writer.write([one])
    assert stored_ids(settings) == {one.id}
