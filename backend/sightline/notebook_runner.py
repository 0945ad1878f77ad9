"""Builds the walkthrough notebook from its source and runs it top to bottom (nbclient),
failing on any error, so it cannot rot: `make notebook` and backend/tests/test_notebook.py
both run it.

The source is notebook/sightline_walkthrough.py, a plain Python file in jupytext's
percent format (``# %%`` code cells, ``# %% [markdown]`` text cells) that ruff lints like
any other; the committed .ipynb is built from it, without outputs.

    python -m sightline.notebook_runner --build      # rewrite the .ipynb from the .py
    python -m sightline.notebook_runner [--output executed.ipynb] [--timeout 900]

The kernel is this interpreter (the project's virtual environment), whatever kernels
the user has installed elsewhere. The notebook reads its settings from the environment
(SIGHTLINE_NOTEBOOK_QUICK, SIGHTLINE_NOTEBOOK_DATA, SIGHTLINE_CIFAR10, ...), which the
kernel inherits.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from sightline.config import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebook" / "sightline_walkthrough.ipynb"
SOURCE = NOTEBOOK.with_suffix(".py")
# Our own name: a user-level "python3" kernelspec (found before the venv's) may point at
# another Python, without TensorFlow or this package.
KERNEL_NAME = "sightline"


def build_notebook(source: Path = SOURCE) -> nbformat.NotebookNode:
    """The notebook of a jupytext percent-format source, without outputs."""
    notebook = jupytext.read(source)
    # Stable cell ids (jupytext draws random ones), so a rebuild changes no line in git.
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number:02d}"
    return notebook


def write_notebook(source: Path = SOURCE, target: Path = NOTEBOOK) -> Path:
    nbformat.write(build_notebook(source), target)
    return target


def ensure_kernel() -> str:
    """Install (idempotently) a kernelspec inside this environment that runs this
    interpreter, and return its name."""
    from ipykernel.kernelspec import install

    install(
        kernel_name=KERNEL_NAME,
        display_name="Python (Sightline)",
        prefix=sys.prefix,
    )
    return KERNEL_NAME


def run_notebook(
    path: Path = NOTEBOOK, *, timeout: int = 900, save_to: Path | None = None
) -> tuple[nbformat.NotebookNode, float]:
    """Execute every cell in order (working directory: the notebook's folder).

    Raises CellExecutionError at the first failing cell. ``timeout`` bounds each cell,
    in seconds. Returns the executed notebook and the wall time.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=ensure_kernel(),
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        # Keep what ran, outputs and traceback included, for a look at what failed.
        if save_to is not None:
            save_to.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, save_to)
    return notebook, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument(
        "--output", type=Path, default=None, help="write the executed notebook here"
    )
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument(
        "--build", action="store_true", help=f"only rewrite {NOTEBOOK.name} from {SOURCE.name}"
    )
    args = parser.parse_args(argv)
    if args.build:
        print("wrote", write_notebook(target=args.notebook))
        return 0
    try:
        _, seconds = run_notebook(args.notebook, timeout=args.timeout, save_to=args.output)
    except CellExecutionError as error:
        print(f"{args.notebook.name} failed:\n{error}", file=sys.stderr)
        return 1
    print(f"{args.notebook.name} ran top to bottom in {seconds:.0f} s")
    if args.output is not None:
        print(f"executed copy: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
