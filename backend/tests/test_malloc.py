"""Heap housekeeping of the long-running processes (ops/malloc.py)."""

from __future__ import annotations

import os
import platform

import pytest

from sightline.ops.malloc import HeapTrimmer, release_freed_memory, tune_heap

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_trimmer_trims_after_growth_and_not_before() -> None:
    trimmer = HeapTrimmer(growth=64 * 1024 * 1024)
    trimmer.check()
    assert trimmer.trims == 0  # no growth since it started
    kept = [bytearray(1024) for _ in range(200_000)]  # ~200 MB in small heap blocks
    del kept[:100_000]  # freed, but below live blocks: the heap keeps those pages
    trimmer.growth = 1  # any growth counts now
    trimmer.check()
    assert trimmer.trims == 1  # malloc_trim said it gave pages back
    assert len(kept) == 100_000


@pytest.mark.skipif(GLIBC, reason="elsewhere there is nothing to trim")
def test_without_glibc_nothing_is_trimmed() -> None:
    assert release_freed_memory() is False


def test_tune_heap_keeps_a_value_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "3")
    trimmer = tune_heap()
    try:
        assert os.environ["MALLOC_ARENA_MAX"] == "3"
    finally:
        trimmer.stop()
