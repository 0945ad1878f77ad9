"""Content-addressed blobs shared by every replica: model files and training uploads.

A blob is named by the sha256 of its bytes and checked against it whenever it is read,
so a replica never serves or trains on bytes that changed on the way. The store is the
database by default (``db/blobs.py``: SQLite on one machine and Postgres across many
behave the same) or an S3-compatible bucket (``SIGHTLINE_BLOB_STORE=s3://bucket/prefix``;
endpoint and credentials from the usual AWS variables, through boto3). A replica's
$SIGHTLINE_HOME only caches what it fetched (``fetch_to_file``).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.db import blobs as blob_rows
from sightline.db.session import session_scope
from sightline.errors import SightlineError


class BlobMissing(SightlineError):
    status_code = 503
    code = "blob_missing"


class BlobCorrupt(SightlineError):
    status_code = 503
    code = "blob_corrupt"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verified(sha256: str, data: bytes | None, where: str) -> bytes:
    """``data`` when it hashes to ``sha256``; an error otherwise."""
    if data is None:
        raise BlobMissing(f"Blob {sha256} is not in {where}.")
    if sha256_hex(data) != sha256:
        raise BlobCorrupt(f"Blob {sha256} in {where} does not match its hash.")
    return data


class BlobStore(Protocol):
    description: str

    def put(self, data: bytes) -> str:
        """Store ``data`` (once: the same bytes again are a no-op); its sha256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The blob's bytes, verified against ``sha256``."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None:
        """Remove the blob (the caller knows no row needs it); no-op when absent."""
        ...


class DatabaseBlobStore:
    """Blobs in the ``blobs`` and ``blob_chunks`` tables of Sightline's database."""

    description = "the database"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def put(self, data: bytes) -> str:
        sha = sha256_hex(data)
        if self.exists(sha):
            return sha
        try:
            with session_scope(self.settings) as session:
                blob_rows.insert_blob(session=session, sha256=sha, data=data)
        except IntegrityError:
            pass  # the same bytes, stored by another process a moment ago
        return sha

    def get(self, sha256: str) -> bytes:
        with session_scope(self.settings) as session:
            data = blob_rows.read_blob(session=session, sha256=sha256)
        return verified(sha256, data, self.description)

    def exists(self, sha256: str) -> bool:
        with session_scope(self.settings) as session:
            return blob_rows.blob_exists(session=session, sha256=sha256)

    def delete(self, sha256: str) -> None:
        with session_scope(self.settings) as session:
            blob_rows.delete_blob(session=session, sha256=sha256)


class S3BlobStore:
    """Blobs as objects ``<prefix>/<sha[:2]>/<sha>`` in an S3-compatible bucket."""

    def __init__(self, url: str) -> None:
        import boto3  # optional dependency: `pip install 'sightline[s3]'`

        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(
                f"SIGHTLINE_BLOB_STORE must be 'database' or s3://bucket/prefix: {url}"
            )
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.description = f"s3://{self.bucket}/{self.prefix}"
        # boto3 reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
        # AWS_DEFAULT_REGION (or a profile, or the pod's role) itself.
        self.client: Any = boto3.client("s3")

    def key(self, sha256: str) -> str:
        name = f"{sha256[:2]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, data: bytes) -> str:
        sha = sha256_hex(data)
        if not self.exists(sha):
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha), Body=data)
        return sha

    def get(self, sha256: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except self.client.exceptions.NoSuchKey:
            return verified(sha256, None, self.description)
        return verified(sha256, response["Body"].read(), self.description)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))


def open_blob_store(settings: Settings) -> BlobStore:
    """The store ``settings.blob_store`` names."""
    if settings.blob_store == "database":
        return DatabaseBlobStore(settings)
    return _s3_store(settings.blob_store)


@lru_cache(maxsize=4)
def _s3_store(url: str) -> S3BlobStore:
    return S3BlobStore(url)  # one client per process: it keeps its connections


def fetch_to_file(store: BlobStore, sha256: str, path: Path) -> Path:
    """Make ``path`` hold the blob: kept when it already does, else fetched (verified)
    and written atomically, so a reader sees the whole file or none."""
    if path.exists() and file_sha256(path) == sha256:
        return path
    data = store.get(sha256)
    write_atomically(path, data)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
