"""Request and prediction ids (sightline/ids.py)."""

from __future__ import annotations

import re

from sightline.ids import new_id


def test_ids_are_32_hex_characters_and_do_not_repeat() -> None:
    ids = [new_id() for _ in range(100_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    assert len(set(ids)) == len(ids)
