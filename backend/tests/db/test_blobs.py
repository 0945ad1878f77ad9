"""db/blobs.py and the database blob store: chunked bytes, verified reads."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from sightline.blob_store import BlobCorrupt, BlobMissing, DatabaseBlobStore, sha256_hex
from sightline.config import Settings
from sightline.db import blobs
from sightline.db.models import BlobChunkRow
from sightline.db.session import session_scope


def test_a_large_blob_is_split_into_chunks_and_read_back_whole(migrated: Settings) -> None:
    data = os.urandom(blobs.CHUNK_BYTES * 3 + 123)
    sha = sha256_hex(data)
    with session_scope(migrated) as session:
        blobs.insert_blob(session=session, sha256=sha, data=data)
    with session_scope(migrated) as session:
        assert blobs.blob_exists(session=session, sha256=sha)
        assert blobs.read_blob(session=session, sha256=sha) == data
        assert blobs.blob_stats(session=session) == (1, len(data))
        chunks = session.query(BlobChunkRow).filter_by(sha256=sha).count()
    assert chunks == 4


def test_an_empty_blob_is_a_blob(migrated: Settings) -> None:
    store = DatabaseBlobStore(migrated)
    sha = store.put(b"")
    assert store.get(sha) == b""


def test_a_missing_blob_reads_as_none(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        assert blobs.read_blob(session=session, sha256="0" * 64) is None
        assert not blobs.blob_exists(session=session, sha256="0" * 64)


def test_the_same_hash_twice_collides(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        blobs.insert_blob(session=session, sha256="a" * 64, data=b"x")
    with pytest.raises(IntegrityError), session_scope(migrated) as session:
        blobs.insert_blob(session=session, sha256="a" * 64, data=b"x")


def test_the_store_puts_once_and_verifies_what_it_reads(migrated: Settings) -> None:
    store = DatabaseBlobStore(migrated)
    data = os.urandom(10 * 1024 * 1024)  # a 10 MB model
    sha = store.put(data)
    assert store.put(data) == sha  # the same bytes again: nothing new
    assert store.get(sha) == data
    with session_scope(migrated) as session:
        assert blobs.blob_stats(session=session) == (1, len(data))
        session.execute(
            update(BlobChunkRow).where(BlobChunkRow.position == 2).values(data=b"tampered")
        )
    with pytest.raises(BlobCorrupt):
        store.get(sha)
    with pytest.raises(BlobMissing):
        store.get("f" * 64)
