"""Issue 8: the login's refresh lineage, several tark sessions on one data dir, tokens sealed at rest.

Every test installs the plugin where tark installs it (``<home>/.local/share/tark/plugins/
chatgpt-oauth``, storage in its ``data/storage.json``; see ``TarkLayout`` in conftest.py) and loads
several instances on that one data dir. Each instance is what one tark session holds: tark reads
storage.json once when it loads the plugin and rewrites the whole file from that copy on every
``storage.set`` / ``storage.delete`` (``PluginState`` in tark's ``src/plugins/host/mod.rs``,
emulated by ``tark_host.py``).

The stored entry is checked against a reference implementation (the ``cryptography`` package): its
``lineage`` is HKDF-SHA256 of the credentials file's refresh token, and ``sealed`` opens with
ChaCha20-Poly1305 under a key derived the same way, and under no other.
"""

import base64
import hashlib
import hmac
import json
import os
import time

import pytest

from conftest import (CLIENT_ID, CREDENTIALS_PATH_VARIABLE, DAY, LOGIN_COMMAND, NOT_AUTHENTICATED,
                      REFRESH_REJECTED, TOKEN_URL, _TOKENS, access_jwt, assert_credentials, diagnostics,
                      encodings, errors, failed, find_leaks, json_reply, last_diagnostics, lineage_id,
                      ok_credentials, opaque, open_entry, path_fingerprint, refusal_mark, register_token,
                      seal_entry)
from test_pinned_vectors import hkdf, reference_open, reference_seal

REVOKE_URL = "https://auth.openai.com/oauth/revoke"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def refreshes(inst) -> list:
    """The refresh tokens presented to the token endpoint, in order (all instances)."""
    return [json.loads(r["body"])["refresh_token"] for r in inst.endpoint.requests
            if r["url"] == TOKEN_URL]


def expired_login(inst, account="acct-main", **extra) -> dict:
    """A credentials file whose access token has expired: the first call refreshes it."""
    inst.endpoint.account = account
    return inst.valid_creds(account, exp_in=-3600, **extra)


def login_elsewhere(inst, path, account) -> tuple:
    """A second login, in the credentials file at ``path`` (allowed in the manifest) with an expired
    access token: ``(its document, the env that points an instance at it)``."""
    inst.allow_reading(path)
    doc = {"access_token": access_jwt(account, -60), "refresh_token": opaque("rt")}
    inst.write_creds(doc, path=path)
    return doc, {CREDENTIALS_PATH_VARIABLE: str(path)}


def assert_no_token_anywhere(inst, *texts):
    """No 12-char piece of any token the test used, plain or encoded, in storage.json, in the
    given texts (earlier snapshots of storage.json), or in any log line of any instance."""
    tokens = set(_TOKENS)
    assert tokens, "the test registered no token"
    encoded = [e for t in tokens for e in encodings(t)]
    where = [("storage.json", inst.storage_text())] + [(f"snapshot {n}", t) for n, t in enumerate(texts)]
    for n, host in enumerate(inst.hosts):
        where += [(f"host {n} {level}", msg) for level, msg in host.logs]
    leaks = find_leaks(where, encoded)
    assert not leaks, "\n".join(leaks[:5])


def reformatted(doc: dict) -> str:
    """The same credentials as an editor or `jq` writes them: reordered keys, another indent."""
    return json.dumps(dict(reversed(list(doc.items()))), indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Protected at rest
# --------------------------------------------------------------------------------------------

def test_stored_tokens_are_sealed_under_the_files_refresh_token(tark_inst):
    """After a refresh storage.json holds one entry: the lineage is a one-way id of the file's
    refresh token, the tokens open only with keys derived from that token, and no token (plain,
    hex, base64) is readable in the file, which tark writes 0666 & ~umask (0644 here)."""
    inst = tark_inst
    old_umask = os.umask(0o022)
    try:
        doc = expired_login(inst)
        ok_credentials(inst.load())
    finally:
        os.umask(old_umask)
    new = inst.endpoint.last
    assert set(inst.storage()) == {"tokens"}
    entry = inst.entry()
    assert set(entry) == {"lineage", "sealed", "path"}
    assert entry["path"] == path_fingerprint(str(inst.creds_path)), "the path, one-way"
    assert entry["lineage"] == lineage_id(doc["refresh_token"])
    opened = open_entry(entry, doc["refresh_token"])
    assert opened is not None, "the entry does not open with ChaCha20-Poly1305 under HKDF(refresh token)"
    assert opened["access_token"] == new["access_token"]
    assert opened["refresh_token"] == new["refresh_token"]
    assert opened["id_token"] == new["id_token"]
    assert abs(opened["expires_at"] - (time.time() + inst.endpoint.expires_in)) < 60
    # only the file's refresh token opens it: not the rotated one (which is inside), not another
    for other in (new["refresh_token"], opaque("rt"), doc["refresh_token"] + "x"):
        assert open_entry(dict(entry, lineage=lineage_id(other)), other) is None
    mode = inst.storage_path.stat().st_mode & 0o777
    assert mode == 0o666 & ~0o022 == 0o644, oct(mode)
    assert_no_token_anywhere(inst)


def test_the_same_tokens_sealed_twice_give_the_same_entry_and_new_tokens_a_new_nonce(tark_inst):
    """The nonce is derived from the plaintext: two saves of different tokens under one lineage
    never share a nonce (and the sealed texts differ)."""
    inst = tark_inst
    doc = expired_login(inst)
    inst.endpoint.expires_in = None
    inst.endpoint.access_exp_in = 60            # within the refresh margin: each init refreshes
    nonces = set()
    for _ in range(4):
        ok_credentials(inst.load())
        entry = inst.entry()
        nonces.add(b64url_decode(entry["sealed"])[:12])
        assert open_entry(entry, doc["refresh_token"])["refresh_token"] == inst.endpoint.last["refresh_token"]
    assert len(nonces) == 4
    assert refreshes(inst) == [doc["refresh_token"]] + [t["refresh_token"] for t in inst.endpoint.issued[:-1]]


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


def test_diagnostics_line_names_where_the_tokens_come_from_once_per_change(tark_inst):
    inst = tark_inst
    doc = expired_login(inst)
    host = inst.load()
    for _ in range(3):
        ok_credentials(host)
    lines = diagnostics(host)
    assert len(lines) == 2, host.logs           # the file's (due), then the refreshed tokens
    first, second = lines
    assert set(second) == {"source", "location", "tokens", "account_id", "expires_at", "lifetime_seconds",
                           "refresh_at", "expired", "refresh_due", "may_refresh", "refresh_margin_seconds",
                           "refresh_margin_reason"}
    assert (first["tokens"], first["expired"], first["refresh_due"]) == ("source", True, True)
    assert (second["tokens"], second["expired"], second["refresh_due"]) == ("storage", False, False)
    assert second["source"] == "tark_file" and second["location"] == str(inst.creds_path)
    assert second["account_id"] == "acct-main" and second["may_refresh"] is True
    inst.write_creds(reformatted(doc))          # same lineage, same tokens in use: no new line
    ok_credentials(host)
    assert len(diagnostics(host)) == 2


# --------------------------------------------------------------------------------------------
# Lineage, not bytes: hand edits and new logins
# --------------------------------------------------------------------------------------------

EDITS = {
    "add account_id": lambda doc: json.dumps(dict(doc, account_id="acct-main"), indent=2),
    "reformat, keys reordered": reformatted,
    "compact with unknown field": lambda doc: json.dumps(dict(doc, note="edited by hand"),
                                                         separators=(",", ":")),
    "expires_at and account_id changed": lambda doc: reformatted(
        dict(doc, expires_at=int(time.time()) - 7200, account_id="acct-main")),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_hand_edit_that_keeps_the_refresh_token_keeps_the_refreshed_tokens(tark_inst, edit):
    inst = tark_inst
    doc = expired_login(inst, account_id=None)
    a = inst.load()
    first = ok_credentials(a)
    new = inst.endpoint.last
    assert_credentials(first, new["access_token"], "acct-main")
    stored = inst.storage_text()
    inst.write_creds(EDITS[edit](doc))
    b = inst.load()
    for host in (a, b, inst.load()):            # the stale instance, then fresh ones
        assert_credentials(ok_credentials(host), new["access_token"], "acct-main")
        assert last_diagnostics(host)["tokens"] == "storage"
    assert refreshes(inst) == [doc["refresh_token"]], "the spent refresh token was presented again"
    assert inst.storage_text() == stored, "an instance rewrote storage without new tokens"
    assert errors(a) == errors(b) == []


def test_a_new_login_wins_and_the_old_entry_is_left_in_storage(tark_inst):
    inst = tark_inst
    old = expired_login(inst)
    a = inst.load()
    ok_credentials(a)
    t1 = inst.endpoint.last
    stored = inst.storage_text()
    login = inst.valid_creds("acct-new")            # `tark auth chatgpt-oauth` again
    for host in (a, inst.load()):
        assert_credentials(ok_credentials(host), login["access_token"], "acct-new")
        d = last_diagnostics(host)
        assert d["tokens"] == "source" and d["account_id"] == "acct-new"
    assert inst.storage_text() == stored, "the other lineage's entry was deleted or rewritten"
    assert inst.entry()["lineage"] == lineage_id(old["refresh_token"]) != lineage_id(login["refresh_token"])
    assert refreshes(inst) == [old["refresh_token"]]
    # the old file back (a restored backup): its descendant is still there, the spent token is not presented
    inst.write_creds(reformatted(old))
    assert_credentials(ok_credentials(inst.load()), t1["access_token"], "acct-main")
    assert refreshes(inst) == [old["refresh_token"]]


def test_a_new_login_refreshed_comes_first_and_the_old_lineage_is_kept_after_it(tark_inst):
    inst = tark_inst
    old = expired_login(inst)
    ok_credentials(inst.load())
    t1 = inst.endpoint.last
    login = expired_login(inst, "acct-new")
    assert_credentials(ok_credentials(inst.load()), inst.endpoint.last["access_token"], "acct-new")
    assert refreshes(inst) == [old["refresh_token"], login["refresh_token"]]
    entry = inst.entry()
    assert entry["lineage"] == lineage_id(login["refresh_token"])
    assert open_entry(entry, login["refresh_token"])["refresh_token"] == inst.endpoint.last["refresh_token"]
    [kept] = entry["others"]
    assert open_entry(kept, old["refresh_token"])["refresh_token"] == t1["refresh_token"]


def test_two_logins_in_two_terminals_keep_their_own_refreshed_tokens(tark_inst, tmp_path):
    """Terminal 1 uses the default credentials file, terminal 2 another account through
    CHATGPT_OAUTH_CREDENTIALS_PATH; both instances load storage before either refreshes. Each
    refresh carries the other login's entry over from disk, so neither is ever presented its spent
    refresh token again."""
    inst = tark_inst
    other_path = tmp_path / "work" / "chatgpt.json"
    first = expired_login(inst, "acct-one")
    inst.endpoint.account = "acct-two"
    second, two_env = login_elsewhere(inst, other_path, "acct-two")
    one, two = inst.load(), inst.load(env=two_env)
    inst.endpoint.account = "acct-one"
    ok_credentials(one)
    t_one = inst.endpoint.last
    inst.endpoint.account = "acct-two"
    ok_credentials(two)
    t_two = inst.endpoint.last
    assert refreshes(inst) == [first["refresh_token"], second["refresh_token"]]
    # the next start of each terminal uses its own descendant: no request, no spent token
    assert_credentials(ok_credentials(inst.load()), t_one["access_token"], "acct-one")
    assert_credentials(ok_credentials(inst.load(env=two_env)), t_two["access_token"], "acct-two")
    assert len(refreshes(inst)) == 2


def test_a_sessions_second_refresh_carries_the_other_terminals_newer_entry_not_a_stale_copy(tark_inst, tmp_path):
    """Terminals A (default file) and B (another file) stay open. B refreshes, A refreshes (carrying
    B's entry), B refreshes again through the refresh hook, then so does A. A's second save must carry
    B's newest entry byte for byte, with its path, not the copy A read at its first save: that
    copy's refresh token is spent. B's next start then uses its newest tokens without a request."""
    inst = tark_inst
    other_path = tmp_path / "work" / "chatgpt.json"
    first = inst.valid_creds("acct-one", exp_in=-3600)
    second, two_env = login_elsewhere(inst, other_path, "acct-two")
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


def test_a_re_login_never_evicts_another_terminals_login(tark_inst, tmp_path):
    """Terminal B logs in again and again (a new refresh token each time, each refreshed and saved);
    terminal A's saved login stays, and A's next start presents nothing."""
    inst = tark_inst
    other_path = tmp_path / "work" / "chatgpt.json"
    _, a_env = login_elsewhere(inst, other_path, "acct-a")
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


# --------------------------------------------------------------------------------------------
# Several sessions: never clobber, recover in the same start
# --------------------------------------------------------------------------------------------

def test_stale_session_seeing_the_file_change_does_not_erase_anothers_refresh(tark_inst):
    """A loaded storage (entry E1) before B refreshed again and saved E2; then the file is
    reformatted. A keeps answering, writes nothing, so storage.json keeps E2; a fresh instance
    uses B's tokens; A's own forced refresh takes B's tokens from disk instead of spending its
    (already spent) refresh token."""
    inst = tark_inst
    doc = expired_login(inst)
    ok_credentials(inst.load())
    t1 = inst.endpoint.last
    a = inst.load()                                  # snapshot: E1
    assert_credentials(ok_credentials(a), t1["access_token"], "acct-main")
    b = inst.load()
    rc, _ = b.call_ret("provider_auth_refresh")      # tark's refresh hook: B rotates again
    assert rc > 0, b.logs
    t2 = inst.endpoint.last
    after_b = inst.storage_text()
    assert open_entry(inst.entry(), doc["refresh_token"])["refresh_token"] == t2["refresh_token"]
    inst.write_creds(reformatted(doc))
    for _ in range(3):
        assert ok_credentials(a)["access_token"] in (t1["access_token"], t2["access_token"])
    assert inst.storage_text() == after_b, "the stale session rewrote storage.json and erased B's tokens"
    assert_credentials(ok_credentials(inst.load()), t2["access_token"], "acct-main")
    rc, raw = a.call_ret("provider_auth_refresh")
    assert rc > 0, a.logs
    assert json.loads(raw)["access_token"] == t2["access_token"]
    assert refreshes(inst) == [doc["refresh_token"], t1["refresh_token"]]
    assert inst.storage_text() == after_b
    assert errors(a) == []


def test_session_loaded_before_another_saved_uses_its_tokens_without_http(tark_inst):
    inst = tark_inst
    doc = expired_login(inst)
    a, b = inst.load(), inst.load()                  # both start before either refreshes
    ok_credentials(a)
    t1 = inst.endpoint.last
    assert_credentials(ok_credentials(b), t1["access_token"], "acct-main")
    assert b.http_requests == [], "B presented a refresh token although A's tokens were on disk"
    assert last_diagnostics(b)["tokens"] == "storage"
    assert refreshes(inst) == [doc["refresh_token"]]
    assert errors(b) == []


def test_refresh_refused_as_reused_recovers_another_sessions_save_in_the_same_call(tark_inst):
    """A and B start together near expiry. B reads storage.json (nothing yet) and presents the
    refresh token; meanwhile A refreshes and saves; the endpoint refuses B's (now spent) token.
    B answers A's tokens in that same call, and writes nothing."""
    inst = tark_inst
    doc = expired_login(inst)
    a, b = inst.load(), inst.load()
    seen = {}

    def b_refresh(method, url, headers, body):
        # B's request is in flight: A's whole provider init runs now (a second tark session).
        seen["a_rc"], seen["a"] = a.credentials()
        seen["storage"] = inst.storage_text()
        return json_reply(400, {"error": {"code": "refresh_token_reused", "message": "reused"}})

    inst.endpoint.replies = [b_refresh]              # B's request comes first
    rc, creds = b.credentials()
    assert seen["a_rc"] > 0, a.logs
    t1 = inst.endpoint.last
    assert rc > 0, f"B failed ({rc}) although A's tokens were on disk: {b.logs}"
    assert_credentials(creds, t1["access_token"], "acct-main")
    assert refreshes(inst) == [doc["refresh_token"], doc["refresh_token"]]
    assert any("another tark session" in m.lower() for level, m in b.logs if level == "info"), b.logs
    assert errors(b) == []
    assert inst.storage_text() == seen["storage"], "B wrote storage after its refusal"
    c = inst.load()
    assert_credentials(ok_credentials(c), t1["access_token"], "acct-main")
    assert c.http_requests == []


def test_refresh_refused_with_nothing_on_disk_says_retry_or_log_in(tark_inst):
    inst = tark_inst
    expired_login(inst)
    inst.endpoint.default = json_reply(400, {"error": "refresh_token_reused"})
    host = inst.load()
    rc, creds = host.credentials()
    assert rc == REFRESH_REJECTED and creds is None
    assert len(errors(host)) == 1
    line = errors(host)[0]
    assert "retry" in line.lower() and LOGIN_COMMAND in line and "refresh_token_reused" in line
    # nothing obtained, so no tokens written: only the one-way mark that keeps later starts from
    # presenting the refused token again, and the failure's line for provider_chat
    stored = json.loads(inst.storage()["tokens"])
    root = json.loads(inst.creds_path.read_text(encoding="utf-8"))["refresh_token"]
    assert set(stored) == {"refused", "failure_for", "failure"}, stored
    assert stored["refused"] == [refusal_mark(root)] and stored["failure"] == line, stored


@pytest.mark.parametrize("any_layout", ["linux", "xdg", "macos"], indirect=True)
def test_recovery_reads_storage_where_tark_keeps_it(any_layout):
    """~/.local/share, $XDG_DATA_HOME, ~/Library/Application Support: B, loaded before A saved,
    finds A's tokens in each layout."""
    inst = any_layout
    expired_login(inst)
    a, b = inst.load(), inst.load()
    ok_credentials(a)
    assert_credentials(ok_credentials(b), inst.endpoint.last["access_token"], "acct-main")
    assert b.http_requests == []


# --------------------------------------------------------------------------------------------
# Logout
# --------------------------------------------------------------------------------------------

def test_credentials_file_deleted_forgets_the_stored_tokens(tark_inst):
    """`tark auth logout` deletes the file: the next instance answers -1 and removes the entry;
    an instance already running does too; a new login then starts clean."""
    inst = tark_inst
    expired_login(inst)
    a = inst.load()
    ok_credentials(a)
    assert "tokens" in inst.storage()
    inst.remove_creds()
    b = inst.load()
    rc, _ = b.credentials()
    assert rc == NOT_AUTHENTICATED
    assert "tokens" not in inst.storage()
    assert any("forgot" in m.lower() for level, m in b.logs if level == "info"), b.logs
    rc, _ = b.credentials()                          # forgotten once, not on every call
    assert rc == NOT_AUTHENTICATED
    assert sum("forgot" in m.lower() for _, m in b.logs) == 1
    rc, _ = a.credentials()                          # the session that refreshed sees it too
    assert rc == NOT_AUTHENTICATED
    assert "tokens" not in inst.storage()
    login = inst.valid_creds("acct-again")
    for host in (a, b, inst.load()):
        assert_credentials(ok_credentials(host), login["access_token"], "acct-again")


def test_credentials_file_deleted_with_a_codex_login_forgets_and_falls_back(tark_inst):
    inst = tark_inst
    expired_login(inst)
    ok_credentials(inst.load())
    codex = {"access_token": access_jwt("acct-codex"), "refresh_token": opaque("rt"),
             "id_token": access_jwt("acct-codex"), "account_id": "acct-codex"}
    inst.write_codex(codex)
    inst.remove_creds()
    host = inst.load()
    assert_credentials(ok_credentials(host), codex["access_token"], "acct-codex")
    assert "tokens" not in inst.storage()
    assert host.http_requests == []


def test_provider_auth_logout_revokes_the_latest_refresh_token_and_forgets(tark_inst):
    inst = tark_inst
    doc = expired_login(inst)
    ok_credentials(inst.load())
    latest = inst.endpoint.last["refresh_token"]
    inst.endpoint.default = json_reply(200, {})
    host = inst.load()
    assert host.call_i32("provider_auth_logout") >= 0
    revokes = [r for r in inst.endpoint.requests if r["url"] == REVOKE_URL]
    assert len(revokes) == 1
    assert revokes[0]["method"] == "POST"
    assert json.loads(revokes[0]["body"]) == {"token": latest, "token_type_hint": "refresh_token",
                                              "client_id": CLIENT_ID}
    assert ("Content-Type", "application/json") in [tuple(h) for h in revokes[0]["headers"]]
    assert "tokens" not in inst.storage()
    assert errors(host) == []
    assert json.loads(inst.creds_path.read_text()) == doc, "the file is tark's to delete"


@pytest.mark.parametrize("reply", [json_reply(500, {"error": "server_error"}), {"error": "connection refused"},
                                   json_reply(400, {"error": "invalid_request"})],
                         ids=["500", "transport error", "400"])
def test_failed_revocation_still_logs_out(tark_inst, reply):
    inst = tark_inst
    expired_login(inst)
    a = inst.load()
    ok_credentials(a)
    inst.endpoint.default = reply
    assert a.call_i32("provider_auth_logout") >= 0
    assert [r["url"] for r in inst.endpoint.requests] == [TOKEN_URL, REVOKE_URL]
    warnings = [m for level, m in a.logs if level == "warn"]
    assert len(warnings) == 1 and "revoke" in warnings[0].lower(), a.logs
    assert "tokens" not in inst.storage()
    assert errors(a) == []


def test_logout_never_revokes_the_codex_cli_login(tark_inst):
    inst = tark_inst
    inst.write_codex({"access_token": access_jwt("acct-codex", exp_in=-60), "refresh_token": opaque("rt"),
                      "id_token": access_jwt("acct-codex")})
    host = inst.load()
    rc, _ = host.credentials()
    assert rc < 0                                    # expired, and the plugin never refreshes it
    assert host.call_i32("provider_auth_logout") >= 0
    assert inst.endpoint.requests == []


# --------------------------------------------------------------------------------------------
# No token at rest or in the log, whatever happened
# --------------------------------------------------------------------------------------------

def test_no_token_in_storage_or_logs_in_any_encoding_through_a_whole_session(tark_inst):
    """Refresh, hand edit, second session, recovery, a new login, logout: after each step,
    storage.json and every log line hold no piece of any token in any common encoding."""
    inst = tark_inst
    snapshots = []
    doc = expired_login(inst)
    inst.endpoint.expires_in = None
    inst.endpoint.access_exp_in = 120                # within the margin: every init refreshes
    a, b = inst.load(), inst.load()
    ok_credentials(a)
    snapshots.append(inst.storage_text())
    ok_credentials(b)
    snapshots.append(inst.storage_text())
    inst.write_creds(reformatted(doc))
    ok_credentials(inst.load())
    snapshots.append(inst.storage_text())
    inst.endpoint.access_exp_in = 10 * DAY
    expired_login(inst, "acct-second")
    ok_credentials(inst.load())
    snapshots.append(inst.storage_text())
    for t in inst.endpoint.issued:
        register_token(*t.values())
    assert len(inst.endpoint.issued) >= 4
    inst.endpoint.default = json_reply(200, {})
    assert inst.load().call_i32("provider_auth_logout") >= 0
    assert_no_token_anywhere(inst, *snapshots)


# --------------------------------------------------------------------------------------------
# A rolled-back storage.json (issue 27): what docs/ARCHITECTURE.md's threat model says happens
# --------------------------------------------------------------------------------------------

REUSED = json_reply(400, {"error": "refresh_token_reused"})
REFUSED_LOGIN = f"ChatGPT has refused this login's refresh token. Run `{LOGIN_COMMAND}` to log in again."


def rolled_back(inst, first_access_exp_in: int) -> tuple:
    """Refreshes twice (R0 -> R1 -> R2, each saved), then puts back the storage.json of the first
    save, as a restored backup would: its entry authenticates, and holds R1, which the second
    refresh retired. From then on the endpoint refuses as reuse. Returns (R1, the rolled-back
    tokens)."""
    expired_login(inst)
    inst.endpoint.access_exp_in = first_access_exp_in
    inst.endpoint.expires_in = None
    inst.load().credentials()                        # R0 -> R1, saved
    first = inst.endpoint.last
    snapshot = inst.storage_text()
    inst.endpoint.access_exp_in = 10 * DAY
    ok_credentials(inst.load())                      # R1 -> R2, saved
    assert refreshes(inst)[-1] == first["refresh_token"]
    inst.storage_path.write_text(snapshot, encoding="utf-8")
    inst.endpoint.default = REUSED
    return first["refresh_token"], first


def test_rollback_while_the_token_is_valid_warns_once_and_keeps_it(tark_inst):
    """The rolled-back access token is due but valid: the plugin presents its retired refresh token
    once, remembers the refusal, and hands tark the still-valid token with one warning."""
    inst = tark_inst
    retired, tokens = rolled_back(inst, first_access_exp_in=60)    # inside the 5-minute margin
    before = len(inst.endpoint.requests)
    host = inst.load()
    assert_credentials(ok_credentials(host), tokens["access_token"], "acct-main")
    assert refreshes(inst)[before:] == [retired]
    warnings = [m for level, m in host.logs if level == "warn"]
    assert len(warnings) == 1 and errors(host) == [], host.logs
    assert warnings[0].startswith("ChatGPT refused to refresh the login (HTTP 400, refresh_token_reused)."), warnings
    assert "still valid for" in warnings[0] and "This refresh token will not be presented again." in warnings[0]
    assert refusal_mark(retired) in inst.entry()["refused"]
    later = inst.load()
    assert_credentials(ok_credentials(later), tokens["access_token"], "acct-main")
    assert later.http_requests == [] and errors(later) == []


def test_rollback_of_an_expired_token_fails_and_says_log_in_again(tark_inst):
    """The rolled-back access token has expired: -3 with the endpoint's refusal; tark's fallback
    chat says that error line (log in again); every later start fails at once, presenting nothing,
    and the chat then says its line."""
    inst = tark_inst
    retired, _ = rolled_back(inst, first_access_exp_in=-60)        # saved, though already expired
    before = len(inst.endpoint.requests)
    host = inst.load()
    rc, _ = host.credentials()
    line = failed(host, rc, REFRESH_REJECTED, "refresh_token_reused")
    assert line.startswith("ChatGPT refused to refresh the login (HTTP 400, refresh_token_reused).")
    assert refreshes(inst)[before:] == [retired]
    chat = inst.load().provider_chat([{"role": "user", "content": "hi"}], "gpt-4")["text"]
    assert line in chat and LOGIN_COMMAND in chat, chat          # that start's error line, whole
    later = inst.load()
    rc, _ = later.credentials()
    assert failed(later, rc, REFRESH_REJECTED) == REFUSED_LOGIN
    assert later.http_requests == [] and refreshes(inst)[before:] == [retired]
    assert REFUSED_LOGIN in inst.load().provider_chat([{"role": "user", "content": "hi"}], "gpt-4")["text"]


# --------------------------------------------------------------------------------------------
# A tampered entry is ignored, and a damaged one hides no valid one
# --------------------------------------------------------------------------------------------

def flip(text: str, at: int) -> str:
    """Changes one base64url character so that the decoded bytes differ."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return text[:at] + alphabet[alphabet.index(text[at]) ^ 32] + text[at + 1:]


TAMPERS = {
    "sealed: one char flipped in the nonce": lambda e, other: dict(e, sealed=flip(e["sealed"], 3)),
    "sealed: one char flipped in the ciphertext": lambda e, other: dict(e, sealed=flip(e["sealed"], len(e["sealed"]) // 2)),
    "sealed: one char flipped in the tag": lambda e, other: dict(e, sealed=flip(e["sealed"], len(e["sealed"]) - 5)),
    "sealed: truncated": lambda e, other: dict(e, sealed=e["sealed"][:-8]),
    "sealed: not base64": lambda e, other: dict(e, sealed="!" + e["sealed"][1:]),
    "sealed: empty": lambda e, other: dict(e, sealed=""),
    "sealed: another login's": lambda e, other: dict(e, sealed=other["sealed"]),
    "lineage: changed": lambda e, other: dict(e, lineage=flip(e["lineage"], 0).lower()),
    "lineage: another login's": lambda e, other: dict(e, lineage=other["lineage"]),
    "lineage: upper case": lambda e, other: dict(e, lineage=e["lineage"].upper()),
    "lineage: missing": lambda e, other: {"sealed": e["sealed"]},
}


def another_logins_entry(tmp_path) -> dict:
    from conftest import TarkLayout
    other = TarkLayout(tmp_path / "other")
    expired_login(other)
    ok_credentials(other.load())
    return other.entry()


@pytest.mark.parametrize("due", [False, True], ids=["file valid", "file due"])
def test_tampered_entry_is_ignored(tark_inst, tmp_path, due):
    """For each way of tampering with the entry: no trap, nothing about it logged above debug and
    nothing of its content; the file's tokens are used, and refreshed (with the file's refresh
    token) when due, the new entry replacing the tampered one. A valid file leaves the tampered
    entry where it is (ignored, not deleted)."""
    inst = tark_inst
    other = another_logins_entry(tmp_path)
    doc = expired_login(inst) if due else inst.valid_creds("acct-main")
    rc, _ = inst.load().call_ret("provider_auth_refresh")    # an entry of this lineage
    assert rc > 0
    entry = inst.entry()
    assert open_entry(entry, doc["refresh_token"]) is not None
    for name, tamper in TAMPERS.items():
        bad = tamper(entry, other)
        inst.storage_path.write_text(json.dumps({"tokens": json.dumps(bad)}), encoding="utf-8")
        before = len(inst.endpoint.requests)
        host = inst.load()
        creds = ok_credentials(host)
        if due:
            assert_credentials(creds, inst.endpoint.last["access_token"], "acct-main")
            assert refreshes(inst)[before:] == [doc["refresh_token"]], name
            assert inst.entry()["lineage"] == lineage_id(doc["refresh_token"]), name
            assert open_entry(inst.entry(), doc["refresh_token"])["access_token"] == creds["access_token"], name
        else:
            assert_credentials(creds, doc["access_token"], "acct-main")
            assert len(inst.endpoint.requests) == before, name
            assert json.loads(inst.storage()["tokens"]) == bad, f"{name}: tampered entry deleted or rewritten"
        assert errors(host) == [] and not [m for level, m in host.logs if level == "warn"], (name, host.logs)
        pieces = [p for p in (bad.get("sealed", ""), bad.get("lineage", "")) if len(p) >= 12]
        assert not find_leaks(host.logs, pieces), name


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


@pytest.mark.parametrize("value", ["", "not json", "[]", "{}", "null", '{"lineage": 5, "sealed": true}',
                                   json.dumps({"lineage": "0" * 32, "sealed": "A" * 200}),
                                   "[" * 5000, '{"a":' * 5000])
def test_odd_stored_values_are_ignored(tark_inst, value):
    inst = tark_inst
    doc = inst.valid_creds("acct-main")
    inst.data_dir.mkdir(parents=True)
    inst.storage_path.write_text(json.dumps({"tokens": value}), encoding="utf-8")
    host = inst.load()
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-main")
    rc, raw = host.call_ret("provider_auth_refresh")   # reads storage.json from disk too
    assert rc > 0, host.logs
    assert json.loads(raw)["access_token"] == inst.endpoint.last["access_token"]
    assert refreshes(inst) == [doc["refresh_token"]]
    assert errors(host) == []


# --------------------------------------------------------------------------------------------
# Upgrade from version 0.3's clear entry
# --------------------------------------------------------------------------------------------

def fnv_fingerprint(content: str) -> str:
    """Version 0.3's ``source``: FNV-1a 64 over the UTF-16 code units, then ":" and their count."""
    units = content.encode("utf-16-le")
    h = 0xcbf29ce484222325
    for i in range(0, len(units), 2):
        h = ((h ^ int.from_bytes(units[i:i + 2], "little")) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:x}:{len(units) // 2}"


def legacy_storage(inst, source: str, creds: dict) -> None:
    inst.data_dir.mkdir(parents=True, exist_ok=True)
    value = json.dumps({"source": source, "credentials": creds})
    inst.storage_path.write_text(json.dumps({"refreshed_tokens": value}, indent=2), encoding="utf-8")


def test_version_03_clear_entry_is_sealed_and_removed(tark_inst):
    inst = tark_inst
    doc = expired_login(inst)
    content = inst.creds_path.read_text(encoding="utf-8")
    t1 = {"access_token": access_jwt("acct-main"), "refresh_token": opaque("rt"),
          "id_token": access_jwt("acct-main"), "expires_at": int(time.time()) + 5 * DAY}
    register_token(*t1.values())
    legacy_storage(inst, fnv_fingerprint(content), t1)
    host = inst.load()
    assert_credentials(ok_credentials(host), t1["access_token"], "acct-main")
    assert host.http_requests == [], "the migrated tokens are valid: no refresh"
    assert set(inst.storage()) == {"tokens"}, "the clear entry must be removed"
    opened = open_entry(inst.entry(), doc["refresh_token"])
    assert opened["access_token"] == t1["access_token"] and opened["refresh_token"] == t1["refresh_token"]
    assert_no_token_anywhere(inst)
    inst.write_creds(reformatted(doc))              # from now on the lineage counts, not the bytes
    fresh = inst.load()
    assert_credentials(ok_credentials(fresh), t1["access_token"], "acct-main")
    assert fresh.http_requests == []


def test_version_03_entry_of_other_file_content_is_not_used(tark_inst):
    """0.3 recognised its entry by the file's exact content: an entry for other content is not
    taken (the file's tokens are), and the clear copy goes once the file is gone."""
    inst = tark_inst
    doc = inst.valid_creds("acct-main")
    t1 = {"access_token": access_jwt("acct-old"), "refresh_token": opaque("rt"), "expires_at": int(time.time()) + DAY}
    register_token(*t1.values())
    legacy_storage(inst, fnv_fingerprint("{}"), t1)
    assert_credentials(ok_credentials(inst.load()), doc["access_token"], "acct-main")
    inst.remove_creds()
    rc, _ = inst.load().credentials()
    assert rc == NOT_AUTHENTICATED
    assert "refreshed_tokens" not in inst.storage()


def test_logout_revokes_the_live_token_of_a_version_03_entry(tark_inst):
    """The file's refresh token was retired by a 0.3-era refresh; the live one is in the clear
    ``refreshed_tokens`` entry: that one is revoked, and the clear entry deleted."""
    inst = tark_inst
    doc = expired_login(inst)
    content = inst.creds_path.read_text(encoding="utf-8")
    live = {"access_token": access_jwt("acct-main"), "refresh_token": opaque("rt")}
    legacy_storage(inst, fnv_fingerprint(content), live)
    inst.endpoint.default = json_reply(200, {})
    host = inst.load()
    assert host.call_i32("provider_auth_logout") >= 0
    revokes = [json.loads(r["body"]) for r in inst.endpoint.requests if r["url"] == REVOKE_URL]
    assert [r["token"] for r in revokes] == [live["refresh_token"]]
    assert doc["refresh_token"] not in json.dumps(revokes)
    assert "refreshed_tokens" not in inst.storage()


def test_the_encoded_leak_check_finds_what_it_looks_for():
    """The storage check is not vacuous: a 12-char piece of a token in hex, base64 or base64url
    (any byte alignment) is found; unrelated base64 of the same length is not."""
    token = "rt_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    raw = token.encode()
    for text in (raw.hex()[10:40], base64.b64encode(raw[5:]).decode()[:16],
                 base64.urlsafe_b64encode(raw[7:30]).decode()[2:18], token[9:22]):
        assert find_leaks([("t", "xx" + text + "yy")], encodings(token)), text
    assert not find_leaks([("t", base64.urlsafe_b64encode(os.urandom(300)).decode())], encodings(token))
