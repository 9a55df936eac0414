"""Emulation of tark's wasm plugin host, for tests, benchmarks and checks.

tark (https://github.com/thoughtoinnovate/tark, v0.12.6, commit ddb0b6b6) loads a provider
plugin with wasmtime 27 (``src/plugins/host/mod.rs``).  This module does the same with the
Python ``wasmtime`` package:

* one fresh ``Config`` / ``Engine`` / ``Store`` / ``Linker`` per load, epoch interruption on,
  the wasm proposals set to wasmtime 27's defaults (see :func:`tark_config`);
* WASI preview1 with no args, no env, no preopened dirs, stdout/stderr inherited (or captured);
* the ``tark:*`` host functions with tark's signatures, return codes, capability checks,
  unbounded writes at ``ret_ptr`` and ``<data_dir>/storage.json`` persistence;
* instantiation only: ``_start`` / ``_initialize`` are never called;
* calls made the way tark makes them (which ``alloc`` calls, in which order, buffer sizes).

HTTP never reaches the network: pass ``http=handler`` where
``handler(method, url, headers, body) -> {"status": int, "headers": [[k, v], ...], "body": str}``
or ``{"error": "..."}``; ``headers`` is the list of ``[name, value]`` pairs tark would send,
``body`` is the POST body (``None`` for GET).  Every request is recorded in
``host.http_requests``; every ``tark:log`` call in ``host.logs`` as ``(level, message)``.

Errors are reported the way tark would see them:

* a plugin trap / epoch interrupt raises ``wasmtime.Trap`` (or ``WasmtimeError``) unchanged;
* :class:`TarkError` is what tark turns into an ``anyhow`` error (missing export, bad JSON,
  negative code where tark bails, ...);
* :class:`HostPanic` is where tark's Rust code would panic (a slice index out of range, e.g.
  a returned length that runs past the end of memory).  tark catches those only inside
  ``provider_auth_credentials`` / ``auth_process_tokens`` (``safe_call``).

Timeouts: tark sets an epoch deadline of 30 000 ticks (at load and before each ``safe_call``)
but nothing in tark ever increments the epoch, so in tark a runaway loop hangs forever.  Here
``call_timeout`` (seconds, default 30) arms a watchdog that advances the epoch past the
deadline so such a call traps instead; ``call_timeout=None`` reproduces tark exactly.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import tomllib
from pathlib import Path
from typing import Any, Callable, Optional

import wasmtime

__all__ = [
    "TarkHost", "TarkError", "HostPanic", "ManifestError", "CredentialsError",
    "tark_config", "compile_module", "measure_cold_init", "load_manifest", "Capabilities",
    "parse_auth_credentials", "native_provider_for", "tokens_json",
    "EPOCH_DEADLINE", "RET_BUF_SIZE",
]

TARK_VERSION = "0.12.6"
TARK_COMMIT = "ddb0b6b628ad56f516b3921f1acfb892cd081b97"

EPOCH_DEADLINE = 30_000          # DEFAULT_EPOCH_DEADLINE in src/plugins/host/mod.rs
RET_BUF_SIZE = 8192              # call_string_return_fn / auth_process_tokens output buffer
CHAT_BUF_SIZE = 65536            # provider_chat output buffer (alloc(65536))
LEGACY_BUF = {"get_token": 4096, "get_endpoint": 1024, "display_name": 256}
MAX_WASM_STACK = 512 * 1024      # wasmtime 27 default

_U64 = 1 << 64
_I32 = "i32"
_I64 = "i64"


class TarkError(Exception):
    """What tark reports as an error (anyhow::Error) for this operation."""


class HostPanic(TarkError):
    """Where tark's Rust code would panic (e.g. slicing memory out of range)."""


class ManifestError(TarkError):
    """plugin.toml that tark's PluginManifest::load would reject."""


class CredentialsError(TarkError):
    """provider_auth_credentials output that serde would not parse into AuthCredentials."""


# --------------------------------------------------------------------------------------------
# Engine configuration
# --------------------------------------------------------------------------------------------

def tark_config(epoch_interruption: bool = True) -> wasmtime.Config:
    """A fresh Config matching tark's: ``Config::new()`` + ``epoch_interruption(true)`` on
    wasmtime 27 with the crate's default features.

    wasmtime 27 enables WASM2 (mutable globals, sign extension, non-trapping float-to-int,
    multi-value, bulk memory, reference types, SIMD) + multi-memory, relaxed SIMD, tail calls,
    extended-const, threads (crate feature "threads"; shared memories can be created).
    Off or absent in 27: exceptions, GC, function references, memory64, custom page sizes,
    wide arithmetic, stack switching.  Each is set explicitly here because newer wasmtime
    turns several of them on by default.
    """
    c = wasmtime.Config()
    c.epoch_interruption = epoch_interruption
    on = ("wasm_bulk_memory", "wasm_multi_value", "wasm_reference_types", "wasm_simd",
          "wasm_relaxed_simd", "wasm_multi_memory", "wasm_tail_call", "wasm_threads",
          "shared_memory")
    off = ("wasm_exceptions", "wasm_gc", "wasm_function_references", "wasm_memory64",
           "wasm_custom_page_sizes", "wasm_wide_arithmetic", "wasm_stack_switching",
           "wasm_relaxed_simd_deterministic")
    known = set(dir(type(c)))    # setter-only properties: hasattr() would say False
    for name in on:
        if name in known:
            setattr(c, name, True)
    for name in off:
        if name in known:
            setattr(c, name, False)
    if "max_wasm_stack" in known:
        c.max_wasm_stack = MAX_WASM_STACK
    return c


def compile_module(wasm: bytes, config: Optional[wasmtime.Config] = None):
    """Fresh Engine (from ``config`` or :func:`tark_config`) + compiled Module: tark's
    ``PluginHost::new()`` + ``Module::new``.  Returns ``(engine, module)``."""
    engine = wasmtime.Engine(config if config is not None else tark_config())
    return engine, wasmtime.Module(engine, wasm)


# --------------------------------------------------------------------------------------------
# Manifest and capabilities (src/plugins/manifest/mod.rs, PluginState in host/mod.rs)
# --------------------------------------------------------------------------------------------

_PLUGIN_TYPES = ("auth", "tool", "provider", "channel", "hook")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")


def _expect(cond: bool, msg: str) -> None:
    if not cond:
        raise ManifestError(msg)


def load_manifest(path) -> dict:
    """Parse and validate ``plugin.toml`` like ``PluginManifest::load`` (serde defaults filled
    in; unknown keys ignored).  Returns the TOML as a dict with ``plugin.wasm``,
    ``plugin.api_version`` and every ``capabilities`` key present."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ManifestError(f"Failed to parse manifest: {path}: {e}") from e
    p = doc.get("plugin")
    _expect(isinstance(p, dict), "missing [plugin] table")
    for key in ("name", "version", "type"):
        _expect(isinstance(p.get(key), str), f"[plugin] {key} must be a string")
    for key in ("description", "author", "homepage", "license", "api_version", "wasm",
                "min_tark_version"):
        _expect(key not in p or isinstance(p[key], str), f"[plugin] {key} must be a string")
    _expect(p["type"] in _PLUGIN_TYPES, f"unknown plugin type {p['type']!r}")
    p.setdefault("api_version", "0.1")
    p.setdefault("wasm", "plugin.wasm")
    _expect(p["name"] != "", "Plugin name is required")
    _expect(p["version"] != "", "Plugin version is required")
    _expect(bool(_SEMVER.match(p["version"])),
            f"Plugin version must be valid semver: {p['version']}")
    _expect(all(c.isalnum() or c in "-_" for c in p["name"]),
            "Plugin name must be alphanumeric with hyphens/underscores")
    caps = doc.setdefault("capabilities", {})
    _expect(isinstance(caps, dict), "[capabilities] must be a table")
    for key in ("storage", "shell"):
        caps.setdefault(key, False)
        _expect(isinstance(caps[key], bool), f"capabilities.{key} must be a boolean")
    for key in ("http", "env", "filesystem", "fs_read"):
        caps.setdefault(key, [])
        _expect(isinstance(caps[key], list) and all(isinstance(x, str) for x in caps[key]),
                f"capabilities.{key} must be a list of strings")
    return doc


def _path_components(p: str) -> tuple:
    """Rust ``Path::components`` on Unix: '//' and non-leading '.' vanish, trailing '/' too."""
    root = p.startswith("/")
    parts = [s for s in p.split("/") if s != ""]
    out = []
    for i, s in enumerate(parts):
        if s == "." and (root or i > 0 or out):
            continue
        out.append(s)
    return (("/",) if root else ()) + tuple(out)


def _canonicalize(p: str) -> Optional[str]:
    """``std::fs::canonicalize``: absolute, symlinks resolved, must exist."""
    try:
        return os.path.realpath(p, strict=True)
    except (OSError, ValueError):
        return None


class Capabilities:
    """The host-side capability checks tark applies (PluginState / PluginCapabilities)."""

    def __init__(self, caps: dict, home: str):
        self.http = list(caps.get("http", []))
        self.env = list(caps.get("env", []))
        self.fs_read = list(caps.get("fs_read", []))
        self.storage = bool(caps.get("storage", False))  # declared, never enforced by tark
        self.home = str(home)

    def expand_home(self, path: str) -> str:
        if path.startswith("~/"):
            return os.path.join(self.home, path[2:])
        if path == "~":
            return self.home
        return path

    def is_env_allowed(self, name: str) -> bool:
        # PluginState::is_env_allowed: exact name or "*" (no prefix wildcards in the host).
        return any(v == name or v == "*" for v in self.env)

    def is_http_allowed(self, url: str) -> bool:
        # PluginState::is_http_allowed: url::Url host equal to an entry or ending ".entry".
        if not self.http:
            return False
        host = _url_host(url)
        if host is None:
            return False
        return any(host == a or host.endswith("." + a) for a in self.http)

    def is_fs_read_allowed(self, path: str) -> bool:
        # PluginCapabilities::is_fs_read_allowed
        if not self.fs_read:
            return False
        expanded = self.expand_home(path)
        canon = _canonicalize(expanded)
        requested = canon if canon is not None else expanded
        req_c = _path_components(requested)
        for allowed in self.fs_read:
            exp_allowed = self.expand_home(allowed)
            if "*" in allowed:
                if _glob_match(exp_allowed, requested):
                    return True
                continue
            ca = _canonicalize(exp_allowed)
            al_c = _path_components(ca if ca is not None else exp_allowed)
            if req_c == al_c or req_c[:len(al_c)] == al_c:
                return True
        return False


def _glob_match(pattern: str, path: str) -> bool:
    # glob_match_path: only '.' is escaped, '**' -> '.*', '*' -> '[^/]*', anchored.
    rx = (pattern.replace(".", r"\.").replace("**", "\x00DS\x00")
          .replace("*", "[^/]*").replace("\x00DS\x00", ".*"))
    try:
        return re.search("^" + rx + r"\Z", path) is not None
    except re.error:
        return False


_SPECIAL = {"http", "https", "ws", "wss", "ftp", "file"}


def _url_host(url: str) -> Optional[str]:
    """``url::Url::parse(url).host_str()`` for the URLs a plugin sends (WHATWG-ish)."""
    s = url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12"
                  "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    s = s.replace("\t", "").replace("\n", "").replace("\r", "")
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", s, re.S)
    if not m:
        return None
    scheme, rest = m.group(1).lower(), m.group(2)
    special = scheme in _SPECIAL
    if special:
        rest = rest.replace("\\", "/")
        rest = rest.lstrip("/")
    else:
        if not rest.startswith("//"):
            return None
        rest = rest[2:]
    end = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if i != -1:
            end = min(end, i)
    auth = rest[:end]
    if "@" in auth:
        auth = auth.rsplit("@", 1)[1]
    if auth.startswith("["):
        j = auth.find("]")
        return auth[: j + 1].lower() if j != -1 else None
    host = auth.split(":", 1)[0]
    if special:
        if host == "":
            return None if scheme != "file" else None
        host = host.lower()
        if any(ord(c) > 127 for c in host):
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
        if any(c in host for c in " #%/:<>?@[\\]^|"):
            return None
    return host if host != "" else None


# --------------------------------------------------------------------------------------------
# JSON as tark writes / parses it
# --------------------------------------------------------------------------------------------

def _serde_compact(obj) -> str:
    """serde_json::to_string of a serde_json::Value (BTreeMap: keys sorted)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _serde_pretty(obj) -> str:
    """serde_json::to_string_pretty (2-space indent, no trailing newline). tark's storage is a
    HashMap, so real tark writes its keys in no fixed order; sorted is one of those orders, and
    nothing may depend on it."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True)


def tokens_json(access_token: str, refresh_token=None, id_token=None, expires_in=None,
                token_type=None, scope=None) -> str:
    """The string tark passes to ``auth_process_tokens``: ``serde_json::to_string`` of
    ``auth::oauth::TokenResponse`` - compact, this field order, ``null`` for absent fields;
    any other field of the token endpoint's reply is dropped."""
    return json.dumps({"access_token": access_token, "refresh_token": refresh_token,
                       "id_token": id_token, "expires_in": expires_in,
                       "token_type": token_type, "scope": scope},
                      ensure_ascii=False, separators=(",", ":"))


def _no_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def _strict_json(text: str):
    """json.loads restricted to what serde_json accepts (no NaN/Infinity, no lone
    surrogates); duplicate keys are kept as a list of pairs for the caller to judge."""
    def hook(pairs):
        return _Pairs(pairs)
    val = json.loads(text, parse_constant=_no_constant, object_pairs_hook=hook)
    _check_surrogates(val)
    return val


class _Pairs(list):
    pass


def _check_surrogates(v):
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise ValueError("lone surrogate in string")
    elif isinstance(v, _Pairs):
        for k, x in v:
            _check_surrogates(k)
            _check_surrogates(x)
    elif isinstance(v, list):
        for x in v:
            _check_surrogates(x)


_CRED_FIELDS = ("access_token", "project_id", "api_mode", "endpoint", "custom_headers")


def parse_auth_credentials(text: str) -> dict:
    """Parse like ``serde_json::from_str::<AuthCredentials>``: ``access_token`` string
    (required), ``project_id`` / ``endpoint`` string or null, ``api_mode`` string (default
    ``"cloud_code_assist"``; null is an error), ``custom_headers`` null or object of
    string -> string; unknown fields ignored; a duplicate known field is an error.
    Raises :class:`CredentialsError`."""
    try:
        val = _strict_json(text)
    except ValueError as e:
        raise CredentialsError(f"Failed to parse auth credentials JSON: {e}") from e
    fields: dict = {}
    if isinstance(val, _Pairs):
        for k, x in val:
            if k in _CRED_FIELDS:
                if k in fields:
                    raise CredentialsError(f"duplicate field `{k}`")
                fields[k] = x
    elif isinstance(val, list):  # serde also accepts a struct as a sequence
        if len(val) < 1:
            raise CredentialsError("invalid length 0, expected struct AuthCredentials")
        if len(val) > len(_CRED_FIELDS):
            raise CredentialsError(f"invalid length {len(val)}, expected fewer elements")
        fields = dict(zip(_CRED_FIELDS, val))
    else:
        raise CredentialsError("invalid type, expected struct AuthCredentials")

    def opt_str(k):
        x = fields.get(k)
        if x is not None and not isinstance(x, str):
            raise CredentialsError(f"invalid type for `{k}`, expected a string")
        return x

    if "access_token" not in fields:
        raise CredentialsError("missing field `access_token`")
    if not isinstance(fields["access_token"], str):
        raise CredentialsError("invalid type for `access_token`, expected a string")
    api_mode = fields.get("api_mode", "cloud_code_assist")
    if not isinstance(api_mode, str):
        raise CredentialsError("invalid type for `api_mode`, expected a string")
    headers = fields.get("custom_headers")
    if headers is not None:
        if not isinstance(headers, _Pairs):
            raise CredentialsError("invalid type for `custom_headers`, expected a map")
        hd = {}
        for k, x in headers:
            if not isinstance(x, str):
                raise CredentialsError("invalid type in `custom_headers`, expected a string")
            hd[k] = x  # HashMap insert: a repeated key keeps the last value
        headers = hd
    return {"access_token": fields["access_token"], "project_id": opt_str("project_id"),
            "api_mode": api_mode, "endpoint": opt_str("endpoint"), "custom_headers": headers}


def _plain(v):
    """_strict_json output -> plain dicts/lists (a repeated key keeps the last value)."""
    if isinstance(v, _Pairs):
        return {k: _plain(x) for k, x in v}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _opt_type(d: dict, key: str, typ) -> bool:
    """serde ``#[serde(default)]`` field: absent, or present with this type (null is not)."""
    return key not in d or type(d[key]) is typ


def native_provider_for(creds: dict, model: Optional[str] = None) -> dict:
    """What ``try_create_native_provider_from_auth_plugin`` builds from parsed credentials.
    Returns ``{"kind": "openai_compat", "endpoint", "model", "headers"}``,
    ``{"kind": "gemini_cloud_code_assist", ...}`` or ``{"kind": None, "reason": ...}`` (tark
    then falls back to the full-provider adapter: a new load + provider_info/provider_models).
    """
    mode = creds["api_mode"]
    if mode == "openai_compat":
        if creds.get("endpoint") is None:
            return {"kind": None, "reason": "openai_compat mode requires endpoint"}
        headers = {"Authorization": f"Bearer {creds['access_token']}"}
        headers.update(creds.get("custom_headers") or {})
        return {"kind": "openai_compat", "endpoint": creds["endpoint"],
                "model": model or "gpt-4", "headers": headers}
    if mode == "cloud_code_assist":
        if creds.get("project_id") is None:
            return {"kind": None, "reason": "Cloud Code Assist mode requires project_id"}
        return {"kind": "gemini_cloud_code_assist", "project_id": creds["project_id"],
                "model": model or "gemini-2.0-flash"}
    if mode == "standard":
        return {"kind": None, "reason": "Standard API mode not supported for auth-only plugins"}
    return {"kind": None, "reason": f"Unknown API mode from auth plugin: {mode}"}


# --------------------------------------------------------------------------------------------
# HTTP reply documents (http_get_impl / http_post_impl)
# --------------------------------------------------------------------------------------------

_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _parse_headers(headers_json: str) -> list:
    """``serde_json::from_str::<Vec<(String, String)>>(..).unwrap_or_default()``."""
    try:
        v = _strict_json(headers_json)
    except ValueError:
        return []
    if not isinstance(v, list) or isinstance(v, _Pairs):
        return []
    out = []
    for item in v:
        if (not isinstance(item, list) or isinstance(item, _Pairs) or len(item) != 2
                or not all(isinstance(x, str) for x in item)):
            return []
        out.append([item[0], item[1]])
    return out


def _valid_header(name: str, value: str) -> bool:
    if not name or any(c not in _TOKEN_CHARS for c in name):
        return False
    # HeaderValue::from_str: any byte but controls (tab allowed) and DEL
    return all(c == "\t" or (ord(c) >= 0x20 and ord(c) != 0x7F) for c in value)


def _header_value_str(v: str) -> str:
    # HeaderValue::to_str(): visible ASCII (and space/tab) only, else unwrap_or_default()
    return v if all(c == "\t" or 0x20 <= ord(c) < 0x7F for c in v) else ""


# --------------------------------------------------------------------------------------------
# The host
# --------------------------------------------------------------------------------------------

class TarkHost:
    """One loaded plugin instance, as tark's ``PluginHost::load`` produces it.

    Attributes: ``id`` (manifest name), ``manifest`` (dict), ``caps`` (:class:`Capabilities`),
    ``engine``, ``module``, ``store``, ``instance``, ``storage`` (the in-memory map),
    ``logs`` [(level, message)], ``http_requests`` [{"method","url","headers","body"}],
    ``stdout`` / ``stderr`` (bytearrays, when ``stdio="capture"``), ``timings`` (seconds for
    read / engine / compile / instantiate).
    """

    def __init__(self):
        raise TypeError("use TarkHost.load(...)")

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, plugin_dir, home, env: Optional[dict] = None, data_dir=None,
             http: Optional[Callable] = None, echo_logs: bool = False,
             wasm_name: Optional[str] = None, stdio: str = "inherit",
             call_timeout: Optional[float] = 30.0,
             config: Optional[wasmtime.Config] = None) -> "TarkHost":
        """Read ``plugin_dir/plugin.toml`` and the wasm it names (``wasm_name`` overrides,
        default the manifest's ``plugin.wasm`` = ``plugin.wasm``), compile with a fresh engine,
        link WASI + ``tark:*``, instantiate (start section only).

        ``home``: the HOME that ``~`` expands to (tark uses ``dirs::home_dir()`` = $HOME).
        ``env``: the process environment ``tark:env.get`` sees; ``HOME`` defaults to ``home``.
        ``data_dir``: where storage.json lives (tark: ``<plugin dir>/data``, the default).
        ``http``: the request handler (see module doc); ``None`` -> transport error replies.
        ``stdio``: ``"inherit"`` (tark) or ``"capture"`` (into ``.stdout`` / ``.stderr``).
        ``call_timeout``: watchdog seconds per export call (``None`` = tark: never interrupt).
        """
        self = object.__new__(cls)
        self.timings = {}
        t0 = time.perf_counter()
        self.plugin_dir = Path(plugin_dir)
        self.manifest = load_manifest(self.plugin_dir / "plugin.toml")
        self.id = self.manifest["plugin"]["name"]
        self.home = str(home)
        self.env = dict(env) if env is not None else {}
        self.env.setdefault("HOME", self.home)
        self.caps = Capabilities(self.manifest["capabilities"], self.home)
        self.data_dir = Path(data_dir) if data_dir is not None else self.plugin_dir / "data"
        self.http_handler = http
        self.echo_logs = echo_logs
        self.call_timeout = call_timeout
        self.logs: list = []
        self.http_requests: list = []
        self.stdout = bytearray()
        self.stderr = bytearray()
        wasm_path = self.plugin_dir / (wasm_name or self.manifest["plugin"]["wasm"])
        if not wasm_path.exists():
            raise TarkError(f"WASM module not found: {wasm_path} (declared in manifest)")
        self.wasm_path = wasm_path
        wasm = wasm_path.read_bytes()
        t1 = time.perf_counter()
        self.timings["read"] = t1 - t0

        self.engine = wasmtime.Engine(config if config is not None else tark_config())
        t2 = time.perf_counter()
        self.timings["engine"] = t2 - t1
        self.module = wasmtime.Module(self.engine, wasm)
        t3 = time.perf_counter()
        self.timings["compile"] = t3 - t2

        self.storage = self._load_storage()
        self.store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        if stdio == "capture":
            wasi.stdout_custom = self._sink(self.stdout)
            wasi.stderr_custom = self._sink(self.stderr)
        elif stdio == "inherit":
            wasi.inherit_stdout()
            wasi.inherit_stderr()
        else:
            raise ValueError("stdio must be 'inherit' or 'capture'")
        self.store.set_wasi(wasi)
        self.store.set_epoch_deadline(EPOCH_DEADLINE)
        linker = wasmtime.Linker(self.engine)
        linker.define_wasi()
        self._define_host_functions(linker)
        self.instance = self._guarded(lambda: linker.instantiate(self.store, self.module))
        self.timings["instantiate"] = time.perf_counter() - t3
        self.timings["load_total"] = time.perf_counter() - t0
        return self

    @staticmethod
    def _sink(buf: bytearray):
        def write(data):
            buf.extend(data if isinstance(data, (bytes, bytearray)) else bytes(data))
            return len(data)
        return write

    # ---------------------------------------------------------------- storage
    def _storage_file(self) -> Path:
        return self.data_dir / "storage.json"

    def _load_storage(self) -> dict:
        """PluginState::load_storage: HashMap<String, String>; any failure -> empty map."""
        f = self._storage_file()
        try:
            if not f.exists():
                return {}
            val = _strict_json(f.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(val, _Pairs) or not all(isinstance(v, str) for _, v in val):
            return {}
        return {k: v for k, v in val}

    def _save_storage(self) -> bool:
        """PluginState::save_storage: create_dir_all + to_string_pretty + write."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._storage_file().write_text(_serde_pretty(self.storage), encoding="utf-8")
            return True
        except OSError:
            return False

    # ---------------------------------------------------------------- memory helpers
    @staticmethod
    def _mem(caller):
        m = caller.get("memory")
        return m if isinstance(m, wasmtime.Memory) else None

    def _read_string(self, caller, ptr: int, length: int) -> Optional[str]:
        """host read_string: None where tark's returns Err; HostPanic where it panics."""
        m = self._mem(caller)
        if m is None:
            return None
        size = m.data_len(caller)
        start = ptr % _U64
        end = (start + length % _U64) % _U64
        if end > size:
            return None
        if start > end:
            raise HostPanic(f"slice index starts at {start} but ends at {end}")
        raw = bytes(m.read(caller, start, end)) if end > start else b""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _write_string(self, caller, ptr: int, s: str) -> Optional[int]:
        """host write_string: the whole value at ptr; None (Err) past the end of memory."""
        m = self._mem(caller)
        if m is None:
            return None
        data = s.encode("utf-8")
        size = m.data_len(caller)
        start = ptr % _U64
        end = (start + len(data)) % _U64
        if end > size:
            return None
        if start > end:
            raise HostPanic(f"slice index starts at {start} but ends at {end}")
        if data:
            m.write(caller, data, start)
        return len(data)

    def _log(self, level: str, msg: str) -> None:
        self.logs.append((level, msg))
        if self.echo_logs:
            print(f"{level.upper():5} [plugin:{self.id}] {msg}", file=sys.stderr)

    # ---------------------------------------------------------------- tark:* imports
    def _define_host_functions(self, linker: wasmtime.Linker) -> None:
        i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()

        def define(module, name, params, results, fn):
            linker.define_func(module, name, wasmtime.FuncType(params, results), fn,
                               access_caller=True)

        # tark:storage -------------------------------------------------------
        def storage_get(caller, key_ptr, key_len, ret_ptr):
            key = self._read_string(caller, key_ptr, key_len)
            if key is None:
                return -1
            n = self._write_string(caller, ret_ptr, self.storage.get(key, ""))
            return -1 if n is None else n

        def storage_set(caller, key_ptr, key_len, val_ptr, val_len):
            key = self._read_string(caller, key_ptr, key_len)
            if key is None:
                return -1
            val = self._read_string(caller, val_ptr, val_len)
            if val is None:
                return -1
            self.storage[key] = val          # kept in memory even if the save fails
            return 0 if self._save_storage() else -1

        def storage_delete(caller, key_ptr, key_len):
            key = self._read_string(caller, key_ptr, key_len)
            if key is None:
                return -1
            self.storage.pop(key, None)
            return 0 if self._save_storage() else -1

        define("tark:storage", "get", [i32, i32, i32], [i32], storage_get)
        define("tark:storage", "set", [i32, i32, i32, i32], [i32], storage_set)
        define("tark:storage", "delete", [i32, i32], [i32], storage_delete)

        # tark:http ----------------------------------------------------------
        def http_request(caller, method, url_ptr, url_len, body, h_ptr, h_len, ret_ptr):
            url = self._read_string(caller, url_ptr, url_len)
            if url is None:
                return -1
            headers = self._read_string(caller, h_ptr, h_len)
            if headers is None:
                return -1
            if not self.caps.is_http_allowed(url):
                return -2
            n = self._write_string(caller, ret_ptr, self._http(method, url, headers, body))
            return -1 if n is None else n

        def http_get(caller, url_ptr, url_len, h_ptr, h_len, ret_ptr):
            return http_request(caller, "GET", url_ptr, url_len, None, h_ptr, h_len, ret_ptr)

        def http_post(caller, url_ptr, url_len, b_ptr, b_len, h_ptr, h_len, ret_ptr):
            body = self._read_string(caller, b_ptr, b_len)
            if body is None:
                return -1
            return http_request(caller, "POST", url_ptr, url_len, body, h_ptr, h_len, ret_ptr)

        define("tark:http", "get", [i32] * 5, [i32], http_get)
        define("tark:http", "post", [i32] * 7, [i32], http_post)

        # tark:ws (no network here: every connect fails) ----------------------
        def ws_reply(caller, ret_ptr, payload):
            n = self._write_string(caller, ret_ptr, _serde_compact(payload))
            return -1 if n is None else n

        def ws_connect(caller, url_ptr, url_len, h_ptr, h_len, ret_ptr):
            url = self._read_string(caller, url_ptr, url_len)
            if url is None:
                return -1
            if self._read_string(caller, h_ptr, h_len) is None:
                return -1
            if not self.caps.is_http_allowed(url):
                return -2
            err = ("Only wss:// URLs are allowed" if not url.startswith("wss://")
                   else "websocket connections are not emulated")
            return ws_reply(caller, ret_ptr, {"ok": False, "error": err})

        def ws_send(caller, handle, d_ptr, d_len, ret_ptr):
            if self._read_string(caller, d_ptr, d_len) is None:
                return -1
            return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

        def ws_recv(caller, handle, timeout_ms, max_bytes, ret_ptr):
            return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

        def ws_close(caller, handle, ret_ptr):
            return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

        define("tark:ws", "connect", [i32] * 5, [i32], ws_connect)
        define("tark:ws", "send", [i64, i32, i32, i32], [i32], ws_send)
        define("tark:ws", "recv", [i64, i64, i64, i32], [i32], ws_recv)
        define("tark:ws", "close", [i64, i32], [i32], ws_close)

        # tark:env -----------------------------------------------------------
        def env_get(caller, name_ptr, name_len, ret_ptr):
            name = self._read_string(caller, name_ptr, name_len)
            if name is None:
                return -1
            if not self.caps.is_env_allowed(name):
                return -2
            value = self.env.get(name, "") if "\x00" not in name else ""
            n = self._write_string(caller, ret_ptr, value)
            return -1 if n is None else n

        define("tark:env", "get", [i32, i32, i32], [i32], env_get)

        # tark:log -----------------------------------------------------------
        def make_log(level):
            def log(caller, msg_ptr, msg_len):
                msg = self._read_string(caller, msg_ptr, msg_len)
                if msg is not None:
                    self._log(level, msg)
            return log

        for level in ("debug", "info", "warn", "error"):
            define("tark:log", level, [i32, i32], [], make_log(level))

        # tark:fs ------------------------------------------------------------
        def fs_read(caller, path_ptr, path_len, ret_ptr):
            path = self._read_string(caller, path_ptr, path_len)
            if path is None:
                return -1
            if not self.caps.is_fs_read_allowed(path):
                return -2
            try:
                with open(self.caps.expand_home(path), "rb") as f:
                    contents = f.read().decode("utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                return -3
            n = self._write_string(caller, ret_ptr, contents)
            return -4 if n is None else n

        define("tark:fs", "read", [i32, i32, i32], [i32], fs_read)

    def _http(self, method: str, url: str, headers_json: str, body: Optional[str]) -> str:
        headers = _parse_headers(headers_json)
        scheme = url.split(":", 1)[0].lower()
        if scheme not in ("http", "https") or not all(_valid_header(k, v) for k, v in headers):
            return _serde_compact({"error": f"builder error for url ({url})"})
        self.http_requests.append({"method": method, "url": url, "headers": headers,
                                   "body": body})
        if self.http_handler is None:
            return _serde_compact({"error": f"error sending request for url ({url})"})
        r = self.http_handler(method, url, headers, body)
        if "error" in r:
            return _serde_compact({"error": str(r["error"])})
        status = int(r["status"])
        if not 100 <= status <= 999:
            raise ValueError(f"http handler returned an impossible status {status}")
        rbody = r.get("body", "")
        if isinstance(rbody, (bytes, bytearray)):
            rbody = bytes(rbody).decode("utf-8", errors="replace")
        rh = [[str(k).lower(), _header_value_str(str(v))] for k, v in r.get("headers", [])]
        return _serde_compact({"status": status, "headers": rh, "body": rbody})

    # ---------------------------------------------------------------- calling exports
    def _guarded(self, fn):
        """Run fn with the epoch deadline reset (as tark's safe_call does) and, when
        call_timeout is set, a watchdog that pushes the epoch past the deadline."""
        self.store.set_epoch_deadline(EPOCH_DEADLINE)
        if self.call_timeout is None:
            return fn()
        done = threading.Event()

        def fire():
            for _ in range(EPOCH_DEADLINE + 1):
                if done.is_set():
                    return
                self.engine.increment_epoch()

        timer = threading.Timer(self.call_timeout, fire)
        timer.daemon = True
        timer.start()
        try:
            return fn()
        finally:
            done.set()
            timer.cancel()

    def _typed(self, name: str, params: list, results: list):
        """Instance::get_typed_func: the export must exist with exactly this type."""
        f = self.instance.exports(self.store).get(name)
        if not isinstance(f, wasmtime.Func):
            raise TarkError(f"Plugin does not export '{name}' function")
        ty = f.type(self.store)
        if [str(t) for t in ty.params] != params or [str(t) for t in ty.results] != results:
            raise TarkError(f"Plugin export '{name}' has the wrong type")
        return f

    def has_export(self, name: str, params: list, results: list) -> bool:
        try:
            self._typed(name, params, results)
            return True
        except TarkError:
            return False

    def _memory(self) -> wasmtime.Memory:
        m = self.instance.exports(self.store).get("memory")
        if not isinstance(m, wasmtime.Memory):
            raise TarkError("Plugin has no memory export")
        return m

    def _alloc(self, size: int) -> int:
        alloc = self._typed("alloc", [_I32], [_I32])
        return self._guarded(lambda: alloc(self.store, size))

    def _read_result(self, ptr: int, length: int) -> bytes:
        """``data[ptr as usize..(ptr + len) as usize]`` with i32 `ptr + len` (release: wraps)."""
        m = self._memory()
        size = m.data_len(self.store)
        start = ptr % _U64
        s = (ptr + length) & 0xFFFFFFFF
        end = (s - (1 << 32) if s >= 1 << 31 else s) % _U64
        if start > end or end > size:
            raise HostPanic(f"range {start}..{end} out of bounds for memory of {size} bytes")
        return bytes(m.read(self.store, start, end)) if end > start else b""

    def call_ret(self, export: str, size: int = RET_BUF_SIZE) -> tuple:
        """tark's call_string_return_fn: ``alloc(size)``, then ``export(ret_ptr)``.
        Returns ``(rc, bytes)``; bytes is None when rc < 0 (tark does not read them)."""
        ptr = self._alloc(size)
        fn = self._typed(export, [_I32], [_I32])
        rc = self._guarded(lambda: fn(self.store, ptr))
        if rc < 0:
            return rc, None
        return rc, self._read_result(ptr, rc)

    def call(self, export: str, *args):
        """Call any exported function with the call guard (no type check); returns what
        wasmtime returns (None, a value, or a list)."""
        fn = self.instance.exports(self.store).get(export)
        if not isinstance(fn, wasmtime.Func):
            raise TarkError(f"Plugin does not export '{export}' function")
        return self._guarded(lambda: fn(self.store, *args))

    def call_i32(self, export: str, *args) -> int:
        """Call an export returning one i32 (e.g. provider_auth_status, logout)."""
        fn = self._typed(export, [_I32] * len(args), [_I32])
        return self._guarded(lambda: fn(self.store, *args))

    def init_with(self, export: str, data: bytes) -> int:
        """tark's call_string_param_fn / auth_init_with_credentials: ``alloc(len)``, write
        the bytes there (Err past the end of memory), ``export(ptr, len)``; returns rc."""
        ptr = self._alloc(len(data))
        m = self._memory()
        start = ptr % _U64
        if start + len(data) > m.data_len(self.store):
            raise TarkError("out of bounds memory access (memory.write)")
        if data:
            m.write(self.store, data, start)
        fn = self._typed(export, [_I32, _I32], [_I32])
        return self._guarded(lambda: fn(self.store, ptr, len(data)))

    def call_with_input(self, export: str, data: bytes, out_size: int = RET_BUF_SIZE) -> tuple:
        """As tark calls ``auth_process_tokens``: ``in = alloc(len)``, copy the input,
        ``out = alloc(out_size)``, ``export(in, len, out)``.  Returns ``(rc, bytes|None)``.
        Raises TarkError if the export is missing (tark's auth_process_tokens then simply
        writes the unprocessed tokens; see :meth:`auth_process_tokens`)."""
        fn = self._typed(export, [_I32, _I32, _I32], [_I32])
        in_ptr = self._alloc(len(data))
        m = self._memory()
        start = in_ptr % _U64
        if start + len(data) > m.data_len(self.store):
            raise HostPanic("range end index out of range for slice (input copy)")
        if data:
            m.write(self.store, data, start)
        out_ptr = self._alloc(out_size)
        rc = self._guarded(lambda: fn(self.store, in_ptr, len(data), out_ptr))
        if rc < 0:
            return rc, None
        return rc, self._read_result(out_ptr, rc)

    def call_chat(self, messages: bytes, model: bytes, out_size: int = CHAT_BUF_SIZE) -> tuple:
        """As tark's ``provider_chat``: ``alloc(len)`` and write the messages, the same for the
        model, then ``ret = alloc(65536)`` and ``provider_chat(msgs, len, model, len, ret)``.
        Returns ``(rc, bytes|None)``."""
        fn = self._typed("provider_chat", [_I32] * 5, [_I32])
        ptrs = []
        for data in (messages, model):
            ptr = self._alloc(len(data))
            m = self._memory()
            if ptr % _U64 + len(data) > m.data_len(self.store):
                raise TarkError("out of bounds memory access (memory.write)")
            if data:
                m.write(self.store, data, ptr % _U64)
            ptrs.append(ptr)
        ret = self._alloc(out_size)
        rc = self._guarded(lambda: fn(self.store, ptrs[0], len(messages), ptrs[1], len(model), ret))
        if rc < 0:
            return rc, None
        return rc, self._read_result(ret, rc)

    def pages(self) -> int:
        """Current size of the exported memory in 64 KiB pages."""
        return self._memory().size(self.store)

    def memory_bytes(self) -> int:
        return self._memory().data_len(self.store)

    def exports(self) -> list:
        """Export names of the module."""
        return [e.name for e in self.module.exports]

    def imports(self) -> list:
        """Imports as ``"module.name"``."""
        return [f"{i.module}.{i.name}" for i in self.module.imports]

    # ---------------------------------------------------------------- tark's operations
    def credentials(self) -> tuple:
        """provider_auth_credentials as tark calls it: ``(rc, AuthCredentials dict)``;
        ``(rc, None)`` when rc < 0.  Raises CredentialsError (invalid JSON / fields),
        TarkError (not UTF-8), HostPanic (length past the end of memory)."""
        rc, raw = self.call_ret("provider_auth_credentials", RET_BUF_SIZE)
        if rc < 0:
            return rc, None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TarkError("Invalid UTF-8 in result") from e
        return rc, parse_auth_credentials(text)

    def has_auth_credentials_interface(self) -> bool:
        return self.has_export("provider_auth_credentials", [_I32], [_I32])

    def _json_ret(self, export: str):
        rc, raw = self.call_ret(export, RET_BUF_SIZE)
        if rc < 0:
            raise TarkError(f"Function {export} returned error code: {rc}")
        try:
            return _plain(_strict_json(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise TarkError(f"Failed to parse {export} JSON: {e}") from e

    def provider_info(self) -> dict:
        """alloc(8192) + provider_info, checked like serde's ProviderInfo: ``id`` and
        ``display_name`` strings, ``description`` string, ``requires_auth`` bool (defaults),
        ``provider`` string or null."""
        info = self._json_ret("provider_info")
        ok = (isinstance(info, dict) and isinstance(info.get("id"), str)
              and isinstance(info.get("display_name"), str)
              and _opt_type(info, "description", str) and _opt_type(info, "requires_auth", bool)
              and (info.get("provider") is None or isinstance(info["provider"], str)))
        if not ok:
            raise TarkError("Failed to parse provider info JSON")
        return info

    def provider_chat(self, messages: list, model: str) -> dict:
        """tark's PluginProviderAdapter.chat: the messages as ``[{"role", "content"}]`` JSON, the
        model; the answer parsed like serde's ChatResponse (``text`` string; ``usage`` and
        ``finish_reason`` optional), and empty text refused as tark refuses it."""
        rc, raw = self.call_chat(json.dumps(messages, separators=(",", ":")).encode(), model.encode())
        if rc < 0:
            raise TarkError(f"Provider chat failed with error code: {rc}")
        try:
            answer = _plain(_strict_json(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise TarkError(f"Failed to parse chat response JSON: {e}") from e
        if not (isinstance(answer, dict) and isinstance(answer.get("text"), str)
                and (answer.get("finish_reason") is None or isinstance(answer["finish_reason"], str))
                and (answer.get("usage") is None or isinstance(answer["usage"], dict))):
            raise TarkError("Failed to parse chat response JSON")
        if not answer["text"].strip():
            raise TarkError("Plugin provider returned an empty response")
        return answer

    def provider_models(self) -> list:
        """alloc(8192) + provider_models, checked like serde's Vec<ModelInfo>: ``id`` string;
        ``display_name`` string, ``context_window`` u32, ``supports_streaming`` /
        ``supports_tools`` bool (absent = default, null = error)."""
        models = self._json_ret("provider_models")
        ok = isinstance(models, list) and all(
            isinstance(x, dict) and isinstance(x.get("id"), str)
            and _opt_type(x, "display_name", str)
            and _opt_type(x, "supports_streaming", bool) and _opt_type(x, "supports_tools", bool)
            and ("context_window" not in x or (type(x["context_window"]) is int
                                               and 0 <= x["context_window"] < 1 << 32))
            for x in models)
        if not ok:
            raise TarkError("Failed to parse models JSON")
        return models

    def provider_auth_status(self) -> str:
        rc = self.call_i32("provider_auth_status")
        return {0: "not_required", 1: "authenticated", 3: "expired"}.get(rc, "not_authenticated")

    def provider_auth_init(self, credentials_json: str) -> None:
        rc = self.init_with("provider_auth_init", credentials_json.encode("utf-8"))
        if rc < 0:
            raise TarkError(f"Function provider_auth_init failed with error code: {rc}")

    def auth_process_tokens(self, tokens: str) -> Optional[str]:
        """tark's PluginInstance::auth_process_tokens: None when the export (i32,i32,i32)->i32
        is absent; TarkError when it returns < 0; else the output text."""
        if not self.has_export("auth_process_tokens", [_I32] * 3, [_I32]):
            return None
        rc, raw = self.call_with_input("auth_process_tokens", tokens.encode("utf-8"))
        if rc < 0:
            raise TarkError("Plugin auth_process_tokens returned error")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TarkError("invalid utf-8 in auth_process_tokens output") from e

    # legacy auth-plugin interface (PluginInstance::auth_*; used for "gemini-auth")
    def legacy_string(self, export: str) -> str:
        """get_token (alloc 4096) / get_endpoint (1024) / display_name (256)."""
        rc, raw = self.call_ret(export, LEGACY_BUF[export])
        if rc < 0:
            raise TarkError(f"Failed to get {export} from plugin")
        return raw.decode("utf-8")

    def legacy_status(self) -> str:
        rc = self.call_i32("status")
        return {1: "authenticated", 2: "expired"}.get(rc, "not_authenticated")


# --------------------------------------------------------------------------------------------
# Cold path measurement
# --------------------------------------------------------------------------------------------

def measure_cold_init(plugin_dir, home, export: str = "provider_auth_credentials",
                      **load_kwargs) -> dict:
    """One cold provider init as tark does it for an auth-only plugin: read manifest + wasm,
    fresh engine, compile, link, instantiate, then ``alloc(8192)`` + ``export(ret_ptr)``.
    Returns the timings in seconds (read, engine, compile, instantiate, first_call, total)
    plus ``rc`` and ``host``."""
    t0 = time.perf_counter()
    host = TarkHost.load(plugin_dir, home, **load_kwargs)
    t1 = time.perf_counter()
    rc, _ = host.call_ret(export, RET_BUF_SIZE)
    t2 = time.perf_counter()
    out = dict(host.timings)
    out.update(first_call=t2 - t1, total=t2 - t0, rc=rc, host=host)
    return out
