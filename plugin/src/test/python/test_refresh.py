"""Refresh flows across fresh instances: rotation, rejection, transport and server
errors, re-login, logout by file deletion, the forced refresh hook."""

import json
import time

import pytest

from conftest import (CLIENT_ID, DAY, EXPIRED, LOGIN_COMMAND, NOT_AUTHENTICATED, REFRESH_FAILED,
                      REFRESH_REJECTED, TOKEN_URL, access_jwt, assert_credentials, claims, errors,
                      failed, json_reply, make_jwt, ok_credentials, opaque)


def expired_file(inst, account="acct-main"):
    """A tark credentials file whose access token has expired; the endpoint keeps the account."""
    inst.endpoint.account = account
    return inst.valid_creds(account, exp_in=-3600)


def assert_refresh_request(req, refresh_token):
    assert req["method"] == "POST"
    assert req["url"] == TOKEN_URL
    body = json.loads(req["body"])
    assert body == {"client_id": CLIENT_ID, "grant_type": "refresh_token",
                    "refresh_token": refresh_token, "scope": "openid profile email"}
    ctype = [v for k, v in req["headers"] if k.lower() == "content-type"]
    assert ctype == ["application/json"], req["headers"]


def test_expired_refresh_then_fresh_instance_uses_rotated_token(inst):
    doc = expired_file(inst)
    host = inst.load()
    creds = ok_credentials(host)
    new = inst.endpoint.last
    assert_credentials(creds, new["access_token"], "acct-main")
    assert len(inst.endpoint.requests) == 1
    assert_refresh_request(inst.endpoint.requests[0], doc["refresh_token"])
    assert host.http_requests == inst.endpoint.requests
    # persisted (sealed) before the call returned: the next init finds the rotated tokens on disk
    stored = inst.stored_tokens()
    assert stored["access_token"] == new["access_token"] and stored["refresh_token"] == new["refresh_token"]
    text = inst.storage_text()
    for token in (new["access_token"], new["refresh_token"], doc["access_token"], doc["refresh_token"]):
        assert token not in text and token[-16:] not in text
    assert json.loads(inst.creds_path.read_text()) == doc, "the plugin must not touch the file"
    for _ in range(3):                          # every later provider init: no second refresh
        fresh = inst.load()
        assert_credentials(ok_credentials(fresh), new["access_token"], "acct-main")
        assert fresh.http_requests == []
        assert fresh.call_i32("provider_auth_status") == 1
    assert len(inst.endpoint.requests) == 1
    assert errors(host) == []


def test_rotated_token_is_refreshed_with_the_rotated_refresh_token(inst):
    """When the refreshed token expires too, the next refresh presents the NEW refresh token
    (the file's one is spent)."""
    doc = expired_file(inst)
    inst.endpoint.expires_in = None
    inst.endpoint.access_exp_in = 60            # the new token is already within the margin
    ok_credentials(inst.load())
    first = inst.endpoint.last
    inst.endpoint.access_exp_in = 10 * DAY
    fresh = inst.load()
    assert_credentials(ok_credentials(fresh), inst.endpoint.last["access_token"], "acct-main")
    assert len(inst.endpoint.requests) == 2
    assert_refresh_request(inst.endpoint.requests[0], doc["refresh_token"])
    assert_refresh_request(inst.endpoint.requests[1], first["refresh_token"])


def test_reply_without_refresh_or_id_token_keeps_the_old_ones(inst):
    doc = expired_file(inst, "acct-keep")
    inst.endpoint.account = "acct-ignored"      # the new access token carries another id ...
    inst.endpoint.expires_in = None
    inst.endpoint.access_exp_in = 60
    inst.endpoint.default = lambda *a: inst.endpoint.rotate(with_refresh=False, with_id=False)
    creds = ok_credentials(inst.load())
    # ... but the old id_token (kept) is looked at first
    assert_credentials(creds, inst.endpoint.last["access_token"], "acct-keep")
    ok_credentials(inst.load())                 # within the margin again: refresh once more
    assert len(inst.endpoint.requests) == 2
    assert_refresh_request(inst.endpoint.requests[1], doc["refresh_token"])


@pytest.mark.parametrize("expires_in, refreshes_again", [(3600, False), (60, True)])
def test_expires_in_sets_the_new_expiry(inst, expires_in, refreshes_again):
    inst.write_creds({"access_token": opaque("at"), "refresh_token": opaque("rt"),
                      "expires_at": int(time.time()) - 10})
    token = opaque("at")
    inst.endpoint.replies.append(json_reply(200, {"access_token": token, "expires_in": expires_in,
                                                  "refresh_token": opaque("rt")}))
    assert_credentials(ok_credentials(inst.load()), token, None)
    stored = inst.stored_tokens()
    assert abs(stored["expires_at"] - (time.time() + expires_in)) < 30
    ok_credentials(inst.load())
    assert len(inst.endpoint.requests) == (2 if refreshes_again else 1)


REJECTIONS = [
    (400, {"error": "refresh_token_reused"}, "refresh_token_reused"),
    (400, {"error": {"code": "refresh_token_expired", "message": "expired"}}, "refresh_token_expired"),
    (401, {"error": "refresh_token_invalidated"}, "refresh_token_invalidated"),
    (400, {"error": "invalid_grant", "error_description": "whatever"}, "invalid_grant"),
    (401, "<html>Unauthorized</html>", "401"),
    (500, {"error": {"code": "refresh_token_reused"}}, "refresh_token_reused"),
]


@pytest.mark.parametrize("status, body, code", REJECTIONS, ids=[r[2] for r in REJECTIONS])
def test_refresh_rejected(inst, status, body, code):
    expired_file(inst)
    inst.endpoint.default = json_reply(status, body)
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    line = failed(host, rc, REFRESH_REJECTED, LOGIN_COMMAND)
    assert code in line, line
    assert len(errors(host)) == 1
    assert len(inst.endpoint.requests) == 1
    # never the expired token, not in this instance nor in a fresh one
    rc, _ = host.credentials()
    assert rc == REFRESH_REJECTED
    fresh = inst.load()
    rc, _ = fresh.credentials()
    failed(fresh, rc, REFRESH_REJECTED, LOGIN_COMMAND)
    # a new login (the file changes) works again
    inst.endpoint.default = inst.endpoint.rotate
    doc = inst.valid_creds("acct-new")
    assert_credentials(ok_credentials(fresh), doc["access_token"], "acct-new")


def test_refused_refresh_token_is_not_presented_again_by_the_instance(inst):
    """After a refusal the instance never sends that refresh token again and provider_auth_status
    says 3; storage keeps only a one-way mark of it (written from storage.json as on disk, so no
    other session's tokens are erased), and a later provider init does not present it either."""
    expired_file(inst)
    inst.endpoint.default = json_reply(400, {"error": "refresh_token_reused"})
    host = inst.load()
    rc, _ = host.credentials()
    assert rc == REFRESH_REJECTED
    rc, _ = host.credentials()
    assert rc == REFRESH_REJECTED
    assert len(inst.endpoint.requests) == 1, "the same instance presented the refused token again"
    assert host.call_i32("provider_auth_status") == 3
    assert "refreshed_tokens" not in inst.storage()
    fresh = inst.load()
    rc, _ = fresh.credentials()
    assert rc == REFRESH_REJECTED
    assert len(inst.endpoint.requests) == 1, "a later start presented the refused token again"


def test_rejection_description_is_not_logged(inst):
    doc = expired_file(inst)
    inst.endpoint.default = json_reply(400, {
        "error": "invalid_grant",
        "error_description": f"Refresh token {doc['refresh_token']} has already been used"})
    host = inst.load()
    rc, _ = host.credentials()
    line = failed(host, rc, REFRESH_REJECTED, "invalid_grant")
    assert "already been used" not in line
    # the autouse fixture checks that no piece of the refresh token reached a log


def test_transport_error_then_recovers(inst):
    doc = expired_file(inst)
    inst.endpoint.replies.append({"error": "error sending request for url (https://auth.openai.com/oauth/token)"})
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    failed(host, rc, REFRESH_FAILED)
    assert len(errors(host)) == 1
    # not a rejection: the same refresh token is tried again later, and it works
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")
    assert [json.loads(r["body"])["refresh_token"] for r in inst.endpoint.requests] == \
        [doc["refresh_token"]] * 2


# A Cloudflare challenge, a proxy's 404 / 407 / 413, a timeout, a rate limit, a server error: as the
# Codex CLI reads them, none says the login is over (only a 401 or a dead-login OAuth code does).
@pytest.mark.parametrize("status", [400, 403, 404, 407, 408, 413, 429, 500, 502, 503, 504])
def test_server_error_is_negative_and_retried_later(inst, status):
    doc = expired_file(inst)
    inst.endpoint.replies.append(json_reply(status, "<html><title>Just a moment...</title>upstream error</html>"))
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    line = failed(host, rc, REFRESH_FAILED)
    assert LOGIN_COMMAND not in line, "not a reason to log in again: " + line
    if status < 500 and status not in (408, 429):
        assert "proxy" in line, line
    assert refusal_mark_absent(inst), "a transient answer is never remembered as a refusal"
    fresh = inst.load()
    assert_credentials(ok_credentials(fresh), inst.endpoint.last["access_token"], "acct-main")
    assert_refresh_request(inst.endpoint.requests[1], doc["refresh_token"])


@pytest.mark.parametrize("body", [
    "not json", "{}", '{"access_token": ""}', '{"access_token": 5}', "[]", '{"access_token": null}',
    '{"refresh_token": "rt_only_a_new_refresh_token"}'])
def test_success_status_without_usable_token(inst, body):
    expired_file(inst)
    inst.endpoint.replies.append(json_reply(200, body))
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    failed(host, rc, REFRESH_FAILED)


def test_refresh_returning_an_already_expired_token_is_not_handed_out(inst):
    """A refresh that yields an expired token fails: tark is never handed a token known to be expired."""
    expired_file(inst)
    dead = access_jwt("acct-main", -600)
    inst.endpoint.replies.append(json_reply(200, {"access_token": dead, "refresh_token": opaque("rt")}))
    host = inst.load()
    rc, creds = host.credentials()
    assert rc < 0, "the plugin handed tark an access token whose exp is 10 minutes in the past"


def test_relogin_with_another_account_file_wins(inst):
    old = expired_file(inst, "acct-old")
    ok_credentials(inst.load())
    rotated = inst.endpoint.last
    assert inst.stored_tokens()["access_token"] == rotated["access_token"]
    # `tark auth chatgpt-oauth` again, another account
    new = inst.valid_creds("acct-new")
    host = inst.load()
    assert_credentials(ok_credentials(host), new["access_token"], "acct-new")
    assert host.http_requests == []
    # the old login's entry is ignored (not deleted: it could be another session's), and unreadable
    # without the old file's refresh token
    assert inst.stored_tokens(old["refresh_token"])["access_token"] == rotated["access_token"]
    # and when the new login's token expires, its own refresh token is used
    new2 = expired_file(inst, "acct-new")
    assert_credentials(ok_credentials(inst.load()), inst.endpoint.last["access_token"], "acct-new")
    assert_refresh_request(inst.endpoint.requests[-1], new2["refresh_token"])
    assert old["refresh_token"] not in [json.loads(r["body"])["refresh_token"]
                                        for r in inst.endpoint.requests[1:]]


def test_relogin_in_the_same_instance(inst):
    expired_file(inst, "acct-old")
    host = inst.load()
    ok_credentials(host)
    new = inst.valid_creds("acct-new")
    assert_credentials(ok_credentials(host), new["access_token"], "acct-new")
    assert len(inst.endpoint.requests) == 1


def test_file_deleted_after_refresh_is_not_authenticated(inst):
    expired_file(inst)
    host = inst.load()
    ok_credentials(host)
    rotated = inst.endpoint.last
    assert inst.stored_tokens()["access_token"] == rotated["access_token"]
    inst.remove_creds()                         # `tark auth logout chatgpt-oauth`
    rc, creds = host.credentials()
    assert creds is None
    failed(host, rc, NOT_AUTHENTICATED, LOGIN_COMMAND)
    fresh = inst.load()
    rc, creds = fresh.credentials()
    assert creds is None
    failed(fresh, rc, NOT_AUTHENTICATED, LOGIN_COMMAND)
    assert fresh.call_i32("provider_auth_status") == 2
    assert len(inst.endpoint.requests) == 1
    assert "tokens" not in inst.storage(), "logging out forgets the stored tokens"


def test_forced_refresh_hook(inst):
    doc = inst.valid_creds("acct-main")           # valid for days
    inst.endpoint.account = "acct-main"
    host = inst.load()
    assert ok_credentials(host)["access_token"] == doc["access_token"]
    assert inst.endpoint.requests == []
    rc, raw = host.call_ret("provider_auth_refresh")
    assert rc > 0
    first = inst.endpoint.last
    import tark_host
    assert_credentials(tark_host.parse_auth_credentials(raw.decode()), first["access_token"], "acct-main")
    assert len(inst.endpoint.requests) == 1
    assert_refresh_request(inst.endpoint.requests[0], doc["refresh_token"])
    # a fresh instance uses the refreshed tokens, and a second forced refresh spends the NEW one
    fresh = inst.load()
    assert ok_credentials(fresh)["access_token"] == first["access_token"]
    assert fresh.http_requests == []
    rc, _ = fresh.call_ret("provider_auth_refresh")
    assert rc > 0
    assert_refresh_request(inst.endpoint.requests[1], first["refresh_token"])
    assert ok_credentials(inst.load())["access_token"] == inst.endpoint.last["access_token"]
    assert len(inst.endpoint.requests) == 2


def test_forced_refresh_failures(inst):
    token = access_jwt("acct-main")
    inst.write_creds({"access_token": token})       # no refresh token
    host = inst.load()
    rc, _ = host.call_ret("provider_auth_refresh")
    failed(host, rc, EXPIRED, LOGIN_COMMAND)
    assert inst.endpoint.requests == []
    inst.valid_creds("acct-main")
    inst.endpoint.replies.append(json_reply(400, {"error": "refresh_token_reused"}))
    rc, _ = host.call_ret("provider_auth_refresh")
    failed(host, rc, REFRESH_REJECTED, "refresh_token_reused")
    inst.remove_creds()
    rc, _ = host.call_ret("provider_auth_refresh")
    failed(host, rc, NOT_AUTHENTICATED, LOGIN_COMMAND)


def test_storage_failure_still_answers_and_warns(inst):
    expired_file(inst)
    inst.data_dir.write_text("not a directory")    # tark's storage.set then returns -1
    host = inst.load()
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")
    warns = [m for level, m in host.logs if level == "warn"]
    assert any("storage" in m for m in warns), host.logs


def refusal_mark_absent(inst) -> bool:
    return not json.loads(inst.storage().get("tokens", "{}")).get("refused")
