#!/usr/bin/env python3
"""`python3 plugin/tools/check.py` in a checkout: the chatgpt-oauth-check command without installing
it (see chatgpt_oauth_tools/check/; this directory is first on sys.path when Python runs a script here)."""

from chatgpt_oauth_tools.check.cli import console

if __name__ == "__main__":
    console()
