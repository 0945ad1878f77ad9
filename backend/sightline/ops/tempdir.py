"""The process's temporary files under ``$SIGHTLINE_HOME/tmp``, for the API (Starlette
spools uploads over 1 MB to disk) and the worker, so nothing is written elsewhere."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_tempdir(home: Path) -> Iterator[Path]:
    """Temporary files (Starlette's spooled uploads among them) go under ``home/tmp``
    while the block runs; subprocesses inherit it through TMPDIR."""
    path = home / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    previous_dir, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(path)
    os.environ["TMPDIR"] = str(path)
    try:
        yield path
    finally:
        tempfile.tempdir = previous_dir
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
