"""Runs the walkthrough notebook top to bottom (nbclient), failing on any error, so it
cannot rot. The kernel is this interpreter (the project's virtual environment)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from sightline.config import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebook" / "sightline_walkthrough.ipynb"


def ensure_kernel() -> str:
    """A kernelspec pointing at this interpreter, so the notebook runs in our venv."""
    from ipykernel.kernelspec import install

    install(user=False, prefix=sys.prefix, kernel_name="python3")
    return "python3"


def run_notebook(path: Path = NOTEBOOK, timeout: int = 900, save_to: Path | None = None) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=ensure_kernel(),
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    if save_to is not None:
        nbformat.write(notebook, save_to)
    return time.perf_counter() - start


if __name__ == "__main__":
    seconds = run_notebook(save_to=Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"notebook ran top to bottom in {seconds:.0f} s")
