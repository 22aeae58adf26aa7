"""Audit the installed Python packages for known vulnerabilities with pip-audit.

pip-audit asks PyPI's per-release JSON (or OSV). Where a package cannot be audited that way (a
registry mirror that serves only the project JSON, as on the CI machines), this falls back to
the project JSON, whose `vulnerabilities` describe the newest release: an installed newest
release is audited by it; an older one is named as not audited. Any vulnerability found fails.

Run: .venv/bin/python scripts/audit-dependencies.py   (`make audit` does)
"""
import json
import re
import subprocess  # nosec B404
import sys
import tempfile
import urllib.request

PYPI = "https://pypi.org/pypi/{name}/json"


def installed():
    """Return the venv's packages as pinned requirement lines, without pip and the project."""
    frozen = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable",
         "--exclude", "pip", "--exclude", "setuptools"],
        capture_output=True, text=True, check=True).stdout
    return [line for line in frozen.splitlines() if "==" in line]


def canonical(name):
    """Return a package name as PyPI compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_audit(requirements):
    """Run pip-audit on pinned requirements; return its dependency records."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as file:
        file.write("\n".join(requirements) + "\n")
        file.flush()
        done = subprocess.run(  # noqa: S603 (fixed argv, no shell)  # nosec B603
            [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip",
             "--progress-spinner", "off", "--format", "json", "-r", file.name],
            capture_output=True, text=True)
    if not done.stdout.strip():
        sys.exit(f"pip-audit lief nicht: {done.stderr.strip()}")
    return json.loads(done.stdout)["dependencies"]


def newest_release_vulnerabilities(name, version):
    """Return the vulnerabilities PyPI lists for name, or None if version is not the newest."""
    with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as answer:  # noqa: S310  # nosec B310
        project = json.load(answer)
    if project["info"]["version"] != version:
        return None
    return project.get("vulnerabilities", [])


def main():
    """Audit, print what was found and what could not be audited; exit 1 on a finding."""
    requirements = installed()
    versions = dict(line.split("==", 1) for line in requirements)
    versions = {canonical(name): version for name, version in versions.items()}
    found, unaudited, audited = [], [], 0
    for dependency in pip_audit(requirements):
        name = dependency["name"]
        if "skip_reason" not in dependency:
            audited += 1
            found += [(name, v["id"]) for v in dependency.get("vulns", [])]
            continue
        version = versions[canonical(name)]
        try:
            vulnerabilities = newest_release_vulnerabilities(name, version)
        except OSError as error:
            unaudited.append(f"{name} {version} ({error})")
            continue
        if vulnerabilities is None:
            unaudited.append(f"{name} {version} (nicht die neueste Version)")
            continue
        audited += 1
        found += [(name, v["id"]) for v in vulnerabilities]
    print(f"pip-audit: {audited} von {len(requirements)} Paketen geprüft.")
    for line in unaudited:
        print(f"  nicht geprüft: {line}")
    for name, vulnerability in found:
        print(f"  BEKANNTE SCHWACHSTELLE: {name}: {vulnerability}")
    if found:
        sys.exit(1)
    if not audited:
        sys.exit("pip-audit: kein einziges Paket ließ sich prüfen.")


if __name__ == "__main__":
    main()
