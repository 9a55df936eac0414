"""plugin/tools/login.py, the device-code login, against a fake ChatGPT authorization server on
127.0.0.1 (a thread per test, bounded waits, no other network).

Expectations come from the plugin itself: the file login.py writes is then loaded by the plugin in
the tark-host emulation, which must serve the issued token with the right account id and expiry.
Time runs faster through login.py's hidden --time-scale."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

import login
import tark_host
from facts import is_diagnostics, parse_diagnostics
from conftest import (CLIENT_ID, CREDENTIALS_PATH_VARIABLE, DAY, DIST, LOGIN_COMMAND, REPO,
                      XDG_DATA_HOME, access_jwt, assert_credentials, claims, find_leaks,
                      installed_plugin_dir, make_jwt, ok_credentials, opaque, register_token)

PENDING = (403, {"error": {"code": "deviceauth_authorization_unknown"}})
FAST = 0.01            # 1 s of login.py's time = 10 ms


# --------------------------------------------------------------------------------------------
# The fake authorization server
# --------------------------------------------------------------------------------------------

class FakeIssuer:
    """ChatGPT's three device-login endpoints, scripted: ``usercode`` is the first reply, then
    each poll takes the next of ``polls`` and, when they run out, ``after_polls`` (approval by
    default); ``token`` answers the exchange.  Every request is kept with its arrival time."""

    def __init__(self, account="acct-device", expires_in=8 * DAY):
        self.device_auth_id = "dev_" + opaque("id")
        self.user_code = "WXYZ-2345"
        self.usercode = (200, {"device_auth_id": self.device_auth_id, "user_code": self.user_code,
                               "interval": "1"})
        self.polls: list = []
        self.authorization_code = opaque("ac")
        self.code_verifier = opaque("cv")
        self.after_polls = (200, {"authorization_code": self.authorization_code,
                                  "code_challenge": opaque("cc"),
                                  "code_verifier": self.code_verifier})
        self.access_token = access_jwt(account, 10 * DAY)
        self.id_token = make_jwt(claims(account, 3600, email="user@example.com"))
        self.refresh_token = opaque("rt")
        self.token_reply = {"access_token": self.access_token, "id_token": self.id_token,
                            "refresh_token": self.refresh_token, "token_type": "Bearer",
                            "expires_in": expires_in}
        self.token = (200, self.token_reply)
        self.requests: list = []
        self.polled = threading.Event()
        self.exchanging = threading.Event()
        self.release_exchange = None          # an Event: the exchange reply waits for it
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)        # prompt shutdown
        self._thread.start()

    def secrets(self) -> list:
        return [self.device_auth_id, self.authorization_code, self.code_verifier,
                self.after_polls[1].get("code_challenge", ""), self.access_token, self.id_token,
                self.refresh_token]

    def close(self):
        if self.release_exchange is not None:
            self.release_exchange.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def paths(self) -> list:
        return [r["path"] for r in self.requests]

    def poll_times(self) -> list:
        return [r["time"] for r in self.requests if r["path"] == login.POLL_PATH]

    def answer(self, path: str):
        if path == login.USERCODE_PATH:
            return self.usercode
        if path == login.POLL_PATH:
            self.polled.set()
            return self.polls.pop(0) if self.polls else self.after_polls
        if path == login.TOKEN_PATH:
            self.exchanging.set()
            if self.release_exchange is not None:
                self.release_exchange.wait(10)
            return self.token
        return 404, {"error": "not_found"}

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                issuer.requests.append({"path": self.path, "time": time.monotonic(), "body": body,
                                        "user_agent": self.headers.get("User-Agent"),
                                        "type": self.headers.get("Content-Type")})
                status, doc = issuer.answer(self.path)
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def issuer():
    server = FakeIssuer()
    yield server
    server.close()


def run(issuer, home, *extra, env=None, scale=FAST):
    """login.main in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    environment = {"HOME": str(home)} if env is None else env
    rc = login.main(["--issuer", issuer.url, "--home", str(home), "--time-scale", str(scale),
                     *extra], environment, out, err)
    return rc, out.getvalue(), err.getvalue()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert lines[0].startswith("login.py: ")
    return lines[0]


def stray_files(directory: Path) -> list:
    return sorted(p.name for p in directory.glob(".chatgpt_oauth.json.*")) if directory.exists() else []


def existing_login(inst) -> bytes:
    """A valid login for another account, already in the file; its bytes."""
    inst.valid_creds("acct-old")
    return inst.creds_path.read_bytes()


def expires_at_served(host) -> int:
    """The expiry the plugin uses, from its own debug line (``diagnostics {json}``, or the older
    ``Credentials from ...; expires_at N; ...``)."""
    for level, msg in host.logs:
        if level == "debug" and is_diagnostics(msg):
            return parse_diagnostics(msg)["expires_at"]
        m = re.search(r"; expires_at (\d+);", msg) if level == "debug" else None
        if m:
            return int(m.group(1))
    pytest.fail(f"the plugin logged no expiry: {host.logs}")


# --------------------------------------------------------------------------------------------
# Success
# --------------------------------------------------------------------------------------------

def test_approval_after_pending_polls_writes_a_file_the_plugin_serves(inst, issuer):
    issuer.polls = [PENDING, (404, {}), PENDING]
    before = time.time()
    rc, out, err = run(issuer, inst.home)
    after = time.time()
    assert rc == 0, err
    assert err == ""

    # The protocol, as the Codex CLI speaks it.
    assert issuer.paths() == [login.USERCODE_PATH] + [login.POLL_PATH] * 4 + [login.TOKEN_PATH]
    first, *polls, exchange = issuer.requests
    assert json.loads(first["body"]) == {"client_id": CLIENT_ID}
    for poll in polls:
        assert poll["type"] == "application/json"
        assert json.loads(poll["body"]) == {"device_auth_id": issuer.device_auth_id,
                                            "user_code": issuer.user_code}
    assert exchange["type"] == "application/x-www-form-urlencoded"
    assert parse_qs(exchange["body"]) == {
        "grant_type": ["authorization_code"], "code": [issuer.authorization_code],
        "redirect_uri": [issuer.url + "/deviceauth/callback"], "client_id": [CLIENT_ID],
        "code_verifier": [issuer.code_verifier]}
    assert f"{issuer.url}/codex/device" in out and issuer.user_code in out
    assert "OpenAI's terms" in out and "may change or stop it" in out    # the notice

    # The plugin serves the file: the issued token, the account, the expiry from expires_in.
    host = inst.load()
    assert_credentials(ok_credentials(host), issuer.access_token, "acct-device")
    expiry = expires_at_served(host)
    assert int(before) + 8 * DAY - 1 <= expiry <= after + 8 * DAY + 1
    assert host.call_i32("provider_auth_status") == 1
    assert inst.endpoint.requests == []                  # nothing to refresh
    assert "acct-device" in out                           # the account is reported

    # The content is what the plugin's own auth_process_tokens makes of the reply.
    written = json.loads(inst.creds_path.read_text())
    expected = json.loads(inst.load().auth_process_tokens(login.tark_tokens(issuer.token_reply)))
    assert abs(written.pop("expires_at") - expected.pop("expires_at")) <= 2
    assert written == expected


def test_file_is_0600_in_new_0700_directories(inst, issuer):
    (inst.home / ".config").mkdir(mode=0o755)
    os.chmod(inst.home / ".config", 0o755)
    old = os.umask(0o002)                # a lax umask must not widen anything
    try:
        rc, out, err = run(issuer, inst.home)
    finally:
        os.umask(old)
    assert rc == 0, err
    assert inst.creds_path.stat().st_mode & 0o777 == 0o600
    assert inst.creds_path.parent.stat().st_mode & 0o777 == 0o700       # created
    assert (inst.home / ".config").stat().st_mode & 0o777 == 0o755      # existed: left alone
    assert stray_files(inst.creds_path.parent) == []


def test_replaces_an_existing_login_and_keeps_the_file_private(inst, issuer):
    inst.valid_creds("acct-old")
    os.chmod(inst.creds_path, 0o644)
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    assert inst.creds_path.stat().st_mode & 0o777 == 0o600
    assert_credentials(ok_credentials(inst.load()), issuer.access_token, "acct-device")


def test_a_symlinked_file_is_written_through_the_link(inst, issuer, tmp_path):
    real = tmp_path / "dotfiles" / "chatgpt_oauth.json"
    real.parent.mkdir()
    real.write_text("{}")
    inst.creds_path.parent.mkdir(parents=True)
    inst.creds_path.symlink_to(real)
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    assert inst.creds_path.is_symlink() and real.stat().st_mode & 0o777 == 0o600
    assert json.loads(real.read_text())["access_token"] == issuer.access_token
    assert stray_files(real.parent) == [] and stray_files(inst.creds_path.parent) == []


@pytest.mark.parametrize("interval, key", [(7, "user_code"), ("7", "usercode")])
def test_interval_as_number_or_string_sets_the_pace(inst, issuer, interval, key):
    issuer.usercode = (200, {"device_auth_id": issuer.device_auth_id, key: issuer.user_code,
                             "interval": interval})
    issuer.polls = [PENDING, PENDING]
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    assert issuer.user_code in out
    times = issuer.poll_times()
    assert len(times) == 3
    # 7 s, not the 5 s default (times scaled by FAST; a sleep is never shorter)
    assert all(b - a >= 7 * FAST * 0.95 for a, b in zip(times, times[1:])), times


def test_slow_down_lengthens_the_interval(inst, issuer):
    issuer.polls = [(429, {}), PENDING, (400, {"error": "slow_down"}), PENDING]
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    t = issuer.poll_times()
    assert len(t) == 5
    assert t[1] - t[0] >= 6 * FAST * 0.95 and t[2] - t[1] >= 6 * FAST * 0.95
    assert t[3] - t[2] >= 11 * FAST * 0.95
    assert "every 6 s" in out and "every 11 s" in out


def test_passing_server_errors_while_polling_are_retried(inst, issuer):
    issuer.polls = [(502, {}), (500, {}), PENDING]
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    assert len(issuer.poll_times()) == 4


def test_installed_plugin_and_credentials_variable(inst, issuer, tmp_path):
    """With the plugin installed, its manifest decides (fs_read for a custom path); the file goes
    to CHATGPT_OAUTH_CREDENTIALS_PATH."""
    custom = tmp_path / "elsewhere" / "login.json"
    installed = installed_plugin_dir(inst.home, {})
    installed.mkdir(parents=True, exist_ok=True)
    (installed / "plugin.wasm").write_bytes((DIST / "plugin.wasm").read_bytes())
    manifest = (DIST / "plugin.toml").read_text()
    env = {"HOME": str(inst.home), CREDENTIALS_PATH_VARIABLE: str(custom)}

    (installed / "plugin.toml").write_text(manifest)      # fs_read does not list it
    rc, out, err = run(issuer, inst.home, env=env)
    assert rc == 2 and "fs_read" in one_line(err) and str(installed) in err
    assert issuer.requests == [] and not custom.exists()

    (installed / "plugin.toml").write_text(
        manifest.replace('fs_read = [', f'fs_read = ["{custom}", ', 1))
    rc, out, err = run(issuer, inst.home, env=env)
    assert rc == 0, err
    assert custom.stat().st_mode & 0o777 == 0o600 and not inst.creds_path.exists()
    inst.env = {CREDENTIALS_PATH_VARIABLE: str(custom)}
    host = tark_host.TarkHost.load(installed, inst.home, env=inst.env, stdio="capture",
                                   data_dir=tmp_path / "data")
    assert_credentials(ok_credentials(host), issuer.access_token, "acct-device")


def test_no_token_or_code_in_the_output(inst, issuer):
    register_token(*issuer.secrets())
    issuer.polls = [PENDING, (429, {})]
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    leaks = find_leaks([("stdout", out), ("stderr", err)], set(issuer.secrets()))
    assert leaks == []
    # the check can fail: the same text with a token in it is caught
    assert find_leaks([("stdout", out + issuer.access_token[40:60])], set(issuer.secrets()))


@pytest.mark.parametrize("secret", ["code_verifier", "authorization_code"])
@pytest.mark.parametrize("shape", ["upstream.{}", "{}-x", "x{}"])
def test_an_error_code_echoing_a_secret_is_not_quoted(inst, issuer, secret, shape):
    """The exchange fails with a code that holds (case-folded) the verifier or code just sent:
    the line gives the status alone, as the plugin's own rule (ServerCode) does."""
    register_token(*issuer.secrets())
    echoed = shape.format(getattr(issuer, secret).lower())
    issuer.token = (400, {"error": {"code": echoed}})
    rc, out, err = run(issuer, inst.home)
    assert rc == 1
    assert "(HTTP 400)" in err, err
    assert find_leaks([("stdout", out), ("stderr", err)], set(issuer.secrets()) | {echoed}) == []


# --------------------------------------------------------------------------------------------
# Failures: exit 1, one line saying what to do, the existing login untouched
# --------------------------------------------------------------------------------------------

FAILURES = {
    "denied": ("polls", [PENDING, (400, {"error": "access_denied"})], "denied", "login.py again"),
    "expired": ("polls", [PENDING, (400, {"error": "expired_token"})], "expired", "login.py again"),
    "disabled": ("usercode", (404, {}), "ssh -L 1455:localhost:1455", LOGIN_COMMAND),
    "usercode 500": ("usercode", (500, {}), "HTTP 500", "try again"),
    "unprintable code": ("usercode", (200, {"device_auth_id": "d", "user_code": "\x1b[2J"}),
                         "no usable code", "try again"),
    "exchange 500": ("token", (500, {"error": "server_error"}), "HTTP 500, server_error", "try again"),
    "exchange refused": ("token", (400, {"error": "invalid_grant"}), "invalid_grant", "login.py again"),
    "no access token": ("token", (200, {"refresh_token": "x"}), "no access token", "login.py again"),
    "polls keep failing": ("polls", [(500, {})] * 3, "keeps failing", "try again"),
    "poll refused": ("polls", [(400, {"error": "invalid_request"})], "invalid_request", "login.py again"),
}


@pytest.mark.parametrize("name", FAILURES)
@pytest.mark.parametrize("existing", [False, True], ids=["no login yet", "existing login"])
def test_failure_is_one_line_and_keeps_the_existing_login(inst, issuer, name, existing):
    attribute, script, *needles = FAILURES[name]
    setattr(issuer, attribute, list(script) if isinstance(script, list) else script)
    before = existing_login(inst) if existing else None
    rc, out, err = run(issuer, inst.home)
    assert rc == 1
    line = one_line(err)
    for needle in needles:
        assert needle in line, line
    if before is None:
        assert not inst.creds_path.exists()
    else:
        assert inst.creds_path.read_bytes() == before
    assert stray_files(inst.creds_path.parent) == []
    if name in ("denied", "expired", "disabled", "usercode 500", "unprintable code"):
        assert login.TOKEN_PATH not in issuer.paths()


def test_gives_up_after_15_minutes(inst, issuer):
    issuer.after_polls = PENDING
    issuer.usercode[1]["interval"] = "5"
    scale = 0.001                       # 15 minutes = 0.9 s
    start = time.monotonic()
    rc, out, err = run(issuer, inst.home, scale=scale)
    took = time.monotonic() - start
    assert rc == 1 and "15 minutes" in one_line(err)
    assert 900 * scale * 0.95 <= took < 10
    assert 10 <= len(issuer.poll_times()) <= 900 / 5 + 2         # every 5 s, at most
    assert "15 min left" in out                           # the countdown
    assert not inst.creds_path.exists()


def test_unreachable_issuer(inst, issuer):
    issuer.close()
    rc, out, err = run(issuer, inst.home)
    assert rc == 1 and "Could not reach 127.0.0.1" in one_line(err)


# --------------------------------------------------------------------------------------------
# Bad usage: exit 2 before any request
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--issuer", "http://example.com"], ["--issuer", "ftp://127.0.0.1"], ["--issuer", "auth.openai.com"],
    ["--issuer", "https://auth.openai.com/?x=1"], ["--frobnicate"], ["--time-scale", "0"]])
def test_bad_usage(inst, issuer, argv):
    err = io.StringIO()
    rc = login.main(["--home", str(inst.home), *argv], {"HOME": str(inst.home)}, io.StringIO(), err)
    assert rc == 2
    one_line(err.getvalue())
    assert issuer.requests == []


def test_no_home(issuer):
    err = io.StringIO()
    assert login.main(["--issuer", issuer.url], {}, io.StringIO(), err) == 2
    assert "--home" in one_line(err.getvalue())


def test_loopback_issuer_may_be_plain_http():
    for url in ("http://127.0.0.1:8080", "http://[::1]:1/", "http://localhost"):
        assert login.checked_issuer(url) == url.rstrip("/")
    assert login.checked_issuer("https://auth.openai.com/") == "https://auth.openai.com"


# --------------------------------------------------------------------------------------------
# Ctrl-C: a real process and a real SIGINT
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["while polling", "during the exchange"])
@pytest.mark.parametrize("existing", [False, True], ids=["no login yet", "existing login"])
def test_ctrl_c_leaves_no_file(inst, issuer, when, existing):
    before = existing_login(inst) if existing else None
    if when == "while polling":
        issuer.after_polls = PENDING
        reached = issuer.polled
    else:
        issuer.release_exchange = threading.Event()
        reached = issuer.exchanging
    env = {k: v for k, v in os.environ.items()
           if k not in (CREDENTIALS_PATH_VARIABLE, XDG_DATA_HOME)}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "plugin" / "tools" / "login.py"), "--issuer", issuer.url,
         "--home", str(inst.home), "--time-scale", str(FAST)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reached.wait(15), "login.py never reached the server"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert "cancelled" in one_line(err)
    if before is None:
        assert not inst.creds_path.exists()
    else:
        assert inst.creds_path.read_bytes() == before
    assert stray_files(inst.creds_path.parent) == []


def test_interrupted_write_leaves_the_old_file_and_no_temporary(inst, monkeypatch):
    before = existing_login(inst)

    def interrupted(src, dst):
        assert Path(src).stat().st_mode & 0o777 == 0o600      # private before it has content
        raise KeyboardInterrupt

    monkeypatch.setattr(login.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        login.write_private(inst.creds_path, '{"access_token": "new"}')
    assert inst.creds_path.read_bytes() == before
    assert stray_files(inst.creds_path.parent) == []


def test_countdown_redraws_in_place_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    countdown = login.Countdown(screen)
    for left in (900, 899.2, 899.0, 61, 0.4, -3):
        countdown.show(left)
    countdown.end()
    frames = screen.getvalue().split("\r")[1:]
    assert [f.split(": ")[1].strip() for f in frames] == [
        "15:00 left", "14:59 left", "1:01 left", "0:01 left", "0:00 left"]
    assert screen.getvalue().endswith("\n")


def test_expiry_from_either_form_of_the_plugins_debug_line():
    assert login.logged_expiry('diagnostics {"source":"tark_file","expires_at":1767225600}') == 1767225600
    assert login.logged_expiry('diagnostics {"expires_at":null}') is None
    assert login.logged_expiry("Credentials from /x; expires_at 1767225600; account id a") == 1767225600
    assert login.logged_expiry("Credentials from /x; expires_at unknown; account id a") is None


# --------------------------------------------------------------------------------------------
# A login the plugin refuses: checked before it replaces anything
# --------------------------------------------------------------------------------------------

def _with_line_break(token: str) -> str:
    return token[:40] + "\r\n" + token[40:]


def _non_ascii(token: str) -> str:
    return token[:40] + "\u00e9" + token[40:]


def _over_the_limit(token: str) -> str:
    return token + "A" * (32 * 1024)


UNUSABLE = {"CR/LF": _with_line_break, "non-ASCII": _non_ascii, "over 32 KB": _over_the_limit}


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The temporary directory login.py (and the emulation) get: empty, and checked afterwards."""
    directory = tmp_path / "tmpdir"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    monkeypatch.setenv("TMPDIR", str(directory))
    return directory


def _tree(directory: Path) -> list:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


@pytest.mark.parametrize("spoil", UNUSABLE)
@pytest.mark.parametrize("existing", [False, True], ids=["no login yet", "existing login"])
def test_a_login_the_plugin_refuses_replaces_nothing(inst, issuer, private_tmp, spoil, existing):
    bad = UNUSABLE[spoil](issuer.access_token)
    register_token(bad)
    issuer.token_reply["access_token"] = bad
    if existing:
        before = existing_login(inst)
        os.chmod(inst.creds_path, 0o640)
        mode = inst.creds_path.stat().st_mode
    home_before = _tree(inst.home)
    rc, out, err = run(issuer, inst.home)
    assert rc == 1, err
    line = one_line(err)
    assert "cannot use" in line and "login.py again" in line, line
    assert "nothing was saved" in line, line
    assert ".tmp" not in line and str(private_tmp) not in line, line
    if existing:
        assert "unchanged" in line, line
        assert inst.creds_path.read_bytes() == before
        assert inst.creds_path.stat().st_mode == mode
        assert sorted(os.listdir(inst.creds_path.parent)) == ["chatgpt_oauth.json"]
    else:
        assert not inst.creds_path.exists()
    assert _tree(inst.home) == home_before           # no file, no new directory
    assert _tree(private_tmp) == []
    assert "Saved the login" not in out
    assert find_leaks([("stdout", out), ("stderr", err)], set(issuer.secrets()) | {bad}) == []


def test_the_check_reads_the_new_file_not_the_old_one(inst, issuer, private_tmp):
    """An unusable new login is refused even when the old file beside it is fine (the check
    must not look at the old file), and a good one is checked and saved."""
    before = existing_login(inst)
    issuer.token_reply["access_token"] = _with_line_break(issuer.access_token)
    register_token(issuer.token_reply["access_token"])
    rc, out, err = run(issuer, inst.home)
    assert rc == 1 and inst.creds_path.read_bytes() == before

    issuer.token_reply["access_token"] = issuer.access_token
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    assert sorted(os.listdir(inst.creds_path.parent)) == ["chatgpt_oauth.json"]
    assert inst.creds_path.stat().st_mode & 0o777 == 0o600
    assert_credentials(ok_credentials(inst.load()), issuer.access_token, "acct-device")
    assert _tree(private_tmp) == []


@pytest.mark.parametrize("existing", [False, True], ids=["no login yet", "existing login"])
def test_ctrl_c_during_the_check_leaves_nothing(inst, issuer, private_tmp, monkeypatch, existing):
    before = existing_login(inst) if existing else None
    home_before = _tree(inst.home)
    seen = []

    def interrupted(host):
        seen.append(host.env.get(CREDENTIALS_PATH_VARIABLE))
        raise KeyboardInterrupt

    monkeypatch.setattr(tark_host.TarkHost, "credentials", interrupted)
    rc, out, err = run(issuer, inst.home)
    assert rc == 130 and "cancelled" in one_line(err)
    assert seen and seen[0] and seen[0] != str(inst.creds_path)   # it was checking a temporary
    if existing:
        assert inst.creds_path.read_bytes() == before
    else:
        assert not inst.creds_path.exists()
    assert _tree(inst.home) == home_before
    assert _tree(private_tmp) == []


# --------------------------------------------------------------------------------------------
# Hostile input (issue 23): what login.py prints is escaped and free of token pieces, and every
# request ends within its deadline
# --------------------------------------------------------------------------------------------

TERMINAL_CONTROLS = "\x1b]0;owned\x07\x9b2J\r\x08\x7f"


def obeyed(text: str) -> list:
    """The characters a terminal would act on (line ends aside)."""
    return sorted({hex(ord(c)) for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0})


def test_a_credentials_path_with_control_characters_is_printed_escaped(inst, issuer):
    path = inst.home / f"creds{TERMINAL_CONTROLS}.json"
    rc, out, err = run(issuer, inst.home, env={"HOME": str(inst.home), CREDENTIALS_PATH_VARIABLE: str(path)})
    assert rc == 2
    assert obeyed(out + err) == [], err
    assert "creds\\x1b]0;owned\\x07\\x9b2J\\x0d\\x08\\x7f.json" in one_line(err)


def test_a_garbled_status_line_is_one_line_printed_escaped(inst):
    """A server (or what sits in front of it) answering a broken status line: its words are
    quoted in the one error line, escaped."""
    issuer = TrickleIssuer(reply=b"HTTP/1.1 2\x1b]0;owned\x07\x9b00 OK\r\n\r\n", gap=0)
    try:
        rc, out, err = run(issuer, inst.home)
    finally:
        issuer.close()
    assert rc == 1
    assert obeyed(out + err) == [], err
    assert "\\x1b]0;owned\\x07\\x9b" in one_line(err)


def test_a_token_piece_in_a_printed_cause_is_hidden(inst, issuer, monkeypatch):
    """Whatever reaches a printed line, a piece of a token login.py holds is hidden: here the
    plugin's refusal (made to quote the token) is the carrier."""
    register_token(*issuer.secrets())
    monkeypatch.setattr(login.Plugin, "process_tokens", lambda self, tokens: (_ for _ in ()).throw(
        login.Unusable(f"the token {issuer.access_token[30:90]} is odd")))
    rc, out, err = run(issuer, inst.home)
    assert rc == 1
    assert "the token [token text hidden, 60 chars] is odd" in err
    assert find_leaks([("stdout", out), ("stderr", err)], set(issuer.secrets())) == []


class TrickleIssuer:
    """An authorization server that answers ``reply`` one byte every ``gap`` seconds (for 20 s at
    most)."""

    def __init__(self, reply=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", gap=0.1):
        stop = self.stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                start = time.monotonic()
                for byte in reply:
                    if stop.is_set() or time.monotonic() - start > 20:
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(gap)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_trickling_server_is_given_up_at_the_deadline(inst, monkeypatch):
    monkeypatch.setattr(login, "REQUEST_TIMEOUT", 1.0)
    issuer = TrickleIssuer()
    try:
        start = time.monotonic()
        rc, out, err = run(issuer, inst.home)
        took = time.monotonic() - start
    finally:
        issuer.close()
    assert rc == 1
    assert "no complete answer within 1 s" in one_line(err)
    assert took < 5, f"took {took:.1f} s"


def test_every_request_names_the_login_tool(inst, issuer):
    """bounded_http adds no User-Agent of its own (urllib's would), and one without any can meet
    Cloudflare's bot check: login.py names itself and the plugin's version on every request."""
    rc, out, err = run(issuer, inst.home)
    assert rc == 0, err
    version = tark_host.load_manifest(inst.plugin_dir / "plugin.toml")["plugin"]["version"]
    assert issuer.requests and {r["user_agent"] for r in issuer.requests} == {f"chatgpt-oauth-login/{version}"}
