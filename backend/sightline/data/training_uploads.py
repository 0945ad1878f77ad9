"""Labelled training uploads: validated with the serving decoder, stored by content.

An upload's bytes are a blob named by their sha256 (``sightline.blob_store``: the
database or an S3 bucket, shared by every replica) — never a name the client chose —
and recorded once; the same bytes again are a duplicate. A replica caches what it reads
under $SIGHTLINE_HOME/uploads/<sha256[:2]>/<sha256>, checked against the hash. A .zip is
read in memory member by member (class = the member's folder name), with limits on
members, total size and compression ratio; nothing in it is ever extracted by name.
"""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sightline.blob_store import BlobStore, fetch_to_file, file_sha256, open_blob_store, sha256_hex
from sightline.config import Settings
from sightline.data.datasets import IMAGE_SUFFIXES
from sightline.data.names import display_name, printable
from sightline.data.preprocessing import image_to_input
from sightline.db import uploads as upload_rows
from sightline.db.session import session_scope
from sightline.errors import InvalidField, SightlineError, TooLarge


@dataclass
class UploadReport:
    uploaded: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)

    def reject(self, filename: str | None, reason: str) -> None:
        self.rejected.append({"filename": filename or "", "reason": reason})


@dataclass(frozen=True)
class Candidate:
    filename: str
    class_name: str
    data: bytes


# What zipfile raises on hostile archives; all of them mean "refuse this member".
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    ValueError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
    zlib.error,
)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def is_holdout(sha256: str, fraction: float) -> bool:
    """Whether an upload is kept for evaluation. Decided by its content hash, so an
    upload is either for training or for evaluation, in every job, and never both."""
    return int(sha256[:8], 16) / 0xFFFFFFFF < fraction


class UploadStore:
    def __init__(self, settings: Settings, store: BlobStore | None = None) -> None:
        self.settings = settings
        self.root = settings.uploads_dir  # this replica's cache
        self.store = store or open_blob_store(settings)

    def ingest(
        self, files: list[tuple[str | None, bytes]], class_name: str | None, known: list[str]
    ) -> UploadReport:
        """Validate and store images for ``class_name``, or zips of class folders."""
        if class_name is not None and class_name not in known:
            raise InvalidField(
                f"Unknown class {class_name!r}. Known classes: {', '.join(known)}.",
                code="unknown_class",
            )
        report = UploadReport()
        for filename, data in files:
            for candidate in self._candidates(filename, data, class_name, known, report):
                self._store(candidate, report)
        with session_scope(self.settings) as session:
            counts = upload_rows.upload_counts(session=session)
        report.class_counts = {name: counts.get(name, 0) for name in known}
        return report

    def path_of(self, sha256: str) -> Path:
        """The upload's file on this replica, fetched from the blob store (and verified)
        when the cache lacks it."""
        return fetch_to_file(self.store, sha256, self._cache_path(sha256))

    def read(self, sha256: str) -> bytes:
        """The upload's bytes, verified against its hash."""
        return self.path_of(sha256).read_bytes()

    def import_local_files(self) -> int:
        """Store the files a home kept before blobs existed (migration 0004), once: a
        marker file records that this home's files were imported."""
        marker = self.settings.home / ".uploads-imported-0004"  # beside the cache, not in it
        if marker.exists() or not self.root.is_dir():
            return 0
        imported = 0
        for path in self.root.glob("??/*"):
            if path.name.startswith(".") or path.name != file_sha256(path):
                continue  # temporary files, or not an upload
            if not self.store.exists(path.name):
                self.store.put(path.read_bytes())
                imported += 1
        marker.touch()
        return imported

    def remove_partial_files(self, older_than_seconds: float = 600.0) -> list[Path]:
        """Delete the temporary files of writers that were killed mid-write. Only old
        ones: another process sharing this home may be writing a fresh one right now."""
        cutoff = time.time() - older_than_seconds
        removed = []
        for path in self.root.glob("*/.*.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
        return removed

    # ------------------------------------------------------------------ internals

    def _candidates(
        self,
        filename: str | None,
        data: bytes,
        class_name: str | None,
        known: list[str],
        report: UploadReport,
    ) -> Iterator[Candidate]:
        name = display_name(filename) or "upload"
        if is_zip(data):
            if class_name is not None:
                report.reject(
                    name, "A zip takes its classes from its folders; send it without class_name."
                )
                return
            yield from self._zip_members(name, data, known, report)
        elif class_name is None:
            report.reject(
                name, "Images need a class: pass ?class_name=, or send a zip of class folders."
            )
        else:
            yield Candidate(name, class_name, data)

    def _zip_members(
        self, name: str, data: bytes, known: list[str], report: UploadReport
    ) -> Iterator[Candidate]:
        s = self.settings
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = [info for info in archive.infolist() if not info.is_dir()]
        except ZIP_READ_ERRORS as exc:
            report.reject(name, f"The zip could not be read: {exc}.")
            return
        if len(infos) > s.max_zip_files:
            raise TooLarge(
                f"{name} has {len(infos)} files; the limit is {s.max_zip_files}.",
                code="zip_too_many_files",
            )
        total = sum(info.file_size for info in infos)
        if total > s.max_zip_uncompressed_bytes:
            raise TooLarge(
                f"{name} unpacks to {total} bytes; the limit is {s.max_zip_uncompressed_bytes}.",
                code="zip_too_large",
            )
        for info in infos:
            member = printable(f"{name}:{info.filename}")
            if _unsafe_member(info.filename):
                report.reject(member, "Unsafe path in the zip (absolute or '..'); skipped.")
                continue
            class_name = _member_class(info.filename)
            if class_name is None:
                continue  # folders, hidden files, __MACOSX: not training images
            ratio = info.file_size / max(1, info.compress_size)
            if ratio > s.max_zip_ratio or info.file_size > s.max_upload_bytes:
                report.reject(
                    member,
                    f"Compressed {ratio:.0f}:1 to {info.file_size} bytes: "
                    f"over the limits ({s.max_zip_ratio:.0f}:1, "
                    f"{s.max_upload_bytes} bytes).",
                )
                continue
            if class_name not in known:
                report.reject(
                    member, f"Unknown class {class_name!r}. Known classes: {', '.join(known)}."
                )
                continue
            try:
                content = archive.read(info)
            except ZIP_READ_ERRORS as exc:
                # A CRC that fails (a member inflating past its declared size stops at
                # that size, then fails here), encryption, an unknown compression.
                report.reject(member, f"The member could not be read: {exc}.")
                continue
            yield Candidate(member, class_name, content)

    def _store(self, candidate: Candidate, report: UploadReport) -> None:
        s = self.settings
        if len(candidate.data) > s.max_upload_bytes:
            report.reject(candidate.filename, f"Larger than {s.max_upload_bytes} bytes.")
            return
        if is_zip(candidate.data):
            report.reject(candidate.filename, "Nested zips are not accepted.")
            return
        try:
            image_to_input(candidate.data, max_pixels=s.max_image_pixels, max_frames=s.max_frames)
        except SightlineError as exc:
            report.reject(candidate.filename, exc.detail)
            return
        sha = sha256_hex(candidate.data)
        if self._known(sha):
            report.duplicates += 1
            return
        self.store.put(candidate.data)  # the bytes first: a row never names a missing blob
        with session_scope(s) as session:
            recorded = upload_rows.record_upload(
                session=session,
                sha256=sha,
                class_name=candidate.class_name,
                size_bytes=len(candidate.data),
                path=str(self._cache_path(sha).relative_to(self.root)),
                original_filename=candidate.filename,
            )
        if not recorded:
            report.duplicates += 1  # the same bytes arrived concurrently
            return
        report.uploaded += 1

    def _known(self, sha: str) -> bool:
        with session_scope(self.settings) as session:
            return upload_rows.upload_exists(session=session, sha256=sha)

    def _cache_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256


def _unsafe_member(member: str) -> bool:
    path = PurePosixPath(member.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or ":" in member


def _member_class(member: str) -> str | None:
    """The class of a zip member: the folder the image sits in."""
    path = PurePosixPath(member)
    if path.suffix.lower() not in IMAGE_SUFFIXES or len(path.parts) < 2:
        return None
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return None
    return path.parts[-2]
