"""Hostile input and honest messages, round four, in wasmtime as tark loads the module: provider_chat
says what the failed provider init's error line said, whatever the failure; tark's buffers are lent
as asked (an empty model name, a conversation over 4 MiB); control characters from a file or the
environment never reach the chat answer or a log line raw; and a refused refresh token is never
presented again, however many refused logins are in use and whichever session was refused."""

import json
import time

import pytest

from chatgpt_oauth_tools import tark_host
from conftest import (ANSWER_TOO_LARGE, CREDENTIALS_PATH_VARIABLE, EXPIRED, INVALID_CREDENTIALS, LOGIN_COMMAND,
                      NOT_ALLOWED, NOT_AUTHENTICATED, PLUGIN_NAME, REFRESH_FAILED, REFRESH_REJECTED,
                      access_jwt, claims, diagnostics, errors, find_leaks, json_reply, make_jwt, ok_credentials,
                      opaque)

MIB = 1 << 20
HOUR = 3600
MESSAGES = [{"role": "user", "content": "hello"}]
CHAT_START = "chatgpt-oauth could not give tark your ChatGPT login when this provider started"


def chat_text(host, messages=b'[{"role":"user","content":"hello"}]', model=b"gpt-4") -> str:
    rc, raw = host.call_chat(messages, model)
    assert rc > 0, f"provider_chat returned {rc}: {host.logs}"
    answer = json.loads(raw.decode("utf-8"))
    assert answer["text"].startswith(PLUGIN_NAME), answer
    return answer["text"]


def has_control_character(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)


def expired_login(inst):
    inst.write_creds({"access_token": access_jwt("acct-main", -HOUR), "refresh_token": opaque("rt")})


# ---------------------------------------------------------------- 1. the chat says what the init said

def _refused(inst):
    expired_login(inst)
    inst.endpoint.default = json_reply(400, {"error": "invalid_grant"})


def _refused_earlier(inst):
    _refused(inst)
    assert inst.load().credentials()[0] == REFRESH_REJECTED


def _clock_ahead(inst):
    expired_login(inst)
    inst.endpoint.expires_in = None            # the expiry is the token's own exp: already past
    inst.endpoint.access_exp_in = -HOUR


def _too_large(inst):
    padded = make_jwt(claims("acct-main", 5 * 86400, pad="x" * 7000))
    inst.write_creds({"access_token": padded, "refresh_token": opaque("rt")})


KINDS = {
    "not logged in": (NOT_AUTHENTICATED, lambda inst: None),
    "damaged file": (INVALID_CREDENTIALS, lambda inst: inst.write_creds('{"access_token": ')),
    "access token not header-safe": (INVALID_CREDENTIALS, lambda inst: inst.write_creds({"access_token": "bad token"})),
    "fs_read refuses the path": (NOT_ALLOWED, lambda inst: inst.env.update({CREDENTIALS_PATH_VARIABLE: "/elsewhere.json"})),
    "Codex CLI login expired": (EXPIRED, lambda inst: inst.write_codex({"access_token": access_jwt("a", -HOUR),
                                                                        "refresh_token": opaque("rt")})),
    "refused": (REFRESH_REJECTED, _refused),
    "refused at an earlier start": (REFRESH_REJECTED, _refused_earlier),
    "token endpoint unavailable": (REFRESH_FAILED, lambda inst: (expired_login(inst), setattr(
        inst.endpoint, "default", json_reply(503, {"error": "temporarily_unavailable"})))),
    "network down": (REFRESH_FAILED, lambda inst: (expired_login(inst), setattr(
        inst.endpoint, "default", {"error": "error sending request for url (https://auth.openai.com/oauth/token)"}))),
    "clock ahead of the refreshed token": (REFRESH_FAILED, _clock_ahead),
    "answer too large for tark": (ANSWER_TOO_LARGE, _too_large),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_chat_says_what_the_inits_error_line_said(inst, kind):
    code, state = KINDS[kind]
    state(inst)
    init = inst.load()
    rc, _ = init.credentials()
    assert rc == code, init.logs
    [line] = errors(init)
    requests, stored = len(inst.endpoint.requests), inst.storage_text()
    text = chat_text(inst.load())
    assert text.startswith(CHAT_START) and line in text, f"the error line, whole:\n{line}\n{text}"
    assert len(inst.endpoint.requests) == requests and inst.storage_text() == stored, "nothing sent or written"


def test_a_refusal_storage_could_not_keep_is_not_blamed_on_the_network(inst):
    _refused(inst)
    inst.data_dir.parent.mkdir(parents=True, exist_ok=True)
    inst.data_dir.write_text("not a directory")   # tark's storage writes fail
    assert inst.load().credentials()[0] == REFRESH_REJECTED
    text = chat_text(inst.load())
    assert "network was down" not in text and "unavailable" not in text, text
    assert "error line in tark's log says why" in text and LOGIN_COMMAND in text, text


def test_the_record_holds_no_piece_of_a_token(inst):
    _clock_ahead(inst)
    assert inst.load().credentials()[0] == REFRESH_FAILED
    stored = json.loads(inst.storage()["tokens"])
    assert "system clock" in stored["failure"]
    tokens = [t[k] for t in inst.endpoint.issued for k in ("access_token", "refresh_token", "id_token")]
    tokens.append(json.loads(inst.creds_path.read_text())["refresh_token"])
    assert find_leaks([("storage.json", inst.storage_text())], tokens) == []


# ---------------------------------------------------------------- alloc: what tark asks is lent

def test_an_empty_model_name_gets_the_explanation(inst):
    """tark lends alloc(0) for an empty model name right before its 64 KiB answer buffer."""
    text = chat_text(inst.load(), model=b"")
    assert LOGIN_COMMAND in text


def test_a_conversation_over_4_mib_gets_the_explanation(inst):
    content = "x" * (5 * MIB)
    messages = json.dumps([{"role": "user", "content": content}]).encode()
    host = inst.load()
    text = chat_text(host, messages=messages)
    assert LOGIN_COMMAND in text
    assert chat_text(host, messages=messages) == text, "and again on the same instance: memory is reused"


def test_past_the_modules_memory_the_write_fails_out_of_bounds_and_nothing_is_touched(inst):
    host = inst.load()
    assert host._alloc(200 * MIB) == host.memory_bytes(), "the end of memory: any write there fails"
    with pytest.raises(tark_host.TarkError, match="out of bounds"):
        host.call_chat(b"[" + b" " * (200 * MIB) + b"]", b"gpt-4")
    assert host._alloc(-5) == host.memory_bytes()
    assert errors(host) == []
    assert LOGIN_COMMAND in chat_text(host), "the instance still answers"


# ---------------------------------------------------------------- 2. a file's bytes never reach the screen raw

HOSTILE_NAME = "cred\x1b]8;;evil.example\x07click\x1b]8;;\x07\r\x9b2K\x1b[31m.json"


def test_control_characters_in_a_path_are_written_out_in_the_chat_and_every_log_line(inst):
    inst.env[CREDENTIALS_PATH_VARIABLE] = str(inst.root / HOSTILE_NAME)
    init = inst.load()
    assert init.credentials()[0] == NOT_ALLOWED
    written_out = "cred\\x1b]8;;evil.example\\x07click\\x1b]8;;\\x07\\x0d\\x9b2K\\x1b[31m.json"
    [line] = errors(init)
    assert written_out in line, line
    for level, message in init.logs:
        assert not has_control_character(message), (level, repr(message))
    text = chat_text(inst.load())
    assert not has_control_character(text), repr(text)
    assert written_out in text, text


def test_a_usable_file_at_such_a_path_is_still_described_exactly(inst):
    path = inst.root / HOSTILE_NAME
    inst.allow_reading(path)
    inst.write_creds({"access_token": access_jwt("acct-main", 10 * 86400), "refresh_token": opaque("rt")},
                     path=path)
    host = inst.load(env={CREDENTIALS_PATH_VARIABLE: str(path)})
    ok_credentials(host)
    for level, message in host.logs:
        assert not has_control_character(message), (level, repr(message))
    assert diagnostics(host)[-1]["location"] == str(path), "the diagnostics line is JSON: escaped, exact"


# ---------------------------------------------------------------- 4. refusal marks

def test_five_refused_logins_in_five_paths_are_each_presented_once(inst):
    paths = [inst.root / "work" / str(i) / "chatgpt.json" for i in range(5)]
    for path in paths:
        inst.allow_reading(path)
        inst.write_creds({"access_token": access_jwt("acct-main", -HOUR), "refresh_token": opaque("rt")}, path=path)
    inst.endpoint.default = json_reply(400, {"error": "invalid_grant"})
    for _ in range(3):
        for path in paths:
            rc, _ = inst.load(env={CREDENTIALS_PATH_VARIABLE: str(path)}).credentials()
            assert rc == REFRESH_REJECTED
    assert len(inst.endpoint.requests) == len(paths), "each refused refresh token was presented once"


def test_a_mark_another_session_wrote_since_this_one_started_is_read_from_disk(inst):
    now = int(time.time())
    # valid for 2 more minutes: due for the early refresh, which the other session was refused
    inst.write_creds({"access_token": make_jwt(claims("acct-main", 120, iat=now - 10 * 86400)),
                      "refresh_token": opaque("rt")})
    stale = inst.load()                             # loaded its copy of storage before the refusal
    inst.endpoint.default = json_reply(400, {"error": "invalid_grant"})
    ok_credentials(inst.load())
    assert len(inst.endpoint.requests) == 1
    ok_credentials(stale)
    assert len(inst.endpoint.requests) == 1, "the refused refresh token was presented again"
