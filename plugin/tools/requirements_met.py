#!/usr/bin/env python3
"""Exit 0 when every ``name==version`` line of a requirements file is installed at that version."""

import sys
from importlib import metadata


def pins(lines) -> dict:
    """{name: version} of ``name==version`` requirements (comments and blank lines skipped); names
    lower-cased, as pip compares them. Anything but an exact pin is a ValueError."""
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise ValueError(f"not pinned as name==version: {line!r}")
        found[name.strip().lower()] = version.strip()
    return found


def unmet(path: str) -> list:
    missing = []
    with open(path, encoding="utf-8") as f:
        wanted = pins(f)
    for name, version in wanted.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            missing.append(f"{name} {installed or 'missing'} (wants {version})")
    return missing


if __name__ == "__main__":
    wanted = unmet(sys.argv[1])
    for item in wanted:
        print(f"requirements: {item}", file=sys.stderr)
    sys.exit(1 if wanted else 0)
