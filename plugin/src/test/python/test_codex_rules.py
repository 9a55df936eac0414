"""The strict backend's rules themselves (codex_rules.py): a request shaped as the Codex CLI sends it
passes; each rule, broken alone, refuses the way the reports quote it."""

import json
import time

import pytest

import codex_rules as rules
from codex_rules import CODEX_PATH, Bearers, judge, parse_version, version_at_least, violations

TOKEN = "at_" + "x" * 40
ACCOUNT = "acct-rules"
CODEX_VERSION = "0.162.1"


def codex_request(model="gpt-5.6-sol", **body_changes):
    """Headers and body as the Codex CLI sends them (codex-rs default_client.rs and
    model-provider-info: originator, version, User-Agent; ChatGPT-Account-Id; stream, store false)."""
    headers = [("Authorization", f"Bearer {TOKEN}"), ("ChatGPT-Account-Id", ACCOUNT),
               ("originator", "codex_cli_rs"), ("version", CODEX_VERSION),
               ("User-Agent", f"codex_cli_rs/{CODEX_VERSION} (Ubuntu 24.4.0; x86_64) xterm-256color"),
               ("Content-Type", "application/json")]
    body = {"model": model, "instructions": "You are Codex.",
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
            "tools": [], "tool_choice": "auto", "stream": True, "store": False}
    body.update(body_changes)
    return headers, {k: v for k, v in body.items() if v is not REMOVE}


REMOVE = object()


@pytest.fixture
def bearers():
    b = Bearers()
    b.accept(TOKEN, ACCOUNT, expires_at=time.time() + 3600)
    return b


def without(headers, name):
    return [(k, v) for k, v in headers if k.lower() != name.lower()]


def replaced(headers, name, value):
    return without(headers, name) + [(name, value)]


def ask(headers, body, bearers, path=CODEX_PATH, method="POST"):
    text = body if isinstance(body, str) else json.dumps(body)
    return judge(method, path, headers, text, bearers)


@pytest.mark.parametrize("slug", [m.slug for m in rules.served_models()])
def test_a_codex_request_passes_for_every_served_model(bearers, slug):
    headers, body = codex_request(slug)
    assert ask(headers, body, bearers) is None
    assert violations("POST", CODEX_PATH, dict(headers), json.dumps(body), bearers) == []


def test_no_user_agent_meets_the_challenge_page(bearers):
    headers, body = codex_request()
    for broken in (without(headers, "User-Agent"), replaced(headers, "User-Agent", "  ")):
        r = ask(broken, body, bearers)
        assert (r.status, r.rule, r.content_type) == (403, "user_agent", rules.HTML)
        assert "<title>Just a moment...</title>" in r.body
        assert ("cf-mitigated", "challenge") in r.headers


def one_below(version: str) -> str:
    """The version just below a plain one: its last non-zero part less one (0.153.0 -> 0.152.0)."""
    parts = list(parse_version(version))
    last = max(i for i, n in enumerate(parts) if n)
    parts[last] -= 1
    return ".".join(map(str, parts))


@pytest.mark.parametrize("slug", [m.slug for m in rules.served_models()])
def test_version_missing_or_below_the_models_minimum(bearers, slug):
    entry = rules.model(slug)
    headers, body = codex_request(slug)
    below = one_below(entry.minimal_client_version)
    assert not version_at_least(below, entry.minimal_client_version)
    for broken in (without(headers, "version"), replaced(headers, "version", below),
                   replaced(headers, "version", entry.minimal_client_version + "-alpha.1")):
        r = ask(broken, body, bearers)
        assert r is not None and r.rule == "client_version", broken
        if entry.too_old == rules.NOT_FOUND:
            assert (r.status, r.body) == (404, f"Model not found {slug}")
        elif entry.too_old == rules.UPGRADE:
            assert r.status == 400 and "requires a newer version of Codex" in json.loads(r.body)["detail"]
        else:
            assert r.status == 400 and json.loads(r.body)["detail"] == (
                f"The '{slug}' model is not supported when using Codex with a ChatGPT account.")
    # exactly the minimum passes
    assert ask(replaced(headers, "version", entry.minimal_client_version), body, bearers) is None


def test_gated_model_needs_a_codex_originator_and_user_agent(bearers):
    gated = [m.slug for m in rules.MODELS if m.gated]
    assert gated == ["gpt-5.6-luna"]
    headers, body = codex_request("gpt-5.6-luna")
    for name, value in [("originator", "opencode"), ("originator", "pi"), ("originator", "codex"),
                        ("User-Agent", f"opencode/{CODEX_VERSION} (linux; x86_64)"),
                        ("User-Agent", "probe-client/1.0"), ("User-Agent", "codex_cli_rs")]:
        r = ask(replaced(headers, name, value), body, bearers)
        assert (r.status, r.rule, r.body) == (404, "codex_client", "Model not found gpt-5.6-luna"), value
    assert ask(without(headers, "originator"), body, bearers).rule == "codex_client"
    for family in ("codex-tui", "codex_vscode", "Codex Desktop"):
        ok = replaced(replaced(headers, "originator", family), "User-Agent", f"{family}/{CODEX_VERSION} (x; y) z")
        assert ask(ok, body, bearers) is None, family
    # an ungated model does not care who asks
    headers, body = codex_request("gpt-5.6-sol")
    assert ask(replaced(headers, "originator", "opencode"), body, bearers) is None


@pytest.mark.parametrize("stream", [REMOVE, False, "true", 1])
def test_stream_must_be_true(bearers, stream):
    r = ask(*codex_request(stream=stream), bearers)
    assert (r.status, r.rule, json.loads(r.body)) == (400, "stream", {"detail": "Stream must be set to true"})


@pytest.mark.parametrize("store", [REMOVE, True, None, "false", 0])
def test_store_must_be_false(bearers, store):
    r = ask(*codex_request(store=store), bearers)
    assert (r.status, r.rule, json.loads(r.body)) == (400, "store", {"detail": "Store must be set to false"})


@pytest.mark.parametrize("instructions", [REMOVE, None, "", ["x"]])
def test_instructions_are_required(bearers, instructions):
    r = ask(*codex_request(instructions=instructions), bearers)
    assert (r.status, r.rule, json.loads(r.body)) == (400, "instructions", {"detail": "Instructions are required"})


@pytest.mark.parametrize("value", [REMOVE, "hi", {"role": "user", "content": "hi"}, None])
def test_input_must_be_a_list(bearers, value):
    r = ask(*codex_request(input=value), bearers)
    assert (r.status, r.rule, json.loads(r.body)) == (400, "input", {"detail": "Input must be a list"})


def test_unknown_expired_or_missing_bearer_is_401(bearers):
    headers, body = codex_request()
    bearers.accept("at_expired_" + "y" * 30, ACCOUNT, expires_at=time.time() - 1)
    for auth in ("Bearer at_unknown_" + "z" * 30, "Bearer at_expired_" + "y" * 30, f"Basic {TOKEN}",
                 "Bearer ", TOKEN):
        r = ask(replaced(headers, "Authorization", auth), body, bearers)
        assert (r.status, r.rule, json.loads(r.body)) == (401, "bearer", {"detail": "Unauthorized"}), auth
    assert ask(without(headers, "Authorization"), body, bearers).rule == "bearer"


def test_bearer_expiry_defaults_to_the_jwts_exp():
    import base64
    def jwt(exp):
        seg = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
        return f"{seg({'alg': 'none'})}.{seg({'exp': exp})}.sig"
    b = Bearers()
    live, dead = jwt(int(time.time()) + 60), jwt(int(time.time()) - 60)
    b.accept(live, ACCOUNT)
    b.accept(dead, ACCOUNT)
    headers, body = codex_request()
    assert ask(replaced(headers, "Authorization", f"Bearer {live}"), body, b) is None
    assert ask(replaced(headers, "Authorization", f"Bearer {dead}"), body, b).rule == "bearer"


def test_another_accounts_id_is_403(bearers):
    headers, body = codex_request()
    r = ask(replaced(headers, "ChatGPT-Account-Id", "acct-someone-else"), body, bearers)
    assert (r.status, r.rule) == (403, "account")
    assert json.loads(r.body) == {"detail": {"code": "invalid_workspace_selected"}}
    # no header: the token's own account
    assert ask(without(headers, "ChatGPT-Account-Id"), body, bearers) is None


@pytest.mark.parametrize("slug", [m.slug for m in rules.MODELS if m.retired] + ["gpt-4", "gpt-5.6", ""])
def test_retired_and_unknown_models_are_400(bearers, slug):
    r = ask(*codex_request(slug), bearers)
    assert (r.status, r.rule) == (400, "model_supported")
    assert json.loads(r.body) == {
        "detail": f"The '{slug}' model is not supported when using Codex with a ChatGPT account."}


def test_retired_list_holds_what_the_reports_name():
    retired = {m.slug for m in rules.MODELS if m.retired}
    assert {"gpt-5.2", "gpt-5.3-codex", "gpt-5.4", "gpt-5.4-mini", "gpt-5.1-codex-max",
            "gpt-5.1-codex-mini", "gpt-5.2-codex"} == retired
    for m in rules.MODELS:
        assert parse_version(m.minimal_client_version) and m.source, m
    assert len({m.slug for m in rules.MODELS}) == len(rules.MODELS)


def test_body_that_is_not_json_stops_at_json_body(bearers):
    headers, _ = codex_request()
    found = violations("POST", CODEX_PATH, headers, "not json", bearers)
    assert [r.rule for r in found] == ["json_body"] and found[0].status == 400


def test_wrong_path_or_method(bearers):
    headers, body = codex_request()
    assert ask(headers, body, bearers, path="/backend-api/codex/chat").rule == "endpoint"
    assert ask(headers, body, bearers, method="GET").status == 404


def test_violations_lists_every_broken_rule_in_order(bearers):
    headers, body = codex_request("gpt-4", stream=REMOVE)
    found = violations("POST", CODEX_PATH, without(headers, "User-Agent"), json.dumps(body), bearers)
    assert [r.rule for r in found] == ["user_agent", "stream", "model_supported"]
    assert judge("POST", CODEX_PATH, without(headers, "User-Agent"), json.dumps(body), bearers).rule == "user_agent"


@pytest.mark.parametrize("text,expected", [
    ("0.162.1", (0, 162, 1)), ("1", (1,)), ("0.0.0", (0, 0, 0)),
    (None, None), ("", None), ("v0.1", None), ("0.163.0-alpha.6", None), ("0..1", None),
    ("0.1.", None), ("0.1 ", None), ("０.1", None)])
def test_parse_version(text, expected):
    assert parse_version(text) == expected


@pytest.mark.parametrize("have,need,ok", [
    ("0.162.1", "0.155.0", True), ("0.155.0", "0.155.0", True), ("0.155", "0.155.0", True),
    ("0.154.9", "0.155.0", False), ("0.99.0", "0.124.0", False), ("1.0", "0.999.999", True),
    (None, "0.0.1", False), ("garbage", "0.0.1", False), ("0.142.10", "0.142.2", True)])
def test_version_at_least(have, need, ok):
    assert version_at_least(have, need) is ok


def test_codex_family_and_user_agent_product():
    assert rules.user_agent_product("codex_cli_rs/0.1.0 (Linux 6; x86_64) xterm") == "codex_cli_rs"
    assert rules.user_agent_product("Codex Desktop/1.0") == "Codex Desktop"
    assert rules.user_agent_product("codex_cli_rs") is None and rules.user_agent_product(None) is None
    assert [rules.codex_family(n) for n in ("codex_cli_rs", "codex-tui", "codex_vscode", "Codex App",
                                            "codex", "Codex", "opencode", "", None)] == [
        True, True, True, True, False, False, False, False, False]
