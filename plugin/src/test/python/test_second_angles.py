"""A second angle, in wasm, on three rules that each had one test: the nonce rule
(test_lineage.py: four saves, four nonces), the carry-over of other logins' entries when saving
(test_lineage.py: two terminals), and save-before-answer (test_hostile.py: a returned token that
fails the call). Each test here fails on its own when its rule is broken in a way the first does not
see: a random nonce, a storage.json read once per instance, tokens kept only when the answer fits.
"""

import base64
import hashlib
import hmac
import json

import pytest

from conftest import (ANSWER_TOO_LARGE, CREDENTIALS_PATH_VARIABLE, DAY, TOKEN_URL, access_jwt,
                      assert_credentials, claims, errors, json_reply, lineage_id, make_jwt,
                      ok_credentials, opaque, open_entry, path_fingerprint, register_token)
from test_pinned_vectors import hkdf, reference_open, reference_seal


def refreshes(inst) -> list:
    return [json.loads(r["body"])["refresh_token"] for r in inst.endpoint.requests if r["url"] == TOKEN_URL]


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --------------------------------------------------------------------------------------------
# The nonce: an HMAC of the whole plaintext, so sealing is deterministic
# --------------------------------------------------------------------------------------------

def test_every_entry_the_plugin_writes_is_the_references_deterministic_seal_of_its_tokens(tark_inst):
    """Four refreshes of real-shaped tokens (JWTs sharing their header and first claims): each
    entry's nonce is HMAC-SHA256(nonce key, the exact plaintext)[:12], and the whole sealed text is
    what the reference seals that plaintext to, byte for byte. Distinct nonces alone would let a
    random nonce pass; this cannot."""
    inst = tark_inst
    inst.endpoint.account = "acct-main"
    doc = inst.valid_creds("acct-main", exp_in=-3600)
    root = doc["refresh_token"]
    inst.endpoint.expires_in = None
    inst.endpoint.access_exp_in = 60            # within the refresh margin: each init refreshes
    nonce_key = hkdf(root, "nonce key", 32)
    seen = set()
    for _ in range(4):
        ok_credentials(inst.load())
        entry = inst.entry()
        assert entry["lineage"] == lineage_id(root)
        plaintext = reference_open(root, entry["sealed"])
        assert json.loads(plaintext)["refresh_token"] == inst.endpoint.last["refresh_token"]
        nonce = b64url_decode(entry["sealed"])[:12]
        assert nonce == hmac.new(nonce_key, plaintext.encode("utf-8"), hashlib.sha256).digest()[:12]
        assert entry["sealed"] == reference_seal(root, plaintext)
        seen.add(nonce)
    assert len(seen) == 4


# --------------------------------------------------------------------------------------------
# Carry-over: each save takes the other logins' entries from storage.json as it is now
# --------------------------------------------------------------------------------------------

def test_a_sessions_second_refresh_carries_the_other_terminals_newer_entry_not_a_stale_copy(tark_inst, tmp_path):
    """Terminals A (default file) and B (another file) stay open. B refreshes, A refreshes (carrying
    B's entry), B refreshes again through the refresh hook, then so does A. A's second save must carry
    B's newest entry byte for byte, with its path, not the copy A read at its first save: that
    copy's refresh token is spent. B's next start then uses its newest tokens without a request."""
    inst = tark_inst
    other_path = tmp_path / "work" / "chatgpt.json"
    toml = inst.plugin_dir / "plugin.toml"
    toml.write_text(toml.read_text().replace("fs_read = [", f'fs_read = [\n    "{other_path}",', 1))
    first = inst.valid_creds("acct-one", exp_in=-3600)
    second = {"access_token": access_jwt("acct-two", -60), "refresh_token": opaque("rt")}
    inst.write_creds(second, path=other_path)
    two_env = {CREDENTIALS_PATH_VARIABLE: str(other_path)}
    a, b = inst.load(), inst.load(env=two_env)

    inst.endpoint.account = "acct-two"
    ok_credentials(b)
    inst.endpoint.account = "acct-one"
    ok_credentials(a)
    inst.endpoint.account = "acct-two"
    rc, _ = b.call_ret("provider_auth_refresh")
    assert rc > 0, b.logs
    t_two = inst.endpoint.last
    b_entry = inst.entry()
    assert b_entry["lineage"] == lineage_id(second["refresh_token"])
    inst.endpoint.account = "acct-one"
    rc, _ = a.call_ret("provider_auth_refresh")
    assert rc > 0, a.logs
    t_one = inst.endpoint.last
    assert len(refreshes(inst)) == 4

    entry = inst.entry()
    assert entry["lineage"] == lineage_id(first["refresh_token"])
    assert open_entry(entry, first["refresh_token"])["refresh_token"] == t_one["refresh_token"]
    [kept] = entry["others"]
    assert kept == {"lineage": b_entry["lineage"], "sealed": b_entry["sealed"],
                    "path": path_fingerprint(str(other_path))}, "B's entry was not carried over as on disk"
    assert open_entry(kept, second["refresh_token"])["refresh_token"] == t_two["refresh_token"]
    fresh_b = inst.load(env=two_env)
    assert_credentials(ok_credentials(fresh_b), t_two["access_token"], "acct-two")
    assert fresh_b.http_requests == []
    assert errors(a) == errors(b) == errors(fresh_b) == []


# --------------------------------------------------------------------------------------------
# Save-before-answer: the rotated tokens are stored before the answer is written
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("export", ["provider_auth_credentials", "provider_auth_refresh"])
def test_an_answer_too_large_for_tarks_buffer_still_leaves_the_rotated_tokens_saved(tark_inst, export):
    """The refresh succeeds, but the new access token makes the answer larger than tark's 8192-byte
    buffer, so the export fails (-7) after the refresh token was spent: the rotated tokens are in
    storage all the same, and the next instance presents the rotated refresh token, not the spent one."""
    inst = tark_inst
    inst.endpoint.account = "acct-main"
    doc = inst.valid_creds("acct-main", exp_in=-3600)
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
