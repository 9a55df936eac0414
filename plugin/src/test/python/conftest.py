"""Shared fixtures for the integration tests of dist/plugin.wasm in wasmtime.

Every test loads the committed ``dist/`` (a copy of ``plugin.toml`` + ``plugin.wasm`` in a
temporary plugin directory, so storage lands in ``<tmp plugin dir>/data/storage.json``) with
the tark-host emulation in ``plugin/tools/chatgpt_oauth_tools/tark_host.py``, against a temporary HOME.

A "fresh instance" is a new ``TarkHost.load`` on the same plugin dir and HOME: a new engine,
compile and instantiate, which is what tark does on every provider init.

An autouse fixture inspects every host created during a test: no log line (nor anything the
module printed on stdout/stderr) may contain any token the test used, or any 12-character
piece of one.
"""

from __future__ import annotations

import base64
import json
import re
import os
import secrets
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Optional, Union

import pytest

# The tools' package comes from this checkout's plugin/tools (pytest.ini's pythonpath).
from chatgpt_oauth_tools import tark_host
from chatgpt_oauth_tools.tark_host import TarkHost
# The export return codes, from their one Python definition; the tests import them from here.
from chatgpt_oauth_tools.codes import (ANSWER_TOO_LARGE, BAD_INPUT, EXPIRED, INTERNAL_ERROR,  # noqa: F401
                                       INVALID_CREDENTIALS, NOT_ALLOWED, NOT_AUTHENTICATED, REFRESH_FAILED,
                                       REFRESH_REJECTED)
# The project's facts (plugin name, client id, tark's paths), from their one definition.
from chatgpt_oauth_tools.facts import (CLIENT_ID, CODEX_ORIGINATOR, CODEX_VERSION_VARIABLE,  # noqa: F401
                                       CREDENTIALS_PATH_VARIABLE, HOME_DATA_DIRS, IDENTITY_HEADERS,
                                       LOGIN_COMMAND, ORIGINATOR_VARIABLE, PLUGIN_NAME, SESSION_HEADER,
                                       STORAGE_BELOW_DATA_DIR, TARK_CREDENTIALS_FILE, XDG_DATA_HOME,
                                       diagnostics_of, installed_plugin_dir, storage_path)

REPO = Path(__file__).resolve().parents[4]

DIST = REPO / "dist"
# The plugin's pinned binaryen, which its build installs, and its pom, where the build's flags are.
WASM_OPT = REPO / "plugin" / "wasm-opt" / "node_modules" / "binaryen" / "bin" / "wasm-opt"
PLUGIN_POM = REPO / "plugin" / "pom.xml"
TOKEN_URL = "https://auth.openai.com/oauth/token"
ENDPOINT = "https://chatgpt.com/backend-api/codex/responses"
AUTH_CLAIM = "https://api.openai.com/auth"
DAY = 86400

# The plugin's refresh rule, mirrored once for the tests' times (Expiry.refreshMargin in
# plugin/src/main/java/chatgpt/oauth/Expiry.java; JUnit's Fixtures.MARGIN): a token is refreshed
# once less than this is left, 20 % of its lifetime (exp - iat) within 5 minutes and 2 days, 5
# minutes when the lifetime is unknown. test_refresh_margin.py checks it against the plugin.
MIN_REFRESH_MARGIN = 5 * 60
MAX_REFRESH_MARGIN = 2 * DAY
REFRESH_MARGIN_PERCENT = 20


def refresh_margin(lifetime: Optional[int] = None) -> int:
    """Seconds before expiry the plugin refreshes a token of this lifetime (None: unknown)."""
    if lifetime is None:
        return MIN_REFRESH_MARGIN
    return max(MIN_REFRESH_MARGIN, min(MAX_REFRESH_MARGIN, lifetime * REFRESH_MARGIN_PERCENT // 100))


# The margin of the tests' usual token, whose lifetime is unknown (claims() states no iat).
MARGIN = refresh_margin()

LEAK_WINDOW = 12

# --------------------------------------------------------------------------------------------
# Token registry: every token a test makes is remembered, for the log-leak check.
# --------------------------------------------------------------------------------------------

_TOKENS: set = set()


def register_token(*tokens) -> None:
    for t in tokens:
        if isinstance(t, str) and len(t) >= LEAK_WINDOW:
            _TOKENS.add(t)


def b64url(data: Union[bytes, str]) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: Union[dict, bytes, str], header: Optional[dict] = None) -> str:
    """A JWT-shaped token: base64url (no padding) header, payload, random signature.
    ``claims`` may be a dict (JSON, non-ASCII kept as UTF-8) or raw payload bytes/text."""
    if isinstance(claims, dict):
        payload = json.dumps(claims, ensure_ascii=False).encode("utf-8")
    elif isinstance(claims, str):
        payload = claims.encode("utf-8")
    else:
        payload = claims
    hdr = header or {"alg": "RS256", "typ": "JWT", "kid": secrets.token_hex(4)}
    token = ".".join([b64url(json.dumps(hdr)), b64url(payload), b64url(secrets.token_bytes(48))])
    register_token(token)
    return token


def claims(account: Optional[str] = None, exp_in: Optional[int] = 10 * DAY, *,
           where: str = "auth", **extra) -> dict:
    """JWT claims with ``exp`` (now + exp_in seconds; None: no exp) and the account id
    placed ``where``: "auth" (the https://api.openai.com/auth object), "top" (top-level
    chatgpt_account_id) or "org" (organizations[0].id)."""
    c: dict = {"iss": "https://auth.openai.com", "sub": "user-" + secrets.token_hex(4)}
    if exp_in is not None:
        c["exp"] = int(time.time()) + exp_in
    if account is not None:
        if where == "auth":
            c[AUTH_CLAIM] = {"chatgpt_account_id": account, "chatgpt_plan_type": "plus"}
        elif where == "top":
            c["chatgpt_account_id"] = account
        elif where == "org":
            c["organizations"] = [{"id": account, "is_default": True}, {"id": "org-other"}]
        else:
            raise ValueError(where)
    c.update(extra)
    return c


def access_jwt(account: Optional[str] = "acct-default", exp_in: Optional[int] = 10 * DAY, **kw) -> str:
    return make_jwt(claims(account, exp_in, **kw))


def opaque(prefix: str = "rt") -> str:
    """An opaque (non-JWT) token such as a refresh token."""
    token = f"{prefix}_{secrets.token_urlsafe(36)}"
    register_token(token)
    return token


def json_reply(status: int, obj, headers=None) -> dict:
    body = obj if isinstance(obj, str) else json.dumps(obj)
    return {"status": status, "headers": headers or [["content-type", "application/json"]],
            "body": body}


# --------------------------------------------------------------------------------------------
# The fake token endpoint
# --------------------------------------------------------------------------------------------

class TokenEndpoint:
    """A scriptable ``http=`` handler for TarkHost.  Every request is recorded in
    ``requests`` (shared across instances, unlike ``host.http_requests``, and equal to what the
    host records), and the ``User-Agent`` and ``originator`` it came with in ``identities`` (one
    ``{"user_agent", "originator"}`` per request, None where absent).  Replies come from
    ``replies`` (a queue of reply dicts or callables) and then from ``default`` (a reply dict
    or a callable ``(method, url, headers, body) -> reply``); the default issues a fresh set of
    tokens (``rotate``)."""

    def __init__(self):
        self.requests: list = []
        self.identities: list = []
        self.replies: list = []
        self.default: Union[dict, Callable] = self.rotate
        self.issued: list = []
        self.account = "acct-rotated"
        self.access_exp_in = 10 * DAY
        self.expires_in: Optional[int] = 3600 * 24 * 8

    def __call__(self, method, url, headers, body):
        self.requests.append({"method": method, "url": url, "headers": headers, "body": body})
        named = {k.lower(): v for k, v in headers}
        self.identities.append({"user_agent": named.get("user-agent"), "originator": named.get("originator")})
        r = self.replies.pop(0) if self.replies else self.default
        if callable(r):
            r = r(method, url, headers, body)
        return r

    def rotate(self, method=None, url=None, headers=None, body=None, *, with_refresh=True,
               with_id=True) -> dict:
        """A 200 reply with new tokens (recorded in ``issued``)."""
        tokens = {"access_token": access_jwt(self.account, self.access_exp_in)}
        if with_id:
            tokens["id_token"] = make_jwt(claims(self.account, 3600, email="user@example.com"))
        if with_refresh:
            tokens["refresh_token"] = opaque("rt")
        reply = dict(tokens, token_type="Bearer", scope="openid profile email")
        if self.expires_in is not None:
            reply["expires_in"] = self.expires_in
        self.issued.append(tokens)
        return json_reply(200, reply)

    @property
    def last(self) -> dict:
        return self.issued[-1]


# --------------------------------------------------------------------------------------------
# One plugin installation: a plugin dir (copy of dist/) and a HOME
# --------------------------------------------------------------------------------------------

class Install:
    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        # where tark installs it (Linux, no XDG_DATA_HOME): the plugin finds its storage.json there
        self.plugin_dir = installed_plugin_dir(self.home, {}, "linux")
        self.plugin_dir.mkdir(parents=True)
        for name in ("plugin.toml", "plugin.wasm"):
            src = DIST / name
            if not src.exists():
                pytest.fail(f"{src} is missing: run ./build.sh first")
            shutil.copyfile(src, self.plugin_dir / name)
        self.creds_path = self.home / TARK_CREDENTIALS_FILE
        self.codex_path = self.home / ".codex" / "auth.json"
        self.storage_path = storage_path(self.plugin_dir)
        self.data_dir = self.storage_path.parent
        self.endpoint = TokenEndpoint()
        self.env: dict = {}
        self.hosts: list = []

    # ---- instances
    def load(self, **kw) -> TarkHost:
        """A fresh instance: what tark does on every provider init."""
        kw.setdefault("env", dict(self.env))
        kw.setdefault("http", self.endpoint)
        kw.setdefault("stdio", "capture")
        host = TarkHost.load(self.plugin_dir, self.home, **kw)
        self.hosts.append(host)
        return host

    # ---- files
    @staticmethod
    def _write(path: Path, content) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (bytes, bytearray)):
            path.write_bytes(bytes(content))
        else:
            if not isinstance(content, str):
                for key in ("access_token", "refresh_token", "id_token"):
                    register_token(content.get(key))
                content = json.dumps(content, ensure_ascii=False, indent=2)
            path.write_text(content, encoding="utf-8")
        return path

    def write_creds(self, content, path: Optional[Path] = None) -> Path:
        """The tark credentials file (a dict is written as JSON; str/bytes verbatim)."""
        return self._write(Path(path) if path else self.creds_path, content)

    def remove_creds(self) -> None:
        self.creds_path.unlink()

    def allow_reading(self, path) -> None:
        """The plugin's manifest lets tark:fs read ``path`` too (as a user adds a custom credentials path)."""
        toml = self.plugin_dir / "plugin.toml"
        toml.write_text(toml.read_text().replace("fs_read = [", f"fs_read = [\n    {json.dumps(str(path))},", 1))

    def write_codex(self, tokens: dict, last_refresh: str = "2026-01-01T00:00:00Z",
                    api_key=None) -> Path:
        """~/.codex/auth.json as the Codex CLI writes it."""
        for key in ("access_token", "refresh_token", "id_token"):
            register_token(tokens.get(key))
        doc = {"OPENAI_API_KEY": api_key, "tokens": tokens, "last_refresh": last_refresh}
        return self._write(self.codex_path, json.dumps(doc, indent=2))

    def valid_creds(self, account: str = "acct-main", exp_in: int = 10 * DAY, **extra) -> dict:
        """A typical tark credentials file (as auth_process_tokens writes it), written."""
        doc = {"access_token": access_jwt(account, exp_in),
               "refresh_token": opaque("rt"),
               "id_token": make_jwt(claims(account, 3600, email="user@example.com")),
               "expires_at": int(time.time()) + exp_in,
               "account_id": account}
        doc.update(extra)
        doc = {k: v for k, v in doc.items() if v is not None}
        self.write_creds(doc)
        return doc

    # ---- storage
    def storage(self) -> dict:
        if not self.storage_path.exists():
            return {}
        return json.loads(self.storage_path.read_text(encoding="utf-8"))

    def storage_text(self) -> str:
        return self.storage_path.read_text(encoding="utf-8") if self.storage_path.exists() else ""

    def stored_tokens(self, root_refresh_token: Optional[str] = None) -> Optional[dict]:
        """The tokens sealed in storage, opened with the credentials file's refresh token (or the one
        given); None when there is no entry."""
        entry = self.storage().get("tokens")
        if entry is None:
            return None
        if root_refresh_token is None:
            root_refresh_token = json.loads(self.creds_path.read_text(encoding="utf-8"))["refresh_token"]
        return open_sealed(entry, root_refresh_token)


def open_sealed(entry: str, root_refresh_token: str) -> dict:
    """A stored entry (text) opened with the reference implementation below; raises if the entry is
    not of this lineage or does not authenticate."""
    doc = json.loads(entry)
    assert doc["lineage"] == lineage_id(root_refresh_token), "the entry belongs to another login"
    tokens = open_entry(doc, root_refresh_token)
    assert tokens is not None, "the entry does not authenticate"
    return tokens


@pytest.fixture
def inst(tmp_path) -> Install:
    return Install(tmp_path)


# --------------------------------------------------------------------------------------------
# Assertion helpers
# --------------------------------------------------------------------------------------------

def errors(host: TarkHost) -> list:
    return [m for level, m in host.logs if level == "error"]


def diagnostics(host: TarkHost) -> list:
    """The plugin's diagnostics lines so far, oldest first, as dicts; a line without exactly the
    fields facts.Diagnostics reads (the check's) fails."""
    return [asdict(d) for d in diagnostics_of(host.logs, strict=True)]


def last_diagnostics(host: TarkHost) -> dict:
    found = diagnostics(host)
    assert found, host.logs
    return found[-1]


def ok_credentials(host: TarkHost) -> dict:
    """provider_auth_credentials as tark calls and parses it; must succeed."""
    rc, creds = host.credentials()
    assert rc > 0, f"provider_auth_credentials returned {rc}; logs: {host.logs}"
    return creds


def assert_codex_identity(headers: dict, originator: str = CODEX_ORIGINATOR) -> None:
    """The Codex client's headers, shaped as codex-rs's default client sends them: ``originator``,
    ``version`` (digits and dots) and ``User-Agent: {originator}/{version} ({os}; {arch}) {terminal}``,
    whose terminal part names this plugin and its version."""
    assert headers.get("originator") == originator, headers
    version = headers.get("version", "")
    assert re.fullmatch(r"\d+(\.\d+)+", version), headers
    agent = headers.get("User-Agent", "")
    assert re.fullmatch(re.escape(f"{originator}/{version}") + r" \([^;()]+; [^;()]+\) " + re.escape(PLUGIN_NAME)
                        + r"/\d+\.\d+\.\d+", agent), agent
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        headers.get(SESSION_HEADER, "")), headers


def assert_credentials(creds: dict, token: str, account: Optional[str]) -> None:
    assert creds["access_token"] == token
    assert creds["api_mode"] == "openai_compat"
    assert creds["endpoint"] == ENDPOINT
    headers = creds["custom_headers"]
    assert_codex_identity(headers)
    if account is None:
        assert "ChatGPT-Account-Id" not in headers, headers
    else:
        assert headers.get("ChatGPT-Account-Id") == account, headers
    native = tark_host.native_provider_for(creds, "gpt-5.6-sol")
    assert native["kind"] == "openai_compat"
    assert native["headers"]["Authorization"] == "Bearer " + token


def failed(host: TarkHost, rc: int, expected: Optional[int] = None, *needles: str) -> str:
    """Asserts a clean failure: a negative rc (== expected if given) and an error log that
    contains every needle (case-insensitive).  Returns the matching error line."""
    assert rc < 0, f"expected a negative return, got {rc}"
    if expected is not None:
        assert rc == expected, f"expected {expected}, got {rc}; logs: {host.logs}"
    errs = errors(host)
    assert errs, f"no error log for rc {rc}; logs: {host.logs}"
    for line in reversed(errs):
        if all(n.lower() in line.lower() for n in needles):
            return line
    pytest.fail(f"no error log line contains all of {needles}: {errs}")


# --------------------------------------------------------------------------------------------
# Autouse: every host created is checked for leaked tokens
# --------------------------------------------------------------------------------------------

_STEP = LEAK_WINDOW // 2


def find_leaks(texts, tokens) -> list:
    """[where] for each (where, text) holding a LEAK_WINDOW-char piece of any token.  Every
    such piece contains a token slice of _STEP chars starting at a multiple of _STEP, so only
    those slices are indexed, and each hit is then checked in full."""
    index: dict = {}
    for t in tokens:
        for o in range(0, len(t) - _STEP + 1, _STEP):
            index.setdefault(t[o:o + _STEP], []).append((t, o))
    leaks = []
    for where, text in texts:
        found = False
        for p in range(len(text) - _STEP + 1):
            for t, o in index.get(text[p:p + _STEP], ()):
                for s in range(_STEP):
                    if (p - s >= 0 and o - s >= 0 and o - s + LEAK_WINDOW <= len(t)
                            and text[p - s:p - s + LEAK_WINDOW] == t[o - s:o - s + LEAK_WINDOW]):
                        leaks.append(f"{where}: ...{text[max(0, p - s - 30):p - s]}<TOKEN PIECE>")
                        found = True
                        break
                if found:
                    break
            if found:
                break
    return leaks


def encodings(token: str) -> list:
    """The token, its UTF-8 in hex (both cases), and base64 / base64url of it from each of the
    three byte alignments (so any 12-char piece of an encoding of any part of it is found)."""
    raw = token.encode("utf-8")
    out = [token, raw.hex(), raw.hex().upper()]
    for shift in range(3):
        std = base64.b64encode(raw[shift:]).decode().rstrip("=")
        out += [std, std.replace("+", "-").replace("/", "_")]
    return [x for x in out if len(x) >= 12]


@pytest.fixture(autouse=True)
def no_token_in_logs(monkeypatch):
    _TOKENS.clear()
    hosts: list = []
    original = TarkHost.load.__func__

    def load(cls, *args, **kwargs):
        host = original(cls, *args, **kwargs)
        hosts.append(host)
        return host

    monkeypatch.setattr(TarkHost, "load", classmethod(load))
    yield hosts
    texts = []
    for n, host in enumerate(hosts):
        texts += [(f"host {n} {level} log", msg) for level, msg in host.logs]
        texts.append((f"host {n} stdout", host.stdout.decode("utf-8", "replace")))
        texts.append((f"host {n} stderr", host.stderr.decode("utf-8", "replace")))
    leaks = find_leaks(texts, set(_TOKENS))
    _TOKENS.clear()
    assert not leaks, "a token (or a 12+-char piece of one) was logged:\n" + "\n".join(leaks[:10])


# --------------------------------------------------------------------------------------------
# The plugin installed where tark installs it, so that several instances share one data dir and
# the plugin can read its own storage.json through tark:fs (issue 8)
# --------------------------------------------------------------------------------------------

# What the plugin reads storage.json through: its data dir below ~/.local/share ($XDG_DATA_HOME
# when set) or ~/Library/Application Support, tark's dirs::data_local_dir() on Linux / macOS.
STORAGE_FS_READ = [f"~/{HOME_DATA_DIRS['linux']}/{STORAGE_BELOW_DATA_DIR}",
                   f"~/{HOME_DATA_DIRS['macos']}/{STORAGE_BELOW_DATA_DIR}",
                   f"/**/{STORAGE_BELOW_DATA_DIR}"]
STORAGE_ENV = [XDG_DATA_HOME]


def add_storage_capabilities(manifest: Path) -> list:
    """Adds STORAGE_FS_READ to ``fs_read`` and STORAGE_ENV to ``env`` in an installed plugin.toml
    where they are missing; returns what was added (empty once dist/plugin.toml lists them)."""
    import re
    import tomllib
    text = manifest.read_text(encoding="utf-8")
    caps = tomllib.loads(text).get("capabilities", {})
    added = []
    for key, wanted in (("fs_read", STORAGE_FS_READ), ("env", STORAGE_ENV)):
        have = list(caps.get(key, []))
        missing = [x for x in wanted if x not in have]
        if not missing:
            continue
        listed = json.dumps(have + missing)
        text, n = re.subn(rf"(?ms)^{key}\s*=\s*\[.*?\]", lambda m: f"{key} = {listed}", text, count=1)
        assert n == 1, f"no {key} list in {manifest}"
        added += [f"{key} += {x}" for x in missing]
    manifest.write_text(text, encoding="utf-8")
    caps = tomllib.loads(text)["capabilities"]
    assert set(STORAGE_FS_READ) <= set(caps["fs_read"]) and set(STORAGE_ENV) <= set(caps["env"])
    return added


class TarkLayout(Install):
    """An Install whose plugin dir is where tark puts it: ``<data>/tark/plugins/chatgpt-oauth``
    with ``<data>`` = ``<home>/.local/share`` (Linux), ``<home>/Library/Application Support``
    (macOS) or ``$XDG_DATA_HOME`` (``layout="xdg"``, set in ``env``); storage in ``<that>/data``.
    Every ``load()`` is a new instance (tark's provider init) on that one data dir."""

    def __init__(self, root: Path, layout: str = "linux"):
        super().__init__(root)
        if layout == "xdg":
            self.env[XDG_DATA_HOME] = str(root / "xdg-data")
        installed = installed_plugin_dir(self.home, self.env, "linux" if layout == "xdg" else layout)
        if installed != self.plugin_dir:            # Install already uses the Linux place
            installed.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(self.plugin_dir), str(installed))
        self.plugin_dir = installed
        self.storage_path = storage_path(installed)
        self.data_dir = self.storage_path.parent
        self.manifest_added = add_storage_capabilities(installed / "plugin.toml")

    def entry(self) -> Optional[dict]:
        """The plugin's stored entry (``tokens``) as JSON, or None."""
        value = self.storage().get("tokens")
        return None if value is None else json.loads(value)


@pytest.fixture
def tark_inst(tmp_path) -> TarkLayout:
    return TarkLayout(tmp_path)


@pytest.fixture(params=["linux", "xdg", "macos"])
def any_layout(tmp_path, request) -> TarkLayout:
    return TarkLayout(tmp_path, request.param)


# --------------------------------------------------------------------------------------------
# The stored entry, by a reference implementation (the `cryptography` package): lineage id and
# keys are HKDF-SHA256 of the credentials file's refresh token; tokens sealed with
# ChaCha20-Poly1305, nonce | ciphertext | tag in base64url, the lineage id as associated data.
# --------------------------------------------------------------------------------------------

VAULT_SALT = b"chatgpt-oauth stored tokens v1"


def _hkdf(root: str, info: str, size: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    return HKDF(hashes.SHA256(), size, VAULT_SALT, info.encode()).derive(root.encode("utf-8"))


def lineage_id(root_refresh_token: str) -> str:
    return _hkdf(root_refresh_token, "lineage id", 16).hex()


def refusal_mark(refresh_token: str) -> str:
    """The one-way mark storage keeps for a refresh token ChatGPT refused."""
    return _hkdf(refresh_token, "refused refresh token", 16).hex()


def path_fingerprint(credentials_path: str) -> str:
    """The one-way fingerprint storage keeps for the credentials path an entry came from."""
    return _hkdf(credentials_path, "credentials path", 16).hex()


def open_entry(entry: dict, root_refresh_token: str):
    """The tokens sealed in a stored entry, opened with the keys of this root; None if they do
    not open (another root, an altered entry)."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    sealed = entry.get("sealed", "")
    raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    aead = ChaCha20Poly1305(_hkdf(root_refresh_token, "seal key", 32))
    try:
        return json.loads(aead.decrypt(raw[:12], raw[12:], lineage_id(root_refresh_token).encode()))
    except Exception:
        return None


def seal_entry(root_refresh_token: str, plaintext: str) -> str:
    """A stored entry (the ``tokens`` value) sealing ``plaintext`` under this root, as another
    tark session of the plugin would have saved it."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    lid = lineage_id(root_refresh_token)
    nonce = secrets.token_bytes(12)
    sealed = nonce + ChaCha20Poly1305(_hkdf(root_refresh_token, "seal key", 32)).encrypt(
        nonce, plaintext.encode("utf-8"), lid.encode())
    return json.dumps({"lineage": lid, "sealed": base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()},
                      separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Test-only modules (the build's probes, the crypto probe) optimised as dist/plugin.wasm is
# --------------------------------------------------------------------------------------------

def wasm_opt_flags() -> list:
    """The optimisation flags of the plugin's wasm-opt execution (its pom is the one source)."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    for execution in ET.parse(PLUGIN_POM).getroot().iterfind(".//m:execution", ns):
        if execution.findtext("m:id", namespaces=ns) == "wasm-opt":
            arguments = [a.text for a in execution.iterfind(".//m:argument", ns)]
            return [a for a in arguments if a.startswith("-") and a != "-o"]
    raise AssertionError(f"no wasm-opt execution in {PLUGIN_POM}")


def optimised_as_the_plugin(built: Path, out: Path) -> Path:
    """``built`` through wasm-opt with the plugin's flags, into ``out``; skips the test when the
    plugin's wasm-opt is not installed (its package phase installs it)."""
    if not WASM_OPT.exists() or shutil.which("node") is None:
        pytest.skip(f"{WASM_OPT} is not installed (the plugin's package phase installs it)")
    subprocess.run(["node", str(WASM_OPT), *wasm_opt_flags(), str(built), "-o", str(out)], check=True)
    return out
