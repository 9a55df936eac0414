"""check.py --models and --usage against a fake ChatGPT backend on 127.0.0.1.

The fake backend (http.server in a thread) answers ``GET /backend-api/codex/models`` and
``GET /backend-api/wham/usage`` in the shapes the real endpoints use (the Codex CLI's
``ModelsResponse``; the usage document CodexBar and openusage read), and records every request.
It serves at most a bounded number of requests and stops by itself after a deadline, so a hung
test cannot keep it alive. The check is pointed at it with ``CHATGPT_OAUTH_BACKEND_URL``.

Each test checks what was sent (the plugin's token as the bearer and every header the plugin
answers tark, its version as ``client_version``, nothing else) and what was printed, and that no
token, nor any 12-character piece of one, appears in the output.
"""

import datetime as dt
import http.server
import json
import re
import socket
import threading
import time
import urllib.parse

import pytest

import check
from conftest import CREDENTIALS_PATH_VARIABLE, DAY, PLUGIN_NAME, XDG_DATA_HOME, find_leaks
from facts import CODEX_VERSION_VARIABLE, SESSION_HEADER
from tark_host import TarkHost
from test_check import Home, line

ACCOUNT = "acct-backend"
MAX_REQUESTS = 20
LIFETIME = 120.0          # seconds: the server shuts itself down after this, whatever happens

MODELS_REPLY = {"models": [
    {"slug": "gpt-5.5", "display_name": "GPT-5.5", "description": "Frontier model.",
     "visibility": "list", "supported_in_api": True, "priority": 7, "context_window": 272000,
     "max_context_window": 272000, "minimal_client_version": "0.124.0", "upgrade": None},
    {"slug": "gpt-5.6-sol", "display_name": "GPT-5.6-Sol", "description": "Latest frontier.",
     "visibility": "list", "supported_in_api": True, "priority": 1, "context_window": 372000,
     "max_context_window": 372000, "minimal_client_version": "0.142.2", "upgrade": None},
    {"slug": "codex-auto-review", "display_name": "Codex Auto Review", "visibility": "hide",
     "supported_in_api": True, "priority": 43, "context_window": 272000},
    {"slug": "gpt-internal-probe", "display_name": "Internal", "visibility": "none",
     "supported_in_api": False, "priority": 99, "context_window": 128000},
]}


def usage_reply(now: int) -> dict:
    return {"plan_type": "plus",
            "rate_limit": {"allowed": True, "limit_reached": False,
                           "primary_window": {"used_percent": 42, "limit_window_seconds": 18000,
                                              "reset_after_seconds": 3600, "reset_at": now + 3600},
                           "secondary_window": {"used_percent": 7.5,
                                                "limit_window_seconds": 604800,
                                                "reset_after_seconds": 3 * DAY}},
            "credits": {"has_credits": False, "unlimited": False, "balance": None}}


class FakeBackend:
    """A ChatGPT backend stand-in. ``replies`` maps a path to (status, JSON body) or a callable
    returning it; every request is recorded in ``requests`` as dicts."""

    def __init__(self):
        self.requests: list = []
        self.replies: dict = {}
        backend = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 10                       # a stalled client cannot hold the thread

            def do_GET(self):
                parsed = urllib.parse.urlsplit(self.path)
                backend.requests.append({"method": "GET", "path": parsed.path,
                                         "query": urllib.parse.parse_qs(parsed.query),
                                         "headers": {k.lower(): v for k, v in self.headers.items()}})
                reply = backend.replies.get(parsed.path, (404, {"detail": "Not Found"}))
                status, body = reply() if callable(reply) else reply
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 0.2
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backend-api"
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        deadline = time.monotonic() + LIFETIME
        while (not self._stop.is_set() and time.monotonic() < deadline
               and len(self.requests) < MAX_REQUESTS):
            self.server.handle_request()      # returns after server.timeout without a request
        self.server.server_close()

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=5)

    def paths(self) -> list:
        return [r["path"] for r in self.requests]


@pytest.fixture
def backend(monkeypatch):
    fake = FakeBackend()
    fake.replies["/backend-api/codex/models"] = (200, MODELS_REPLY)
    fake.replies["/backend-api/wham/usage"] = lambda: (200, usage_reply(int(time.time())))
    monkeypatch.setenv(check.BACKEND_VARIABLE, fake.url)
    yield fake
    fake.stop()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Home:
    monkeypatch.delenv(XDG_DATA_HOME, raising=False)
    monkeypatch.delenv(CREDENTIALS_PATH_VARIABLE, raising=False)
    return Home(tmp_path)


def plugin_headers(home: Home) -> dict:
    """The custom_headers of the plugin's credentials answer: what tark adds to every model
    request (ChatGPT-Account-Id and the plugin's Codex identity)."""
    host = TarkHost.load(home.plugin_dir, home.path, stdio="capture",
                         data_dir=home.plugin_dir.parent / "scratch-data")
    rc, creds = host.credentials()
    assert rc > 0, host.logs
    return creds["custom_headers"]


def plugin_version(home: Home) -> str:
    """The Codex client version the plugin states (its ``version`` header)."""
    version = check.header(plugin_headers(home), check.VERSION_HEADER)
    assert version, "the plugin states no client version"
    return version


def bundled_ids(home: Home) -> list:
    """What the plugin's provider_models export answers, asked through tark_host."""
    host = TarkHost.load(home.plugin_dir, home.path, stdio="capture",
                         data_dir=home.plugin_dir.parent / "scratch-data")
    return [m["id"] for m in host.provider_models()]


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}/backend-api"


def no_secret(home: Home, out: str) -> None:
    home.assert_nothing_secret_in(out)
    assert not find_leaks([("output", out)], set(home.tokens))


# --------------------------------------------------------------------------------------------
# --models
# --------------------------------------------------------------------------------------------

def test_models_lists_the_visible_models_in_priority_order(home, backend):
    login = home.login(ACCOUNT)
    code, out = home.check("--models")
    assert code == 0, out
    assert backend.paths() == ["/backend-api/codex/models"], "one request, nothing else"
    listed = line(out, "Models your plan offers now")
    assert "2 listed" in listed and "client_version=" + plugin_version(home) in listed
    sol, five = line(out, "  gpt-5.6-sol"), line(out, "  gpt-5.5")
    assert "GPT-5.6-Sol" in sol and "context 372,000 tokens" in sol
    assert "GPT-5.5" in five and "context 272,000 tokens" in five
    assert out.index("  gpt-5.6-sol") < out.index("  gpt-5.5"), "priority 1 before 7"
    assert "codex-auto-review" not in out and "gpt-internal-probe" not in out, \
        "visibility hide / none are not offered"
    assert "2 more the server marks hidden" in out
    assert f"tark --provider {PLUGIN_NAME} --model <slug> tui" in out
    # each model the plugin lists that the server does not serve is marked
    served = {m["slug"] for m in MODELS_REPLY["models"]}
    for model_id in bundled_ids(home):
        if model_id not in served:
            assert "not in ChatGPT's list" in line(out, f"    UNREACHABLE {model_id}:")
        else:
            assert f"UNREACHABLE {model_id}:" not in out
    no_secret(home, out)
    assert login["access_token"] not in out


@pytest.mark.parametrize("option, path", [("--models", "/backend-api/codex/models"),
                                          ("--usage", "/backend-api/wham/usage")])
def test_the_check_sends_the_identity_the_plugin_hands_tark(home, backend, option, path):
    """The bearer and every header of the plugin's answer (account, originator, version,
    User-Agent), verbatim, as tark sends them; Accept; nothing of the check's own."""
    login = home.login(ACCOUNT)
    code, out = home.check(option)
    assert code == 0, out
    (req,) = backend.requests
    assert req["path"] == path
    h = req["headers"]
    assert h["authorization"] == "Bearer " + login["access_token"], "the token the plugin hands tark"
    answered = {k.lower(): v for k, v in plugin_headers(home).items()}
    assert answered["chatgpt-account-id"] == ACCOUNT
    for name, value in answered.items():
        if name == SESSION_HEADER:         # one random id a provider init: another load, another id
            assert re.fullmatch(r"[0-9a-f-]{36}", h.get(name, "")), h.get(name)
            continue
        assert h.get(name) == value, f"{name}: the plugin answers {value!r}, the check sent {h.get(name)!r}"
    if option == "--models":
        assert req["query"] == {"client_version": [plugin_version(home)]}
    transport = {"host", "accept-encoding", "connection", "content-length"}
    assert set(h) - transport == set(answered) | {"authorization", "accept"}, "nothing else"
    assert backend.url in out, "the test backend is named, so nobody mistakes it for ChatGPT"
    no_secret(home, out)


def test_the_client_version_is_a_recent_codex_release(home):
    """The version the plugin states (and the check sends as client_version): an old one hides
    the newer models."""
    home.login(ACCOUNT)
    major, minor, *_ = map(int, plugin_version(home).split("."))
    assert (major, minor) >= (0, 160)


@pytest.mark.parametrize("status, needle", [(401, "HTTP 401, the login is not accepted"),
                                            (403, "HTTP 403"),
                                            (500, "HTTP 500, a server error")])
def test_a_refused_model_list_prints_one_line_and_the_bundled_list(home, backend, status, needle):
    home.login(ACCOUNT)
    backend.replies["/backend-api/codex/models"] = (status, {"detail": "nope"})
    code, out = home.check("--models")
    assert code == 1, out
    failure = [l for l in out.splitlines() if l.startswith("Models:")]
    assert len(failure) == 1 and needle in failure[0] and "(server: nope)" in failure[0], out
    assert "Traceback" not in out
    bundled = bundled_ids(home)
    assert bundled, "the plugin answers a bundled list"
    assert line(out, "The plugin's bundled list (provider_models)")
    for model_id in bundled:
        assert line(out, f"  {model_id} ")
    no_secret(home, out)


def test_offline_prints_one_line_and_the_bundled_list(home, monkeypatch):
    home.login(ACCOUNT)
    monkeypatch.setenv(check.BACKEND_VARIABLE, closed_port_url())
    code, out = home.check("--models")
    assert code == 1, out
    failure = line(out, "Models: ChatGPT did not answer the model list: no answer (")
    assert "offline, or the host is unreachable" in failure
    for model_id in bundled_ids(home):
        assert line(out, f"  {model_id} ")
    no_secret(home, out)


def test_without_a_login_nothing_is_sent_and_the_bundled_list_is_shown(home, backend):
    code, out = home.check("--models")
    assert code == 1, out
    assert backend.requests == [], "no token: no request"
    assert line(out, "Models: not asked, the plugin has no usable token: "
                     "provider_auth_credentials returned -1")
    for model_id in bundled_ids(home):
        assert line(out, f"  {model_id} ")


def test_an_expiring_token_is_not_refreshed_without_refresh(home, backend):
    home.login(ACCOUNT, exp_in=-3600)
    code, out = home.check("--models")
    assert code == 1, out
    assert backend.requests == []
    assert "rerun with --refresh" in line(out, "Models: not asked")
    no_secret(home, out)


def test_a_backend_override_must_be_https_or_loopback(home, monkeypatch):
    home.login(ACCOUNT)
    monkeypatch.setenv(check.BACKEND_VARIABLE, "http://example.com/backend-api")
    code, out = home.check("--models")
    assert code == 1
    assert line(out, "RESULT: not asked: " + check.BACKEND_VARIABLE + " must be an https:// URL")


def test_a_garbled_model_list_falls_back_to_the_bundled_list(home, backend):
    home.login(ACCOUNT)
    backend.replies["/backend-api/codex/models"] = (200, b"<html>not json</html>")
    code, out = home.check("--models")
    assert code == 1, out
    assert line(out, "Models: ChatGPT did not answer the model list: the reply is not JSON")
    assert line(out, "The plugin's bundled list (provider_models)")


# --------------------------------------------------------------------------------------------
# --usage
# --------------------------------------------------------------------------------------------

def local(seconds: int) -> str:
    return f"{dt.datetime.fromtimestamp(seconds).astimezone():%Y-%m-%d %H:%M:%S %Z}"


def test_usage_prints_the_plan_and_its_windows(home, backend):
    login = home.login(ACCOUNT)
    now = int(time.time())
    code, out = home.check("--usage")
    assert code == 0, out
    assert backend.paths() == ["/backend-api/wham/usage"]
    h = backend.requests[0]["headers"]
    assert h["authorization"] == "Bearer " + login["access_token"]
    assert h["chatgpt-account-id"] == ACCOUNT
    assert line(out, "  Plan").split() == ["Plan", "plus"]
    primary = line(out, "  primary (5-hour window)")
    assert "42% used" in primary and "resets " in primary
    assert "(in 59m)" in primary or "(in 1h 0m)" in primary
    assert local(now + 3600)[:13] in primary, "reset_at as local time"
    secondary = line(out, "  secondary (7-day window)")
    assert "7.5% used" in secondary
    assert "(in 2d 23h" in secondary or "(in 3d 0h" in secondary
    assert "limit reached" not in out
    no_secret(home, out)


def test_usage_says_when_a_limit_is_reached(home, backend):
    home.login(ACCOUNT)
    reply = usage_reply(int(time.time()))
    reply["rate_limit"].update(limit_reached=True, allowed=False)
    reply["rate_limit"]["primary_window"]["used_percent"] = 100
    backend.replies["/backend-api/wham/usage"] = (200, reply)
    code, out = home.check("--usage")
    assert code == 0, out
    assert "100% used" in line(out, "  primary")
    assert line(out, "  limit reached: requests are refused until the window resets")


@pytest.mark.parametrize("status", [401, 403, 500])
def test_usage_unavailable_is_one_clear_line(home, backend, status):
    home.login(ACCOUNT)
    backend.replies["/backend-api/wham/usage"] = (status, {"error": {"message": "denied"}})
    code, out = home.check("--usage")
    assert code == 1, out
    failure = [l for l in out.splitlines() if l.startswith("Usage")]
    assert failure == [line(out, f"Usage: ChatGPT did not answer the usage request: HTTP {status}")]
    assert "(server: denied)" in failure[0]
    assert "Traceback" not in out
    no_secret(home, out)


def test_usage_offline_is_one_clear_line(home, monkeypatch):
    home.login(ACCOUNT)
    monkeypatch.setenv(check.BACKEND_VARIABLE, closed_port_url())
    code, out = home.check("--usage")
    assert code == 1, out
    assert "offline, or the host is unreachable" in line(out, "Usage: ChatGPT did not answer")
    no_secret(home, out)


def test_models_and_usage_together(home, backend):
    home.login(ACCOUNT)
    code, out = home.check("--models", "--usage")
    assert code == 0, out
    assert backend.paths() == ["/backend-api/codex/models", "/backend-api/wham/usage"]
    assert line(out, "Models your plan offers now") and line(out, "Usage (GET ")
    no_secret(home, out)


def test_a_token_echoed_by_the_server_is_redacted(home, backend):
    """Even if an error reply quoted the bearer back, the output shows it shortened."""
    login = home.login(ACCOUNT)
    token = login["access_token"]
    backend.replies["/backend-api/codex/models"] = (401, {"detail": f"bad token {token}"})
    code, out = home.check("--models")
    assert code == 1
    assert "bad token" in out and token not in out
    no_secret(home, out)


def test_the_plain_check_sends_nothing_to_the_backend(home, backend):
    home.login(ACCOUNT, exp_in=10 * DAY)
    code, out = home.check()
    assert code == 0, out
    assert backend.requests == []
    assert "Models" not in out and "Usage" not in out


def served(ids) -> dict:
    """A model list serving ``ids`` (visibility list, minimal client version 0.1.0)."""
    return {"models": [{"slug": m, "display_name": m.upper(), "visibility": "list", "priority": n,
                        "context_window": 272000, "minimal_client_version": "0.1.0"}
                       for n, m in enumerate(ids)]}


def test_models_marks_the_plugins_models_this_version_cannot_reach(home, backend):
    """One of the plugin's models needs a newer client than the plugin states, one is absent from
    the server's list: both marked, with the reason and, for the floor, the override to try."""
    home.login(ACCOUNT)
    bundled = bundled_ids(home)
    assert len(bundled) >= 3
    too_new, absent = bundled[0], bundled[1]
    reply = served([m for m in bundled if m != absent])
    for m in reply["models"]:
        if m["slug"] == too_new:
            m["minimal_client_version"] = "99.1.0"
    backend.replies["/backend-api/codex/models"] = (200, reply)
    code, out = home.check("--models")
    assert code == 0, out
    version = plugin_version(home)
    floor = line(out, f"    UNREACHABLE {too_new}:")
    assert f"needs client version 99.1.0 or later, the plugin states {version}" in floor
    assert f"set {CODEX_VERSION_VARIABLE}=99.1.0 where tark runs" in floor
    assert "not in ChatGPT's list" in line(out, f"    UNREACHABLE {absent}:")
    assert "(needs client version 99.1.0" in line(out, f"  {too_new} "), "the listed row says so too"
    for ok in bundled[2:]:
        assert f"UNREACHABLE {ok}:" not in out


def test_models_says_when_every_model_of_the_plugin_is_served(home, backend):
    home.login(ACCOUNT)
    backend.replies["/backend-api/codex/models"] = (200, served(bundled_ids(home)))
    code, out = home.check("--models")
    assert code == 0, out
    assert line(out, f"  Every model the plugin lists is served to client version {plugin_version(home)}.")
    assert "UNREACHABLE" not in out


def test_the_version_override_reaches_the_model_list_request(home, backend, monkeypatch):
    """CHATGPT_OAUTH_CODEX_VERSION changes what the plugin states, and so what the check sends:
    the check follows the plugin, it has no version of its own."""
    home.login(ACCOUNT)
    monkeypatch.setenv(CODEX_VERSION_VARIABLE, "0.170.2")
    code, out = home.check("--models")
    assert code == 0, out
    (req,) = backend.requests
    assert req["query"] == {"client_version": ["0.170.2"]}
    assert req["headers"]["version"] == "0.170.2"
    assert "0.170.2" in req["headers"]["user-agent"]
