"""The check's --probe: one real model request the way tark sends it, and which of ChatGPT's rules
applied when it was refused.

For each model probed, the request is the one tark 0.12.6 sends for a chat turn
(``tark_request.build_responses_request``: its URL, ``Content-Type``, the bearer, every header
the plugin answers and nothing else; tark's body with one short user message, ``stream: true``,
``store: false``). The event stream is read only until the first text delta or the first error,
then closed. Accepted: the first words and the time to first token. Refused: the status, the
backend's own message (escaped and capped as every server text is), the rule it matches and the
fix in one line. Each probe spends a tiny part of the plan's quota.

The rules a refusal is matched against come from what the public reports quote (the same
evidence as ``docs/MODELS.md`` and the tests' strict backend): a retired model, a client version
below the model's floor, an originator or User-Agent that is not a Codex client's, Cloudflare's
"Just a moment..." page, a request shape ChatGPT no longer takes (stream, store, instructions,
input), an expired or revoked token, a plan limit reached, an account header the login may not
use, a server error. Anything else is printed as it came, marked unknown.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Callable, Optional

from . import bounded_http
from . import tark_request
from .chatgpt_backend import (ACCOUNT_HEADER, finite, DEFAULT_BACKEND, VERSION_HEADER, BackendError,
                              header, json_document, model_entries, model_request_headers,
                              models_url, needs_newer, span)
from .facts import (CHECK_COMMAND, CODEX_ORIGINATOR, CODEX_VERSION_VARIABLE, LOGIN_COMMAND,
                    ORIGINATOR_VARIABLE, PLUGIN_NAME)
from .printable import capped, field

ALL = "all"
PROMPT = "Reply with the single word: ready"       # a tiny turn: a few tokens of the plan's quota
DEADLINE = 60.0           # seconds for one probe, first token included (a model may think first)
PROBED_AT_MOST = 20       # models one run probes (`all` over a long list stops there)
BODY_QUOTED = 64 << 10    # bytes of a refusal read, to quote its message
MESSAGE_WIDTH = 200       # characters of a backend message printed
WORDS_WIDTH = 60          # characters of the first words printed
# A client version above any release: asked with it, the model list names every model the account
# may use, each with its minimal client version (the server hides models newer than the version
# asked with), which tells a version floor from a retired model.
CATALOGUE_VERSION = "9999.0.0"

# The rules, as printed.
RULES = {
    "retired": "retired model, or one this plan is not offered",
    "client_version": "client version too old",
    "codex_client": "originator or User-Agent refused (the model is served to Codex clients only)",
    "cloudflare": "Cloudflare page (a bot check in front of ChatGPT)",
    "request_shape": "request shape refused",
    "token": "token expired or revoked",
    "plan_limit": "plan limit reached",
    "account": f"account header ({ACCOUNT_HEADER}) refused",
    "server": "server error",
    "unknown": "unknown rule (not one the check knows; printed as it came)",
}
# A request-shape refusal's words (lowercase), as the reports quote them, and the part it names.
SHAPE_MESSAGES = {"stream must be set to true": "stream", "store must be set to false": "store",
                  "instructions are required": "instructions", "input must be a list": "input"}


@dataclass
class Outcome:
    """One probe: accepted (words, seconds to the first token), refused (status, message, rule,
    fix) or unanswered (message says why)."""
    model: str
    accepted: bool
    status: Optional[int] = None
    message: str = ""
    rule: Optional[str] = None
    fix: str = ""
    words: str = ""
    seconds: Optional[float] = None


class Knowledge:
    """What a diagnosis may need beyond the refusal: the identity the plugin states and, asked
    only when a refusal needs them, the model lists (for the plugin's version, and the whole
    catalogue with each model's minimal client version)."""

    def __init__(self, base: str, headers: dict, env: dict):
        self.base = base
        self.headers = headers
        self.env = env
        self.version = header(headers, VERSION_HEADER)
        self.originator = header(headers, "originator")
        self.user_agent = header(headers, "User-Agent")
        self.account = header(headers, ACCOUNT_HEADER)
        self._lists: dict = {}

    def listed(self, version: Optional[str]) -> Optional[dict]:
        """slug -> entry of the model list asked with ``version``; None when ChatGPT gave none."""
        if version not in self._lists:
            try:
                entries = model_entries(models_url(self.base, version), self.headers)
                self._lists[version] = {m["slug"]: m for m in entries}
            except BackendError:
                self._lists[version] = None
        return self._lists[version]

    def floor(self, model: str) -> tuple:
        """(known?, minimal client version or None): known is False when the catalogue could
        not be read; (True, None) means the catalogue has no such model."""
        catalogue = self.listed(CATALOGUE_VERSION)
        if catalogue is None:
            return False, None
        entry = catalogue.get(model)
        if entry is None:
            return True, None
        minimal = entry.get("minimal_client_version")
        return True, minimal if isinstance(minimal, str) else None


@dataclass
class Diagnosis:
    rule: str
    fix: str


def refusal_message(status: int, headers: list, raw: bytes) -> tuple:
    """(the backend's own message, printable and capped; the error's code or type, lowercase):
    a JSON detail or error, an HTML page's title, or plain text."""
    doc = json_document(raw)
    code, message = "", None
    if isinstance(doc, dict):
        detail, err = doc.get("detail"), doc.get("error")
        if isinstance(detail, dict):
            code = detail.get("code") or detail.get("type") or ""
            message = detail.get("message") or code
        elif isinstance(detail, str):
            message = detail
        if isinstance(err, dict):
            code = code or err.get("code") or err.get("type") or ""
            message = message or err.get("message") or code
        elif isinstance(err, str) and not message:
            message = code = err
        message = message or doc.get("message")
    text = raw.decode("utf-8", errors="replace")
    if not isinstance(message, str) or not message:
        lower = text.lower()
        start, end = lower.find("<title>"), lower.find("</title>")
        message = text[start + 7:end] if 0 <= start < end else text
    code = code if isinstance(code, str) else ""
    return field(" ".join(message.split()), MESSAGE_WIDTH), code.lower()


def diagnose(status: int, headers: list, raw: bytes, model: str, know: Knowledge) -> Diagnosis:
    """The rule a refusal matches and its fix."""
    message, code = refusal_message(status, headers, raw)
    text = raw.decode("utf-8", errors="replace").lower()
    content_type = (_header_of(headers, "content-type") or "").lower()
    if status == 403 and (_header_of(headers, "cf-mitigated") == "challenge"
                          or "just a moment" in text or "text/html" in content_type):
        return Diagnosis("cloudflare", _cloudflare_fix(know))
    if status == 401:
        return Diagnosis("token", f"log in again: `{LOGIN_COMMAND}` (or `{CHECK_COMMAND} --refresh` while"
                                  " the login's refresh token is still good)")
    if code == "invalid_workspace_selected" or (status == 403 and "workspace" in text):
        return Diagnosis("account", f"the plugin sends {ACCOUNT_HEADER}: {field(know.account, 60)},"
                                    " an account this login may not use: log in again choosing that"
                                    f" workspace (`{LOGIN_COMMAND}`), or remove a stale account_id"
                                    " from the credentials file")
    if status == 429 or code in ("usage_limit_reached", "usage_not_included", "rate_limit_exceeded"):
        return Diagnosis("plan_limit", _limit_fix(raw))
    for words, part in SHAPE_MESSAGES.items():
        if words in text:
            return Diagnosis("request_shape", f"ChatGPT now refuses tark's `{part}`: tark 0.12.6 builds"
                             " that part of every request, nothing in the plugin or its settings"
                             " changes it; report this line to the plugin's maintainers")
    if "requires a newer version" in text:
        return _model_refused(model, know, "upgrade")
    if "not supported when using codex" in text:
        return _model_refused(model, know, "not_supported")
    if "model not found" in text or (status == 404 and model.lower() in text):
        return _model_refused(model, know, "not_found")
    if status >= 500:
        return Diagnosis("server", "ChatGPT failed on its side: try again in a few minutes")
    return Diagnosis("unknown", "")


def _header_of(headers: list, name: str) -> Optional[str]:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def _cloudflare_fix(know: Knowledge) -> str:
    if not know.user_agent:
        return ("the plugin sent no User-Agent, and a request without one meets this page: update the"
                " plugin (0.5.0 and later send one)")
    return ("the request carried the plugin's User-Agent and still met the page: Cloudflare"
            " distrusts this network (a VPN, a proxy, a data centre); try again later or from"
            " another network")


def _limit_fix(raw: bytes) -> str:
    doc = json_document(raw)
    err = doc.get("error") if isinstance(doc, dict) else None
    err = err if isinstance(err, dict) else {}
    now = time.time()
    at = _number(err.get("resets_at"))
    after = _number(err.get("resets_in_seconds"))
    if at is None and after is not None:
        at = now + after
    plan = err.get("plan_type")
    plan = f" of the {field(plan, 20)} plan" if isinstance(plan, str) and plan else ""
    try:
        local = dt.datetime.fromtimestamp(at).astimezone() if at is not None else None
    except (OverflowError, OSError, ValueError):
        local = None
    if local is None:
        return (f"the limit{plan} resets later (ChatGPT gave no time): wait, or see"
                f" `{CHECK_COMMAND} --usage`")
    left = f" (in {span(at - now)})" if at > now else ""
    return f"wait until {local:%Y-%m-%d %H:%M %Z}{left}, when the limit{plan} resets (`{CHECK_COMMAND} --usage` shows your windows)"


def _number(value) -> Optional[float]:
    """A finite JSON number of a plausible size (a time or a span), else None."""
    number = finite(value)
    return number if number is not None and abs(number) < 1e12 else None


def _version_fix(minimal: str, know: Knowledge) -> str:
    return (f"the model needs client version {field(minimal, 20)} or later and the plugin states"
            f" {field(know.version, 20)}: set {CODEX_VERSION_VARIABLE}={field(minimal, 20)} in the"
            " environment tark runs in (see the README)")


def _identity_problem(know: Knowledge) -> Optional[str]:
    """Why the identity the plugin states is not a Codex client's, or None."""
    if know.originator != CODEX_ORIGINATOR:
        where = (f"{ORIGINATOR_VARIABLE} sets it: unset it" if know.env.get(ORIGINATOR_VARIABLE)
                 else f"the plugin should send {CODEX_ORIGINATOR}: update it")
        return f"the request said originator {field(know.originator, 40)}; {where}"
    if not (know.user_agent or "").startswith(f"{know.originator}/"):
        return (f"the request's User-Agent ({field(know.user_agent, 80)}) is not a Codex client's:"
                " update the plugin")
    return None


def _model_refused(model: str, know: Knowledge, kind: str) -> Diagnosis:
    """A refusal naming the model: retired, a version floor or a Codex-only model."""
    identity = _identity_problem(know) if kind == "not_found" else None
    if identity:
        return Diagnosis("codex_client", identity)
    known, minimal = know.floor(model)
    if minimal is not None and needs_newer(minimal, know.version):
        return Diagnosis("client_version", _version_fix(minimal, know))
    if kind == "upgrade":
        return Diagnosis("client_version", f"set {CODEX_VERSION_VARIABLE} to the version of a"
                         f" current Codex CLI (`codex --version`; the plugin states"
                         f" {field(know.version, 20)}) in the environment tark runs in")
    if known and minimal is None:
        return Diagnosis("retired", f"choose a model ChatGPT offers now (`{CHECK_COMMAND} --models`); the"
                                    " plugin's own list may be out of date")
    if not known:
        return Diagnosis("retired", f"choose a model `{CHECK_COMMAND} --models` lists; if it lists this one,"
                         f" set {CODEX_VERSION_VARIABLE} to a current Codex CLI's version (the"
                         f" plugin states {field(know.version, 20)})")
    if kind == "not_found":
        return Diagnosis("codex_client", "ChatGPT serves this model only to Codex clients it"
                         f" recognises; the plugin sends originator {field(know.originator, 40)}"
                         f" and version {field(know.version, 20)}: try a current Codex CLI's"
                         f" version in {CODEX_VERSION_VARIABLE}")
    return Diagnosis("retired", "ChatGPT lists the model but refuses it to this account: choose"
                                " another (`{CHECK_COMMAND} --models`)")


# --------------------------------------------------------------------------------------------
# One probe
# --------------------------------------------------------------------------------------------

def target(endpoint: str, base: str) -> str:
    """The endpoint the plugin answers, on the backend asked (the test override replaces the
    default backend's address)."""
    if base != DEFAULT_BACKEND and endpoint.startswith(DEFAULT_BACKEND + "/"):
        return base + endpoint[len(DEFAULT_BACKEND):]
    return endpoint


def sse_events(lines):
    """(event name, data) of each server-sent event, as the lines arrive."""
    name, data = None, []
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = None, []
            continue
        text = line.decode("utf-8", errors="replace")
        key, _, value = text.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key == "event":
            name = value
        elif key == "data":
            data.append(value)
    if data:
        yield name, "\n".join(data)


def probe_model(creds: dict, model: str, base: str, know: Knowledge) -> Outcome:
    """Sends the one request and reads until the first text or the first error."""
    try:
        endpoint, headers, body = tark_request.build_responses_request(creds, model, PROMPT)
    except (ValueError, KeyError) as e:
        return Outcome(model, False, message=f"tark would not send it: {field(e)}")
    url = target(endpoint, base)
    if not (url.startswith("https://") or bounded_http.is_loopback(url)):
        return Outcome(model, False, message=f"not sent: the endpoint {field(url)} is not https")
    start = time.monotonic()
    try:
        with bounded_http.Exchange("POST", url, headers, json.dumps(body).encode("utf-8"),
                                   deadline=DEADLINE) as ex:
            if ex.status != 200:
                raw = ex.read(BODY_QUOTED, cut=True)
                found = diagnose(ex.status, ex.headers, raw, model, know)
                return Outcome(model, False, ex.status, refusal_message(ex.status, ex.headers, raw)[0],
                               found.rule, found.fix)
            return _read_stream(model, ex, start, know)
    except bounded_http.TimedOut:
        return Outcome(model, False, message=f"no first token within {DEADLINE:g} s: ChatGPT or the"
                                             " network is too slow now; try again later")
    except bounded_http.NoAnswer as e:
        return Outcome(model, False, message=f"no answer ({field(e)}): offline, or the host is"
                                             " unreachable")


def _read_stream(model: str, ex, start: float, know: Knowledge) -> Outcome:
    seen = 0
    for name, data in sse_events(ex.lines()):
        seen += 1
        event = json_document(data.encode("utf-8"))
        kind = (event.get("type") if isinstance(event, dict) else None) or name or ""
        if kind == "response.output_text.delta":
            delta = event.get("delta") if isinstance(event, dict) else None
            return Outcome(model, True, 200, words=field(delta if isinstance(delta, str) else "",
                                                          WORDS_WIDTH),
                           seconds=time.monotonic() - start)
        if kind in ("error", "response.failed", "response.incomplete"):
            problem = event if isinstance(event, dict) else {}
            inner = (problem.get("response") or {}) if kind != "error" else problem
            inner = inner if isinstance(inner, dict) else {}
            err = inner.get("error") if kind != "error" else problem
            if not isinstance(err, dict):
                err = {"message": f"the stream reported {kind}"}
            raw = json.dumps({"error": err}).encode("utf-8")
            found = diagnose(200, [], raw, model, know)
            return Outcome(model, False, 200, refusal_message(200, [], raw)[0], found.rule, found.fix)
        if kind == "response.completed":
            return Outcome(model, True, 200, words="(no text: the answer completed without any)",
                           seconds=time.monotonic() - start)
    return Outcome(model, False, 200, message=f"the stream ended after {seen} event(s), before any"
                                              " text: the connection was cut; try again")


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------

def models_to_probe(choice: Optional[str], bundled, know: Knowledge) -> tuple:
    """(models, a note: why there are none, or why the list is short): the model named; without one the first the plugin lists (the one
    the README recommends); ``all``: the plugin's models and every one ChatGPT lists."""
    plugin_models = [m["id"] for m in bundled if isinstance(m, dict) and isinstance(m.get("id"), str)] \
        if isinstance(bundled, list) else []
    if choice and choice != ALL:
        return [choice], None
    if choice is None:
        return (plugin_models[:1], None) if plugin_models else \
            ([], f"the plugin lists no model ({field(bundled)}): name one, --probe MODEL")
    listed = know.listed(know.version)
    visible = [slug for slug, m in (listed or {}).items() if m.get("visibility") == "list"]
    return list(dict.fromkeys(plugin_models + visible)), \
        None if listed is not None else "ChatGPT's model list is unavailable: only the plugin's models"


def outcome_line(outcome: Outcome, width: int) -> str:
    name = f"{field(outcome.model, 60):<{width}}"
    if outcome.accepted:
        return f"  {name}  accepted   first token after {outcome.seconds:.1f} s: \"{outcome.words}\""
    if outcome.rule is None:
        return f"  {name}  NO ANSWER  {outcome.message}"
    line = f"  {name}  REFUSED    HTTP {outcome.status}, {RULES[outcome.rule]}: \"{outcome.message}\""
    return line + (f"; fix: {outcome.fix}" if outcome.fix else "")


def run(creds: dict, bundled, base: str, env: dict, choice: Optional[str],
        say: Callable) -> bool:
    """Probes and prints one line a model; True when every probed model was accepted."""
    know = Knowledge(base, dict(model_request_headers(creds), Accept="application/json"), env)
    models, why = models_to_probe(choice, bundled, know)
    if not models:
        say(f"Probe: nothing to probe: {why or 'no model'}.")
        return False
    if why:
        say(f"  note       {why}")
    models, more = capped(models, PROBED_AT_MOST)
    endpoint = target(creds.get("endpoint") or "", base)
    say(f"Probe: POST {endpoint}, one chat turn each as tark sends it (it spends a tiny part of"
        f" your plan's quota):")
    width = min(60, max(len(field(m, 60)) for m in models))
    outcomes = []
    for model in models:
        outcome = probe_model(creds, model, base, know)
        outcomes.append(outcome)
        say(outcome_line(outcome, width))
    if more:
        say(f"  … and {more} more not probed ({PROBED_AT_MOST} at most a run): name one with"
            " --probe MODEL")
    accepted = sum(o.accepted for o in outcomes)
    say(f"Probe: {accepted} of {len(outcomes)} accepted."
        + ("" if accepted in (0, len(outcomes)) else
           f" In tark, use an accepted one: tark --provider {PLUGIN_NAME} --model <slug> tui"))
    return accepted == len(outcomes)
