"""Ids made on every request (request ids, prediction ids).

As random as uuid4 (128 bits, 32 hex characters), but from a generator seeded once
from the system instead of a system call per id: on a busy server each os.urandom call
lets another thread take the GIL, and the event loop waits to get it back.
"""

from __future__ import annotations

import os
import random

_generator = random.Random(os.urandom(32))


def new_id() -> str:
    return f"{_generator.getrandbits(128):032x}"
