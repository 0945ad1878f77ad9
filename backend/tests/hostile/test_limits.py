"""Limits found by the corpus: heat maps of huge uploads are scaled down, and
client-chosen names are stored as printable data on every database."""

from __future__ import annotations

import base64
import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sightline.config import Settings
from sightline.data.names import display_name, printable
from sightline.db.models import PredictionRow, TrainingUploadRow
from sightline.db.session import session_scope
from sightline.serving.service import fit_within
from tests.factories import encode, flush_history, image_bytes


def test_fit_within_keeps_the_aspect_ratio() -> None:
    assert fit_within((640, 480), 1_000_000) == (640, 480)
    width, height = fit_within((6000, 4000), 1_000_000)
    assert width * height <= 1_000_000 and abs(width / height - 1.5) < 0.01
    assert fit_within((1, 100_000), 1_000) == (1, 1000)
    assert fit_within((100_000, 1), 1_000) == (1000, 1)


def test_heat_map_of_a_large_upload_is_scaled_down(client: TestClient, settings: Settings) -> None:
    big = encode(Image.new("RGB", (3000, 2000), "gray"), "PNG")
    response = client.post("/api/explain", files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 200
    heatmap = Image.open(io.BytesIO(base64.b64decode(response.json()["heatmap_png"])))
    width, height = heatmap.size
    assert width * height <= settings.max_heatmap_pixels
    assert abs(width / height - 1.5) < 0.01


def test_names_are_printable_and_never_paths() -> None:
    assert display_name("../../etc/pass\x00wd\x1b[31m.png") == "passwd[31m.png"
    assert display_name("C:\\Users\\me\\cat.png") == "cat.png"
    assert display_name("\x00\x01") is None and display_name(None) is None
    assert printable("a" * 1000) == "a" * 255
    assert printable("zip:cat/\u202eevil.png") == "zip:cat/evil.png"  # no bidi override


def raw_upload(field: str, filename: bytes, data: bytes) -> dict[str, object]:
    """A multipart body sent as is: httpx would escape control characters."""
    part = (
        b'--b\r\nContent-Disposition: form-data; name="'
        + field.encode()
        + b'"; filename="'
        + filename
        + b'"\r\nContent-Type: image/png\r\n\r\n'
    )
    return {
        "content": part + data + b"\r\n--b--\r\n",
        "headers": {"content-type": "multipart/form-data; boundary=b"},
    }


def test_control_characters_in_filenames_are_stored_clean(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    """Postgres refuses NUL in text: a raw NUL in a filename must not reach it."""
    name = b"a\x00b\x1b[2J.png"
    predicted = client.post("/api/predict", **raw_upload("file", name, image_bytes(seed=1)))
    assert predicted.status_code == 200
    request = raw_upload("files", name, image_bytes(seed=2))
    request["headers"] = {**request["headers"], **admin}  # type: ignore[dict-item]
    uploaded = client.post("/api/upload-training-data", params={"class_name": "circle"}, **request)
    assert uploaded.status_code == 200 and uploaded.json()["uploaded"] == 1
    flush_history(client)
    with session_scope(settings) as session:
        assert session.scalars(select(PredictionRow.filename)).all() == ["ab[2J.png"]
        assert session.scalars(select(TrainingUploadRow.original_filename)).all() == ["ab[2J.png"]
