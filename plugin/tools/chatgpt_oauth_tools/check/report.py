"""The check's report: what an :class:`~.observation.Observation` shows, printed section by
section in the plugin's own words (its diagnostics line, its answer, its log), with the fix for
each return code. It knows none of the plugin's rules; it only reads what the plugin states.
"""

from __future__ import annotations

import datetime as dt

from ..chatgpt_backend import span
from ..codes import CODES, STATUS
from ..facts import CODEX_CLI_SOURCE, CREDENTIAL_SOURCES, LOGIN_COMMAND, Diagnostics, is_diagnostics
from .observation import Observation

def when(seconds: int, expired: bool, now: float) -> str:
    """A Unix time as local time, with how long until (or since) it."""
    try:
        local = dt.datetime.fromtimestamp(seconds).astimezone()
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (not a date)"
    gap = span(abs(seconds - now))
    return f"{local:%Y-%m-%d %H:%M:%S %Z} ({'expired ' + gap + ' ago' if expired else 'in ' + gap})"


def why_no_refresh(diag: Diagnostics) -> str:
    """What may_refresh = false means for this source, and what to do instead."""
    if diag.source == CODEX_CLI_SOURCE:
        return ("never by this plugin: that would spend the Codex CLI's refresh token and log it"
                " out; run `codex` once to refresh it, or log in to tark with"
                f" `{LOGIN_COMMAND}`")
    return ("this plugin may not refresh these tokens (no refresh token, or ChatGPT refused it);"
            f" run `{LOGIN_COMMAND}` to log in again")


def report(seen: Observation, refresh: bool, say) -> int:
    """Prints what was seen, section by section; the exit code (0: tark gets usable credentials)."""
    say()
    _say_source(seen, say)
    _say_refresh(seen, refresh, say)
    ok = _say_answer(seen, refresh, say)
    say()
    _say_log(seen, say)
    say()
    return _say_result(seen, ok, say)


def _say_source(seen: Observation, say) -> None:
    """What the plugin used, in its own words (its first diagnostics line)."""
    first = seen.diags[0] if seen.diags else None
    if first is None and seen.diags_unread:
        say("Credentials source   not readable: the plugin's diagnostics line has other fields than"
            " this check reads (a plugin of another version: use the tools of its release)")
        return
    if first is None:
        say("Credentials source   none the plugin could use (it describes no credentials; see its"
            " errors below)")
        return
    say(f"Credentials source   {first.location}  ({CREDENTIAL_SOURCES.get(first.source, first.source)})")
    if first.tokens == "storage":
        say("                     using tokens the plugin refreshed earlier, kept in its storage")
    say(f"Account id           {first.account_id or 'none (no ChatGPT-Account-Id header is sent)'}")
    if first.expires_at is None:
        say("Expires              unknown (no expiry in the file or the token): taken as valid")
    else:
        say(f"Expires              {when(first.expires_at, first.expired, seen.now)}")
    lifetime = first.lifetime_seconds
    say("Lifetime             " + (f"{span(lifetime)} (exp - iat of the access token)" if lifetime
                                   else "unknown (the access token states no exp and iat)"))


def _say_refresh(seen: Observation, refresh: bool, say) -> None:
    """Refresh: what the plugin did, or would do, and why."""
    first = seen.diags[0] if seen.diags else None
    now = seen.now
    if seen.refresh_posts:
        url = seen.refresh_posts[-1]["url"]
        if refresh:
            r = seen.replies[-1] if seen.replies else {}
            outcome = f"HTTP {r['status']}" if "status" in r else f"failed: {r.get('error')}"
            say(f"Refresh              attempted now: POST {url} -> {outcome}")
        else:
            say(f"Refresh              a refresh would happen now: POST {url} "
                "(not sent; rerun with --refresh to do it)")
        if first is not None:
            say(f"                     why now: due {span(first.refresh_margin_seconds)} before expiry:"
                f" {first.refresh_margin_reason}")
        if len(seen.diags) > 1:
            new = seen.diags[-1]
            expires = "unknown" if new.expires_at is None else when(new.expires_at, new.expired, now)
            say(f"                     new tokens: account id {new.account_id or 'none'}, expires {expires}")
    elif first is None:
        say("Refresh              no usable credentials to refresh")
    else:
        rule = f"{span(first.refresh_margin_seconds)} before expiry: {first.refresh_margin_reason}"
        if first.refresh_due and first.may_refresh:
            say(f"Refresh              due ({rule}), but the plugin did not try")
        elif first.refresh_due:
            say(f"Refresh              due, but {why_no_refresh(first)}")
        elif first.expires_at is None:
            say("Refresh              not now (expiry unknown)"
                + ("" if first.may_refresh else f"; and {why_no_refresh(first)}"))
        elif first.may_refresh:
            say(f"Refresh              not now; the next one at {when(first.refresh_at, False, now)}, at"
                " the first provider init from then")
            say(f"                     why then: {rule} (tark keeps the token for the whole session)")
        else:
            say(f"Refresh              not now, and {why_no_refresh(first)}")


def _say_answer(seen: Observation, refresh: bool, say) -> bool:
    """What tark receives; True when it can use it."""
    ok = False
    if seen.failure:
        say(f"provider_auth_credentials  {seen.failure}")
    elif seen.rc < 0:
        meaning = CODES[seen.rc].meaning if seen.rc in CODES else "unknown error"
        say(f"provider_auth_credentials  returned {seen.rc}, {meaning}: tark reads no credentials")
    else:
        say(f"provider_auth_credentials  returned {seen.rc} bytes; the JSON tark receives:")
        say("  " + seen.text)
        if seen.native["kind"] == "openai_compat":
            ok = True
            headers = ", ".join(f"{k}: {v}" for k, v in seen.native["headers"].items())
            say(f"  tark builds: OpenAI-compatible provider on {seen.native['endpoint']}")
            say(f"  headers: {headers}")
        else:
            say(f"  tark cannot use it: {seen.native['reason']}")
    if isinstance(seen.status, int):
        say(f"provider_auth_status       {seen.status} ({STATUS.get(seen.status, 'unknown')})")
    else:
        say(f"provider_auth_status       {seen.status}")
    if seen.storage_changed:
        say("Storage              the plugin " + ("updated its storage" if refresh else
            "would update its storage (not done: the check used a copy)"))
    return ok


def _say_log(seen: Observation, say) -> None:
    """The plugin's log: errors and warnings with their fixes, then the rest, then its stdio."""
    problems = [(lvl, msg) for lvl, msg in seen.logs if lvl in ("error", "warn")]
    if problems:
        say("Plugin errors and warnings (tark's log):")
        for level, msg in problems:
            say(f"  {level.upper()}: {msg}")
            from_credentials = (level, msg) in seen.logs_credentials
            if level == "error" and seen.offline_refresh and from_credentials:
                say("    fix: none needed: the check did not send the request; rerun with --refresh"
                    " to refresh now (tark would do it on the next provider init)")
            elif level == "error" and from_credentials and seen.rc in CODES:
                say(f"    fix: {CODES[seen.rc].fix}")
    else:
        say("Plugin errors and warnings: none")
    other = [(lvl, msg) for lvl, msg in seen.logs
             if lvl in ("debug", "info") and not is_diagnostics(msg)]
    if other:
        say("Other plugin log lines:")
        for level, msg in other:
            say(f"  {level.upper()}: {msg}")
    for stream, name in ((seen.stdout, "stdout"), (seen.stderr, "stderr")):
        if stream:
            say(f"Plugin {name}: {stream.decode('utf-8', errors='replace').strip()}")


def _say_result(seen: Observation, ok: bool, say) -> int:
    if ok:
        say("RESULT: OK: tark gets usable ChatGPT credentials.")
        return 0
    if seen.offline_refresh:
        say("RESULT: NOT CONFIRMED: the access token needs a refresh, which the check did not send."
            " Rerun with --refresh to refresh it now and see the outcome.")
    else:
        fix = CODES[seen.rc].fix if seen.rc in CODES else ""
        say("RESULT: FAILED: tark would get no usable credentials." + (f" {fix}" if fix else ""))
    return 1
