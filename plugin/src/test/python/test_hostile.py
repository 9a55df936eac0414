"""Issue 9: hostile input, round two. Whatever a user, a damaged disk, a proxy or a misbehaving
server hands the plugin, every export ends in a clean return code and at most one error line that
names the cause: never a trap, never a write outside the buffer tark lent, never a control
character in a header, nothing lost that the server has issued.

Budgets the plugin documents: every JSON document it reads is refused past 32 levels of nesting
or 20 000 values (containers and scalars), and any value from the host past 1 MiB.
"""

import base64
import json
import time

import pytest
import wasmtime

from conftest import (ANSWER_TOO_LARGE, AUTH_CLAIM, BAD_INPUT, DAY, INVALID_CREDENTIALS, LOGIN_COMMAND,
                      NOT_AUTHENTICATED, PLUGIN_NAME, REFRESH_FAILED, REFRESH_REJECTED, TOKEN_URL,
                      _TOKENS, access_jwt, assert_credentials, b64url, claims, encodings, errors, failed,
                      find_leaks, json_reply, last_diagnostics, make_jwt, ok_credentials, opaque,
                      open_entry, register_token, seal_entry)
from chatgpt_oauth_tools import tark_host

MAX_VALUES = 20_000
MAX_DEPTH = 32
MIB = 1 << 20
TRAPS = (wasmtime.Trap, wasmtime.WasmtimeError)


def dense(n: int = 350_000) -> str:
    """A JSON array of n small numbers: about 2n bytes, n + 1 values."""
    return "[" + ",".join(["0"] * n) + "]"


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def refreshes(inst) -> list:
    return [json.loads(r["body"])["refresh_token"] for r in inst.endpoint.requests if r["url"] == TOKEN_URL]


def due_file(inst, account="acct-main") -> dict:
    inst.endpoint.account = account
    return inst.valid_creds(account, exp_in=-3600)


def one_error(host, rc, expected, *needles) -> str:
    line = failed(host, rc, expected, *needles)
    assert len(errors(host)) == 1, host.logs
    return line


def assert_only_the_failure_is_stored(inst, line) -> None:
    """Nothing obtained, so no tokens stored: only the failure's error line, for provider_chat."""
    stored = json.loads(inst.storage()["tokens"])
    assert set(stored) == {"failure_for", "failure"} and stored["failure"] == line, stored


def warnings(host, since=0) -> list:
    return [m for level, m in host.logs[since:] if level == "warn"]


# --------------------------------------------------------------------------------------------
# Dense JSON within the size limit: a budget, not the heap, stops it
# --------------------------------------------------------------------------------------------

def test_dense_credentials_file(tark_inst):
    inst = tark_inst
    host = inst.load()
    tokens = {"access_token": access_jwt(), "refresh_token": opaque("rt")}
    for content in (dense(), compact(dict(tokens, junk=json.loads(dense(300_000)))),
                    "[" * 500_000, '{"a":' * 150_000):
        assert len(content.encode()) < MIB
        inst.write_creds(content)
        n = len(host.logs)
        rc, _ = host.credentials()
        assert rc == INVALID_CREDENTIALS
        new_errors = [m for level, m in host.logs[n:] if level == "error"]
        assert len(new_errors) == 1 and "access_token" in new_errors[0], host.logs[n:]
    doc = inst.valid_creds()
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")


def test_dense_jwt_payloads(tark_inst):
    """An access token whose payload is dense is not read for claims (the file's expires_at
    counts) and, at ~930 KB, does not fit tark's buffer: -7. The same payload in the id_token
    only loses that token's claims: the account id comes from the access token."""
    inst = tark_inst
    big = make_jwt(dense())
    inst.write_creds({"access_token": big, "refresh_token": opaque("rt"), "expires_at": int(time.time()) + DAY})
    assert inst.creds_path.stat().st_size < MIB
    host = inst.load()
    rc, _ = host.credentials()
    one_error(host, rc, INVALID_CREDENTIALS, "32 KB")           # over the token limit: not read at all
    access = access_jwt("acct-access")
    inst.write_creds({"access_token": access, "id_token": make_jwt("[" * 600_000),
                      "refresh_token": opaque("rt"), "expires_at": int(time.time()) + DAY})
    assert_credentials(ok_credentials(host), access, "acct-access")
    inst.write_creds({"access_token": access, "id_token": big, "refresh_token": opaque("rt")})
    assert_credentials(ok_credentials(host), access, "acct-access")
    assert host.http_requests == []


@pytest.mark.parametrize("body", ["dense array", "tokens then dense junk", "deep nesting"])
def test_dense_token_endpoint_reply_keeps_the_refresh_token(tark_inst, body):
    """Past the budget the reply is not read: -4 and one line; nothing is stored and the next
    instance presents the same refresh token again (a real endpoint never answers so)."""
    inst = tark_inst
    doc = due_file(inst)
    text = {"dense array": dense(),
            "tokens then dense junk": compact({"access_token": access_jwt(), "refresh_token": opaque("rt"),
                                               "junk": json.loads(dense(MAX_VALUES))}),
            "deep nesting": '{"access_token":"x","a":' + "[" * 400_000}[body]
    assert len(text) < MIB
    inst.endpoint.replies.append(json_reply(200, text))
    host = inst.load()
    rc, _ = host.credentials()
    line = one_error(host, rc, REFRESH_FAILED)
    assert_only_the_failure_is_stored(inst, line)
    assert_credentials(ok_credentials(inst.load()), inst.endpoint.last["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"]] * 2


@pytest.mark.parametrize("where", ["value", "file", "sealed plaintext"])
def test_dense_storage_is_ignored(tark_inst, where):
    """A dense storage.json value, a dense storage.json, or a sealed entry of this very login
    whose plaintext is dense: ignored (the file's tokens are used and refreshed), no trap."""
    inst = tark_inst
    doc = due_file(inst)
    inst.data_dir.mkdir(parents=True)
    if where == "value":
        text = compact({"tokens": dense()})
    elif where == "file":
        text = dense()
    else:
        text = compact({"tokens": seal_entry(doc["refresh_token"], compact(
            {"access_token": access_jwt(), "refresh_token": opaque("rt"), "junk": json.loads(dense(300_000))}))})
    assert len(text) < MIB
    inst.storage_path.write_text(text, encoding="utf-8")
    host = inst.load()
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"]]
    assert errors(host) == []


def test_dense_host_inputs(tark_inst):
    """auth_process_tokens and provider_auth_init given dense JSON: -8 / -2 and one line each;
    a dense Codex CLI auth.json: -1 naming it."""
    inst = tark_inst
    host = inst.load()
    for data in (dense(), "[" * 500_000):
        n = len(host.logs)
        rc, _ = host.call_with_input("auth_process_tokens", data.encode())
        assert rc == BAD_INPUT and len([1 for lvl, _ in host.logs[n:] if lvl == "error"]) == 1
        n = len(host.logs)
        rc = host.init_with("provider_auth_init", data.encode())
        assert rc == INVALID_CREDENTIALS and len([1 for lvl, _ in host.logs[n:] if lvl == "error"]) == 1
    inst.write_creds(compact({"tokens": {"access_token": access_jwt(), "junk": json.loads(dense(300_000))}}),
                     inst.codex_path)
    assert inst.codex_path.stat().st_size < MIB
    fresh = inst.load()
    rc, _ = fresh.credentials()
    one_error(fresh, rc, NOT_AUTHENTICATED)


@pytest.mark.parametrize("failure", ["access token already expired", "access token not a bearer token"])
def test_reply_with_tokens_then_junk_within_budget_is_saved_before_anything_fails(tark_inst, failure):
    """The reply is read (junk within the budget), then the call fails on the new access token:
    the rotated refresh token is stored first, and the next instance presents it, not the spent one."""
    inst = tark_inst
    doc = due_file(inst)
    bad_access = (access_jwt("acct-main", exp_in=-60) if failure.startswith("access token already")
                  else access_jwt("acct-main") + "\r\n")
    rotated = opaque("rt")
    reply = {"access_token": bad_access, "refresh_token": rotated, "id_token": access_jwt("acct-main"),
             "junk": [["x" * 30] for _ in range(MAX_VALUES // 2 - 10)]}
    inst.endpoint.replies.append(json_reply(200, compact(reply)))
    host = inst.load()
    rc, _ = host.credentials()
    one_error(host, rc, REFRESH_FAILED if "expired" in failure else INVALID_CREDENTIALS)
    assert "tokens" in inst.storage()
    fresh = inst.load()
    rc, _ = fresh.credentials()
    if "expired" in failure:
        assert rc > 0, fresh.logs
        assert refreshes(inst) == [doc["refresh_token"], rotated]
    else:          # stored as received; the next instance refreshes it with the rotated token
        assert rc > 0, fresh.logs
        assert refreshes(inst) == [doc["refresh_token"], rotated]
        # the forced refresh hook then presents the refresh token that refresh rotated to
        latest = inst.endpoint.issued[-1]["refresh_token"]
        rc, raw = fresh.call_ret("provider_auth_refresh")
        assert rc > 0 and refreshes(inst) == [doc["refresh_token"], rotated, latest]


@pytest.mark.parametrize("export", ["provider_auth_credentials", "provider_auth_refresh"])
def test_an_answer_too_large_for_tarks_buffer_still_leaves_the_rotated_tokens_saved(tark_inst, export):
    """The refresh succeeds, but the new access token makes the answer larger than tark's 8192-byte
    buffer, so the export fails (-7) after the refresh token was spent: the rotated tokens are in
    storage all the same, and the next instance presents the rotated refresh token, not the spent one."""
    inst = tark_inst
    doc = due_file(inst)
    huge = make_jwt(claims("acct-main", 10 * DAY, padding="q" * 9_000))
    rotated = opaque("rt")
    register_token(huge)
    inst.endpoint.replies.append(json_reply(200, {"access_token": huge, "refresh_token": rotated,
                                                  "expires_in": 3600}))
    host = inst.load()
    rc, _ = host.call_ret(export)
    assert rc == ANSWER_TOO_LARGE, host.logs
    assert refreshes(inst) == [doc["refresh_token"]]
    stored = open_entry(inst.entry(), doc["refresh_token"])
    assert stored is not None and stored["refresh_token"] == rotated, "the rotated tokens were not kept"
    assert stored["access_token"] == huge
    fresh = inst.load()
    rc, raw = fresh.call_ret("provider_auth_refresh")
    assert rc > 0, fresh.logs
    assert refreshes(inst) == [doc["refresh_token"], rotated]
    assert json.loads(raw)["access_token"] == inst.endpoint.last["access_token"]
    assert errors(fresh) == []


def test_reply_with_junk_first_then_tokens_within_budget_is_used(tark_inst):
    inst = tark_inst
    due_file(inst)
    token, rotated = access_jwt("acct-main"), opaque("rt")
    reply = {"junk": json.loads(dense(MAX_VALUES - 10)), "access_token": token, "refresh_token": rotated}
    inst.endpoint.replies.append(json_reply(200, compact(reply)))
    assert_credentials(ok_credentials(inst.load()), token, "acct-main")


# --------------------------------------------------------------------------------------------
# The budgets' edges
# --------------------------------------------------------------------------------------------

def test_value_and_depth_budgets_are_exact(tark_inst):
    """{"access_token", "refresh_token", "junk": [n numbers]} holds n + 4 values; a junk value
    nested d deep makes the document d + 1 deep. Up to the budget: read; one more: refused."""
    inst = tark_inst
    host = inst.load()
    access, refresh = access_jwt(), opaque("rt")

    def doc(junk: str) -> str:
        return f'{{"access_token":"{access}","refresh_token":"{refresh}","junk":{junk}}}'

    cases = [(dense(MAX_VALUES - 4), True), (dense(MAX_VALUES - 3), False),
             ("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), True), ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False)]
    for junk, accepted in cases:
        inst.write_creds(doc(junk))
        rc, creds = host.credentials()
        if accepted:
            assert rc > 0 and creds["access_token"] == access, host.logs[-1]
        else:
            assert rc == INVALID_CREDENTIALS


# --------------------------------------------------------------------------------------------
# Heap pressure: the largest accepted documents of every kind, on one instance
# --------------------------------------------------------------------------------------------

def filler(values: int, size: int) -> list:
    """``values`` strings of about ``size`` bytes in all (as a JSON array): a document part at both
    the value budget and a byte size."""
    width = max(1, size // values - 3)
    return [f"{i:0{width}d}" for i in range(values)]


def jwt_of(payload: dict) -> str:
    return make_jwt(compact(payload))


# Each document's share of the byte size: the credentials file, storage.json, the token reply and
# the login hook's input each end up just under it.
STORAGE_MAX = 512 * 1024      # StorageFile.MAX_CHARS

HEAP_SCALES = [
    pytest.param(0.5, id="half a MiB"),
    pytest.param(0.97, id="1 MiB"),
]


@pytest.mark.parametrize("scale", HEAP_SCALES)
def test_largest_accepted_documents_in_a_loop_keep_memory_flat(tark_inst, scale):
    """Each round on ONE instance, every kind of document at the value budget and near the byte
    size: a credentials file with a new refresh token (new login) and a large id_token; storage.json
    on disk holding either a large sealed successor of that login (used, no request) or a large entry
    of another login (ignored; then a large token reply); a large login-hook input and
    provider_auth_init. Nothing traps, every answer is right, memory is flat after the first rounds."""
    inst = tark_inst
    host = inst.load()
    inst.data_dir.mkdir(parents=True)
    size = int(MIB * scale)
    rounds, pages = 16, []
    # id tokens as large as the plugin keeps (32 KB); the rest of each document is junk up to the budgets
    file_id_token = jwt_of({AUTH_CLAIM: {"chatgpt_account_id": "acct-big"}, "pad": filler(1500, 20_000)})
    reply_id_token = jwt_of({AUTH_CLAIM: {"chatgpt_account_id": "acct-big"}, "pad": filler(1500, 20_000)})
    assert len(file_id_token) <= 32 * 1024 and len(reply_id_token) <= 32 * 1024
    for i in range(rounds):
        root = opaque("rt")
        file_text = compact({"access_token": access_jwt("acct-big", exp_in=-60), "refresh_token": root,
                             "id_token": file_id_token, "junk": filler(MAX_VALUES - 20, size // 2)})
        inst.write_creds(file_text)
        expected = access_jwt("acct-big")
        if i % 2 == 0:
            successor = {"access_token": expected, "refresh_token": opaque("rt"),
                         "expires_at": int(time.time()) + DAY, "junk": filler(MAX_VALUES - 20, size // 4)}
            stored = compact({"tokens": seal_entry(root, compact(successor))})
        else:
            # storage.json is read from disk up to 512 KiB (STORAGE_MAX), the rest of the documents to 1 MiB
            other = {"lineage": "0" * 32, "sealed": "A" * 64, "junk": filler(MAX_VALUES - 10, size * 4 // 10)}
            stored = compact({"tokens": compact(other)})
            reply = {"access_token": expected, "refresh_token": opaque("rt"), "id_token": reply_id_token,
                     "expires_in": 3600, "junk": filler(MAX_VALUES - 20, size // 4)}
            inst.endpoint.replies.append(json_reply(200, compact(reply)))
            assert len(compact(reply)) < MIB
        login = compact({"access_token": access_jwt("acct-login"), "refresh_token": opaque("rt"),
                         "expires_in": 3600, "junk": filler(MAX_VALUES - 10, size * 9 // 10)})
        assert max(len(file_text), len(login)) < MIB and len(stored) < STORAGE_MAX
        inst.storage_path.write_text(stored, encoding="utf-8")
        requests = len(inst.endpoint.requests)
        rc, creds = host.credentials()
        assert rc > 0, (i, host.logs[-3:])
        assert_credentials(creds, expected, "acct-big")
        assert len(inst.endpoint.requests) == requests + i % 2
        rc, out = host.call_with_input("auth_process_tokens", login.encode())
        assert rc > 0 and json.loads(out)["account_id"] == "acct-login"
        assert host.init_with("provider_auth_init", file_text.encode()) == 0
        assert host.call_i32("provider_auth_status") == 1
        pages.append(host.pages())
    assert errors(host) == []
    assert len(set(pages[2:])) == 1, f"memory grew: pages per round {pages}"


def test_second_large_token_reply_does_not_trap(tark_inst):
    """Two forced refreshes on one instance, each answered with a reply holding a 670 KB id_token
    (it once trapped the second time and lost the login). The server has issued the second set when
    the plugin reads it: its refresh token must be stored; the oversize id token is left out."""
    inst = tark_inst
    doc = inst.valid_creds()
    id_token = make_jwt(json.dumps({"pad": "x" * 500_000}))
    host = inst.load()
    for _ in range(2):
        rotated = opaque("rt")
        inst.endpoint.replies.append(json_reply(200, compact(
            {"access_token": access_jwt(), "refresh_token": rotated, "id_token": id_token, "expires_in": 3600})))
        rc, _ = host.call_ret("provider_auth_refresh")
        assert rc > 0 or rc in (REFRESH_FAILED, ANSWER_TOO_LARGE), host.logs[-2:]
        assert open_entry(inst.entry(), doc["refresh_token"])["refresh_token"] == rotated


# --------------------------------------------------------------------------------------------
# Output buffers the plugin did not lend
# --------------------------------------------------------------------------------------------

def raw_export(host, name):
    fn = host.instance.exports(host.store)[name]
    return lambda *args: host._guarded(lambda: fn(host.store, *args))


def memory_at(host, addr: int, size: int) -> bytes:
    m = host._memory()
    end = min(addr + size, m.data_len(host.store))
    return bytes(m.read(host.store, addr, end)) if 0 <= addr < end else b""


def test_output_pointers_not_lent_are_refused_and_nothing_is_written(tark_inst):
    inst = tark_inst
    doc = inst.valid_creds()
    host = inst.load()
    rc, answer = host.call_ret("provider_auth_credentials")
    assert rc > 0
    call = raw_export(host, "provider_auth_credentials")
    stale_small, stale = host._alloc(64), host._alloc(8192)
    assert call(stale) == rc                     # lent for this round: fine
    ok_credentials(host)                         # another export returned; `stale` is not lent again
    for ptr in (0, 64, 1024, stale, stale_small + 16, "end - 8192", "end - 1", "end", -1, -8192):
        if isinstance(ptr, str):
            ptr = host.memory_bytes() - int(ptr.partition("-")[2] or 0)
        # the answer's first 512 bytes would land there (TeaVM keeps its own counters from 1648 on)
        window = memory_at(host, ptr % (1 << 32), 512)
        n = len(host.logs)
        got = call(ptr)
        assert got == BAD_INPUT, f"ret_ptr {ptr}: {got}"
        after = memory_at(host, ptr % (1 << 32), 512)
        if ptr in (stale, stale_small + 16):
            # scratch above the loans: the host writes what the plugin reads there (the file), but
            # the answer is not written
            assert not after.startswith(answer[:24]), f"ret_ptr {ptr}: the answer was written"
        else:
            assert after == window, f"ret_ptr {ptr}: memory written"
        line = [m for level, m in host.logs[n:] if level == "error"]
        assert len(line) == 1 and "alloc" in line[0], host.logs[n:]
        assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")
    # every export that writes an answer refuses the same way
    for name in ("provider_auth_refresh", "provider_info", "provider_models"):
        before = memory_at(host, 64, 1024)          # (TeaVM keeps counters from 1648 on)
        assert raw_export(host, name)(64) == BAD_INPUT, name
        assert memory_at(host, 64, 1024) == before, name
    tokens_in = tark_host.tokens_json(access_jwt(), opaque("rt")).encode()
    in_ptr = host._alloc(len(tokens_in))
    host._memory().write(host.store, tokens_in, in_ptr)
    before = memory_at(host, 64, 1024)
    assert raw_export(host, "auth_process_tokens")(in_ptr, len(tokens_in), 64) == BAD_INPUT
    assert memory_at(host, 64, 1024) == before
    # provider_auth_refresh refused the buffer before doing anything: no refresh token was spent
    assert len(inst.endpoint.requests) == 0
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")
    assert_credentials(ok_credentials(inst.load()), doc["access_token"], "acct-main")


def test_input_buffers_outside_memory_are_refused(tark_inst):
    inst = tark_inst
    host = inst.load()
    for end_offset, ptr, length in ((4, None, 64), (0, -1, 10), (0, 0, -1), (0, 0, MIB + 1)):
        for export in ("auth_process_tokens", "provider_auth_init"):
            args = [host._alloc(8192)] if export == "auth_process_tokens" else []
            at = host.memory_bytes() - end_offset if ptr is None else ptr
            n = len(host.logs)
            assert raw_export(host, export)(at, length, *args) == BAD_INPUT, (export, at, length)
            line = [m for level, m in host.logs[n:] if level == "error"]
            assert len(line) == 1 and "outside memory" in line[0], host.logs[n:]


def test_a_buffer_from_the_previous_round_reused_without_alloc_is_safe(tark_inst):
    """tark always calls alloc right before an export. A host that passes the previous call's
    buffer again (no alloc in between) gets either -8 or the full answer; never a trap, and the
    calls after it still work. (The plugin's alloc doc accepts this reuse; WasmMemory.write's doc
    says such a pointer is not lent: see the report.)"""
    inst = tark_inst
    doc = inst.valid_creds()
    host = inst.load()
    call = raw_export(host, "provider_auth_credentials")
    ptr = host._alloc(8192)
    first = call(ptr)
    answer = memory_at(host, ptr, first)
    host.call_i32("provider_auth_status")
    for _ in range(3):
        got = call(ptr)
        assert got in (BAD_INPUT, first)
        if got > 0:
            assert memory_at(host, ptr, got) == answer
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")


# --------------------------------------------------------------------------------------------
# Values that become headers
# --------------------------------------------------------------------------------------------

CONTROL = {"CR": "\r", "LF": "\n", "CRLF": "\r\n", "NUL": "\x00", "DEL": "\x7f", "TAB": "\t", "ESC": "\x1b",
           "C1 NEL": "\x85"}


@pytest.mark.parametrize("where", ["account_id field", "access_token claim", "id_token claim"])
def test_account_id_with_a_control_character_is_not_sent(tark_inst, where):
    """No ChatGPT-Account-Id header, a warning naming where the id came from, the rest works;
    with a good id further down the list (the file's field), that one is sent."""
    inst = tark_inst
    host = inst.load()
    origin = {"account_id field": "account_id field", "access_token claim": "access_token's account claim",
              "id_token claim": "id_token's account claim"}[where]
    for label, ch in CONTROL.items():
        for position in ("acct-" + ch + "x", "acct-x" + ch, ch + "acct-x"):
            bad = position
            doc = {"access_token": access_jwt(bad if where == "access_token claim" else None),
                   "refresh_token": opaque("rt")}
            if where == "id_token claim":
                doc["id_token"] = make_jwt(claims(bad))
            if where == "account_id field":
                doc["account_id"] = bad
            inst.write_creds(doc)
            n = len(host.logs)
            creds = ok_credentials(host)
            assert_credentials(creds, doc["access_token"], None)
            warned = warnings(host, n)
            assert len(warned) == 1 and origin in warned[0], (label, host.logs[n:])
            assert ch not in warned[0]
            if where != "account_id field":
                inst.write_creds(dict(doc, account_id="acct-good"))
                n = len(host.logs)
                assert_credentials(ok_credentials(host), doc["access_token"], "acct-good")
                assert len(warnings(host, n)) == 1 and origin in warnings(host, n)[0]

def test_account_id_blank_padded_or_overlong_is_not_sent(tark_inst):
    inst = tark_inst
    host = inst.load()
    for value in (" acct", "acct ", " ", "a" * 257):
        access = access_jwt(None)
        inst.write_creds({"access_token": access, "refresh_token": opaque("rt"), "account_id": value})
        n = len(host.logs)
        assert_credentials(ok_credentials(host), access, None)
        assert len(warnings(host, n)) == 1
    access = access_jwt(None)
    inst.write_creds({"access_token": access, "refresh_token": opaque("rt"), "account_id": "a" * 256})
    assert_credentials(ok_credentials(host), access, "a" * 256)


@pytest.mark.parametrize("suffix", ["\r\n", "\n", "\x00", " ", "\t", "\x7f", "é", "\u2028"],
                         ids=["CRLF", "LF", "NUL", "space", "TAB", "DEL", "e-acute", "U+2028"])
def test_access_token_that_cannot_be_a_bearer_token(tark_inst, suffix):
    inst = tark_inst
    host = inst.load()
    for token in (access_jwt() + suffix, suffix + access_jwt(), "at" + suffix + "x" * 40):
        register_token(token.strip())
        inst.write_creds({"access_token": token, "refresh_token": opaque("rt")})
        n = len(host.logs)
        rc, creds = host.credentials()
        assert rc == INVALID_CREDENTIALS and creds is None
        line = [m for level, m in host.logs[n:] if level == "error"]
        assert len(line) == 1 and "access_token" in line[0], host.logs[n:]


# --------------------------------------------------------------------------------------------
# Token endpoint failures: transient or final
# --------------------------------------------------------------------------------------------

TRANSIENT = {"408": json_reply(408, ""), "429": json_reply(429, {"error": "rate_limited"}),
             "500": json_reply(500, "<html>oops</html>"), "502": json_reply(502, ""),
             "503": json_reply(503, {"error": {"code": "unavailable"}}), "504": json_reply(504, ""),
             "transport error": {"error": "error sending request for url (https://auth.openai.com/oauth/token)"}}


@pytest.mark.parametrize("reply", list(TRANSIENT.values()), ids=list(TRANSIENT))
def test_transient_refresh_failure_keeps_the_refresh_token(tark_inst, reply):
    inst = tark_inst
    doc = due_file(inst)
    inst.endpoint.replies.append(reply)
    host = inst.load()
    rc, _ = host.credentials()
    line = one_error(host, rc, REFRESH_FAILED)
    assert "again" in line.lower()
    assert host.call_i32("provider_auth_status") == 1, "a transient failure is not 'expired for good'"
    assert_only_the_failure_is_stored(inst, line)
    fresh = inst.load()                          # the next provider init tries the same token again
    assert_credentials(ok_credentials(fresh), inst.endpoint.last["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"]] * 2
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")  # from disk
    assert len(inst.endpoint.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refused_refresh_is_final(tark_inst, status):
    inst = tark_inst
    due_file(inst)
    inst.endpoint.default = json_reply(status, {"error": "invalid_grant"})
    host = inst.load()
    rc, _ = host.credentials()
    line = one_error(host, rc, REFRESH_REJECTED, LOGIN_COMMAND)
    assert str(status) in line and "invalid_grant" in line


def test_error_code_echoing_the_refresh_token_is_not_logged(tark_inst):
    inst = tark_inst
    doc = due_file(inst)
    inst.endpoint.default = lambda m, u, h, body: json_reply(401, {"error": json.loads(body)["refresh_token"]})
    host = inst.load()
    rc, _ = host.credentials()
    assert rc == REFRESH_REJECTED
    assert not find_leaks(host.logs, [doc["refresh_token"]]), "the refresh token is in the log"


def encoded_leaks(texts, token: str) -> list:
    """Any 12-character piece of the token or of its lower case, in clear, hex or base64, in the texts."""
    return find_leaks(texts, [e for t in (token, token.lower()) for e in encodings(t)])


@pytest.mark.parametrize("status,code", [(503, REFRESH_FAILED), (400, REFRESH_FAILED), (401, REFRESH_REJECTED)])
@pytest.mark.parametrize("shape", ["upstream.{}", "{}-x", "x{}", "{}"])
def test_an_echoed_refresh_token_never_reaches_the_log(inst, status, code, shape):
    doc = due_file(inst)
    rt = doc["refresh_token"]
    inst.endpoint.default = json_reply(status, {"error": {"code": shape.format(rt.lower())}})
    host = inst.load()
    rc, _ = host.credentials()
    assert rc == code
    line = errors(host)[-1]
    assert f"(HTTP {status})" in line, line
    texts = [(f"log {lvl}", m) for lvl, m in host.logs] + [("storage.json", inst.storage_text())]
    assert encoded_leaks(texts, rt) == []


def test_a_plain_code_is_still_quoted(inst):
    due_file(inst)
    inst.endpoint.default = json_reply(400, {"error": "refresh_token_reused"})
    host = inst.load()
    host.credentials()
    assert "(HTTP 400, refresh_token_reused)" in errors(host)[-1]


def test_an_echoed_token_in_a_revocation_error_never_reaches_the_log(inst):
    doc = inst.valid_creds()
    rt = doc["refresh_token"]
    inst.endpoint.default = json_reply(400, {"error": rt.lower() + ".revoked"})
    host = inst.load()
    assert host.call_i32("provider_auth_logout") >= 0
    revoke_warnings = warnings(host)
    assert len(revoke_warnings) == 1 and "(HTTP 400)" in revoke_warnings[0], revoke_warnings
    assert encoded_leaks([("warn", revoke_warnings[0])], rt) == []


def test_server_error_text_is_never_repeated(tark_inst):
    """Only a plain, short OAuth error code is quoted; descriptions, HTML and long codes are not."""
    inst = tark_inst
    due_file(inst)
    secret = "SECRET-" + "z" * 30
    for body in ({"error": "invalid_grant", "error_description": secret},
                 {"error": secret + " with spaces"}, {"error": "c" * 65}, {"error": {"message": secret}},
                 f"<html>{secret}</html>", {"error": "ok\r\nInjected: 1"}):
        inst.endpoint.replies.append(json_reply(401, body))
        host = inst.load()
        rc, _ = host.credentials()
        line = one_error(host, rc, REFRESH_REJECTED)
        assert secret not in line and "c" * 65 not in line and "Injected" not in line, line


def test_oversize_token_reply_is_a_transport_failure(tark_inst):
    """A reply the plugin will not take (over 1 MiB, or more than memory holds): -4, no trap,
    the refresh token kept and the next call works."""
    inst = tark_inst
    doc = due_file(inst)
    host = inst.load()
    for size in (MIB + 10, 3 * MIB):
        inst.endpoint.replies.append(json_reply(200, "x" * size))
        rc, _ = host.credentials()
        assert rc == REFRESH_FAILED
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"]] * 3


# --------------------------------------------------------------------------------------------
# A credentials file that is not UTF-8
# --------------------------------------------------------------------------------------------

def not_utf8(doc: dict) -> dict:
    text = json.dumps(doc)
    return {"UTF-16 with BOM": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
            "Latin-1": json.dumps(dict(doc, note="café"), ensure_ascii=False).encode("latin-1"),
            "stray 0xFF": text.encode()[:-1] + b"\xff}",
            "CESU surrogate": text.encode()[:-1] + b',"x":"\xed\xa0\x80"}'}


@pytest.mark.parametrize("kind", ["UTF-16 with BOM", "Latin-1", "stray 0xFF", "CESU surrogate"])
def test_credentials_file_not_utf8(tark_inst, kind):
    inst = tark_inst
    doc = {"access_token": access_jwt(), "refresh_token": opaque("rt")}
    register_token(*doc.values())
    inst.write_creds(not_utf8(doc)[kind])
    host = inst.load()
    rc, _ = host.credentials()
    line = one_error(host, rc, NOT_AUTHENTICATED, "not UTF-8", LOGIN_COMMAND)
    assert str(inst.creds_path) in line and "missing, unreadable, or not UTF-8" in line
    codex = {"access_token": access_jwt("acct-codex"), "refresh_token": opaque("rt")}
    inst.write_codex(codex)
    fresh = inst.load()
    assert_credentials(ok_credentials(fresh), codex["access_token"], "acct-codex")
    info = [m for level, m in fresh.logs if level == "info"]
    assert len(info) == 1 and "Codex CLI" in info[0] and "not UTF-8" in info[0] and str(inst.creds_path) in info[0]
    assert fresh.http_requests == []


def test_utf8_bom_is_a_clean_failure(tark_inst):
    inst = tark_inst
    doc = {"access_token": access_jwt(), "refresh_token": opaque("rt")}
    register_token(*doc.values())
    inst.write_creds(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    host = inst.load()
    rc, _ = host.credentials()
    one_error(host, rc, INVALID_CREDENTIALS, LOGIN_COMMAND)


# --------------------------------------------------------------------------------------------
# JWTs: exp in seconds, both base64 alphabets, odd numbers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exp, expires_at", [(253402300799, 253402300799), (int(time.time()) + 3 * DAY, None),
                                             (int(time.time() * 1000) - 3_600_000, None)],
                         ids=["year 9999", "in 3 days", "past, in ms (read as seconds: far future)"])
def test_jwt_exp_is_seconds(tark_inst, exp, expires_at):
    inst = tark_inst
    token = make_jwt(claims("acct-exp", None, exp=exp))
    inst.write_creds({"access_token": token, "refresh_token": opaque("rt")})
    host = inst.load()
    assert_credentials(ok_credentials(host), token, "acct-exp")
    assert host.http_requests == [], "a refresh token was spent for a token that has not expired"
    d = last_diagnostics(host)
    assert d["refresh_due"] is False and d["expired"] is False
    if expires_at is not None or exp < 10 ** 11:
        assert d["expires_at"] == (expires_at or exp)


def test_file_expires_at_may_be_milliseconds(tark_inst):
    inst = tark_inst
    inst.endpoint.account = "acct-main"
    doc = inst.valid_creds(exp_in=10 * DAY, expires_at=int(time.time() * 1000) - 60_000)
    host = inst.load()
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"]]


@pytest.mark.parametrize("expires_at", ["1e400", "9" * 400, "-1", "0", "18446744073709551616", "1e-5", '"soon"',
                                        "null", "[1]", '{"s": 1}'])
def test_odd_expires_at_falls_back_to_the_jwt_exp(tark_inst, expires_at):
    inst = tark_inst
    access = access_jwt("acct-main", exp_in=5 * DAY)
    rt = opaque("rt")
    inst.write_creds(f'{{"access_token":"{access}","refresh_token":"{rt}","expires_at":{expires_at}}}')
    host = inst.load()
    assert_credentials(ok_credentials(host), access, "acct-main")
    assert host.http_requests == []
    assert abs(last_diagnostics(host)["expires_at"] - (time.time() + 5 * DAY)) < 60


def standard_alphabet_jwt(account: str, padded: bool) -> str:
    """A JWT whose payload segment is standard base64 with both '+' and '/' (and '=' padding)."""
    for n in range(2000):
        payload = json.dumps({"exp": int(time.time()) + DAY, AUTH_CLAIM: {"chatgpt_account_id": account},
                              "pad": "~" * (n % 7) + "?>" * (n // 7)}).encode()
        seg = base64.b64encode(payload).decode()
        if "+" in seg and "/" in seg and seg.endswith("="):
            token = ".".join([b64url(b'{"alg":"RS256"}'), seg if padded else seg.rstrip("="), b64url(b"sig" * 20)])
            register_token(token)
            return token
    raise AssertionError("no payload gives both '+' and '/'")


@pytest.mark.parametrize("padded", [True, False], ids=["padded", "unpadded"])
@pytest.mark.parametrize("where", ["access_token", "id_token"])
def test_jwt_in_the_standard_base64_alphabet(tark_inst, padded, where):
    inst = tark_inst
    token = standard_alphabet_jwt("acct-std", padded)
    access = token if where == "access_token" else opaque("at")
    doc = {"access_token": access, "refresh_token": opaque("rt"), "expires_at": int(time.time()) + DAY}
    if where == "id_token":
        doc["id_token"] = token
    inst.write_creds(doc)
    host = inst.load()
    assert_credentials(ok_credentials(host), access, "acct-std")
    assert warnings(host) == []


def test_duplicate_keys_last_one_counts(tark_inst):
    inst = tark_inst
    first, last = access_jwt("acct-first"), access_jwt("acct-last")
    rt = opaque("rt")
    inst.write_creds(f'{{"access_token":"{first}","refresh_token":"{rt}","access_token":"{last}"}}')
    assert_credentials(ok_credentials(inst.load()), last, "acct-last")


# --------------------------------------------------------------------------------------------
# The login hook writes only what the credentials file holds
# --------------------------------------------------------------------------------------------

def test_login_hook_writes_only_the_credentials_fields_and_the_terms_notice(tark_inst):
    inst = tark_inst
    host = inst.load()
    access, refresh, id_token = access_jwt("acct-login"), opaque("rt"), make_jwt(claims("acct-login", 3600))
    reply = json.dumps({"access_token": access, "refresh_token": refresh, "id_token": id_token,
                        "expires_in": 3600, "token_type": "Bearer", "scope": "openid",
                        "evil": "x", "api_key": "sk-" + "k" * 40, "account_id": "acct-injected"})
    rc, out = host.call_with_input("auth_process_tokens", reply.encode())
    assert rc > 0
    written = json.loads(out)
    assert set(written) == {"access_token", "refresh_token", "id_token", "expires_at", "account_id"}
    assert (written["access_token"], written["refresh_token"], written["id_token"]) == (access, refresh, id_token)
    assert written["account_id"] == "acct-login"
    assert abs(written["expires_at"] - (time.time() + 3600)) < 60
    info = [m for level, m in host.logs if level == "info"]
    assert len(info) == 1 and "terms" in info[0].lower(), host.logs
    assert errors(host) == []
    # as tark passes it (serde's TokenResponse, nulls for what is absent)
    rc, out = host.call_with_input("auth_process_tokens", tark_host.tokens_json(access).encode())
    assert rc > 0 and json.loads(out) == {"access_token": access, "expires_at": json.loads(out)["expires_at"],
                                          "account_id": "acct-login"}
    for bad in (tark_host.tokens_json(""), "{}", "null", '{"access_token": 5}', "\xff"):
        n = len(host.logs)
        rc, _ = host.call_with_input("auth_process_tokens", bad.encode("utf-8", "surrogateescape"))
        assert rc == BAD_INPUT
        assert len([1 for level, _ in host.logs[n:] if level == "error"]) == 1


def test_no_export_traps_on_any_of_this(tark_inst):
    """Every export once more on an instance that has been through the worst inputs above."""
    inst = tark_inst
    host = inst.load()
    inst.write_creds(dense())
    for name in ("provider_auth_credentials", "provider_auth_refresh"):
        rc, _ = host.call_ret(name)
        assert rc < 0
    assert host.call_i32("provider_auth_status") == 2
    assert host.call_i32("provider_auth_logout") >= 0
    assert host.provider_info()["id"] == PLUGIN_NAME
    assert len(host.provider_models()) == 6
    doc = inst.valid_creds()
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")
