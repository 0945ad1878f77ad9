"""The model registry: versions as database rows, their files as shared blobs.

A registry is one classifier's versions (the default classifier's unless named);
version ids are numbered across classifiers. Exactly one version per classifier is
production (the database enforces it with a partial unique index). A version's
model.keras and card.json are content-addressed blobs (``sightline.blob_store``: the
database or an S3 bucket), so every replica, on any machine, reads the same bytes;
``$SIGHTLINE_HOME/models/vN/`` only caches them, is checked against the hashes before
use and is fetched again when missing. The default classifier's registry starts from
the shipped model in models/<name>/, importing it again whenever the shipped file
changes. Promotion (and rollback) is one transaction; API processes notice
the change by polling ``production_version``.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from sightline.blob_store import BlobStore, fetch_to_file, file_sha256, open_blob_store
from sightline.config import Settings
from sightline.db import model_versions as version_rows
from sightline.db.model_versions import ModelVersion
from sightline.db.session import session_scope
from sightline.errors import NotFound, SightlineError
from sightline.ml.artifacts import CHECK_FILE, MODEL_FILE, save_model_dir
from sightline.ml.card import CARD_FILE, ModelCard, load_card

VERSION_PATTERN = re.compile(r"^v[0-9]{1,9}$")
STATUSES = ("production", "candidate", "rejected", "archived")


class NoModel(SightlineError):
    status_code = 503
    code = "no_model"


def validate_version(version: str) -> str:
    """Version ids are data, never paths: only v<digits> is accepted."""
    if not VERSION_PATTERN.match(version):
        raise NotFound(f"No model version {version!r}.", code="unknown_version")
    return version


def _unknown(version: str) -> NotFound:
    return NotFound(f"No model version {version!r}.", code="unknown_version")


class ModelRegistry:
    def __init__(
        self, settings: Settings, store: BlobStore | None = None, classifier: str | None = None
    ) -> None:
        self.settings = settings
        self.classifier = classifier or settings.default_classifier
        self.root = settings.registry_dir  # this replica's cache of model files
        self.store = store or open_blob_store(settings)

    # ------------------------------------------------------------------ reading

    def production(self) -> ModelVersion:
        with session_scope(self.settings) as session:
            row = version_rows.production_row(session=session, classifier=self.classifier)
        if row is None:
            raise NoModel("No production model is registered yet.")
        return ModelVersion.of(row)

    def production_version(self) -> str | None:
        with session_scope(self.settings) as session:
            return version_rows.production_version(session=session, classifier=self.classifier)

    def get(self, version: str) -> ModelVersion:
        validate_version(version)
        with session_scope(self.settings) as session:
            row = version_rows.get_version(
                session=session, version=version, classifier=self.classifier
            )
        if row is None:
            raise _unknown(version)
        return ModelVersion.of(row)

    def line_start(self, version: str) -> str:
        """The version a line of retrained models began with: its parents followed back
        to one that has none (the shipped model, or one trained or imported)."""
        seen = {version}
        row = self.get(version)
        while row.parent is not None and row.parent not in seen:
            seen.add(row.parent)
            row = self.get(row.parent)
        return row.version

    def all_versions(self) -> list[ModelVersion]:
        with session_scope(self.settings) as session:
            rows = version_rows.list_versions(session=session, classifier=self.classifier)
            return [ModelVersion.of(row) for row in rows]

    def path(self, version: str) -> Path:
        """The version's folder on this replica, fetched from the blob store (and
        verified) when the cache lacks it or holds other bytes. A version with no
        stored files (or none at all) gets its cache location, with nothing in it."""
        folder = self.root / validate_version(version)
        with session_scope(self.settings) as session:
            row = version_rows.get_version(
                session=session, version=version, classifier=self.classifier
            )
        if row is None or row.card_sha256 is None:
            return folder
        fetch_to_file(self.store, row.model_sha256, folder / MODEL_FILE)
        fetch_to_file(self.store, row.card_sha256, folder / CARD_FILE)
        if row.check_sha256 is not None:
            fetch_to_file(self.store, row.check_sha256, folder / CHECK_FILE)
        return folder

    def card(self, version: str) -> ModelCard:
        """The version's card (only the card is fetched, not the model)."""
        row = self.get(version)
        folder = self.root / version
        if row.card_sha256 is None:
            return load_card(folder)  # not imported into the store yet
        fetch_to_file(self.store, row.card_sha256, folder / CARD_FILE)
        return load_card(folder)

    # ------------------------------------------------------------------ writing

    def ensure_seeded(self) -> str | None:
        """Import the shipped model if its file is not in the registry yet.

        It becomes production when the registry has none, or when production is
        itself a shipped model (a newer shipped model replaces an older one, but never
        a model retrained here).
        """
        shipped = self.settings.model_dir
        if not (shipped / MODEL_FILE).exists():
            return self.production_version()
        sha = file_sha256(shipped / MODEL_FILE)
        with session_scope(self.settings) as session:
            found = version_rows.version_with_model(
                session=session, classifier=self.classifier, model_sha256=sha
            )
            if found is not None:
                return version_rows.production_version(session=session, classifier=self.classifier)
        card = load_card(shipped)
        current = self._production_or_none()
        if current is not None and current.model_sha256 == sha:
            # Another process (a replica, the worker) imported it between the two reads.
            return current.version
        make_production = current is None or current.source == "shipped"
        status = "production" if current is None else "candidate"
        version = self._add_folder(
            shipped,
            card.model_copy(update={"model_sha256": sha}),
            parent=None,
            source="shipped",
            status=status,
            note="imported from the shipped model",
        )
        if version is None:
            return self.production_version()  # another process imported it first
        if make_production and status != "production":
            self.promote(version)
        return version

    def register(
        self,
        model: Any,
        card: ModelCard,
        *,
        parent: str | None,
        status: str = "candidate",
        note: str | None = None,
        check_images: np.ndarray | None = None,
    ) -> str:
        """Save a Keras model as a new version (never production directly), with a sample
        of its held-out images to check a runtime on (ml/artifacts.check_sample)."""
        for _attempt in range(5):
            with session_scope(self.settings) as session:
                version = version_rows.next_version(session=session)
            # Written into the cache first (Keras saves to a path), then stored.
            folder = save_model_dir(
                self.root / version,
                model,
                card.model_copy(update={"version": version, "parent": parent}),
                check_images,
            )
            if self._store_and_insert(
                version, folder, load_card(folder), parent, "retrained", status, note
            ):
                return version
            # A concurrent writer took this number; take the next.
        raise SightlineError("Could not allocate a model version.", status_code=500)

    def set_status(self, version: str, status: str, note: str | None = None) -> None:
        if status not in STATUSES or status == "production":
            raise ValueError(f"bad status {status!r}")
        with session_scope(self.settings) as session:
            found = version_rows.set_status(
                session=session,
                classifier=self.classifier,
                version=validate_version(version),
                status=status,
                note=note,
            )
        if not found:
            raise _unknown(version)

    def promote(self, version: str) -> ModelVersion:
        """Make ``version`` production; the previous one is archived. One transaction."""
        row = self.get(version)
        if row.card_sha256 is None or not self.store.exists(row.model_sha256):
            raise NotFound(f"Model version {version!r} has no files.", code="unknown_version")
        with session_scope(self.settings) as session:
            locked = version_rows.get_version(
                session=session, version=version, classifier=self.classifier, for_update=True
            )
            if locked is None:
                raise _unknown(version)
            if locked.status != "production":
                locked = version_rows.make_production(session=session, row=locked)
            return ModelVersion.of(locked)

    def import_local_files(self) -> list[str]:
        """Store the files of versions registered before blobs existed (migration 0004),
        from this home's registry folder, when they match the recorded hash. Run at
        start by every process; the first one that has the files wins."""
        imported = []
        with session_scope(self.settings) as session:
            pending = version_rows.versions_missing_card(session=session)
        for row in pending:
            folder = self.root / row.version
            model_file, card_file = folder / MODEL_FILE, folder / CARD_FILE
            if not (model_file.exists() and card_file.exists()):
                continue
            if file_sha256(model_file) != row.model_sha256:
                continue
            self.store.put(model_file.read_bytes())
            card_sha = self.store.put(card_file.read_bytes())
            with session_scope(self.settings) as session:
                recorded = version_rows.set_card_sha256(
                    session=session, version=row.version, card_sha256=card_sha
                )
            if recorded:
                imported.append(row.version)
        return imported

    def remove_partial_files(self, older_than_seconds: float = 600.0) -> list[Path]:
        """Delete temporary folders a killed writer left (never a registered version)."""
        removed = []
        cutoff = time.time() - older_than_seconds
        for path in self.root.glob(".*"):
            if (".tmp-" in path.name or ".old-" in path.name) and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        return removed

    # ------------------------------------------------------------------ internals

    def _production_or_none(self) -> ModelVersion | None:
        try:
            return self.production()
        except NoModel:
            return None

    def _add_folder(
        self,
        folder: Path,
        card: ModelCard,
        *,
        parent: str | None,
        source: str,
        status: str,
        note: str | None,
    ) -> str | None:
        """The new version, or None when the database refused its row."""
        with session_scope(self.settings) as session:
            version = version_rows.next_version(session=session)
        if not self._store_and_insert(version, folder, card, parent, source, status, note):
            return None
        return version

    def _store_and_insert(
        self,
        version: str,
        folder: Path,
        card: ModelCard,
        parent: str | None,
        source: str,
        status: str,
        note: str | None,
    ) -> bool:
        """Put the folder's two files into the blob store, then add the row that names
        them: a row never points at files that are not stored. False when the database
        refused the row (a concurrent writer took the number, or production)."""
        model_sha = self.store.put((folder / MODEL_FILE).read_bytes())
        card_sha = self.store.put((folder / CARD_FILE).read_bytes())
        check = folder / CHECK_FILE
        check_sha = self.store.put(check.read_bytes()) if check.is_file() else None
        metrics = card.metrics.model_dump(mode="json") if card.metrics else {}
        dataset = card.training.dataset
        trained_on = dataset.model_dump(mode="json") if dataset else {}
        with session_scope(self.settings) as session:
            return version_rows.insert_version(
                session=session,
                classifier=self.classifier,
                version=version,
                status=status,
                parent=parent,
                metrics=metrics,
                trained_on=trained_on | {"seconds": card.training.seconds},
                path=str(self.root / version),
                model_sha256=model_sha,
                card_sha256=card_sha,
                check_sha256=check_sha,
                source=source,
                note=note,
            )
