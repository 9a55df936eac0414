#!/usr/bin/env python3
"""`python3 plugin/tools/bench.py` in a checkout: see chatgpt_oauth_tools/bench.py (this directory is first on
sys.path when Python runs a script here)."""

import sys

from chatgpt_oauth_tools.bench import main

if __name__ == "__main__":
    sys.exit(main())
