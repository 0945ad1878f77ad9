"""ops/tempdir.py: temporary files under the home while a long-running process runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sightline.ops.tempdir import private_tempdir


def test_temporary_files_go_under_the_home_and_the_old_place_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "before"))
    before = tempfile.tempdir
    with private_tempdir(tmp_path / "home") as path:
        assert path == tmp_path / "home" / "tmp" and path.is_dir()
        assert os.environ["TMPDIR"] == str(path)
        with tempfile.NamedTemporaryFile() as spooled:
            assert Path(spooled.name).parent == path
    assert os.environ["TMPDIR"] == str(tmp_path / "before")
    assert tempfile.tempdir == before


def test_an_unset_tmpdir_is_unset_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    with private_tempdir(tmp_path):
        assert "TMPDIR" in os.environ
    assert "TMPDIR" not in os.environ
