"""The sealed storage pinned to fixed values: ``plugin/src/test/resources/lineage-vectors.json``.

The file holds, for two fake root refresh tokens, the lineage id, the seal and nonce keys, a path
fingerprint, a refusal mark and sealed entries (plaintext -> exact sealed text and stored value).
JUnit (LineageVectorsTest) holds the Java code to them; here the Python reference below (the
``cryptography`` package and the standard ``hmac`` module, as the file's ``derivation`` says) must
give the same values, and the wasm plugin must both open the pinned entries and write them byte for
byte. A round trip cannot see a key derived with the wrong label or a nonce made another way: both
sides of it would agree with each other; these values cannot be met that way.
"""

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from conftest import (REPO, TOKEN_URL, VAULT_SALT, access_jwt, assert_credentials, errors, json_reply,
                      lineage_id, ok_credentials, open_entry, path_fingerprint, refusal_mark,
                      register_token)

VECTORS_PATH = REPO / "plugin" / "src" / "test" / "resources" / "lineage-vectors.json"
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
SALT = VAULT_SALT.decode("utf-8")


# --------------------------------------------------------------------------------------------
# The reference, written from the file's "derivation" alone
# --------------------------------------------------------------------------------------------

def hkdf(secret: str, info: str, size: int) -> bytes:
    return HKDF(hashes.SHA256(), size, SALT.encode("utf-8"), info.encode("utf-8")).derive(secret.encode("utf-8"))


def reference_nonce(root: str, plaintext: str) -> bytes:
    return hmac.new(hkdf(root, "nonce key", 32), plaintext.encode("utf-8"), hashlib.sha256).digest()[:12]


def reference_seal(root: str, plaintext: str) -> str:
    nonce = reference_nonce(root, plaintext)
    aad = hkdf(root, "lineage id", 16).hex().encode("ascii")
    body = ChaCha20Poly1305(hkdf(root, "seal key", 32)).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return base64.urlsafe_b64encode(nonce + body).rstrip(b"=").decode("ascii")


def reference_open(root: str, sealed: str):
    raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    aad = hkdf(root, "lineage id", 16).hex().encode("ascii")
    return ChaCha20Poly1305(hkdf(root, "seal key", 32)).decrypt(raw[:12], raw[12:], aad).decode("utf-8")


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


ROOTS = VECTORS["roots"]
ENTRIES = [(root, entry) for root in ROOTS for entry in root["entries"]]
STORED = [(root, entry) for root, entry in ENTRIES if "stored_value" in entry]
REPRODUCIBLE = [(root, entry) for root, entry in STORED if entry["name"] == "wasm-reproducible"]


def entry_id(pair) -> str:
    return f"root{ROOTS.index(pair[0]) + 1}-{pair[1]['name']}"


def refreshes(inst) -> list:
    return [json.loads(r["body"])["refresh_token"] for r in inst.endpoint.requests if r["url"] == TOKEN_URL]


def register_entry_tokens(root: dict, entry: dict) -> dict:
    """The entry's tokens (its plaintext parsed), registered for the leak checks with the root."""
    tokens = json.loads(entry["plaintext"])
    register_token(root["root_refresh_token"], *[v for k, v in tokens.items() if k.endswith("_token")])
    return tokens


# --------------------------------------------------------------------------------------------
# The file, against the reference
# --------------------------------------------------------------------------------------------

def test_the_file_covers_what_it_pins():
    assert VECTORS["derivation"]["salt"] == SALT
    assert len(ROOTS) >= 2 and len(STORED) >= 3 and len(REPRODUCIBLE) == 2
    assert any(ord(c) > 127 for c in ROOTS[1]["root_refresh_token"]), "a root that pins UTF-8"
    assert any(entry["plaintext"] == "" for _, entry in ENTRIES), "an empty plaintext (tag only)"


@pytest.mark.parametrize("root", ROOTS, ids=["root1", "root2"])
def test_the_reference_derives_the_pinned_ids_and_keys(root):
    rt = root["root_refresh_token"]
    assert hkdf(rt, "lineage id", 16).hex() == root["lineage_id"]
    assert hkdf(rt, "seal key", 32).hex() == root["seal_key"]
    assert hkdf(rt, "nonce key", 32).hex() == root["nonce_key"]
    assert hkdf(root["path"], "credentials path", 16).hex() == root["path_fingerprint"]
    assert hkdf(rt, "refused refresh token", 16).hex() == root["refusal_mark"]
    # the shared reference the other tests use agrees
    assert lineage_id(rt) == root["lineage_id"]
    assert path_fingerprint(root["path"]) == root["path_fingerprint"]
    assert refusal_mark(rt) == root["refusal_mark"]


@pytest.mark.parametrize("pair", ENTRIES, ids=[entry_id(p) for p in ENTRIES])
def test_the_reference_seals_the_pinned_entries(pair):
    root, entry = pair
    rt = root["root_refresh_token"]
    assert reference_nonce(rt, entry["plaintext"]).hex() == entry["nonce"]
    assert reference_seal(rt, entry["plaintext"]) == entry["sealed"]
    assert reference_open(rt, entry["sealed"]) == entry["plaintext"]
    raw = base64.urlsafe_b64decode(entry["sealed"] + "=" * (-len(entry["sealed"]) % 4))
    assert len(raw) == 12 + len(entry["plaintext"].encode("utf-8")) + 16
    if "stored_value" in entry:
        stored = {"lineage": root["lineage_id"], "sealed": entry["sealed"], "path": root["path_fingerprint"]}
        assert entry["stored_value"] == compact(stored)
        assert open_entry(json.loads(entry["stored_value"]), rt) == json.loads(entry["plaintext"])


# --------------------------------------------------------------------------------------------
# The wasm plugin, against the file
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pair", STORED, ids=[entry_id(p) for p in STORED])
def test_the_plugin_serves_the_tokens_of_a_pinned_entry(tark_inst, pair):
    """storage.json holds the pinned stored value; the credentials file has the root refresh token
    and an expired access token: the plugin opens the entry (keys derived in wasm) and answers its
    tokens without presenting the root."""
    inst = tark_inst
    root, entry = pair
    tokens = register_entry_tokens(root, entry)
    inst.write_creds({"access_token": access_jwt("acct-file", exp_in=-3600),
                      "refresh_token": root["root_refresh_token"]})
    inst.data_dir.mkdir(parents=True, exist_ok=True)
    inst.storage_path.write_text(json.dumps({"tokens": entry["stored_value"]}), encoding="utf-8")
    host = inst.load()
    assert_credentials(ok_credentials(host), tokens["access_token"], tokens.get("account_id"))
    assert inst.endpoint.requests == [], "the entry did not open: the root refresh token was presented"
    assert errors(host) == []


@pytest.mark.parametrize("pair", REPRODUCIBLE, ids=[entry_id(p) for p in REPRODUCIBLE])
def test_the_plugin_seals_refreshed_tokens_into_exactly_the_pinned_entry(tark_inst, pair):
    """The endpoint hands out the pinned entry's tokens: the entry the plugin then writes has the
    pinned lineage and, byte for byte, the pinned sealed text (the nonce rule, the keys, the AEAD
    and the plaintext format all in wasm); the path is the fingerprint of this test's file."""
    inst = tark_inst
    root, entry = pair
    tokens = register_entry_tokens(root, entry)
    doc = {"access_token": access_jwt(None, exp_in=-3600), "refresh_token": root["root_refresh_token"]}
    if "account_id" in tokens:
        doc["account_id"] = tokens["account_id"]
    inst.write_creds(doc)
    inst.endpoint.replies.append(json_reply(200, {k: v for k, v in tokens.items() if k.endswith("_token")}))
    host = inst.load()
    assert_credentials(ok_credentials(host), tokens["access_token"], tokens.get("account_id"))
    assert refreshes(inst) == [root["root_refresh_token"]]
    assert inst.entry() == {"lineage": root["lineage_id"], "sealed": entry["sealed"],
                            "path": path_fingerprint(str(inst.creds_path))}
    assert errors(host) == []
