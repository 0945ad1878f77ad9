"""Grad-CAM: the prediction plus a heat map at the upload's size."""

from __future__ import annotations

import base64
import io

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope
from tests.factories import encode, flush_history, image_bytes


def test_explain_returns_the_prediction_and_a_heatmap_of_the_upload_size(
    client: TestClient, settings: Settings
) -> None:
    upload = Image.open(io.BytesIO(image_bytes("triangle", seed=3))).resize((96, 64))
    response = client.post("/api/explain", files={"file": ("t.png", encode(upload), "image/png")})
    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == "triangle"
    heatmap = Image.open(io.BytesIO(base64.b64decode(body["heatmap_png"])))
    assert heatmap.format == "PNG" and heatmap.size == (96, 64) and heatmap.mode == "RGBA"
    alpha = np.asarray(heatmap)[..., 3]
    assert alpha.max() > alpha.min()  # it highlights some places more than others
    flush_history(client)
    with session_scope(settings) as session:
        assert session.get(PredictionRow, body["id"]).endpoint == "explain"  # type: ignore[union-attr]


def test_explain_refuses_a_bad_upload(client: TestClient) -> None:
    response = client.post("/api/explain", files={"file": ("x.png", b"nope", "image/png")})
    assert response.status_code == 415 and response.json()["code"] == "unsupported_image"
