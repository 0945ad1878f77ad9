"""The API's OpenAPI document, as committed in docs/openapi.json.

``make openapi`` writes it; ``make openapi-check`` (part of ``make lint``) fails when the
committed file no longer matches the code. The dashboard's TypeScript client is
generated from that file, so it is the contract between the two.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sightline.api.main import create_app
from sightline.config import REPO_ROOT, Settings

DOCUMENT = REPO_ROOT / "docs" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The document FastAPI serves at /openapi.json; no model is loaded to build it."""
    with tempfile.TemporaryDirectory(prefix="sightline-openapi-") as home:
        document: dict[str, Any] = create_app(Settings(home=Path(home))).openapi()
    return document


def render(document: dict[str, Any]) -> str:
    """Pretty-printed with sorted keys, so a diff shows only what changed."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCUMENT, help="where to write it")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when --out differs"
    )
    args = parser.parse_args(argv)
    text = render(openapi_document())
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run `make openapi` and commit it.", file=sys.stderr)
            return 1
        print(f"{args.out} matches the code.")
        return 0
    args.out.write_text(text)
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
