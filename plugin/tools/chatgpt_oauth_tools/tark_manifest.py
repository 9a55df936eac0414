"""plugin.toml and the capability checks, as tark applies them (``src/plugins/manifest/mod.rs``,
``PluginState`` in ``src/plugins/host/mod.rs``): which files, variables and hosts a plugin may reach."""

from __future__ import annotations

import os
import re
import tomllib
from typing import Optional

from .tark_errors import ManifestError

_PLUGIN_TYPES = ("auth", "tool", "provider", "channel", "hook")
# A semver 2.0.0 version, which tark requires of a plugin (the semver crate parses it).
SEMVER = re.compile(
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
    _expect(bool(SEMVER.match(p["version"])),
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
