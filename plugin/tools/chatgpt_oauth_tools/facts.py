"""The project's facts that the Python tools and tests share, each defined once here.

The plugin (its Java code and plugin/src/main/manifest/plugin.toml) stays the source of truth:
these mirror it for the tools, and the tests check the manifest and the plugin's behaviour
against them (test_module.py among others), so a change on one side fails there.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Optional

# plugin.toml's [plugin] name: tark's id for the plugin, its provider and its install directory.
PLUGIN_NAME = "chatgpt-oauth"
# The OAuth client the plugin logs in and refreshes as (TokenRefresher.CLIENT_ID; plugin.toml's
# [oauth] client_id).
CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"

# What the plugin and the tools tell a user to run to log in (again).
LOGIN_COMMAND = f"tark auth {PLUGIN_NAME}"
# The check, as pyproject.toml installs it (`python3 plugin/tools/check.py` in a checkout runs the same).
CHECK_COMMAND = f"{PLUGIN_NAME}-check"

# The credentials file: this variable names another one, else tark's default below HOME
# (plugin.toml's [oauth] credentials_path).
CREDENTIALS_PATH_VARIABLE = "CHATGPT_OAUTH_CREDENTIALS_PATH"
TARK_CREDENTIALS_FILE = ".config/tark/chatgpt_oauth.json"
# The Codex CLI's login below HOME, which the plugin reads (never writes) when tark's file is absent.
CODEX_LOGIN_FILE = ".codex/auth.json"

# Who the plugin says it is to ChatGPT (CodexClient.java): the Codex CLI's originator, and the
# variables a user sets to override the version and the originator it sends.
CODEX_ORIGINATOR = "codex_cli_rs"
CODEX_VERSION_VARIABLE = "CHATGPT_OAUTH_CODEX_VERSION"
ORIGINATOR_VARIABLE = "CHATGPT_OAUTH_ORIGINATOR"
IDENTITY_HEADERS = ("originator", "version", "User-Agent")
# One random id a provider init (a tark session), for ChatGPT's prompt cache, as codex-rs sends it.
SESSION_HEADER = "session-id"


def _checkout() -> Optional[Path]:
    """The repository these tools run from (this package is its plugin/tools/chatgpt_oauth_tools),
    or None when the package is installed (pip, pipx) and so belongs to no checkout."""
    package = Path(__file__).resolve().parent
    root = package.parents[2]
    if package.parent == root / "plugin" / "tools" and (root / "build.sh").is_file():
        return root
    return None


CHECKOUT = _checkout()
# This repository's build output, what the tools load when no copy is installed; None outside a
# checkout, where only the installed copy can be loaded.
REPO_DIST: Optional[Path] = CHECKOUT / "dist" if CHECKOUT else None
# The Rust chatgpt-oauth plugin the benchmark and the compile profile measure against (its dist/):
# where $CHATGPT_OAUTH_RUST_PEER points, else beside this checkout (None: neither).
RUST_PEER_VARIABLE = "CHATGPT_OAUTH_RUST_PEER"
_PEER = os.environ.get(RUST_PEER_VARIABLE) or (
    CHECKOUT.parent / "shared" / "peers" / "rust-chatgpt-oauth" if CHECKOUT else None)
RUST_PEER_DIR: Optional[Path] = Path(_PEER).resolve() if _PEER else None

# --------------------------------------------------------------------------------------------
# Where tark 0.12 keeps a plugin (Rust's dirs::data_local_dir(); the plugin's TarkPaths.java)
# --------------------------------------------------------------------------------------------

XDG_DATA_HOME = "XDG_DATA_HOME"
# The data directory below HOME, by system.
HOME_DATA_DIRS = {"linux": ".local/share", "macos": "Library/Application Support"}
# The system the tools run on, as HOME_DATA_DIRS names it: tark there uses that layout.
HOST_SYSTEM = "macos" if sys.platform == "darwin" else "linux"
PLUGINS_DIR = "tark/plugins"        # below the data directory, one directory a plugin
PLUGIN_DATA_DIR = "data"            # below the plugin's directory: tark's PluginState
STORAGE_FILE = "storage.json"       # in that: what tark:storage keeps, rewritten on every set
# The plugin's storage below the data directory (how plugin.toml's fs_read names it).
STORAGE_BELOW_DATA_DIR = f"{PLUGINS_DIR}/{PLUGIN_NAME}/{PLUGIN_DATA_DIR}/{STORAGE_FILE}"


def data_dir(home, env: dict, system: str = HOST_SYSTEM) -> Path:
    """tark's data directory: on Linux ``$XDG_DATA_HOME`` when absolute (tark ignores a relative
    one), else ``~/.local/share``; on macOS always ``~/Library/Application Support``."""
    xdg = env.get(XDG_DATA_HOME, "")
    if system == "linux" and xdg and os.path.isabs(xdg):
        return Path(xdg)
    return Path(home) / HOME_DATA_DIRS[system]


def installed_plugin_dir(home, env: dict, system: str = HOST_SYSTEM) -> Path:
    """Where ``tark plugin add`` puts this plugin: ``<data dir>/tark/plugins/chatgpt-oauth``."""
    return data_dir(home, env, system) / PLUGINS_DIR / PLUGIN_NAME


def plugin_dir_in_use(home, env: dict, system: str = HOST_SYSTEM) -> tuple:
    """(dir, installed?): the installed copy (what tark runs) if there is one, else this
    repository's dist/; outside a checkout, where the tools have no dist/, the installed copy's
    directory all the same (not installed: it holds no plugin.toml)."""
    installed = installed_plugin_dir(home, env, system)
    if (installed / "plugin.toml").is_file() or REPO_DIST is None:
        return installed, (installed / "plugin.toml").is_file()
    return REPO_DIST, False


def storage_path(plugin_dir) -> Path:
    """The plugin's storage as tark keeps it: ``<plugin dir>/data/storage.json``."""
    return Path(plugin_dir) / PLUGIN_DATA_DIR / STORAGE_FILE


# --------------------------------------------------------------------------------------------
# The plugin's diagnostics line: ``diagnostics {json}`` at debug level (Diagnostics.java)
# --------------------------------------------------------------------------------------------

DIAGNOSTICS_PREFIX = "diagnostics "
DIAGNOSTICS_LEVEL = "debug"


def is_diagnostics(message: str) -> bool:
    return message.startswith(DIAGNOSTICS_PREFIX)


# The credentials sources, as the diagnostics line names them (CredentialSource.name), in the
# order the plugin looks for them, with what the check calls each; test_diagnostics.py has the
# plugin report every one.
TARK_FILE_SOURCE, HOST_INIT_SOURCE, CODEX_CLI_SOURCE = "tark_file", "host_init", "codex_cli"
CREDENTIAL_SOURCES = {
    TARK_FILE_SOURCE: "tark's credentials file",
    HOST_INIT_SOURCE: "credentials tark handed over with provider_auth_init",
    CODEX_CLI_SOURCE: "the Codex CLI's login, read-only",
}


@dataclass(frozen=True)
class Diagnostics:
    """One diagnostics line: exactly the fields the plugin writes (Diagnostics.line), each of its
    type; test_diagnostics.py compares them with the plugin's own line."""
    source: str                          # a CREDENTIAL_SOURCES name
    location: str                        # the file the credentials came from, or a description
    tokens: str                          # "source": the source's own tokens; "storage": refreshed ones kept
    account_id: Optional[str]            # None: no ChatGPT-Account-Id header is sent
    expires_at: Optional[int]            # Unix seconds; None: unknown (taken as valid)
    lifetime_seconds: Optional[int]      # exp - iat of the access token; None: unknown
    refresh_at: Optional[int]            # when the refresh falls due; None when the expiry is unknown
    expired: bool
    refresh_due: bool
    may_refresh: bool                    # False: the plugin may not spend this refresh token
    refresh_margin_seconds: int          # how long before expiry it refreshes
    refresh_margin_reason: str           # why that margin

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, _ACCEPTED[f.type]) or (isinstance(value, bool) and f.type != "bool"):
                raise ValueError(f"diagnostics field {f.name} is {value!r}, not {f.type}")
        if (self.expires_at is None) != (self.refresh_at is None):
            raise ValueError("a diagnostics line states refresh_at without expires_at, or the reverse")


_ACCEPTED = {"str": str, "Optional[str]": (str, type(None)), "int": int,
             "Optional[int]": (int, type(None)), "bool": bool}
DIAGNOSTICS_FIELDS = tuple(f.name for f in fields(Diagnostics))


def parse_diagnostics(message: str) -> dict:
    """The JSON object of a diagnostics line, whatever its fields; ValueError when what follows the
    prefix is none."""
    doc = json.loads(message[len(DIAGNOSTICS_PREFIX):])
    if not isinstance(doc, dict):
        raise ValueError(f"a diagnostics line holds no JSON object: {message!r}")
    return doc


def read_diagnostics(message: str) -> Diagnostics:
    """A diagnostics line as :class:`Diagnostics`; ValueError unless it holds exactly its fields,
    each of its type (a plugin of another version may write others)."""
    doc = parse_diagnostics(message)
    if set(doc) != set(DIAGNOSTICS_FIELDS):
        wanted = set(DIAGNOSTICS_FIELDS)
        raise ValueError(f"a diagnostics line with other fields: missing {sorted(wanted - set(doc))},"
                         f" unknown {sorted(set(doc) - wanted)}")
    return Diagnostics(**doc)


def diagnostics_lines(logs: Iterable) -> list:
    """The plugin's diagnostics lines (from ``(level, message)`` log entries), oldest first."""
    return [message for level, message in logs if level == DIAGNOSTICS_LEVEL and is_diagnostics(message)]


def diagnostics_of(logs: Iterable, strict: bool = False) -> list:
    """The plugin's diagnostics (from ``(level, message)`` log entries), oldest first, each a
    :class:`Diagnostics`. A line that is not one is skipped, or with ``strict`` (the tests) raises
    ValueError."""
    found = []
    for message in diagnostics_lines(logs):
        try:
            found.append(read_diagnostics(message))
        except ValueError:
            if strict:
                raise
    return found
