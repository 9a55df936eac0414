#!/usr/bin/env python3
"""Check what the chatgpt-oauth plugin sees, the way tark would load it.

    python3 plugin/tools/check.py [--plugin-dir DIR] [--home DIR] [--refresh]

Loads the plugin (by default the installed copy in
``$XDG_DATA_HOME/tark/plugins/chatgpt-oauth/``, else this repository's ``dist/``) in the
tark-host emulation (plugin/tools/tark_host.py: wasmtime with tark's linking) against your real
HOME and environment (``CHATGPT_OAUTH_CREDENTIALS_PATH``), calls ``provider_auth_credentials``
and ``provider_auth_status`` as tark does, and prints: the credentials source the plugin used,
the account id, the expiry, whether a refresh would happen, the JSON tark would receive (token
redacted), and every error the plugin logged with its fix.

Nothing is sent over the network unless ``--refresh`` is given: the emulated host answers the
plugin's refresh request with a transport error and the check reports that a refresh would
happen now.  Without ``--refresh`` the plugin's storage (``<plugin dir>/data/storage.json``)
is read from a temporary copy and never modified.  With ``--refresh`` the real HTTPS POST is made
(only to hosts the manifest's ``capabilities.http`` allows) and the real storage is used, so a
rotated (single-use) refresh token is kept exactly as tark would keep it.

No token or refresh token is ever printed: they show as their first characters, "…" and their
length.  Exit code 0 when tark would get usable credentials, 1 otherwise.
``--self-test`` runs the check against temporary homes (no network) and verifies that.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wasmtime  # noqa: E402
import tark_host  # noqa: E402
from tark_host import TarkHost  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PLUGIN_NAME = "chatgpt-oauth"
PATH_VARIABLE = "CHATGPT_OAUTH_CREDENTIALS_PATH"
TARK_FILE = "/.config/tark/chatgpt_oauth.json"
CODEX_FILE = "/.codex/auth.json"
REFRESH_MARGIN = 5 * 60          # Expiry.REFRESH_MARGIN_MILLIS
OFFLINE_ERROR = "request not sent: the check runs offline (rerun it with --refresh to send it)"

# Return codes of provider_auth_credentials (AuthFailure, ExportGuard) and what to do.
CODES = {
    -1: ("not logged in", "Run `tark auth chatgpt-oauth` (or `codex login`)."),
    -2: ("the credentials file cannot be used",
         "Run `tark auth chatgpt-oauth` to write it again."),
    -3: ("ChatGPT refused the refresh token", "Run `tark auth chatgpt-oauth` to log in again."),
    -4: ("the refresh could not be completed",
         "Check the network and that plugin.toml allows http to auth.openai.com; try again."),
    -5: ("the access token has expired and this plugin may not refresh it",
         "Run `tark auth chatgpt-oauth` (or `codex` for the Codex CLI's login)."),
    -6: ("tark's capabilities refused something the plugin needs",
         "Fix [capabilities] in the installed plugin.toml as the message says."),
    -7: ("the answer does not fit tark's 8192-byte buffer", "Run `tark auth chatgpt-oauth`."),
    -8: ("the host passed unreadable input", "Report it: this is a host bug."),
    -99: ("the plugin failed unexpectedly", "Report it to the plugin's authors."),
}
STATUS = {0: "not required", 1: "authenticated", 2: "not authenticated",
          3: "expired, cannot be refreshed"}

_TOKEN_KEYS = {"access_token", "refresh_token", "id_token", "openai_api_key", "api_key", "token"}
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_TOKEN_FIELD = re.compile(r'(access_token|refresh_token|id_token|OPENAI_API_KEY)"?\s*[:=]\s*"?'
                          r'([A-Za-z0-9._~+/=-]{8,})')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DEBUG_LINE = re.compile(r"^Credentials from (?P<loc>.*?)(?P<stored> \(tokens refreshed earlier, "
                         r"from storage\))?; expires_at (?P<exp>\d+|unknown); account id (?P<acct>.*)$",
                         re.S)


# --------------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------------

def short(secret: str) -> str:
    """First characters, an ellipsis and the length: enough to compare, never enough to use."""
    keep = min(8, len(secret) // 4)
    return f"{secret[:keep]}…({len(secret)} chars)"


class Redactor:
    """Every string printed passes through here: known secrets and anything JWT-shaped are
    replaced by :func:`short`."""

    def __init__(self):
        self.secrets: set = set()

    def add(self, s) -> None:
        if isinstance(s, str) and len(s) >= 4:
            self.secrets.add(s)

    def add_from_json(self, value, key: str = "") -> None:
        """Collect every string under a token-like key (any depth), and every JWT-shaped one."""
        if isinstance(value, dict):
            for k, v in value.items():
                self.add_from_json(v, str(k))
        elif isinstance(value, list):
            for v in value:
                self.add_from_json(v, key)
        elif isinstance(value, str):
            if key.lower() in _TOKEN_KEYS or _JWT.fullmatch(value):
                self.add(value)
            elif value.startswith("{"):              # JSON inside a string (storage values)
                try:
                    self.add_from_json(json.loads(value))
                except ValueError:
                    pass

    def add_from_text(self, text) -> None:
        if not isinstance(text, str):
            return
        try:
            self.add_from_json(json.loads(text))
        except ValueError:
            pass
        for m in _JWT.finditer(text):
            self.add(m.group(0))
        for m in _TOKEN_FIELD.finditer(text):      # also in files that are not valid JSON
            self.add(m.group(2))

    def __call__(self, text: str) -> str:
        for s in sorted(self.secrets, key=len, reverse=True):
            if s in text:
                text = text.replace(s, short(s))
        return _JWT.sub(lambda m: short(m.group(0)), text)

    def json_text(self, raw: str) -> str:
        """The exact document with every secret string literal replaced (layout kept)."""
        def sub(m):
            try:
                v = json.loads(m.group(0))
            except ValueError:
                return self(m.group(0))
            if v in self.secrets or _JWT.fullmatch(v):
                return json.dumps(short(v), ensure_ascii=False)
            return self(m.group(0))
        return _JSON_STRING.sub(sub, raw)


# --------------------------------------------------------------------------------------------
# Observing the host
# --------------------------------------------------------------------------------------------

class _RecordingCaps:
    """Delegates to tark_host's Capabilities and records what the plugin asked for."""

    def __init__(self, caps, record: list):
        self._caps = caps
        self._record = record

    def is_fs_read_allowed(self, path):
        ok = self._caps.is_fs_read_allowed(path)
        self._record.append(("fs.read", path, ok))
        return ok

    def is_env_allowed(self, name):
        ok = self._caps.is_env_allowed(name)
        self._record.append(("env.get", name, ok))
        return ok

    def is_http_allowed(self, url):
        ok = self._caps.is_http_allowed(url)
        self._record.append(("http", url, ok))
        return ok

    def __getattr__(self, name):
        return getattr(self._caps, name)


class _RecordingStorage(dict):
    def __init__(self, data, record: list):
        super().__init__(data)
        self._record = record

    def get(self, key, default=None):
        self._record.append(("storage.get", key, key in self))
        return super().get(key, default)


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
# Helpers
# --------------------------------------------------------------------------------------------

def default_plugin_dir(home: str, env: dict):
    """(dir, installed?): the installed copy if there is one, else the repository's dist/."""
    xdg = env.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path(home) / ".local" / "share"
    installed = base / "tark" / "plugins" / PLUGIN_NAME
    if (installed / "plugin.toml").is_file():
        return installed, True
    return REPO / "dist", False


def _read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _jwt_claims(token):
    try:
        seg = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))
    except (AttributeError, IndexError, ValueError, TypeError):
        return None


def _when(ts: int, now: float) -> str:
    try:
        local = dt.datetime.fromtimestamp(ts).astimezone()
    except (OverflowError, OSError, ValueError):
        return f"{ts} (not a date)"
    left = ts - now
    return f"{local:%Y-%m-%d %H:%M:%S %Z} ({_span(left)})"


def _span(seconds: float) -> str:
    past = seconds < 0
    s = int(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{d}d"] if d else []
    if d or h:
        parts.append(f"{h}h")
    parts.append(f"{m}m" if d or h or m else f"{s}s")
    text = " ".join(parts)
    return f"expired {text} ago" if past else f"in {text}"


def _fix_of(message: str) -> str:
    """The fix a plugin message names: from its first imperative sentence or clause."""
    m = re.search(r"(?:^|[.:;] |, )((?:[Rr]un|[Cc]heck|[Aa]dd|[Tt]ry|[Ll]og in|[Ss]et|[Ii]f it "
                  r"persists|[Rr]eport)\b.*)$", message, re.S)
    return m.group(1).strip() if m else ""


def _refresh_token_of(source_kind: str, location: str, storage: dict, from_storage: bool):
    """Whether the credentials in use have a refresh token: True / False / None (unknown)."""
    try:
        if from_storage:
            entry = json.loads(storage.get("refreshed_tokens", ""))
            return bool((entry.get("credentials") or {}).get("refresh_token"))
        if source_kind == "host_init":
            return bool(json.loads(storage.get("host_credentials", "")).get("refresh_token"))
        doc = _read_json(location)
        if source_kind == "codex":
            doc = (doc or {}).get("tokens")
        if isinstance(doc, dict):
            rt = doc.get("refresh_token")
            return isinstance(rt, str) and rt != ""
    except (ValueError, AttributeError, TypeError):
        pass
    return None


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------

def run_check(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
              refresh: bool, out=print) -> int:
    red = Redactor()
    say = lambda text="": out(red(text))  # noqa: E731  every line is redacted
    now = dt.datetime.now().timestamp()
    tark_path = env.get(PATH_VARIABLE) or home.rstrip("/") + TARK_FILE
    codex_path = home.rstrip("/") + CODEX_FILE
    real_data = plugin_dir / "data"
    real_storage = real_data / "storage.json"

    # Everything secret that the plugin could see, known before anything is printed.
    for p in (tark_path, codex_path, str(real_storage)):
        p = os.path.join(home, p[2:]) if p.startswith("~/") else p
        try:
            red.add_from_text(Path(p).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            pass

    say("chatgpt-oauth check")
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
    say(f"  {PATH_VARIABLE}  {env.get(PATH_VARIABLE) or '(unset)'}")

    if refresh and not installed and not explicit_dir:
        say()
        say("RESULT: refused: --refresh would keep the refreshed tokens in " + str(real_storage)
            + ", which tark does not read (the plugin is not installed), and the old refresh token"
            " would be spent. Install the plugin (`tark plugin add ./dist`) or pass --plugin-dir.")
        return 1

    tmp = None
    if refresh:
        data_dir = real_data
        say("  network    ON (--refresh): a refresh request is really sent if the plugin makes one")
        say(f"  storage    {real_storage} (used as tark uses it; a refresh updates it)")
    else:
        tmp = Path(tempfile.mkdtemp(prefix="chatgpt-oauth-check-"))
        data_dir = tmp / "data"
        data_dir.mkdir()
        if real_storage.is_file():
            shutil.copyfile(real_storage, data_dir / "storage.json")
        state = "read from a temporary copy, left untouched" if real_storage.is_file() else "none yet"
        say("  network    off: no request is sent (--refresh allows the token refresh)")
        say(f"  storage    {real_storage} ({state})")
    try:
        return _check_loaded(plugin_dir, home, env, data_dir, refresh, red, say, now,
                             tark_path, codex_path, manifest)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _check_loaded(plugin_dir, home, env, data_dir, refresh, red, say, now, tark_path,
                  codex_path, manifest) -> int:
    record: list = []
    storage_before = {}
    try:
        caps = tark_host.Capabilities(manifest["capabilities"], home)
        handler = make_online_http(caps) if refresh else offline_http
        replies: list = []

        def http(method, url, headers, body):
            reply = handler(method, url, headers, body)
            replies.append(reply)
            red.add_from_text(reply.get("body"))
            return reply
        host = TarkHost.load(plugin_dir, home, env=env, data_dir=data_dir, stdio="capture",
                             http=http)
    except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
        say()
        say(f"RESULT: tark would fail to load the plugin: {e}")
        return 1
    host.caps = _RecordingCaps(host.caps, record)
    storage_before = dict(host.storage)
    for v in storage_before.values():
        red.add_from_text(v)
    host.storage = _RecordingStorage(host.storage, record)

    # provider_auth_credentials, exactly as tark calls it.
    failure = None
    rc, raw, creds, text = None, None, None, None
    try:
        rc, raw = host.call_ret("provider_auth_credentials")
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        failure = f"the plugin trapped: {str(e).splitlines()[0]}"
    except tark_host.TarkError as e:
        failure = f"tark would fail: {e}"
    for req in host.http_requests:
        red.add_from_text(req.get("body"))
    if raw is not None:
        try:
            text = raw.decode("utf-8")
            red.add_from_text(text)
            creds = tark_host.parse_auth_credentials(text)
            red.add(creds["access_token"])
        except UnicodeDecodeError:
            failure = "tark would fail: the answer is not UTF-8"
        except tark_host.CredentialsError as e:
            failure = f"tark would fail to parse the answer: {e}"
    for s in host.storage.values():
        red.add_from_text(s)
    logs_credentials = list(host.logs)

    # provider_auth_status, on the same instance.
    status = None
    try:
        status = host.call_i32("provider_auth_status")
    except (tark_host.TarkError, wasmtime.Trap, wasmtime.WasmtimeError) as e:
        status = f"failed: {str(e).splitlines()[0]}"
    logs_status = host.logs[len(logs_credentials):]

    # ---- What the plugin used
    say()
    debug = None
    for level, msg in logs_credentials:
        m = _DEBUG_LINE.match(msg) if level == "debug" else None
        if m:
            debug = m
    storage = dict(host.storage)
    if debug:
        location = debug.group("loc")
        from_storage = bool(debug.group("stored"))
        exp = None if debug.group("exp") == "unknown" else int(debug.group("exp"))
        account = None if debug.group("acct") == "none" else debug.group("acct")
        basis = "from the plugin's debug log"
        unusable = False
    else:
        location, from_storage, exp, account, unusable = _infer(record, storage_before, host)
        basis = "inferred from the host calls: the plugin logged no source line"
    attempts = [r for r in host.http_requests if r["method"] == "POST"]
    refreshed_now = bool(attempts) and creds is not None
    if refreshed_now:    # what is in use now are the new tokens
        _, stored, _ = _stored_entry(storage)
        exp = _expiry_of(stored) if stored and stored["access_token"] == creds["access_token"] \
            else _expiry_of({"access_token": creds["access_token"]})
    if creds is not None:
        account = (creds.get("custom_headers") or {}).get("ChatGPT-Account-Id")
    denied = [p for op, p, ok in record if op == "fs.read" and not ok]
    if location is None and denied:
        kind = None
        say(f"Credentials source   {denied[0]}: tark's capabilities (fs_read) do not let the plugin"
            " read it")
    elif location is None:
        kind = None
        say(f"Credentials source   none found: not {tark_path}, not in the plugin's storage, "
            f"not {codex_path}")
    else:
        if location == "credentials from provider_auth_init":
            kind, what = "host_init", "credentials tark handed over with provider_auth_init (storage)"
        elif location.endswith(CODEX_FILE) or location == codex_path:
            kind, what = "codex", "the Codex CLI's login; read-only: this plugin never refreshes it"
        else:
            kind, what = "tark", "tark's credentials file"
        say(f"Credentials source   {location}  ({what})")
        if refreshed_now:
            say("                     refreshed just now; the new tokens are kept in the plugin's storage")
        elif from_storage and _stored_entry(storage_before)[2]:
            say("                     marked in the plugin's storage: ChatGPT refused its refresh token")
        elif from_storage:
            say("                     using tokens the plugin refreshed earlier, kept in its storage")
        say(f"                     ({basis})")
    if unusable:
        say("                     the plugin cannot use it (see the errors below)")
    elif location is not None:
        say(f"Account id           {account or 'none (no ChatGPT-Account-Id header is sent)'}")
    if unusable:
        pass
    elif exp is not None:
        say(f"Expires              {_when(exp, now)}")
    elif location is not None:
        say("Expires              unknown (no expires_at and no JWT exp): taken as valid")

    # ---- Refresh
    has_rt = (_refresh_token_of(kind, host.caps.expand_home(location),
                                storage if from_storage or refreshed_now else storage_before,
                                from_storage or refreshed_now) if location else None)
    rt_text = {True: "present", False: "none", None: "unknown"}[has_rt]
    if attempts:
        url = attempts[-1]["url"]
        if refresh:
            r = replies[-1] if replies else {}
            outcome = (f"HTTP {r['status']}" if "status" in r else f"failed: {r.get('error')}")
            say(f"Refresh              attempted now: POST {url} -> {outcome}")
        else:
            say(f"Refresh              a refresh would happen now: POST {url} "
                f"(not sent; rerun with --refresh to do it)")
    elif location is None or unusable:
        say("Refresh              no usable credentials to refresh")
    elif kind == "codex":
        say("Refresh              never by this plugin: run `codex` to refresh the Codex CLI's login,"
            " or log in to tark with `tark auth chatgpt-oauth`")
    elif exp is None:
        say(f"Refresh              not now (expiry unknown); refresh token: {rt_text}")
    elif has_rt is False:
        say(f"Refresh              not possible (no refresh_token); log in again before "
            f"{_when(exp, now)}")
    elif _stored_entry(storage_before)[2]:
        say("Refresh              not attempted: ChatGPT refused this login's refresh token earlier"
            " (remembered in the plugin's storage); log in again")
    elif exp - now < REFRESH_MARGIN:
        say(f"Refresh              due, but the plugin did not try (refresh token: {rt_text})")
    else:
        say(f"Refresh              not now; on the first provider init after "
            f"{_when(exp - REFRESH_MARGIN, now)} (refresh token: {rt_text})")

    # ---- What tark receives
    ok = False
    if failure:
        say(f"provider_auth_credentials  {failure}")
    elif rc is not None and rc < 0:
        meaning, _ = CODES.get(rc, ("unknown error", ""))
        say(f"provider_auth_credentials  returned {rc}: {meaning} (tark reads no credentials)")
    else:
        say(f"provider_auth_credentials  returned {rc} bytes; the JSON tark receives:")
        say("  " + red.json_text(text))
        native = tark_host.native_provider_for(creds)
        if native["kind"] == "openai_compat":
            ok = True
            headers = ", ".join(f"{k}: {v}" for k, v in native["headers"].items())
            say(f"  tark builds: OpenAI-compatible provider on {native['endpoint']}")
            say(f"  headers: {headers}")
        else:
            say(f"  tark cannot use it: {native['reason']}")
    if isinstance(status, int):
        say(f"provider_auth_status       {status} ({STATUS.get(status, 'unknown')})")
    else:
        say(f"provider_auth_status       {status}")

    # ---- Storage effects (check mode: on the copy only)
    after = dict(host.storage)
    if after != storage_before:
        changed = sorted(set(after) ^ set(storage_before)
                         | {k for k in after if k in storage_before and after[k] != storage_before[k]})
        verb = "updated" if refresh else "would update (not done: the check used a copy)"
        say(f"Storage              the plugin {verb}: {', '.join(changed)}")

    # ---- Log lines: errors and warnings with their fixes
    problems = [(lvl, msg) for lvl, msg in logs_credentials + logs_status if lvl in ("error", "warn")]
    say()
    if problems:
        say("Plugin errors and warnings (tark's log):")
        for level, msg in problems:
            offline = OFFLINE_ERROR in msg
            say(f"  {level.upper()}: {msg}")
            if offline:
                say("    fix: none needed: the check did not send the request; rerun with --refresh"
                    " to refresh now (tark would do it on the next provider init)")
            else:
                fix = _fix_of(msg) or (CODES.get(rc, ("", ""))[1] if isinstance(rc, int) else "")
                if fix:
                    say(f"    fix: {fix}")
    else:
        say("Plugin errors and warnings: none")
    other = [(lvl, msg) for lvl, msg in logs_credentials + logs_status if lvl in ("debug", "info")]
    if other:
        say("Other plugin log lines:")
        for level, msg in other:
            say(f"  {level.upper()}: {msg}")
    for stream, name in ((host.stdout, "stdout"), (host.stderr, "stderr")):
        if stream:
            say(f"Plugin {name}: {bytes(stream).decode('utf-8', errors='replace').strip()}")

    say()
    if ok:
        say("RESULT: OK: tark gets usable ChatGPT credentials.")
        return 0
    if attempts and not refresh and rc == -4:
        say("RESULT: NOT CONFIRMED: the access token needs a refresh, which the check did not send."
            " Rerun with --refresh to refresh it now and see the outcome.")
    else:
        fix = CODES.get(rc, ("", ""))[1] if isinstance(rc, int) else ""
        say("RESULT: FAILED: tark would get no usable credentials." + (f" {fix}" if fix else ""))
    return 1


def _account_in(claims):
    """TokenClaims.accountId for one token's claims."""
    if not isinstance(claims, dict):
        return None
    auth = claims.get("https://api.openai.com/auth")
    for v in ((auth or {}).get("chatgpt_account_id") if isinstance(auth, dict) else None,
              claims.get("chatgpt_account_id")):
        if isinstance(v, str) and v:
            return v
    orgs = claims.get("organizations")
    if isinstance(orgs, list) and orgs and isinstance(orgs[0], dict):
        v = orgs[0].get("id")
        return v if isinstance(v, str) and v else None
    return None


def _fingerprint(content: str) -> str:
    """CredentialSource.fingerprintOf: FNV-1a 64 over the UTF-16 units, hex, ':' length."""
    units = content.encode("utf-16-le")
    h = 0xcbf29ce484222325
    for i in range(0, len(units), 2):
        h ^= units[i] | (units[i + 1] << 8)
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:x}:{len(units) // 2}"


def _stored_entry(storage: dict):
    """The plugin's refreshed-tokens entry: (source fingerprint, credentials dict, rejected)."""
    try:
        e = json.loads(storage.get("refreshed_tokens", ""))
        creds = e.get("credentials")
        if isinstance(creds, dict) and isinstance(creds.get("access_token"), str):
            return e.get("source"), creds, e.get("rejected") is True
    except (ValueError, AttributeError):
        pass
    return None, None, False


def _expiry_of(doc):
    """Credentials.fromTarkJson's expiry in seconds: expires_at, else the JWT's exp; None."""
    if not isinstance(doc, dict):
        return None
    ea = doc.get("expires_at")
    if isinstance(ea, str):
        try:
            ea = float(ea.strip())
        except ValueError:
            ea = None
    if isinstance(ea, (int, float)) and not isinstance(ea, bool) and ea >= 1:
        return int(ea) // 1000 if ea > 100_000_000_000 else int(ea)
    claims = _jwt_claims(doc.get("access_token"))
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp >= 1:
        return int(exp) // 1000 if exp > 100_000_000_000 else int(exp)
    return None


def _account_of(doc):
    if not isinstance(doc, dict):
        return None
    return (_account_in(_jwt_claims(doc.get("id_token")))
            or _account_in(_jwt_claims(doc.get("access_token"))) or (doc.get("account_id") or None))


def _infer(record, storage_before, host):
    """For a build without the debug line: the source the plugin used (from the host calls it
    made), whether it used tokens refreshed earlier, their expiry and account id, and whether
    the source was unusable.  Follows CredentialSources / ChatGptAuth.latest."""
    location, content = None, None
    for op, path, allowed in record:
        if op == "fs.read" and allowed and os.path.isfile(host.caps.expand_home(path)):
            location = path
            try:
                content = Path(host.caps.expand_home(path)).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                content = None
            break
    gets = {k: present for op, k, present in record if op == "storage.get"}
    if location is None and gets.get("host_credentials"):
        location = "credentials from provider_auth_init"
        content = storage_before.get("host_credentials")
    doc = None
    try:
        doc = json.loads(content) if content is not None else None
    except ValueError:
        doc = None
    codex = location is not None and location.endswith(CODEX_FILE)
    if codex:
        doc = doc.get("tokens") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(doc.get("access_token"), str) \
            or doc.get("access_token") == "":
        doc = None
    unusable = location is not None and doc is None
    from_storage = False
    if doc is not None and not codex:
        source, stored, _ = _stored_entry(storage_before)
        if stored is not None and source == _fingerprint(content):
            doc, from_storage = stored, True
    return location, from_storage, _expiry_of(doc), _account_of(doc), unusable


# --------------------------------------------------------------------------------------------
# Self-test: temporary homes, no network
# --------------------------------------------------------------------------------------------

def _jwt(claims: dict) -> str:
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()  # noqa
    return f"{enc({'alg': 'RS256', 'typ': 'JWT'})}.{enc(claims)}.{enc({'sig': os.urandom(8).hex()})}"


def self_test(plugin_dir: Path) -> int:
    now = int(dt.datetime.now().timestamp())
    acct = "acct-selftest-42"
    claims = lambda exp: {"exp": exp, "https://api.openai.com/auth": {"chatgpt_account_id": acct}}  # noqa
    rt = "rt_selftest_" + os.urandom(16).hex()
    fresh_rt = "rt_rotated_" + os.urandom(16).hex()
    fresh_at = _jwt(claims(now + 864000))
    cases = {
        "valid": ({"access_token": _jwt(claims(now + 864000)), "refresh_token": rt}, None, 0,
                  ["Account id           " + acct, "RESULT: OK", "Refresh              not now"]),
        "expired": ({"access_token": _jwt(claims(now - 3600)), "refresh_token": rt}, None, 1,
                    ["a refresh would happen now", "NOT CONFIRMED", "expired"]),
        "missing": (None, None, 1, ["returned -1", "fix: run `tark auth chatgpt-oauth`"]),
        "codex-only": (None, {"OPENAI_API_KEY": None, "last_refresh": "2026-01-01T00:00:00Z",
                              "tokens": {"id_token": _jwt({"sub": "x"}),
                                         "access_token": _jwt(claims(now + 864000)),
                                         "refresh_token": rt, "account_id": acct}}, 0,
                       ["Codex CLI's login", "RESULT: OK", "never by this plugin"]),
        "malformed": ('{"access_token": "' + _jwt(claims(now + 864000)) + '", "refresh_token": "'
                      + rt + '"', None, 1, ["returned -2", "fix: run `tark auth chatgpt-oauth`"]),
    }
    failures = []

    def run_case(name, home, pdir, refresh, explicit):
        buf = io.StringIO()
        env = {"HOME": str(home)}
        with redirect_stdout(buf):
            code = run_check(pdir, False, explicit, str(home), env, refresh)
        return code, buf.getvalue()

    def secrets_of(home):
        found = set()
        for p in home.rglob("*.json"):
            for m in re.finditer(r'"(?:access_token|refresh_token|id_token)"\s*:\s*"([^"]+)"',
                                 p.read_text()):
                found.add(m.group(1))
        return found

    tmp = Path(tempfile.mkdtemp(prefix="chatgpt-oauth-selftest-"))
    try:
        for name, (tark_doc, codex_doc, want_code, want_text) in cases.items():
            home = tmp / name
            home.mkdir()
            if tark_doc is not None:
                (home / ".config" / "tark").mkdir(parents=True)
                (home / ".config" / "tark" / "chatgpt_oauth.json").write_text(
                    tark_doc if isinstance(tark_doc, str) else json.dumps(tark_doc))
            if codex_doc is not None:
                (home / ".codex").mkdir()
                (home / ".codex" / "auth.json").write_text(json.dumps(codex_doc))
            pdir = tmp / f"plugin-{name}"
            shutil.copytree(plugin_dir, pdir, ignore=shutil.ignore_patterns("data"))
            code, text = run_case(name, home, pdir, False, True)
            leaked = [s for s in secrets_of(home) | {rt} if s in text]
            problems = [f"exit {code}, expected {want_code}"] if code != want_code else []
            problems += [f"missing {t!r}" for t in want_text if t not in text]
            problems += [f"leaks a secret ({short(s)})" for s in leaked]
            if (pdir / "data").exists():
                problems.append("created or modified the plugin's data dir without --refresh")
            print(f"  {name:12} exit {code}  {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}")
            if problems:
                failures.append(name)
                print(text)

        # --refresh: a fake token endpoint; the rotated refresh token must land in real storage.
        home = tmp / "expired"
        pdir = tmp / "plugin-expired"
        sent = []

        class FakeResp(io.BytesIO):
            status = 200
            headers = {"content-type": "application/json"}

            def __enter__(self):
                return self

            def __exit__(self, *a):
                return False

        def fake_open(self, req, timeout=None):
            sent.append((req.full_url, req.data.decode()))
            return FakeResp(json.dumps({"access_token": fresh_at, "refresh_token": fresh_rt,
                                        "id_token": _jwt({"sub": "x"}),
                                        "expires_in": 864000}).encode())

        real_open = urllib.request.OpenerDirector.open
        urllib.request.OpenerDirector.open = fake_open
        try:
            code, text = run_case("refresh", home, pdir, True, True)
        finally:
            urllib.request.OpenerDirector.open = real_open
        stored = (pdir / "data" / "storage.json")
        problems = [] if code == 0 else [f"exit {code}, expected 0"]
        if not (len(sent) == 1 and sent[0][0] == "https://auth.openai.com/oauth/token"
                and rt in sent[0][1]):
            problems.append(f"expected one POST to the token endpoint, got {len(sent)}")
        if not stored.is_file() or fresh_rt not in stored.read_text():
            problems.append("the rotated refresh token is not in <plugin dir>/data/storage.json")
        problems += [f"leaks a secret ({short(s)})" for s in (rt, fresh_rt, fresh_at) if s in text]
        if "Refresh              attempted now: POST https://auth.openai.com/oauth/token -> HTTP 200" \
                not in text:
            problems.append("does not report the refresh")
        print(f"  {'--refresh':12} exit {code}  {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}")
        if problems:
            failures.append("refresh")
            print(text)

        # After the refresh, without --refresh: tokens from storage, storage left untouched.
        before = stored.read_text()
        code, text = run_case("after", home, pdir, False, True)
        problems = [] if code == 0 else [f"exit {code}, expected 0"]
        if stored.read_text() != before:
            problems.append("modified storage.json without --refresh")
        if "refreshed earlier" not in text:
            problems.append("does not say the tokens come from storage")
        problems += [f"leaks a secret ({short(s)})" for s in (rt, fresh_rt, fresh_at) if s in text]
        print(f"  {'after':12} exit {code}  {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}")
        if problems:
            failures.append("after")
            print(text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("self-test: " + ("FAILED: " + ", ".join(failures) if failures else "passed"))
    return 1 if failures else 0


# --------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Exit code: 0 when tark gets usable credentials, else 1.")
    ap.add_argument("--plugin-dir", help="the plugin directory (plugin.toml + wasm); default: the "
                    "installed copy in $XDG_DATA_HOME/tark/plugins/chatgpt-oauth, else ./dist")
    ap.add_argument("--home", help="the home directory to check (default: $HOME)")
    ap.add_argument("--refresh", action="store_true",
                    help="allow the plugin's token refresh: sends the real request and updates the "
                         "plugin's real storage")
    ap.add_argument("--self-test", action="store_true",
                    help="run the check on temporary homes (no network) and verify it")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    home = args.home or env.get("HOME") or os.path.expanduser("~")
    home = os.path.abspath(home)
    env["HOME"] = home
    if args.plugin_dir:
        plugin_dir, installed = Path(args.plugin_dir).resolve(), False
        xdg_dir, xdg_installed = default_plugin_dir(home, env)
        installed = xdg_installed and xdg_dir.resolve() == plugin_dir
    else:
        plugin_dir, installed = default_plugin_dir(home, env)
    if args.self_test:
        return self_test(plugin_dir)
    return run_check(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:      # `check.py | head`
        sys.exit(1)
