"""Retention of the prediction history, and its export.

- Request events older than ``request_events_retention_days`` are deleted; their
  figures stay in the per-minute rollups written with them, so monitoring over any
  window still answers the same.
- Review items (issue #32) go by their classifier's review policy: older than its
  ``retention_days``, or the oldest past its ``max_items``; then each of their images
  that no row (item, upload, out-of-class image, model) needs (ml/review_queue.py).
- Predictions are user data: they stay, unless ``predictions_retention_days`` is set.
  Export them first: ``sightline export predictions --format csv|parquet --out FILE
  --before DATE`` writes every row older than DATE (all rows without it).

Pruning runs in the worker (every ``retention_interval_s``) and as ``sightline
prune``. It deletes ``retention_batch_rows`` rows per transaction and pauses between
batches, so a writer never waits for it long (on SQLite a batch holds the write lock
for a few ms; on Postgres deleted rows lock nobody else's).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sightline.blob_store import open_blob_store
from sightline.config import Settings, get_settings
from sightline.db import predictions as history
from sightline.db.models import PredictionRow
from sightline.db.session import migrate, session_scope
from sightline.ml.review_queue import prune_review

PAUSE_BETWEEN_BATCHES_S = 0.05
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "request_key",
    "prediction",
    "class_index",
    "confidence",
    "uncertain",
    "model_version",
    "time_ms",
    "image_sha256",
    "filename",
    "endpoint",
    "probabilities",
)


@dataclass(frozen=True)
class Pruned:
    request_events: int
    predictions: int
    review_items: int = 0
    review_blobs: int = 0


def prune(settings: Settings, now: datetime | None = None) -> Pruned:
    """Delete what retention allows, batch by batch; returns how many rows went."""
    now = now or datetime.now(UTC)
    events_before = now - timedelta(days=settings.request_events_retention_days)
    events = _delete_in_batches(settings, history.delete_request_events, events_before)
    predictions = 0
    if settings.predictions_retention_days is not None:
        predictions_before = now - timedelta(days=settings.predictions_retention_days)
        predictions = _delete_in_batches(settings, history.delete_predictions, predictions_before)
    review = prune_review(settings, open_blob_store(settings), now)
    return Pruned(events, predictions, review.items, review.blobs)


def _delete_in_batches(settings: Settings, delete: Any, before: datetime) -> int:
    deleted = 0
    while True:
        with session_scope(settings) as session:
            batch: int = delete(session=session, before=before, limit=settings.retention_batch_rows)
        deleted += batch
        if batch < settings.retention_batch_rows:
            return deleted
        time.sleep(PAUSE_BETWEEN_BATCHES_S)  # let writers in between batches


# ----------------------------------------------------------------------- export


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def export_predictions(
    settings: Settings, out: Path, fmt: ExportFormat, before: datetime | None = None
) -> int:
    """Write every prediction (older than ``before``) to ``out``, oldest first, in
    chunks (memory stays flat); returns the number of rows. The file appears whole:
    written beside ``out`` and renamed."""
    partial = out.with_name(f".{out.name}.partial")
    write = _write_csv if fmt is ExportFormat.csv else _write_parquet
    with session_scope(settings) as session:
        count = write(partial, history.iter_predictions(session=session, before=before))
    partial.replace(out)
    return count


def _records(rows: list[PredictionRow]) -> list[dict[str, Any]]:
    return [{column: getattr(row, column) for column in EXPORT_COLUMNS} for row in rows]


def _write_csv(path: Path, chunks: Iterator[list[PredictionRow]]) -> int:
    count = 0
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for rows in chunks:
            for record in _records(rows):
                record["created_at"] = record["created_at"].isoformat()
                record["probabilities"] = " ".join(str(p) for p in record["probabilities"])
                writer.writerow(record)
            count += len(rows)
    return count


def _write_parquet(path: Path, chunks: Iterator[list[PredictionRow]]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise typer.BadParameter(
            "Parquet needs pyarrow: pip install 'sightline[export]' (or pyarrow)."
        ) from None
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("request_key", pa.string()),
            ("prediction", pa.string()),
            ("class_index", pa.int32()),
            ("confidence", pa.float64()),
            ("uncertain", pa.bool_()),
            ("model_version", pa.string()),
            ("time_ms", pa.float64()),
            ("image_sha256", pa.string()),
            ("filename", pa.string()),
            ("endpoint", pa.string()),
            ("probabilities", pa.list_(pa.float32())),
        ]
    )
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for rows in chunks:
            writer.write_table(pa.Table.from_pylist(_records(rows), schema=schema))
            count += len(rows)
    return count


# ----------------------------------------------------------------------- CLI

export_app = typer.Typer(help="Export data from the database.", no_args_is_help=True)


@export_app.command("predictions")
def export_predictions_command(
    out: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or parquet.")] = (
        ExportFormat.csv
    ),
    before: Annotated[
        datetime | None,
        typer.Option(help="Only predictions made before this date (UTC), e.g. 2026-11-01."),
    ] = None,
) -> None:
    """Export the prediction history (before predictions retention deletes it)."""
    settings = get_settings()
    migrate(settings)
    cutoff = before.replace(tzinfo=UTC) if before and before.tzinfo is None else before
    count = export_predictions(settings, out, fmt, cutoff)
    typer.echo(f"Wrote {count} predictions to {out}")


def prune_command() -> None:
    """Delete request events (and predictions, if their retention is set) past retention."""
    settings = get_settings()
    migrate(settings)
    pruned = prune(settings)
    typer.echo(
        f"Deleted {pruned.request_events} request events, {pruned.predictions} predictions "
        f"and {pruned.review_items} review items ({pruned.review_blobs} images)."
    )
