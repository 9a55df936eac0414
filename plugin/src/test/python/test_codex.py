"""The Codex CLI's login (~/.codex/auth.json) as a read-only fallback: used while valid, never
refreshed (its refresh token belongs to the Codex CLI), never written."""

import pytest

from conftest import (DAY, EXPIRED, LOGIN_COMMAND, MARGIN, NOT_AUTHENTICATED, access_jwt,
                      assert_credentials, claims, errors, failed, make_jwt, ok_credentials, opaque)


def codex_tokens(account="acct-codex", exp_in=10 * DAY):
    return {"id_token": make_jwt(claims(account, 3600)), "access_token": access_jwt(account, exp_in),
            "refresh_token": opaque("rt"), "account_id": account}


def test_codex_login_is_used_without_any_http(inst):
    tokens = codex_tokens()
    path = inst.write_codex(tokens)
    before = path.read_bytes()
    host = inst.load()
    assert_credentials(ok_credentials(host), tokens["access_token"], "acct-codex")
    assert host.call_i32("provider_auth_status") == 1
    assert_credentials(ok_credentials(inst.load()), tokens["access_token"], "acct-codex")
    assert inst.endpoint.requests == []
    assert path.read_bytes() == before
    assert "refreshed_tokens" not in inst.storage()


def test_codex_account_id_field_when_tokens_are_opaque(inst):
    tokens = {"access_token": opaque("at"), "refresh_token": opaque("rt"), "account_id": "acct-field"}
    inst.write_codex(tokens, api_key=None)
    assert_credentials(ok_credentials(inst.load()), tokens["access_token"], "acct-field")


def test_codex_within_refresh_margin_is_still_used(inst):
    tokens = codex_tokens(exp_in=MARGIN // 2)
    inst.write_codex(tokens)
    assert_credentials(ok_credentials(inst.load()), tokens["access_token"], "acct-codex")
    assert inst.endpoint.requests == []


def test_codex_expired_is_refused_without_refreshing(inst):
    tokens = codex_tokens(exp_in=-3600)
    path = inst.write_codex(tokens)
    before = path.read_bytes()
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    line = failed(host, rc, EXPIRED, "codex")
    assert LOGIN_COMMAND in line
    assert host.call_i32("provider_auth_status") == 3
    rc, _ = host.call_ret("provider_auth_refresh")        # not even when forced
    failed(host, rc, EXPIRED, "codex")
    fresh = inst.load()
    rc, _ = fresh.credentials()
    assert rc == EXPIRED
    assert inst.endpoint.requests == [] and host.http_requests == [] and fresh.http_requests == []
    assert path.read_bytes() == before
    assert "refreshed_tokens" not in inst.storage()


def test_valid_codex_forced_refresh_is_refused(inst):
    inst.write_codex(codex_tokens())
    host = inst.load()
    rc, _ = host.call_ret("provider_auth_refresh")
    failed(host, rc, EXPIRED, "codex")
    assert inst.endpoint.requests == []


def test_tark_file_wins_over_codex(inst):
    inst.write_codex(codex_tokens("acct-codex"))
    doc = inst.valid_creds("acct-tark")
    assert_credentials(ok_credentials(inst.load()), doc["access_token"], "acct-tark")
    inst.remove_creds()
    host = inst.load()
    assert ok_credentials(host)["custom_headers"]["ChatGPT-Account-Id"] == "acct-codex"


@pytest.mark.parametrize("content", [
    '{"OPENAI_API_KEY": "sk-not-a-chatgpt-login", "tokens": null}',
    '{"tokens": {"access_token": ""}}',
    '{"tokens": "x"}',
    "{",
    "[]",
])
def test_codex_without_usable_tokens(inst, content):
    inst.codex_path.parent.mkdir(parents=True)
    inst.codex_path.write_text(content)
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    failed(host, rc, NOT_AUTHENTICATED, LOGIN_COMMAND)
    assert inst.endpoint.requests == []
