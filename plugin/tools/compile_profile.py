#!/usr/bin/env python3
"""`python3 plugin/tools/compile_profile.py` in a checkout: see chatgpt_oauth_tools/compile_profile.py (this directory is first on
sys.path when Python runs a script here)."""

import sys

from chatgpt_oauth_tools.compile_profile import main

if __name__ == "__main__":
    sys.exit(main())
