"""A fresh Python process that imports this package, for what must be measured in a new process
(the benchmark's memory probe, the compile profile's Cranelift log)."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

# The directory this package is found in: a checkout's plugin/tools, or site-packages.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def _site_directories() -> list:
    return [str(Path(d).resolve()) for d in (*site.getsitepackages(), site.getusersitepackages())]


def run_python(code: str, args: list, env: dict = None, **run_options) -> subprocess.CompletedProcess:
    """Runs ``code`` (``args`` as its ``sys.argv[1:]``) in this interpreter's executable, where it
    imports the same package as its parent: from a checkout, whose plugin/tools goes first on
    PYTHONPATH, or from the site-packages it is installed in; output captured as text."""
    env = dict(os.environ if env is None else env)
    if str(PACKAGE_PARENT) not in _site_directories():     # an install's child finds it as it is
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env,
                          capture_output=True, text=True, **run_options)
