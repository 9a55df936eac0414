"""The bench command in plugin/tools runs against dist/ (the check command: test_check.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[3] / "tools"
PEER = Path(__file__).resolve().parents[5] / "shared" / "peers" / "rust-chatgpt-oauth"


def run(*args, timeout=300):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_bench_measures_both_plugins(tmp_path):
    """A short run: both plugins answered, the sizes are the files', the ratios are ours / peer."""
    if not (PEER / "plugin.wasm").exists():
        pytest.skip("the Rust peer lives in ../shared beside a checkout")
    out = tmp_path / "bench.json"
    result = run(TOOLS / "bench.py", "--rounds", "2", "--warm", "5", "--no-rss", "--quiet", "--json-file", out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    ours_size = (TOOLS.parents[1] / "dist" / "plugin.wasm").stat().st_size
    assert report["ours"]["size"] == ours_size
    assert report["peer"]["size"] == (PEER / "plugin.wasm").stat().st_size
    assert report["ratios"]["size"] == pytest.approx(ours_size / report["peer"]["size"], rel=1e-3)
    for plugin in ("ours", "peer"):
        assert report[plugin]["answer_bytes"] > 0
        assert report[plugin]["pages_first"] > 0
    for key in ("cold", "warm"):
        assert report["ratios"][key] > 0
