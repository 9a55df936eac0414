"""The Codex client's identity in wasm, as tark loads the module: the headers of every credentials
answer and of the plugin's own requests, the user's overrides, and a refresh that comes once per
lifetime when the token endpoint's expiry and the JWT's disagree."""

import time

import pytest

from conftest import (SESSION_HEADER, CODEX_ORIGINATOR, CODEX_VERSION_VARIABLE, DAY, ORIGINATOR_VARIABLE, access_jwt,
                      assert_codex_identity, json_reply, ok_credentials, opaque)

HOUR = 3600


def headers_of(request) -> dict:
    return {k.lower(): v for k, v in request["headers"]}


def test_the_answer_and_the_refresh_carry_one_identity(inst):
    inst.valid_creds("acct-id", exp_in=-HOUR)            # expired: the init refreshes it
    sent = ok_credentials(inst.load())["custom_headers"]
    assert_codex_identity(sent)
    (refresh,) = inst.endpoint.requests
    h = headers_of(refresh)
    assert h["originator"] == sent["originator"] and h["user-agent"] == sent["User-Agent"], h
    assert "version" not in h, "the token endpoint is not a Codex model endpoint"


def test_logout_revokes_with_the_same_identity(inst):
    inst.valid_creds("acct-id")
    host = inst.load()
    sent = ok_credentials(host)["custom_headers"]
    inst.endpoint.default = json_reply(200, {})
    assert host.call_i32("provider_auth_logout") >= 0
    (revoke,) = inst.endpoint.requests
    assert revoke["url"].endswith("/oauth/revoke")
    assert headers_of(revoke)["user-agent"] == sent["User-Agent"]


def test_plain_overrides_are_sent_everywhere(inst):
    inst.env[CODEX_VERSION_VARIABLE] = "0.170.2"
    inst.env[ORIGINATOR_VARIABLE] = "codex-tui"
    inst.valid_creds("acct-id", exp_in=-HOUR)
    host = inst.load()
    sent = ok_credentials(host)["custom_headers"]
    assert_codex_identity(sent, originator="codex-tui")
    assert sent["version"] == "0.170.2"
    assert headers_of(inst.endpoint.requests[0])["user-agent"] == sent["User-Agent"]
    assert [m for level, m in host.logs if level == "warn"] == []


@pytest.mark.parametrize("variable, value", [
    (CODEX_VERSION_VARIABLE, "latest"), (CODEX_VERSION_VARIABLE, "0.170.0-beta"),
    (CODEX_VERSION_VARIABLE, "0.170\r\nX-Injected: 1"), (ORIGINATOR_VARIABLE, "codex cli"),
    (ORIGINATOR_VARIABLE, "\x1b]8;;http://evil\x07codex"), (ORIGINATOR_VARIABLE, "c" * 65)])
def test_an_override_that_is_not_plain_is_ignored_with_one_warning(inst, variable, value):
    inst.env[variable] = value
    inst.valid_creds("acct-id")
    host = inst.load()
    sent = ok_credentials(host)["custom_headers"]
    assert_codex_identity(sent)                     # the standard identity, unchanged
    warnings = [m for level, m in host.logs if level == "warn"]
    assert len(warnings) == 1 and variable in warnings[0], warnings
    assert value not in warnings[0] and "\x1b" not in warnings[0] and "\r" not in warnings[0]
    ok_credentials(host)
    assert len([m for level, m in host.logs if level == "warn"]) == 1, "one warning an instance"


def test_an_hour_from_the_endpoint_with_a_ten_day_jwt_is_refreshed_once(inst):
    """The token endpoint says expires_in 3600 while the JWT says ten days: the margin is a share of
    the hour in use, so six provider inits in a row spend one refresh token, not six."""
    inst.valid_creds("acct-main", exp_in=-HOUR)       # expired: the first init refreshes
    inst.endpoint.expires_in = HOUR
    inst.endpoint.default = lambda *a: json_reply(200, {
        "access_token": access_jwt("acct-main", 10 * DAY, iat=int(time.time())), "refresh_token": opaque("rt"),
        "expires_in": HOUR})
    tokens = {ok_credentials(inst.load())["access_token"] for _ in range(6)}
    assert len(inst.endpoint.requests) == 1, f"{len(inst.endpoint.requests)} refreshes for 6 inits"
    assert len(tokens) == 1


def test_one_random_session_id_a_provider_init(inst):
    """codex-rs sends a session-id so that ChatGPT keeps a conversation's turns on its prompt cache:
    one random UUID per instance (tark builds one per provider init), from WASI's random_get."""
    inst.valid_creds("acct-id")
    first = inst.load()
    one = ok_credentials(first)["custom_headers"][SESSION_HEADER]
    assert ok_credentials(first)["custom_headers"][SESSION_HEADER] == one, "stable for the instance"
    others = {ok_credentials(inst.load())["custom_headers"][SESSION_HEADER] for _ in range(5)}
    assert one not in others and len(others) == 5, "every provider init draws a new one"
