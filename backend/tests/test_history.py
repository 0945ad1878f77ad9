"""The recorder (serving/recorder.py): an answer waits for its row's commit, concurrent
rows share commits, and a row that cannot be written fails its request with a 503
instead of being answered: while the database is down, when a row is refused, when the
backlog is full."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.config import Settings
from sightline.db.models import PredictionRow, RequestEventRow, utcnow
from sightline.db.session import migrate, session_scope
from sightline.serving.recorder import HistoryUnavailable, Recorder
from tests.factories import image_bytes, make_settings, prediction_row


def stored_ids(settings: Settings) -> set[str]:
    with session_scope(settings) as session:
        return set(session.scalars(select(PredictionRow.id)).all())


@pytest.fixture
def recorder(db: Settings) -> Iterator[Recorder]:
    recorder = Recorder(db)
    recorder.start()
    yield recorder
    recorder.stop()


@pytest.fixture
def unreachable(tmp_path: Path) -> Settings:
    """Settings whose SQLite file is in a folder that does not exist: every connection
    fails, as with a database that is down."""
    url = f"sqlite:///{tmp_path / 'db-host' / 'history.db'}"
    return make_settings(tmp_path / "home", tmp_path / "no-model", database_url=url)


def test_a_recorded_row_is_committed_when_record_returns(db: Settings, recorder: Recorder) -> None:
    async def one() -> set[str]:
        row = prediction_row()
        keys = await recorder.record([row])
        assert stored_ids(db) == {row.id}  # another session sees it: committed
        return keys

    assert len(asyncio.run(one())) == 1


def test_concurrent_rows_share_commits(db: Settings, recorder: Recorder) -> None:
    rows = [prediction_row() for _ in range(200)]

    async def many() -> list[set[str]]:
        return list(await asyncio.gather(*(recorder.record([row]) for row in rows)))

    answers = asyncio.run(many())
    assert all(row.request_key in keys for row, keys in zip(rows, answers, strict=True))
    assert stored_ids(db) == {row.id for row in rows}
    assert recorder.commits < len(rows) / 4  # group commit: one transaction, many rows


def test_an_unreachable_database_fails_the_request_with_retry_after(unreachable: Settings) -> None:
    recorder = Recorder(unreachable)
    recorder.start()
    try:
        with pytest.raises(HistoryUnavailable) as refused:
            asyncio.run(recorder.record([prediction_row()]))
        assert refused.value.status_code == 503 and refused.value.retry_after_seconds
        assert recorder.last_error
        (unreachable.home.parent / "db-host").mkdir()
        migrate(unreachable)
        row = prediction_row()
        asyncio.run(recorder.record([row]))  # back: written at once
        assert stored_ids(unreachable) == {row.id} and recorder.last_error is None
    finally:
        recorder.stop()


def test_a_row_the_database_refuses_fails_only_its_own_request(
    db: Settings, recorder: Recorder
) -> None:
    good = [prediction_row(), prediction_row()]
    bad = prediction_row(prediction=None)  # NOT NULL violated

    async def together() -> list[object]:
        return list(
            await asyncio.gather(
                *(recorder.record([row]) for row in (good[0], bad, good[1])),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(together())
    assert isinstance(outcomes[1], HistoryUnavailable)
    assert not isinstance(outcomes[0], Exception) and not isinstance(outcomes[2], Exception)
    assert stored_ids(db) == {row.id for row in good}


def test_a_full_backlog_refuses_new_rows(db: Settings) -> None:
    db.history_max_pending = 3
    recorder = Recorder(db)
    recorder.start()
    try:
        with recorder._cond:  # the writer is busy: nothing is taken meanwhile
            futures = [recorder.submit([prediction_row()]) for _ in range(3)]
            with pytest.raises(HistoryUnavailable):
                recorder.submit([prediction_row()])
        for future in futures:
            future.result(timeout=30)
    finally:
        recorder.stop()


def test_a_stopped_recorder_takes_no_rows(db: Settings) -> None:
    with pytest.raises(HistoryUnavailable):
        Recorder(db).submit([prediction_row()])


def test_request_events_are_written_in_the_background(db: Settings, recorder: Recorder) -> None:
    for status in (200, 415, 200):
        recorder.record_event(
            RequestEventRow(
                classifier="cifar10",
                created_at=utcnow(),
                method="POST",
                route="/api/predict",
                status_code=status,
                duration_ms=3.0,
            )
        )
    assert recorder.flush(timeout=30)
    with session_scope(db) as session:
        assert sorted(session.scalars(select(RequestEventRow.status_code))) == [200, 200, 415]


def same_answer(replayed: dict[str, object], first: dict[str, object]) -> bool:
    """The stored answer: the same id, time and class; probabilities as stored (to 6
    decimal places)."""
    keys = ("id", "created_at", "prediction", "confidence", "model_version", "uncertain")
    probabilities = replayed["probabilities"]
    assert isinstance(probabilities, dict)
    return all(replayed[k] == first[k] for k in keys) and probabilities == pytest.approx(
        first["probabilities"], abs=1e-6
    )


def test_every_answer_through_the_api_has_its_row_when_it_is_sent(
    client: TestClient, settings: Settings
) -> None:
    for seed in range(3):
        answer = client.post("/api/predict", files={"file": ("x.png", image_bytes(seed=seed))})
        assert answer.status_code == 200
        assert answer.json()["id"] in stored_ids(settings)  # no flush: it is committed


def test_a_replay_with_the_same_key_gets_the_first_answer_and_no_second_row(
    client: TestClient, settings: Settings
) -> None:
    data = image_bytes(seed=4)
    headers = {"Idempotency-Key": "retry-me"}
    first = client.post("/api/predict", files={"file": ("x.png", data)}, headers=headers)
    again = client.post("/api/predict", files={"file": ("x.png", data)}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert same_answer(again.json(), first.json())
    # nginx's request id (X-Request-ID) names a replayed request the same way, batches too.
    files = [("files", ("a.png", data)), ("files", ("b.png", image_bytes(seed=5)))]
    replayed = {"X-Request-ID": "nginx-abc"}
    batch = client.post("/api/predict/batch", files=files, headers=replayed).json()
    batch_again = client.post("/api/predict/batch", files=files, headers=replayed).json()
    pairs = zip(batch["results"], batch_again["results"], strict=True)
    assert all(same_answer(a, b) for a, b in pairs)
    # The same key with another image is another request.
    other = client.post(
        "/api/predict", files={"file": ("y.png", image_bytes(seed=6))}, headers=headers
    )
    assert other.json()["id"] != first.json()["id"]
    assert len(stored_ids(settings)) == 1 + 2 + 1
    assert client.get("/api/status").json()["predictions_served"] == 4


def test_a_row_too_slow_to_commit_gets_a_503_and_the_retry_its_stored_answer(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = client.app.state.recorder  # type: ignore[attr-defined]
    slow_commit = recorder._commit

    def commit_after_a_second(*args: object) -> set[str]:
        time.sleep(1.0)  # a database that is slow right now
        return slow_commit(*args)

    monkeypatch.setattr(recorder, "_commit", commit_after_a_second)
    monkeypatch.setattr(recorder, "commit_timeout", 0.3)
    request = {"files": {"file": ("x.png", image_bytes())}, "headers": {"Idempotency-Key": "k1"}}
    refused = client.post("/api/predict", **request)  # type: ignore[arg-type]
    assert refused.status_code == 503
    assert refused.json()["code"] == "history_unavailable"
    assert int(refused.headers["retry-after"]) > 0

    monkeypatch.setattr(recorder, "commit_timeout", 30.0)
    retried = client.post("/api/predict", **request)  # type: ignore[arg-type]
    assert retried.status_code == 200
    assert stored_ids(settings) == {retried.json()["id"]}  # one row, the first attempt's
