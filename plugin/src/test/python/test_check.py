"""The check command (plugin/tools/check.py) against temporary homes, without the network.

Each test installs a copy of dist/ where tark installs it (``~/.local/share/tark/plugins/
chatgpt-oauth``), writes a login, runs the command in-process and reads what it prints: what the
plugin reported, the exit code, the fix for the return code, no token, storage left alone unless
``--refresh`` is given.
"""

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from chatgpt_oauth_tools import facts
from chatgpt_oauth_tools.check import cli as check
from chatgpt_oauth_tools.codes import CODES, INVALID_CREDENTIALS, NOT_AUTHENTICATED
from conftest import (CREDENTIALS_PATH_VARIABLE, DAY, DIST, MARGIN, TARK_CREDENTIALS_FILE, TOKEN_URL,
                      XDG_DATA_HOME, access_jwt, claims, find_leaks, installed_plugin_dir, make_jwt,
                      opaque, open_sealed, refresh_margin, storage_path)


class Home:
    """A HOME with the plugin installed the way tark installs it."""

    def __init__(self, root):
        self.path = root / "home"
        self.plugin_dir = installed_plugin_dir(self.path, {})
        self.plugin_dir.mkdir(parents=True)
        for name in ("plugin.toml", "plugin.wasm"):
            shutil.copyfile(DIST / name, self.plugin_dir / name)
        self.creds_path = self.path / TARK_CREDENTIALS_FILE
        self.storage_path = storage_path(self.plugin_dir)
        self.tokens: list = []

    def write(self, path, content) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")

    def login(self, account="acct-check", exp_in=10 * DAY, **fields) -> dict:
        doc = {"access_token": access_jwt(account, exp_in), "refresh_token": opaque("rt"),
               "id_token": make_jwt(claims(account, 3600))}
        doc.update(fields)
        self.tokens += [doc["access_token"], doc["refresh_token"], doc["id_token"]]
        self.write(self.creds_path, doc)
        return doc

    def check(self, *args) -> tuple:
        """(exit code, output) of `check.py --home HOME ARGS`."""
        out = io.StringIO()
        code = check.main(["--home", str(self.path), *map(str, args)],
                          out=lambda text="": print(text, file=out))
        return code, out.getvalue()

    def assert_nothing_secret_in(self, output: str, *more_tokens) -> None:
        leaks = find_leaks([("check output", output)], set(self.tokens) | set(more_tokens))
        assert not leaks, leaks


@pytest.fixture
def home(tmp_path, monkeypatch) -> Home:
    monkeypatch.delenv(XDG_DATA_HOME, raising=False)
    monkeypatch.delenv(CREDENTIALS_PATH_VARIABLE, raising=False)
    return Home(tmp_path)


def line(output: str, label: str) -> str:
    """The printed line that starts with this label."""
    found = [l for l in output.splitlines() if l.startswith(label)]
    assert found, f"no line starts with {label!r}:\n{output}"
    return found[0]


def local_time(seconds: int) -> str:
    return f"{dt.datetime.fromtimestamp(seconds).astimezone():%Y-%m-%d %H:%M:%S %Z}"


def test_the_refresh_plan_of_a_ten_day_token(home):
    """Expiry, lifetime, when the next refresh comes and why: read from the plugin's diagnostics."""
    now = int(time.time())
    token = make_jwt(claims("acct-plan", 5 * DAY, iat=now - 5 * DAY))
    home.login(access_token=token)
    code, out = home.check()
    assert code == 0, out
    assert line(out, "Lifetime").startswith("Lifetime             10d 0h 0m")
    assert local_time(now + 5 * DAY - refresh_margin(10 * DAY)) in line(out, "Refresh"), out
    assert "why then: 2d 0h 0m before expiry: 20 % of the token's lifetime, capped at 2 days" in out


def test_a_valid_login_is_reported_as_the_plugin_describes_it(home):
    expires_at = int(time.time()) + 3 * DAY
    home.login("acct-valid", expires_at=expires_at)
    code, out = home.check()
    assert code == 0, out
    assert line(out, "Credentials source") == \
        f"Credentials source   {home.creds_path}  (tark's credentials file)"
    assert line(out, "Account id") == "Account id           acct-valid"
    assert local_time(expires_at) in line(out, "Expires"), "the expires_at the plugin read"
    assert "in 2d 23h" in line(out, "Expires")
    # the test login's token states no iat: its lifetime is unknown, so the least margin, 5 minutes
    assert line(out, "Lifetime").startswith("Lifetime             unknown")
    assert line(out, "Refresh").startswith("Refresh              not now; the next one at "
                                           f"{local_time(expires_at - MARGIN)}")
    assert "why then: 5m before expiry: the token states no lifetime" in out
    assert "installed copy" in out
    assert "ChatGPT-Account-Id: acct-valid" in out
    assert "provider_auth_status       1 (authenticated)" in out
    assert out.rstrip().endswith("RESULT: OK: tark gets usable ChatGPT credentials.")
    assert not (home.plugin_dir / "data").exists(), "the check wrote the plugin's storage"
    home.assert_nothing_secret_in(out)


def test_an_expired_login_with_a_refresh_token_would_be_refreshed_now(home):
    home.login(exp_in=-3600)
    code, out = home.check()
    assert code == 1, out
    assert "expired 1h 0m ago" in line(out, "Expires") or "expired 59m ago" in line(out, "Expires")
    assert line(out, "Refresh") == (f"Refresh              a refresh would happen now: POST {TOKEN_URL}"
                                    " (not sent; rerun with --refresh to do it)")
    assert "fix: none needed: the check did not send the request" in out
    assert "RESULT: NOT CONFIRMED" in out
    assert not (home.plugin_dir / "data").exists()
    home.assert_nothing_secret_in(out)


def test_a_missing_login_names_the_code_and_its_fix(home):
    code, out = home.check()
    assert code == 1, out
    assert line(out, "Credentials source").startswith("Credentials source   none")
    assert line(out, "Refresh") == "Refresh              no usable credentials to refresh"
    assert f"returned {NOT_AUTHENTICATED}, {CODES[NOT_AUTHENTICATED].meaning}" in out
    assert "ERROR: No ChatGPT credentials: " in out and "not UTF-8" in out
    assert f"    fix: {CODES[NOT_AUTHENTICATED].fix}" in out
    assert "RESULT: FAILED" in out


def test_a_codex_login_is_used_but_never_refreshed(home):
    tokens = {"id_token": make_jwt(claims("acct-codex", 3600)),
              "access_token": access_jwt("acct-codex", 10 * DAY),
              "refresh_token": opaque("rt"), "account_id": "acct-codex"}
    home.tokens += tokens.values()
    codex_path = home.path / ".codex" / "auth.json"
    home.write(codex_path, {"OPENAI_API_KEY": None, "tokens": tokens,
                            "last_refresh": "2026-01-01T00:00:00Z"})
    code, out = home.check()
    assert code == 0, out
    assert line(out, "Credentials source") == \
        f"Credentials source   {codex_path}  (the Codex CLI's login, read-only)"
    assert line(out, "Account id") == "Account id           acct-codex"
    assert "never by this plugin" in line(out, "Refresh")
    assert "RESULT: OK" in out
    home.assert_nothing_secret_in(out)


def test_a_malformed_file_names_the_code_and_its_fix(home):
    doc = home.login()
    home.write(home.creds_path, json.dumps(doc)[:-1])
    code, out = home.check()
    assert code == 1, out
    assert f"returned {INVALID_CREDENTIALS}, {CODES[INVALID_CREDENTIALS].meaning}" in out
    assert f"    fix: {CODES[INVALID_CREDENTIALS].fix}" in out
    assert "RESULT: FAILED" in out
    home.assert_nothing_secret_in(out)


class FakeTokenEndpoint:
    """Stands in for the network under --refresh: answers the token request with new tokens."""

    def __init__(self):
        self.sent: list = []
        self.access_token = access_jwt("acct-new", 10 * DAY)
        self.refresh_token = opaque("rt")
        self.id_token = make_jwt(claims("acct-new", 3600))

    def open(self, request, timeout=None):
        """Replaces OpenerDirector.open (as a class attribute, so it gets no opener)."""
        self.sent.append((request.full_url, request.data.decode()))
        body = json.dumps({"access_token": self.access_token, "refresh_token": self.refresh_token,
                           "id_token": self.id_token, "expires_in": 10 * DAY}).encode()
        reply = io.BytesIO(body)
        reply.status = 200
        reply.headers = {"content-type": "application/json"}
        return reply


def test_refresh_sends_the_request_and_keeps_the_rotated_token(home, monkeypatch):
    old = home.login(exp_in=-3600)
    endpoint = FakeTokenEndpoint()
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", endpoint.open)
    code, out = home.check("--refresh")
    assert code == 0, out
    assert len(endpoint.sent) == 1
    url, body = endpoint.sent[0]
    assert url == TOKEN_URL and old["refresh_token"] in body
    assert line(out, "Refresh") == f"Refresh              attempted now: POST {TOKEN_URL} -> HTTP 200"
    assert "new tokens: account id acct-new, expires " in out
    assert "Storage              the plugin updated its storage" in out
    stored = json.loads(home.storage_path.read_text())["tokens"]
    assert open_sealed(stored, old["refresh_token"])["refresh_token"] == endpoint.refresh_token, \
        "the rotated token is kept, sealed"
    assert endpoint.refresh_token not in home.storage_path.read_text()
    home.assert_nothing_secret_in(out, endpoint.access_token, endpoint.refresh_token,
                                  endpoint.id_token)


def test_after_a_refresh_the_check_reads_storage_but_never_changes_it(home, monkeypatch):
    home.login(exp_in=-3600)
    endpoint = FakeTokenEndpoint()
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", endpoint.open)
    assert home.check("--refresh")[0] == 0
    monkeypatch.undo()
    stored = home.storage_path.read_bytes()

    code, out = home.check()
    assert code == 0, out
    assert "using tokens the plugin refreshed earlier, kept in its storage" in out
    assert line(out, "Account id") == "Account id           acct-new"
    assert home.storage_path.read_bytes() == stored

    home.login("acct-other")          # a new login: the plugin drops the stored tokens
    code, out = home.check()
    assert code == 0, out
    assert line(out, "Account id") == "Account id           acct-other"
    assert home.storage_path.read_bytes() == stored, "only the temporary copy may change"
    home.assert_nothing_secret_in(out, endpoint.access_token, endpoint.refresh_token,
                                  endpoint.id_token)


def test_refresh_is_refused_for_a_plugin_tark_does_not_load(home):
    shutil.rmtree(home.plugin_dir)
    home.login(exp_in=-3600)
    code, out = home.check("--refresh")
    assert code == 1
    assert "RESULT: refused: --refresh would keep the refreshed tokens in" in out
    assert "Credentials source" not in out, "the plugin was not run"


def test_installed_outside_a_checkout_it_checks_the_installed_plugin(home, monkeypatch):
    """Installed with pip the tools have no dist/ to fall back on: they check the plugin tark runs,
    and without one they say so instead of loading nothing."""
    monkeypatch.setattr(facts, "REPO_DIST", None)
    home.login()
    code, out = home.check()
    assert code == 0, out
    assert line(out, "  plugin ").startswith(f"  plugin     {home.plugin_dir} (installed copy)")
    shutil.rmtree(home.plugin_dir)
    for args in ((), ("--models",)):
        code, out = home.check(*args)
        assert code == 1
        assert line(out, "RESULT: ") == check.NOT_INSTALLED.format(plugin_dir=home.plugin_dir)
        assert "Credentials source" not in out and "Models" not in out, "nothing was loaded"


def test_the_command_line_reports_a_missing_login(tmp_path):
    tools = DIST.parent / "plugin" / "tools"
    env = {k: v for k, v in os.environ.items() if k not in (XDG_DATA_HOME, CREDENTIALS_PATH_VARIABLE)}
    result = subprocess.run([sys.executable, str(tools / "check.py"), "--home", str(tmp_path),
                             "--plugin-dir", str(DIST)], capture_output=True, text=True, timeout=300,
                            env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "given with --plugin-dir" in result.stdout
    assert f"fix: {CODES[NOT_AUTHENTICATED].fix}" in result.stdout
