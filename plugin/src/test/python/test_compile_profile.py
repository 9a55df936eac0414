"""The compile profile command (plugin/tools/compile_profile.py) accounts for every function of
dist/plugin.wasm and reads a time for each from Cranelift's log."""

import json

import pytest

from chatgpt_oauth_tools import compile_profile
from conftest import DIST


def _uleb(data, pos):
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        shift += 7
        pos += 1
        if byte < 0x80:
            return value, pos


def _section_counts(wasm):
    """The item count at the start of each known section, read independently of the tool."""
    counts, pos = {}, 8
    while pos < len(wasm):
        section = wasm[pos]
        size, pos = _uleb(wasm, pos + 1)
        if section in (2, 3, 10):
            counts[section], _ = _uleb(wasm, pos)
        pos += size
    return counts


def test_profile_times_every_defined_function(capsys):
    counts = _section_counts((DIST / "plugin.wasm").read_bytes())
    assert counts[3] == counts[10]                      # function and code sections agree
    assert compile_profile.main([str(DIST / "plugin.wasm"), "--runs", "1", "--json"]) == 0
    [profile] = json.loads(capsys.readouterr().out)
    assert profile["functions"] == counts[10]
    assert profile["wall_ms"] > 0 and profile["function_ms"] > 0
    # Every function lands in exactly one size band, and the slowest are listed slowest first.
    assert sum(band["functions"] for band in profile["bands"]) == counts[10]
    assert sum(band["instructions"] for band in profile["bands"]) == profile["instructions"]
    assert sum(band["ms"] for band in profile["bands"]) == pytest.approx(profile["function_ms"])
    times = [f["ms"] for f in profile["top"]]
    assert len(times) == compile_profile.TOP and times == sorted(times, reverse=True)
    assert all(f["instructions"] > 0 and f["bytes"] > 0 for f in profile["top"])


def test_instruction_count_follows_immediates():
    # one i32 local; i32.const 300 (2-byte LEB); local.set 0; block; br 0; end; i64.load offset=70000;
    # memory.fill (0xFC 11); end
    body = bytes([0x01, 0x01, 0x7F, 0x41, 0xAC, 0x02, 0x21, 0x00, 0x02, 0x40, 0x0C, 0x00, 0x0B,
                  0x29, 0x03, 0xF0, 0xA2, 0x04, 0xFC, 0x0B, 0x00, 0x0B])
    assert compile_profile.count_instructions(body) == 8


def test_names_follow_bodies_not_positions():
    # The named build has one more import and its functions in another order; one body differs
    # in a constant only (same size), as when data addresses move.
    ours = [b"\x00\x41\x01\x0b", b"\x00\x01\x01\x0b\x0b", b"\x00\x41\x05\x0b\x0b\x0b"]
    named = {"imported": 3, "names": {3: "big", 4: "const", 5: "nops"},
             "bodies": [b"\x00\x41\x07\x0b\x0b\x0b", b"\x00\x41\x01\x0b", b"\x00\x01\x01\x0b\x0b"]}
    assert compile_profile.map_names(ours, 2, named) == {2: "const", 3: "nops", 4: "big"}
