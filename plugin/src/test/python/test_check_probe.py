"""check.py --probe (issue 25) against a strict fake Codex backend on 127.0.0.1.

The fake judges every model request with ``codex_rules`` (the strict backend's rules, one place)
and refuses the way the public reports quote ChatGPT; an accepted request gets an event stream.
Rules the probe's own request cannot break (it is tark's request, built by ``tark_request``) are
exercised by letting the fake judge a doctored copy of the request (``doctor``), or answer a
scripted refusal (``scripted``): the answer is then still the one ``codex_rules`` gives for that
rule. Its model list answers the served models of ``codex_rules.MODELS`` a client version reaches.

Each test checks the one line the probe prints for the model (accepted with its first words and
time to first token, or refused with the status, the backend's message, the rule and the fix),
the exit code, and that no piece of a token was printed.
"""

import datetime as dt
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chatgpt_oauth_tools import probe, tark_host, tark_request
from chatgpt_oauth_tools.chatgpt_backend import BACKEND_VARIABLE
from chatgpt_oauth_tools.check import cli as check
from chatgpt_oauth_tools.facts import CODEX_VERSION_VARIABLE, ORIGINATOR_VARIABLE, SESSION_HEADER
import codex_rules
from conftest import CREDENTIALS_PATH_VARIABLE, REPO, XDG_DATA_HOME, find_leaks
from test_check import Home, line

ACCOUNT = "acct-probe"
REPLY_WORDS = "ready"
LIFETIME = 120.0


class StrictBackend:
    """ChatGPT's Codex backend as codex_rules has it: POST /backend-api/codex/responses judged
    (``doctor(headers, body) -> (headers, body)`` alters what is judged), GET
    /backend-api/codex/models for a client version. ``scripted``: (status, headers, body) answered
    to the next model requests instead. ``stream``: how an accepted request's events come:
    "whole" (then the rest after ``tail_pause`` s), "cut" (the connection closes after the first
    event), "slow" (a keep-alive comment every 0.2 s, never a delta), or a list of events."""

    def __init__(self):
        self.bearers = codex_rules.Bearers()
        self.requests: list = []
        self.doctor = None
        self.scripted = None
        self.stream = "whole"
        self.tail_pause = 0.0
        self.closed_early = threading.Event()
        self.stop_event = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                fake.requests.append({"method": "GET", "path": parts.path, "query": parts.query,
                                      "headers": list(self.headers.items())})
                if parts.path != "/backend-api/codex/models":
                    return self.reply(404, [("Content-Type", "application/json")], b'{"detail":"Not Found"}')
                version = urllib.parse.parse_qs(parts.query).get("client_version", [None])[0]
                models = [{"slug": m.slug, "display_name": m.slug.upper(), "visibility": "list",
                           "priority": n, "context_window": 272000,
                           "minimal_client_version": m.minimal_client_version}
                          for n, m in enumerate(codex_rules.served_models())
                          if codex_rules.version_at_least(version, m.minimal_client_version)]
                self.reply(200, [("Content-Type", "application/json")], json.dumps({"models": models}).encode())

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                headers = list(self.headers.items())
                fake.requests.append({"method": "POST", "path": self.path, "headers": headers,
                                      "body": body, "at": time.monotonic()})
                if fake.scripted is not None:
                    return self.reply(*fake.scripted)
                judged_headers, judged_body = fake.doctor(headers, body) if fake.doctor else (headers, body)
                refusal = codex_rules.judge("POST", self.path, judged_headers, judged_body, fake.bearers)
                if refusal is not None:
                    return self.reply(refusal.status, [("Content-Type", refusal.content_type),
                                                       *refusal.headers], refusal.body.encode())
                self.events(json.loads(body))

            def reply(self, status, headers, body: bytes):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def events(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                created = ("response.created", {"type": "response.created",
                                                "response": {"id": "resp_1", "status": "in_progress"}})
                delta = ("response.output_text.delta", {"type": "response.output_text.delta",
                                                        "delta": REPLY_WORDS})
                done = ("response.completed", {"type": "response.completed",
                                               "response": {"id": "resp_1", "status": "completed"}})
                try:
                    if isinstance(fake.stream, list):
                        self.send_events(fake.stream)
                    elif fake.stream == "cut":
                        self.send_events([created])
                    elif fake.stream == "slow":
                        self.send_events([created])
                        start = time.monotonic()
                        while not fake.stop_event.is_set() and time.monotonic() - start < 20:
                            self.wfile.write(b": still thinking\n\n")
                            self.wfile.flush()
                            time.sleep(0.2)
                    else:
                        self.send_events([created, delta])
                        if fake.stop_event.wait(fake.tail_pause):
                            return
                        self.send_events([delta, done])
                except OSError:
                    fake.closed_early.set()      # the probe hung up after what it needed

            def send_events(self, events):
                for name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backend-api"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.timer = threading.Timer(LIFETIME, self.close)
        self.timer.daemon = True
        self.timer.start()

    def close(self):
        self.stop_event.set()
        self.timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def model_posts(self) -> list:
        return [r for r in self.requests if r["method"] == "POST"]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Home:
    monkeypatch.delenv(XDG_DATA_HOME, raising=False)
    monkeypatch.delenv(CREDENTIALS_PATH_VARIABLE, raising=False)
    monkeypatch.delenv(CODEX_VERSION_VARIABLE, raising=False)
    monkeypatch.delenv(ORIGINATOR_VARIABLE, raising=False)
    return Home(tmp_path)


@pytest.fixture
def strict(monkeypatch):
    fake = StrictBackend()
    monkeypatch.setenv(BACKEND_VARIABLE, fake.url)
    yield fake
    fake.close()


def logged_in(home: Home, strict: StrictBackend, account: str = ACCOUNT, accepted_for: str = ACCOUNT,
              **kwargs) -> dict:
    """A login whose access token the fake accepts (for ``accepted_for``; None: not at all)."""
    doc = home.login(account, **kwargs)
    if accepted_for is not None:
        strict.bearers.accept(doc["access_token"], accepted_for)
    return doc


def plugin_models(home: Home) -> list:
    host = tark_host.TarkHost.load(home.plugin_dir, home.path, stdio="capture",
                                   data_dir=home.plugin_dir.parent / "scratch-data")
    return [m["id"] for m in host.provider_models()]


def plugin_answer(home: Home) -> dict:
    host = tark_host.TarkHost.load(home.plugin_dir, home.path, stdio="capture",
                                   data_dir=home.plugin_dir.parent / "scratch-data")
    rc, creds = host.credentials()
    assert rc > 0, host.logs
    return creds


def probe_line(out: str, model: str) -> str:
    return line(out, f"  {model} ")


def no_token_in(home: Home, out: str) -> None:
    assert find_leaks([("output", out)], set(home.tokens)) == []


# --------------------------------------------------------------------------------------------
# Accepted
# --------------------------------------------------------------------------------------------

def test_an_accepted_turn_shows_the_first_words_and_the_time_to_first_token(home, strict):
    doc = logged_in(home, strict)
    strict.tail_pause = 5.0           # the rest of the answer comes late: the probe does not wait
    start = time.monotonic()
    code, out = home.check("--probe")
    took = time.monotonic() - start
    assert code == 0, out
    model = plugin_models(home)[0]
    accepted = probe_line(out, model)
    assert re.search(r"accepted +first token after \d+\.\d s: \"ready\"", accepted), accepted
    assert line(out, "Probe: 1 of 1 accepted.")
    assert "spends a tiny part of your plan's quota" in line(out, "Probe: POST ")
    assert took < 5.0, "the stream is closed after the first text delta"
    assert strict.closed_early.wait(8), "the probe hung up before the rest of the answer"
    no_token_in(home, out)
    assert doc["access_token"] not in out


def test_the_probe_sends_exactly_tarks_request(home, strict):
    """URL, headers (Content-Type, the bearer, every header the plugin answers, nothing else) and
    body are what tark_request builds from the plugin's answer."""
    logged_in(home, strict)
    model = plugin_models(home)[1]
    code, out = home.check("--probe", model)
    assert code == 0, out
    (sent,) = strict.model_posts()
    url, headers, body = tark_request.build_responses_request(plugin_answer(home), model, probe.PROMPT)
    assert url == "https://chatgpt.com/backend-api/codex/responses"
    assert sent["path"] == "/backend-api/codex/responses"
    assert json.loads(sent["body"]) == body
    assert body["stream"] is True and body["store"] is False and isinstance(body["input"], list)
    transport = {"host", "content-length", "accept-encoding", "connection"}
    received = [(k.lower(), v) for k, v in sent["headers"] if k.lower() not in transport]
    # the session id is one random id a provider init: the probe's load had its own
    session = [v for k, v in received if k == SESSION_HEADER]
    assert len(session) == 1 and re.fullmatch(r"[0-9a-f-]{36}", session[0]), session
    expected = [(k.lower(), v) for k, v in headers]
    assert sorted((k, v) for k, v in received if k != SESSION_HEADER) == \
        sorted((k, v) for k, v in expected if k != SESSION_HEADER)
    assert SESSION_HEADER in dict(expected)


def test_without_the_flag_nothing_is_probed(home, strict):
    logged_in(home, strict)
    for args in ([], ["--models"], ["--usage"], ["--models", "--usage"]):
        home.check(*args)
    assert strict.model_posts() == []


def test_the_default_model_is_the_one_the_readme_recommends(home):
    """Without MODEL the probe takes the plugin's first model: the README's recommendation."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    recommended = re.search(r"\(say `--model ([^`]+)`\)", readme).group(1)
    assert plugin_models(home)[0] == recommended


def test_help_says_a_probe_spends_quota(capsys):
    with pytest.raises(SystemExit):
        check.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--probe [MODEL | all]" in out
    assert "Each probe spends a tiny part of your plan's quota; nothing is probed without this option" in out


# --------------------------------------------------------------------------------------------
# Refusals, one rule each, diagnosed with their fix
# --------------------------------------------------------------------------------------------

def test_a_retired_model(home, strict):
    logged_in(home, strict)
    code, out = home.check("--probe", "gpt-5.4")
    assert code == 1
    refused = probe_line(out, "gpt-5.4")
    assert "REFUSED    HTTP 400, retired model, or one this plan is not offered:" in refused
    assert "\"The 'gpt-5.4' model is not supported when using Codex with a ChatGPT account.\"" in refused
    assert "fix: choose a model ChatGPT offers now (`chatgpt-oauth-check --models`)" in refused
    assert line(out, "Probe: 0 of 1 accepted.")


@pytest.mark.parametrize("model, version, quoted, floor", [
    ("gpt-6-astra", "0.150.0", "requires a newer version of Codex", "0.153.0"),
    ("gpt-6-sol", "0.150.0", "not supported when using Codex with a ChatGPT account", "0.155.0"),
    ("gpt-5.6-sol", "0.140.0", "Model not found gpt-5.6-sol", "0.142.2"),
])
def test_a_client_version_below_the_models_floor(home, strict, monkeypatch, model, version, quoted, floor):
    """Each way the reports say ChatGPT refuses a client that is too old; the fix names the
    override and the model's floor (from ChatGPT's own model list)."""
    logged_in(home, strict)
    monkeypatch.setenv(CODEX_VERSION_VARIABLE, version)
    code, out = home.check("--probe", model)
    assert code == 1
    refused = probe_line(out, model)
    assert ", client version too old:" in refused and quoted in refused, refused
    assert (f"fix: the model needs client version {floor} or later and the plugin states {version}:"
            f" set {CODEX_VERSION_VARIABLE}={floor}") in refused


def test_an_originator_chatgpt_does_not_serve(home, strict, monkeypatch):
    logged_in(home, strict)
    monkeypatch.setenv(ORIGINATOR_VARIABLE, "opencode")
    code, out = home.check("--probe", "gpt-5.6-luna")
    assert code == 1
    refused = probe_line(out, "gpt-5.6-luna")
    assert "HTTP 404, originator or User-Agent refused" in refused and "Model not found gpt-5.6-luna" in refused
    assert f"fix: the request said originator opencode; {ORIGINATOR_VARIABLE} sets it: unset it" in refused


def test_a_cloudflare_page(home, strict):
    logged_in(home, strict)
    strict.doctor = lambda headers, body: ([(k, v) for k, v in headers if k.lower() != "user-agent"], body)
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert "HTTP 403, Cloudflare page (a bot check in front of ChatGPT): \"Just a moment...\"" in refused
    assert "fix: the request carried the plugin's User-Agent and still met the page" in refused


@pytest.mark.parametrize("part, doctored", [
    ("stream", lambda b: dict(b, stream=False)),
    ("store", lambda b: {k: v for k, v in b.items() if k != "store"}),
    ("instructions", lambda b: {k: v for k, v in b.items() if k != "instructions"}),
    ("input", lambda b: dict(b, input="hello")),
])
def test_a_request_shape_chatgpt_refuses(home, strict, part, doctored):
    logged_in(home, strict)
    strict.doctor = lambda headers, body: (headers, json.dumps(doctored(json.loads(body))))
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert "HTTP 400, request shape refused:" in refused
    assert f"fix: ChatGPT now refuses tark's `{part}`: tark 0.12.6 builds that part" in refused


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_a_token_chatgpt_no_longer_takes(home, strict, state):
    doc = logged_in(home, strict, accepted_for=None)
    if state == "expired":            # the fake saw it expire; the plugin's clock still trusts it
        strict.bearers.accept(doc["access_token"], ACCOUNT, expires_at=time.time() - 60)
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert "HTTP 401, token expired or revoked: \"Unauthorized\"" in refused
    assert "fix: log in again: `tark auth chatgpt-oauth`" in refused
    no_token_in(home, out)


def test_a_plan_limit_with_its_reset_time(home, strict):
    logged_in(home, strict)
    resets_at = int(time.time()) + 3600
    strict.scripted = (429, [("Content-Type", "application/json")], json.dumps(
        {"error": {"type": "usage_limit_reached", "message": "The usage limit has been reached",
                   "plan_type": "plus", "resets_at": resets_at}}).encode())
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    local = dt.datetime.fromtimestamp(resets_at).astimezone()
    assert "HTTP 429, plan limit reached: \"The usage limit has been reached\"" in refused
    assert f"fix: wait until {local:%Y-%m-%d %H:%M %Z} (in " in refused
    assert "when the limit of the plus plan resets" in refused


def test_a_plan_limit_inside_the_stream(home, strict):
    logged_in(home, strict)
    strict.stream = [("response.created", {"type": "response.created"}),
                     ("response.failed", {"type": "response.failed", "response": {"status": "failed", "error": {
                         "type": "usage_limit_reached", "message": "The usage limit has been reached",
                         "resets_in_seconds": 7200}}})]
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert "HTTP 200, plan limit reached: \"The usage limit has been reached\"" in refused
    assert "(in 1h 59m)" in refused or "(in 2h 0m)" in refused


def test_an_account_header_the_login_may_not_use(home, strict):
    logged_in(home, strict, accepted_for="acct-someone-else")
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert "HTTP 403, account header (ChatGPT-Account-Id) refused: \"invalid_workspace_selected\"" in refused
    assert f"fix: the plugin sends ChatGPT-Account-Id: {ACCOUNT}, an account this login may not use" in refused


def test_a_server_error(home, strict):
    logged_in(home, strict)
    strict.scripted = (503, [("Content-Type", "application/json")], b'{"detail": "overloaded"}')
    code, out = home.check("--probe")
    assert code == 1
    assert "HTTP 503, server error: \"overloaded\"; fix: ChatGPT failed on its side" in \
        probe_line(out, plugin_models(home)[0])


def test_an_unknown_refusal_is_printed_as_it_came_marked_unknown(home, strict):
    logged_in(home, strict)
    strict.scripted = (418, [("Content-Type", "text/plain")], b"I'm a teapot\x1b[2J, short and stout")
    code, out = home.check("--probe")
    assert code == 1
    refused = probe_line(out, plugin_models(home)[0])
    assert ("HTTP 418, unknown rule (not one the check knows; printed as it came):"
            " \"I'm a teapot\\x1b[2J, short and stout\"") in refused
    assert "fix:" not in refused


def test_a_refusal_quoting_the_token_is_hidden_and_capped(home, strict):
    doc = logged_in(home, strict)
    strict.scripted = (400, [("Content-Type", "application/json")], json.dumps(
        {"detail": f"bad bearer {doc['access_token'][10:70]} " + "x" * 100000}).encode())
    code, out = home.check("--probe")
    assert code == 1
    no_token_in(home, out)
    assert "[token text hidden, 60 chars]" in out
    assert max(len(l) for l in out.splitlines()) < 600


# --------------------------------------------------------------------------------------------
# Streams that go wrong, and the deadline
# --------------------------------------------------------------------------------------------

def test_a_stream_that_stops_midway(home, strict):
    logged_in(home, strict)
    strict.stream = "cut"
    code, out = home.check("--probe")
    assert code == 1
    assert "NO ANSWER  the stream ended after 1 event(s), before any text" in \
        probe_line(out, plugin_models(home)[0])


def test_a_slow_stream_ends_at_the_deadline(home, strict, monkeypatch):
    logged_in(home, strict)
    strict.stream = "slow"
    monkeypatch.setattr(probe, "DEADLINE", 1.5)
    start = time.monotonic()
    code, out = home.check("--probe")
    took = time.monotonic() - start
    assert code == 1
    assert "NO ANSWER  no first token within 1.5 s" in probe_line(out, plugin_models(home)[0])
    assert took < 1.5 + 5, f"took {took:.1f} s"


# --------------------------------------------------------------------------------------------
# all
# --------------------------------------------------------------------------------------------

def test_all_probes_the_plugins_models_and_chatgpts_list_one_line_each(home, strict, monkeypatch):
    """A mixed list: the version override below gpt-6's floor, so those are refused; the fake's
    list adds gpt-5.5, which the plugin does not list."""
    logged_in(home, strict)
    monkeypatch.setenv(CODEX_VERSION_VARIABLE, "0.150.0")
    code, out = home.check("--probe", "all")
    assert code == 1, out
    ours = plugin_models(home)
    listed = [m.slug for m in codex_rules.served_models()
              if codex_rules.version_at_least("0.150.0", m.minimal_client_version)]
    probed = list(dict.fromkeys(ours + listed))
    assert "gpt-5.5" in probed and "gpt-5.5" not in ours
    for model in probed:
        l = probe_line(out, model)
        floor = codex_rules.model(model).minimal_client_version
        if codex_rules.version_at_least("0.150.0", floor):
            assert "accepted" in l, l
        else:
            assert "client version too old" in l and f"{CODEX_VERSION_VARIABLE}={floor}" in l, l
    accepted = sum(codex_rules.version_at_least("0.150.0", codex_rules.model(m).minimal_client_version)
                   for m in probed)
    assert line(out, f"Probe: {accepted} of {len(probed)} accepted.")
    assert len(strict.model_posts()) == len(probed), "one request a model"
    no_token_in(home, out)


def test_all_stops_at_its_bound(home, strict, monkeypatch):
    logged_in(home, strict)
    monkeypatch.setattr(probe, "PROBED_AT_MOST", 2)
    code, out = home.check("--probe", "all")
    assert code == 0, out
    assert len(strict.model_posts()) == 2
    assert line(out, "  … and ")


def test_without_a_login_nothing_is_sent(home, strict):
    code, out = home.check("--probe", "all")
    assert code == 1
    assert line(out, "Probe: not sent, the plugin has no usable token:")
    assert strict.requests == []
