"""Hostile input and durability, round three, in wasmtime: no piece of a token through a server's
echoed error code, a damaged stored entry never hides a valid one, logout revokes the live token
wherever it is kept, and re-logging one terminal never evicts another terminal's login."""

import base64
import json

import pytest

from conftest import (CREDENTIALS_PATH_VARIABLE, REFRESH_FAILED, REFRESH_REJECTED, access_jwt, errors,
                      find_leaks, json_reply, lineage_id, ok_credentials, opaque, open_entry,
                      path_fingerprint, seal_entry)

REVOKE_URL = "https://auth.openai.com/oauth/revoke"


def expired_login(inst, account="acct-main"):
    inst.endpoint.account = account
    return inst.valid_creds(account, exp_in=-3600)


def leaks_of(texts, tokens):
    """Any 16-character piece of a token, in clear, hex or base64, in any of the texts."""
    encoded = []
    for t in tokens:
        raw = t.encode()
        encoded += [t, raw.hex(), base64.b64encode(raw).decode()[:-4], base64.urlsafe_b64encode(raw).decode()[:-4]]
    return [w for w, text in texts for e in encoded for i in range(0, max(1, len(e) - 15), 4)
            if e[i:i + 16] in text]


@pytest.mark.parametrize("status,code", [(503, REFRESH_FAILED), (400, REFRESH_FAILED), (401, REFRESH_REJECTED)])
@pytest.mark.parametrize("shape", ["upstream.{}", "{}-x", "x{}", "{}"])
def test_an_echoed_refresh_token_never_reaches_the_log(inst, status, code, shape):
    doc = expired_login(inst)
    rt = doc["refresh_token"]
    inst.endpoint.default = json_reply(status, {"error": {"code": shape.format(rt.lower())}})
    host = inst.load()
    rc, _ = host.credentials()
    assert rc == code
    line = errors(host)[-1]
    assert f"(HTTP {status})" in line, line
    texts = [(f"log {lvl}", m) for lvl, m in host.logs] + [("storage.json", inst.storage_text())]
    assert leaks_of(texts, [rt, rt.lower()]) == []


def test_a_plain_code_is_still_quoted(inst):
    expired_login(inst)
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
    warnings = [m for level, m in host.logs if level == "warn"]
    assert len(warnings) == 1 and "(HTTP 400)" in warnings[0], warnings
    assert leaks_of([("warn", warnings[0])], [rt, rt.lower()]) == []


def test_a_damaged_entry_does_not_hide_a_valid_one(tark_inst):
    inst = tark_inst
    doc = expired_login(inst)
    root = doc["refresh_token"]
    live = {"access_token": access_jwt("acct-main"), "refresh_token": opaque("rt")}
    valid = json.loads(seal_entry(root, json.dumps(live)))
    entry = {"lineage": lineage_id(root), "sealed": "junk" + valid["sealed"][8:], "others": [valid]}
    inst.data_dir.mkdir(parents=True, exist_ok=True)
    inst.storage_path.write_text(json.dumps({"tokens": json.dumps(entry)}))
    creds = ok_credentials(inst.load())
    assert creds["access_token"] == live["access_token"]
    assert inst.endpoint.requests == [], "the retired root token was presented"


def test_logout_revokes_the_live_token_of_a_version_03_entry(tark_inst):
    """The file's refresh token was retired by a 0.3-era refresh; the live one is in the clear
    ``refreshed_tokens`` entry: that one is revoked, and the clear entry deleted."""
    inst = tark_inst
    doc = expired_login(inst)
    content = inst.creds_path.read_text(encoding="utf-8")
    h = 0xcbf29ce484222325
    for ch in content:
        h = ((h ^ ord(ch)) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    live = {"access_token": access_jwt("acct-main"), "refresh_token": opaque("rt")}
    legacy = {"source": f"{h:x}:{len(content)}", "credentials": live}
    inst.data_dir.mkdir(parents=True, exist_ok=True)
    inst.storage_path.write_text(json.dumps({"refreshed_tokens": json.dumps(legacy)}))
    inst.endpoint.default = json_reply(200, {})
    host = inst.load()
    assert host.call_i32("provider_auth_logout") >= 0
    revokes = [json.loads(r["body"]) for r in inst.endpoint.requests if r["url"] == REVOKE_URL]
    assert [r["token"] for r in revokes] == [live["refresh_token"]]
    assert doc["refresh_token"] not in json.dumps(revokes)
    assert "refreshed_tokens" not in inst.storage()


def test_a_re_login_never_evicts_another_terminals_login(tark_inst, tmp_path):
    """Terminal B logs in again and again (a new refresh token each time, each refreshed and saved);
    terminal A's saved login stays, and A's next start presents nothing."""
    inst = tark_inst
    other_path = tmp_path / "work" / "chatgpt.json"
    toml = inst.plugin_dir / "plugin.toml"
    toml.write_text(toml.read_text().replace("fs_read = [", f'fs_read = [\n    "{other_path}",', 1))
    a_env = {CREDENTIALS_PATH_VARIABLE: str(other_path)}
    a_doc = {"access_token": access_jwt("acct-a", -60), "refresh_token": opaque("rt")}
    inst.write_creds(a_doc, path=other_path)
    inst.endpoint.account = "acct-a"
    a_token = ok_credentials(inst.load(env=a_env))["access_token"]
    inst.endpoint.account = "acct-b"
    for _ in range(5):
        expired_login(inst, "acct-b")
        ok_credentials(inst.load())
    presented = len(inst.endpoint.requests)
    assert ok_credentials(inst.load(env=a_env))["access_token"] == a_token
    assert len(inst.endpoint.requests) == presented, "terminal A's login was evicted"
    entry = inst.entry()
    paths = [entry.get("path")] + [o.get("path") for o in entry.get("others", [])]
    assert path_fingerprint(str(other_path)) in paths
    assert str(other_path) not in inst.storage_text() and "chatgpt.json" not in inst.storage_text()
    assert len(paths) <= 4
