"""The review queue over HTTP (issue #32), with the real quick-trained model: the
policy (PATCH), keeping answers, the reviewer token, labelling with every bad input
(422/409/404), feedback (404/409/429), undo, auto-retrain, live accuracy; and the
live-accuracy estimator itself on simulated streams."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.config import Settings
from sightline.db.models import TrainingUploadRow
from sightline.db.session import session_scope
from sightline.ml.live_accuracy import estimate
from sightline.ml.review_queue import ReviewItem, live_accuracy_of
from tests.factories import image_bytes

REVIEWER_TOKEN = "test-reviewer-token"
REVIEWER = {"Authorization": f"Bearer {REVIEWER_TOKEN}"}
SCOPED = "/api/classifiers/cifar10"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"reviewer_token": REVIEWER_TOKEN, "feedback_rate_limit_per_minute": 6}
    )


def set_policy(client: TestClient, admin: dict[str, str], **review: object) -> dict:
    response = client.patch(SCOPED, json={"review": review}, headers=admin)
    assert response.status_code == 200, response.text
    return dict(response.json()["review"])


def predict(client: TestClient, shape: str = "circle", seed: int = 0) -> dict:
    files = {"file": (f"{shape}.png", image_bytes(shape, seed=seed), "image/png")}
    response = client.post("/api/predict", files=files)
    assert response.status_code == 200, response.text
    return dict(response.json())


def kept_items(client: TestClient, **params: object) -> dict:
    assert client.app.state.services.pool.keeper.flush()  # type: ignore[attr-defined]
    response = client.get(f"{SCOPED}/review", params=params, headers=REVIEWER)
    assert response.status_code == 200, response.text
    return dict(response.json())


def uploads(settings: Settings) -> list[TrainingUploadRow]:
    with session_scope(settings) as session:
        return list(session.scalars(select(TrainingUploadRow)))


def test_the_policy_is_validated_stored_and_shown(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert client.get(SCOPED).json()["review"]["audit_rate"] == 0.0  # off by default
    policy = set_policy(client, admin, keep_uncertain=True, audit_rate=0.01, max_items=500)
    assert policy == {
        "keep_uncertain": True,
        "audit_rate": 0.01,
        "retention_days": 30.0,
        "max_items": 500,
        "auto_retrain_after": None,
    }
    assert client.get(SCOPED).json()["review"] == policy
    for bad in ({"audit_rate": 2}, {"max_items": 0}, {"retention_days": -1}, {"colour": 1}):
        response = client.patch(SCOPED, json={"review": bad}, headers=admin)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_field"
    assert client.get(SCOPED).json()["review"] == policy  # nothing half-written
    assert client.patch(SCOPED, json={"review": {}}).status_code == 401
    refused = client.patch(SCOPED, json={"review": {}}, headers=REVIEWER)
    assert refused.status_code == 403 and refused.json()["code"] == "reviewer_not_allowed"
    assert client.patch("/api/classifiers/nope", json={}, headers=admin).status_code == 404


def test_kept_answers_are_labelled_once_and_feed_training(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    assert predict(client)  # before review is on: nothing kept
    set_policy(client, admin, audit_rate=1.0)
    answers = [predict(client, shape, seed) for shape, seed in (("circle", 1), ("square", 2))]
    page = kept_items(client, strategy="audit_first")
    assert [item["prediction_id"] for item in page["items"]] == sorted(
        (a["id"] for a in answers),
        key=lambda i: next(a["confidence"] for a in answers if a["id"] == i),
    )
    assert page["counts"]["by_reason"] == {"audit": 2}
    assert page["classes"] == ["circle", "square", "triangle"]
    item = page["items"][0]
    assert item["top3"][0]["class"] == item["predicted"]
    assert len(item["top3"]) == 3

    image = client.get(item["image_url"], headers=REVIEWER)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert "immutable" in image.headers["cache-control"]
    again = client.get(
        item["image_url"], headers={**REVIEWER, "If-None-Match": image.headers["etag"]}
    )
    assert again.status_code == 304
    assert client.get(item["image_url"]).status_code == 401
    assert client.get(item["image_url"], headers={"Authorization": "Bearer x"}).status_code == 401
    assert client.get(f"{SCOPED}/review").status_code == 401
    heat = client.get(item["explain_url"], headers=REVIEWER)
    assert heat.status_code == 200 and heat.json()["class"] == item["predicted"]

    decide = f"{SCOPED}/review/{item['id']}"
    wrong = client.post(decide, json={"label": "horse"}, headers=REVIEWER)
    assert wrong.status_code == 422 and "circle, square, triangle" in wrong.json()["detail"]
    for body in ({}, {"label": "circle", "skip": True}):
        assert client.post(decide, json=body, headers=REVIEWER).status_code == 422
    first = client.post(decide, json={"label": "square"}, headers=REVIEWER)
    double = client.post(decide, json={"label": "square"}, headers=REVIEWER)
    assert first.json()["training_image"] == "added" and double.json()["repeated"]
    [upload] = uploads(settings)
    assert (upload.class_name, upload.prediction_id) == ("square", item["prediction_id"])
    other = client.post(decide, json={"label": "circle"}, headers=admin)
    assert other.status_code == 409 and "'square'" in other.json()["detail"]
    missing = client.post(f"{SCOPED}/review/nope", json={"label": "circle"}, headers=REVIEWER)
    assert missing.status_code == 404

    undone = client.post(f"{SCOPED}/review/undo", headers=REVIEWER).json()
    assert undone["item"]["state"] == "pending" and undone["training_images_removed"] == 1
    assert uploads(settings) == []
    stranger = client.post(decide, json={"label": None}, headers=admin).json()
    assert stranger["item"]["state"] == "none_of_these" and stranger["training_image"] is None
    assert client.post(f"{SCOPED}/review/undo", headers=REVIEWER).status_code == 404


def test_the_reviewer_token_labels_but_cannot_promote_or_upload(
    client: TestClient,
) -> None:
    promote = client.post("/api/models/v1/promote", headers=REVIEWER)
    assert promote.status_code == 403, promote.text
    upload = client.post(
        "/api/upload-training-data", headers=REVIEWER, files={"files": ("a.png", b"x", "image/png")}
    )
    assert upload.status_code == 403
    assert client.delete("/api/classifiers/cifar10", headers=REVIEWER).status_code == 403
    assert client.get(f"{SCOPED}/review", headers=REVIEWER).status_code == 200


def test_feedback_queues_an_answer_while_its_image_is_kept(
    client: TestClient, admin: dict[str, str]
) -> None:
    before = predict(client, seed=3)
    off = client.post(f"{SCOPED}/predictions/{before['id']}/feedback", json={})
    assert off.status_code == 409 and off.json()["code"] == "review_off"
    set_policy(client, admin, keep_uncertain=True)  # a sure answer is not kept...
    answered = predict(client, seed=4)
    url = f"{SCOPED}/predictions/{answered['id']}/feedback"
    queued = client.post(url, json={"label": "a horse"})
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    assert client.post(url, json={}).json()["status"] == "already_queued"
    [item] = kept_items(client)["items"]
    assert (item["reason"], item["suggested_label"]) == ("feedback", "a horse")
    # ...but its image is in memory for a while; one from before review was on is not.
    late = client.post(f"{SCOPED}/predictions/{before['id']}/feedback", json={})
    assert late.status_code == 409 and late.json()["code"] == "image_not_kept"
    unknown = client.post(f"{SCOPED}/predictions/{'0' * 32}/feedback", json={})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_prediction"
    statuses = [client.post(url, json={}).status_code for _ in range(6)]
    assert statuses[-1] == 429  # 6 a minute in these settings
    flooded = client.post(url, json={})
    assert flooded.json()["code"] == "rate_limited" and int(flooded.headers["retry-after"]) >= 1


def test_enough_new_labels_queue_a_retrain(client: TestClient, admin: dict[str, str]) -> None:
    set_policy(client, admin, audit_rate=1.0, auto_retrain_after=3)
    for seed in range(3):
        predict(client, "triangle", seed=10 + seed)
    items = kept_items(client)["items"]
    jobs = [
        client.post(
            f"{SCOPED}/review/{item['id']}", json={"label": "triangle"}, headers=REVIEWER
        ).json()["retrain_job"]
        for item in items
    ]
    assert jobs[:2] == [None, None] and jobs[2] is not None
    assert client.get(f"/api/retrain/{jobs[2]}").json()["status"] == "queued"


def test_live_accuracy_from_audit_labels(client: TestClient, admin: dict[str, str]) -> None:
    set_policy(client, admin, audit_rate=1.0)
    for seed in range(4):
        predict(client, "circle", seed=20 + seed)
    items = kept_items(client)["items"]
    for index, item in enumerate(items):  # three confirmed, one called something else
        label = (
            item["predicted"]
            if index
            else next(c for c in ("circle", "square") if c != item["predicted"])
        )
        client.post(f"{SCOPED}/review/{item['id']}", json={"label": label}, headers=REVIEWER)
    figures = client.get(f"{SCOPED}/live-accuracy", params={"days": 7}).json()
    assert (figures["audit"]["labelled"], figures["audit"]["correct"]) == (4, 3)
    assert figures["audit"]["low"] < 0.75 < figures["audit"]["high"]
    assert [day["audit"]["labelled"] for day in figures["per_day"]] == [4]
    assert figures["production_version"] == "v1" and 0 < figures["test_accuracy"] <= 1
    assert client.get(f"{SCOPED}/live-accuracy", params={"days": 0}).status_code == 422


# ----------------------------------------------------------------------- the estimator


def simulated_audit(true_accuracy: float, n: int, rng: np.random.Generator) -> list[ReviewItem]:
    """``n`` audit labels of a model right with probability ``true_accuracy``."""
    now = datetime.now(UTC)
    right = rng.random(n) < true_accuracy
    return [
        ReviewItem(
            id=str(i),
            classifier="c",
            prediction_id=str(i),
            reason="audit",
            predicted="cat",
            top3=[],
            confidence=0.9,
            uncertain=False,
            model_version="v1",
            created_at=now,
            state="labelled",
            label="cat" if ok else "dog",
            labelled_by="reviewer",
            labelled_at=now,
            suggested_label=None,
            image_sha256="0" * 64,
        )
        for i, ok in enumerate(right)
    ]


def test_300_audit_labels_pin_the_live_accuracy_within_4_points() -> None:
    rng = np.random.default_rng(32)
    truth = 0.9406  # the shipped model's test accuracy, as if production matched it
    figures = live_accuracy_of(simulated_audit(truth, 300, rng), days=30).audit
    assert figures.low is not None and figures.high is not None
    assert figures.low <= truth <= figures.high
    assert figures.half_width is not None and figures.half_width <= 0.04


def test_the_interval_covers_the_truth_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    truth, runs = 0.85, 2000
    correct = rng.binomial(300, truth, size=runs)
    covered = [
        (e.low or 0) <= truth <= (e.high or 0)
        for e in map(lambda k: estimate(int(k), 300), correct)
    ]
    assert 0.93 <= np.mean(covered) <= 0.97
    assert estimate(0, 0).accuracy is None
