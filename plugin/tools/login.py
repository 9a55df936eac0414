#!/usr/bin/env python3
"""`python3 plugin/tools/login.py` in a checkout: the chatgpt-oauth-login command without installing
it (see chatgpt_oauth_tools/login.py; this directory is first on sys.path when Python runs a script here)."""

from chatgpt_oauth_tools.login import console

if __name__ == "__main__":
    console()
