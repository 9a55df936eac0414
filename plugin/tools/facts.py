"""The project's facts that the Python tools and tests share, each defined once here.

The plugin (its Java code and plugin/src/main/manifest/plugin.toml) stays the source of truth:
these mirror it for the tools, and the tests check the manifest and the plugin's behaviour
against them (test_module.py among others), so a change on one side fails there.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Iterable

# plugin.toml's [plugin] name: tark's id for the plugin, its provider and its install directory.
PLUGIN_NAME = "chatgpt-oauth"
# The OAuth client the plugin logs in and refreshes as (TokenRefresher.CLIENT_ID; plugin.toml's
# [oauth] client_id).
CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"

# What the plugin and the tools tell a user to run to log in (again).
LOGIN_COMMAND = f"tark auth {PLUGIN_NAME}"

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

# This repository's build output, what the tools load when no copy is installed.
REPO_DIST = Path(__file__).resolve().parents[2] / "dist"
# The Rust chatgpt-oauth plugin the benchmark and the compile profile measure against (its dist/):
# beside this checkout, or where $CHATGPT_OAUTH_RUST_PEER points.
RUST_PEER_DIR = Path(os.environ.get("CHATGPT_OAUTH_RUST_PEER")
                     or REPO_DIST.parent.parent / "shared" / "peers" / "rust-chatgpt-oauth").resolve()

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
    repository's dist/."""
    installed = installed_plugin_dir(home, env, system)
    if (installed / "plugin.toml").is_file():
        return installed, True
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


def parse_diagnostics(message: str) -> dict:
    """The JSON object of a diagnostics line; ValueError when what follows the prefix is none."""
    doc = json.loads(message[len(DIAGNOSTICS_PREFIX):])
    if not isinstance(doc, dict):
        raise ValueError(f"a diagnostics line holds no JSON object: {message!r}")
    return doc


def diagnostics_of(logs: Iterable, strict: bool = False) -> list:
    """The plugin's diagnostics (from ``(level, message)`` log entries), oldest first, as dicts.
    A malformed line is skipped, or with ``strict`` (the tests) raises ValueError."""
    found = []
    for level, message in logs:
        if level != DIAGNOSTICS_LEVEL or not is_diagnostics(message):
            continue
        try:
            found.append(parse_diagnostics(message))
        except ValueError:
            if strict:
                raise
    return found

