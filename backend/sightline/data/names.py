"""Client-chosen names (uploaded filenames, zip member names) as data, safe to store,
log and show: no control characters (Postgres refuses NUL in text; terminals obey
escape sequences), bounded length, and never used as a path."""

from __future__ import annotations

import unicodedata

MAX_NAME = 255


def printable(text: str, limit: int = MAX_NAME) -> str:
    """``text`` without control or format characters, cut to ``limit`` characters."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return kept[:limit]


def display_name(filename: str | None) -> str | None:
    """The last component of an uploaded filename, printable; None when nothing is left."""
    if not filename:
        return None
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return printable(base) or None
