"""Layers that run one way: data/ and db/ import nothing from the layers above them,
and nothing outside api/ imports api/. Checked on the source (``ast``), imports inside
functions included, so it needs no TensorFlow."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sightline"
ABOVE_DATA_AND_DB = ("sightline.ml", "sightline.serving", "sightline.jobs", "sightline.api")


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, anywhere in it, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            yield base
            # `from sightline import api` imports the subpackage itself.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def test_the_walk_sees_imports_inside_functions() -> None:
    sample = PACKAGE / "db" / "session.py"
    assert "sqlalchemy" in set(imported_modules(sample))
    assert "alembic.config" in set(imported_modules(sample))  # imported inside migrate()


@pytest.mark.parametrize(
    "path",
    modules(PACKAGE / "data") + modules(PACKAGE / "db"),
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_data_and_db_import_nothing_from_above(path: Path) -> None:
    upward = sorted(name for name in imported_modules(path) if within(name, ABOVE_DATA_AND_DB))
    assert upward == []


def test_nothing_below_api_imports_api() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in imported_modules(path) if within(name, ("sightline.api",))
        )
        for path in modules(PACKAGE)
        if not path.is_relative_to(PACKAGE / "api")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
