"""The walkthrough notebook runs top to bottom on the quick setting, so it cannot rot."""

from __future__ import annotations

import os

import nbformat
import pytest

from sightline.notebook_runner import NOTEBOOK, run_notebook

pytestmark = pytest.mark.slow


def test_notebook_is_built_from_its_source() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_notebook", NOTEBOOK.with_name("build_notebook.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in module.build().cells]


def test_notebook_runs_top_to_bottom(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGHTLINE_NOTEBOOK_QUICK", "1")
    out = tmp_path / "executed.ipynb"
    run_notebook(save_to=out)
    executed = nbformat.read(out, as_version=4)
    errors = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    text = "".join(
        o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "test accuracy" in text
    figures = NOTEBOOK.parent / "figures"
    for name in (
        "class_distribution",
        "samples",
        "preprocessing",
        "learning_curves",
        "evaluation",
        "hardest_mistakes",
        "feature_maps",
    ):
        assert (figures / f"{name}.png").stat().st_size > 1000
    assert os.environ["SIGHTLINE_NOTEBOOK_QUICK"] == "1"
