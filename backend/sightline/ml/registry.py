"""The model registry: versions as database rows, files under $SIGHTLINE_HOME/models.

Exactly one version is production (the database enforces it with a partial unique
index). The registry starts from the shipped model in models/<name>/, importing it
again whenever the shipped file changes. Promotion (and rollback) is one transaction;
API processes notice the change by polling ``production_version``.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sightline.config import Settings
from sightline.db.models import ModelVersionRow
from sightline.db.session import session_scope
from sightline.errors import NotFound, SightlineError
from sightline.ml.artifacts import (
    CARD_FILE,
    MODEL_FILE,
    copy_model_dir,
    file_sha256,
    read_card,
    save_model_dir,
)

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


class ModelRegistry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.registry_dir

    # ------------------------------------------------------------------ reading

    def production(self) -> ModelVersionRow:
        with session_scope(self.settings) as session:
            row = session.scalar(
                select(ModelVersionRow).where(ModelVersionRow.status == "production")
            )
            if row is None:
                raise NoModel("No production model is registered yet.")
            return row

    def production_version(self) -> str | None:
        with session_scope(self.settings) as session:
            return session.scalar(
                select(ModelVersionRow.version).where(ModelVersionRow.status == "production")
            )

    def get(self, version: str) -> ModelVersionRow:
        validate_version(version)
        with session_scope(self.settings) as session:
            row = session.get(ModelVersionRow, version)
            if row is None:
                raise NotFound(f"No model version {version!r}.", code="unknown_version")
            return row

    def all_versions(self) -> list[ModelVersionRow]:
        with session_scope(self.settings) as session:
            rows = session.scalars(select(ModelVersionRow)).all()
        return sorted(rows, key=lambda row: int(row.version[1:]), reverse=True)

    def path(self, version: str) -> Path:
        return self.root / validate_version(version)

    def card(self, version: str) -> dict[str, Any]:
        return read_card(self.path(version))

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
            known = session.scalar(
                select(ModelVersionRow).where(ModelVersionRow.model_sha256 == sha)
            )
            if known is not None:
                return self.production_version()
        card = read_card(shipped)
        current = self._production_or_none()
        make_production = current is None or current.source == "shipped"
        status = "production" if current is None else "candidate"
        try:
            version = self._add(
                shipped,
                card,
                parent=None,
                source="shipped",
                status=status,
                note="imported from the shipped model",
            )
        except IntegrityError:
            return self.production_version()  # another process imported it first
        if make_production and status != "production":
            self.promote(version)
        return version

    def register(
        self,
        model: Any,
        card: dict[str, Any],
        *,
        parent: str | None,
        status: str = "candidate",
        note: str | None = None,
    ) -> str:
        """Save a Keras model as a new version (never production directly)."""
        for _attempt in range(5):
            version = self._next_version()
            target = self.path(version)
            save_model_dir(target, model, {**card, "version": version, "parent": parent})
            try:
                self._insert(version, target, read_card(target), parent, "retrained", status, note)
                return version
            except IntegrityError:
                continue  # a concurrent writer took this number; take the next
        raise SightlineError("Could not allocate a model version.", status_code=500)

    def set_status(self, version: str, status: str, note: str | None = None) -> None:
        if status not in STATUSES or status == "production":
            raise ValueError(f"bad status {status!r}")
        with session_scope(self.settings) as session:
            row = session.get(ModelVersionRow, validate_version(version))
            if row is None:
                raise NotFound(f"No model version {version!r}.", code="unknown_version")
            row.status = status
            if note:
                row.note = note

    def promote(self, version: str) -> ModelVersionRow:
        """Make ``version`` production; the previous one is archived. One transaction."""
        validate_version(version)
        if not (self.path(version) / MODEL_FILE).exists():
            raise NotFound(f"Model version {version!r} has no files.", code="unknown_version")
        with session_scope(self.settings) as session:
            row = session.get(ModelVersionRow, version, with_for_update=True)
            if row is None:
                raise NotFound(f"No model version {version!r}.", code="unknown_version")
            if row.status == "production":
                return row
            current = session.scalars(
                select(ModelVersionRow)
                .where(ModelVersionRow.status == "production")
                .with_for_update()
            ).all()
            for old in current:
                old.status = "archived"
            session.flush()  # the old row leaves production before the new one enters
            row.status = "production"
            row.promoted_at = datetime.now(UTC)
            return row

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

    def _production_or_none(self) -> ModelVersionRow | None:
        try:
            return self.production()
        except NoModel:
            return None

    def _next_version(self) -> str:
        with session_scope(self.settings) as session:
            versions = session.scalars(select(ModelVersionRow.version)).all()
            count = session.scalar(select(func.count()).select_from(ModelVersionRow)) or 0
        highest = max((int(v[1:]) for v in versions), default=0)
        return f"v{max(highest, count) + 1}"

    def _add(
        self,
        shipped: Path,
        card: dict[str, Any],
        *,
        parent: str | None,
        source: str,
        status: str,
        note: str | None,
    ) -> str:
        version = self._next_version()
        target = self.path(version)
        if not (target / CARD_FILE).exists():
            copy_model_dir(shipped, target)
        card = card | {"model_sha256": file_sha256(shipped / MODEL_FILE)}
        self._insert(version, target, card, parent, source, status, note)
        return version

    def _insert(
        self,
        version: str,
        path: Path,
        card: dict[str, Any],
        parent: str | None,
        source: str,
        status: str,
        note: str | None,
    ) -> None:
        metrics = card.get("metrics", {})
        training = card.get("training", {})
        with session_scope(self.settings) as session:
            session.add(
                ModelVersionRow(
                    version=version,
                    status=status,
                    parent=parent,
                    metrics=metrics,
                    trained_on=training.get("dataset", {}) | {"seconds": training.get("seconds")},
                    path=str(path),
                    model_sha256=card.get("model_sha256") or file_sha256(path / MODEL_FILE),
                    source=source,
                    promoted_at=datetime.now(UTC) if status == "production" else None,
                    note=note,
                )
            )
