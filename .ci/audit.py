"""Dependency audit for `make lint`: known vulnerabilities in the Python environment
(pip-audit, PyPI's advisory data) and in the dashboard's npm packages (npm audit,
high and critical).

Fails when a vulnerability is found. When an advisory service cannot be reached (an
offline machine, a registry mirror without the audit API) it says so plainly and
skips that half, unless AUDIT_STRICT=1, when that fails too.

    .venv/bin/python .ci/audit.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STRICT = os.environ.get("AUDIT_STRICT") == "1"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def audit_python() -> bool | None:
    """True clean, False vulnerable, None not audited."""
    result = subprocess.run(
        [str(PIP_AUDIT), "--skip-editable", "--progress-spinner", "off", "--format", "json"],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return unreachable("pip-audit", f"PyPI's vulnerability API could not be used ({last})")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            print(f"pip-audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} Python packages audited, {len(vulnerable)} vulnerable.")
    if skipped:
        # Typically versions PyPI does not know (a private index or local wheels).
        print(
            f"pip-audit: warning: {len(skipped)} packages could not be audited, e.g. "
            f"{skipped[0]['name']}: {skipped[0]['skip_reason']}"
        )
        if not audited:
            return unreachable("pip-audit", "PyPI knew none of the installed versions")
    return not vulnerable


def audit_npm() -> bool | None:
    frontend = REPO / "frontend"
    if not (frontend / "package.json").exists():
        return True
    if shutil.which("npm") is None:
        return unreachable("npm audit", "npm is not installed")
    result = subprocess.run(
        ["npm", "audit", "--json", "--audit-level=high"],
        cwd=frontend,
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {"error": {"summary": result.stderr.strip()[-200:]}}
    if "error" in report:
        summary = report["error"].get("summary", "unknown error").strip().splitlines()[0]
        return unreachable("npm audit", f"the registry's audit API could not be used ({summary})")
    counts = report.get("metadata", {}).get("vulnerabilities", {})
    serious = counts.get("high", 0) + counts.get("critical", 0)
    for name, vuln in report.get("vulnerabilities", {}).items():
        if vuln.get("severity") in ("high", "critical"):
            print(f"npm audit: {name}: {vuln['severity']} ({vuln.get('range', '?')})")
    print(f"npm audit: {serious} high or critical, {counts.get('total', 0)} in all.")
    return serious == 0


def unreachable(tool: str, why: str) -> bool | None:
    print(
        f"{tool}: NOT AUDITED: {why}. Run `make lint` where the advisory service is "
        "reachable" + (" (AUDIT_STRICT=1: failing)." if STRICT else "; continuing."),
        file=sys.stderr,
    )
    return False if STRICT else None


def main() -> int:
    results = [audit_python(), audit_npm()]
    return 1 if False in results else 0


if __name__ == "__main__":
    sys.exit(main())
