"""Local fakes for the real-tark suite (test_in_tark.py): ChatGPT's services on 127.0.0.1.

One ``FakeChatGPT`` server on 127.0.0.1 plays every part tark and the plugin talk to:

* **the proxy** (``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` point at it). Nothing is ever
  forwarded: a ``CONNECT host:port`` (an https request, e.g. the shipped module's
  ``chatgpt.com:443``, or tark's models.dev catalogue) is recorded and refused with 403; a plain
  ``http://`` request in absolute form is answered here, by host and path, or refused with 404;
* **Codex's Responses API**, ``http://chatgpt.com/backend-api/codex/responses`` (the test module's
  endpoint), **strict**: every request is judged by ``codex_rules`` (a User-Agent, a ``version``
  at or above the model's minimal client version, a Codex originator for gated models, ``stream:
  true``, ``store: false``, ``instructions``, ``input`` a list, a bearer this fake issued or a test
  registered and still valid, ``ChatGPT-Account-Id`` the token's account, a model ChatGPT serves)
  and refused as the reports quote the backend; only an accepted request gets an SSE stream of
  ``response.created``, ``response.output_text.delta`` and ``response.completed`` (the events
  tark's OpenAI-compatible provider parses). Each recorded request carries ``refusal`` (the
  answer's rule, or None) and ``violations`` (every rule it broke);
* **the token endpoint**, ``http://auth.openai.com/oauth/token``: a refresh (JSON body) answers new
  access / refresh / id tokens, whose access token the Codex endpoint then accepts; refresh tokens
  are single-use, as at OpenAI (a second presentation gets 401 ``refresh_token_reused``); every
  presentation of each refresh token is counted; ``/oauth/revoke`` answers 200. Each request to
  either records ``user_agent`` and ``originator`` (None when absent). Like the model endpoint, the
  plugin's requests there (host ``auth.openai.com``) meet Cloudflare's 403 page without a
  User-Agent (``challenge_without_user_agent``, on by default; the loopback issuer of tark's own
  login exchange is not challenged);
* **the PKCE issuer** of the test ``plugin.toml`` (``http://127.0.0.1:<port>/oauth/authorize`` and
  ``/oauth/token``): the authorize step (the test plays the browser) remembers the
  ``code_challenge`` and redirects to ``redirect_uri`` with a code; the code exchange (a form POST
  from tark) is refused unless ``BASE64URL(SHA256(code_verifier)) == code_challenge``.

Every request is recorded (method, absolute URL, headers in order and case as sent, body).
The server stops by itself after ``lifetime`` seconds at the latest; ``stop()`` stops it sooner.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

import codex_rules

LOOPBACK = "127.0.0.1"
CODEX_HOST = "chatgpt.com"
CODEX_PATH = codex_rules.CODEX_PATH
AUTH_HOST = "auth.openai.com"
DAY = 86400


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


class Recorded(dict):
    """One request: ``method``, ``url`` (absolute; ``host:port`` for CONNECT), ``host``, ``path``,
    ``headers`` ([(name, value)] as sent), ``body`` (text), ``json`` (parsed body or None), ``at``."""

    def header(self, name: str) -> Optional[str]:
        for k, v in self["headers"]:
            if k.lower() == name.lower():
                return v
        return None


class FakeChatGPT:
    def __init__(self, *, make_access_token: Callable[[str], str], make_id_token: Callable[[str], str],
                 make_refresh_token: Callable[[], str], account: str = "acct-fake",
                 reply_text: str = "Hello from the fake Codex backend.", token_latency: float = 0.5,
                 lifetime: float = 600.0):
        self.make_access_token = make_access_token
        self.make_id_token = make_id_token
        self.make_refresh_token = make_refresh_token
        self.account = account
        self.reply_text = reply_text
        self.token_latency = token_latency
        self.requests: list = []
        self.lock = threading.Lock()
        self.token_lock = threading.Lock()          # the token endpoint answers one at a time
        # refresh token -> "live" | "spent"; presentations and successful refreshes per token
        self.refresh_tokens: dict = {}
        self.presentations: dict = {}
        self.refreshes: dict = {}
        self.issued: list = []                      # every token reply sent, in order
        self.revoked: list = []
        # PKCE: code -> {"challenge", "method", "redirect_uri", "client_id", "state"}
        self.codes: dict = {}
        self.authorize_queries: list = []
        self.pkce_checks: list = []                 # (ok, reason) per code exchange
        self.refuse_code_exchange = False           # True: every code exchange gets 400 invalid_grant
        self.bearers = codex_rules.Bearers()        # the access tokens the Codex endpoint accepts
        self.challenge_without_user_agent = True    # auth.openai.com: Cloudflare's 403 page without a User-Agent
        self.server = ThreadingHTTPServer((LOOPBACK, 0), self._handler_class())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._deadline = threading.Timer(lifetime, self.stop)
        self._deadline.daemon = True
        self._stopped = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeChatGPT":
        self._thread.start()
        self._deadline.start()
        return self

    def stop(self) -> None:
        with self.lock:
            if self._stopped:
                return
            self._stopped = True
        self._deadline.cancel()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ state the tests set / read
    def add_refresh_token(self, token: str) -> None:
        with self.token_lock:
            self.refresh_tokens[token] = "live"

    def accept_bearer(self, token: str, account: Optional[str], expires_at: Optional[float] = None) -> None:
        """The Codex endpoint accepts ``token`` for ``account`` (until its JWT ``exp`` by default)."""
        self.bearers.accept(token, account, expires_at)

    def of(self, method: Optional[str] = None, host: Optional[str] = None,
           path: Optional[str] = None) -> list:
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r["method"] == method) and (host is None or r["host"] == host)
                    and (path is None or r["path"] == path)]

    def model_requests(self) -> list:
        return self.of("POST", CODEX_HOST, CODEX_PATH)

    def accepted(self) -> list:
        """The model requests the strict backend answered with a stream."""
        return [r for r in self.model_requests() if "refusal" in r and r["refusal"] is None]

    def token_requests(self) -> list:
        """Every request to the token and revoke endpoints (each with ``user_agent`` and ``originator``)."""
        return [r for r in self.of("POST") if r["path"] in ("/oauth/token", "/oauth/revoke")
                and r["host"] in (AUTH_HOST, LOOPBACK)]

    def connects(self) -> list:
        return self.of("CONNECT")

    # ------------------------------------------------------------------ replies
    def issue_tokens(self) -> dict:
        tokens = {"access_token": self.make_access_token(self.account),
                  "refresh_token": self.make_refresh_token(),
                  "id_token": self.make_id_token(self.account)}
        self.refresh_tokens[tokens["refresh_token"]] = "live"
        self.accept_bearer(tokens["access_token"], self.account)
        self.issued.append(tokens)
        return dict(tokens, token_type="Bearer", scope="openid profile email offline_access",
                    expires_in=10 * DAY)

    def _token_endpoint(self, req: Recorded):
        """(status, json) for a POST to /oauth/token: a refresh (JSON) or a code exchange (form)."""
        ctype = (req.header("content-type") or "").lower()
        with self.token_lock:
            time.sleep(self.token_latency)           # a real endpoint is not instant
            if ctype.startswith("application/x-www-form-urlencoded"):
                form = dict(urllib.parse.parse_qsl(req["body"], keep_blank_values=True))
                grant = form.get("grant_type")
                params = form
            else:
                params = req["json"] if isinstance(req["json"], dict) else {}
                grant = params.get("grant_type")
            if grant == "authorization_code":
                if self.refuse_code_exchange:
                    self.pkce_checks.append((False, "refused by the test"))
                    return 400, {"error": "invalid_grant", "error_description": "refused by the test"}
                code = self.codes.pop(params.get("code", ""), None)
                if code is None:
                    self.pkce_checks.append((False, "unknown or reused code"))
                    return 400, {"error": "invalid_grant", "error_description": "unknown code"}
                verifier = params.get("code_verifier", "")
                ok = (code["method"] == "S256" and s256(verifier) == code["challenge"]
                      and params.get("redirect_uri") == code["redirect_uri"]
                      and params.get("client_id") == code["client_id"])
                self.pkce_checks.append((ok, "" if ok else "PKCE pair or redirect_uri mismatch"))
                if not ok:
                    return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                return 200, self.issue_tokens()
            if grant == "refresh_token":
                rt = params.get("refresh_token", "")
                self.presentations[rt] = self.presentations.get(rt, 0) + 1
                state = self.refresh_tokens.get(rt)
                if state == "spent":
                    return 401, {"error": {"message": "Your refresh token has already been used to generate"
                                           " a new access token. Please try signing in again.",
                                           "type": "invalid_request_error", "param": None,
                                           "code": "refresh_token_reused"}}
                if state != "live":
                    return 401, {"error": {"message": "Unknown refresh token.", "type": "invalid_request_error",
                                           "param": None, "code": "refresh_token_invalidated"}}
                self.refresh_tokens[rt] = "spent"
                self.refreshes[rt] = self.refreshes.get(rt, 0) + 1
                return 200, self.issue_tokens()
            return 400, {"error": "unsupported_grant_type"}

    def _authorize(self, req: Recorded, query: dict):
        """The browser's GET of the authorize URL: a code bound to the PKCE challenge, redirected."""
        self.authorize_queries.append(query)
        redirect = query.get("redirect_uri", "")
        if query.get("response_type") != "code" or not query.get("code_challenge") or not redirect:
            return 400, {"error": "invalid_request"}, None
        code = "code_" + secrets.token_urlsafe(24)
        with self.token_lock:
            self.codes[code] = {"challenge": query["code_challenge"],
                                "method": query.get("code_challenge_method"), "redirect_uri": redirect,
                                "client_id": query.get("client_id"), "state": query.get("state")}
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, None, redirect + "?" + urllib.parse.urlencode(params)

    def _codex_events(self, body: dict) -> list:
        rid = "resp_" + secrets.token_hex(8)
        text = self.reply_text
        half = len(text) // 2
        usage = {"input_tokens": 11, "output_tokens": 7, "total_tokens": 18}
        item = {"id": "msg_" + secrets.token_hex(6), "type": "message", "role": "assistant",
                "status": "completed", "content": [{"type": "output_text", "text": text, "annotations": []}]}
        base = {"id": rid, "object": "response", "model": body.get("model"), "output": []}
        return [
            ("response.created", {"type": "response.created", "response": dict(base, status="in_progress")}),
            ("response.output_text.delta", {"type": "response.output_text.delta", "item_id": item["id"],
                                            "output_index": 0, "content_index": 0, "delta": text[:half]}),
            ("response.output_text.delta", {"type": "response.output_text.delta", "item_id": item["id"],
                                            "output_index": 0, "content_index": 0, "delta": text[half:]}),
            ("response.completed", {"type": "response.completed",
                                    "response": dict(base, status="completed", output=[item], usage=usage)}),
        ]

    # ------------------------------------------------------------------ HTTP plumbing
    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def log_message(self, *args):      # quiet
                pass

            def _record(self, method: str) -> Recorded:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if 0 < length <= 4 * 1024 * 1024 else b""
                text = raw.decode("utf-8", "replace")
                if method == "CONNECT":
                    host, path, url = self.path.rsplit(":", 1)[0], "", self.path
                elif self.path.startswith(("http://", "https://")):
                    u = urllib.parse.urlsplit(self.path)
                    host, path, url = u.hostname or "", u.path, self.path
                else:
                    host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
                    path = urllib.parse.urlsplit(self.path).path
                    url = f"http://{self.headers.get('Host')}{self.path}"
                try:
                    parsed = json.loads(text) if text else None
                except ValueError:
                    parsed = None
                req = Recorded(method=method, url=url, host=host, path=path,
                               query=urllib.parse.urlsplit(self.path).query,
                               headers=list(self.headers.items()), body=text, json=parsed, at=time.time())
                with fake.lock:
                    fake.requests.append(req)
                return req

            def _refuse(self, refusal: "codex_rules.Refusal"):
                self._send(refusal.status, None, [("Content-Type", refusal.content_type), *refusal.headers],
                           body=refusal.body.encode("utf-8"))

            def _send(self, status: int, obj=None, headers=(), body: Optional[bytes] = None):
                payload = body if body is not None else (b"" if obj is None else json.dumps(obj).encode())
                self.send_response(status)
                if obj is not None:
                    self.send_header("Content-Type", "application/json")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

            def do_CONNECT(self):
                fake_req = self._record("CONNECT")
                del fake_req
                # Recorded and refused: nothing is ever tunnelled off this machine.
                self._send(403, {"error": "the test proxy refuses every CONNECT"})

            def _route(self, method: str):
                req = self._record(method)
                query = dict(urllib.parse.parse_qsl(req["query"], keep_blank_values=True))
                host, path = req["host"], req["path"]
                if host == CODEX_HOST and path == CODEX_PATH:
                    found = codex_rules.violations(method, path, req["headers"], req["body"], fake.bearers)
                    req["violations"] = [r.rule for r in found]
                    req["refusal"] = found[0] if found else None
                    if found:
                        self._refuse(found[0])
                        return
                    out = b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                                   for name, data in fake._codex_events(req["json"]))
                    self._send(200, None, [("Content-Type", "text/event-stream")], body=out)
                    return
                if method == "POST" and ((host in (AUTH_HOST, LOOPBACK) and path == "/oauth/token")
                                         or (host == AUTH_HOST and path == "/oauth/revoke")):
                    req["user_agent"], req["originator"] = req.header("user-agent"), req.header("originator")
                    if fake.challenge_without_user_agent and host == AUTH_HOST and not req["user_agent"]:
                        self._refuse(codex_rules.challenge())
                    elif path == "/oauth/revoke":
                        fake.revoked.append(req["json"])
                        self._send(200, {})
                    else:
                        self._send(*fake._token_endpoint(req))
                    return
                if host == LOOPBACK and path == "/oauth/authorize" and method == "GET":
                    status, obj, location = fake._authorize(req, query)
                    self._send(status, obj, [("Location", location)] if location else ())
                    return
                self._send(404, {"error": f"the test proxy does not forward {method} {req['url']}"})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

            def do_PUT(self):
                self._route("PUT")

            def do_DELETE(self):
                self._route("DELETE")

        return Handler
