"""The return codes of the plugin's exports, as tark reports them, and what to do about each.

The plugin defines them in Java: ``AuthFailure`` (chatgpt.oauth) -1 to -6, the SDK's
``ExportFailure`` (tark.host) -7, -8 and -99. This is the one list on the Python side: the check
command, the tests and the README's table under Troubleshooting all follow it (test_codes.py
checks the table, and these numbers against those classes' constants).
"""

from __future__ import annotations

from typing import NamedTuple

from .facts import LOGIN_COMMAND

NOT_AUTHENTICATED = -1
INVALID_CREDENTIALS = -2
REFRESH_REJECTED = -3
REFRESH_FAILED = -4
EXPIRED = -5
NOT_ALLOWED = -6
ANSWER_TOO_LARGE = -7
BAD_INPUT = -8
INTERNAL_ERROR = -99


class Code(NamedTuple):
    meaning: str
    fix: str


CODES = {
    NOT_AUTHENTICATED: Code(
        "not logged in",
        f"Run `{LOGIN_COMMAND}` (or log in with the Codex CLI, `codex login`)."),
    INVALID_CREDENTIALS: Code(
        "unusable credentials file",
        f"Run `{LOGIN_COMMAND}` to write the file again."),
    REFRESH_REJECTED: Code(
        "refresh refused (log in again)",
        f"Run `{LOGIN_COMMAND}`. If another tark session refreshed the same login at that"
        " moment, just retry instead."),
    REFRESH_FAILED: Code(
        "refresh failed (network or server; retry)",
        "Check the network, and that `auth.openai.com` is under `http` in the installed"
        " plugin.toml; then try again."),
    EXPIRED: Code(
        "expired and not refreshable",
        f"Run `{LOGIN_COMMAND}` (or `codex` once, for the Codex CLI's login)."),
    NOT_ALLOWED: Code(
        "refused by tark's capabilities",
        "Add what the error line names to `[capabilities]` in the installed plugin.toml."),
    ANSWER_TOO_LARGE: Code(
        "answer larger than tark's buffer",
        f"Run `{LOGIN_COMMAND}`; if it persists, report it."),
    BAD_INPUT: Code(
        "bad input from the host",
        "Report it: tark passed something the plugin cannot read."),
    INTERNAL_ERROR: Code(
        "unexpected internal error",
        "Report it, with the error line from tark's log."),
}

# provider_auth_status: what the plugin answers (tark reads 0 as "not required", unused here).
AUTHENTICATED = 1
NOT_LOGGED_IN = 2
EXPIRED_FOR_GOOD = 3

STATUS = {
    AUTHENTICATED: "authenticated",
    NOT_LOGGED_IN: "not authenticated",
    EXPIRED_FOR_GOOD: "expired, cannot be refreshed",
}
