"""Training uploads: validated, stored by content hash, deduplicated, zips by folder."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.config import Settings
from sightline.data.training_uploads import UploadStore
from sightline.db.models import TrainingUploadRow
from sightline.db.session import migrate, session_scope
from tests.factories import image_bytes

URL = "/api/upload-training-data"


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_images_for_a_class_are_stored_by_hash(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    files = [
        ("files", (f"../../evil{i}.png", image_bytes("circle", seed=i), "image/png"))
        for i in range(3)
    ]
    body = client.post(URL, params={"class_name": "circle"}, files=files, headers=admin).json()
    assert body == {
        "uploaded": 3,
        "duplicates": 0,
        "rejected": [],
        "class_counts": {"circle": 3, "square": 0, "triangle": 0},
    }
    with session_scope(settings) as session:
        rows = session.scalars(select(TrainingUploadRow)).all()
    store = UploadStore(settings)
    for row in rows:
        assert store.store.exists(row.sha256)  # the bytes are a shared blob
        stored = store.path_of(row.sha256)  # and this replica's cached copy
        assert stored == settings.uploads_dir / row.path
        assert stored.name == row.sha256 and stored.is_file()
        assert stored.resolve().is_relative_to(settings.uploads_dir.resolve())
    assert not list(settings.home.rglob("evil*"))
    assert client.get("/api/dataset-stats").json()["uploads"]["circle"] == 3


def test_duplicates_and_bad_files_are_reported_good_ones_kept(
    client: TestClient, admin: dict[str, str]
) -> None:
    good = image_bytes("square", seed=7)
    files = [
        ("files", ("a.png", good, "image/png")),
        ("files", ("b.png", good, "image/png")),
        ("files", ("notes.txt", b"hello", "text/plain")),
    ]
    body = client.post(URL, params={"class_name": "square"}, files=files, headers=admin).json()
    assert body["uploaded"] == 1 and body["duplicates"] == 1
    assert [r["filename"] for r in body["rejected"]] == ["notes.txt"]
    assert body["rejected"][0]["reason"]


def test_zip_of_class_folders(client: TestClient, admin: dict[str, str]) -> None:
    archive = make_zip(
        {
            "set/circle/1.png": image_bytes("circle", seed=21),
            "set/triangle/2.png": image_bytes("triangle", seed=22),
            "set/unicorn/3.png": image_bytes("circle", seed=23),
            "__MACOSX/set/circle/._1.png": b"junk",
            "../../outside/circle/4.png": image_bytes("circle", seed=24),
        }
    )
    body = client.post(
        URL, files={"files": ("data.zip", archive, "application/zip")}, headers=admin
    ).json()
    assert body["uploaded"] == 2
    assert body["class_counts"]["circle"] == 1 and body["class_counts"]["triangle"] == 1
    reasons = {r["filename"].split(":", 1)[1]: r["reason"] for r in body["rejected"]}
    assert "unicorn" in reasons["set/unicorn/3.png"]
    assert "Unsafe path" in reasons["../../outside/circle/4.png"]


def test_unknown_class_lists_the_known_ones(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        URL,
        params={"class_name": "unicorn"},
        files={"files": ("a.png", image_bytes(), "image/png")},
        headers=admin,
    )
    assert response.status_code == 422
    assert "circle, square, triangle" in response.json()["detail"]


def test_uploads_need_the_admin_token(client: TestClient) -> None:
    response = client.post(
        URL, params={"class_name": "circle"}, files={"files": ("a.png", image_bytes(), "image/png")}
    )
    assert response.status_code == 401 and response.json()["code"] == "missing_token"


def test_zip_bomb_member_is_rejected(client: TestClient, admin: dict[str, str]) -> None:
    archive = make_zip({"set/circle/bomb.png": b"\0" * 5_000_000})
    body = client.post(
        URL, files={"files": ("bomb.zip", archive, "application/zip")}, headers=admin
    ).json()
    assert body["uploaded"] == 0 and "limits" in body["rejected"][0]["reason"]


def test_no_files_written_outside_home(
    client: TestClient, admin: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    client.post(
        URL,
        params={"class_name": "circle"},
        files={"files": ("x.png", image_bytes(seed=99), "image/png")},
        headers=admin,
    )
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.is_relative_to(settings.home) for p in written)


def test_files_of_a_home_from_before_shared_blobs_are_imported_once(settings: Settings) -> None:
    settings.ensure_dirs()
    migrate(settings)
    data = image_bytes("circle", seed=42)
    sha = hashlib.sha256(data).hexdigest()
    old_file = settings.uploads_dir / sha[:2] / sha
    old_file.parent.mkdir(parents=True)
    old_file.write_bytes(data)
    (settings.uploads_dir / sha[:2] / "not-an-upload").write_bytes(b"x")
    store = UploadStore(settings)
    assert not store.store.exists(sha)
    assert store.import_local_files() == 1
    assert store.store.get(sha) == data
    assert store.import_local_files() == 0  # once per home


def test_the_same_image_uploaded_at_once_is_stored_once(settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    settings.ensure_dirs()
    migrate(settings)
    store = UploadStore(settings)
    image = image_bytes("circle", seed=4242)
    with ThreadPoolExecutor(4) as pool:
        reports = list(
            pool.map(lambda i: store.ingest([(f"{i}.png", image)], "circle", ["circle"]), range(4))
        )
    assert sum(r.uploaded for r in reports) == 1
    assert sum(r.duplicates for r in reports) == 3
    with session_scope(settings) as session:
        assert len(session.scalars(select(TrainingUploadRow)).all()) == 1
