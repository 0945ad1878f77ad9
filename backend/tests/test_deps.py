"""api/deps.py: SessionDep commits what a route wrote, and rolls back when it raises."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from sightline.api.deps import SessionDep, get_settings_of_app
from sightline.config import Settings
from sightline.db.predictions import add_to_counters, counter
from sightline.db.session import session_scope


def test_a_route_session_commits_on_success_and_rolls_back_on_error(db: Settings) -> None:
    app = FastAPI()
    app.dependency_overrides[get_settings_of_app] = lambda: db

    @app.post("/count")
    def count(session: SessionDep, fail: bool = False) -> None:
        add_to_counters(session=session, amounts={("cifar10", "test_counter"): 1})
        if fail:
            raise HTTPException(409, "after the write")

    with TestClient(app) as client:
        assert client.post("/count").status_code == 200
        assert client.post("/count", params={"fail": True}).status_code == 409
    with session_scope(db) as session:
        assert counter(session=session, classifier="cifar10", name="test_counter") == 1
