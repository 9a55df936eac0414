"""Robustness: hostile credential files, token-endpoint replies and login-hook input
never trap the module; answers that do not fit tark's buffers are refused without writing past
them; big files, non-ASCII claims, corrupted storage.

Mutations come from seeded generators, so every run feeds the same inputs.
"""

import json
import random
import time

import pytest
import wasmtime

import tark_host
from conftest import (ANSWER_TOO_LARGE, CODEX_ORIGINATOR, DAY, INVALID_CREDENTIALS, LOGIN_COMMAND, access_jwt,
                      assert_credentials, b64url, claims, errors, failed, find_leaks, json_reply,
                      make_jwt, ok_credentials, opaque, register_token)

SEED = 20261123
TRAPS = (wasmtime.Trap, wasmtime.WasmtimeError)

ODD_VALUES = [None, True, False, 0, -1, 1, 2 ** 31, -(2 ** 63), 2 ** 64, 10 ** 30, 1.5, -0.0,
              1e308, 1e-300, "", "x", " ", "0", "-5", "1e999", "\u0000", "\ud800", "é日🎉",
              [], {}, [1, [2, [3]]], {"a": {"b": None}}, ["access_token"], "x" * 5000]
RAW_NUMBERS = ["9" * 400, "-" + "9" * 400, "1e400", "-1e400", "1E+999999999", "0.000000000001",
               "123.456e-789", "-0", "1.0e18", "18446744073709551616", "9223372036854775807",
               "9223372036854775808", "-9223372036854775809", "1." + "9" * 300, "NaN", "Infinity",
               "-Infinity", "0x10", "1_000", "+1", ".5", "5.", "1e", "1e+", "--1", "01"]
BAD_STRINGS = [r'"\x41"', r'"\u12"', r'"\u12G4"', '"\\', r'"\ud800"', r'"\udc00\ud800"',
               r'"\uDBFF\uDFFF"', '"a\x01b"', '"line\nbreak"', r'"\"', r'"\\\"', '"tab\there"',
               r'"\/\b\f\n\r\t"', r'"\U0001F600"', '"\x7f"', r'"\u0000"']
BAD_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80",
            b"\xe2\x82", b"\xf4\x90\x80\x80"]


def call_safely(host, fn, *args):
    """Runs a call; returns (result, None) or (None, description of the fault)."""
    try:
        return fn(*args), None
    except TRAPS as e:
        return None, f"TRAP {type(e).__name__}: {str(e).splitlines()[0][:200]}"
    except tark_host.TarkError as e:
        return None, f"bad answer {type(e).__name__}: {str(e)[:200]}"


def check_credentials_result(result):
    """rc < 0, or credentials tark can use."""
    rc, creds = result
    if rc < 0:
        return None if creds is None else "negative rc with credentials"
    if not creds["access_token"]:
        return "empty access_token"
    if creds["api_mode"] != "openai_compat" or creds["endpoint"] != tark_host_endpoint():
        return f"unexpected mode/endpoint {creds['api_mode']} {creds['endpoint']}"
    headers = creds["custom_headers"] or {}
    if headers.get("originator") != CODEX_ORIGINATOR or not headers.get("version") or not headers.get("User-Agent"):
        return f"no Codex identity headers: {headers}"
    if "ChatGPT-Account-Id" in headers and not headers["ChatGPT-Account-Id"]:
        return "empty ChatGPT-Account-Id header"
    return None


def tark_host_endpoint():
    return "https://chatgpt.com/backend-api/codex/responses"


# ---------------------------------------------------------------- credential file mutations

def jwt_mutations(rnd, account="acct-fuzz"):
    """Access tokens with broken or odd payloads."""
    good = access_jwt(account)
    head, payload, sig = good.split(".")
    out = [
        head + "." + payload,                       # one dot
        good + ".extra.dots",
        "..",
        "." + payload + ".",
        head + ".!!!not-base64!!!." + sig,
        head + "." + payload + "=" * 5 + "." + sig,
        head + "." + payload[:-1] + "." + sig,      # length % 4 == 1 (or odd bits)
        head + "." + payload[:len(payload) // 2] + "." + sig,
        head + "." + b64url(b"\xff\xfe\xfd garbage") + "." + sig,
        head + "." + b64url(b'{"exp": 1, "https://api.openai.com/auth": {"chatgpt_account_id": "a\xff\xfeb"}}')
        + "." + sig,
        head + "." + b64url("[" * 100000) + "." + sig,
        head + "." + b64url('{"a":' * 20000) + "." + sig,
        head + "." + b64url("[1,2,3]") + "." + sig,
        head + "." + b64url('"string"') + "." + sig,
        head + "." + b64url("") + "." + sig,
        head + "." + b64url(r'{"sub": "\ud800\udc00\ud800", "exp": 9999999999}') + "." + sig,
    ]
    odd_claims = [
        {"exp": "soon"}, {"exp": 1e400}, {"exp": -5}, {"exp": 2 ** 70}, {"exp": 1.7e9},
        {"exp": None}, {"exp": [1]}, {"exp": {"v": 1}},
        {"https://api.openai.com/auth": "acct"}, {"https://api.openai.com/auth": ["acct"]},
        {"https://api.openai.com/auth": 5}, {"https://api.openai.com/auth": {"chatgpt_account_id": 5}},
        {"https://api.openai.com/auth": {"chatgpt_account_id": {"id": "x"}}},
        {"https://api.openai.com/auth": {"chatgpt_account_id": None}},
        {"https://api.openai.com/auth": {"chatgpt_account_id": ""}},
        {"chatgpt_account_id": ["x"]}, {"organizations": []}, {"organizations": [1, 2]},
        {"organizations": [{"id": 5}]}, {"organizations": "org"}, {"organizations": [[{"id": "x"}]]},
        {"organizations": [None]}, {"organizations": {"0": {"id": "x"}}},
        {"https://api.openai.com/auth": {"chatgpt_account_id": "x" * 3000}},
        {"https://api.openai.com/auth": {"chatgpt_account_id": "a\"b\\c\u0000d\n"}},
    ]
    for c in odd_claims:
        out.append(make_jwt(c))
    for _ in range(10):                           # random bytes as payload
        out.append(head + "." + b64url(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200))))
                   + "." + sig)
    return out


def file_mutations(rnd, base: dict):
    """Yields (label, bytes) for a few hundred mutated credential files."""
    text = json.dumps(base)
    raw = text.encode()
    for _ in range(40):
        k = rnd.randrange(len(raw))
        yield f"truncated at {k}", raw[:k]
    for _ in range(40):
        b = bytearray(raw)
        for _ in range(rnd.randrange(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        yield "byte flips", bytes(b)
    specials = ['"', "\\", "{", "}", "[", "]", ",", ":", "\x00", "\\u0000", "\\ud800", "\n", "\ufeff",
                "é", "🎉", "null", "1e999", "/*", "'"]
    for _ in range(40):
        k = rnd.randrange(len(text))
        yield "insertion", (text[:k] + rnd.choice(specials) + text[k:]).encode("utf-8", "surrogatepass")
    for field in ("access_token", "refresh_token", "id_token", "expires_at", "account_id"):
        if field not in base:
            continue
        for value in ODD_VALUES:
            doc = dict(base)
            doc[field] = value
            yield f"{field} = {str(value)[:20]!r}", json.dumps(doc).encode("utf-8", "surrogatepass")
        for number in RAW_NUMBERS:
            yield f"{field} = raw {number[:20]}", text.replace(
                json.dumps(base[field]), number, 1).encode()
        for bad in BAD_STRINGS:
            yield f"{field} = bad string {bad!r}", text.replace(
                json.dumps(base[field]), bad, 1).encode()
    for junk in BAD_UTF8:
        k = rnd.randrange(len(raw))
        yield f"invalid UTF-8 {junk!r} inside", raw[:k] + junk + raw[k:]
        yield f"invalid UTF-8 {junk!r} in access_token", raw.replace(
            base["access_token"].encode(), base["access_token"][:10].encode() + junk, 1)
    yield "BOM", b"\xef\xbb\xbf" + raw
    yield "UTF-16", text.encode("utf-16")
    yield "NUL", b"\x00" * 100
    yield "empty", b""
    yield "deep [", b"[" * 100000
    yield "deep {", b'{"a":' * 100000
    yield "deep closed", b"[" * 50000 + b"]" * 50000
    yield "deep field", (text[:-1] + ', "n": ' + "[" * 100000 + "]" * 100000 + "}").encode()
    yield "depth 63 field", (text[:-1] + ', "n": ' + "[" * 62 + "]" * 62 + "}").encode()
    yield "depth 100 field", (text[:-1] + ', "n": ' + "[" * 99 + "]" * 99 + "}").encode()
    yield "unbalanced closers", b"]]]]}}}}" + raw
    yield "brackets in strings", json.dumps(dict(base, note="[" * 100000)).encode()
    yield "duplicate access_token", (text[:-1] + ', "access_token": 5}').encode()
    yield "duplicate access_token 2", ('{"access_token": 5, ' + text[1:]).encode()
    yield "two documents", raw + raw
    yield "array of it", b"[" + raw + b"]"
    yield "many keys", json.dumps(dict(base, **{f"k{i}": i for i in range(5000)})).encode()
    yield "long key", json.dumps(dict(base, **{"k" * 100000: 1})).encode()
    yield "escaped everything", json.dumps(base, ensure_ascii=True).replace(
        "a", "\\u0061").encode()
    for token in jwt_mutations(rnd):
        yield f"odd access JWT {token[:30]}", json.dumps(dict(base, access_token=token)).encode()
        yield f"odd id JWT {token[:30]}", json.dumps(dict(base, id_token=token)).encode()


def test_fuzz_credential_files(inst):
    rnd = random.Random(SEED)
    base = inst.valid_creds("acct-fuzz")
    base_token = base["access_token"]
    valid = json.dumps(base).encode()
    host = inst.load()
    faults, count = [], 0
    for label, content in file_mutations(rnd, base):
        count += 1
        inst.write_creds(content)
        n_errors = len(errors(host))
        result, fault = call_safely(host, host.credentials)
        if fault is None:
            fault = check_credentials_result(result)
            if result[0] < 0 and len(errors(host)) == n_errors:
                fault = f"rc {result[0]} without an error log"
        if fault is None:
            inst.write_creds(valid)                 # a valid call right after, same instance
            result, fault = call_safely(host, host.credentials)
            # the file's token, or (when a mutation kept the refresh token but made the file's access
            # token due, so the plugin refreshed) the stored descendant: the lineage is the same login
            expected = {base_token, *(t["access_token"] for t in inst.endpoint.issued)}
            if fault is None and (result[0] < 0 or result[1]["access_token"] not in expected):
                fault = f"valid file afterwards: rc {result[0]}"
            fault = fault and "AFTER: " + fault
        if fault:
            faults.append(f"{label}: {fault}")
            host = inst.load()                      # a trapped instance is dead; go on
    assert count >= 300
    assert not faults, f"{len(faults)} of {count} mutated files misbehaved:\n" + "\n".join(faults[:20])


# ---------------------------------------------------------------- token endpoint mutations

def reply_mutations(rnd, make_good):
    """Yields (label, reply) for mutated token-endpoint replies."""
    statuses = [200, 201, 204, 299, 300, 301, 302, 304, 400, 401, 403, 404, 408, 418, 429, 499,
                500, 502, 503, 599, 999, 100]
    for _ in range(30):
        good = make_good()
        body = good["body"]
        k = rnd.randrange(len(body))
        yield f"truncated body at {k}", dict(good, body=body[:k])
    for _ in range(30):
        good = make_good()
        b = bytearray(good["body"].encode())
        for _ in range(rnd.randrange(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        yield "byte flips", dict(good, body=bytes(b))
    for _ in range(30):
        good = make_good()
        yield f"status {good['status']}", dict(good, status=rnd.choice(statuses))
    for field in ("access_token", "refresh_token", "id_token", "expires_in"):
        for value in ODD_VALUES:
            good = make_good()
            doc = json.loads(good["body"])
            doc[field] = value
            yield f"{field} = {str(value)[:20]!r}", dict(good, body=json.dumps(doc).encode(
                "utf-8", "surrogatepass").decode("utf-8", "replace"))
        for number in RAW_NUMBERS:
            good = make_good()
            doc = json.loads(good["body"])
            doc[field] = "@@"
            yield f"{field} = raw {number[:20]}", dict(good, body=json.dumps(doc).replace('"@@"', number))
        for bad in BAD_STRINGS:
            good = make_good()
            doc = json.loads(good["body"])
            doc[field] = "@@"
            yield f"{field} = bad {bad!r}", dict(good, body=json.dumps(doc).replace('"@@"', bad))
    for token in jwt_mutations(rnd, "acct-fuzz"):
        good = make_good()
        doc = json.loads(good["body"])
        yield f"odd access JWT {token[:30]}", dict(good, body=json.dumps(dict(doc, access_token=token)))
        yield f"odd id JWT {token[:30]}", dict(good, body=json.dumps(dict(doc, id_token=token)))
    for body in ["", "null", "[]", '"x"', "<html>oops</html>", "[" * 100000, '{"a":' * 100000,
                 '{"error": "refresh_token_reused"}', '{"error": {"code": 5}}', '{"error": null}',
                 '{"error": "' + "e" * 100 + '"}', '{"error": "ünïcode"}', "x" * 1_500_000,
                 json.dumps({"access_token": "y" * 1_200_000})]:
        for status in (200, 400, 500):
            yield f"body {body[:20]!r} status {status}", json_reply(status, body)
    for headers in ([], [["content-type", "text/html"]], [["x-" + str(i), "v"] for i in range(300)],
                    [["x-bin", "\u00ff\u0100"]], [["set-cookie", "a=b"]] * 50):
        yield f"{len(headers)} headers", dict(make_good(), headers=headers)
    for message in ["", "x", "connection refused", "é日🎉", "e" * 100000, "\u0000", '"}{', "[" * 100000]:
        yield f"transport error {message[:20]!r}", {"error": message}


def test_fuzz_token_endpoint_replies(inst):
    rnd = random.Random(SEED + 1)
    ep = inst.endpoint
    ep.account = "acct-fuzz"
    base = {"access_token": access_jwt("acct-fuzz", -600), "refresh_token": opaque("rt"),
            "id_token": make_jwt(claims("acct-fuzz", -600))}
    host = inst.load()
    faults, count = [], 0

    def write_expired(nonce, refresh_token=None):
        # A new login each time (a new refresh token): no earlier refresh descends from it.
        inst.write_creds(json.dumps(dict(base, nonce=nonce, refresh_token=refresh_token or opaque("rt"))))

    for label, reply in reply_mutations(rnd, ep.rotate):
        count += 1
        write_expired(count)
        ep.replies[:] = [reply]
        n_errors = len(errors(host))
        result, fault = call_safely(host, host.credentials)
        if fault is None:
            fault = check_credentials_result(result)
            rc = result[0]
            status = reply.get("status", 0)
            if rc >= 0 and not 200 <= status < 300:
                fault = f"credentials accepted from a {status} reply / transport error"
            elif rc >= 0:
                body = reply["body"]
                body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
                try:
                    sent = json.loads(body).get("access_token")
                except (ValueError, AttributeError):
                    sent = None
                if isinstance(sent, str):       # a lone surrogate cannot be UTF-8: U+FFFD
                    sent = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in sent)
                if sent != result[1]["access_token"]:
                    fault = "returned a token that the reply did not carry"
            elif len(errors(host)) == n_errors:
                fault = f"rc {rc} without an error log"
        if fault is None:
            # A valid call right after, same instance. A new login (new refresh token): an instance
            # never presents a refresh token the endpoint has refused again.
            write_expired(f"valid-{count}", opaque("rt"))
            ep.replies[:] = []
            result, fault = call_safely(host, host.credentials)
            if fault is None and (result[0] < 0 or result[1]["access_token"] != ep.last["access_token"]):
                fault = f"valid refresh afterwards: rc {result[0]}"
            fault = fault and "AFTER: " + fault
        if fault:
            faults.append(f"{label}: {fault}")
            host = inst.load()
    assert count >= 250
    assert not faults, f"{len(faults)} of {count} mutated replies misbehaved:\n" + "\n".join(faults[:20])


# ---------------------------------------------------------------- login hook and init mutations

def test_fuzz_login_hook_and_init(inst):
    rnd = random.Random(SEED + 2)
    host = inst.load()
    at = access_jwt("acct-hook")
    good = tark_host.tokens_json(at, opaque("rt"), make_jwt(claims("acct-hook")), 3600, "Bearer", None)
    faults, count = [], 0
    for label, content in file_mutations(rnd, json.loads(good) | {"access_token": at}):
        count += 1
        n_errors = len(errors(host))
        result, fault = call_safely(host, host.call_with_input, "auth_process_tokens", content)
        if fault is None:
            rc, out = result
            if rc >= 0:
                try:
                    doc = json.loads(out.decode("utf-8"))
                    if not isinstance(doc, dict) or not isinstance(doc.get("access_token"), str):
                        fault = "output is not a credentials object"
                except (ValueError, UnicodeDecodeError) as e:
                    fault = f"output is not JSON: {e}"
            elif len(errors(host)) == n_errors:
                fault = f"rc {rc} without an error log"
        if fault is None and count % 3 == 0:
            n_errors = len(errors(host))
            result, fault = call_safely(host, host.init_with, "provider_auth_init", content)
            if fault is None and result < 0 and len(errors(host)) == n_errors:
                fault = "init failed without an error log"
        if fault is None:
            result, fault = call_safely(host, host.auth_process_tokens, good)
            if fault is None and json.loads(result)["access_token"] != at:
                fault = "valid login afterwards failed"
            fault = fault and "AFTER: " + fault
        if fault:
            faults.append(f"{label}: {fault}")
            host = inst.load()
    assert count >= 300
    assert not faults, f"{len(faults)} of {count} inputs misbehaved:\n" + "\n".join(faults[:20])


# ---------------------------------------------------------------- sizes

def test_first_call_with_files_of_many_sizes(inst):
    """Valid files from 30 KB to ~700 KB (one long unknown field), each on a fresh instance's
    first call, as tark's provider init makes it: credentials every time, never a trap."""
    token = "tok_" + "abcdefghijkl"
    register_token(token)
    sizes = [120_000] + list(range(10_000, 700_001, 20_000))
    faults = []
    for size in sizes:
        inst.write_creds('{"access_token": "%s", "padding": "%s"}' % (token, "p" * size))
        host = inst.load()
        result, fault = call_safely(host, host.credentials)
        if fault is None and result[0] < 0:
            fault = f"rc {result[0]}"
        if fault:
            faults.append(f"{size}: {fault} (stderr {bytes(host.stderr)[:40]!r})")
        else:
            assert_credentials(result[1], token, None)
    assert not faults, f"{len(faults)} of {len(sizes)} sizes failed:\n" + "\n".join(faults)


def test_large_valid_credentials_file(inst):
    doc = inst.valid_creds("acct-big")
    big = dict(doc, padding="p" * 300_000,
               history=[{"i": i, "note": "n" * 80, "nested": {"a": [i, i + 1]}} for i in range(2500)])
    inst.write_creds(big)
    size = inst.creds_path.stat().st_size
    assert 400_000 < size < 1_000_000
    host = inst.load()
    result, fault = call_safely(host, host.credentials)     # the provider-init path
    assert fault is None, f"{size}-byte file, first call: {fault}; stderr {bytes(host.stderr)[:40]!r}"
    assert_credentials(result[1], doc["access_token"], "acct-big")
    for _ in range(10):                                       # warm-up: the heap grows once
        assert_credentials(ok_credentials(host), doc["access_token"], "acct-big")
    pages = host.pages()
    for _ in range(30):
        assert_credentials(ok_credentials(host), doc["access_token"], "acct-big")
    assert host.pages() == pages
    assert inst.endpoint.requests == []


@pytest.mark.parametrize("size", [1_500_000, 24_000_000])
def test_oversize_credentials_file_is_refused(inst, size):
    doc = inst.valid_creds("acct-big")
    host = inst.load()
    inst.write_creds(dict(doc, padding="p" * size))
    rc, creds = host.credentials()
    assert creds is None
    failed(host, rc, INVALID_CREDENTIALS, LOGIN_COMMAND)
    inst.write_creds(doc)
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-big")


def _fill(host, ptr, data):
    host._memory().write(host.store, data, ptr)


def _read(host, ptr, n):
    return bytes(host._memory().read(host.store, ptr, ptr + n))


def call_with_canary(host, export, size):
    """alloc(size) for the answer, then alloc(256) right after it as a canary; both filled with
    a pattern; export(ret).  Returns (rc, ret buffer bytes, canary bytes, pattern, canary)."""
    ret = host._alloc(size)
    canary_ptr = host._alloc(256)
    assert canary_ptr >= ret + size
    pattern = bytes((i * 7 + 3) % 251 for i in range(size))
    canary = bytes((i * 13 + 5) % 253 for i in range(canary_ptr - ret - size + 256))
    _fill(host, ret, pattern)
    _fill(host, ret + size, canary)
    fn = host._typed(export, ["i32"], ["i32"])
    rc = host._guarded(lambda: fn(host.store, ret))
    return rc, _read(host, ret, size), _read(host, ret + size, len(canary)), pattern, canary


def test_huge_access_token_does_not_overflow_tarks_buffer(inst):
    token = make_jwt(claims("acct-huge", 10 * DAY, padding="z" * 12_000))
    assert len(token) > 10_000
    inst.write_creds({"access_token": token, "refresh_token": opaque("rt")})
    host = inst.load()
    rc, buf, after, pattern, canary = call_with_canary(host, "provider_auth_credentials", 8192)
    failed(host, rc, ANSWER_TOO_LARGE, LOGIN_COMMAND)
    assert after == canary, "the plugin wrote past tark's 8192-byte buffer"
    assert buf == pattern, "a refused answer must not be partly written"
    rc, creds = host.credentials()                    # as tark calls it
    assert rc == ANSWER_TOO_LARGE and creds is None
    doc = inst.valid_creds("acct-normal")
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-normal")


def test_answer_size_boundary(inst):
    host = inst.load()
    probe = "a" * 100
    inst.write_creds({"access_token": probe})
    rc, raw = host.call_ret("provider_auth_credentials")
    overhead = rc - len(probe)
    for size, fits in ((8192, True), (8193, False)):
        token = "T" * (size - overhead)
        register_token(token)
        inst.write_creds({"access_token": token})
        rc, buf, after, pattern, canary = call_with_canary(host, "provider_auth_credentials", 8192)
        assert after == canary
        if fits:
            assert rc == 8192
            assert tark_host.parse_auth_credentials(buf.decode())["access_token"] == token
        else:
            assert rc == ANSWER_TOO_LARGE and buf == pattern


def test_huge_token_from_refresh_and_login_hook(inst):
    inst.endpoint.account = "acct-huge"
    inst.valid_creds("acct-huge", exp_in=-60)
    huge = make_jwt(claims("acct-huge", 10 * DAY, padding="q" * 12_000))
    inst.endpoint.replies.append(json_reply(200, {"access_token": huge, "refresh_token": opaque("rt"),
                                                  "expires_in": 3600}))
    host = inst.load()
    rc, buf, after, pattern, canary = call_with_canary(host, "provider_auth_credentials", 8192)
    assert rc < 0 and after == canary and buf == pattern
    assert errors(host)
    # the login hook: input 12 KB, output cannot fit 8192
    tokens = tark_host.tokens_json(huge, opaque("rt"), None, 3600, "Bearer", None)
    data = tokens.encode()
    in_ptr = host._alloc(len(data))
    _fill(host, in_ptr, data)
    out = host._alloc(8192)
    canary_ptr = host._alloc(256)
    canary = bytes(range(256))
    pattern = b"\xab" * (canary_ptr - out)
    _fill(host, out, pattern)
    _fill(host, canary_ptr, canary)
    fn = host._typed("auth_process_tokens", ["i32"] * 3, ["i32"])
    rc = host._guarded(lambda: fn(host.store, in_ptr, len(data), out))
    assert rc == ANSWER_TOO_LARGE
    assert _read(host, out, len(pattern)) == pattern and _read(host, canary_ptr, 256) == canary
    doc = inst.valid_creds("acct-ok")
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-ok")


def test_oversize_login_hook_input(inst):
    host = inst.load()
    rc, out = host.call_with_input("auth_process_tokens", b'{"access_token": "' + b"a" * 1_500_000 + b'"}')
    assert rc < 0 and out is None and errors(host)
    at = access_jwt("acct-ok")
    assert json.loads(host.auth_process_tokens(tark_host.tokens_json(at)))["access_token"] == at


# ---------------------------------------------------------------- non-ASCII, storage

def test_escaped_characters_in_an_answer_over_many_calls(inst):
    """An account id with characters the answer must escape (a quote and a backslash, through the
    JSON writer's escape table), alternating with a 100 KB file on one instance: every answer stays
    identical and valid JSON (the garbage the big file leaves must never end up inside a later
    answer, as when TeaVM freed the escape table)."""
    host = inst.load()
    small = '{"access_token": "a", "account_id": "q\\"\\\\x"}'
    big = '{"access_token": "b", "pad": "%s"}' % ("p" * 100_000)
    for i in range(300):
        inst.write_creds(small if i % 2 == 0 else big)
        result, fault = call_safely(host, host.credentials)
        assert fault is None, f"call {i}: {fault}"
        rc, creds = result
        assert rc > 0, f"call {i}: rc {rc}, logs {host.logs[-1:]}"
        assert creds["access_token"] == ("a" if i % 2 == 0 else "b"), f"call {i}"
        if i % 2 == 0:
            assert creds["custom_headers"]["ChatGPT-Account-Id"] == 'q"\\x', f"call {i}"


def test_jwt_with_non_ascii_claims(inst):
    host = inst.load()
    fancy = dict(claims("acct-ascii", 10 * DAY), name="Zoë Ñandú 日本語 🎉", email="zoë@exämple.com",
                 org="Ünïcödé \u2028 \u0000 end")
    for account in ("acct-ascii", "acct-ünï-日本-😀"):
        c = dict(fancy)
        c["https://api.openai.com/auth"] = {"chatgpt_account_id": account, "title": "Ⅻ"}
        token = make_jwt(c)
        for doc in ({"access_token": token},
                    {"access_token": opaque("at"), "id_token": make_jwt(c)}):
            inst.write_creds(doc)
            assert_credentials(ok_credentials(host), doc["access_token"], account)
    inst.write_creds({"access_token": opaque("at"), "account_id": "cuenta-ñ"})
    assert ok_credentials(host)["custom_headers"]["ChatGPT-Account-Id"] == "cuenta-ñ"


@pytest.mark.parametrize("stored", [
    {"refreshed_tokens": "garbage", "host_credentials": "[[[["},
    {"refreshed_tokens": "[" * 100000},
    {"refreshed_tokens": json.dumps({"source": 5, "credentials": []})},
    {"refreshed_tokens": json.dumps({"source": "x", "credentials": {"access_token": 7}})},
    {"refreshed_tokens": json.dumps({"credentials": {"access_token": "at_only_thing_here"}})},
    {"refreshed_tokens": "x" * 2_000_000},
])
def test_corrupted_storage_does_not_break_the_file(inst, stored):
    doc = inst.valid_creds("acct-st", exp_in=-60)
    inst.endpoint.account = "acct-st"
    inst.data_dir.mkdir()
    inst.storage_path.write_text(json.dumps(stored))
    host = inst.load()
    assert_credentials(ok_credentials(host), inst.endpoint.last["access_token"], "acct-st")
    assert len(inst.endpoint.requests) == 1
    assert_credentials(ok_credentials(inst.load()), inst.endpoint.last["access_token"], "acct-st")
    assert len(inst.endpoint.requests) == 1


def test_leak_checker_finds_pieces():
    """The autouse log check itself: a 12-char piece is found, an 11-char one is not."""
    token = "tok_" + "abcdefghijklmnopqrstuvwxyz0123456789"
    assert find_leaks([("log", "refresh failed for cdefghijklmn!")], {token})
    assert not find_leaks([("log", "refresh failed for cdefghijklm!")], {token})
    assert not find_leaks([("log", "prefix tok_abcdefg only")], {token})
