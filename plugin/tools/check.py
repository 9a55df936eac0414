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

No token is ever printed, nor any piece of one: token text shows as "[token text hidden, N
chars]". Every line is printed with its control characters escaped (``\x1b``) and capped in
length, whatever a file, the environment, the plugin or a server put in it.
Exit code 0 when tark would get usable credentials, 1 otherwise.

Two more questions, answered by ChatGPT itself (these send real HTTPS requests, made by the check
with urllib, not through the plugin):

    python3 plugin/tools/check.py --models    # the models your plan offers now
    python3 plugin/tools/check.py --usage     # your plan and its rate-limit windows

Both load the plugin as above and send what its ``provider_auth_credentials`` answer hands tark:
the bearer and every header it answers (``ChatGPT-Account-Id`` and its Codex identity:
``originator``, ``version``, ``User-Agent``), verbatim, plus ``Accept``, and nothing else.
``--models`` asks ``GET <backend>/codex/models?client_version=<the plugin's version>`` as the
Codex CLI does and lists the models the server marks ``visibility: "list"`` (the first 200), and
marks each model the plugin lists (its ``provider_models`` export) that this version cannot reach:
absent from the server's list, or needing a newer client (with the override to try); offline or
refused it prints one line saying so and the plugin's bundled list.  ``--usage`` asks
``GET <backend>/wham/usage`` as CodexBar and openusage do and prints the plan and each window's
used percentage and reset time.  Exit code 0 when the answer was shown (with ``--usage``: and
every value in it could be read; one line names those that could not), 1 otherwise.  Add
``--refresh`` to let the plugin refresh an expiring token first (as above).  Each request has one
total deadline of 30 s, and at most 16 MB of a reply is read.

One more sends a real model request, and so spends a tiny part of the plan's quota (never
without the option):

    python3 plugin/tools/check.py --probe [MODEL | all]

It sends one chat turn per model exactly as tark would (plugin/tools/probe.py) and prints whether
ChatGPT accepted it (the first words, the time to the first token) or which rule refused it and
the fix. Without MODEL: the first model the plugin lists; ``all``: the plugin's models and every
model ``--models`` returns (20 at most). Exit code 0 only when every probed model was accepted.

``<backend>`` is ``https://chatgpt.com/backend-api``.  For tests only, the environment variable
``CHATGPT_OAUTH_BACKEND_URL`` replaces it (an ``https://`` URL, or ``http://`` on 127.0.0.1 /
localhost for a local fake backend); the check says so when it is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wasmtime  # noqa: E402
import bounded_http  # noqa: E402
import tark_host  # noqa: E402
from codes import CODES, REFRESH_FAILED, STATUS  # noqa: E402
from facts import (CODEX_LOGIN_FILE, CODEX_VERSION_VARIABLE, CREDENTIALS_PATH_VARIABLE,  # noqa: E402
                   LOGIN_COMMAND, PLUGIN_NAME, TARK_CREDENTIALS_FILE, diagnostics_of, is_diagnostics,
                   plugin_dir_in_use, storage_path)
from printable import Printer, Redactor, capped, field  # noqa: E402
from chatgpt_backend import (ACCOUNT_HEADER, BACKEND_VARIABLE, VERSION_HEADER,  # noqa: E402
                             BackendError, backend_base, backend_get, header,
                             model_entries, model_request_headers, models_url, needs_newer, span)
from tark_host import TarkHost  # noqa: E402
from probe import PROBED_AT_MOST, run as probe_models  # noqa: E402

OFFLINE_ERROR = "request not sent: the check runs offline (rerun it with --refresh to send it)"
LOGIN_FILE_LIMIT = 1 << 20       # bytes of a login file read for its tokens (to hide them)
SOURCES = {
    "tark_file": "tark's credentials file",
    "host_init": "credentials tark handed over with provider_auth_init",
    "codex_cli": "the Codex CLI's login, read-only",
}


# --------------------------------------------------------------------------------------------
# The plugin's HTTP: offline by default
# --------------------------------------------------------------------------------------------

def offline_http(method, url, headers, body):
    return {"error": OFFLINE_ERROR}


def make_online_http(caps):
    """The real request: https only, only to hosts the manifest allows, no redirects, tark's
    30 s total deadline."""
    def handler(method, url, headers, body):
        if not url.lower().startswith("https://") or not caps.is_http_allowed(url):
            return {"error": f"the check refuses to send to {url}"}
        try:
            reply = bounded_http.send(method, url, headers,
                                      None if body is None else body.encode("utf-8"), direct=False)
        except bounded_http.NoAnswer as e:
            return {"error": f"error sending request for url ({url}): {e}"}
        return {"status": reply.status, "headers": reply.headers, "body": reply.text()}
    return handler


def hold_login_tokens(red: Redactor, home: str, env: dict, diags: list) -> None:
    """The tokens of every login the plugin may read (the file it used, tark's file, the Codex
    CLI's) go to the redactor: whatever a server echoes, none of them is printed."""
    paths = [d.get("location") for d in diags if isinstance(d.get("location"), str)]
    chosen = env.get(CREDENTIALS_PATH_VARIABLE) or ""
    paths += [os.path.join(home, chosen[2:]) if chosen.startswith("~/") else chosen,
              os.path.join(home, TARK_CREDENTIALS_FILE), os.path.join(home, CODEX_LOGIN_FILE)]
    for path in filter(None, paths):
        try:
            with open(path, "rb") as f:
                red.add_from_text(f.read(LOGIN_FILE_LIMIT).decode("utf-8", errors="replace"))
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# Reading what the plugin says
# --------------------------------------------------------------------------------------------

def when(seconds: int, expired: bool, now: float) -> str:
    """A Unix time as local time, with how long until (or since) it."""
    try:
        local = dt.datetime.fromtimestamp(seconds).astimezone()
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (not a date)"
    gap = span(abs(seconds - now))
    return f"{local:%Y-%m-%d %H:%M:%S %Z} ({'expired ' + gap + ' ago' if expired else 'in ' + gap})"


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
    say = Printer(out)               # every line escaped, capped and redacted
    red = say.red
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
    hold_login_tokens(red, home, env, diagnostics_of(host.logs))
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
        if first is not None and first.get("refresh_margin_seconds") is not None:
            say(f"                     why now: due {span(first['refresh_margin_seconds'])} before expiry:"
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
        rule = f"{span(margin)} before expiry: {first.get('refresh_margin_reason') or 'the plugin’s margin'}"
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
# --models and --usage: what ChatGPT itself says, with the token and identity the plugin hands tark
# --------------------------------------------------------------------------------------------

MODELS_SHOWN = 200               # rows of a model list printed at most
LIMITS_SHOWN = 50                # additional rate limits printed at most
SLUG_WIDTH = 60                  # characters of a slug or a name printed at most
NAME_WIDTH = 40


def _context(model: dict) -> str:
    cw = model.get("context_window")
    return f"{cw:,} tokens" if isinstance(cw, int) and not isinstance(cw, bool) and 0 < cw < 10 ** 12 \
        else "unknown"


def _model_rows(models: list, key: str, version: Optional[str] = None) -> list:
    """One row a model (slug or id under ``key``), the first MODELS_SHOWN, then how many more."""
    shown, more = capped(models, MODELS_SHOWN)
    slugs = [field(m.get(key, ""), SLUG_WIDTH) for m in shown]
    width = max([len(s) for s in slugs] + [4])
    rows = []
    for slug, m in zip(slugs, shown):
        name = m.get("display_name") or m.get("name") or ""
        row = f"  {slug:<{width}}  {field(name, NAME_WIDTH):<20}  context {_context(m)}"
        minimal = m.get("minimal_client_version")
        if needs_newer(minimal, version):
            row += f"  (needs client version {field(minimal, 20)}; the plugin states {version})"
        rows.append(row)
    if more:
        rows.append(f"  … and {more:,} more, not shown")
    return rows


def models_report(base: str, headers: dict, bundled, say) -> bool:
    """The live model list (True), or one line and the bundled list (False)."""
    version = header(headers, VERSION_HEADER)
    if version is None:
        say(f"  note       the plugin states no client version (no {VERSION_HEADER} header): ChatGPT"
            " then hides its newer models; update the plugin")
    url = models_url(base, version)
    try:
        entries = model_entries(url, headers)
    except BackendError as e:
        say(f"Models: ChatGPT did not answer the model list: {e}.")
        _say_bundled(bundled, say)
        return False
    # As the Codex CLI: a model shows in the picker only when visibility is "list"; "hide" and
    # "none" are served but not offered (ModelPreset::show_in_picker). Picker order: priority.
    visible = [m for m in entries if m.get("visibility") == "list"]
    visible.sort(key=lambda m: m["priority"] if isinstance(m.get("priority"), int)
                 and not isinstance(m.get("priority"), bool) else 1 << 62)
    say(f"Models your plan offers now (GET {url}, {len(visible):,} listed):")
    say.lines(_model_rows(visible, "slug", version))
    hidden = len(entries) - len(visible)
    if hidden:
        say(f"  ({hidden:,} more the server marks hidden, as it does for internal models)")
    if not visible:
        say("  (none: the server listed no model for this login)")
    if isinstance(bundled, list):
        _say_reach(bundled, entries, version, say)
    say(f"  Choose one in tark: tark --provider {PLUGIN_NAME} --model <slug> tui")
    return True


def unreachable(model_id: str, served: dict, version: Optional[str]) -> Optional[str]:
    """Why a model the plugin lists cannot be used with the client version it states, or None."""
    entry = served.get(model_id)
    if entry is None:
        return ("not in ChatGPT's list for this login and client version (retired, not in this"
                " plan, or newer than the version)")
    minimal = entry.get("minimal_client_version")
    if needs_newer(minimal, version):
        return (f"needs client version {field(minimal, 20)} or later, the plugin states {version}:"
                f" set {CODEX_VERSION_VARIABLE}={field(minimal, 20)} where tark runs")
    return None


def _say_reach(bundled: list, entries: list, version: Optional[str], say) -> None:
    """Marks each model the plugin lists (provider_models) that its client version cannot reach."""
    served = {m["slug"]: m for m in entries}
    blocked = [(m.get("id"), unreachable(m.get("id"), served, version))
               for m in bundled if isinstance(m, dict) and isinstance(m.get("id"), str)]
    blocked = [(model_id, why) for model_id, why in blocked if why]
    if not blocked:
        say(f"  Every model the plugin lists is served to client version {version or '(none)'}.")
        return
    say(f"  Models the plugin lists that ChatGPT does not serve to client version {version or '(none)'}:")
    shown, more = capped(blocked, MODELS_SHOWN)
    for model_id, why in shown:
        say(f"    UNREACHABLE {field(model_id, SLUG_WIDTH)}: {why}")
    if more:
        say(f"    … and {more:,} more")


def _say_bundled(bundled, say) -> None:
    if isinstance(bundled, list):
        say(f"The plugin's bundled list (provider_models), which may name models your plan no"
            f" longer offers ({len(bundled)}):")
        say.lines(_model_rows([m for m in bundled if isinstance(m, dict)], "id"))
    else:
        say(f"The plugin's bundled list (provider_models) is unavailable too: {field(bundled)}")


def finite(value) -> Optional[float]:
    """A JSON number as a float, or None for anything else (a bool, NaN, an infinity, 1e400)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


class UsageReader:
    """Turns the usage document into lines; every value it cannot read is named in ``doubts``
    (and its line says so) instead of ending the check."""

    def __init__(self, now: float):
        self.now = now
        self.doubts: list = []

    def doubt(self, what: str) -> None:
        if what not in self.doubts:
            self.doubts.append(what)

    def window_name(self, window: dict, where: str) -> str:
        raw = window.get("limit_window_seconds")
        seconds = finite(raw)
        if seconds is None or seconds <= 0:
            if raw is not None:
                self.doubt(f"{where}.limit_window_seconds")
            return "window"
        s = int(seconds)
        if s % 86400 == 0:
            return f"{s // 86400}-day window"
        if s % 3600 == 0:
            return f"{s // 3600}-hour window"
        return f"{span(s)} window" if s < 10 ** 9 else "window"

    def reset_text(self, window: dict, where: str) -> str:
        raw_at, raw_after = window.get("reset_at"), window.get("reset_after_seconds")
        at, after = finite(raw_at), finite(raw_after)
        if at is None and raw_at is not None:
            self.doubt(f"{where}.reset_at")
        if after is None and raw_after is not None:
            self.doubt(f"{where}.reset_after_seconds")
        if at is None and after is not None:
            at = finite(self.now + after)
        if at is None:
            return "reset time " + ("not understood" if raw_at is not None or raw_after is not None
                                    else "not given")
        try:
            local = dt.datetime.fromtimestamp(int(at)).astimezone()
        except (OverflowError, OSError, ValueError):
            self.doubt(f"{where}.reset_at")
            return f"resets at {field(raw_at if raw_at is not None else at, 30)} (not a date)"
        if at <= self.now:
            return f"reset at {local:%Y-%m-%d %H:%M:%S %Z} (passed)"
        return f"resets {local:%Y-%m-%d %H:%M:%S %Z} (in {span(at - self.now)})"

    def window_line(self, label: str, window, where: str) -> Optional[str]:
        if window is None:
            return None
        if not isinstance(window, dict):
            self.doubt(where)
            return f"  {label:<34} not understood"
        raw = window.get("used_percent")
        used = finite(raw)
        if used is None and raw is not None:
            self.doubt(f"{where}.used_percent")
        used_text = f"{used:g}% used" if used is not None else "use unknown"
        name = f"{label} ({self.window_name(window, where)})"
        return f"  {name:<34} {used_text}, {self.reset_text(window, where)}"

    def limit_lines(self, prefix: str, limit, where: str) -> list:
        if limit is None:
            return []
        if not isinstance(limit, dict):
            self.doubt(where)
            return []
        lines = [self.window_line(f"{prefix}primary", limit.get("primary_window"),
                                  f"{where}.primary_window"),
                 self.window_line(f"{prefix}secondary", limit.get("secondary_window"),
                                  f"{where}.secondary_window")]
        lines = [l for l in lines if l]
        if limit.get("limit_reached") is True or limit.get("allowed") is False:
            lines.append(f"  {prefix}limit reached: requests are refused until the window resets")
        return lines

    def lines(self, doc: dict) -> list:
        lines = self.limit_lines("", doc.get("rate_limit"), "rate_limit")
        lines += self.limit_lines("code review, ", doc.get("code_review_rate_limit"),
                                  "code_review_rate_limit")
        extras = doc.get("additional_rate_limits")
        if extras is not None and not isinstance(extras, list):
            self.doubt("additional_rate_limits")
            extras = []
        shown, more = capped([e for e in extras or [] if isinstance(e, dict)], LIMITS_SHOWN)
        for n, extra in enumerate(shown):
            name = extra.get("limit_name") or extra.get("metered_feature") or "other"
            lines += self.limit_lines(f"{field(name, NAME_WIDTH)}, ", extra.get("rate_limit"),
                                      f"additional_rate_limits[{n}].rate_limit")
        if more:
            lines.append(f"  … and {more:,} more rate limits, not shown")
        credits = doc.get("credits")
        if isinstance(credits, dict):
            balance = credits.get("balance")
            if credits.get("unlimited") is True:
                lines.append("  Credits                            unlimited")
            elif credits.get("has_credits") is True or balance not in (None, "", 0, "0"):
                lines.append(f"  Credits                            balance {field(balance, 40)}")
        return lines


def usage_report(base: str, headers: dict, say) -> bool:
    """The plan and its windows (True), or one line saying why not (False). A value the check
    cannot read is shown as such, and named once at the end (False)."""
    url = f"{base}/wham/usage"
    try:
        doc = backend_get(url, headers)
    except BackendError as e:
        say(f"Usage: ChatGPT did not answer the usage request: {e}.")
        return False
    reader = UsageReader(dt.datetime.now().timestamp())
    plan = doc.get("plan_type")
    say(f"Usage (GET {url}):")
    say(f"  Plan                               {field(plan, NAME_WIDTH) if isinstance(plan, str) and plan else 'not given'}")
    lines = reader.lines(doc)
    say.lines(lines)
    if not lines:
        say("  no rate-limit windows in the reply")
    if reader.doubts:
        shown, more = capped(reader.doubts, 5)
        say("Usage: values the check cannot read (not a finite number, or not the expected shape): "
            + ", ".join(shown) + (f" and {more} more" if more else "")
            + "; shown above as not understood.")
        return False
    return True


@dataclass
class PluginLogin:
    """What the plugin hands tark, for a request to ChatGPT: the parsed credentials answer (None
    when unusable, ``why`` says why) and its bundled model list (or why it has none)."""
    creds: Optional[dict]
    why: Optional[str]
    bundled: Union[list, str]


def plugin_login(plugin_dir: Path, home: str, env: dict, refresh: bool, manifest: dict,
                 red: Redactor) -> PluginLogin:
    """Loads the plugin as tark does (storage as run_check uses it), takes its credentials answer
    and bundled models; every token seen goes to the redactor. Raises what tark would raise when
    the plugin does not load."""
    data_dir, tmp = storage_dir(storage_path(plugin_dir), refresh)
    try:
        handler = make_online_http(tark_host.Capabilities(manifest["capabilities"], home)) \
            if refresh else offline_http

        def http(method, url, headers, body):
            red.add_from_text(body)
            reply = handler(method, url, headers, body)
            red.add_from_text(reply.get("body"))
            return reply

        host = TarkHost.load(plugin_dir, home, env=env, data_dir=data_dir, stdio="capture", http=http)
        rc, _, creds, why = answered_credentials(host, red)
        hold_login_tokens(red, home, env, diagnostics_of(host.logs))
        if creds is None and why is None:
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
        return PluginLogin(creds, why, bundled)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run_backend(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
                refresh: bool, models: bool, usage: bool, out=print,
                probe_choice: Optional[str] = None) -> int:
    """--models / --usage / --probe: load the plugin as the check does, take the token and
    identity it hands tark, and ask ChatGPT. Every line goes through the Printer."""
    say = Printer(out)
    want = ", ".join(x for x, on in (("models", models), ("usage", usage),
                                     ("probe", probe_choice is not None)) if on)
    say(f"{PLUGIN_NAME} check: {want}")
    login = backend_login(plugin_dir, installed, explicit_dir, home, env, refresh, say)
    if login is None:
        return 1
    base, login = login
    if login.creds is None:
        if models:
            say(f"Models: not asked, the plugin has no usable token: {login.why}")
            _say_bundled(login.bundled, say)
        if usage:
            say(f"Usage: not asked, the plugin has no usable token: {login.why}")
        if probe_choice is not None:
            say(f"Probe: not sent, the plugin has no usable token: {login.why}")
        return 1
    headers = dict(model_request_headers(login.creds), Accept="application/json")
    if header(headers, ACCOUNT_HEADER) is None:
        say(f"  note       the plugin sends no {ACCOUNT_HEADER} (no account id in the login)")
    ok = True
    if models:
        ok = models_report(base, headers, login.bundled, say) and ok
    if usage:
        ok = usage_report(base, headers, say) and ok
    if probe_choice is not None:
        ok = probe_models(login.creds, login.bundled, base, env, probe_choice or None, say) and ok
    return 0 if ok else 1


def backend_login(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
                  refresh: bool, say) -> Optional[tuple]:
    """(backend base URL, PluginLogin) for a request to ChatGPT, or None after one RESULT line
    saying why nothing can be asked."""
    try:
        base, overridden = backend_base(env)
    except BackendError as e:
        say(f"RESULT: not asked: {e}.")
        return None
    if overridden:
        say(f"  backend    {base} (from {BACKEND_VARIABLE}, for tests; unset it to ask ChatGPT)")
    try:
        manifest = tark_host.load_manifest(plugin_dir / "plugin.toml")
    except tark_host.TarkError as e:
        say(f"RESULT: tark would not load the plugin in {plugin_dir}: {e}")
        return None
    if refresh and not installed and not explicit_dir:
        say("RESULT: refused: --refresh would keep the refreshed tokens in "
            + str(storage_path(plugin_dir)) + ", which tark does not read (the plugin is not"
            " installed). Install the plugin (`tark plugin add \"$PWD/dist\"`) or pass --plugin-dir.")
        return None
    try:
        return base, plugin_login(plugin_dir, home, env, refresh, manifest, say.red)
    except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
        say(f"RESULT: tark would fail to load the plugin: {e}")
        return None


def main(argv=None, out=print) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Exit code: 0 when tark gets usable credentials (with --models or --usage: when"
                                        " ChatGPT answered and every value could be read; with --probe: when every"
                                        " probed model was accepted), else 1.")
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
    ap.add_argument("--probe", nargs="?", const="", metavar="MODEL | all",
                    help="send one chat turn as tark does, to MODEL (default: the first the plugin"
                         " lists, which the README recommends) or to all (the plugin's models and"
                         f" ChatGPT's list, {PROBED_AT_MOST} at most), and say for each whether"
                         " ChatGPT accepted it, else which rule refused it and the fix. Each probe"
                         " spends a tiny part of your plan's quota; nothing is probed without this"
                         " option")
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
    if args.models or args.usage or args.probe is not None:
        return run_backend(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh,
                           args.models, args.usage, out, probe_choice=args.probe)
    return run_check(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh, out)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:      # `check.py | head`
        sys.exit(1)
