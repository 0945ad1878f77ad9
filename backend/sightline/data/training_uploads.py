"""Labelled training uploads: validated with the serving decoder, stored by content.

An upload's bytes are a blob named by their sha256 (``sightline.blob_store``: the
database or an S3 bucket, shared by every replica) — never a name the client chose —
and recorded once per classifier; the same bytes again are a duplicate, and the same
bytes under another class are refused. A replica caches what it reads under
$SIGHTLINE_HOME/uploads/<sha256[:2]>/<sha256>, checked against the hash. Zips are read
in memory (data/labelled_zip.py); nothing in them is ever extracted by name.

An upload goes in three passes: every file's layout (a bad zip stops the upload before
anything is stored), then each image's bytes (decoded, hashed, put in the blob store),
then one transaction that records the rows (and any new classes): all or nothing.
/training-data stores each image's ``split``: the zip's test/ folder, or a stratified share
of every class held out for evaluation; the legacy route leaves it to the content hash.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from sightline.blob_store import BlobStore, fetch_to_file, file_sha256, open_blob_store, sha256_hex
from sightline.config import Settings
from sightline.data.labelled_zip import (
    ZIP_READ_ERRORS,
    ZipLimits,
    class_name_problem,
    is_zip,
    read_labelled_zip,
)
from sightline.data.names import display_name
from sightline.data.preprocessing import image_to_input
from sightline.db import classifiers as classifier_rows
from sightline.db import uploads as upload_rows
from sightline.db.session import session_scope
from sightline.errors import InvalidField, SightlineError

TRAIN, TEST = "train", "test"


@dataclass
class UploadReport:
    uploaded: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)  # the classifier's, after the upload
    split_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # class -> split -> n

    def reject(self, filename: str | None, reason: str) -> None:
        self.rejected.append({"filename": filename or "", "reason": reason})


@dataclass(frozen=True)
class Labelling:
    """An upload route's rules: /training-data allows new classes and splits (zips by
    train/ and test/, a stratified holdout); the legacy route, ``known`` classes only."""

    known: list[str]
    new_classes: bool
    splits: bool


@dataclass(frozen=True)
class Candidate:
    filename: str
    class_name: str
    split: str | None  # from a zip's train/ or test/ folder
    read: Callable[[], bytes]  # a zip member is read in the second pass


@dataclass(frozen=True)
class Accepted:
    """A valid image, its bytes in the blob store, its row not written yet."""

    filename: str
    class_name: str
    split: str | None
    sha256: str
    size_bytes: int


def is_holdout(sha256: str, fraction: float) -> bool:
    """Whether an upload stored without a split is kept for evaluation. Decided by its
    content hash, so it is either for training or for evaluation, in every job."""
    return int(sha256[:8], 16) / 0xFFFFFFFF < fraction


def is_held_out(sha256: str, split: str | None, fraction: float) -> bool:
    """Whether an upload is kept for evaluation: its split when it was stored with one,
    else its content hash (uploads from before splits, and the legacy route's)."""
    return split == TEST if split is not None else is_holdout(sha256, fraction)


def assign_splits(
    accepted: list[Accepted], stored: dict[str, dict[str, int]], fraction: float
) -> list[str]:
    """Each new image's split. When the upload has a test/ folder, the uploader's folders
    decide. Otherwise, per class, enough new images go to test that round(fraction * all
    the class's images) are held out, counting those stored before; which ones is the
    sha256 order, a shuffle the same images always get. Images sent one by one are held
    out too (every fifth, at 0.2)."""
    if any(image.split == TEST for image in accepted):
        return [TEST if image.split == TEST else TRAIN for image in accepted]
    splits = [TRAIN] * len(accepted)
    by_class: dict[str, list[int]] = {}
    for i, image in enumerate(accepted):
        by_class.setdefault(image.class_name, []).append(i)
    for class_name, indices in by_class.items():
        have = stored.get(class_name, {})
        total = have.get(TRAIN, 0) + have.get(TEST, 0) + len(indices)
        wanted = math.floor(fraction * total + 0.5) - have.get(TEST, 0)
        for i in sorted(indices, key=lambda i: accepted[i].sha256)[: max(0, wanted)]:
            splits[i] = TEST
    return splits


class UploadStore:
    """One classifier's labelled uploads (the default classifier's unless named). The
    blobs are shared: the same image uploaded to two classifiers is stored once."""

    def __init__(
        self, settings: Settings, store: BlobStore | None = None, classifier: str | None = None
    ) -> None:
        self.settings = settings
        self.classifier = classifier or settings.default_classifier
        self.root = settings.uploads_dir  # this replica's cache
        self.store = store or open_blob_store(settings)

    def ingest(
        self, files: list[tuple[str | None, bytes]], class_name: str | None, known: list[str]
    ) -> UploadReport:
        """The legacy rules (/upload-training-data): images for one of the ``known``
        classes, or zips whose images sit in folders named after them."""
        if class_name is not None and class_name not in known:
            raise InvalidField(
                f"Unknown class {class_name!r}. Known classes: {', '.join(known)}.",
                code="unknown_class",
            )
        return self._ingest(files, class_name, Labelling(known, new_classes=False, splits=False))

    def add_training_data(
        self, files: list[tuple[str | None, bytes]], class_name: str | None, known: list[str]
    ) -> UploadReport:
        """Images for ``class_name``, or zips laid out ``<class>/*`` or ``train/<class>/*``
        (+ ``test/<class>/*``); new class names become the classifier's classes."""
        problem = class_name_problem(class_name) if class_name is not None else None
        if problem:
            raise InvalidField(f"class_name: {problem}", code="invalid_class_name")
        return self._ingest(files, class_name, Labelling(known, new_classes=True, splits=True))

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

    def _ingest(
        self, files: list[tuple[str | None, bytes]], class_name: str | None, rules: Labelling
    ) -> UploadReport:
        report = UploadReport()
        candidates = [  # every layout first: a bad zip stops the upload before any store
            candidate
            for filename, data in files
            for candidate in self._candidates(filename, data, class_name, rules, report)
        ]
        accepted = self._accept(candidates, report)
        self._record(accepted, rules, report)
        self._count(rules, report)
        return report

    def _candidates(
        self,
        filename: str | None,
        data: bytes,
        class_name: str | None,
        rules: Labelling,
        report: UploadReport,
    ) -> list[Candidate]:
        name = display_name(filename) or "upload"
        if is_zip(data):
            if class_name is not None:
                report.reject(
                    name, "A zip takes its classes from its folders; send it without class_name."
                )
                return []
            return self._zip_members(name, data, rules, report)
        if class_name is None:
            report.reject(
                name, "Images need a class: pass ?class_name=, or send a zip of class folders."
            )
            return []
        # No folder split: on /training-data the stratified rule holds out its share of
        # single images too (counting the class's stored ones), not the content hash.
        return [Candidate(name, class_name, None, lambda: data)]

    def _zip_members(
        self, name: str, data: bytes, rules: Labelling, report: UploadReport
    ) -> list[Candidate]:
        s = self.settings
        limits = ZipLimits(
            s.max_zip_files, s.max_zip_uncompressed_bytes, s.max_zip_ratio, s.max_upload_bytes
        )
        parsed = read_labelled_zip(name, data, limits, legacy=not rules.splits)
        for filename, reason in parsed.rejected:
            report.reject(filename, reason)
        candidates = []
        for member in parsed.members:
            if not rules.new_classes and member.class_name not in rules.known:
                known = ", ".join(rules.known)
                report.reject(
                    member.filename, f"Unknown class {member.class_name!r}. Known classes: {known}."
                )
                continue
            read = lambda member=member: parsed.read(member)  # noqa: E731
            candidates.append(Candidate(member.filename, member.class_name, member.split, read))
        return candidates

    def _accept(self, candidates: list[Candidate], report: UploadReport) -> list[Accepted]:
        """The valid, new images, their bytes put in the blob store (a blob no row names
        is harmless: ``sightline prune`` removes it)."""
        accepted: list[Accepted] = []
        first_seen: dict[str, Candidate] = {}
        for candidate in candidates:
            data = self._valid_bytes(candidate, report)
            if data is None:
                continue
            sha = sha256_hex(data)
            earlier = first_seen.setdefault(sha, candidate)
            if earlier is not candidate:
                where = f"(class {earlier.class_name!r}) in this upload"
                self._same_bytes(candidate, earlier.class_name, earlier.filename, where, report)
                continue
            stored = self._stored(sha)
            if stored is not None:
                where = f"stored under class {stored[0]!r}"
                self._same_bytes(candidate, stored[0], stored[1], where, report)
                continue
            self.store.put(data)  # the bytes first: a row never names a missing blob
            split = candidate.split
            accepted.append(
                Accepted(candidate.filename, candidate.class_name, split, sha, len(data))
            )
        return accepted

    def _valid_bytes(self, candidate: Candidate, report: UploadReport) -> bytes | None:
        s = self.settings
        try:
            data = candidate.read()
        except ZIP_READ_ERRORS as exc:
            # A CRC that fails (a member inflating past its declared size stops at
            # that size, then fails here), encryption, an unknown compression.
            report.reject(candidate.filename, f"The member could not be read: {exc}.")
            return None
        if len(data) > s.max_upload_bytes:
            report.reject(candidate.filename, f"Larger than {s.max_upload_bytes} bytes.")
            return None
        if is_zip(data):
            report.reject(candidate.filename, "Nested zips are not accepted.")
            return None
        try:
            image_to_input(data, max_pixels=s.max_image_pixels, max_frames=s.max_frames)
        except SightlineError as exc:
            report.reject(candidate.filename, exc.detail)
            return None
        return data

    @staticmethod
    def _same_bytes(
        candidate: Candidate,
        class_name: str,
        filename: str | None,
        where: str,
        report: UploadReport,
    ) -> None:
        """The same image again: a duplicate in the same class, refused in another."""
        if class_name == candidate.class_name:
            report.duplicates += 1
            return
        report.reject(
            candidate.filename,
            f"Same image as {filename or 'an earlier upload'} {where}; labelled "
            f"{candidate.class_name!r} here. An image has one class.",
        )

    def _record(self, accepted: list[Accepted], rules: Labelling, report: UploadReport) -> None:
        """The rows and any new classes, in one transaction."""
        s = self.settings
        new_classes = [
            c for c in dict.fromkeys(a.class_name for a in accepted) if c not in rules.known
        ]
        with session_scope(s) as session:
            if rules.new_classes:
                # Locks the classifier's row (Postgres), so uploads to it count splits in turn.
                classifier_rows.add_classes(
                    session=session, name=self.classifier, classes=new_classes
                )
            if rules.splits:
                stored = self._split_counts(session)
                splits: list[str | None] = list(
                    assign_splits(accepted, stored, s.retrain_holdout_fraction)
                )
            else:
                splits = [None] * len(accepted)  # the legacy route: the content hash decides
            for image, split in zip(accepted, splits, strict=True):
                recorded = upload_rows.record_upload(
                    session=session,
                    classifier=self.classifier,
                    sha256=image.sha256,
                    class_name=image.class_name,
                    size_bytes=image.size_bytes,
                    path=str(self._cache_path(image.sha256).relative_to(self.root)),
                    original_filename=image.filename,
                    split=split,
                )
                if recorded:
                    report.uploaded += 1
                else:
                    report.duplicates += 1  # the same bytes arrived concurrently

    def _count(self, rules: Labelling, report: UploadReport) -> None:
        with session_scope(self.settings) as session:
            counts = upload_rows.upload_counts(session=session, classifier=self.classifier)
            row = classifier_rows.get_classifier(session=session, name=self.classifier)
            splits = self._split_counts(session) if rules.splits else {}
        if rules.new_classes:
            report.classes = list(dict.fromkeys([*rules.known, *(row.classes if row else [])]))
        else:
            report.classes = list(rules.known)
        report.class_counts = {name: counts.get(name, 0) for name in report.classes}
        if rules.splits:
            empty = {TRAIN: 0, TEST: 0}
            report.split_counts = {name: splits.get(name, empty) for name in report.classes}

    def _split_counts(self, session: Session) -> dict[str, dict[str, int]]:
        """The classifier's stored images per class and split (held out or not)."""
        fraction = self.settings.retrain_holdout_fraction
        counts: dict[str, dict[str, int]] = {}
        for (class_name, split), n in upload_rows.split_counts(
            session=session, classifier=self.classifier
        ).items():
            counts.setdefault(class_name, {TRAIN: 0, TEST: 0})[split] += n
        for class_name, sha in upload_rows.unsplit_uploads(
            session=session, classifier=self.classifier
        ):
            split = TEST if is_holdout(sha, fraction) else TRAIN
            counts.setdefault(class_name, {TRAIN: 0, TEST: 0})[split] += 1
        return counts

    def _stored(self, sha: str) -> tuple[str, str | None] | None:
        with session_scope(self.settings) as session:
            return upload_rows.stored_upload(
                session=session, classifier=self.classifier, sha256=sha
            )

    def _cache_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256
