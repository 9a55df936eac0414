"""A ChatGPT subscriber's first hour in tark, in wasmtime as tark loads the module: the answer tark's
fallback shows after an auth failure (provider_chat), a token that lasts the session (the early
refresh on real JWT lifetimes, the still-valid token when it fails), and the account id header."""

import json
import struct
import time

import pytest

from chatgpt_oauth_tools import tark_host
from conftest import (CREDENTIALS_PATH_VARIABLE, DAY, LOGIN_COMMAND, MAX_REFRESH_MARGIN, PLUGIN_NAME,
                      REFRESH_FAILED, access_jwt, assert_credentials, claims, diagnostics, errors,
                      find_leaks, json_reply, make_jwt, ok_credentials, opaque, refresh_margin,
                      refusal_mark)

HOUR = 3600
LIFETIME = 10 * DAY            # ChatGPT's access tokens live about ten days
MESSAGES = [{"role": "system", "content": "You are tark."}, {"role": "user", "content": "hello"}]


def lived_jwt(account, exp_in, lifetime=LIFETIME):
    """An access token issued ``lifetime`` seconds before it expires ``exp_in`` seconds from now."""
    now = int(time.time())
    return make_jwt(claims(account, exp_in, iat=now + exp_in - lifetime))


def login(inst, exp_in, lifetime=LIFETIME, account="acct-main"):
    doc = {"access_token": lived_jwt(account, exp_in, lifetime), "refresh_token": opaque("rt")}
    inst.write_creds(doc)
    return doc


def chat_text(host) -> str:
    """provider_chat as tark's fallback calls it; the answer's text, checked as tark checks it."""
    answer = host.provider_chat(MESSAGES, "gpt-4")
    assert answer["finish_reason"] == "stop" and answer["usage"] is None
    text = answer["text"]
    assert text.startswith(PLUGIN_NAME), text
    return text


def init_error(inst) -> str:
    host = inst.load()
    rc, _ = host.credentials()
    assert rc < 0
    return errors(host)[-1]


# ---------------------------------------------------------------- provider_chat

def test_not_logged_in_the_user_reads_what_to_do(inst):
    # what tark does: provider_auth_credentials fails, then a fresh instance answers provider_chat
    line = init_error(inst)
    host = inst.load()
    assert host.provider_info()["id"] == PLUGIN_NAME
    assert host.provider_models()
    text = chat_text(inst.load())
    assert line in text, "the error line's own words"
    assert LOGIN_COMMAND in text and "restart tark" in text


@pytest.mark.parametrize("state", ["damaged", "refused", "unavailable", "codex_expired", "works_now"])
def test_each_failure_is_explained_without_a_request(inst, state):
    if state == "damaged":
        inst.write_creds('{"access_token": ')
        expected = "not a JSON object"
    elif state == "refused":
        inst.write_creds({"access_token": access_jwt("a", -HOUR), "refresh_token": opaque("rt")})
        inst.endpoint.default = json_reply(400, {"error": "invalid_grant"})
        expected = None                     # what the token endpoint said: the init's error line, whole
    elif state == "unavailable":
        inst.write_creds({"access_token": access_jwt("a", -HOUR), "refresh_token": opaque("rt")})
        inst.endpoint.default = json_reply(503, {"error": "temporarily_unavailable"})
        expected = None
    elif state == "codex_expired":
        inst.write_codex({"access_token": access_jwt("a", -HOUR), "refresh_token": opaque("rt")})
        expected = "run `codex` once"
    else:
        expected = "works now"
    if state != "works_now":
        line = init_error(inst)
        expected = expected or line
    else:
        # the init failed before the user logged in from another terminal
        init_error(inst)
        inst.valid_creds()
    requests = len(inst.endpoint.requests)
    before = inst.storage_text()
    text = chat_text(inst.load())
    assert expected in text, text
    assert len(inst.endpoint.requests) == requests, "provider_chat never sends a request"
    assert inst.storage_text() == before, "provider_chat never writes storage"


@pytest.mark.parametrize("messages_len,model_len", [(0, 0), (-1, -1), (1 << 30, 5), (5, 1 << 31 - 1)])
def test_hostile_inputs_never_trap(inst, messages_len, model_len):
    """The messages and the model are not read: any pointers and lengths get the same answer."""
    host = inst.load()
    fn = host._typed("provider_chat", [tark_host._I32] * 5, [tark_host._I32])
    ret = host._alloc(65536)
    rc = host._guarded(lambda: fn(host.store, 12345, messages_len, -7, model_len, ret))
    assert rc > 0
    answer = json.loads(host._read_result(ret, rc))
    assert LOGIN_COMMAND in answer["text"]


def test_an_output_buffer_not_lent_is_refused(inst):
    host = inst.load()
    fn = host._typed("provider_chat", [tark_host._I32] * 5, [tark_host._I32])
    assert host._guarded(lambda: fn(host.store, 0, 0, 0, 0, 64)) == -8


def test_hostile_message_json_gets_the_same_answer(inst):
    host = inst.load()
    rc, raw = host.call_chat(b"\xff\xfe{[[[[" * 1000, b"\x00" * 300)
    assert rc > 0 and LOGIN_COMMAND in json.loads(raw)["text"]


def test_the_answer_fits_64_kib_whatever_the_path(inst):
    path = "/" + "\u00e9\U0001F680\u0001" * 30000
    host = inst.load(env={CREDENTIALS_PATH_VARIABLE: path})
    rc, raw = host.call_chat(b"[]", b"m")
    assert 0 < rc <= 65536
    assert json.loads(raw.decode("utf-8"))["text"]


def test_the_answer_holds_no_token(inst):
    doc = {"access_token": "bad token " + opaque("at"), "refresh_token": opaque("rt")}
    inst.write_creds(doc)
    text = chat_text(inst.load())
    assert "visible ASCII" in text
    assert find_leaks([("chat", text)], [doc["access_token"][10:], doc["refresh_token"]]) == []


# ---------------------------------------------------------------- a token that lasts the session

def test_an_hour_left_of_a_ten_day_token_is_refreshed_at_init(inst):
    login(inst, HOUR)
    creds = ok_credentials(inst.load())
    assert len(inst.endpoint.requests) == 1
    assert creds["access_token"] == inst.endpoint.last["access_token"]


def test_more_than_the_margin_left_is_not_refreshed(inst):
    doc = login(inst, refresh_margin(LIFETIME) + 120)
    assert ok_credentials(inst.load())["access_token"] == doc["access_token"]
    assert inst.endpoint.requests == []


def test_a_short_lived_token_refreshes_at_a_fifth_of_its_life(inst):
    doc = login(inst, refresh_margin(HOUR) + 60, lifetime=HOUR)   # the margin is 12 minutes: not yet
    assert ok_credentials(inst.load())["access_token"] == doc["access_token"]
    assert inst.endpoint.requests == []
    login(inst, refresh_margin(HOUR) - 60, lifetime=HOUR)         # inside it: refreshed
    ok_credentials(inst.load())
    assert len(inst.endpoint.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_server_error_serves_the_still_valid_token_with_one_warning(inst, status):
    doc = login(inst, HOUR)
    inst.endpoint.default = json_reply(status, {"error": "temporarily_unavailable"})
    host = inst.load()
    creds = ok_credentials(host)
    assert_credentials(creds, doc["access_token"], "acct-main")
    assert errors(host) == []
    warnings = [m for level, m in host.logs if level == "warn"]
    assert len(warnings) == 1 and "still valid" in warnings[0] and "next start" in warnings[0], warnings
    # the next init tries again
    inst.endpoint.default = inst.endpoint.rotate
    assert ok_credentials(inst.load())["access_token"] == inst.endpoint.last["access_token"]
    assert len(inst.endpoint.requests) == 2


def test_an_expired_token_with_a_failed_refresh_is_minus_four(inst):
    login(inst, -60)
    inst.endpoint.default = json_reply(503, "")
    rc, _ = inst.load().credentials()
    assert rc == REFRESH_FAILED


def test_a_refused_early_refresh_serves_the_valid_token_and_is_remembered(inst):
    doc = login(inst, HOUR)
    inst.endpoint.default = json_reply(400, {"error": "invalid_grant"})
    host = inst.load()
    assert ok_credentials(host)["access_token"] == doc["access_token"]
    assert errors(host) == []
    warnings = [m for level, m in host.logs if level == "warn"]
    assert len(warnings) == 1 and "renew the login" in warnings[0], warnings
    stored = json.loads(inst.storage()["tokens"])
    assert stored["refused"] == [refusal_mark(doc["refresh_token"])]
    assert ok_credentials(inst.load())["access_token"] == doc["access_token"]
    assert len(inst.endpoint.requests) == 1, "a later init presented the refused token again"


def test_the_diagnostics_line_states_the_refresh_plan(inst):
    login(inst, 3 * DAY)
    host = inst.load()
    ok_credentials(host)
    diag = diagnostics(host)[0]
    assert diag["lifetime_seconds"] == LIFETIME
    assert diag["refresh_margin_seconds"] == MAX_REFRESH_MARGIN            # the cap
    assert diag["refresh_at"] == diag["expires_at"] - MAX_REFRESH_MARGIN
    assert "capped at 2 days" in diag["refresh_margin_reason"]


# ---------------------------------------------------------------- the workspace id

def test_an_api_organisation_is_never_the_account_header(inst):
    token = make_jwt(claims("org-api", 10 * DAY, where="org"))
    inst.write_creds({"access_token": token})
    assert_credentials(ok_credentials(inst.load()), token, None)
    inst.write_creds({"access_token": token, "account_id": "acct-file"})
    assert_credentials(ok_credentials(inst.load()), token, "acct-file")
