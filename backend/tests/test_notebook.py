"""The walkthrough notebook runs top to bottom on the quick setting, so it cannot rot.

CI sets SIGHTLINE_CIFAR10 (the lossless copy), so there it runs on a CIFAR-10 subset (a
few minutes); without it, on the lossless copy beside the checkout if there is one, else
on the generated shapes dataset.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from sightline.notebook_runner import NOTEBOOK, build_notebook, run_notebook

pytestmark = [pytest.mark.slow, pytest.mark.process]

# The figures every run writes: plots of numbers, and (under images/) of the data itself.
FIGURES = (
    "class_distribution",
    "preprocessing",
    "learning_curves",
    "confusion_matrix",
    "per_class_accuracy",
    "transfer_curves",
)
DATA_FIGURES = ("samples", "hardest_mistakes", "feature_maps")


def test_notebook_is_built_from_its_source() -> None:
    committed = nbformat.read(NOTEBOOK, as_version=4)
    built = build_notebook()
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ], "notebook/sightline_walkthrough.ipynb is out of date: run `make notebook-build`"
    assert [c.cell_type for c in built.cells].count("markdown") >= 10  # text cells parsed
    # Committed without outputs: results belong to a run, not to the source.
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


@pytest.mark.timeout(1800)  # a few minutes alone; far more on a busy 2-core machine
def test_notebook_runs_top_to_bottom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGHTLINE_NOTEBOOK_QUICK", "1")
    # Not the repository's notebook/figures/: a test run must not rewrite tracked files.
    figures = tmp_path / "figures"
    monkeypatch.setenv("SIGHTLINE_NOTEBOOK_FIGURES", str(figures))

    executed, _ = run_notebook(save_to=tmp_path / "executed.ipynb")

    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    text = "".join(o.get("text", "") for o in outputs)
    assert "test accuracy" in text
    assert "epoch 1:" in text  # the training run printed its progress
    # Figures are shown in the notebook, not only written to disk.
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= len(FIGURES + DATA_FIGURES)
    for name in FIGURES:
        assert (figures / f"{name}.png").stat().st_size > 1000, name
    for name in DATA_FIGURES:
        assert (figures / "images" / f"{name}.png").stat().st_size > 1000, name
