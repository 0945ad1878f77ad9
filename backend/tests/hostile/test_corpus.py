"""Every file of the hostile corpus, and every malformed request, sent to every upload
endpoint of one app with the real quick-trained model: each gets 200 or a 4xx JSON
error (the exact expectations are in corpus.py), never a 5xx, and the server stays
healthy with nothing written outside its home."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.config import Settings, get_settings
from sightline.data.preprocessing import decode_image
from sightline.data.training_uploads import UploadStore
from sightline.db.models import TrainingUploadRow
from sightline.db.session import session_scope
from tests.factories import ADMIN_TOKEN, make_settings
from tests.hostile.corpus import (
    REQUEST_CASES,
    Endpoint,
    FileCase,
    endpoints,
    file_cases,
    judge_file,
    judge_request,
)

CLASS = "circle"  # a class of the quick-trained shapes model
ENDPOINTS = endpoints(CLASS)
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def hostile_settings(
    tmp_path_factory: pytest.TempPathFactory, quick_model_dir: Path, shapes_dir: Path
) -> Settings:
    # The corpus sends ~250 requests in a few seconds, a fifth of them to admin routes.
    return make_settings(
        tmp_path_factory.mktemp("hostile") / "home",
        quick_model_dir,
        dataset=str(shapes_dir),
        admin_rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def hostile_client(hostile_settings: Settings) -> Iterator[TestClient]:
    """One app for the whole corpus: starting one per request would dominate the run."""
    from sightline.api.main import create_app

    get_settings.cache_clear()
    with TestClient(create_app(hostile_settings)) as client:
        yield client


def send_file(client: TestClient, endpoint: Endpoint, case: FileCase) -> tuple[int, Any]:
    params = {} if case.zip else endpoint.params
    response = client.post(
        endpoint.path,
        params=params,
        files=[(endpoint.field, (case.filename, case.data, case.content_type))],
        headers=ADMIN if endpoint.admin else {},
    )
    return response.status_code, _json(response)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def _id(value: object) -> str:
    return getattr(value, "name", None) or getattr(value, "path", str(value))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
@pytest.mark.parametrize("case", file_cases(CLASS), ids=_id)
def test_every_file_gets_a_clean_answer(
    hostile_client: TestClient, endpoint: Endpoint, case: FileCase
) -> None:
    status, body = send_file(hostile_client, endpoint, case)
    assert judge_file(endpoint, case, status, body) == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
@pytest.mark.parametrize("name", list(REQUEST_CASES))
def test_every_malformed_request_gets_a_clean_answer(
    hostile_client: TestClient, endpoint: Endpoint, name: str
) -> None:
    build, expect = REQUEST_CASES[name]
    request = build(endpoint)
    if endpoint.admin:
        request["headers"] = {**request.get("headers", {}), **ADMIN}
    response = hostile_client.post(endpoint.path, params=endpoint.params, **request)
    assert judge_request(expect, response.status_code, _json(response)) == []


def test_afterwards_healthy_and_nothing_outside_home(
    hostile_client: TestClient, hostile_settings: Settings
) -> None:
    """Runs after the corpus (pytest keeps file order): the same app still answers, and
    every stored upload is a whole, decodable image under the uploads folder."""
    health = hostile_client.get("/health")
    assert health.status_code == 200 and health.json()["model_loaded"] is True
    good = next(c for c in file_cases(CLASS) if c.name == "bmp")
    assert send_file(hostile_client, ENDPOINTS[0], good)[0] == 200

    uploads = hostile_settings.uploads_dir.resolve()
    with session_scope(hostile_settings) as session:
        rows = session.scalars(select(TrainingUploadRow)).all()
    assert rows, "the valid images of the corpus were stored"
    for row in rows:
        path = UploadStore(hostile_settings).path_of(row.sha256).resolve()  # fetched, verified
        assert path.is_relative_to(uploads)
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        decode_image(data)
        assert "/" not in (row.original_filename or "").split(":")[0]
    home = hostile_settings.home.resolve()
    assert not [p for p in home.parent.rglob("*") if not p.resolve().is_relative_to(home)]
    stray = [p for p in home.rglob("*") if p.name in ("passwd.png", "a.png", "b.png", "c.png")]
    assert stray == []
