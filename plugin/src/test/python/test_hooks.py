"""tark's login hook (auth_process_tokens), status, init, logout, info, models and the legacy
auth-plugin exports, called with tark's buffers."""

import json
import time

import pytest

import tark_host
from conftest import (BAD_INPUT, DAY, ENDPOINT, INVALID_CREDENTIALS, LOGIN_COMMAND, NOT_AUTHENTICATED,
                      PLUGIN_NAME, access_jwt, assert_credentials, claims, errors, failed, json_reply,
                      make_jwt, ok_credentials, opaque)


# ---------------------------------------------------------------- auth_process_tokens

def login_reply(account="acct-login", expires_in=3600, **kw):
    at = kw.pop("access_token", None) or access_jwt(account, 10 * DAY)
    it = kw.pop("id_token", None) or make_jwt(claims(account, 3600, email="u@example.com"))
    return at, it, tark_host.tokens_json(at, kw.pop("refresh_token", opaque("rt")), it, expires_in,
                                         "Bearer", None)


def test_process_tokens_output_holds_what_the_plugin_reads(inst):
    """The file gets the tokens, an absolute expires_at and the account id; nothing else of the
    reply (expires_in is relative, token_type and scope are not read)."""
    at, it, tokens = login_reply("acct-login", 3600)
    host = inst.load()
    before = time.time()
    out = host.auth_process_tokens(tokens)          # tark's exact call
    after = time.time()
    assert out is not None and len(out.encode()) <= 8192
    doc = json.loads(out)
    reply = json.loads(tokens)
    for key in ("access_token", "refresh_token", "id_token"):
        assert doc[key] == reply[key], key
    assert set(doc) == {"access_token", "refresh_token", "id_token", "expires_at", "account_id"}
    assert isinstance(doc["expires_at"], int)
    assert int(before) + 3600 - 1 <= doc["expires_at"] <= after + 3600 + 1
    assert doc["account_id"] == "acct-login"
    assert host.http_requests == [] and errors(host) == []


def test_process_tokens_logs_the_terms_notice(inst):
    host = inst.load()
    host.auth_process_tokens(login_reply()[2])
    infos = [m for level, m in host.logs if level == "info"]
    assert len(infos) == 1 and "Logged in to ChatGPT" in infos[0]
    assert "OpenAI's terms" in infos[0] and "personal" in infos[0] and "stop it" in infos[0]


def test_process_tokens_output_works_as_the_credentials_file(inst):
    at, it, tokens = login_reply("acct-loop", 3600 * 24 * 8)
    out = inst.load().auth_process_tokens(tokens)
    inst.write_creds(out)                           # tark writes it verbatim
    host = inst.load()
    assert_credentials(ok_credentials(host), at, "acct-loop")
    assert host.call_i32("provider_auth_status") == 1
    assert inst.endpoint.requests == []


def test_process_tokens_expiry_from_jwt_when_no_expires_in(inst):
    exp = int(time.time()) + 5 * DAY
    at = make_jwt(dict(claims("acct-j", None), exp=exp))
    tokens = tark_host.tokens_json(at, opaque("rt"), None, None, "Bearer", "openid")
    doc = json.loads(inst.load().auth_process_tokens(tokens))
    assert doc["expires_at"] == exp
    assert doc["account_id"] == "acct-j"              # from the access token: no id_token
    assert doc["access_token"] == at and "scope" not in doc


def test_process_tokens_opaque_token_without_expiry(inst):
    at = opaque("at")
    tokens = tark_host.tokens_json(at, opaque("rt"), None, None, None, None)
    out = inst.load().auth_process_tokens(tokens)
    doc = json.loads(out)
    assert doc["access_token"] == at
    assert doc.get("expires_at") is None
    assert "account_id" not in doc or doc["account_id"] is None
    inst.write_creds(out)
    assert_credentials(ok_credentials(inst.load()), at, None)


def test_process_tokens_non_ascii_claims(inst):
    c = claims("acct-ü", 3600, name="Zoë Ñandú 日本語 🎉", email="zoë@exämple.com")
    it = make_jwt(c)
    at = access_jwt("acct-ü")
    tokens = tark_host.tokens_json(at, opaque("rt"), it, 3600, "Bearer", None)
    out = inst.load().auth_process_tokens(tokens)
    doc = json.loads(out)
    assert doc["account_id"] == "acct-ü" and doc["id_token"] == it
    inst.write_creds(out)
    assert_credentials(ok_credentials(inst.load()), at, "acct-ü")


@pytest.mark.parametrize("text", [
    "", "not json", "[]", "null", '{"access_token": null, "refresh_token": "x"}',
    '{"access_token": ""}', '{"access_token": 1}', "[" * 100000, '{"a":' * 50000])
def test_process_tokens_bad_input(inst, text):
    host = inst.load()
    rc, out = host.call_with_input("auth_process_tokens", text.encode())
    assert out is None
    failed(host, rc, BAD_INPUT, LOGIN_COMMAND)
    # the same instance still works
    at, it, tokens = login_reply()
    assert json.loads(host.auth_process_tokens(tokens))["access_token"] == at


# ---------------------------------------------------------------- provider_auth_status

def test_status_codes(inst):
    host = inst.load()
    assert host.call_i32("provider_auth_status") == 2           # nothing at all
    inst.write_creds("{broken")
    assert host.call_i32("provider_auth_status") == 2
    inst.valid_creds("acct-s")
    assert host.call_i32("provider_auth_status") == 1
    inst.valid_creds("acct-s", exp_in=-60)                        # expired, refreshable
    assert host.call_i32("provider_auth_status") == 1
    inst.write_creds({"access_token": access_jwt("acct-s", -60)})  # expired, no refresh token
    assert host.call_i32("provider_auth_status") == 3
    inst.write_creds({"access_token": opaque("at")})               # opaque: taken as valid
    assert host.call_i32("provider_auth_status") == 1
    assert inst.endpoint.requests == [], "status must not refresh"


# ---------------------------------------------------------------- logout / init

@pytest.mark.parametrize("export", ["provider_auth_logout"])
def test_logout_drops_stored_state(inst, export):
    inst.endpoint.account = "acct-main"
    doc = inst.valid_creds("acct-main", exp_in=-60)
    host = inst.load()
    ok_credentials(host)
    rotated = inst.endpoint.last
    assert "tokens" in inst.storage()
    assert host.call_i32(export) >= 0
    assert "tokens" not in inst.storage()
    assert rotated["access_token"] not in inst.storage_text()
    assert rotated["refresh_token"] not in inst.storage_text()
    assert json.loads(inst.creds_path.read_text()) == doc, "logout leaves the file to tark"
    assert inst.load().call_i32(export) >= 0                      # idempotent


@pytest.mark.parametrize("export", ["provider_auth_init"])
def test_init_adopts_credentials(inst, export):
    token = access_jwt("acct-init")
    host = inst.load()
    payload = json.dumps({"access_token": token, "refresh_token": opaque("rt")})
    assert host.init_with(export, payload.encode()) >= 0
    assert_credentials(ok_credentials(host), token, "acct-init")
    assert_credentials(ok_credentials(host), token, "acct-init")
    # tark's file wins over adopted credentials
    doc = inst.valid_creds("acct-file")
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-file")
    inst.remove_creds()
    assert_credentials(ok_credentials(host), token, "acct-init")
    # logout revokes their refresh token (as the Codex CLI does) and forgets them
    inst.endpoint.default = json_reply(200, {})
    assert host.call_i32("provider_auth_logout") >= 0
    rc, _ = host.credentials()
    assert rc == NOT_AUTHENTICATED
    [revoke] = inst.endpoint.requests
    assert revoke["url"] == "https://auth.openai.com/oauth/revoke"
    body = json.loads(revoke["body"])
    assert body["token"] == json.loads(payload)["refresh_token"]
    assert body["token_type_hint"] == "refresh_token" and body["client_id"]


def test_init_adopted_credentials_refresh_once(inst):
    """Adopted credentials refresh like the file's; a later instance given the same credentials
    uses the rotated tokens instead of spending the dead refresh token again."""
    inst.endpoint.account = "acct-init"
    payload = json.dumps({"access_token": access_jwt("acct-init", -60), "refresh_token": opaque("rt")})
    host = inst.load()
    assert host.init_with("provider_auth_init", payload.encode()) >= 0
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-init")
    fresh = inst.load()
    assert fresh.init_with("provider_auth_init", payload.encode()) >= 0
    assert_credentials(ok_credentials(fresh), inst.endpoint.last["access_token"], "acct-init")
    assert len(inst.endpoint.requests) == 1


@pytest.mark.parametrize("text", ["", "{", "[]", '{"access_token": 3}', "[" * 100000])
def test_init_rejects_bad_credentials(inst, text):
    host = inst.load()
    rc = host.init_with("provider_auth_init", text.encode())
    failed(host, rc, INVALID_CREDENTIALS)
    rc, _ = host.credentials()
    assert rc == NOT_AUTHENTICATED


# ---------------------------------------------------------------- info, models, legacy strings

def test_provider_info(inst):
    host = inst.load()
    info = host.provider_info()
    assert info["id"] == PLUGIN_NAME
    assert info["display_name"] == "ChatGPT (OAuth)"
    assert isinstance(info.get("description"), str) and info["description"]
    assert info["requires_auth"] is True
    assert info["provider"] == "openai"
    assert host.logs == [] and host.http_requests == []


def test_provider_models(inst):
    models = inst.load().provider_models()
    # what subscriptions accept at release (2026-12-02); none of the retired slugs
    assert [m["id"] for m in models] == ["gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra",
                                        "gpt-5.6-luna"]
    manifest = (inst.plugin_dir / "plugin.toml").read_text()
    for m in models:
        assert m["id"] in manifest, "plugin.toml's description names the same models"
    for m in models:
        assert isinstance(m["display_name"], str) and m["display_name"]
        assert isinstance(m["context_window"], int) and m["context_window"] > 0
        assert m["supports_streaming"] is True and m["supports_tools"] is True


