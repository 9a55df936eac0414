"""check.py against a hostile ChatGPT backend (issue 23, "The check tool trusts ChatGPT's replies").

A server may send anything: control characters that rewrite the terminal, numbers that are not
numbers, shapes that are not the documented ones, pieces of the token it was sent, a list of
60,000 models, a reply that trickles one byte a second. Whatever it sends, the check prints
bounded, escaped lines with no piece of a token, ends within its deadline, and exits with the
documented code, never a traceback.
"""

import base64
import http.server
import json
import random
import re
import string
import threading
import time

import pytest

import bounded_http
import check
import printable
from conftest import LEAK_WINDOW, find_leaks
from test_check import line
from test_check_backend import ACCOUNT, MODELS_REPLY, backend, home, usage_reply  # noqa: F401  fixtures

# Every character class a terminal obeys: ESC (CSI, OSC-8 hyperlink, title), BEL, BS, CR, a C1
# CSI, NEL, DEL, a right-to-left override, a line separator.
HOSTILE = ("\x1b[2J\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\x07\x08\x08\rrewritten"
           "\x9b31m\x85\x7f\u202eevil\u2028")


def obeyed(text: str) -> list:
    """The characters in printed text a terminal would act on (a line end between lines aside)."""
    return sorted({hex(ord(c)) for c in text
                   if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0
                   or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"})


def pieces_of(tokens, text: str, size: int = 16) -> list:
    """Every ``size``-character piece of a token that the text holds."""
    return [t[i:i + size] for t in tokens for i in range(len(t) - size + 1) if t[i:i + size] in text]


# --------------------------------------------------------------------------------------------
# The helper itself
# --------------------------------------------------------------------------------------------

def test_visible_escapes_what_a_terminal_obeys_and_keeps_the_rest():
    shown = printable.visible(HOSTILE + "\ud800 café 中文 ✓")
    assert obeyed(shown) == []
    for escaped in ("\\x1b[2J", "\\x07", "\\x08", "\\x0d", "\\x9b", "\\x85", "\\x7f", "\\u202e",
                    "\\u2028", "\\ud800"):
        assert escaped in shown
    assert shown.endswith(" café 中文 ✓"), "ordinary text is left alone"
    shown.encode("utf-8")                 # a lone surrogate would make printing raise


def test_the_redactor_hides_every_piece_of_a_held_token_in_its_usual_encodings():
    red = printable.Redactor()
    token = base64.urlsafe_b64encode(bytes(range(200))).decode().rstrip("=")
    red.add(token)
    middle = token[70:130]
    percent_token = "a/b+c=" * 10
    red.add(percent_token)
    for text in (f"bad token {middle} here", token[:40] + " | " + token[40:80],
                 json.dumps({"detail": middle}), middle.translate(str.maketrans("-_", "+/")),
                 percent_token.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")):
        shown = red(text)
        assert pieces_of([token, percent_token], shown, printable.PIECE) == [], shown
        assert "[token text hidden, " in shown
    assert red("nothing secret here") == "nothing secret here"
    # a piece shorter than PIECE is not a secret's piece: text around it stays readable
    assert red(f"x{token[:printable.PIECE - 1]}y") == f"x{token[:printable.PIECE - 1]}y"


def test_the_redactor_leaves_no_piece_in_random_mixtures():
    """Texts made of random slices of several tokens, joined by other text: no PIECE-character
    piece of any token survives, and the text between is kept."""
    rng = random.Random(23)
    alphabet = string.ascii_letters + string.digits + "-_"
    tokens = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(40, 400))) for _ in range(3)]
    red = printable.Redactor()
    for t in tokens:
        red.add(t)
    for _ in range(300):
        parts = []
        for _ in range(rng.randrange(1, 6)):
            t = rng.choice(tokens)
            a = rng.randrange(len(t))
            parts.append(t[a:a + rng.randrange(1, 80)])
            parts.append(rng.choice([" ", " | ", "§", "x", ""]))
        shown = red("".join(parts))
        assert pieces_of(tokens, shown, printable.PIECE) == [], shown


def test_the_redactor_stays_small_and_fast_with_a_huge_or_degenerate_token():
    red = printable.Redactor()
    red.add("A" * 10 ** 6)
    red.add(base64.urlsafe_b64encode(bytes(range(256)) * 3000).decode())
    start = time.monotonic()
    shown = red("A" * 1500 + " and " + "B" * 20)
    assert time.monotonic() - start < 2
    assert shown == "[token text hidden, 1500 chars] and " + "B" * 20


def test_the_redactor_finds_tokens_in_nested_documents_and_forms():
    red = printable.Redactor()
    red.add_from_text(json.dumps({"tokens": {"refresh_token": "rt_" + "A" * 40, "id_token": "i" * 30}}))
    red.add_from_text("grant_type=refresh_token&refresh_token=rt_%2F" + "B" * 30)
    shown = red("x " + "A" * 20 + " " + "i" * 20 + " /" + "B" * 20)
    assert "A" * printable.PIECE not in shown and "i" * printable.PIECE not in shown
    assert "B" * printable.PIECE not in shown


def test_the_printer_caps_a_line():
    lines = []
    printable.Printer(lines.append)("x" * 10 ** 6)
    assert len(lines[0]) < printable.LINE_LIMIT + 40 and lines[0].endswith("chars)")


# --------------------------------------------------------------------------------------------
# Control characters from the server never reach the terminal
# --------------------------------------------------------------------------------------------

def hostile_models() -> dict:
    models = json.loads(json.dumps(MODELS_REPLY))
    models["models"][0]["slug"] = "gpt-5.5" + HOSTILE
    models["models"][0]["display_name"] = HOSTILE
    return models


def test_model_names_are_printed_escaped(home, backend):
    home.login(ACCOUNT)
    backend.replies["/backend-api/codex/models"] = (200, hostile_models())
    code, out = home.check("--models")
    assert code == 0, out
    assert obeyed(out) == []
    assert "gpt-5.5\\x1b[2J\\x1b]8;;https://evil.example/" in out


def test_usage_texts_are_printed_escaped(home, backend):
    home.login(ACCOUNT)
    reply = usage_reply(int(time.time()))
    reply["plan_type"] = "plus" + HOSTILE
    reply["credits"] = {"has_credits": True, "balance": "12" + HOSTILE}
    reply["additional_rate_limits"] = [{"limit_name": "codex" + HOSTILE,
                                        "rate_limit": reply["rate_limit"]}]
    backend.replies["/backend-api/wham/usage"] = (200, reply)
    code, out = home.check("--usage")
    assert code == 0, out
    assert obeyed(out) == []
    assert "plus\\x1b[2J" in line(out, "  Plan")
    assert "12\\x1b[2J" in line(out, "  Credits")
    assert line(out, "  codex\\x1b[2J")


@pytest.mark.parametrize("path", ["/backend-api/codex/models", "/backend-api/wham/usage"])
def test_an_error_detail_is_printed_escaped(home, backend, path):
    home.login(ACCOUNT)
    backend.replies[path] = (401, {"detail": "expired" + HOSTILE})
    code, out = home.check("--models", "--usage")
    assert code == 1
    assert obeyed(out) == []
    assert "(server: expired\\x1b[2J" in out


def test_a_hostile_backend_variable_is_printed_escaped(home, monkeypatch):
    home.login(ACCOUNT)
    monkeypatch.setenv(check.BACKEND_VARIABLE, "http://evil.example/\x1b]0;owned\x07")
    code, out = home.check("--models")
    assert code == 1
    assert obeyed(out) == [] and "\\x1b]0;owned\\x07" in out


# --------------------------------------------------------------------------------------------
# --usage: numbers that are not numbers, shapes that are not the documented ones
# --------------------------------------------------------------------------------------------

def raw_usage(**window_values) -> bytes:
    """The usage reply with the primary window's values replaced by raw JSON text (NaN,
    Infinity, 1e400 are not JSON, but Python's parser and some servers take them)."""
    reply = usage_reply(int(time.time()))
    marks = {}
    for n, (key, raw) in enumerate(window_values.items()):
        marks[f"@@{n}@@"] = raw
        reply["rate_limit"]["primary_window"][key] = f"@@{n}@@"
    text = json.dumps(reply)
    for mark, raw in marks.items():
        text = text.replace(f'"{mark}"', raw)
    return text.encode()


@pytest.mark.parametrize("key", ["reset_at", "reset_after_seconds", "used_percent",
                                 "limit_window_seconds"])
@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400",
                                 "1" + "0" * 400, '"soon"', "true", "[]", "{}"])
def test_usage_with_a_malformed_number_names_it_and_exits_1(home, backend, key, raw):
    home.login(ACCOUNT)
    backend.replies["/backend-api/wham/usage"] = (200, raw_usage(**{key: raw}))
    code, out = home.check("--usage")
    assert "Traceback" not in out
    assert code == 1, out
    doubt = line(out, "Usage: values the check cannot read")
    assert f"rate_limit.primary_window.{key}" in doubt
    assert line(out, "  primary"), "the rest of the reply is still shown"
    assert line(out, "  secondary (7-day window)")


def test_usage_with_a_reset_beyond_any_date_says_so(home, backend):
    home.login(ACCOUNT)
    backend.replies["/backend-api/wham/usage"] = (200, raw_usage(reset_at="1e300"))
    code, out = home.check("--usage")
    assert "Traceback" not in out and code == 1, out
    assert "(not a date)" in line(out, "  primary")


@pytest.mark.parametrize("extras", ["5", '"x"', "[5, null, []]", '{"a": 1}',
                                    '[{"limit_name": "x", "rate_limit": 7}]',
                                    '[{"limit_name": "x", "rate_limit": {"primary_window": 3}}]'])
def test_usage_with_malformed_additional_limits_exits_1_with_one_line(home, backend, extras):
    home.login(ACCOUNT)
    reply = json.dumps(usage_reply(int(time.time()))).replace(
        '"credits"', f'"additional_rate_limits": {extras}, "credits"')
    backend.replies["/backend-api/wham/usage"] = (200, reply.encode())
    code, out = home.check("--usage")
    assert "Traceback" not in out
    if extras == "[5, null, []]":         # entries that are not objects are simply not limits
        assert code == 0, out
        return
    assert code == 1, out
    assert "additional_rate_limits" in line(out, "Usage: values the check cannot read")
    assert line(out, "  primary (5-hour window)"), "the documented windows are still shown"


@pytest.mark.parametrize("body", [b"[1, 2]", b"nul", b"[" * 100000 + b"]" * 100000,
                                  b'{"plan_type": ' + b"9" * 5000 + b"}", b"\xff\xfe"])
def test_usage_with_an_unreadable_document_is_one_line(home, backend, body):
    home.login(ACCOUNT)
    backend.replies["/backend-api/wham/usage"] = (200, body)
    code, out = home.check("--usage")
    assert "Traceback" not in out and code == 1, out
    assert [l for l in out.splitlines() if l.startswith("Usage")] == \
        [line(out, "Usage: ChatGPT did not answer the usage request: the reply is not")]


@pytest.mark.parametrize("value", ["NaN", "1e400", '"big"', "true", "-5", "1" + "0" * 400])
def test_models_with_a_malformed_number_still_list(home, backend, value):
    home.login(ACCOUNT)
    text = json.dumps(MODELS_REPLY).replace('"context_window": 372000', f'"context_window": {value}')
    text = text.replace('"priority": 1,', f'"priority": {value},')
    backend.replies["/backend-api/codex/models"] = (200, text.encode())
    code, out = home.check("--models")
    assert "Traceback" not in out and code == 0, out
    assert "context unknown" in line(out, "  gpt-5.6-sol")


# --------------------------------------------------------------------------------------------
# No piece of any token the check holds, whatever field a server puts it in
# --------------------------------------------------------------------------------------------

def assert_no_piece(home, out: str) -> None:
    assert pieces_of(home.tokens, out) == [], "a 16-character piece of a token was printed"
    assert find_leaks([("output", out)], set(home.tokens)) == [], \
        f"a {LEAK_WINDOW}-character piece of a token was printed"


@pytest.mark.parametrize("which", ["access_token", "refresh_token", "id_token"])
def test_a_slice_of_a_token_in_an_error_detail_is_hidden(home, backend, which):
    """The access token was sent; the refresh and id tokens are the login's, which the check
    holds too (a server may have them from elsewhere)."""
    token = home.login(ACCOUNT)[which]
    backend.replies["/backend-api/codex/models"] = (401, {"detail": f"bad token {token[5:45]}!"})
    code, out = home.check("--models")
    assert code == 1
    assert "(server: bad token [token text hidden, 40 chars]!)" in out
    assert_no_piece(home, out)


def test_a_token_split_across_a_slug_and_a_display_name_is_hidden(home, backend):
    token = home.login(ACCOUNT)["access_token"]
    models = json.loads(json.dumps(MODELS_REPLY))
    models["models"][1]["slug"] = token[:40]
    models["models"][1]["display_name"] = token[40:80]
    models["models"][0]["slug"] = token.split(".")[1][:30]       # the JWT's payload segment
    models["models"][0]["display_name"] = token.split(".")[2][-30:]   # its signature
    backend.replies["/backend-api/codex/models"] = (200, models)
    code, out = home.check("--models")
    assert code == 0, out
    assert_no_piece(home, out)
    assert out.count("[token text hidden,") >= 4


def test_a_token_slice_as_a_limit_name_or_plan_is_hidden(home, backend):
    doc = home.login(ACCOUNT)
    reply = usage_reply(int(time.time()))
    reply["plan_type"] = doc["id_token"][10:50]
    reply["additional_rate_limits"] = [{"limit_name": doc["access_token"][-50:],
                                        "rate_limit": reply["rate_limit"]},
                                       {"metered_feature": doc["refresh_token"][3:],
                                        "rate_limit": reply["rate_limit"]}]
    reply["credits"] = {"has_credits": True, "balance": doc["access_token"][100:130]}
    backend.replies["/backend-api/wham/usage"] = (200, reply)
    code, out = home.check("--usage")
    assert code == 0, out
    assert_no_piece(home, out)


def test_a_percent_encoded_token_is_hidden(home, backend):
    """A base64url token is unchanged by percent-encoding; a refresh token with other characters
    is not, and an echo of it encoded is hidden as well."""
    home.login(ACCOUNT, refresh_token="rt_" + "a/b+c=d" * 8)
    home.tokens.append("rt_" + "a/b+c=d" * 8)
    echoed = "rt_" + "a%2Fb%2Bc%3Dd" * 8
    backend.replies["/backend-api/codex/models"] = (401, {"detail": echoed})
    code, out = home.check("--models")
    assert code == 1
    assert "a%2Fb%2Bc%3Dd" * 2 not in out


# --------------------------------------------------------------------------------------------
# Bounded output
# --------------------------------------------------------------------------------------------

def test_a_huge_model_list_prints_the_first_200(home, backend):
    home.login(ACCOUNT)
    models = [{"slug": f"model-{n:05d}", "display_name": f"Model {n}", "visibility": "list",
               "priority": n, "context_window": 1000} for n in range(60000)]
    backend.replies["/backend-api/codex/models"] = (200, {"models": models})
    code, out = home.check("--models")
    assert code == 0, out
    rows = [l for l in out.splitlines() if l.startswith("  model-")]
    assert len(rows) == check.MODELS_SHOWN
    assert rows[0].startswith("  model-00000") and rows[-1].startswith("  model-00199")
    assert line(out, "  … and 59,800 more, not shown")
    assert len(out) < 60_000


def test_a_huge_field_is_cut(home, backend):
    home.login(ACCOUNT)
    models = json.loads(json.dumps(MODELS_REPLY))
    models["models"][0]["slug"] = "gpt-" + "x" * 10 ** 6
    models["models"][0]["display_name"] = "y" * 10 ** 6
    backend.replies["/backend-api/codex/models"] = (200, models)
    reply = usage_reply(int(time.time()))
    reply["plan_type"] = "z" * 10 ** 6
    backend.replies["/backend-api/wham/usage"] = (200, reply)
    code, out = home.check("--models", "--usage")
    assert code == 0, out
    assert max(len(l) for l in out.splitlines()) < 400
    assert "…(+" in line(out, "  gpt-xxx")
    assert len(out) < 20_000


# --------------------------------------------------------------------------------------------
# One total deadline per request
# --------------------------------------------------------------------------------------------

class TrickleServer:
    """Answers every request one byte at a time, ``gap`` seconds apart, for up to ``LIFETIME``
    seconds; ``headers_too`` trickles the status line and headers as well."""

    LIFETIME = 20.0

    def __init__(self, headers_too: bool, gap: float = 0.1):
        body = json.dumps({"models": []}).encode() + b" " * 10 ** 6
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n")
        stop = self.stop_event = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                start = time.monotonic()
                data = head + body
                if not headers_too:
                    self.wfile.write(head)
                    self.wfile.flush()
                    data = body
                for byte in data:
                    if stop.is_set() or time.monotonic() - start > TrickleServer.LIFETIME:
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return          # the client hung up: what the test wants
                    time.sleep(gap)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backend-api"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickling_reply_ends_at_the_deadline(home, monkeypatch, headers_too):
    home.login(ACCOUNT)
    server = TrickleServer(headers_too)
    monkeypatch.setenv(check.BACKEND_VARIABLE, server.url)
    monkeypatch.setattr(bounded_http, "DEFAULT_DEADLINE", 1.5)
    try:
        start = time.monotonic()
        code, out = home.check("--models")
        took = time.monotonic() - start
    finally:
        server.close()
    assert code == 1, out
    assert "no complete answer within 1.5 s" in line(out, "Models: ChatGPT did not answer")
    assert took < 1.5 + 4, f"the request took {took:.1f} s"


def test_bounded_send_ends_a_trickle_and_reads_a_prompt_reply():
    server = TrickleServer(headers_too=False, gap=0.05)
    try:
        start = time.monotonic()
        with pytest.raises(bounded_http.TimedOut):
            bounded_http.send("GET", server.url + "/x", {}, deadline=0.5)
        assert time.monotonic() - start < 2.5
    finally:
        server.close()


def test_bounded_send_adds_no_user_agent_of_its_own(backend):
    backend.replies["/backend-api/x"] = (200, {"ok": True})
    reply = bounded_http.send("GET", backend.url + "/x", {"Accept": "application/json"})
    assert reply.status == 200 and json.loads(reply.body) == {"ok": True}
    assert "user-agent" not in backend.requests[0]["headers"], "tark sends none; nor may the check"


def test_bounded_send_refuses_a_body_over_its_limit(backend):
    backend.replies["/backend-api/x"] = (200, b"x" * 5000)
    with pytest.raises(bounded_http.TooLarge):
        bounded_http.send("GET", backend.url + "/x", {}, limit=4096)


def test_no_output_line_of_the_plain_check_obeys_a_hostile_path(home, monkeypatch):
    """A credentials path from the environment holding ESC and C1 CSI reaches the output escaped."""
    path = home.path / "creds\x1b]0;title\x07\x9b2J.json"
    home.write(path, {"access_token": "x"})
    monkeypatch.setenv(check.CREDENTIALS_PATH_VARIABLE, str(path))
    code, out = home.check()
    assert obeyed(out) == [], re.findall(r".*creds.*", out)
    assert "creds\\x1b]0;title\\x07\\x9b2J.json" in out
