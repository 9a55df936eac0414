"""The plugin in real tark: every path a user takes, against a tark binary (opt-in).

    TARK_BIN=/path/to/tark python3 -m pytest -q plugin/src/test/python/test_in_tark.py

Skipped unless ``TARK_BIN`` names a tark binary (written against tark 0.12.6, commit ddb0b6b).
Everything tark and the plugin send goes to one local fake (``tark_fakes.FakeChatGPT``) on
127.0.0.1: it is tark's HTTP(S)_PROXY and plays ChatGPT's Codex backend, its token endpoint and,
for the login, a PKCE issuer. Its Codex backend is strict: it applies the rules public reports say
ChatGPT applies (``codex_rules.py``: a User-Agent, the ``version`` a model needs, a Codex originator
for gated models, ``stream: true``, ``store: false``, instructions, input a list, a bearer it knows
for the account named) and answers only an accepted request with a stream. tark's non-streaming
paths (``tark complete``, ``/inline-complete``) are refused for ``stream``: tark's doing, not the
plugin's; on them the tests check that the plugin's part of the request passed every rule. It forwards nothing: every ``CONNECT`` (any https request, such as
the shipped module's to chatgpt.com:443 or tark's own models.dev catalogue) is recorded and refused.

Most tests use the *test module*: the plugin built with the Maven profile ``local-endpoints``, whose
ChatGPT URLs are ``http://`` on the same hosts, so that the proxy sees every request in clear. It is
built once per session from this checkout (``mvn -B -q -P local-endpoints package -DskipTests``,
about 30 s) unless ``CHATGPT_OAUTH_TEST_MODULE`` names a prebuilt ``plugin.wasm``. The shipped
module (``dist/``) is used for installation and for the check that its requests go to
``chatgpt.com:443``.

Each tark run gets its own HOME and XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME /
XDG_STATE_HOME in a temporary directory, no NO_PROXY, and a timeout. No output of any tark run
(stdout, stderr, with tark's debug log on) may hold a piece of any token the test used or the fake
issued (the rule conftest.py applies to the emulation's hosts).
"""

from __future__ import annotations

import datetime
import json
import os
import select
import shutil
import socket
import stat
import subprocess
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Optional

import pytest

TARK_BIN = os.environ.get("TARK_BIN", "")
if not TARK_BIN:
    pytest.skip("TARK_BIN is not set: the real-tark suite needs a tark binary "
                "(TARK_BIN=/path/to/tark python3 -m pytest -q plugin/src/test/python/test_in_tark.py)",
                allow_module_level=True)

from conftest import (CLIENT_ID, DAY, MARGIN, PLUGIN_NAME, REPO, SESSION_HEADER,  # noqa: E402
                      TARK_CREDENTIALS_FILE, XDG_DATA_HOME, access_jwt, assert_codex_identity, claims, find_leaks, installed_plugin_dir, lineage_id,
                      make_jwt, opaque, open_entry, storage_path)
from tark_fakes import CODEX_HOST, CODEX_PATH, FakeChatGPT, s256  # noqa: E402
import codex_rules  # noqa: E402

DIST = REPO / "dist"
CODEX_URL = f"http://{CODEX_HOST}{CODEX_PATH}"
TOKEN_URL = "http://auth.openai.com/oauth/token"
CALLBACK_PORT = 1455
REPLY = "Hello from the fake Codex backend."
ACCOUNT = "acct-4f1c2d9e"
RUN_TIMEOUT = 90          # seconds, every tark command
SAMPLE = "def add(a, b):\n    return \n"


# --------------------------------------------------------------------------------------------
# Session: the binary and the test module
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def tark_bin() -> str:
    path = Path(TARK_BIN)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"TARK_BIN={TARK_BIN} is not an executable file")
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.startswith("tark "), out
    return str(path)


@pytest.fixture(scope="session")
def test_module() -> Path:
    """The plugin built with ``-P local-endpoints`` (http:// ChatGPT URLs)."""
    given = os.environ.get("CHATGPT_OAUTH_TEST_MODULE")
    if given:
        wasm = Path(given)
        assert wasm.is_file(), f"CHATGPT_OAUTH_TEST_MODULE={given} is not a file"
    else:
        if shutil.which("mvn") is None:
            pytest.fail("mvn is not on PATH: build the test module yourself and name it with "
                        "CHATGPT_OAUTH_TEST_MODULE")
        build = subprocess.run(["mvn", "-B", "-q", "-P", "local-endpoints", "package", "-DskipTests"],
                               cwd=REPO, capture_output=True, text=True, timeout=900)
        assert build.returncode == 0, f"the test module did not build:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
        wasm = REPO / "plugin" / "target" / "local-endpoints" / "wasm" / "plugin.wasm"
    data = wasm.read_bytes()
    # TeaVM keeps string constants as UTF-16: the test module has the http:// endpoint, not https://
    assert CODEX_URL.encode("utf-16-le") in data, f"{wasm} is not the local-endpoints build"
    assert b"\0asm" == data[:4]
    return wasm


@pytest.fixture(scope="session")
def models(test_module, tmp_path_factory) -> list:
    """The model ids the plugin lists (provider_models, read with the emulation): the chosen models."""
    import tark_host
    plugin_dir = tmp_path_factory.mktemp("models") / PLUGIN_NAME
    plugin_dir.mkdir()
    shutil.copyfile(DIST / "plugin.toml", plugin_dir / "plugin.toml")
    shutil.copyfile(test_module, plugin_dir / "plugin.wasm")
    ids = [m["id"] for m in tark_host.TarkHost.load(plugin_dir, plugin_dir.parent, stdio="capture").provider_models()]
    assert len(ids) >= 2 and "gpt-4" not in ids, ids
    return ids


@pytest.fixture(scope="session")
def identity(test_module, tmp_path_factory) -> dict:
    """The headers the plugin answers besides the account and the per-init session id (originator,
    version, User-Agent), read with the emulation: tark must send each verbatim on every model request."""
    import tark_host
    root = tmp_path_factory.mktemp("identity")
    plugin_dir = root / PLUGIN_NAME
    plugin_dir.mkdir()
    shutil.copyfile(DIST / "plugin.toml", plugin_dir / "plugin.toml")
    shutil.copyfile(test_module, plugin_dir / "plugin.wasm")
    creds = root / "home" / TARK_CREDENTIALS_FILE
    creds.parent.mkdir(parents=True)
    creds.write_text(json.dumps({"access_token": access_jwt(ACCOUNT), "refresh_token": opaque("rt")}),
                     encoding="utf-8")
    rc, answer = tark_host.TarkHost.load(plugin_dir, root / "home", stdio="capture").credentials()
    assert rc > 0, rc
    headers = dict(answer["custom_headers"])
    assert_codex_identity(headers)
    assert headers.pop("ChatGPT-Account-Id") == ACCOUNT
    assert headers.pop(SESSION_HEADER)
    return headers


# --------------------------------------------------------------------------------------------
# One tark installation: a temporary HOME and XDG dirs, the fake as proxy
# --------------------------------------------------------------------------------------------

class Tark:
    def __init__(self, root: Path, binary: str, fake: FakeChatGPT):
        self.root = root
        self.binary = binary
        self.fake = fake
        self.home = root / "home"
        self.xdg = {name: root / name for name in ("config", "data", "cache", "state")}
        self.bin = root / "bin"
        self.work = root / "work"
        for d in (self.home, self.bin, self.work, *self.xdg.values()):
            d.mkdir(parents=True, exist_ok=True)
        self.plugin_dir = installed_plugin_dir(self.home, {XDG_DATA_HOME: str(self.xdg["data"])})
        self.plugins = self.plugin_dir.parent
        self.storage_path = storage_path(self.plugin_dir)
        self.creds_path = self.home / TARK_CREDENTIALS_FILE
        self.config_path = self.xdg["config"] / "tark" / "config.toml"
        self.outputs: list = []            # (what, text) of every run, for the leak check
        self.tokens: set = set()
        self.sample = self.work / "sample.py"
        self.sample.write_text(SAMPLE, encoding="utf-8")

    # ---- environment and runs
    def env(self, **extra) -> dict:
        env = {"PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
               "XDG_CONFIG_HOME": str(self.xdg["config"]), XDG_DATA_HOME: str(self.xdg["data"]),
               "XDG_CACHE_HOME": str(self.xdg["cache"]), "XDG_STATE_HOME": str(self.xdg["state"]),
               "LANG": "C.UTF-8", "NO_COLOR": "1"}
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env[name] = env[name.lower()] = self.fake.url
        env.update(extra)
        for name in ("NO_PROXY", "no_proxy"):
            env.pop(name, None)
        return env

    def run(self, *args, cwd: Optional[Path] = None, timeout: float = RUN_TIMEOUT, verbose: bool = False,
            **extra_env) -> subprocess.CompletedProcess:
        argv = [self.binary, *(["-v"] if verbose else []), *map(str, args)]
        p = subprocess.run(argv, cwd=cwd or self.work, env=self.env(**extra_env), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        self.outputs += [(f"tark {' '.join(map(str, args))} stdout", p.stdout),
                         (f"tark {' '.join(map(str, args))} stderr", p.stderr)]
        return p

    def popen(self, *args, verbose: bool = False, stdin=subprocess.DEVNULL, text: bool = True,
              cwd: Optional[Path] = None, **extra_env) -> subprocess.Popen:
        argv = [self.binary, *(["-v"] if verbose else []), *map(str, args)]
        return subprocess.Popen(argv, cwd=cwd or self.work, env=self.env(**extra_env), stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text)

    def finish(self, proc: subprocess.Popen, what: str, timeout: float = RUN_TIMEOUT) -> tuple:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=10)
            pytest.fail(f"{what} did not finish within {timeout} s:\n{err[-3000:]}")
        if isinstance(out, bytes):
            out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        self.outputs += [(f"{what} stdout", out), (f"{what} stderr", err)]
        return out, err

    # ---- installation, login, configuration
    def install(self, wasm: Path, manifest: Optional[str] = None) -> Path:
        """The card's way: the plugin's files copied into <data dir>/tark/plugins/chatgpt-oauth/."""
        self.plugin_dir.mkdir(parents=True, exist_ok=True)
        (self.plugin_dir / "plugin.toml").write_text(
            manifest if manifest is not None else (DIST / "plugin.toml").read_text(encoding="utf-8"),
            encoding="utf-8")
        shutil.copyfile(wasm, self.plugin_dir / "plugin.wasm")
        return self.plugin_dir

    def use_provider(self) -> None:
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(f'[llm]\ndefault_provider = "{PLUGIN_NAME}"\n', encoding="utf-8")

    def write_creds(self, doc: dict) -> dict:
        for key in ("access_token", "refresh_token", "id_token"):
            if doc.get(key):
                self.tokens.add(doc[key])
        self.creds_path.parent.mkdir(parents=True, exist_ok=True)
        self.creds_path.write_text(json.dumps(doc), encoding="utf-8")
        os.chmod(self.creds_path, 0o600)
        return doc

    def login(self, exp_in: int = 5 * DAY, lifetime: int = 10 * DAY) -> dict:
        """A credentials file as `tark auth chatgpt-oauth` leaves it, its refresh token live at the fake."""
        now = int(time.time())
        doc = {"access_token": make_jwt(claims(ACCOUNT, exp_in, iat=now + exp_in - lifetime)),
               "refresh_token": opaque("rt"),
               "id_token": make_jwt(claims(ACCOUNT, 3600, email="user@example.com")),
               "expires_at": now + exp_in, "account_id": ACCOUNT}
        self.fake.add_refresh_token(doc["refresh_token"])
        self.fake.accept_bearer(doc["access_token"], ACCOUNT)     # the backend issued it at login
        return self.write_creds(doc)

    def complete(self, verbose: bool = True) -> subprocess.CompletedProcess:
        return self.run("complete", "--file", self.sample, "--line", 2, "--col", 11, verbose=verbose)

    def storage(self) -> dict:
        return json.loads(self.storage_path.read_text(encoding="utf-8")) if self.storage_path.exists() else {}

    def all_tokens(self) -> set:
        tokens = set(self.tokens)
        for issued in self.fake.issued:
            tokens.update(t for t in issued.values() if isinstance(t, str))
        return {t for t in tokens if len(t) >= 12}


@pytest.fixture
def fake():
    server = FakeChatGPT(make_access_token=lambda account: access_jwt(account),
                         make_id_token=lambda account: make_jwt(claims(account, 3600, email="user@example.com")),
                         make_refresh_token=lambda: opaque("rt"), account=ACCOUNT, reply_text=REPLY).start()
    yield server
    server.stop()


@pytest.fixture
def tark(tmp_path, tark_bin, fake):
    t = Tark(tmp_path, tark_bin, fake)
    yield t
    leaks = find_leaks(t.outputs, t.all_tokens())
    assert not leaks, "a token (or a 12+-char piece of one) is in tark's output:\n" + "\n".join(leaks[:10])
    # Nothing left the machine: every request the fake saw was answered here or refused.
    for r in fake.requests:
        assert r["method"] == "CONNECT" or r["host"] in ("chatgpt.com", "auth.openai.com", "127.0.0.1"), r["url"]


def readme_text() -> str:
    """The README with its line breaks and runs of spaces made single spaces."""
    return " ".join((REPO / "README.md").read_text(encoding="utf-8").split())


def dist_version() -> str:
    return tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))["plugin"]["version"]


def no_proxy_opener(follow_redirects: bool = True):
    handlers = [urllib.request.ProxyHandler({})]
    if not follow_redirects:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        handlers.append(NoRedirect)
    return urllib.request.build_opener(*handlers)


def wait_for(predicate, timeout: float, what: str, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bearer(token: str) -> str:
    return "Bearer " + token


# --------------------------------------------------------------------------------------------
# ACP on stdio (Content-Length framed JSON-RPC)
# --------------------------------------------------------------------------------------------

class Acp:
    def __init__(self, tark: Tark, cwd: Path, **extra_env):
        self.tark = tark
        self.proc = tark.popen("acp", "--cwd", cwd, stdin=subprocess.PIPE, text=False, cwd=cwd, **extra_env)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buf = b""
        self.messages: list = []
        self.next_id = 0

    def request(self, method: str, params: dict) -> int:
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return self.next_id

    def _pump(self, wait: float) -> None:
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if ready:
            chunk = self.proc.stdout.read()
            if chunk:
                self.buf += chunk
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            length = None
            for line in self.buf[:head_end].decode("ascii", "replace").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None, self.buf[:head_end]
            if len(self.buf) < head_end + 4 + length:
                return
            self.messages.append(json.loads(self.buf[head_end + 4:head_end + 4 + length]))
            self.buf = self.buf[head_end + 4 + length:]

    def wait(self, predicate, timeout: float, what: str) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.messages:
                if predicate(m):
                    return m
            if self.proc.poll() is not None:
                self._pump(0)
                break
            self._pump(0.2)
        for m in self.messages:
            if predicate(m):
                return m
        pytest.fail(f"ACP: no {what} within {timeout} s; messages: {self.messages}")

    def call(self, method: str, params: dict, timeout: float = 60) -> dict:
        rid = self.request(method, params)
        reply = self.wait(lambda m: m.get("id") == rid, timeout, f"reply to {method}")
        assert "error" not in reply, reply
        return reply["result"]

    def updates(self, kind: str) -> list:
        return [m["params"]["update"] for m in self.messages
                if m.get("method") == "session/update" and m["params"]["update"].get("sessionUpdate") == kind]

    def prompt(self, session_id: str, text: str, timeout: float = 60) -> str:
        """One prompt; the agent's text. tark sends its chunks from spawned tasks, so some may arrive
        after agent_message_end: the stream is read for a moment longer."""
        self.call("session/prompt", {"sessionId": session_id, "prompt": [{"type": "text", "text": text}]})
        self.wait(lambda m: m.get("method") == "session/update"
                  and m["params"]["update"].get("sessionUpdate") == "agent_message_end", timeout,
                  "agent_message_end")
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            self._pump(0.1)
        return self.updates("agent_message_chunk")

    def close(self, what: str = "tark acp") -> str:
        """Ends the session as an editor does: stdin closed (communicate closes it), tark exits."""
        _, err = self.tark.finish(self.proc, what, timeout=20)
        self.tark.outputs.append((f"{what} stdout", b"".join(
            json.dumps(m).encode() for m in self.messages).decode()))
        return err


def write_acp_session(workspace: Path, provider: str, model: str) -> None:
    """A saved tark session in <workspace>/.tark: ACP's session/new takes its provider and model."""
    sid = f"session_{uuid.uuid4()}"
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    session = {"id": sid, "name": "test", "created_at": now, "updated_at": now, "provider": provider,
               "model": model, "mode": "ask", "approval_mode": "ask_risky", "window_style": "sidepane",
               "window_position": "right", "messages": [], "input_tokens": 0, "output_tokens": 0,
               "total_cost": 0.0}
    sessions = workspace / ".tark" / "sessions"
    (sessions / sid).mkdir(parents=True)
    (sessions / sid / "session.json").write_text(json.dumps(session), encoding="utf-8")
    (sessions / "current").write_text(sid, encoding="utf-8")


def acp_session(acp: Acp, workspace: Path) -> dict:
    acp.call("initialize", {"protocolVersion": 1, "clientCapabilities": {},
                            "clientInfo": {"name": "test_in_tark", "version": "1"}})
    return acp.call("session/new", {"cwd": str(workspace), "mcpServers": []}, timeout=60)


def chunk_text(chunks: list) -> str:
    # the order of chunks is not guaranteed either: compare as a multiset of pieces
    return "".join(c["content"]["text"] for c in chunks if c.get("content", {}).get("type") == "text")


# ============================================================================================
# 1. Installation and plugin management
# ============================================================================================

def test_plugin_add_list_info_disable_enable_update(tark, tmp_path, test_module):
    # `tark plugin add ./dist`, from this checkout
    p = tark.run("plugin", "add", "./dist", cwd=REPO)
    assert p.returncode == 0, p.stderr
    assert f"Successfully installed plugin: {PLUGIN_NAME}" in p.stdout
    assert "HTTP to: auth.openai.com" in p.stdout
    for name in ("plugin.toml", "plugin.wasm"):
        assert (tark.plugin_dir / name).read_bytes() == (DIST / name).read_bytes(), name
    source = json.loads((tark.plugin_dir / ".install.json").read_text(encoding="utf-8"))
    # tark records the path as typed: relative to the directory `plugin add` ran in
    assert source["is_git"] is False and source["url"] == "./dist", source
    assert not (tark.plugin_dir / "data").exists()

    p = tark.run("plugin", "list")
    assert p.returncode == 0
    row = next(line for line in p.stdout.splitlines() if PLUGIN_NAME in line)
    assert dist_version() in row and "provider" in row and "enabled" in row, row
    assert f"Plugins directory: {tark.plugins}" in p.stdout

    p = tark.run("plugin", "info", PLUGIN_NAME)
    assert p.returncode == 0
    assert f"Install: {tark.plugin_dir}" in p.stdout
    assert f"Data:    {tark.plugin_dir / 'data'}" in p.stdout
    assert "HTTP:    auth.openai.com" in p.stdout
    assert "Env:     HOME, CHATGPT_OAUTH_CREDENTIALS_PATH, XDG_DATA_HOME" in p.stdout

    # a second add of the same name is refused
    p = tark.run("plugin", "add", "./dist", cwd=REPO)
    assert p.returncode != 0 and f"Plugin '{PLUGIN_NAME}' is already installed" in p.stderr

    # disable: a `.disabled` marker; tark then knows no such provider
    tark.use_provider()
    p = tark.run("plugin", "disable", PLUGIN_NAME)
    assert p.returncode == 0 and (tark.plugin_dir / ".disabled").exists()
    assert "disabled" in next(line for line in tark.run("plugin", "list").stdout.splitlines() if PLUGIN_NAME in line)
    p = tark.complete(verbose=False)
    assert p.returncode != 0 and f"Unknown LLM provider: {PLUGIN_NAME}" in p.stderr, p.stderr
    p = tark.run("auth", PLUGIN_NAME)
    assert f"Unknown provider: {PLUGIN_NAME}" in p.stderr, p.stderr
    p = tark.run("plugin", "enable", PLUGIN_NAME)
    assert p.returncode == 0 and not (tark.plugin_dir / ".disabled").exists()

    # update from the recorded source: only from the directory it was added from (a relative path)
    p = tark.run("plugin", "update", PLUGIN_NAME)
    assert p.returncode != 0 and "Local plugin source path not found: ./dist" in p.stderr, p.stderr
    (tark.plugin_dir / "data").mkdir()
    tark.storage_path.write_text('{"keep": "me"}', encoding="utf-8")
    p = tark.run("plugin", "update", PLUGIN_NAME, cwd=REPO)
    assert p.returncode == 0 and f"Updated plugin: {PLUGIN_NAME}" in p.stdout, p.stderr
    assert tark.storage_path.read_text(encoding="utf-8") == '{"keep": "me"}'
    assert (tark.plugin_dir / ".install.json").exists()

    # update from a new build of the source: the wasm is replaced, data/ stays
    newer = tmp_path / "newer-dist"
    shutil.copytree(DIST, newer)
    shutil.copyfile(test_module, newer / "plugin.wasm")
    source["url"] = str(newer)
    (tark.plugin_dir / ".install.json").write_text(json.dumps(source), encoding="utf-8")
    p = tark.run("plugin", "update", PLUGIN_NAME)
    assert p.returncode == 0, p.stderr
    assert (tark.plugin_dir / "plugin.wasm").read_bytes() == test_module.read_bytes()
    assert tark.storage_path.read_text(encoding="utf-8") == '{"keep": "me"}'


def test_plugin_add_from_a_git_repository_path_dist(tark, tmp_path):
    """`tark plugin add <git url> --path dist`, from a local repository (file://, no network)."""
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    repo = tmp_path / "repo"
    shutil.copytree(DIST, repo / "dist")
    git = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(tark.home), "PATH": os.environ["PATH"]}
    for argv in (["init", "-q", "-b", "main"], ["add", "dist"], ["commit", "-q", "-m", "dist"]):
        subprocess.run(["git", *argv], cwd=repo, env=git, check=True, capture_output=True, timeout=60)
    url = f"file://{repo}"
    p = tark.run("plugin", "add", url, "--path", "dist")
    assert p.returncode == 0, p.stderr
    assert f"Successfully installed plugin: {PLUGIN_NAME}" in p.stdout
    assert (tark.plugin_dir / "plugin.wasm").read_bytes() == (DIST / "plugin.wasm").read_bytes()
    source = json.loads((tark.plugin_dir / ".install.json").read_text(encoding="utf-8"))
    assert (source["is_git"], source["url"], source["branch"], source["path"]) == (True, url, "main", "dist")
    p = tark.run("plugin", "update", PLUGIN_NAME)
    assert p.returncode == 0 and f"Updated plugin: {PLUGIN_NAME}" in p.stdout, p.stderr


def test_card_install_by_copying_dist(tark):
    """The card's way: dist/ copied into $XDG_DATA_HOME/tark/plugins/chatgpt-oauth/."""
    shutil.copytree(DIST, tark.plugin_dir)
    p = tark.run("plugin", "list")
    row = next(line for line in p.stdout.splitlines() if PLUGIN_NAME in line)
    assert "enabled" in row and dist_version() in row, p.stdout
    p = tark.run("plugin", "info", PLUGIN_NAME)
    assert p.returncode == 0 and f"WASM:    {tark.plugin_dir / 'plugin.wasm'}" in p.stdout
    # without .install.json there is nothing to update from
    p = tark.run("plugin", "update", PLUGIN_NAME)
    assert p.returncode != 0 and "Missing install metadata" in p.stderr, p.stderr
    # and it is a working provider: provider init succeeds, the request goes to chatgpt.com:443
    tark.use_provider()
    tark.login()
    p = tark.complete()
    assert "Got auth credentials: api_mode=openai_compat" in p.stderr, p.stderr
    assert any(r["url"] == "chatgpt.com:443" for r in tark.fake.connects())


def test_notice_and_licence_are_installed_with_the_plugin(tark):
    """dist/NOTICE travels with the plugin, by `tark plugin add` and by the README's `cp dist/*`,
    and tark still lists the plugin, shows its licence and loads it as a provider."""
    p = tark.run("plugin", "add", str(DIST))
    assert p.returncode == 0, p.stderr
    assert (tark.plugin_dir / "NOTICE").read_bytes() == (DIST / "NOTICE").read_bytes()
    p = tark.run("plugin", "info", PLUGIN_NAME)
    assert p.returncode == 0 and "License: Apache-2.0" in p.stdout, p.stdout
    shutil.rmtree(tark.plugin_dir)
    tark.plugin_dir.mkdir(parents=True)
    for name in sorted(path.name for path in DIST.iterdir()):     # cp dist/* <plugins dir>/chatgpt-oauth/
        shutil.copyfile(DIST / name, tark.plugin_dir / name)
    assert (tark.plugin_dir / "NOTICE").is_file()
    row = next(line for line in tark.run("plugin", "list").stdout.splitlines() if PLUGIN_NAME in line)
    assert "enabled" in row and dist_version() in row, row
    tark.use_provider()
    tark.login()
    p = tark.complete()
    assert "Got auth credentials: api_mode=openai_compat" in p.stderr, p.stderr


# ============================================================================================
# 2. `tark auth chatgpt-oauth`: the PKCE login
# ============================================================================================

def login_manifest(fake: FakeChatGPT) -> str:
    text = (DIST / "plugin.toml").read_text(encoding="utf-8")
    replaced = (text.replace('"https://auth.openai.com/oauth/authorize"', f'"{fake.url}/oauth/authorize"')
                .replace('"https://auth.openai.com/oauth/token"', f'"{fake.url}/oauth/token"'))
    oauth = tomllib.loads(replaced)["oauth"]
    assert oauth["auth_url"].startswith(fake.url) and oauth["token_url"].startswith(fake.url), oauth
    return replaced


def stub_browser(tark: Tark) -> Path:
    """An `xdg-open` first on PATH that records the URL it is asked to open."""
    opened = tark.root / "opened-urls.txt"
    script = tark.bin / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\nexit 0\n', encoding="utf-8")
    script.chmod(0o755)
    return opened


def play_browser(fake: FakeChatGPT, auth_url: str, state: Optional[str] = None) -> bytes:
    """What the user's browser does: the authorize page (the fake issuer signs in at once and
    redirects), then the redirect to tark's callback on 127.0.0.1:1455."""
    try:
        no_proxy_opener(follow_redirects=False).open(auth_url, timeout=10)
        pytest.fail("the fake issuer did not redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 302, e
        location = e.headers["Location"]
    u = urllib.parse.urlsplit(location)
    assert u.hostname == "localhost" and u.port == CALLBACK_PORT and u.path == "/auth/callback", location
    query = dict(urllib.parse.parse_qsl(u.query))
    if state is not None:
        query["state"] = state
    callback = f"http://127.0.0.1:{CALLBACK_PORT}{u.path}?{urllib.parse.urlencode(query)}"
    return no_proxy_opener().open(callback, timeout=10).read()


def run_login(tark: Tark, state: Optional[str] = None) -> tuple:
    with socket.socket() as s:      # tark only logs a failed bind, then waits 120 s for nothing
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as tokio binds it
        try:
            s.bind(("127.0.0.1", CALLBACK_PORT))
        except OSError as e:
            pytest.fail(f"port {CALLBACK_PORT} is taken ({e}): tark's login callback needs it")
    opened = stub_browser(tark)
    proc = tark.popen("auth", PLUGIN_NAME)
    try:
        urls = wait_for(lambda: opened.exists() and opened.read_text().split(), 30, "tark to open the browser")
        page = play_browser(tark.fake, urls[0], state)
    except BaseException:
        proc.kill()
        tark.finish(proc, "tark auth (killed)")
        raise
    out, err = tark.finish(proc, "tark auth", timeout=60)
    return proc.returncode, out, err, urls[0], page


def test_pkce_login_writes_the_credentials_file(tark, test_module):
    tark.install(test_module, login_manifest(tark.fake))
    before = time.time()
    rc, out, err, auth_url, page = run_login(tark)

    # the authorize URL tark opened
    u = urllib.parse.urlsplit(auth_url)
    q = dict(urllib.parse.parse_qsl(u.query))
    assert f"{u.scheme}://{u.netloc}{u.path}" == f"{tark.fake.url}/oauth/authorize"
    assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID
    assert q["redirect_uri"] == f"http://localhost:{CALLBACK_PORT}/auth/callback"
    assert q["scope"] == "openid profile email offline_access"
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["state"]
    extra = tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))["oauth"]["extra_params"]
    assert (q["originator"], q["id_token_add_organizations"], q["codex_cli_simplified_flow"]) == (
        extra["originator"], "true", "true")
    assert auth_url in out, "tark prints the URL too"
    assert b"Authentication successful" in page

    # the code exchange: a form POST whose code_verifier matches the challenge
    exchange = tark.fake.of("POST", "127.0.0.1", "/oauth/token")
    assert len(exchange) == 1
    form = dict(urllib.parse.parse_qsl(exchange[0]["body"]))
    assert form["grant_type"] == "authorization_code" and form["client_id"] == CLIENT_ID
    assert s256(form["code_verifier"]) == q["code_challenge"]
    assert tark.fake.pkce_checks == [(True, "")]

    assert rc == 0, err
    assert "Successfully authenticated!" in out and f"Credentials saved to: {tark.creds_path}" in out
    assert "[plugin:chatgpt-oauth] Logged in to ChatGPT." in err

    # the file, written from auth_process_tokens: the issued tokens, expires_at, account_id; 0600
    issued = tark.fake.issued[0]
    doc = json.loads(tark.creds_path.read_text(encoding="utf-8"))
    assert {k: doc[k] for k in ("access_token", "refresh_token", "id_token")} == issued
    assert doc["account_id"] == ACCOUNT
    assert before + 10 * DAY - 5 <= doc["expires_at"] <= time.time() + 10 * DAY + 5
    assert set(doc) == {"access_token", "refresh_token", "id_token", "expires_at", "account_id"}
    assert stat.S_IMODE(tark.creds_path.stat().st_mode) == 0o600
    # tark creates the directory with its default mode (0777 & ~umask), not 0700
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(tark.creds_path.parent.stat().st_mode) == 0o777 & ~umask

    # and the login works: the next provider init hands tark that access token, which the backend takes
    tark.use_provider()
    p = tark.complete()
    [r] = tark.fake.model_requests()
    assert r.header("authorization") == bearer(issued["access_token"])
    assert_only_tarks_rules_broken(r, p)


def test_pkce_login_ignores_the_state(tark, test_module):
    """tark never compares the callback's state with the one it sent (a CSRF check the plugin cannot add)."""
    tark.install(test_module, login_manifest(tark.fake))
    rc, out, err, _, _ = run_login(tark, state="not-the-state-tark-sent")
    assert rc == 0 and "Successfully authenticated!" in out, err
    assert tark.creds_path.exists()


def test_failed_pkce_login_exits_0_and_writes_nothing(tark, test_module):
    """A refused code exchange: tark says so, exits 0 all the same, and writes no file."""
    tark.install(test_module, login_manifest(tark.fake))
    tark.fake.refuse_code_exchange = True
    rc, out, err, _, _ = run_login(tark)
    assert "Authentication failed: Token request failed (400 Bad Request)" in out, out
    assert rc == 0
    assert not tark.creds_path.exists()
    assert "auth_process_tokens" not in err and "Logged in to ChatGPT" not in err


# ============================================================================================
# 3. Provider init and one model request
# ============================================================================================

# The rules tark breaks on its non-streaming paths, whatever the plugin answers: no `stream: true`, and
# for `tark complete` the model gpt-4, which ChatGPT does not serve.
TARKS_RULES = {"stream", "model_supported"}


def tarks_rules(model: str, stream: bool) -> list:
    """The rules the strict backend finds broken on a request tark sends correctly with the plugin's
    answer: none on a streaming path; `stream` otherwise, and `model_supported` for gpt-4."""
    return ([] if stream else ["stream"]) + (["model_supported"] if codex_rules.model(model) is None else [])


def assert_codex_request(r, token: str, model: str, stream: bool, identity: dict) -> dict:
    """One model request as tark sends it with the plugin's answer: its bearer, the account, the
    plugin's identity headers verbatim (tark adds none of its own), tark's body; judged by the strict
    backend, it breaks only what tark decides."""
    assert r["method"] == "POST" and r["url"] == CODEX_URL
    assert r.header("authorization") == bearer(token)
    assert r.header("chatgpt-account-id") == ACCOUNT
    assert r.header("content-type") == "application/json"
    for name, value in identity.items():
        assert r.header(name) == value, name
    assert uuid.UUID(r.header(SESSION_HEADER)), "one session id a provider init"
    names = [k.lower() for k, _ in r["headers"]]
    assert names.count("user-agent") == 1, names
    assert not [n for n in names if "api_mode" in n or "api-mode" in n or n == "openai-beta"
                or n == "session_id"], names
    body = r["json"]
    assert body["model"] == model and body["store"] is False and body["instructions"]
    assert ("stream" in body) == stream and body.get("stream", True) is True
    assert "max_output_tokens" not in body            # tark leaves it out for chatgpt.com/…codex
    assert r["violations"] == tarks_rules(model, stream), r["violations"]
    return body


def assert_only_tarks_rules_broken(r, p: subprocess.CompletedProcess) -> None:
    """A `tark complete` whose request passed every rule the plugin decides and was refused only for
    what tark sends (tark's doing): the user reads the backend's `stream` refusal."""
    assert r["violations"] and set(r["violations"]) <= TARKS_RULES, r["violations"]
    assert r["refusal"].rule == "stream"
    assert p.returncode == 1 and STREAM_REFUSAL in p.stderr, p.stderr


# What `tark complete` prints when the backend refuses its request for `stream` (tark's LlmError::BadRequest).
STREAM_REFUSAL = 'Bad request: {"detail":"Stream must be set to true"}'


def test_tark_complete_is_refused_for_stream(tark, test_module, identity):
    """`tark complete` sends the plugin's whole answer, but no `stream: true` and the model gpt-4: the
    strict backend refuses it for `stream` (tark's doing), and the README's advice (use the TUI or an
    ACP chat, with a chosen model) is what the user needs after reading this error."""
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login()
    p = tark.complete()
    assert "Got auth credentials: api_mode=openai_compat, has_project_id=false" in p.stderr
    assert f"Created OpenAI-compatible provider for {CODEX_URL}, model=gpt-4" in p.stderr
    [r] = tark.fake.model_requests()
    body = assert_codex_request(r, creds["access_token"], "gpt-4", stream=False, identity=identity)
    assert r["violations"] == ["stream", "model_supported"]
    assert_only_tarks_rules_broken(r, p)
    assert p.stdout.strip() == "", "no completion"
    assert "<CURSOR>" in body["input"][0]["content"]
    assert f"end in `Error: {STREAM_REFUSAL}`" in readme_text(), "the README quotes what the user reads"
    assert not tark.fake.of(host="auth.openai.com"), "a valid login needs no token request"
    assert not tark.storage_path.exists(), "nothing to store"


def test_config_is_read_from_xdg_config_home(tark, test_module):
    """tark reads $XDG_CONFIG_HOME/tark/config.toml; the plugin's file stays ~/.config/tark/chatgpt_oauth.json."""
    tark.install(test_module)
    tark.login()
    home_config = tark.home / ".config" / "tark" / "config.toml"
    home_config.write_text(f'[llm]\ndefault_provider = "{PLUGIN_NAME}"\n', encoding="utf-8")
    tark.complete(verbose=False)
    assert not tark.fake.model_requests(), "~/.config/tark/config.toml is not tark's config here"
    tark.use_provider()
    p = tark.complete(verbose=False)
    [r] = tark.fake.model_requests()
    assert_only_tarks_rules_broken(r, p)


def test_credentials_path_from_the_environment(tark, test_module):
    """CHATGPT_OAUTH_CREDENTIALS_PATH reaches the plugin through tark:env (tark's own environment); the
    file is read only once its path is in fs_read."""
    custom = tark.work / "project" / ".tark" / "plugins" / PLUGIN_NAME / "oauth.json"
    manifest = (DIST / "plugin.toml").read_text(encoding="utf-8")
    tark.install(test_module, manifest)
    tark.use_provider()
    creds = tark.login()
    custom.parent.mkdir(parents=True)
    tark.creds_path.rename(custom)

    p = tark.run("complete", "--file", tark.sample, "--line", 2, "--col", 11, verbose=True,
                 CHATGPT_OAUTH_CREDENTIALS_PATH=str(custom))
    assert p.returncode == 1
    assert f"[plugin:chatgpt-oauth] fs.read blocked - path not in allowed list: {custom}" in p.stderr
    assert f"tark refused to read the credentials file {custom}: add it to fs_read" in p.stderr
    assert "provider_auth_credentials returned error code: -6" in p.stderr
    assert not tark.fake.model_requests()

    listed = manifest.replace('fs_read = [\n', f'fs_read = [\n    "{custom}",\n', 1)
    assert str(custom) in tomllib.loads(listed)["capabilities"]["fs_read"]
    tark.install(test_module, listed)
    p = tark.run("complete", "--file", tark.sample, "--line", 2, "--col", 11, verbose=True,
                 CHATGPT_OAUTH_CREDENTIALS_PATH=str(custom))
    [r] = tark.fake.model_requests()
    assert r.header("authorization") == bearer(creds["access_token"])
    assert_only_tarks_rules_broken(r, p)


def acp_turn(tark: Tark, model: str, prompt: str = "Say hello", **extra_env) -> tuple:
    """One ACP chat turn (a new `tark acp` on a workspace whose saved session chose ``model``):
    ``(chunks, agent_message_end update with the error tark reports beside it or None, tark's stderr)``."""
    workspace = tark.work / f"acp-{model}-{uuid.uuid4().hex[:6]}"
    workspace.mkdir()
    write_acp_session(workspace, PLUGIN_NAME, model)
    acp = Acp(tark, workspace, **extra_env)
    try:
        session = acp_session(acp, workspace)
        model_option = next(o for o in session["configOptions"] if o["id"] == "model")
        assert model_option["currentValue"] == model
        chunks = acp.prompt(session["sessionId"], prompt)
        end = acp.updates("agent_message_end")[-1]
        # tark puts an error's text beside the update: params._meta.tark.errorMessage
        meta = next(m["params"].get("_meta", {}).get("tark", {}) for m in acp.messages
                    if m.get("method") == "session/update" and m["params"]["update"] is end)
    finally:
        err = acp.close(f"tark acp ({model})")
    return chunks, dict(end, error=meta.get("errorMessage")), err


def assert_reply_shown(chunks: list, end: dict) -> None:
    """The fake's reply reached the ACP client, as its two deltas (in any order: a tark bug)."""
    assert end["stopReason"] == "end_turn" and end["error"] is None, end
    assert sorted(chunk_text([c]) for c in chunks) == sorted([REPLY[:len(REPLY) // 2], REPLY[len(REPLY) // 2:]])


def test_acp_chat_turn_with_every_listed_model(tark, test_module, models, identity):
    """One ACP chat turn per model the plugin lists: each request passes every rule of the strict
    backend, and its reply is shown to the client."""
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login()
    shown = {}
    for chosen in models:
        chunks, end, err = acp_turn(tark, chosen)
        assert_reply_shown(chunks, end)
        assert f"model={chosen}" in err
        shown[chosen] = chunk_text(chunks)
    requests = tark.fake.model_requests()
    assert [r["json"]["model"] for r in requests] == models
    for r, chosen in zip(requests, models):
        body = assert_codex_request(r, creds["access_token"], chosen, stream=True, identity=identity)
        assert r["refusal"] is None and r["violations"] == []
        assert "Say hello" in json.dumps(body["input"])
        assert body["tools"] and body["tool_choice"] == "auto"
    assert len(tark.fake.accepted()) == len(models) and set(shown) == set(models)
    assert len({r.header(SESSION_HEADER) for r in requests}) == len(models), "a new id each tark acp"


def test_acp_refusals_the_user_reads(tark, test_module, identity):
    """CHATGPT_OAUTH_CODEX_VERSION below a model's floor: the strict backend refuses that model as
    ChatGPT refuses an old Codex, and the ACP client reads what the README says it will; another
    originator (what the plugin sent before it spoke as Codex) closes gpt-5.6-luna."""
    tark.install(test_module)
    tark.use_provider()
    tark.login()
    shown = {}
    for model in ("gpt-5.6-sol", "gpt-6-astra"):
        chunks, end, err = acp_turn(tark, model, CHATGPT_OAUTH_CODEX_VERSION="0.140.0")
        assert chunk_text(chunks) == "" and end["stopReason"] == "refusal", end
        shown[model] = end["error"]
        assert "Streaming error: openai-compat API error (" in err, "tark's log names it too"
    assert shown["gpt-5.6-sol"] == "HTTP 404 Not Found: Model not found gpt-5.6-sol"
    assert shown["gpt-6-astra"].startswith("Bad request: ") and \
        "The 'gpt-6-astra' model requires a newer version of Codex" in shown["gpt-6-astra"]
    for r in tark.fake.model_requests():
        assert r.header("version") == "0.140.0" and r["violations"] == ["client_version"], r["violations"]
        assert r.header("user-agent").startswith(f"{identity['originator']}/0.140.0 ")

    chunks, end, _ = acp_turn(tark, "gpt-5.6-luna", CHATGPT_OAUTH_ORIGINATOR="opencode")
    assert (chunk_text(chunks), end["stopReason"]) == ("", "refusal")
    assert end["error"] == "HTTP 404 Not Found: Model not found gpt-5.6-luna"
    assert tark.fake.model_requests()[-1]["violations"] == ["codex_client"]
    # the README names both refusals and the way out
    readme = readme_text()
    assert "HTTP 404 Not Found" in readme and "Model not found <slug>" in readme
    assert "requires a newer version of Codex" in readme and "CHATGPT_OAUTH_CODEX_VERSION" in readme


def test_serve_inline_complete_with_a_chosen_model(tark, test_module, models, identity):
    """/inline-complete sends the model it is given, without `stream: true`: refused for that alone."""
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login()
    port = free_port()
    proc = tark.popen("serve", "--port", port, "--host", "127.0.0.1", "--cwd", tark.work)
    try:
        opener = no_proxy_opener()
        wait_for(lambda: _health(opener, port), 30, "tark serve to answer /health", step=0.3)
        body = json.dumps({"file_path": str(tark.sample), "file_content": SAMPLE, "cursor_line": 1,
                           "cursor_col": 11, "model": models[-1]}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/inline-complete", data=body,
                                     headers={"Content-Type": "application/json"})
        status, answer = _post_json(opener, req)
    finally:
        proc.terminate()
        tark.finish(proc, "tark serve", timeout=20)
    [r] = tark.fake.model_requests()
    assert_codex_request(r, creds["access_token"], models[-1], stream=False, identity=identity)
    assert r["violations"] == ["stream"]
    assert REPLY not in json.dumps(answer), (status, answer)
    assert "Stream must be set to true" in json.dumps(answer), (status, answer)


def _post_json(opener, req) -> tuple:
    try:
        reply = opener.open(req, timeout=60)
        return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text


def _health(opener, port: int) -> bool:
    try:
        return json.loads(opener.open(f"http://127.0.0.1:{port}/health", timeout=2).read())["status"] == "ok"
    except (OSError, ValueError, KeyError):
        return False


def test_shipped_module_goes_to_chatgpt_443(tark):
    tark.install(DIST / "plugin.wasm")
    tark.use_provider()
    tark.login()
    p = tark.complete()
    assert f"Created OpenAI-compatible provider for https://{CODEX_HOST}{CODEX_PATH}" in p.stderr
    assert any(r["url"] == "chatgpt.com:443" for r in tark.fake.connects()), tark.fake.requests
    assert not tark.fake.of(host=CODEX_HOST, method="POST"), "never in clear"
    # the proxy refused the tunnel, so the request fails
    assert p.returncode == 1 and "Failed to send request to openai-compat API" in p.stderr


# ============================================================================================
# 4. A due refresh through tark's own tark:http
# ============================================================================================

def assert_sealed_storage(tark: Tark, root_refresh_token: str, expected: dict) -> None:
    text = tark.storage_path.read_text(encoding="utf-8")
    assert text.startswith("{\n  \""), "tark writes storage.json pretty-printed"
    store = json.loads(text)
    assert all(isinstance(v, str) for v in store.values())
    entry = json.loads(store["tokens"])
    assert entry["lineage"] == lineage_id(root_refresh_token)
    tokens = open_entry(entry, root_refresh_token)
    assert tokens is not None, "the stored entry does not open with the file's refresh token"
    assert {k: tokens[k] for k in ("access_token", "refresh_token", "id_token")} == expected
    for token in expected.values():
        assert token not in text, "tokens are sealed, never in clear"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(tark.storage_path.stat().st_mode) == 0o666 & ~umask


def test_due_refresh_is_sealed_and_used(tark, test_module, models, identity):
    """A login inside the refresh margin, then an ACP chat turn: the plugin refreshes through tark:http
    with its Codex identity, the strict backend accepts the new bearer and the reply is shown."""
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login(exp_in=MARGIN // 2)           # a JWT expiring inside the refresh margin
    file_before = tark.creds_path.read_bytes()
    chunks, end, err = acp_turn(tark, models[0])
    assert_reply_shown(chunks, end)
    assert "[plugin:chatgpt-oauth] Refreshed the ChatGPT access token." in err

    [refresh] = tark.fake.of("POST", "auth.openai.com", "/oauth/token")
    assert refresh["url"] == TOKEN_URL
    assert refresh["json"] == {"client_id": CLIENT_ID, "grant_type": "refresh_token",
                               "refresh_token": creds["refresh_token"], "scope": "openid profile email"}
    assert refresh.header("content-type") == "application/json"
    # the token endpoint (which meets a request without a User-Agent with Cloudflare's 403 page) saw
    # the same Codex identity as the model requests
    assert tark.fake.challenge_without_user_agent
    assert (refresh["user_agent"], refresh["originator"]) == (identity["User-Agent"], identity["originator"])
    assert tark.fake.refreshes == {creds["refresh_token"]: 1}

    [issued] = tark.fake.issued
    assert_sealed_storage(tark, creds["refresh_token"], issued)
    assert tark.creds_path.read_bytes() == file_before, "the plugin never writes the credentials file"
    [r] = tark.fake.model_requests()
    assert_codex_request(r, issued["access_token"], models[0], stream=True, identity=identity)
    assert r["violations"] == []

    # the next start uses the stored tokens: no new refresh, the new bearer again
    p = tark.complete()
    assert f"[plugin:chatgpt-oauth] http.post({TOKEN_URL})" not in p.stderr
    assert tark.fake.presentations == {creds["refresh_token"]: 1}
    assert [x.header("authorization") for x in tark.fake.model_requests()] == [bearer(issued["access_token"])] * 2
    assert_only_tarks_rules_broken(tark.fake.model_requests()[-1], p)


def test_due_refresh_logs_its_request(tark, test_module):
    """tark -v shows the plugin's refresh request (tark:http) on stderr."""
    tark.install(test_module)
    tark.use_provider()
    tark.login(exp_in=MARGIN // 2)
    p = tark.complete()
    assert "[plugin:chatgpt-oauth] Refreshed the ChatGPT access token." in p.stderr
    assert f"[plugin:chatgpt-oauth] http.post({TOKEN_URL})" in p.stderr
    [refresh] = tark.fake.token_requests()
    assert refresh["user_agent"] and refresh["originator"]


def test_two_tark_processes_spend_the_refresh_token_once(tark, test_module):
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login(exp_in=MARGIN // 2)
    procs = [tark.popen("complete", "--file", tark.sample, "--line", 2, "--col", 11, verbose=True)
             for _ in range(2)]
    results = [tark.finish(p, f"tark complete #{n}") + (p.returncode,) for n, p in enumerate(procs)]
    for out, err, rc in results:
        assert rc == 1 and STREAM_REFUSAL in err, err
    rt = creds["refresh_token"]
    assert tark.fake.refreshes == {rt: 1}, "spent once"
    assert 1 <= tark.fake.presentations[rt] <= 2
    [issued] = tark.fake.issued
    assert [r.header("authorization") for r in tark.fake.model_requests()] == [bearer(issued["access_token"])] * 2
    for r in tark.fake.model_requests():
        assert r["violations"] == tarks_rules("gpt-4", stream=False), "the new bearer is accepted"
    if tark.fake.presentations[rt] == 2:
        assert any("Another tark session has just refreshed this ChatGPT login; using its tokens." in err
                   for _, err, _ in results)
    assert_sealed_storage(tark, rt, issued)


# ============================================================================================
# 5. Not logged in: tark's fallback to provider_chat
# ============================================================================================

def test_not_logged_in_fallback_explains(tark, test_module):
    tark.install(test_module)
    tark.use_provider()
    # tark complete: provider init fails, the fallback adapter has no FIM
    p = tark.complete()
    assert p.returncode == 1
    assert "Failed to get auth credentials from plugin: Function provider_auth_credentials returned error code: -1" in p.stderr
    assert "[plugin:chatgpt-oauth] No ChatGPT credentials:" in p.stderr
    assert f"Error: FIM completion not supported by plugin provider: {PLUGIN_NAME}" in p.stderr

    # a chat (ACP): the plugin's provider_chat answers, as the assistant's message
    workspace = tark.work / "acp"
    workspace.mkdir()
    acp = Acp(tark, workspace)
    try:
        session = acp_session(acp, workspace)
        chunks = acp.prompt(session["sessionId"], "Say hello")
    finally:
        acp.close()
    text = chunk_text(chunks)
    assert "Plugin does not export 'provider_chat' function" not in text
    assert PLUGIN_NAME in text and f"tark auth {PLUGIN_NAME}" in text, text
    assert str(tark.creds_path) in text
    assert not tark.fake.model_requests() and not tark.fake.of(host="auth.openai.com")


# ============================================================================================
# 6. `tark auth logout chatgpt-oauth`, then the next provider init
# ============================================================================================

def test_logout_then_next_init(tark, test_module):
    tark.install(test_module)
    tark.use_provider()
    creds = tark.login(exp_in=MARGIN // 2)
    p = tark.complete()
    assert_only_tarks_rules_broken(tark.fake.model_requests()[-1], p)
    assert "tokens" in tark.storage()

    p = tark.run("auth", "logout", PLUGIN_NAME)
    assert p.returncode == 0
    assert f"Deleted: {tark.creds_path}" in p.stdout
    assert not tark.creds_path.exists()
    assert "tokens" in tark.storage(), "tark leaves the plugin's storage.json as it was"

    p = tark.complete()
    assert p.returncode == 1
    assert "[plugin:chatgpt-oauth] No ChatGPT credentials:" in p.stderr
    assert "provider_auth_credentials returned error code: -1" in p.stderr
    assert "[plugin:chatgpt-oauth] Forgot the ChatGPT tokens kept in the plugin's storage" in p.stderr
    assert "tokens" not in tark.storage(), "the plugin forgot the stored tokens"
    assert tark.storage_path.read_text(encoding="utf-8") == "{}"        # storage.delete, rewritten whole
    assert tark.fake.presentations == {creds["refresh_token"]: 1}, "nothing spent or revoked after logout"
    assert not tark.fake.revoked
    assert len(tark.fake.model_requests()) == 1

    p = tark.run("auth", "logout", PLUGIN_NAME)
    assert p.returncode == 0 and "No credentials found for ChatGPT (OAuth)" in p.stdout
