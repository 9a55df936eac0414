"""Check what the chatgpt-oauth plugin sees, the way tark would load it.

    chatgpt-oauth-check [--plugin-dir DIR] [--home DIR] [--refresh]

(``pip install ./plugin/tools`` installs the command; in a checkout ``python3 plugin/tools/check.py``
runs it uninstalled.) Loads the plugin (by default the installed copy where tark keeps it,
``<data dir>/tark/plugins/chatgpt-oauth/`` with ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux,
``~/Library/Application Support`` on macOS; else, run from a checkout, its ``dist/``) in the
tark-host emulation (``chatgpt_oauth_tools.tark_host``: wasmtime with tark's linking) against your real
HOME and environment, calls ``provider_auth_credentials`` and ``provider_auth_status`` as tark
does, and prints what the plugin itself reports: the credentials source it used, the account id,
the expiry and whether it would refresh (from its ``diagnostics`` debug line), the JSON tark
would receive (token redacted), and every error it logged with the fix for its return code.
The check knows none of the plugin's rules; it only reads what the plugin states.

Nothing is sent over the network unless ``--refresh`` is given: the emulated host answers the
plugin's refresh request with a transport error and the check reports that a refresh would
happen now.  Without ``--refresh`` the plugin's storage (``<plugin dir>/data/storage.json``)
is read from a temporary copy and never modified.  With ``--refresh`` the real HTTPS POST is made
(only to hosts the manifest's ``capabilities.http`` allows) and the real storage is used, so a
rotated (single-use) refresh token is kept exactly as tark would keep it.

No token is ever printed, nor any piece of one: token text shows as "[token text hidden, N
chars]". Every line is printed with its control characters escaped (``\x1b``) and capped in
length, whatever a file, the environment, the plugin or a server put in it.
Exit code 0 when tark would get usable credentials, 1 otherwise.

Two more questions, answered by ChatGPT itself (these send real HTTPS requests, made by the check
with urllib, not through the plugin):

    chatgpt-oauth-check --models    # the models your plan offers now
    chatgpt-oauth-check --usage     # your plan and its rate-limit windows

Both load the plugin as above and send what its ``provider_auth_credentials`` answer hands tark:
the bearer and every header it answers (``ChatGPT-Account-Id`` and its Codex identity:
``originator``, ``version``, ``User-Agent``), verbatim, plus ``Accept``, and nothing else.
``--models`` asks ``GET <backend>/codex/models?client_version=<the plugin's version>`` as the
Codex CLI does and lists the models the server marks ``visibility: "list"`` (the first 200), and
marks each model the plugin lists (its ``provider_models`` export) that this version cannot reach:
absent from the server's list, or needing a newer client (with the override to try); offline or
refused it prints one line saying so and the plugin's bundled list.  ``--usage`` asks
``GET <backend>/wham/usage`` as CodexBar and openusage do and prints the plan and each window's
used percentage and reset time.  Exit code 0 when the answer was shown (with ``--usage``: and
every value in it could be read; one line names those that could not), 1 otherwise.  Add
``--refresh`` to let the plugin refresh an expiring token first (as above).  Each request has one
total deadline of 30 s, and at most 16 MB of a reply is read.

One more sends a real model request, and so spends a tiny part of the plan's quota (never
without the option):

    chatgpt-oauth-check --probe [MODEL | all]

It sends one chat turn per model exactly as tark would (``chatgpt_oauth_tools.probe``) and prints whether
ChatGPT accepted it (the first words, the time to the first token) or which rule refused it and
the fix. Without MODEL: the first model the plugin lists; ``all``: the plugin's models and every
model ``--models`` returns (20 at most). Exit code 0 only when every probed model was accepted.

``<backend>`` is ``https://chatgpt.com/backend-api``.  For tests only, the environment variable
``CHATGPT_OAUTH_BACKEND_URL`` replaces it (an ``https://`` URL, or ``http://`` on 127.0.0.1 /
localhost for a local fake backend); the check says so when it is set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Optional

import wasmtime

from .. import facts, tark_host
from ..chatgpt_backend import (ACCOUNT_HEADER, BACKEND_VARIABLE, BackendError, backend_base, header,
                               model_request_headers)
from ..facts import CREDENTIALS_PATH_VARIABLE, PLUGIN_NAME, plugin_dir_in_use, storage_path
from ..printable import Printer
from ..probe import PROBED_AT_MOST, run as probe_models
from .models import models_report, say_bundled
from .observation import observe, plugin_login, storage_dir
from .report import report
from .usage import usage_report

NOT_INSTALLED = (f"RESULT: no {PLUGIN_NAME} plugin is installed ({{plugin_dir}} holds no plugin.toml),"
                 " and these tools, installed outside a checkout, have no dist/ to load instead: install"
                 " the plugin (`tark plugin add <checkout>/dist`) or pass --plugin-dir.")


def nothing_to_load(installed: bool, explicit_dir: bool) -> bool:
    """No plugin installed, none given, and no checkout's dist/ to fall back on (the tools were
    installed with pip)."""
    return not installed and not explicit_dir and facts.REPO_DIST is None


def run_check(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
              refresh: bool, out=print) -> int:
    say = Printer(out)               # every line escaped, capped and redacted
    red = say.red
    real_storage = storage_path(plugin_dir)

    say(f"{PLUGIN_NAME} check")
    if nothing_to_load(installed, explicit_dir):
        say(NOT_INSTALLED.format(plugin_dir=plugin_dir))
        return 1
    try:
        manifest = tark_host.load_manifest(plugin_dir / "plugin.toml")
    except tark_host.TarkError as e:
        say(f"  plugin     {plugin_dir}: {e}")
        say("RESULT: tark would not load this plugin (fix or reinstall it: "
            "`tark plugin add <dir>`).")
        return 1
    wasm = plugin_dir / manifest["plugin"]["wasm"]
    where = ("installed copy" if installed else
             "given with --plugin-dir" if explicit_dir else "this repository's dist/: not installed")
    size = f"{wasm.stat().st_size:,} bytes" if wasm.is_file() else "missing"
    say(f"  plugin     {plugin_dir} ({where}), version {manifest['plugin']['version']}, "
        f"{wasm.name} {size}")
    say(f"  HOME       {home}")
    say(f"  {CREDENTIALS_PATH_VARIABLE}  {env.get(CREDENTIALS_PATH_VARIABLE) or '(unset)'}")

    if refresh and not installed and not explicit_dir:
        say()
        say("RESULT: refused: --refresh would keep the refreshed tokens in " + str(real_storage)
            + ", which tark does not read (the plugin is not installed), and the old refresh token"
            " would be spent. Install the plugin (`tark plugin add \"$PWD/dist\"`) or pass --plugin-dir.")
        return 1

    data_dir, tmp = storage_dir(real_storage, refresh)
    if refresh:
        say("  network    ON (--refresh): a refresh request is really sent if the plugin makes one")
        say(f"  storage    {real_storage} (used as tark uses it; a refresh updates it)")
    else:
        state = "read from a temporary copy, left untouched" if real_storage.is_file() else "none yet"
        say("  network    off: no request is sent (--refresh allows the token refresh)")
        say(f"  storage    {real_storage} ({state})")
    try:
        return _check_loaded(plugin_dir, home, env, data_dir, refresh, manifest, red, say)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _check_loaded(plugin_dir, home, env, data_dir, refresh, manifest, red, say) -> int:
    try:
        seen = observe(plugin_dir, home, env, data_dir, refresh, manifest, red)
    except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
        say()
        say(f"RESULT: tark would fail to load the plugin: {e}")
        return 1
    return report(seen, refresh, say)


def run_backend(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
                refresh: bool, models: bool, usage: bool, out=print,
                probe_choice: Optional[str] = None) -> int:
    """--models / --usage / --probe: load the plugin as the check does, take the token and
    identity it hands tark, and ask ChatGPT. Every line goes through the Printer."""
    say = Printer(out)
    want = ", ".join(x for x, on in (("models", models), ("usage", usage),
                                     ("probe", probe_choice is not None)) if on)
    say(f"{PLUGIN_NAME} check: {want}")
    login = backend_login(plugin_dir, installed, explicit_dir, home, env, refresh, say)
    if login is None:
        return 1
    base, login = login
    if login.creds is None:
        if models:
            say(f"Models: not asked, the plugin has no usable token: {login.why}")
            say_bundled(login.bundled, say)
        if usage:
            say(f"Usage: not asked, the plugin has no usable token: {login.why}")
        if probe_choice is not None:
            say(f"Probe: not sent, the plugin has no usable token: {login.why}")
        return 1
    headers = dict(model_request_headers(login.creds), Accept="application/json")
    if header(headers, ACCOUNT_HEADER) is None:
        say(f"  note       the plugin sends no {ACCOUNT_HEADER} (no account id in the login)")
    ok = True
    if models:
        ok = models_report(base, headers, login.bundled, say) and ok
    if usage:
        ok = usage_report(base, headers, say) and ok
    if probe_choice is not None:
        ok = probe_models(login.creds, login.bundled, base, env, probe_choice or None, say) and ok
    return 0 if ok else 1


def backend_login(plugin_dir: Path, installed: bool, explicit_dir: bool, home: str, env: dict,
                  refresh: bool, say) -> Optional[tuple]:
    """(backend base URL, PluginLogin) for a request to ChatGPT, or None after one RESULT line
    saying why nothing can be asked."""
    try:
        base, overridden = backend_base(env)
    except BackendError as e:
        say(f"RESULT: not asked: {e}.")
        return None
    if overridden:
        say(f"  backend    {base} (from {BACKEND_VARIABLE}, for tests; unset it to ask ChatGPT)")
    if nothing_to_load(installed, explicit_dir):
        say(NOT_INSTALLED.format(plugin_dir=plugin_dir))
        return None
    try:
        manifest = tark_host.load_manifest(plugin_dir / "plugin.toml")
    except tark_host.TarkError as e:
        say(f"RESULT: tark would not load the plugin in {plugin_dir}: {e}")
        return None
    if refresh and not installed and not explicit_dir:
        say("RESULT: refused: --refresh would keep the refreshed tokens in "
            + str(storage_path(plugin_dir)) + ", which tark does not read (the plugin is not"
            " installed). Install the plugin (`tark plugin add \"$PWD/dist\"`) or pass --plugin-dir.")
        return None
    try:
        return base, plugin_login(plugin_dir, home, env, refresh, manifest, say.red)
    except (tark_host.TarkError, wasmtime.WasmtimeError, wasmtime.Trap) as e:
        say(f"RESULT: tark would fail to load the plugin: {e}")
        return None


def main(argv=None, out=print) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Exit code: 0 when tark gets usable credentials (with --models or --usage: when"
                                        " ChatGPT answered and every value could be read; with --probe: when every"
                                        " probed model was accepted), else 1.")
    ap.add_argument("--plugin-dir", help="the plugin directory (plugin.toml + wasm); default: the "
                    f"installed copy in <data dir>/tark/plugins/{PLUGIN_NAME}, else ./dist")
    ap.add_argument("--home", help="the home directory to check (default: $HOME)")
    ap.add_argument("--refresh", action="store_true",
                    help="allow the plugin's token refresh: sends the real request and updates the "
                         "plugin's real storage")
    ap.add_argument("--models", action="store_true",
                    help="list the models your plan offers now, from ChatGPT (sends a request)")
    ap.add_argument("--usage", action="store_true",
                    help="show your plan and its rate-limit windows, from ChatGPT (sends a request)")
    ap.add_argument("--probe", nargs="?", const="", metavar="MODEL | all",
                    help="send one chat turn as tark does, to MODEL (default: the first the plugin"
                         " lists, which the README recommends) or to all (the plugin's models and"
                         f" ChatGPT's list, {PROBED_AT_MOST} at most), and say for each whether"
                         " ChatGPT accepted it, else which rule refused it and the fix. Each probe"
                         " spends a tiny part of your plan's quota; nothing is probed without this"
                         " option")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    home = os.path.abspath(args.home or env.get("HOME") or os.path.expanduser("~"))
    env["HOME"] = home
    if args.plugin_dir:
        plugin_dir = Path(args.plugin_dir).resolve()
        xdg_dir, xdg_installed = plugin_dir_in_use(home, env)
        installed = xdg_installed and xdg_dir.resolve() == plugin_dir
    else:
        plugin_dir, installed = plugin_dir_in_use(home, env)
    if args.models or args.usage or args.probe is not None:
        return run_backend(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh,
                           args.models, args.usage, out, probe_choice=args.probe)
    return run_check(plugin_dir, installed, bool(args.plugin_dir), home, env, args.refresh, out)


def console() -> None:
    """The ``chatgpt-oauth-check`` command (and ``python3 plugin/tools/check.py``)."""
    try:
        sys.exit(main())
    except BrokenPipeError:      # `chatgpt-oauth-check | head`
        sys.exit(1)
