"""What ChatGPT's Codex backend checks on a model request, as plain functions (no server).

The strict fakes (``tark_fakes.FakeChatGPT`` for real tark, the emulation tests' judge) apply
these rules, and refuse the way the public reports quote the backend. Nothing here was verified
against the live service: each rule cites the reports it rests on. Sources and dates: the
project's ``../shared/tark-host-abi.md`` ("What the backend checks", "ChatGPT / Codex facts") and
the research notes of 2026-12-06 (whose stored evidence ends in mid-October 2026).

Entry points:

* :func:`judge` ``(method, path, headers, body_text, bearer_check, now=None) -> Optional[Refusal]``:
  the first rule the request breaks, in :data:`RULES` order, or None when it is accepted;
* :func:`violations`: every rule it breaks (tests use it to show which part of a request, tark's
  or the plugin's, a refusal comes from);
* :data:`MODELS` / :func:`model`: the model table, once, with its date and sources;
* :func:`parse_version` / :func:`version_at_least`: the Codex CLI's plain versions;
* :class:`Bearers`: the bearer tokens a fake accepts, with their account and expiry.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Optional, Sequence, Tuple

CODEX_PATH = "/backend-api/codex/responses"

# ----------------------------------------------------------------------------------------------
# Refusals
# ----------------------------------------------------------------------------------------------

JSON = "application/json"
HTML = "text/html; charset=UTF-8"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Refusal:
    """One refused request: what the backend answers, and the rule (a name in :data:`RULES`)."""
    status: int
    content_type: str
    body: str
    rule: str
    headers: Tuple[Tuple[str, str], ...] = ()


def _detail(status: int, rule: str, detail) -> Refusal:
    return Refusal(status, JSON, json.dumps({"detail": detail}, separators=(",", ":")), rule)


# Cloudflare's interstitial, as a browserless client meets it: 403, HTML, `cf-mitigated: challenge`.
# Our own page with the parts the reports quote (the title "Just a moment...", the cookie notice).
CHALLENGE_PAGE = ("<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
                  "<meta http-equiv=\"refresh\" content=\"360\"></head><body><h1>chatgpt.com</h1>"
                  "<p>Verifying you are human. This may take a few seconds.</p>"
                  "<noscript>Enable JavaScript and cookies to continue</noscript></body></html>")


def challenge() -> Refusal:
    """The 403 challenge page (also what the strict token endpoint can answer, see tark_fakes)."""
    return Refusal(403, HTML, CHALLENGE_PAGE, "user_agent", (("cf-mitigated", "challenge"),))


# ----------------------------------------------------------------------------------------------
# Versions and client identity
# ----------------------------------------------------------------------------------------------

def parse_version(text: Optional[str]) -> Optional[Tuple[int, ...]]:
    """A plain version (digits and dots, e.g. ``0.162.1``) as a tuple; None for anything else
    (missing, empty, ``0.163.0-alpha.6``, ``v1``): the backend then knows no client version."""
    if not text:
        return None
    parts = text.split(".")
    if not all(p.isascii() and p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def version_at_least(version: Optional[str], minimum: str) -> bool:
    """True when ``version`` is a plain version at or above ``minimum`` (``0.155`` == ``0.155.0``)."""
    have, need = parse_version(version), parse_version(minimum)
    if need is None:
        raise ValueError(f"not a plain version: {minimum!r}")
    if have is None:
        return False
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) >= need + (0,) * (width - len(need))


# The originators codex-rs counts as its own (login/src/auth/default_client.rs,
# `is_first_party_originator`, commit 9c8bf8be): ChatGPT serves gated models only to these
# (earendil-works/pi#6615: "a junk originator fails like `pi`, so it's an allowlist").
CODEX_ORIGINATORS = ("codex_cli_rs", "codex-tui", "codex_vscode")
CODEX_ORIGINATOR_PREFIX = "Codex "


def codex_family(name: Optional[str]) -> bool:
    """Whether an originator (or a User-Agent's first product name) is a Codex client's."""
    return bool(name) and (name in CODEX_ORIGINATORS or name.startswith(CODEX_ORIGINATOR_PREFIX))


def user_agent_product(user_agent: Optional[str]) -> Optional[str]:
    """The product a User-Agent names first: ``codex_cli_rs`` in ``codex_cli_rs/0.162.1 (...) ...``
    (codex-rs get_codex_user_agent: ``{originator}/{version} ({os} {os version}; {arch}) {terminal}``)."""
    if not user_agent:
        return None
    first = user_agent.split("/", 1)[0]
    # "Codex Desktop/1.2 (...)": an originator may hold a space; the product ends at the slash.
    return first if "/" in user_agent else None


# ----------------------------------------------------------------------------------------------
# The model table (as of 2026-12-06; evidence to mid-October 2026)
# ----------------------------------------------------------------------------------------------

# How a client below a model's minimal_client_version is refused, by what the reports quote:
NOT_FOUND = "not_found"        # 404 "Model not found <slug>"
UPGRADE = "upgrade"            # 400 "The '<slug>' model requires a newer version of Codex. ..."
UNSUPPORTED = "unsupported"    # 400 "The '<slug>' model is not supported when using Codex with a ChatGPT account."


@dataclass(frozen=True)
class Model:
    slug: str
    minimal_client_version: str
    gated: bool = False            # served only to a Codex-family originator and User-Agent
    retired: Optional[str] = None  # the date ChatGPT accounts lost it (refused with 400)
    too_old: str = NOT_FOUND       # how a client below minimal_client_version is refused
    source: str = ""


MODELS_AS_OF = "2026-12-06"
MODELS: Tuple[Model, ...] = (
    # GPT-6: launched 2026-09-03 (Astra), Sol and Luna from 2026-09-22/23. Below 0.153.0 Astra
    # answers 400 "requires a newer version of Codex" (pleaseai/shunt#458, diegosouzapw/OmniRoute#12761);
    # Sol / Luna are absent from 0.153.4's catalogue, need about 0.155.0 and an old identity gets
    # "not supported when using Codex with a ChatGPT account" (VicBilibily/GCMP#420, openai/codex#47420,
    # router-for-me/CLIProxyAPI#6055; one integrator moved to 0.156.0).
    Model("gpt-6-astra", "0.153.0", too_old=UPGRADE, source="pleaseai/shunt#458"),
    Model("gpt-6-sol", "0.155.0", too_old=UNSUPPORTED, source="VicBilibily/GCMP#420"),
    Model("gpt-6-luna", "0.155.0", too_old=UNSUPPORTED, source="VicBilibily/GCMP#420"),
    # GPT-5.6: openai/codex models.json (codex-rs/models-manager, commit 069e6b19) says 0.142.2; an
    # older `version` gets 404 "Model not found gpt-5.6-luna" (Wei-Shaw/sub2api#3903 with 0.125.0,
    # drpedapati/sciclaw#126). Luna is gated on a Codex originator and User-Agent
    # (earendil-works/pi#6615: only the originator changed, luna worked; router-for-me/CLIProxyAPI#4161:
    # a Codex User-Agent fixed the same 404, a plain one brought it back). The two reports disagree on
    # which header the gate reads, so the fake requires both, as a Codex client sends them.
    Model("gpt-5.6-sol", "0.142.2", source="openai/codex models.json 069e6b19"),
    Model("gpt-5.6-terra", "0.142.2", source="openai/codex models.json 069e6b19"),
    Model("gpt-5.6-luna", "0.142.2", gated=True, source="earendil-works/pi#6615"),
    # GPT-5.5: models.json 069e6b19; still served on 2026-09-09 (anomalyco/opencode#48141,
    # earendil-works/pi#9394). A retirement on 2026-10-14 is reported once and not confirmed.
    Model("gpt-5.5", "0.124.0", source="openai/codex models.json 069e6b19"),
    # Retired for ChatGPT accounts: 400 "The '<slug>' model is not supported when using Codex with a
    # ChatGPT account." gpt-5.4 and -mini on 2026-08-31 (anomalyco/opencode#48141,
    # nsEytgXm/subagents_configs#3), gpt-5.2 and gpt-5.3-codex on 2026-06-02 (zed-industries/zed#58340,
    # openai/codex#26116); the gpt-5.1 / 5.2 codex models before (tark-host-abi.md).
    Model("gpt-5.4", "0.98.0", retired="2026-08-31", source="anomalyco/opencode#48141"),
    Model("gpt-5.4-mini", "0.98.0", retired="2026-08-31", source="anomalyco/opencode#48141"),
    Model("gpt-5.2", "0.0.1", retired="2026-06-02", source="zed-industries/zed#58340"),
    Model("gpt-5.3-codex", "0.0.1", retired="2026-06-02", source="openai/codex#26116"),
    Model("gpt-5.2-codex", "0.0.1", retired="before 2026-06", source="tark-host-abi.md"),
    Model("gpt-5.1-codex-max", "0.0.1", retired="before 2026-06", source="tark-host-abi.md"),
    Model("gpt-5.1-codex-mini", "0.0.1", retired="before 2026-06", source="tark-host-abi.md"),
)
_BY_SLUG = {m.slug: m for m in MODELS}


def model(slug: str) -> Optional[Model]:
    return _BY_SLUG.get(slug)


def served_models() -> Tuple[Model, ...]:
    """The models a ChatGPT subscription is served (not retired)."""
    return tuple(m for m in MODELS if m.retired is None)


def not_supported(slug: str) -> Refusal:
    # BitterSecurity/Decepticon#769, jlcodes99/cockpit-tools#1653: retired and unknown slugs alike.
    return _detail(400, "model_supported",
                   f"The '{slug}' model is not supported when using Codex with a ChatGPT account.")


def model_not_found(slug: str, rule: str) -> Refusal:
    # The Codex CLI prints the body as is: "unexpected status 404 Not Found: Model not found
    # gpt-5.6-luna, url: ..." (openai/codex#32528), so it is plain text, not a JSON detail.
    return Refusal(404, TEXT, f"Model not found {slug}", rule)


# ----------------------------------------------------------------------------------------------
# Bearer tokens
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bearer:
    account: Optional[str]
    expires_at: Optional[float] = None     # None: the fake does not know (never expires)


BearerCheck = Callable[[str], Optional[Bearer]]


def jwt_claims(token: str) -> Optional[dict]:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


class Bearers:
    """The bearers a fake backend accepts (those it issued, those a test registers), each with its
    account and expiry. Callable as a ``bearer_check``."""

    def __init__(self):
        self._known: dict = {}

    def accept(self, token: str, account: Optional[str], expires_at: Optional[float] = None) -> None:
        """Accept ``token`` for ``account`` until ``expires_at`` (default: its JWT ``exp``, if any)."""
        if expires_at is None:
            exp = (jwt_claims(token) or {}).get("exp")
            expires_at = exp if isinstance(exp, (int, float)) else None
        self._known[token] = Bearer(account, expires_at)

    def __call__(self, token: str) -> Optional[Bearer]:
        return self._known.get(token)

    def __contains__(self, token: str) -> bool:
        return token in self._known


# ----------------------------------------------------------------------------------------------
# The request, as the rules see it
# ----------------------------------------------------------------------------------------------

@dataclass
class CodexRequest:
    method: str
    path: str
    headers: Sequence[Tuple[str, str]]
    body_text: str
    bearer_check: BearerCheck
    now: float
    body: Optional[dict] = field(default=None)

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def model_slug(self) -> str:
        slug = (self.body or {}).get("model")
        return slug if isinstance(slug, str) else ""


# ----------------------------------------------------------------------------------------------
# The rules, in the order the fake applies them (the edge first, then auth, then the body, then
# the model). Each returns a Refusal or None.
# ----------------------------------------------------------------------------------------------

def rule_endpoint(req: CodexRequest) -> Optional[Refusal]:
    # tark's OpenAI-compatible provider POSTs to the endpoint the plugin answers, unchanged.
    if req.method != "POST" or req.path != CODEX_PATH:
        return _detail(404, "endpoint", "Not Found")
    return None


def rule_user_agent(req: CodexRequest) -> Optional[Refusal]:
    # No User-Agent: Cloudflare's 403 "Just a moment..." page (openai/codex#18456; a bare reqwest
    # client gets `cf-mitigated: challenge`, openai/codex#21735; NousResearch/hermes-agent#6385).
    if not (req.header("user-agent") or "").strip():
        return challenge()
    return None


def rule_bearer(req: CodexRequest) -> Optional[Refusal]:
    # A bearer the backend does not know, or an expired one: 401 {"detail":"Unauthorized"}
    # (openai/codex#26497, #12764). tark does not retry a 401 (tark-host-abi.md).
    auth = req.header("authorization") or ""
    scheme, _, token = auth.partition(" ")
    known = req.bearer_check(token) if scheme == "Bearer" and token else None
    if known is None or (known.expires_at is not None and known.expires_at <= req.now):
        return _detail(401, "bearer", "Unauthorized")
    return None


def rule_account(req: CodexRequest) -> Optional[Refusal]:
    # ChatGPT-Account-Id names the workspace; one the token cannot act for is 403
    # {"detail":{"code":"invalid_workspace_selected"}} (openai/codex#24495). Absent: the token's
    # default (personal) account, as for the Codex CLI with a personal login.
    sent = req.header("chatgpt-account-id")
    if sent is None:
        return None
    auth = req.header("authorization") or ""
    known = req.bearer_check(auth.partition(" ")[2])
    if known is None or sent != known.account:
        return _detail(403, "account", {"code": "invalid_workspace_selected"})
    return None


def rule_json_body(req: CodexRequest) -> Optional[Refusal]:
    if not isinstance(req.body, dict):
        return _detail(400, "json_body", "Request body must be a JSON object")
    return None


def rule_stream(req: CodexRequest) -> Optional[Refusal]:
    # 400 {"detail":"Stream must be set to true"} (Zoo-Code-Org/Zoo-Code#1242,
    # kryptobaseddev/cleo#1079, leookun/cursor-byok#14).
    if req.body.get("stream") is not True:
        return _detail(400, "stream", "Stream must be set to true")
    return None


def rule_store(req: CodexRequest) -> Optional[Refusal]:
    # 400 {"detail":"Store must be set to false"}, also when `store` is left out
    # (openai/codex#26173, openclaw/openclaw#138395, cline/cline#9523).
    if req.body.get("store") is not False:
        return _detail(400, "store", "Store must be set to false")
    return None


def rule_instructions(req: CodexRequest) -> Optional[Refusal]:
    # 400 {"detail":"Instructions are required"}: a top-level string; a system item in `input` does
    # not count (PwnKit-Labs/pwnkit#330, vybestack/llxprt-code#1197).
    value = req.body.get("instructions")
    if not isinstance(value, str) or not value:
        return _detail(400, "instructions", "Instructions are required")
    return None


def rule_input(req: CodexRequest) -> Optional[Refusal]:
    # 400 {"detail":"Input must be a list"} (cubezhao/ai-tools-mng#79).
    if not isinstance(req.body.get("input"), list):
        return _detail(400, "input", "Input must be a list")
    return None


def rule_model_supported(req: CodexRequest) -> Optional[Refusal]:
    # Retired and unknown slugs: 400 "... not supported when using Codex with a ChatGPT account."
    found = model(req.model_slug)
    if found is None or found.retired is not None:
        return not_supported(req.model_slug)
    return None


def rule_client_version(req: CodexRequest) -> Optional[Refusal]:
    # The `version` header (the Codex CLI's own version, codex-rs model-provider-info
    # create_openai_provider) must reach the model's minimal_client_version; missing or older hides
    # newer models (contextbridge/aether#215, can1357/oh-my-pi#5108, kittors/CliRelay#884). Refused as
    # the reports quote it for that model (see MODELS).
    found = model(req.model_slug)
    if found is None or version_at_least(req.header("version"), found.minimal_client_version):
        return None
    slug = found.slug
    if found.too_old == UPGRADE:
        return _detail(400, "client_version", f"The '{slug}' model requires a newer version of Codex."
                       " Please upgrade to the latest app or CLI and try again.")
    if found.too_old == UNSUPPORTED:
        return replace(not_supported(slug), rule="client_version")
    return model_not_found(slug, "client_version")


def rule_codex_client(req: CodexRequest) -> Optional[Refusal]:
    # Gated models only for a Codex-family originator and User-Agent: 404 "Model not found <slug>"
    # otherwise (earendil-works/pi#6615, router-for-me/CLIProxyAPI#4161, vectorize-io/hindsight#2643).
    found = model(req.model_slug)
    if found is None or not found.gated:
        return None
    if codex_family(req.header("originator")) and codex_family(user_agent_product(req.header("user-agent"))):
        return None
    return model_not_found(found.slug, "codex_client")


RULES: Tuple[Callable[[CodexRequest], Optional[Refusal]], ...] = (
    rule_endpoint, rule_user_agent, rule_bearer, rule_account,
    rule_json_body, rule_stream, rule_store, rule_instructions, rule_input,
    rule_model_supported, rule_client_version, rule_codex_client,
)
RULE_NAMES = tuple(f.__name__[len("rule_"):] for f in RULES)
_BODY_RULES = RULES[RULES.index(rule_json_body) + 1:]


def _request(method: str, path: str, headers: Iterable, body_text: Optional[str],
             bearer_check: BearerCheck, now: Optional[float]) -> CodexRequest:
    pairs = [(str(k), str(v)) for k, v in (headers.items() if isinstance(headers, dict) else headers)]
    try:
        body = json.loads(body_text) if body_text else None
    except ValueError:
        body = None
    return CodexRequest(method, path, pairs, body_text or "", bearer_check,
                        time.time() if now is None else now, body if isinstance(body, dict) else None)


def violations(method: str, path: str, headers, body_text: Optional[str], bearer_check: BearerCheck,
               now: Optional[float] = None) -> list:
    """Every rule the request breaks, as Refusals in :data:`RULES` order (a body that is not a JSON
    object stops at ``json_body``: the rules after it read the body)."""
    req = _request(method, path, headers, body_text, bearer_check, now)
    found = []
    for rule in RULES:
        if rule in _BODY_RULES and req.body is None:
            break
        refusal = rule(req)
        if refusal is not None:
            found.append(refusal)
    return found


def judge(method: str, path: str, headers, body_text: Optional[str], bearer_check: BearerCheck,
          now: Optional[float] = None) -> Optional[Refusal]:
    """The backend's answer to a model request: the first Refusal, or None when it is accepted.
    ``headers``: [(name, value)] or a dict; ``bearer_check(token) -> Optional[Bearer]``."""
    found = violations(method, path, headers, body_text, bearer_check, now)
    return found[0] if found else None
