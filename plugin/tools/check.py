#!/usr/bin/env python3
"""Check what the chatgpt-oauth plugin sees, the way tark would load it.

    python3 plugin/tools/check.py [--plugin-dir DIR] [--home DIR] [--refresh]

Loads the plugin (by default the installed copy where tark keeps it, ``<data dir>/tark/plugins/
chatgpt-oauth/`` with ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux, ``~/Library/Application
Support`` on macOS; else this repository's ``dist/``) in the
tark-host emulation (plugin/tools/tark_host.py: wasmtime with tark's linking) against your real
HOME and environment, calls ``provider_auth_credentials`` and ``provider_auth_status`` as tark
does, and prints what the plugin itself reports: the credentials source it used, the account id,
the expiry and whether it would refresh (from its ``diagnostics`` debug line), the JSON tark
would receive (token redacted), and every error it logged with the fix for its return code.
The check knows none of the plugin's rules; it only reads what the plugin states.

Nothing is sent over the network unless ``--refresh`` is given: the emulated host answers the
plugin's refresh request with a transport error and the check reports that a refresh would
happen now.  Without ``--refresh`` the plugin's storage (``<plugin dir>/data/storage.json``)
is read from a temporary copy and never modified.  With ``--refresh`` the real HTTPS POST is made
(only to hosts the manifest's ``capabilities.http`` allows) and the real storage is used, so a
rotated (single-use) refresh token is kept exactly as tark would keep it.

No token is ever printed: a token shows as its first characters, "…" and its length.
Exit code 0 when tark would get usable credentials, 1 otherwise.

Two more questions, answered by ChatGPT itself (these send real HTTPS requests, made by the check
with urllib, not through the plugin):

    python3 plugin/tools/check.py --models    # the models your plan offers now
    python3 plugin/tools/check.py --usage     # your plan and its rate-limit windows

Both load the plugin as above and take the token from its ``provider_auth_credentials`` answer
(``access_token`` and the ``ChatGPT-Account-Id`` header it hands tark); they send that, the
plugin's ``originator`` header, a User-Agent and nothing else.  ``--models`` asks
``GET <backend>/codex/models?client_version=<Codex CLI version>`` as the Codex CLI does and lists
the models the server marks ``visibility: "list"``; offline or refused it prints one line saying
so and the plugin's bundled list (its ``provider_models`` export).  ``--usage`` asks
``GET <backend>/wham/usage`` as CodexBar and openusage do and prints the plan and each window's
used percentage and reset time.  Exit code 0 when the answer was shown, 1 otherwise.  Add
``--refresh`` to let the plugin refresh an expiring token first (as above).

``<backend>`` is ``https://chatgpt.com/backend-api``.  For tests only, the environment variable
``CHATGPT_OAUTH_BACKEND_URL`` replaces it (an ``https://`` URL, or ``http://`` on 127.0.0.1 /
localhost for a local fake backend); the check says so when it is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wasmtime  # noqa: E402
import tark_host  # noqa: E402
from codes import CODES, REFRESH_FAILED, STATUS  # noqa: E402
from facts import (CREDENTIALS_PATH_VARIABLE, LOGIN_COMMAND, PLUGIN_NAME,  # noqa: E402
                   diagnostics_of, is_diagnostics, plugin_dir_in_use, storage_path)
from tark_host import TarkHost  # noqa: E402

OFFLINE_ERROR = "request not sent: the check runs offline (rerun it with --refresh to send it)"
SOURCES = {
    "tark_file": "tark's credentials file",
    "host_init": "credentials tark handed over with provider_auth_init",
    "codex_cli": "the Codex CLI's login, read-only",
}


# --------------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------------

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# A value after a token's field name (8+ characters, not already shortened).
_TOKEN_FIELD = re.compile(r'((?:access|refresh|id)_token"?\s*[:=]\s*"?)([A-Za-z0-9._~+/=-]{8,})(?![A-Za-z0-9._~+/=…-])')
_TOKEN_KEYS = {"access_token", "refresh_token", "id_token"}


def short(secret: str) -> str:
    """First characters, an ellipsis and the length: enough to compare, never enough to use."""
    keep = min(8, len(secret) // 4)
    return f"{secret[:keep]}…({len(secret)} chars)"


class Redactor:
    """Every line printed passes through here: the tokens the check has seen (the answer, the
    refresh exchange), anything JWT-shaped and any value after a token field name."""

    def __init__(self):
        self.secrets: set = set()

    def add(self, secret) -> None:
        if isinstance(secret, str) and len(secret) >= 4:
            self.secrets.add(secret)

    def add_from_text(self, text) -> None:
        """The tokens in a JSON document or a form body."""
        if not isinstance(text, str):
            return
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            for key in _TOKEN_KEYS:
                self.add(doc.get(key))
        for m in _TOKEN_FIELD.finditer(text):
            self.add(m.group(2))

    def __call__(self, text: str) -> str:
        for s in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(s, short(s))
        text = _JWT.sub(lambda m: short(m.group(0)), text)
        return _TOKEN_FIELD.sub(lambda m: m.group(1) + short(m.group(2)), text)


# --------------------------------------------------------------------------------------------
# The plugin's HTTP: offline by default
# --------------------------------------------------------------------------------------------

def offline_http(method, url, headers, body):
    return {"error": OFFLINE_ERROR}


def make_online_http(caps):
    """The real request, with urllib: https only, only to hosts the manifest allows, no
    redirects, tark's 30 s total timeout."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def handler(method, url, headers, body):
        if not url.lower().startswith("https://") or not caps.is_http_allowed(url):
            return {"error": f"the check refuses to send to {url}"}
        req = urllib.request.Request(url, data=None if body is None else body.encode("utf-8"),
                                     method=method)
        for k, v in headers:
            req.add_header(k, v)
        try:
            with opener.open(req, timeout=30) as resp:
                return {"status": resp.status, "headers": list(resp.headers.items()),
                        "body": resp.read().decode("utf-8", errors="replace")}
        except urllib.error.HTTPError as e:
            return {"status": e.code, "headers": list(e.headers.items()),
                    "body": e.read().decode("utf-8", errors="replace")}
        except (urllib.error.URLError, OSError, ValueError) as e:
            return {"error": f"error sending request for url ({url}): {e}"}
    return handler


# --------------------------------------------------------------------------------------------
# Reading what the plugin says
# --------------------------------------------------------------------------------------------

def when(seconds: int, expired: bool, now: float) -> str:
    """A Unix time as local time, with how long until (or since) it."""
    try:
        local = dt.datetime.fromtimestamp(seconds).astimezone()
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (not a date)"
    span = _span(abs(seconds - now))
    return f"{local:%Y-%m-%d %H:%M:%S %Z} ({'expired ' + span + ' ago' if expired else 'in ' + span})"


def _span(seconds: float) -> str:
    s = int(seconds)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{d}d"] if d else []
    if d or h:
        parts.append(f"{h}h")
    parts.append(f"{m}m" if d or h or m else f"{s}s")
    return " ".join(parts)


def why_no_refresh(diag: dict) -> str:
    """What may_refresh = false means for this source, and what to do instead."""
    if diag.get("source") == "codex_cli":
        return ("never by this plugin: that would spend the Codex CLI's refresh token and log it"
                " out; run `codex` once to refresh it, or log in to tark with"
                f" `{LOGIN_COMMAND}`")
    return ("this plugin may not refresh these tokens (no refresh token, or ChatGPT refused it);"
            f" run `{LOGIN_COMMAND}` to log in again")


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------

def answered_credentials(host, red) -> tuple:
    """``provider_auth_credentials`` as tark calls and parses it: (rc, answer text, credentials,
    failure); the answer's secrets go to the redactor. Credentials are None on a negative rc or a
    failure (a trap, or an answer tark could not read)."""
    rc, text, creds, failure = None, None, None, None
    try:
        rc, raw = host.call_ret("provider_auth_credentials")
        if rc >= 0:
            text = raw.decode("utf-8")
            red.add_from_text(text)
            creds = tark_host.parse_auth_credentials(text)
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        failure = f"the plugin trapped: {str(e).splitlines()[0]}"
    except UnicodeDecodeError:
        failure = "tark would fail: the answer is not UTF-8"
    except tark_host.TarkError as e:
        failure = f"tark would fail: {e}"
    return rc, text, creds, failure


def storage_dir(real_storage: Path, refresh: bool) -> tuple:
    """(data dir, temporary dir or None): the real storage with --refresh, else a temporary copy
    of it, which the caller deletes."""
    if refresh:
        return real_storage.parent, None
    tmp = Path(tempfile.mkdtemp(prefix=f"{PLUGIN_NAME}-check-"))
    data_dir = tmp / "data"
    data_dir.mkdir()
    if real_storage.is_file():
        shutil.copyfile(real_storage, data_dir / real_storage.name)
    return data_dir, tmp


def run_check(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
              refresh: bool, out=print) -> int:
    red = Redactor()
    say = lambda text="": out(red(text))  # noqa: E731  every line is redacted
    real_storage = storage_path(plugin_dir)

    say(f"{PLUGIN_NAME} check")
    try:
        manifest = tark_host.load_manifest(plugin_dir / "plugin.toml")
    except tark_host.TarkError as e:
        say(f"  plugin     {plugin_dir}: {e}")
        say("RESULT: tark would not load this plugin (fix or reinstall it: "
            "`tark plugin add <dir>`).")
        return 1
    wasm = plugin_dir / manifest["plugin"]["wasm"]
    where = ("installed copy" if installed else
             "given with --plugin-dir" if explicit_dir else "this repository's dist/: not installed")
    size = f"{wasm.stat().st_size:,} bytes" if wasm.is_file() else "missing"
    say(f"  plugin     {plugin_dir} ({where}), version {manifest['plugin']['version']}, "
        f"{wasm.name} {size}")
    say(f"  HOME       {home}")
    say(f"  {CREDENTIALS_PATH_VARIABLE}  {env.get(CREDENTIALS_PATH_VARIABLE) or '(unset)'}")

    if refresh and not installed and not explicit_dir:
        say()
        say("RESULT: refused: --refresh would keep the refreshed tokens in " + str(real_storage)
            + ", which tark does not read (the plugin is not installed), and the old refresh token"
            " would be spent. Install the plugin (`tark plugin add \"$PWD/dist\"`) or pass --plugin-dir.")
        return 1

    data_dir, tmp = storage_dir(real_storage, refresh)
    if refresh:
        say("  network    ON (--refresh): a refresh request is really sent if the plugin makes one")
        say(f"  storage    {real_storage} (used as tark uses it; a refresh updates it)")
    else:
        state = "read from a temporary copy, left untouched" if real_storage.is_file() else "none yet"
        say("  network    off: no request is sent (--refresh allows the token refresh)")
        say(f"  storage    {real_storage} ({state})")
    try:
        return _check_loaded(plugin_dir, home, env, data_dir, refresh, manifest, red, say)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _check_loaded(plugin_dir, home, env, data_dir, refresh, manifest, red, say) -> int:
    try:
        seen = observe(plugin_dir, home, env, data_dir, refresh, manifest, red)
    except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
        say()
        say(f"RESULT: tark would fail to load the plugin: {e}")
        return 1
    return report(seen, refresh, say)


@dataclass
class Observation:
    """What one instance of the plugin did when called as tark calls it, nothing interpreted yet
    but what tark itself would make of its answer (``native``)."""
    rc: Optional[int]              # provider_auth_credentials' return code (None: it failed)
    text: Optional[str]            # its answer, when rc >= 0
    failure: Optional[str]         # a trap, or an answer tark could not read
    native: Optional[dict]         # the provider tark builds from the answer (native_provider_for)
    status: Union[int, str]        # provider_auth_status, or why that call failed
    logs: list                     # every log line, (level, message), oldest first
    logs_credentials: list         # the lines logged during provider_auth_credentials
    diags: list                    # the plugin's diagnostics lines, as dicts
    refresh_posts: list            # the POST requests the plugin made (token refreshes)
    replies: list                  # every HTTP reply it was given
    storage_changed: bool          # its in-memory storage differs from what it loaded
    stdout: bytes
    stderr: bytes
    now: float                     # when it was observed (Unix seconds)
    offline_refresh: bool          # it needed a refresh that the check did not send


def observe(plugin_dir, home, env, data_dir, refresh, manifest, red) -> Observation:
    """Loads the plugin, calls provider_auth_credentials then provider_auth_status on the same
    instance (HTTP sent for real only with ``refresh``), and records what happened; every secret
    seen goes to the redactor. Raises what tark would raise when the plugin does not load."""
    handler = make_online_http(tark_host.Capabilities(manifest["capabilities"], home)) \
        if refresh else offline_http
    replies: list = []

    def http(method, url, headers, body):
        red.add_from_text(body)
        reply = handler(method, url, headers, body)
        red.add_from_text(reply.get("body"))
        replies.append(reply)
        return reply

    host = TarkHost.load(plugin_dir, home, env=env, data_dir=data_dir, stdio="capture", http=http)
    storage_before = dict(host.storage)
    rc, text, creds, failure = answered_credentials(host, red)
    logs_credentials = list(host.logs)
    try:
        status = host.call_i32("provider_auth_status")
    except (tark_host.TarkError, wasmtime.Trap, wasmtime.WasmtimeError) as e:
        status = f"failed: {str(e).splitlines()[0]}"
    posts = [r for r in host.http_requests if r["method"] == "POST"]
    return Observation(
        rc=rc, text=text, failure=failure,
        native=None if failure or rc < 0 else tark_host.native_provider_for(creds),
        status=status, logs=list(host.logs), logs_credentials=logs_credentials,
        diags=diagnostics_of(host.logs), refresh_posts=posts, replies=replies,
        storage_changed=dict(host.storage) != storage_before,
        stdout=bytes(host.stdout), stderr=bytes(host.stderr), now=dt.datetime.now().timestamp(),
        offline_refresh=bool(posts) and not refresh and rc == REFRESH_FAILED)


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
    if first is None:
        say("Credentials source   none the plugin could use (it describes no credentials; see its"
            " errors below)")
        return
    kind = SOURCES.get(first.get("source"), str(first.get("source")))
    say(f"Credentials source   {first.get('location')}  ({kind})")
    if first.get("tokens") == "storage":
        say("                     using tokens the plugin refreshed earlier, kept in its storage")
    say(f"Account id           {first.get('account_id') or 'none (no ChatGPT-Account-Id header is sent)'}")
    expires_at = first.get("expires_at")
    if expires_at is None:
        say("Expires              unknown (no expiry in the file or the token): taken as valid")
    else:
        say(f"Expires              {when(expires_at, first.get('expired'), seen.now)}")
    lifetime = first.get("lifetime_seconds")
    say("Lifetime             " + (f"{_span(lifetime)} (exp - iat of the access token)" if lifetime
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
        if first is not None and first.get("refresh_margin_seconds") is not None:
            say(f"                     why now: due {_span(first['refresh_margin_seconds'])} before expiry:"
                f" {first.get('refresh_margin_reason') or 'the plugin’s margin'}")
        if len(seen.diags) > 1:
            new = seen.diags[-1]
            say(f"                     new tokens: account id {new.get('account_id') or 'none'},"
                f" expires {'unknown' if new.get('expires_at') is None else when(new['expires_at'], new.get('expired'), now)}")
    elif first is None:
        say("Refresh              no usable credentials to refresh")
    else:
        margin = first.get("refresh_margin_seconds") or 0
        expires_at = first.get("expires_at")
        refresh_at = first.get("refresh_at", None if expires_at is None else expires_at - margin)
        rule = f"{_span(margin)} before expiry: {first.get('refresh_margin_reason') or 'the plugin’s margin'}"
        if first.get("refresh_due") and first.get("may_refresh"):
            say(f"Refresh              due ({rule}), but the plugin did not try")
        elif first.get("refresh_due"):
            say(f"Refresh              due, but {why_no_refresh(first)}")
        elif expires_at is None:
            say("Refresh              not now (expiry unknown)"
                + ("" if first.get("may_refresh") else f"; and {why_no_refresh(first)}"))
        elif first.get("may_refresh"):
            say(f"Refresh              not now; the next one at {when(refresh_at, False, now)}, at the"
                f" first provider init from then")
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


# --------------------------------------------------------------------------------------------
# --models and --usage: what ChatGPT itself says, with the token the plugin hands tark
# --------------------------------------------------------------------------------------------

BACKEND_VARIABLE = "CHATGPT_OAUTH_BACKEND_URL"
DEFAULT_BACKEND = "https://chatgpt.com/backend-api"
# The Codex CLI sends its own version as client_version (codex-rs/codex-api endpoint/models.rs;
# models-manager's client_version_to_whole), and the server answers only the models whose
# minimal_client_version that version meets: an old number hides every model newer than that
# client (GPT-6 Astra, Sol and Luna need a CLI from September 2026 on). So send a recent Codex
# CLI version, not this tool's own: 0.160.1 is the release verified in use on 2026-10-08.
CODEX_CLIENT_VERSION = "0.160.1"
BACKEND_TIMEOUT = 30
ACCOUNT_HEADER = "ChatGPT-Account-Id"


class BackendError(Exception):
    """One line saying why ChatGPT gave no answer (already free of secrets once redacted)."""


def backend_base(env: dict) -> tuple:
    """(base URL without a trailing slash, overridden?). An override must be https, or http on
    the loopback interface (a local fake backend for the tests)."""
    raw = (env.get(BACKEND_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_BACKEND, False
    parsed = urllib.parse.urlsplit(raw)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise BackendError(f"{BACKEND_VARIABLE} must be an https:// URL (or http:// on 127.0.0.1"
                           f" for a test backend), not {raw!r}; unset it to ask ChatGPT")
    return raw.rstrip("/"), True


def _is_loopback(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def backend_get(url: str, headers: dict, red: "Redactor") -> dict:
    """GET with urllib: no redirects (the bearer must not follow one), 30 s timeout. Returns the
    decoded JSON object; raises BackendError with one line for anything else."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    handlers = [NoRedirect]
    if _is_loopback(url):
        handlers.append(urllib.request.ProxyHandler({}))   # a local test backend: no proxy
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, method="GET")
    for name, value in headers.items():
        req.add_header(name, value)
    try:
        with opener.open(req, timeout=BACKEND_TIMEOUT) as resp:
            status, body = resp.status, resp.read(4 << 20)
    except urllib.error.HTTPError as e:
        detail = _server_message(e.read(64 << 10), red)
        hint = {401: f"the login is not accepted (expired or revoked): run `{LOGIN_COMMAND}`,"
                     " or rerun with --refresh",
                403: "this login or plan may not use it",
                404: "not found here (the endpoint moved, or a wrong "
                     f"{BACKEND_VARIABLE})",
                429: "rate limited: try again later"}.get(
            e.code, "a server error: try again later" if e.code >= 500 else "unexpected")
        raise BackendError(red(f"HTTP {e.code}, {hint}" + (f" (server: {detail})" if detail else "")))
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise BackendError(red(f"no answer ({reason}): offline, or the host is unreachable"))
    if status != 200:
        raise BackendError(f"HTTP {status}, unexpected")
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackendError("the reply is not JSON")
    if not isinstance(doc, dict):
        raise BackendError("the reply is not a JSON object")
    return doc


def _server_message(raw: bytes, red: "Redactor") -> str:
    """The message of an error reply ({"detail": ...} or {"error": {"message": ...}}), redacted
    and then shortened (redacting first: a cut token would no longer match)."""
    try:
        doc = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return ""
    msg = None
    if isinstance(doc, dict):
        msg = doc.get("detail") or doc.get("message")
        err = doc.get("error")
        if not msg and isinstance(err, dict):
            msg = err.get("message") or err.get("code")
        elif not msg and isinstance(err, str):
            msg = err
    if not isinstance(msg, str):
        return ""
    msg = red(" ".join(msg.split()))
    return msg[:200] + ("…" if len(msg) > 200 else "")


def backend_headers(creds: dict, manifest: dict) -> dict:
    """What these requests need: the bearer and ChatGPT-Account-Id from the plugin's answer, its
    originator (the Codex CLI sends one too), a User-Agent and Accept. Nothing else."""
    headers = {"Authorization": f"Bearer {creds['access_token']}",
               "Accept": "application/json",
               "User-Agent": f"{PLUGIN_NAME}-check/{manifest['plugin']['version']}"}
    for name, value in (creds.get("custom_headers") or {}).items():
        if name.lower() == ACCOUNT_HEADER.lower():
            headers[ACCOUNT_HEADER] = value
        elif name.lower() == "originator":
            headers["originator"] = value
    return headers


def _context(model: dict) -> str:
    cw = model.get("context_window")
    return f"{cw:,} tokens" if isinstance(cw, int) and not isinstance(cw, bool) else "unknown"


def _model_rows(models: list) -> list:
    width = max([len(str(m.get("slug", m.get("id", "")))) for m in models] + [4])
    return [f"  {str(m.get('slug', m.get('id', ''))):<{width}}  {str(m.get('display_name') or ''):<20}"
            f"  context {_context(m)}" for m in models]


def models_report(base: str, headers: dict, bundled, say) -> bool:
    """The live model list (True), or one line and the bundled list (False)."""
    url = f"{base}/codex/models?client_version={urllib.parse.quote(CODEX_CLIENT_VERSION)}"
    try:
        doc = backend_get(url, headers, say.red)
        models = doc.get("models")
        if not isinstance(models, list):
            raise BackendError("the reply has no \"models\" list")
    except BackendError as e:
        say(f"Models: ChatGPT did not answer the model list: {e}.")
        _say_bundled(bundled, say)
        return False
    entries = [m for m in models if isinstance(m, dict) and isinstance(m.get("slug"), str)]
    # As the Codex CLI: a model shows in the picker only when visibility is "list"; "hide" and
    # "none" are served but not offered (ModelPreset::show_in_picker). Picker order: priority.
    visible = [m for m in entries if m.get("visibility") == "list"]
    visible.sort(key=lambda m: m.get("priority") if isinstance(m.get("priority"), int) else 1 << 30)
    say(f"Models your plan offers now (GET {url}, {len(visible)} listed):")
    for row in _model_rows(visible):
        say(row)
    hidden = len(entries) - len(visible)
    if hidden:
        say(f"  ({hidden} more the server marks hidden, as it does for internal models)")
    if not visible:
        say("  (none: the server listed no model for this login)")
    if isinstance(bundled, list):
        live = {m["slug"] for m in visible}
        stale = [m["id"] for m in bundled if m.get("id") not in live]
        if stale:
            say("  Not offered now, though the plugin's bundled list names them: "
                + ", ".join(stale))
    say(f"  Choose one in tark: tark --provider {PLUGIN_NAME} --model <slug> tui")
    return True


def _say_bundled(bundled, say) -> None:
    if isinstance(bundled, list):
        say(f"The plugin's bundled list (provider_models), which may name models your plan no"
            f" longer offers ({len(bundled)}):")
        for row in _model_rows(bundled):
            say(row)
    else:
        say(f"The plugin's bundled list (provider_models) is unavailable too: {bundled}")


def _window_name(seconds) -> str:
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
        return "window"
    s = int(seconds)
    if s % 86400 == 0:
        return f"{s // 86400}-day window"
    if s % 3600 == 0:
        return f"{s // 3600}-hour window"
    return f"{_span(s)} window"


def _reset_text(window: dict, now: float) -> str:
    at = window.get("reset_at")
    after = window.get("reset_after_seconds")
    if not isinstance(at, (int, float)) or isinstance(at, bool):
        if isinstance(after, (int, float)) and not isinstance(after, bool):
            at = now + after
        else:
            return "reset time not given"
    at = int(at)
    try:
        local = dt.datetime.fromtimestamp(at).astimezone()
    except (OverflowError, OSError, ValueError):
        return f"resets at {at} (not a date)"
    if at <= now:
        return f"reset at {local:%Y-%m-%d %H:%M:%S %Z} (passed)"
    return f"resets {local:%Y-%m-%d %H:%M:%S %Z} (in {_span(at - now)})"


def _window_line(label: str, window, now: float):
    if not isinstance(window, dict):
        return None
    used = window.get("used_percent")
    used_text = (f"{used:g}% used" if isinstance(used, (int, float)) and not isinstance(used, bool)
                 else "use unknown")
    return f"  {label + ' (' + _window_name(window.get('limit_window_seconds')) + ')':<34} " \
           f"{used_text}, {_reset_text(window, now)}"


def _limit_lines(prefix: str, limit, now: float) -> list:
    if not isinstance(limit, dict):
        return []
    lines = [_window_line(f"{prefix}primary", limit.get("primary_window"), now),
             _window_line(f"{prefix}secondary", limit.get("secondary_window"), now)]
    lines = [l for l in lines if l]
    if limit.get("limit_reached") is True or limit.get("allowed") is False:
        lines.append(f"  {prefix}limit reached: requests are refused until the window resets")
    return lines


def usage_report(base: str, headers: dict, say) -> bool:
    url = f"{base}/wham/usage"
    try:
        doc = backend_get(url, headers, say.red)
    except BackendError as e:
        say(f"Usage: ChatGPT did not answer the usage request: {e}.")
        return False
    now = dt.datetime.now().timestamp()
    plan = doc.get("plan_type")
    say(f"Usage (GET {url}):")
    say(f"  Plan                               {plan if isinstance(plan, str) and plan else 'not given'}")
    lines = _limit_lines("", doc.get("rate_limit"), now)
    lines += _limit_lines("code review, ", doc.get("code_review_rate_limit"), now)
    for extra in doc.get("additional_rate_limits") or []:
        if isinstance(extra, dict):
            name = extra.get("limit_name") or extra.get("metered_feature") or "other"
            lines += _limit_lines(f"{name}, ", extra.get("rate_limit"), now)
    credits = doc.get("credits")
    if isinstance(credits, dict):
        if credits.get("unlimited") is True:
            lines.append("  Credits                            unlimited")
        elif credits.get("has_credits") is True or credits.get("balance") not in (None, "", 0, "0"):
            lines.append(f"  Credits                            balance {credits.get('balance')}")
    for l in lines:
        say(l)
    if not lines:
        say("  no rate-limit windows in the reply")
    return True


def run_backend(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
                refresh: bool, models: bool, usage: bool, out=print) -> int:
    """--models / --usage: load the plugin as the check does, take the token it hands tark, and
    ask ChatGPT. Every line is redacted."""
    red = Redactor()

    def say(text=""):
        out(red(text))
    say.red = red

    want = " and ".join(x for x, on in (("models", models), ("usage", usage)) if on)
    say(f"{PLUGIN_NAME} check: {want}")
    try:
        base, overridden = backend_base(env)
    except BackendError as e:
        say(f"RESULT: not asked: {e}.")
        return 1
    if overridden:
        say(f"  backend    {base} (from {BACKEND_VARIABLE}, for tests; unset it to ask ChatGPT)")
    try:
        manifest = tark_host.load_manifest(plugin_dir / "plugin.toml")
    except tark_host.TarkError as e:
        say(f"RESULT: tark would not load the plugin in {plugin_dir}: {e}")
        return 1
    real_storage = storage_path(plugin_dir)
    if refresh and not installed and not explicit_dir:
        say("RESULT: refused: --refresh would keep the refreshed tokens in " + str(real_storage)
            + ", which tark does not read (the plugin is not installed). Install the plugin"
            " (`tark plugin add \"$PWD/dist\"`) or pass --plugin-dir.")
        return 1
    data_dir, tmp = storage_dir(real_storage, refresh)
    try:
        handler = make_online_http(tark_host.Capabilities(manifest["capabilities"], home)) \
            if refresh else offline_http

        def http(method, url, headers, body):
            red.add_from_text(body)
            reply = handler(method, url, headers, body)
            red.add_from_text(reply.get("body"))
            return reply

        try:
            host = TarkHost.load(plugin_dir, home, env=env, data_dir=data_dir, stdio="capture",
                                 http=http)
        except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
            say(f"RESULT: tark would fail to load the plugin: {e}")
            return 1
        rc, _, creds, why = answered_credentials(host, red)
        if creds is not None:
            red.add(creds.get("access_token"))
        elif why is None:
            meaning = CODES[rc].meaning if rc in CODES else "unknown error"
            fix = CODES[rc].fix if rc in CODES else ""
            if rc == REFRESH_FAILED and not refresh and host.http_requests:
                fix = "The token needs a refresh first: rerun with --refresh."
            why = f"provider_auth_credentials returned {rc} ({meaning}). {fix}".strip()
        if creds is not None and not creds.get("access_token"):
            creds, why = None, "the plugin's answer has no access token."
        try:
            bundled = host.provider_models()
        except (tark_host.TarkError, wasmtime.Trap, wasmtime.WasmtimeError) as e:
            bundled = str(e).splitlines()[0] if str(e) else type(e).__name__
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    if creds is None:
        if models:
            say(f"Models: not asked, the plugin has no usable token: {why}")
            _say_bundled(bundled, say)
        if usage:
            say(f"Usage: not asked, the plugin has no usable token: {why}")
        return 1
    headers = backend_headers(creds, manifest)
    if ACCOUNT_HEADER not in headers:
        say(f"  note       the plugin sends no {ACCOUNT_HEADER} (no account id in the login)")
    ok = True
    if models:
        ok = models_report(base, headers, bundled, say) and ok
    if usage:
        ok = usage_report(base, headers, say) and ok
    return 0 if ok else 1


def main(argv=None, out=print) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Exit code: 0 when tark gets usable credentials (with --models or --usage: when"
                                        " ChatGPT answered), else 1.")
    ap.add_argument("--plugin-dir", help="the plugin directory (plugin.toml + wasm); default: the "
                    f"installed copy in <data dir>/tark/plugins/{PLUGIN_NAME}, else ./dist")
    ap.add_argument("--home", help="the home directory to check (default: $HOME)")
    ap.add_argument("--refresh", action="store_true",
                    help="allow the plugin's token refresh: sends the real request and updates the "
                         "plugin's real storage")
    ap.add_argument("--models", action="store_true",
                    help="list the models your plan offers now, from ChatGPT (sends a request)")
    ap.add_argument("--usage", action="store_true",
                    help="show your plan and its rate-limit windows, from ChatGPT (sends a request)")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    home = os.path.abspath(args.home or env.get("HOME") or os.path.expanduser("~"))
    env["HOME"] = home
    if args.plugin_dir:
        plugin_dir = Path(args.plugin_dir).resolve()
        xdg_dir, xdg_installed = plugin_dir_in_use(home, env)
        installed = xdg_installed and xdg_dir.resolve() == plugin_dir
    else:
        plugin_dir, installed = plugin_dir_in_use(home, env)
    if args.models or args.usage:
        return run_backend(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh,
                           args.models, args.usage, out)
    return run_check(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh, out)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:      # `check.py | head`
        sys.exit(1)
