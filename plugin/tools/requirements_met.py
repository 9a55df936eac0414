#!/usr/bin/env python3
"""Exit 0 when every ``name==version`` line of a requirements file is installed at that version."""

import sys
from importlib import metadata


def unmet(path: str) -> list:
    missing = []
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, version = line.partition("==")
        try:
            installed = metadata.version(name.strip())
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version.strip():
            missing.append(f"{name.strip()} {installed or 'missing'} (wants {version.strip()})")
    return missing


if __name__ == "__main__":
    wanted = unmet(sys.argv[1])
    for item in wanted:
        print(f"requirements: {item}", file=sys.stderr)
    sys.exit(1 if wanted else 0)
