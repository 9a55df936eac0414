"""The bench command (plugin/tools/bench.py) runs against dist/ and reports what it measured.

(The check command has its own tests, in test_check.py; the last tests here pin where the tools look
for the installed plugin.)
"""

import json
import subprocess
import sys

import pytest

from chatgpt_oauth_tools import bench
from conftest import REPO

TOOLS = REPO / "plugin" / "tools"


def test_bench_measures_both_plugins(tmp_path):
    """A short run: both plugins answered, the sizes are the files', the ratios are ours / peer.

    The Rust plugin measured against is not in this repository: it is the built dist/ of tark's
    Rust chatgpt-oauth plugin (``tark/chatgpt`` in github.com/thoughtoinnovate/plugins), found
    where bench.py looks for it by default (``bench.PEER_DIR``; ``$CHATGPT_OAUTH_RUST_PEER``
    overrides it). Without it this test is skipped."""
    if not (bench.PEER_DIR / "plugin.wasm").is_file():
        pytest.skip(f"no Rust plugin to compare with at {bench.PEER_DIR}: build tark/chatgpt from "
                    "github.com/thoughtoinnovate/plugins and set CHATGPT_OAUTH_RUST_PEER to its dist/")
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(TOOLS / "bench.py"), "--rounds", "2", "--warm", "5",
                             "--no-rss", "--quiet", "--json-file", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    ours_size = (bench.OURS_DIR / "plugin.wasm").stat().st_size
    assert report["ours"]["size"] == ours_size
    assert report["peer"]["size"] == (bench.PEER_DIR / "plugin.wasm").stat().st_size
    assert report["ratios"]["size"] == pytest.approx(ours_size / report["peer"]["size"], rel=1e-3)
    for plugin in ("ours", "peer"):
        assert report[plugin]["answer_bytes"] > 0
        assert report[plugin]["pages_first"] > 0
    for key in ("cold", "warm"):
        assert report["ratios"][key] > 0


@pytest.mark.parametrize("system, env, below_home", [
    ("linux", {}, ".local/share"),
    ("linux", {"XDG_DATA_HOME": "relative/ignored"}, ".local/share"),
    ("macos", {"XDG_DATA_HOME": "/ignored/on/macos"}, "Library/Application Support"),
])
def test_tools_load_the_copy_tark_runs_on_each_system(tmp_path, system, env, below_home):
    """check.py and login.py load the installed plugin where tark keeps it on that system, and this
    repository's dist/ when none is installed there."""
    from chatgpt_oauth_tools import facts
    assert facts.plugin_dir_in_use(tmp_path, env, system) == (facts.REPO_DIST, False)
    installed = tmp_path / below_home / "tark" / "plugins" / "chatgpt-oauth"
    installed.mkdir(parents=True)
    (installed / "plugin.toml").write_text("")
    assert facts.plugin_dir_in_use(tmp_path, env, system) == (installed, True)


def test_tools_follow_xdg_data_home_on_linux(tmp_path):
    from chatgpt_oauth_tools import facts
    installed = tmp_path / "xdg" / "tark" / "plugins" / "chatgpt-oauth"
    installed.mkdir(parents=True)
    (installed / "plugin.toml").write_text("")
    assert facts.plugin_dir_in_use(tmp_path, {"XDG_DATA_HOME": str(tmp_path / "xdg")}, "linux") == (installed, True)
