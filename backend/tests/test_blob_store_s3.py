"""Blobs in an S3-compatible bucket: a real S3 server (moto's, started as its own
process from the `moto[server]` package) behind SIGHTLINE_BLOB_STORE=s3://bucket/prefix,
with the endpoint and credentials in the usual AWS variables."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sightline.blob_store import (
    BlobCorrupt,
    BlobMissing,
    S3BlobStore,
    open_blob_store,
    sha256_hex,
)
from sightline.config import Settings
from sightline.data.training_uploads import UploadStore
from sightline.db.models import BlobRow
from sightline.db.session import migrate, session_scope
from sightline.ml.artifacts import MODEL_FILE
from sightline.ml.registry import ModelRegistry
from tests.factories import free_port, image_bytes

boto3 = pytest.importorskip("boto3")
pytestmark = pytest.mark.process  # moto's S3 server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port, as a separate process."""
    moto_server = Path(sys.executable).with_name("moto_server")
    if not moto_server.exists():
        pytest.skip("moto[server] is not installed")
    port = free_port()
    process = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the S3 server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def bucket_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket; its s3:// URL with a prefix."""
    for name, value in {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "sightline-test",
        "AWS_SECRET_ACCESS_KEY": "sightline-test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"sightline-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/blobs"


def test_blobs_round_trip_through_the_bucket_and_are_verified(bucket_url: str) -> None:
    store = S3BlobStore(bucket_url)
    data = os.urandom(3 * 1024 * 1024)
    sha = store.put(data)
    assert store.exists(sha)
    assert store.get(sha) == data
    bucket = bucket_url.removeprefix("s3://").split("/")[0]
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"blobs/{sha[:2]}/{sha}"]
    # Bytes changed in the bucket are refused, never served.
    boto3.client("s3").put_object(Bucket=bucket, Key=f"blobs/{sha[:2]}/{sha}", Body=b"evil")
    with pytest.raises(BlobCorrupt):
        store.get(sha)
    assert not store.exists("e" * 64)
    with pytest.raises(BlobMissing):
        store.get("e" * 64)


def test_a_bad_store_url_is_refused(bucket_url: str) -> None:
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        S3BlobStore("s3:///no-bucket")


def test_models_and_uploads_live_in_the_bucket_not_the_database(
    settings: Settings, bucket_url: str
) -> None:
    settings = settings.model_copy(update={"blob_store": bucket_url})
    settings.ensure_dirs()
    migrate(settings)
    assert isinstance(open_blob_store(settings), S3BlobStore)
    registry = ModelRegistry(settings)
    assert registry.ensure_seeded() == "v1"
    report = UploadStore(settings).ingest([("a.png", image_bytes())], "circle", ["circle"])
    assert report.uploaded == 1
    with session_scope(settings) as session:
        assert session.scalar(select(func.count()).select_from(BlobRow)) == 0
    # The home is a cache: without it, the model and the upload come back from the bucket.
    shutil.rmtree(settings.home / "models")
    shutil.rmtree(settings.home / "uploads")
    model_file = registry.path("v1") / MODEL_FILE
    assert model_file.read_bytes() == (settings.model_dir / MODEL_FILE).read_bytes()
    sha = registry.get("v1").model_sha256
    assert registry.store.get(sha) == model_file.read_bytes()
    assert UploadStore(settings).read(sha256_hex(image_bytes())) == image_bytes()
