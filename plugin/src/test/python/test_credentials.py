"""provider_auth_credentials on tark's credentials file: first call, errors and recovery in the
same instance, CHATGPT_OAUTH_CREDENTIALS_PATH, account id, expiry rules, 3000 calls."""

import json
import time

import pytest

from conftest import (CREDENTIALS_PATH_VARIABLE, DAY, IDENTITY_HEADERS, SESSION_HEADER, assert_codex_identity, INVALID_CREDENTIALS, LOGIN_COMMAND, MARGIN,
                      NOT_ALLOWED, NOT_AUTHENTICATED, access_jwt, assert_credentials, claims, errors,
                      failed, make_jwt, ok_credentials, opaque)


def test_first_call_returns_credentials(inst):
    doc = inst.valid_creds("acct-1234")
    host = inst.load()
    rc, creds = host.credentials()          # the very first export call of the instance
    assert rc > 0
    assert_credentials(creds, doc["access_token"], "acct-1234")
    assert creds["project_id"] is None
    assert set(creds["custom_headers"]) == {*IDENTITY_HEADERS, SESSION_HEADER, "ChatGPT-Account-Id"}
    assert host.http_requests == [] and inst.endpoint.requests == []
    assert errors(host) == []


def test_credentials_json_is_exactly_what_tark_needs(inst):
    doc = inst.valid_creds("acct-raw")
    host = inst.load()
    rc, raw = host.call_ret("provider_auth_credentials")
    assert rc == len(raw) > 0
    obj = json.loads(raw.decode("utf-8"))
    headers = obj["custom_headers"]
    assert_codex_identity(headers)
    assert obj == {"access_token": doc["access_token"], "api_mode": "openai_compat",
                   "endpoint": "https://chatgpt.com/backend-api/codex/responses",
                   "custom_headers": {**{name: headers[name] for name in (*IDENTITY_HEADERS, SESSION_HEADER)},
                                      "ChatGPT-Account-Id": "acct-raw"}}


def test_missing_file_then_fixed_in_same_instance(inst):
    host = inst.load()
    rc, creds = host.credentials()
    assert creds is None
    line = failed(host, rc, NOT_AUTHENTICATED, LOGIN_COMMAND)
    assert str(inst.creds_path) in line or "chatgpt_oauth.json" in line
    assert inst.endpoint.requests == []
    doc = inst.valid_creds("acct-later")
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-later")
    # and removing it again is noticed by the same instance
    inst.remove_creds()
    rc, _ = host.credentials()
    assert rc == NOT_AUTHENTICATED


MALFORMED = [
    "",
    "   ",
    "{",
    "not json at all",
    '{"access_token": }',
    '["access_token", "x"]',
    '"just a string"',
    "null",
    "42",
    "{}",
    '{"refresh_token": "rt_only_a_refresh_token_here"}',
    '{"access_token": 12345}',
    '{"access_token": null}',
    '{"access_token": ""}',
    '{"access_token": ["a", "b"]}',
    '{"access_token": {"token": "x"}}',
    '{"access_token": true}',
    '{"access_token": "abc", }',
    '{"access_token": "abc"} trailing',
    "{'access_token': 'single quotes'}",
]


def test_malformed_file_negative_then_fixed_in_same_instance(inst):
    inst.write_creds(MALFORMED[3])
    host = inst.load()                                   # the first call sees a bad file
    for text in MALFORMED:
        inst.write_creds(text)
        n_err = len(errors(host))
        rc, creds = host.credentials()
        assert rc < 0 and creds is None, f"{text!r} -> {rc}"
        assert len(errors(host)) == n_err + 1, f"{text!r}: expected one error line, logs {host.logs[-3:]}"
        assert LOGIN_COMMAND in errors(host)[-1], errors(host)[-1]
        if text.strip():
            assert rc == INVALID_CREDENTIALS, f"{text!r} -> {rc}"
        doc = inst.valid_creds("acct-fixed")
        assert_credentials(ok_credentials(host), doc["access_token"], "acct-fixed")
    assert inst.endpoint.requests == []


def test_unknown_fields_and_null_optionals_are_ignored(inst):
    token = access_jwt("acct-x")
    inst.write_creds({"access_token": token, "refresh_token": None, "id_token": None,
                      "expires_at": None, "account_id": None, "token_type": "Bearer",
                      "scope": "openid", "extra": {"nested": [1, 2, {"a": None}]}})
    host = inst.load()
    assert_credentials(ok_credentials(host), token, "acct-x")
    assert host.http_requests == []


def test_unicode_escapes_in_names_and_values_are_decoded(inst):
    # Every character of the names and of the token escaped, hex digits in both cases: the module's
    # parser reads \u escapes with the build's own hex reading (JsonParserSize), held to Python's here.
    token = access_jwt("acct-esc")

    def escaped(text, upper):
        return "".join(("\\u%04X" if (i % 2 == 0) == upper else "\\u%04x") % ord(c) for i, c in enumerate(text))

    inst.write_creds('{"%s": "%s", "%s": "%s"}' % (escaped("access_token", True), escaped(token, False),
                                                   escaped("account_id", True), escaped("acct-\u00e9\u20ac", True)))
    host = inst.load()
    assert_credentials(ok_credentials(host), token, "acct-esc")
    assert host.http_requests == []


# ---------------------------------------------------------------- CHATGPT_OAUTH_CREDENTIALS_PATH

def test_credentials_path_not_allowed_by_manifest(inst, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "creds.json"
    token = access_jwt("acct-elsewhere")
    inst.write_creds({"access_token": token}, path=elsewhere)
    inst.valid_creds("acct-default-file")            # must not be used silently instead
    inst.env[CREDENTIALS_PATH_VARIABLE] = str(elsewhere)
    host = inst.load()
    rc, creds = host.credentials()
    line = failed(host, rc, NOT_ALLOWED, "fs_read")
    assert "plugin.toml" in line
    assert str(elsewhere) in line
    assert creds is None


def test_credentials_path_allowed_by_manifest(inst, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "creds.json"
    token = access_jwt("acct-elsewhere")
    inst.write_creds({"access_token": token}, path=elsewhere)
    inst.valid_creds("acct-default-file")
    toml = (inst.plugin_dir / "plugin.toml").read_text(encoding="utf-8")
    old = 'fs_read = [\n    "~/.config/tark/chatgpt_oauth.json",'
    assert old in toml
    (inst.plugin_dir / "plugin.toml").write_text(
        toml.replace(old, old + f'\n    "{elsewhere}",'), encoding="utf-8")
    inst.env[CREDENTIALS_PATH_VARIABLE] = str(elsewhere)
    host = inst.load()
    assert_credentials(ok_credentials(host), token, "acct-elsewhere")


def test_credentials_path_absolute_default_and_empty(inst):
    doc = inst.valid_creds("acct-abs")
    inst.env[CREDENTIALS_PATH_VARIABLE] = str(inst.creds_path)
    assert_credentials(ok_credentials(inst.load()), doc["access_token"], "acct-abs")
    inst.env[CREDENTIALS_PATH_VARIABLE] = ""       # empty: the default path
    assert_credentials(ok_credentials(inst.load()), doc["access_token"], "acct-abs")


# ---------------------------------------------------------------- account id

def test_account_id_sources(inst):
    host = inst.load()
    cases = []
    # (file, expected account)
    cases.append(({"access_token": access_jwt(None), "id_token": make_jwt(claims("acct-id"))}, "acct-id"))
    cases.append(({"access_token": access_jwt("acct-access"), "id_token": make_jwt(claims(None))},
                  "acct-access"))
    cases.append(({"access_token": access_jwt("acct-access"), "id_token": make_jwt(claims("acct-id"))},
                  "acct-id"))                                  # id_token first
    cases.append(({"access_token": access_jwt("acct-top", where="top")}, "acct-top"))
    # organizations[].id is an API organisation, not the ChatGPT workspace: never the header
    cases.append(({"access_token": access_jwt("org-first", where="org")}, None))
    cases.append(({"access_token": access_jwt("org-first", where="org"), "account_id": "acct-stored"},
                  "acct-stored"))
    cases.append(({"access_token": access_jwt(None), "account_id": "acct-stored"}, "acct-stored"))
    cases.append(({"access_token": access_jwt("acct-claim"), "account_id": "acct-stored"},
                  "acct-claim"))                               # claims before the stored id
    cases.append(({"access_token": opaque("at"), "account_id": "acct-opaque"}, "acct-opaque"))
    cases.append(({"access_token": access_jwt(None)}, None))  # no id: no header at all
    cases.append(({"access_token": opaque("at")}, None))
    cases.append(({"access_token": access_jwt(""), "account_id": ""}, None))   # never an empty header
    cases.append(({"access_token": access_jwt(""), "account_id": "acct-fallback"}, "acct-fallback"))
    # the auth claim object wins over a top-level claim in the same token
    both = claims("acct-auth")
    both["chatgpt_account_id"] = "acct-top"
    cases.append(({"access_token": make_jwt(both)}, "acct-auth"))
    for doc, account in cases:
        inst.write_creds(doc)
        assert_credentials(ok_credentials(host), doc["access_token"], account)
    assert host.http_requests == []


def test_padded_and_url_safe_payloads(inst):
    host = inst.load()
    url_safe_chars = set()
    for pad_to in range(4):
        c = claims("acct-é" + "x" * pad_to, sub="??>>~~" * 5)   # '?>~' make '-' and '_' appear
        token = make_jwt(c)
        head, payload, sig = token.split(".")
        padded = ".".join([head, payload + "=" * (-len(payload) % 4), sig])
        url_safe_chars |= set(payload) & {"-", "_"}
        for t in (token, padded):
            inst.write_creds({"access_token": t})
            assert_credentials(ok_credentials(host), t, "acct-é" + "x" * pad_to)
    assert url_safe_chars == {"-", "_"}


# ---------------------------------------------------------------- expiry

def _expiry_cases(now):
    jwt_valid = lambda: access_jwt("acct-e", 10 * DAY)   # noqa: E731
    jwt_past = lambda: access_jwt("acct-e", -DAY)        # noqa: E731
    return [
        # (description, file fields, refresh expected)
        ("expires_at seconds, future", dict(access_token=jwt_valid(), expires_at=now + DAY), False),
        ("expires_at seconds, past", dict(access_token=jwt_valid(), expires_at=now - 60), True),
        ("expires_at ms, future", dict(access_token=jwt_valid(), expires_at=(now + DAY) * 1000), False),
        ("expires_at ms, past", dict(access_token=jwt_valid(), expires_at=(now - 60) * 1000), True),
        ("expires_at float seconds, future", dict(access_token=jwt_valid(), expires_at=now + DAY + 0.5),
         False),
        ("expires_at float seconds, past", dict(access_token=jwt_valid(), expires_at=now - 60.25), True),
        ("expires_at float ms, future", dict(access_token=jwt_valid(), expires_at=(now + DAY) * 1000.0),
         False),
        ("expires_at a minute inside the margin", dict(access_token=jwt_valid(), expires_at=now + MARGIN - 60),
         True),
        ("expires_at a minute outside the margin", dict(access_token=jwt_valid(), expires_at=now + MARGIN + 60),
         False),
        ("expires_at wins over a past JWT exp", dict(access_token=jwt_past(), expires_at=now + DAY), False),
        ("no expires_at: JWT exp future", dict(access_token=jwt_valid()), False),
        ("no expires_at: JWT exp past", dict(access_token=jwt_past()), True),
        ("no expires_at: JWT exp inside the margin", dict(access_token=access_jwt("acct-e", MARGIN // 2)), True),
        ("no expires_at: JWT without exp", dict(access_token=access_jwt("acct-e", None)), False),
        ("opaque token, no expires_at", dict(access_token=opaque("at")), False),
        ("opaque token, expires_at past", dict(access_token=opaque("at"), expires_at=now - 10), True),
    ]


def test_expiry_rules(inst):
    host = inst.load()
    now = int(time.time())
    for desc, fields, refresh in _expiry_cases(now):
        fields = dict(fields, refresh_token=opaque("rt"))
        inst.write_creds(fields)
        before = len(inst.endpoint.requests)
        creds = ok_credentials(host)
        made = len(inst.endpoint.requests) - before
        assert made == (1 if refresh else 0), f"{desc}: {made} refresh requests"
        expected = inst.endpoint.last["access_token"] if refresh else fields["access_token"]
        assert creds["access_token"] == expected, desc
        # a second call on the same instance never refreshes again
        assert ok_credentials(host)["access_token"] == expected, desc
        assert len(inst.endpoint.requests) - before == made, desc


def test_expired_without_refresh_token_is_refused(inst):
    host = inst.load()
    now = int(time.time())
    for fields in (dict(access_token=access_jwt("acct-e", -DAY)),
                   dict(access_token=access_jwt("acct-e", DAY), expires_at=now - 5),
                   dict(access_token=opaque("at"), expires_at=now - 5, refresh_token="")):
        inst.write_creds(fields)
        rc, creds = host.credentials()
        assert creds is None
        failed(host, rc, None, LOGIN_COMMAND)
    # about to expire (inside the margin) but still valid and no refresh token: still usable
    token = access_jwt("acct-e", MARGIN // 2)
    inst.write_creds({"access_token": token})
    assert_credentials(ok_credentials(host), token, "acct-e")
    assert inst.endpoint.requests == []


# ---------------------------------------------------------------- many calls

def test_3000_calls_same_answer_memory_flat(inst):
    inst.valid_creds("acct-loop")
    host = inst.load()
    rc0, first = host.call_ret("provider_auth_credentials")
    assert rc0 > 0
    for _ in range(99):                                  # warm-up
        assert host.call_ret("provider_auth_credentials") == (rc0, first)
    pages = host.pages()
    for i in range(2900):
        rc, raw = host.call_ret("provider_auth_credentials")
        assert rc == rc0 and raw == first, f"call {100 + i} differs"
    assert host.pages() == pages, f"memory grew from {pages} to {host.pages()} pages"
    assert errors(host) == [] and host.http_requests == []
