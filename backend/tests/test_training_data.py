"""A classifier's training data: POST .../training-data (zips by class or by split, new
classes, a stratified holdout), the refusals it explains, and the zip layout parser."""

from __future__ import annotations

import io
import zipfile
from collections import Counter

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sightline.config import Settings
from sightline.data.labelled_zip import ZipLimits, read_labelled_zip
from sightline.data.training_uploads import Accepted, assign_splits, is_held_out
from sightline.db.models import TrainingUploadRow
from sightline.db.session import session_scope
from sightline.errors import InvalidField, TooLarge

LIMITS = ZipLimits(
    max_files=50, max_uncompressed_bytes=10**7, max_ratio=200, max_member_bytes=10**6
)


def png(seed: int) -> bytes:
    """A small image of its own: different seeds, different bytes."""
    pixels = np.random.default_rng(seed).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((16, 16, 3), seed % 256, np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def folders(counts: dict[str, int], prefix: str = "", seed: int = 0) -> dict[str, bytes]:
    """Zip members: ``counts[class]`` distinct images under ``prefix<class>/``."""
    members = {}
    for c, (class_name, n) in enumerate(counts.items()):
        for i in range(n):
            members[f"{prefix}{class_name}/{i:03}.png"] = png(seed + 1000 * c + i)
    return members


# ---------------------------------------------------------------- the zip layout (pure)


def labels(members: dict[str, bytes], legacy: bool = False) -> dict[str, tuple[str, str | None]]:
    parsed = read_labelled_zip("data.zip", make_zip(members), LIMITS, legacy=legacy)
    return {m.filename: (m.class_name, m.split) for m in parsed.members}


def rejections(members: dict[str, bytes]) -> dict[str, str]:
    parsed = read_labelled_zip("data.zip", make_zip(members), LIMITS)
    return dict(parsed.rejected)


def test_class_folders() -> None:
    found = labels({"cat/1.png": b"a", "dog/2.jpg": b"b", "dog/notes.txt": b"c"})
    assert found == {"data.zip:cat/1.png": ("cat", None), "data.zip:dog/2.jpg": ("dog", None)}


def test_train_and_test_folders() -> None:
    found = labels({"train/cat/1.png": b"a", "test/cat/2.png": b"b", "train/dog/3.png": b"c"})
    assert found == {
        "data.zip:train/cat/1.png": ("cat", "train"),
        "data.zip:test/cat/2.png": ("cat", "test"),
        "data.zip:train/dog/3.png": ("dog", "train"),
    }


def test_a_folder_wrapping_everything_is_looked_through() -> None:
    assert set(labels({"pets/cat/1.png": b"a", "pets/dog/2.png": b"b"}).values()) == {
        ("cat", None),
        ("dog", None),
    }
    found = labels({"pets/train/cat/1.png": b"a", "pets/test/cat/2.png": b"b"})
    assert set(found.values()) == {("cat", "train"), ("cat", "test")}


def test_hidden_files_and_macos_metadata_are_not_images() -> None:
    found = labels({"cat/1.png": b"a", "__MACOSX/cat/._1.png": b"x", "cat/.DS_Store.png": b"y"})
    assert found == {"data.zip:cat/1.png": ("cat", None)}


def test_misplaced_images_are_refused_one_by_one() -> None:
    refused = rejections(
        {
            "cat/1.png": b"a",
            "stray.png": b"b",
            "cat/kittens/2.png": b"c",
            "../evil/3.png": b"d",
        }
    )
    assert "at the top of the zip" in refused["data.zip:stray.png"]
    assert "nested below its class folder" in refused["data.zip:cat/kittens/2.png"]
    assert "Unsafe path" in refused["data.zip:../evil/3.png"]


def test_beside_split_folders_an_image_needs_one() -> None:
    refused = rejections({"train/cat/1.png": b"a", "dog/2.png": b"b", "train/3.png": b"c"})
    assert set(refused) == {"data.zip:dog/2.png", "data.zip:train/3.png"}
    assert all("under train/ or test/" in reason for reason in refused.values())


@pytest.mark.parametrize(
    ("members", "found"),
    [
        ({"1.png": b"a", "2.png": b"b"}, "its images outside class folders"),
        ({"cat/readme.txt": b"a"}, "no images"),
        ({}, "no images"),
    ],
)
def test_no_class_folders_is_a_layout_error(members: dict[str, bytes], found: str) -> None:
    with pytest.raises(InvalidField) as error:
        read_labelled_zip("data.zip", make_zip(members), LIMITS)
    assert error.value.code == "no_class_folders"
    assert found in error.value.detail
    assert "<class>/<image>" in error.value.detail and "train/<class>/<image>" in error.value.detail


def test_bad_class_folder_names_are_refused() -> None:
    refused = rejections({"cat/1.png": b"a", f"{'x' * 129}/2.png": b"b"})
    assert list(refused.values()) == ["A class name has at most 128 characters, not 129."]


def test_legacy_layout_takes_the_folder_an_image_sits_in() -> None:
    found = labels({"a/b/cat/1.png": b"a", "train/dog/2.png": b"b"}, legacy=True)
    assert set(found.values()) == {("cat", None), ("dog", None)}


def test_limits_refuse_the_whole_zip() -> None:
    members = {f"cat/{i}.png": b"a" for i in range(LIMITS.max_files + 1)}
    with pytest.raises(TooLarge) as error:
        read_labelled_zip("data.zip", make_zip(members), LIMITS)
    assert error.value.code == "zip_too_many_files"


def test_an_unreadable_zip_is_one_rejection() -> None:
    parsed = read_labelled_zip("data.zip", b"PK\x03\x04 not really", LIMITS)
    assert parsed.members == []
    assert parsed.rejected[0][0] == "data.zip" and "could not be read" in parsed.rejected[0][1]


# ---------------------------------------------------------------- the holdout (pure)


def accepted(class_name: str, n: int, split: str | None = None) -> list[Accepted]:
    return [
        Accepted(f"{class_name}{i}", class_name, split, f"{class_name}{i:04}", 1) for i in range(n)
    ]


def test_each_class_holds_out_its_share() -> None:
    images = accepted("cat", 10) + accepted("dog", 5) + accepted("owl", 2)
    splits = assign_splits(images, {}, 0.2)
    held = Counter(i.class_name for i, s in zip(images, splits, strict=True) if s == "test")
    assert held == {"cat": 2, "dog": 1}  # owl: round(0.4) = 0
    assert assign_splits(list(reversed(images)), {}, 0.2) == list(reversed(splits))


def test_the_share_counts_what_is_stored_already() -> None:
    assert assign_splits(accepted("cat", 1), {"cat": {"train": 4, "test": 0}}, 0.2) == ["test"]
    assert assign_splits(accepted("cat", 1), {"cat": {"train": 3, "test": 1}}, 0.2) == ["train"]
    assert assign_splits(accepted("cat", 3), {"cat": {"train": 0, "test": 9}}, 0.2) == ["train"] * 3


def test_a_test_folder_decides_the_whole_upload() -> None:
    images = accepted("cat", 2, "train") + accepted("cat", 1, "test") + accepted("dog", 5)
    assert assign_splits(images, {}, 0.2) == ["train", "train", "test"] + ["train"] * 5


def test_held_out_is_the_split_or_else_the_hash() -> None:
    never, always = "f" * 64, "0" * 64
    assert is_held_out(never, "test", 0.2) and not is_held_out(always, "train", 0.2)
    assert is_held_out(always, None, 0.2) and not is_held_out(never, None, 0.2)


# ---------------------------------------------------------------- through the API


def create(client: TestClient, admin: dict[str, str], name: str) -> None:
    response = client.post("/api/classifiers", json={"name": name, "parent": None}, headers=admin)
    assert response.status_code == 201, response.text


def send_zip(
    client: TestClient, admin: dict[str, str], url: str, members: dict[str, bytes]
) -> dict:  # type: ignore[type-arg]
    files = {"files": ("data.zip", make_zip(members), "application/zip")}
    return client.post(url, files=files, headers=admin).json()  # type: ignore[no-any-return]


def stored_splits(settings: Settings, classifier: str) -> dict[str, list[str | None]]:
    with session_scope(settings) as session:
        rows = session.scalars(
            select(TrainingUploadRow).where(TrainingUploadRow.classifier == classifier)
        ).all()
        return {row.original_filename or "": [row.class_name, row.split] for row in rows}


def test_a_zip_of_class_folders_makes_the_classes_and_holds_out_a_share(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    create(client, admin, "pets")
    url = "/api/classifiers/pets/training-data"
    members = folders({"dog": 5, "cat": 10})
    body = send_zip(client, admin, url, members)
    assert body["uploaded"] == 15 and body["duplicates"] == 0 and body["rejected"] == []
    assert body["classes"] == ["dog", "cat"]  # in the order first seen
    assert body["class_counts"] == {"dog": 5, "cat": 10}
    assert body["split_counts"] == {"dog": {"train": 4, "test": 1}, "cat": {"train": 8, "test": 2}}
    first = stored_splits(settings, "pets")
    assert sum(split == "test" for _c, split in first.values()) == 3

    again = send_zip(client, admin, url, members)
    assert again["uploaded"] == 0 and again["duplicates"] == 15
    assert again["split_counts"] == body["split_counts"]
    assert stored_splits(settings, "pets") == first

    listed = client.get("/api/classifiers/pets").json()
    assert listed["classes"] == ["dog", "cat"] and listed["training_images"] == 15


def test_train_and_test_folders_are_honoured(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    create(client, admin, "pets")
    members = {**folders({"cat": 4, "dog": 3}, "train/"), **folders({"cat": 2}, "test/", seed=99)}
    body = send_zip(client, admin, "/api/classifiers/pets/training-data", members)
    assert body["uploaded"] == 9
    assert body["split_counts"] == {"cat": {"train": 4, "test": 2}, "dog": {"train": 3, "test": 0}}
    splits = stored_splits(settings, "pets")
    assert all(split == "test" for name, (_c, split) in splits.items() if ":test/" in name)


def test_a_train_folder_alone_is_split_like_class_folders(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, "pets")
    body = send_zip(
        client, admin, "/api/classifiers/pets/training-data", folders({"cat": 5}, "train/")
    )
    assert body["split_counts"] == {"cat": {"train": 4, "test": 1}}


def test_images_of_a_new_class_on_the_default_classifier(
    client: TestClient, admin: dict[str, str]
) -> None:
    files = [("files", (f"h{i}.jpg", jpeg(i * 40), "image/jpeg")) for i in range(5)]
    response = client.post(
        "/api/training-data", params={"class_name": "hexagon"}, files=files, headers=admin
    )
    body = response.json()
    assert response.status_code == 200 and body["uploaded"] == 5
    assert body["classes"] == ["circle", "square", "triangle", "hexagon"]
    assert body["split_counts"]["hexagon"] == {"train": 4, "test": 1}
    assert client.get("/api/classifiers/cifar10").json()["classes"][-1] == "hexagon"


def test_a_zip_without_class_folders_stores_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, "pets")
    good = make_zip(folders({"cat": 3}))
    flat = make_zip({"1.png": png(1), "2.png": png(2)})
    files = [
        ("files", ("good.zip", good, "application/zip")),
        ("files", ("flat.zip", flat, "application/zip")),
    ]
    response = client.post("/api/classifiers/pets/training-data", files=files, headers=admin)
    assert response.status_code == 422
    assert response.json()["code"] == "no_class_folders"
    assert response.json()["detail"].startswith("flat.zip has its images outside class folders")
    assert "train/<class>/<image>" in response.json()["detail"]
    listed = client.get("/api/classifiers/pets").json()
    assert listed["training_images"] == 0 and listed["classes"] == []


def test_the_same_image_under_two_classes_is_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, "pets")
    url = "/api/classifiers/pets/training-data"
    body = send_zip(
        client, admin, url, {"cat/001.png": png(1), "dog/7.png": png(1), "dog/8.png": png(2)}
    )
    assert body["uploaded"] == 2
    assert body["rejected"] == [
        {
            "filename": "data.zip:dog/7.png",
            "reason": "Same image as data.zip:cat/001.png (class 'cat') in this upload; "
            "labelled 'dog' here. An image has one class.",
        }
    ]
    files = {"files": ("again.png", png(1), "image/png")}
    later = client.post(url, params={"class_name": "owl"}, files=files, headers=admin).json()
    assert later["uploaded"] == 0 and later["duplicates"] == 0
    reason = later["rejected"][0]["reason"]
    assert "data.zip:cat/001.png stored under class 'cat'" in reason and "'owl' here" in reason
    assert later["classes"] == ["cat", "dog"]  # no image: no class


def test_unreadable_files_are_named_with_the_reason(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, "pets")
    members = {"cat/1.png": png(1), "cat/2.png": b"\x89PNG broken", "cat/3.png": png(3)}
    body = send_zip(client, admin, "/api/classifiers/pets/training-data", members)
    assert body["uploaded"] == 2
    assert [r["filename"] for r in body["rejected"]] == ["data.zip:cat/2.png"]
    assert body["rejected"][0]["reason"]
    files = [("files", ("notes.txt", b"hello", "text/plain"))]
    plain = client.post(
        "/api/classifiers/pets/training-data",
        params={"class_name": "cat"},
        files=files,
        headers=admin,
    ).json()
    assert plain["rejected"][0]["filename"] == "notes.txt" and plain["rejected"][0]["reason"]


def test_bad_requests_get_clear_errors(client: TestClient, admin: dict[str, str]) -> None:
    files = {"files": ("a.png", png(1), "image/png")}
    unknown = client.post("/api/classifiers/nope/training-data", files=files, headers=admin)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_classifier"
    anonymous = client.post("/api/training-data", params={"class_name": "cat"}, files=files)
    assert anonymous.status_code == 401
    slash = client.post(
        "/api/training-data", params={"class_name": "a/b"}, files=files, headers=admin
    )
    assert slash.status_code == 422 and slash.json()["code"] == "invalid_class_name"
    assert "slashes" in slash.json()["detail"]


def test_too_few_images_names_each_class_and_its_count(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, "pets")
    send_zip(client, admin, "/api/classifiers/pets/training-data", folders({"cat": 3, "dog": 12}))
    response = client.post("/api/classifiers/pets/retrain", headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "too_few_images"
    detail = response.json()["detail"]
    assert "at least 2 classes with 10 images each" in detail and "'cat' has 3" in detail
    assert "'dog'" not in detail

    create(client, admin, "solo")
    send_zip(client, admin, "/api/classifiers/solo/training-data", folders({"cat": 12}))
    alone = client.post("/api/classifiers/solo/retrain", headers=admin).json()
    assert alone["code"] == "too_few_images" and "only 1 class(es)" in alone["detail"]


def test_one_classifiers_images_are_not_anothers(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin, "pets")
    create(client, admin, "farm")
    members = folders({"cat": 4})
    assert send_zip(client, admin, "/api/classifiers/pets/training-data", members)["uploaded"] == 4
    assert client.get("/api/classifiers/farm").json()["training_images"] == 0
    assert client.get("/api/classifiers/cifar10").json()["training_images"] == 0
    farm = send_zip(
        client, admin, "/api/classifiers/farm/training-data", {"cow/1.png": members["cat/000.png"]}
    )
    assert farm["uploaded"] == 1 and farm["rejected"] == []  # another classifier: not 'cat'
    assert farm["classes"] == ["cow"]


def test_the_legacy_route_keeps_its_rules(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    files = {"files": ("a.png", png(1), "image/png")}
    unknown = client.post(
        "/api/upload-training-data", params={"class_name": "hexagon"}, files=files, headers=admin
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_class"
    members = {"circle/1.png": png(2), "hexagon/2.png": png(3), "test/square/3.png": png(4)}
    body = send_zip(client, admin, "/api/upload-training-data", members)
    assert set(body) == {"uploaded", "duplicates", "rejected", "class_counts"}
    assert body["uploaded"] == 2
    assert "Unknown class 'hexagon'" in body["rejected"][0]["reason"]
    assert body["class_counts"] == {"circle": 1, "square": 1, "triangle": 0}
    assert {split for _c, split in stored_splits(settings, "cifar10").values()} == {None}
    assert "hexagon" not in client.get("/api/classifiers/cifar10").json()["classes"]


def test_jobs_read_the_stored_split(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    from sightline.jobs.queue import JobQueue
    from sightline.jobs.retrain import load_uploads

    create(client, admin, "pets")
    members = {**folders({"cat": 3, "dog": 2}, "train/"), **folders({"cat": 2}, "test/", seed=99)}
    send_zip(client, admin, "/api/classifiers/pets/training-data", members)
    assert JobQueue(settings, "pets").new_upload_count() == 5
    uploads = load_uploads(settings, "pets", ["cat", "dog"], (32, 32))
    assert sorted(uploads.train_y.tolist()) == [0, 0, 0, 1, 1]
    assert uploads.holdout_y.tolist() == [0, 0]
