"""Dependency audit for `make lint`: known vulnerabilities in the Python environment
(pip-audit, PyPI's advisory data: every installed package, direct or not, any severity,
since PyPI's data carries none) and in the dashboard's npm packages (npm audit, high and
critical).

Fails when a vulnerability is found that ALLOWED below does not name. When an advisory
service cannot be reached (an offline machine, a registry mirror or proxy without the
audit API) it says so plainly and skips that half, unless AUDIT_STRICT=1, when that
fails too.

    .venv/bin/python .ci/audit.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STRICT = os.environ.get("AUDIT_STRICT") == "1"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
SERIOUS = ("high", "critical")

# Advisories accepted on purpose, by id (PYSEC-..., GHSA-..., CVE-...; for npm the GHSA id
# from the advisory's URL) -> why. Only for a vulnerability with no fixed version to move
# to (typically in a transitive dependency), and with the reason it does not reach
# Sightline. Allowed advisories are still printed, with the reason; anything else fails.
# Empty: no advisory is accepted today.
ALLOWED: dict[str, str] = {}


def audit_python() -> bool | None:
    """True clean, False vulnerable, None not audited."""
    result = subprocess.run(
        [
            str(PIP_AUDIT),
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return unreachable("pip-audit", f"PyPI's vulnerability API could not be used ({last})")
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = set()
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            line = f"pip-audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})"
            reason = allowed_reason([vuln["id"], *vuln.get("aliases", [])])
            if reason is None:
                vulnerable.add(dep["name"])
                print(line)
            else:
                print(f"{line}: allowed: {reason}")
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} Python packages audited, {len(vulnerable)} vulnerable.")
    if skipped:
        # Versions PyPI does not know (a private index, local wheels), or a PyPI that
        # does not answer the per-version JSON API (pypi.org/pypi/<name>/<version>/json).
        print(
            f"pip-audit: warning: {len(skipped)} packages could not be audited, e.g. "
            f"{skipped[0]['name']}: {skipped[0]['skip_reason']}"
        )
        if not audited:
            return unreachable(
                "pip-audit",
                f"PyPI's vulnerability API answered for none of the {len(skipped)} "
                "installed packages",
            )
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
        error = report["error"]
        why = first_line(error.get("summary"), report.get("message"), error.get("detail"))
        return unreachable("npm audit", f"the registry's audit API could not be used ({why})")
    vulnerabilities: dict[str, Any] = report.get("vulnerabilities", {})
    serious = 0
    for name, vuln in sorted(vulnerabilities.items()):
        if vuln.get("severity") not in SERIOUS:
            continue
        advisories = npm_advisories(vulnerabilities, name, set())
        line = f"npm audit: {name}: {vuln['severity']} ({vuln.get('range', '?')})"
        reasons = [allowed_reason([advisory_id(a)]) for a in advisories]
        if advisories and None not in reasons:
            print(f"{line}: allowed: {'; '.join(dict.fromkeys(r for r in reasons if r))}")
            continue
        serious += 1
        ids = ", ".join(sorted({advisory_id(a) for a in advisories})) or "advisory unknown"
        print(f"{line}: {ids}; fix: {describe_fix(vuln.get('fixAvailable'))}")
    total = report.get("metadata", {}).get("vulnerabilities", {}).get("total", 0)
    print(f"npm audit: {serious} high or critical not allowed, {total} of any severity in all.")
    return serious == 0


def npm_advisories(vulnerabilities: dict[str, Any], name: str, seen: set[str]) -> list[Any]:
    """The high and critical advisories behind a package, following ``via`` through the
    packages it depends on (npm names those by package, not by advisory)."""
    if name in seen or name not in vulnerabilities:
        return []
    seen.add(name)
    found = []
    for via in vulnerabilities[name].get("via", []):
        if isinstance(via, str):
            found += npm_advisories(vulnerabilities, via, seen)
        elif via.get("severity") in SERIOUS:
            found.append(via)
    return found


def advisory_id(advisory: dict[str, Any]) -> str:
    """GHSA-xxxx-xxxx-xxxx from the advisory's URL, else npm's numeric id."""
    url = str(advisory.get("url", ""))
    return url.rstrip("/").rsplit("/", 1)[-1] if "/advisories/" in url else str(advisory["source"])


def describe_fix(fix: Any) -> str:
    if isinstance(fix, dict):
        major = " (a semver-major change)" if fix.get("isSemVerMajor") else ""
        return f"{fix.get('name')}@{fix.get('version')}{major}"
    return "`npm audit fix`" if fix else "none available"


def allowed_reason(ids: list[str]) -> str | None:
    return next((ALLOWED[i] for i in ids if i in ALLOWED), None)


def first_line(*texts: object) -> str:
    """The first line of the first text that has one (npm leaves some fields empty)."""
    for text in texts:
        if lines := str(text or "").strip().splitlines():
            return lines[0]
    return "no details"


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
