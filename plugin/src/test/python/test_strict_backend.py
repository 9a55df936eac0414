"""Issue 22: the request tark builds from the plugin's answer passes the strict backend.

The plugin's ``provider_auth_credentials`` answer (dist/plugin.wasm in the emulation) is turned into
the Responses request tark 0.12.6 sends (``tark_request``) and judged by ``codex_rules``, the rules
public reports say ChatGPT's Codex backend applies. Every model the plugin lists is accepted; for
each rule the plugin's answer decides (User-Agent, version, originator, account, bearer), the same
request without the plugin's part is refused as the backend refuses it. The rules that are tark's
(``stream`` on its non-streaming paths) are shown to be tark's: only they remain broken.
"""

import json
import urllib.parse

import pytest

import codex_rules
from codex_rules import Bearers, parse_version, user_agent_product, version_at_least, violations
from conftest import (DAY, MARGIN, access_jwt, claims, json_reply, make_jwt, ok_credentials, opaque)
from tark_request import build_responses_request, complete_request

ACCOUNT = "acct-strict"
PROMPT = "Say hello"


def answer_and_models(inst, account=ACCOUNT, **creds):
    """A logged-in user's provider init: the parsed credentials answer and the listed model ids."""
    doc = inst.valid_creds(account, **creds)
    host = inst.load()
    return doc, ok_credentials(host), [m["id"] for m in host.provider_models()]


def backend(*tokens, account=ACCOUNT) -> Bearers:
    """The bearers the backend accepts: here the tokens of the user's login."""
    bearers = Bearers()
    for token in tokens:
        bearers.accept(token, account)
    return bearers


def judged(creds: dict, model: str, bearers: Bearers, stream: bool = True, build=build_responses_request) -> list:
    """The rules tark's request for ``model`` breaks (empty: accepted)."""
    url, headers, body = build(creds, model, PROMPT, stream) if build is build_responses_request \
        else build(creds, model)
    return [r.rule for r in violations("POST", urllib.parse.urlsplit(url).path, headers, json.dumps(body), bearers)]


def with_headers(creds: dict, drop=(), **replace) -> dict:
    """The answer with custom headers dropped or replaced (``User_Agent`` names User-Agent)."""
    headers = {k: v for k, v in creds["custom_headers"].items() if k not in drop}
    headers.update({k.replace("_", "-"): v for k, v in replace.items()})
    return dict(creds, custom_headers=headers)


def identity(creds: dict) -> tuple:
    h = creds["custom_headers"]
    return h.get("originator"), h.get("version"), h.get("User-Agent")


# --------------------------------------------------------------------------------------------

def test_every_listed_model_is_accepted(inst):
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    assert models, "the plugin lists models"
    for model in models:
        assert judged(creds, model, bearers) == [], model
    served = {m.slug for m in codex_rules.served_models()}
    assert set(models) <= served, f"listed but not served by ChatGPT: {set(models) - served}"


def test_the_answers_identity_is_a_codex_clients(inst):
    """codex-rs default_client.rs: ``{originator}/{version} (...) ...``, the same version as the header."""
    _, creds, _ = answer_and_models(inst)
    originator, version, user_agent = identity(creds)
    assert codex_rules.codex_family(originator)
    assert parse_version(version), version
    assert user_agent.startswith(f"{originator}/{version} ("), user_agent
    assert user_agent_product(user_agent) == originator


def test_without_the_plugins_user_agent_the_challenge_page(inst):
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    bare = with_headers(creds, drop=("User-Agent",))
    for model in models:
        url, headers, body = build_responses_request(bare, model, PROMPT)
        refusal = codex_rules.judge("POST", urllib.parse.urlsplit(url).path, headers, json.dumps(body), bearers)
        assert (refusal.status, refusal.rule) == (403, "user_agent")
        assert "Just a moment..." in refusal.body and refusal.content_type.startswith("text/html")


def test_the_plugins_version_reaches_every_listed_models_minimum(inst):
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    _, version, _ = identity(creds)
    for model in models:
        assert version_at_least(version, codex_rules.model(model).minimal_client_version), model
        assert "client_version" in judged(with_headers(creds, drop=("version",)), model, bearers), model
        assert "client_version" in judged(with_headers(creds, version="0.120.0"), model, bearers), model


def test_the_plugins_originator_opens_the_gated_models(inst):
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    gated = [m for m in models if codex_rules.model(m).gated]
    assert gated, "no listed model is gated: this test shows nothing"
    _, version, _ = identity(creds)
    for model in gated:
        assert judged(creds, model, bearers) == []
        # what the plugin sent before issue 22, and another client's User-Agent
        assert judged(with_headers(creds, originator="opencode"), model, bearers) == ["codex_client"]
        assert judged(with_headers(creds, User_Agent=f"opencode/{version} (linux; x86_64)"), model,
                      bearers) == ["codex_client"]


def test_account_header_is_the_tokens_account(inst):
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    assert creds["custom_headers"]["ChatGPT-Account-Id"] == ACCOUNT
    assert judged(with_headers(creds, **{"ChatGPT-Account-Id": "acct-other"}), models[0], bearers) == ["account"]


def test_a_token_without_an_account_sends_no_header_and_passes(inst):
    token = make_jwt(claims(None, 10 * DAY))
    inst.write_creds({"access_token": token, "refresh_token": opaque("rt"), "expires_at": 2 ** 31})
    host = inst.load()
    creds = ok_credentials(host)
    assert "ChatGPT-Account-Id" not in creds["custom_headers"]
    model = host.provider_models()[0]["id"]
    assert judged(creds, model, backend(token, account=None)) == []


def test_the_bearer_is_one_the_backend_accepts_after_a_due_refresh(inst):
    """A login inside the refresh margin: the plugin answers the refreshed token, which the backend
    issued and accepts; the file's token, once expired, is refused with 401."""
    inst.endpoint.account = ACCOUNT
    doc, creds, models = answer_and_models(inst, exp_in=MARGIN // 2)
    issued = inst.endpoint.last["access_token"]
    assert creds["access_token"] == issued
    bearers = backend(issued)                      # the backend knows what it issued ...
    bearers.accept(doc["access_token"], ACCOUNT, expires_at=0)   # ... and the old token has expired
    assert judged(creds, models[0], bearers) == []
    assert judged(dict(creds, access_token=doc["access_token"]), models[0], bearers) == ["bearer"]


def test_tarks_non_streaming_paths_break_only_tarks_rules(inst):
    """``tark complete`` / ``/inline-complete`` send no ``stream: true`` (tark's doing); everything the
    plugin decides passes. ``tark complete`` also always asks for gpt-4, which ChatGPT does not serve."""
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    for model in models:                   # /inline-complete: complete_fim with the model it is given
        assert judged(creds, model, bearers, build=complete_request) == ["stream"], model
    assert judged(creds, "gpt-4", bearers, build=complete_request) == ["stream", "model_supported"]


def test_a_version_override_below_a_models_minimum_hides_it(inst):
    """CHATGPT_OAUTH_CODEX_VERSION is sent as is: models newer than it are refused as the backend
    refuses an old Codex, the others still pass."""
    inst.env["CHATGPT_OAUTH_CODEX_VERSION"] = "0.150.0"
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    assert identity(creds)[1] == "0.150.0"
    assert creds["custom_headers"]["User-Agent"].startswith(f"{identity(creds)[0]}/0.150.0 ")
    outcome = {m: judged(creds, m, bearers) for m in models}
    for model, broken in outcome.items():
        old = not version_at_least("0.150.0", codex_rules.model(model).minimal_client_version)
        assert broken == (["client_version"] if old else []), (model, broken)
    assert any(outcome.values()) and not all(outcome.values()), outcome


def test_an_originator_override_outside_codex_closes_the_gated_models(inst):
    inst.env["CHATGPT_OAUTH_ORIGINATOR"] = "opencode"
    doc, creds, models = answer_and_models(inst)
    bearers = backend(doc["access_token"])
    assert identity(creds)[0] == "opencode" and identity(creds)[2].startswith("opencode/")
    for model in models:
        expected = ["codex_client"] if codex_rules.model(model).gated else []
        assert judged(creds, model, bearers) == expected, model


# --------------------------------------------------------------------------------------------
# The plugin's own requests (tark:http): the same identity as its answer (the refresh's is
# checked in test_identity.py; the backend's rules need a User-Agent there too)
# --------------------------------------------------------------------------------------------

def test_revoke_request_carries_the_answers_user_agent_and_originator(inst):
    host = inst.load()
    payload = {"access_token": access_jwt(ACCOUNT), "refresh_token": opaque("rt")}
    assert host.init_with("provider_auth_init", json.dumps(payload).encode()) >= 0
    originator, _, user_agent = identity(ok_credentials(host))
    inst.endpoint.default = json_reply(200, {})
    assert host.call_i32("provider_auth_logout") >= 0
    [revoke] = inst.endpoint.requests
    assert revoke["url"] == "https://auth.openai.com/oauth/revoke"
    assert inst.endpoint.identities == [{"user_agent": user_agent, "originator": originator}]
