"""A fresh Python process that imports this package, for what must be measured in a new process
(the benchmark's memory probe, the compile profile's Cranelift log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The directory this package is found in: a checkout's plugin/tools, or site-packages.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def run_python(code: str, args: list, env: dict = None, **run_options) -> subprocess.CompletedProcess:
    """Runs ``code`` (``args`` as its ``sys.argv[1:]``) in this interpreter's executable, with this
    package's directory first on PYTHONPATH, so the child imports the same package as its parent
    whether that came from a checkout or an install; output captured as text."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env,
                          capture_output=True, text=True, **run_options)
