"""What the plugin does when tark loads it, observed: the check loads it (in the tark-host
emulation, against the user's real home), calls it as tark calls it, and records what it answered,
logged and sent, interpreting nothing but what tark itself would make of the answer. Every secret
seen on the way goes to the printer's redactor. Printing is report.py's job.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Union

import wasmtime

from .. import bounded_http
from .. import tark_host
from ..codes import CODES, REFRESH_FAILED
from ..facts import (CODEX_LOGIN_FILE, CREDENTIALS_PATH_VARIABLE, PLUGIN_NAME, TARK_CREDENTIALS_FILE,
                     diagnostics_lines, diagnostics_of, storage_path)
from ..printable import Redactor
from ..tark_host import TarkHost

OFFLINE_ERROR = "request not sent: the check runs offline (rerun it with --refresh to send it)"
LOGIN_FILE_LIMIT = 1 << 20       # bytes of a login file read for its tokens (to hide them)


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


def plugin_http(refresh: bool, manifest: dict, home: str, red: Redactor, replies: list) -> Callable:
    """The plugin's HTTP: offline, or with ``refresh`` the real request; every body, sent and
    received, goes to the redactor, and every reply to ``replies``."""
    handler = make_online_http(tark_host.Capabilities(manifest["capabilities"], home)) \
        if refresh else offline_http

    def http(method, url, headers, body):
        red.add_from_text(body)
        reply = handler(method, url, headers, body)
        red.add_from_text(reply.get("body"))
        replies.append(reply)
        return reply
    return http


def hold_login_tokens(red: Redactor, home: str, env: dict, diags: list) -> None:
    """The tokens of every login the plugin may read (the file it used, tark's file, the Codex
    CLI's) go to the redactor: whatever a server echoes, none of them is printed."""
    paths = [d.location for d in diags]
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
# Calling the plugin as tark does
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
    diags: list                    # the plugin's diagnostics lines, as facts.Diagnostics
    diags_unread: int              # diagnostics lines with other fields (another plugin version)
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
    replies: list = []
    http = plugin_http(refresh, manifest, home, red, replies)
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
    diags = diagnostics_of(host.logs)
    return Observation(
        rc=rc, text=text, failure=failure,
        native=None if failure or rc < 0 else tark_host.native_provider_for(creds),
        status=status, logs=list(host.logs), logs_credentials=logs_credentials,
        diags=diags, diags_unread=len(diagnostics_lines(host.logs)) - len(diags), refresh_posts=posts, replies=replies,
        storage_changed=dict(host.storage) != storage_before,
        stdout=bytes(host.stdout), stderr=bytes(host.stderr), now=dt.datetime.now().timestamp(),
        offline_refresh=bool(posts) and not refresh and rc == REFRESH_FAILED)


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
        http = plugin_http(refresh, manifest, home, red, [])
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
