"""Keeping the long-running processes' heap from growing (API, worker).

Uploads are decoded in a thread pool, and glibc gives every thread a malloc arena of
its own. A large image leaves its thread's arena holding the freed megabytes, so the
API's RSS climbs and stays there (fragmentation, not a leak). Two measures bound it
(figures in bench/README.md):

- at most two arenas (``MALLOC_ARENA_MAX``, also passed on to child processes; a value
  already in the environment wins);
- a daemon thread that calls ``malloc_trim`` when the RSS has grown since its last look,
  handing whole free pages back to the system.

A fixed mmap threshold would bound the heap too, but slows every prediction:
TensorFlow's mid-sized buffers are then mapped and unmapped on every call.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading

import psutil

log = logging.getLogger(__name__)

CHECK_SECONDS = 5.0
GROWTH_BYTES = 32 * 1024 * 1024  # trim once the RSS grew this much since the last trim


ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None  # not glibc (musl, macOS): nothing to tune


def release_freed_memory() -> bool:
    """malloc_trim(0); False where the C library is not glibc or nothing was freed."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))


def tune_heap() -> HeapTrimmer:
    """Cap the arenas and start the trimmer. Call first in the process, before threads."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(ARENAS))
    libc = _libc()
    if libc is not None:
        try:
            libc.mallopt(M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
        except ValueError:
            log.warning("MALLOC_ARENA_MAX=%r is not a number", os.environ["MALLOC_ARENA_MAX"])
    return HeapTrimmer().start()


class HeapTrimmer:
    """A daemon thread that trims the heap when the process's RSS has grown."""

    def __init__(self, every: float = CHECK_SECONDS, growth: int = GROWTH_BYTES) -> None:
        self.every = every
        self.growth = growth
        self.trims = 0
        self._process = psutil.Process()
        self._baseline = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heap-trimmer", daemon=True)

    def start(self) -> HeapTrimmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> None:
        if self._rss() - self._baseline >= self.growth and release_freed_memory():
            self.trims += 1
        self._baseline = self._rss()

    def _rss(self) -> int:
        return int(self._process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.check()
            except Exception:  # never let housekeeping take the process down
                log.exception("heap trim failed")
