"""Log in to ChatGPT for tark's chatgpt-oauth plugin without a browser on this machine.

    chatgpt-oauth-login [--issuer URL] [--home DIR]

(``pip install ./plugin/tools`` installs the command; in a checkout ``python3 plugin/tools/login.py``
runs it uninstalled.)  For SSH sessions, containers and headless machines, where ``tark auth
chatgpt-oauth`` cannot work (its browser callback listens on localhost:1455 of the machine tark
runs on).  This uses
ChatGPT's device-code login, as the Codex CLI's ``codex login --device-auth`` does:

1. it asks ``{issuer}/api/accounts/deviceauth/usercode`` for a one-time code and prints it with
   the address to open, ``{issuer}/codex/device``, on any device with a browser;
2. it polls ``{issuer}/api/accounts/deviceauth/token`` until you have approved (15 minutes at
   most), then exchanges the authorization code it gets at ``{issuer}/oauth/token``;
3. it hands the token reply to the plugin's own ``auth_process_tokens`` export (the installed
   plugin if there is one, else, run from a checkout, its ``dist/``; in the tark-host emulation), so
   the file has exactly the content ``tark auth chatgpt-oauth`` would write;
4. it writes that to ``$CHATGPT_OAUTH_CREDENTIALS_PATH`` if set, else
   ``<home>/.config/tark/chatgpt_oauth.json``: new directories 0700, the file 0600, atomically
   (a temporary file in the same directory, then a rename).  Before the rename the plugin, in a
   fresh instance pointed at the temporary file, must accept it as usable credentials: an
   existing login there is replaced only by one the plugin can use.  When it refuses, or on
   Ctrl-C, the temporary file and any directory made for it are removed again.

No token, nor any piece of one, is ever printed; whatever a server, a file or the environment
says is printed with its control characters escaped (``\\x1b``).  Each request has one total
deadline of 30 s.  Exit codes: 0 logged in, 1 the login failed (denied, expired, server
or network failure, tokens the plugin cannot use), 2 bad usage, 130 cancelled with Ctrl-C.  ``--issuer`` may be plain http
only for a loopback address (for tests).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import secrets
import signal
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, TextIO

import wasmtime
from . import bounded_http
from . import tark_host
from .printable import Printer, Redactor, field
from .facts import (CREDENTIALS_PATH_VARIABLE, LOGIN_COMMAND, PLUGIN_NAME,
                    TARK_CREDENTIALS_FILE, is_diagnostics, plugin_dir_in_use, parse_diagnostics)

DEFAULT_ISSUER = "https://auth.openai.com"

USERCODE_PATH = "/api/accounts/deviceauth/usercode"
POLL_PATH = "/api/accounts/deviceauth/token"
TOKEN_PATH = "/oauth/token"
VERIFICATION_PATH = "/codex/device"
CALLBACK_PATH = "/deviceauth/callback"

LOGIN_TIMEOUT = 15 * 60        # how long the Codex CLI waits; the code is not valid longer
DEFAULT_INTERVAL = 5.0         # when the server names none (or nonsense)
SLOW_DOWN_STEP = 5.0           # RFC 8628: each slow_down adds 5 seconds
REQUEST_TIMEOUT = 30.0         # seconds for a whole HTTP request (tark's own timeout)
POLL_ATTEMPTS = 3              # consecutive network or 5xx failures tolerated while polling
REPLY_LIMIT = 1 << 20          # bytes of a reply read at most (a token reply is a few KB)

OK, FAILED, USAGE, CANCELLED = 0, 1, 2, 130

NOTICE = ("Note: this logs tark in with your personal ChatGPT subscription. Using it for"
          " programmatic calls is a grey area of OpenAI's terms: it is for your own use of your"
          " own subscription, not an enterprise or shared-service feature, and OpenAI may change"
          " or stop it at any time.")
DISABLED = ("ChatGPT has device-code login switched off for this account or workspace (HTTP 404):"
            " turn on device code authorization for Codex in ChatGPT's Settings > Security (in a"
            " workspace, an admin must allow it), or log in with the browser: on your computer run"
            f" `ssh -L 1455:localhost:1455 <host>`, then `{LOGIN_COMMAND}` in that session and"
            f" open the URL it prints in your local browser; or run `{LOGIN_COMMAND}` on a"
            " machine with a browser.")
# The name the user ran this by, which its messages repeat: the checkout's script, or the installed
# command (console() takes it from argv[0]).
PROGRAM = "login.py"


def again() -> str:
    return f"run {PROGRAM} again"


class LoginFailed(Exception):
    """One line for the user that says what to do, and the exit code."""

    def __init__(self, message: str, code: int = FAILED):
        super().__init__(message)
        self.code = code


class Unreachable(LoginFailed):
    """The request got no HTTP answer (network, DNS, timeout)."""


class Unusable(LoginFailed):
    """The plugin refused the tokens or the file made of them; the message is its cause."""


# --------------------------------------------------------------------------------------------
# Where things are
# --------------------------------------------------------------------------------------------

def checked_issuer(url: str) -> str:
    """The issuer without a trailing slash; https, or http for a loopback address only."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port                      # raises ValueError for a bad port
        host = parts.hostname
    except ValueError:
        host = None
    if (not host or parts.scheme not in ("http", "https") or parts.query or parts.fragment
            or parts.username is not None):
        raise LoginFailed(f"--issuer {url!r} is not an address like {DEFAULT_ISSUER}; fix it.", USAGE)
    if parts.scheme == "http" and not bounded_http.is_loopback_host(host):
        raise LoginFailed(f"--issuer {url!r}: plain http is allowed only for a loopback address"
                          " (127.0.0.1, ::1, localhost); use https.", USAGE)
    return url.rstrip("/")


def credentials_path(home: str, env: dict) -> Path:
    """Where the plugin looks first: the variable (``~/`` means home, as tark reads it), else
    tark's default file."""
    chosen = env.get(CREDENTIALS_PATH_VARIABLE, "")
    if not chosen:
        return Path(home) / TARK_CREDENTIALS_FILE
    if chosen.startswith("~/"):
        chosen = os.path.join(home, chosen[2:])
    return Path(os.path.abspath(chosen))


# --------------------------------------------------------------------------------------------
# Time, scaled for tests
# --------------------------------------------------------------------------------------------

class Clock:
    """Seconds since the code was issued, and sleeping; both multiplied by ``scale`` in real
    time, so that tests run the 15-minute flow in about a second."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return (time.monotonic() - self.start) / self.scale

    def left(self) -> float:
        return LOGIN_TIMEOUT - self.elapsed()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) * self.scale)


class Countdown:
    """The time left: redrawn in place every second on a terminal, else one line a minute."""

    def __init__(self, out: TextIO):
        self.out = out
        self.tty = out.isatty()
        self.shown = None

    def show(self, seconds_left: float) -> None:
        s = max(0, math.ceil(seconds_left))
        if self.tty:
            text = f"\rWaiting for approval (Ctrl-C to cancel): {s // 60:2d}:{s % 60:02d} left "
        else:
            text = f"Waiting for approval (Ctrl-C to cancel): {math.ceil(s / 60)} min left\n"
        if text != self.shown:
            self.out.write(text)
            self.out.flush()
            self.shown = text

    def end(self) -> None:
        if self.tty and self.shown:
            self.out.write("\n")
            self.out.flush()
        self.shown = None


# --------------------------------------------------------------------------------------------
# The authorization server
# --------------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    doc: Optional[dict]                  # the body when it is a JSON object


class AuthServer:
    def __init__(self, issuer: str, user_agent: str):
        self.issuer = issuer
        self.host = urllib.parse.urlsplit(issuer).hostname
        # A request with no User-Agent can meet Cloudflare's bot check in front of ChatGPT.
        self.user_agent = user_agent

    def post_json(self, path: str, fields: dict) -> Reply:
        return self._post(path, json.dumps(fields).encode("utf-8"), "application/json")

    def post_form(self, path: str, fields: dict) -> Reply:
        return self._post(path, urllib.parse.urlencode(fields).encode("ascii"),
                          "application/x-www-form-urlencoded")

    def _post(self, path: str, body: bytes, content_type: str) -> Reply:
        headers = {"Content-Type": content_type, "Accept": "application/json",
                   "User-Agent": self.user_agent}
        try:
            reply = bounded_http.send("POST", self.issuer + path, headers, body,
                                      deadline=REQUEST_TIMEOUT, limit=REPLY_LIMIT)
        except bounded_http.NoAnswer as e:
            raise Unreachable(f"Could not reach {self.host}: {field(e)}; check the network"
                              f" (and --issuer), then {again()}.") from None
        return Reply(reply.status, _json_object(reply.body))


def _json_object(raw: bytes) -> Optional[dict]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


_PLAIN_CODE = re.compile(r"[a-z0-9_.-]{1,64}")
# The rule the plugin applies (ServerCode.java): a code sharing this many characters with a secret
# this login holds is not quoted, since a server or proxy may echo what it was sent.
_TOKEN_PIECE = 8
_HELD: set = set()
# Every line login.py prints passes through this: no piece of a secret held is printed.
REDACTOR = Redactor()


def hold(*secrets, shown: bool = False) -> None:
    """Remembers secrets this run holds (device id, codes, verifier, tokens): error_code quotes no
    code sharing a piece with one, and no line prints a piece of one, but for a ``shown`` one
    (the user code, which the user has to read)."""
    held = [s for s in secrets if isinstance(s, str) and s]
    _HELD.update(held)
    if not shown:
        for secret in held:
            REDACTOR.add(secret)


def raw_code(doc: Optional[dict]) -> str:
    """The OAuth ``error`` (a string, or an object's ``code``) as sent, for decisions only."""
    err = (doc or {}).get("error")
    if isinstance(err, dict):
        err = err.get("code")
    return err if isinstance(err, str) else ""


def error_code(doc: Optional[dict]) -> str:
    """The OAuth error code, for a message, if it is a plain code: a short lowercase word of
    ``[a-z0-9_.-]`` sharing no 8 characters with any secret held. A server's free text is never
    echoed, it might carry anything."""
    err = raw_code(doc)
    if not _PLAIN_CODE.fullmatch(err):
        return ""
    pieces = {err[i:i + _TOKEN_PIECE] for i in range(len(err) - _TOKEN_PIECE + 1)}
    if any(piece in secret.lower() for secret in _HELD for piece in pieces):
        return ""
    return err


def described(reply: Reply) -> str:
    code = error_code(reply.doc)
    return f"HTTP {reply.status}" + (f", {code}" if code else "")


def text_field(doc: Optional[dict], *names: str) -> Optional[str]:
    for name in names:
        value = (doc or {}).get(name)
        if isinstance(value, str) and value:
            return value
    return None


# --------------------------------------------------------------------------------------------
# The device-code flow
# --------------------------------------------------------------------------------------------

@dataclass
class DeviceCode:
    device_auth_id: str
    user_code: str
    interval: float


@dataclass
class Grant:
    authorization_code: str
    code_verifier: str


def request_code(server: AuthServer, client_id: str) -> DeviceCode:
    reply = server.post_json(USERCODE_PATH, {"client_id": client_id})
    if reply.status == 404:
        raise LoginFailed(DISABLED)
    if reply.status != 200:
        raise LoginFailed(f"ChatGPT did not issue a device code ({described(reply)}); try again"
                          " in a few minutes.")
    device_auth_id = text_field(reply.doc, "device_auth_id")
    hold(device_auth_id)
    user_code = text_field(reply.doc, "user_code", "usercode")
    hold(user_code, shown=True)
    if not device_auth_id or not user_code or not user_code.isprintable():
        raise LoginFailed("ChatGPT's device-code reply has no usable code in it; try again in a"
                          " few minutes.")
    return DeviceCode(device_auth_id, user_code, poll_interval((reply.doc or {}).get("interval")))


def poll_interval(value) -> float:
    """Seconds between polls: the server sends a number or a string ("5"); at least 1 s."""
    if isinstance(value, bool):
        return DEFAULT_INTERVAL
    try:
        seconds = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return DEFAULT_INTERVAL
    return max(1.0, seconds) if math.isfinite(seconds) else DEFAULT_INTERVAL


APPROVED, PENDING, SLOW_DOWN, DENIED, EXPIRED, RETRY, BROKEN = (
    "approved", "pending", "slow_down", "denied", "expired", "retry", "broken")


def poll_outcome(reply: Reply) -> str:
    """What a poll answer means.  ChatGPT says "not yet" with 403 or 404; the rest follows the
    OAuth device flow's error codes (RFC 8628), which tell apart denial and expiry."""
    code = raw_code(reply.doc).lower()
    if reply.status == 200:
        return APPROVED
    if reply.status == 429 or code == "slow_down":
        return SLOW_DOWN
    if "denied" in code or "declined" in code:
        return DENIED
    if "expired" in code:
        return EXPIRED
    if reply.status in (403, 404) or code == "authorization_pending":
        return PENDING
    return RETRY if reply.status >= 500 else BROKEN


def wait_for_approval(server: AuthServer, code: DeviceCode, clock: Clock, countdown: Countdown,
                      say) -> Grant:
    interval = code.interval
    failures = 0
    while True:
        if clock.left() <= 0:
            raise LoginFailed(f"The code expired after 15 minutes without approval; {again()} and"
                              " enter the new code in time.")
        countdown.show(clock.left())
        try:
            reply = server.post_json(POLL_PATH, {"device_auth_id": code.device_auth_id,
                                                 "user_code": code.user_code})
            outcome = poll_outcome(reply)
        except Unreachable:
            reply, outcome = None, RETRY
        failures = failures + 1 if outcome == RETRY else 0
        if outcome == APPROVED:
            grant = Grant(text_field(reply.doc, "authorization_code"),
                          text_field(reply.doc, "code_verifier"))
            hold(grant.authorization_code, grant.code_verifier)
            if not grant.authorization_code or not grant.code_verifier:
                raise LoginFailed(f"ChatGPT approved the login but sent no authorization code; {again()}.")
            return grant
        if outcome == DENIED:
            raise LoginFailed(f"The login was denied in the browser; {again()} and approve it with"
                              " the ChatGPT account you want tark to use.")
        if outcome == EXPIRED:
            raise LoginFailed(f"ChatGPT says the code has expired; {again()} and enter the new code"
                              " within 15 minutes.")
        if outcome == BROKEN:
            raise LoginFailed(f"ChatGPT refused the device login ({described(reply)}); {again()}.")
        if outcome == RETRY and failures >= POLL_ATTEMPTS:
            what = described(reply) if reply else "no answer"
            raise LoginFailed(f"ChatGPT's device login keeps failing ({what}); try again in a few"
                              " minutes.")
        if outcome == SLOW_DOWN:
            interval += SLOW_DOWN_STEP
            countdown.end()
            say(f"ChatGPT asked to poll more slowly: every {interval:g} s from now on.")
        pause(clock, min(interval, max(0.0, clock.left())), countdown)


def pause(clock: Clock, seconds: float, countdown: Countdown) -> None:
    """Sleep, a second at a time, so the countdown moves."""
    end = clock.elapsed() + seconds
    while (rest := end - clock.elapsed()) > 0:
        clock.sleep(min(1.0, rest))
        countdown.show(clock.left())


def exchange(server: AuthServer, client_id: str, grant: Grant) -> dict:
    """The authorization code for tokens: the PKCE exchange, with the verifier ChatGPT kept."""
    reply = server.post_form(TOKEN_PATH, {
        "grant_type": "authorization_code",
        "code": grant.authorization_code,
        "redirect_uri": server.issuer + CALLBACK_PATH,
        "client_id": client_id,
        "code_verifier": grant.code_verifier,
    })
    if reply.status != 200:
        retry = "try again in a few minutes" if reply.status >= 500 else again()
        raise LoginFailed(f"ChatGPT did not hand out the tokens ({described(reply)}); {retry}.")
    if not text_field(reply.doc, "access_token"):
        raise LoginFailed(f"ChatGPT's token reply has no access token; {again()}.")
    hold(*(text_field(reply.doc, name) for name in ("access_token", "refresh_token", "id_token")))
    return reply.doc


def tark_tokens(doc: dict) -> str:
    """The token reply as tark hands it to auth_process_tokens (its TokenResponse fields)."""
    expires_in = doc.get("expires_in")
    if isinstance(expires_in, float) and expires_in.is_integer():
        expires_in = int(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 0:
        expires_in = None
    return tark_host.tokens_json(doc["access_token"], text_field(doc, "refresh_token"),
                                 text_field(doc, "id_token"), expires_in,
                                 text_field(doc, "token_type"), text_field(doc, "scope"))


# --------------------------------------------------------------------------------------------
# The plugin, run as tark runs it
# --------------------------------------------------------------------------------------------

class Plugin:
    """The plugin module in the tark-host emulation: one instance for auth_process_tokens and a
    fresh one to check the file; no network, empty temporary storage (what the plugin keeps is
    tark's business, not this login's)."""

    def __init__(self, directory: Path, home: str, env: dict):
        self.dir = directory
        self.home = home
        self.env = {"HOME": home}
        if env.get(CREDENTIALS_PATH_VARIABLE):
            self.env[CREDENTIALS_PATH_VARIABLE] = env[CREDENTIALS_PATH_VARIABLE]
        self._host = None
        self._data = None
        # Checked before the user spends a one-time code on a login that could not be saved;
        # the module itself is compiled only when needed (it takes a moment).
        try:
            self.manifest = tark_host.load_manifest(directory / "plugin.toml")
            wasm = directory / self.manifest["plugin"]["wasm"]
            if not wasm.is_file():
                raise tark_host.TarkError(f"{wasm} is missing")
        except tark_host.TarkError as e:
            raise LoginFailed(f"Cannot load the plugin in {directory}: {e}; reinstall it"
                              " (`tark plugin add \"$PWD/dist\"`) or rebuild dist/ (`./build.sh`).") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._data is not None:
            self._data.cleanup()

    def client_id(self) -> str:
        client_id = (self.manifest.get("oauth") or {}).get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise LoginFailed(f"{self.dir / 'plugin.toml'} has no [oauth] client_id; reinstall the plugin.")
        return client_id

    def may_read(self, path: Path) -> bool:
        caps = tark_host.Capabilities(self.manifest["capabilities"], self.home)
        return caps.is_fs_read_allowed(str(path))

    def process_tokens(self, tokens: str) -> str:
        """auth_process_tokens, as tark calls it after a login: its output is the file.
        Unusable when the plugin refuses the reply (it logs why)."""
        host = self._run(None, self._instance)
        try:
            out = self._run(host, lambda: host.auth_process_tokens(tokens),
                            refusal_since=len(host.logs))
        except Unusable as e:
            raise Unusable(f"its auth_process_tokens refused the token reply: {e}") from None
        if out is None:
            raise LoginFailed(f"The plugin in {self.dir} has no auth_process_tokens export;"
                              " update it (`tark plugin add \"$PWD/dist\"`).")
        return out

    def check(self, path: Path) -> tuple:
        """provider_auth_credentials in a fresh instance (what tark does on its next start of the
        provider) whose credentials file is ``path``: (account id, expires_at), each None when
        unknown; Unusable with the plugin's own reason when it cannot use the file.

        That instance finds ``path`` through the variable and an fs_read entry for that one file,
        both added to the emulated manifest only; no network, so no refresh token is spent here;
        a storage directory of its own, removed afterwards."""
        env = {"HOME": self.home, CREDENTIALS_PATH_VARIABLE: str(path)}
        caps = dict(self.manifest["capabilities"])
        caps["fs_read"] = list(caps["fs_read"]) + [str(path)]
        caps["env"] = list(caps["env"]) + [CREDENTIALS_PATH_VARIABLE]
        try:
            with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-check-") as data:
                host = self._run(None, lambda: tark_host.TarkHost.load(
                    self.dir, self.home, env=env, data_dir=data, stdio="capture", http=None))
                host.caps = tark_host.Capabilities(caps, self.home)
                rc, creds = self._run(host, host.credentials, refusal_since=0)
            if rc < 0:
                errors = self._errors(host, 0)
                raise Unusable(plugin_cause(errors[-1]) if errors else f"it returned {rc}")
        except Unusable as e:                # the temporary file is no place the user knows
            raise Unusable(str(e).replace(str(path), "the new login")) from None
        account = (creds.get("custom_headers") or {}).get("ChatGPT-Account-Id")
        debug = [msg for level, msg in host.logs if level == "debug"]
        return account, next(filter(None, map(logged_expiry, reversed(debug))), None)

    def _instance(self):
        if self._host is None:
            self._data = tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-login-")
            self._host = tark_host.TarkHost.load(self.dir, self.home, env=self.env,
                                                 data_dir=self._data.name, stdio="capture",
                                                 http=None)
        return self._host

    def _run(self, host, call, refusal_since: Optional[int] = None):
        """``call()``; its failure as LoginFailed, or as Unusable when ``refusal_since`` is given
        and the plugin refused the input (an error line logged since then) or tark would not
        take its answer."""
        try:
            return call()
        except tark_host.TarkError as e:
            errors = self._errors(host, refusal_since or 0)
            message = errors[-1] if errors else str(e)
            if refusal_since is not None and (errors or isinstance(e, tark_host.CredentialsError)):
                raise Unusable(plugin_cause(message)) from None
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            message = str(e).splitlines()[0]
        raise LoginFailed(f"The plugin in {self.dir} failed: {message}")

    @staticmethod
    def _errors(host, since: int) -> list:
        """The plugin's error lines: its messages say what is wrong and never hold a token."""
        return [msg for level, msg in (host.logs[since:] if host else []) if level == "error"]


def plugin_cause(message: str) -> str:
    """A plugin error line as the cause in login.py's own line: without the plugin's advice to
    run ``tark auth`` (login.py says what to do) and without the final full stop."""
    message = " ".join(message.split())                  # one line, whatever it holds
    m = re.search(r"[.:;,]\s+run `", message, re.IGNORECASE)
    cause = (message[:m.start()] if m else message).rstrip(".")
    return cause[:1].lower() + cause[1:] if cause[1:2].islower() else cause


def logged_expiry(line: str) -> Optional[int]:
    """expires_at from the plugin's debug line about the credentials it uses: ``diagnostics
    {json}``, or the older ``Credentials from …; expires_at N; …``. Only that field is read, from
    any version's line: the installed plugin may be older or newer than these tools, and the
    login is saved whatever else its line states (the check reads the whole line, facts.Diagnostics)."""
    if is_diagnostics(line):
        try:
            value = parse_diagnostics(line).get("expires_at")
        except ValueError:
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    m = re.search(r"; expires_at (\d+);", line)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------

def write_private(path: Path, text: str, check=None):
    """Atomically: a 0600 temporary file next to the target, then one rename, so readers see
    the old login or the new one, never a part.  ``check(temporary path)``, when given, runs
    before the rename and may refuse by raising; its result is returned.  On any exception
    (Ctrl-C included) the temporary file and the directories made for it are removed."""
    made: list = []
    tmp = None
    try:
        make_private_dirs(path.parent, made)
        while tmp is None:
            tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            except FileExistsError:
                tmp = None               # not ours: never removed; another name
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)   # whatever the umask
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        result = check(tmp) if check is not None else None
        os.replace(tmp, path)
        tmp = None
        return result
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for d in reversed(made):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise


def make_private_dirs(directory: Path, made: Optional[list] = None) -> None:
    """Creates the missing directories, 0700, appending each to ``made``; existing ones are
    left as they are."""
    made = [] if made is None else made
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        d.mkdir(mode=0o700)
        made.append(d)
        os.chmod(d, 0o700)               # whatever the umask


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise LoginFailed(f"{message} (see --help)", USAGE)


def parse_args(argv) -> argparse.Namespace:
    p = _Parser(prog=PROGRAM, description="Log in to ChatGPT with a device code and write"
                f" tark's credentials file for the {PLUGIN_NAME} plugin.")
    p.add_argument("--issuer", default=DEFAULT_ISSUER,
                   help=f"authorization server (default {DEFAULT_ISSUER})")
    p.add_argument("--home", help="home directory for the default file and the installed plugin"
                   " (default $HOME)")
    p.add_argument("--time-scale", type=float, default=1.0, help=argparse.SUPPRESS)  # tests
    return p.parse_args(argv)


def main(argv=None, env=None, out: TextIO = None, err: TextIO = None) -> int:
    env = dict(os.environ) if env is None else env
    out = out or sys.stdout
    err = err or sys.stderr
    say = Printer(lambda line: print(line, file=out, flush=True), REDACTOR)
    complain = Printer(lambda line: print(line, file=err, flush=True), REDACTOR)

    countdown = Countdown(out)
    try:
        return login(parse_args(argv), env, say, countdown)
    except LoginFailed as e:
        countdown.end()
        complain(f"{PROGRAM}: {e}")
        return e.code
    except KeyboardInterrupt:
        countdown.end()
        complain(f"{PROGRAM}: cancelled; nothing was written (an existing login is unchanged).")
        return CANCELLED


def login(args, env: dict, say, countdown: Countdown) -> int:
    if not args.time_scale > 0:
        raise LoginFailed("--time-scale must be positive.", USAGE)
    issuer = checked_issuer(args.issuer)
    home = args.home or env.get("HOME", "")
    if not home:
        raise LoginFailed("No home directory: set HOME or pass --home DIR.", USAGE)
    home = os.path.abspath(os.path.expanduser(home))
    target = credentials_path(home, env)
    with Plugin(plugin_dir_in_use(home, env)[0], home, env) as plugin:
        if not plugin.may_read(target):
            raise LoginFailed(f"tark would not let the plugin read {target}: add it to fs_read in"
                              f" {plugin.dir / 'plugin.toml'}, or unset {CREDENTIALS_PATH_VARIABLE}.", USAGE)
        client_id = plugin.client_id()
        server = AuthServer(issuer, f"{PLUGIN_NAME}-login/{plugin.manifest['plugin']['version']}")

        say(f"Log in to ChatGPT for tark ({PLUGIN_NAME}), with a device code.")
        say(NOTICE)
        say()
        code = request_code(server, client_id)
        clock = Clock(args.time_scale)
        say(f"1. On any device, open   {issuer}{VERIFICATION_PATH}")
        say(f"2. Sign in to ChatGPT and enter this code:   {code.user_code}")
        say("   (Never share the code: whoever enters it logs this machine in to their account.)")
        say()
        grant = wait_for_approval(server, code, clock, countdown, say)
        countdown.end()
        say("Approved; fetching the tokens.")
        try:
            content = plugin.process_tokens(tark_tokens(exchange(server, client_id, grant)))
            # through a symlink, as tark; the plugin checks the new file before it replaces any
            account, expires = write_private(Path(os.path.realpath(target)), content, plugin.check)
        except Unusable as e:
            raise LoginFailed(f"ChatGPT sent a login the plugin cannot use ({e}); nothing was saved"
                              f" (an existing login is unchanged); {again()}, and if it happens again,"
                              " report it to the plugin's maintainers.") from None
        say(f"Saved the login to {target}.")
        until = (dt.datetime.fromtimestamp(expires).astimezone().strftime("%Y-%m-%d %H:%M %Z")
                 if expires else "unknown")
        say(f"Logged in: ChatGPT account {account or 'unknown'}, access token valid until {until}"
            " (the plugin refreshes it). tark uses it from its next start of the provider.")
        return OK


def _cancel(signum, frame):
    raise KeyboardInterrupt         # a closed terminal or a kill cleans up like Ctrl-C


def console() -> None:
    """The ``chatgpt-oauth-login`` command (and ``python3 plugin/tools/login.py``)."""
    global PROGRAM
    PROGRAM = Path(sys.argv[0]).name or PROGRAM
    signal.signal(signal.SIGTERM, _cancel)
    signal.signal(signal.SIGHUP, _cancel)
    sys.exit(main())
