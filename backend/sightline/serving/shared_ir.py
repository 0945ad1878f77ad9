"""Converted models shared by replicas: OpenVINO's IR of a model, kept as one blob
(a zip of its files) in the blob store and found by its conversion key in
``runtime_artifacts`` (db/runtime_artifacts.py). A replica that starts fetches what
another converted: conversion takes seconds, a fetch milliseconds.

Best effort both ways: when the database or the store cannot answer, or a blob is
damaged, the replica converts the model itself (serving/runtime.py), as it would alone.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from sightline.blob_store import BlobStore
from sightline.config import Settings
from sightline.db.runtime_artifacts import (
    add_runtime_artifact,
    find_runtime_artifact,
    replace_runtime_artifact,
)
from sightline.db.session import session_scope

log = logging.getLogger(__name__)


class BlobSharedIR:
    """``serving/runtime.SharedIR`` on the blob store and the database."""

    def __init__(self, settings: Settings, store: BlobStore) -> None:
        self.settings = settings
        self.store = store

    def fetch(self, key: str, folder: Path) -> bool:
        """Unpack ``key``'s files into ``folder``; False when none is stored or usable."""
        try:
            with session_scope(self.settings) as session:
                sha256 = find_runtime_artifact(session=session, key=key)
            if sha256 is None:
                return False
            unpack(self.store.get(sha256), folder)  # the store verifies the hash
        except Exception as exc:  # convert instead, as a replica on its own would
            log.warning("shared runtime artifact not used", extra={"key": key, "error": str(exc)})
            return False
        return True

    def publish(self, key: str, folder: Path) -> None:
        """Store ``folder``'s files under ``key`` (a replica may have done so first)."""
        try:
            data = pack(folder)
            sha256 = self.store.put(data)
            with session_scope(self.settings) as session:
                self._record(session, key, sha256, len(data))
        except Exception as exc:  # the others convert for themselves; serving goes on
            log.warning("runtime artifact not shared", extra={"key": key, "error": str(exc)})

    def _record(self, session: Session, key: str, sha256: str, size: int) -> None:
        if add_runtime_artifact(session=session, key=key, blob_sha256=sha256, size_bytes=size):
            return
        recorded = find_runtime_artifact(session=session, key=key)
        if recorded and not self.store.exists(recorded):  # lost from the store: ours instead
            replace_runtime_artifact(session=session, key=key, blob_sha256=sha256, size_bytes=size)


def pack(folder: Path) -> bytes:
    """The files directly in ``folder``, as a zip (stored: the IR's weights barely shrink)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, path.name)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """``pack``'s zip into ``folder``; only plain names, never a path out of it."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if "/" in name or "\\" in name or name in ("", ".", ".."):
                raise ValueError(f"unexpected member {name!r} in a runtime artifact")
            (folder / name).write_bytes(archive.read(info))
