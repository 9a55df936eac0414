"""Per-function compile profile: where Cranelift spends the time when tark compiles a plugin.

    python3 plugin/tools/compile_profile.py [MODULE] [--runs N] [--names NAMED.wasm] [--peer] [--json]

Compiles MODULE (default dist/plugin.wasm) with tark's wasmtime ``Config``
(:func:`tark_host.tark_config`: parallel compilation on, as in tark) and prints the median total
compile time, the number of functions, the 15 slowest functions with their wasm size and share, and
the time per size band.  ``--peer`` profiles the Rust plugin as well (``facts.RUST_PEER_DIR``).

What it relies on (pip ``wasmtime`` 49):

* the wasmtime C library inside the pip package initialises Rust's ``env_logger`` when the first
  ``Engine`` is created, reading ``RUST_LOG`` once, then logs to stderr (fd 2, not Python's
  ``sys.stderr``).  So each profile runs in a child process started with
  ``RUST_LOG=wasmtime_internal_cranelift::compiler=debug``: a process that already made an engine
  (a test session, say) would not log.
* with that filter Cranelift logs, for every defined function, the lines
  "`wasm[0]::function[I]` translated to CLIF in 0.12ms" and "... compiled in 1.23ms",
  where ``I`` counts imported functions too (checked against the module's own counts) and
  ``::name`` follows when the module has a name section, plus
  "compiled in" lines for trampolines and builtins, summed as "other".  A function's time here is
  the sum of its two lines: they are separate phases (a few small functions log a translation
  longer than their "compiled in").  Times are taken on the compiling thread, so with parallel
  compilation they add up to more than the wall time of the compile.
* the child writes a marker to fd 2 after each compile; ``Module(...)`` has joined its compile
  threads by then, so every log line of a run comes before its marker.

Names: the shipped module has none.  ``--names NAMED.wasm`` takes them from another build of the
same code that has a name section (see :func:`map_names` for how functions are matched).  To make
one: ``mvn -B -q package -Dmaven.test.skip=true -Dteavm.obfuscated=false`` writes
plugin/target/wasm/teavm.wasm with names, before wasm-opt; wasm-opt drops names unless given
``-g``, so run the project's wasm-opt on it with the flags of plugin/pom.xml's wasm-opt step plus
``-g``.  (On the unoptimised teavm.wasm itself the tool shows names too, for other functions.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
from pathlib import Path

from .facts import REPO_DIST, RUST_PEER_DIR
from .python_child import run_python

# What is profiled by default: this checkout's module (none outside a checkout: name one).
DEFAULT_MODULE = REPO_DIST / "plugin.wasm" if REPO_DIST else None
# Cranelift's compile log, by its crate's name: wasmtime_cranelift up to wasmtime 3x (tark's 27), then
# wasmtime_internal_cranelift. Both are asked for; only one exists in a given wasmtime.
LOG_FILTER = "wasmtime_cranelift::compiler=debug,wasmtime_internal_cranelift::compiler=debug"
RUN_MARKER = "compile_profile run wall_s="
TOP = 15
SIZE_BANDS = (20, 50, 200, 1000)            # upper bounds in instructions; the last band is open
# The linear fit leaves out the largest functions: their time grows faster than their size (seen
# on both plugins), and a few of them would decide a least-squares fit alone.
FIT_BELOW = 1000


# --------------------------------------------------------------------------------------------
# Reading the module: per defined function its body size and instruction count, and names
# --------------------------------------------------------------------------------------------

def uleb128(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def sections(data: bytes, pos: int = 8, end: int = -1):
    """``(id, start, end)`` of each section after the 8-byte header (an id byte, a uleb128 size,
    the body), or, given a range, of each subsection in it (a name section's)."""
    end = len(data) if end < 0 else end
    while pos < end:
        size, start = uleb128(data, pos + 1)
        yield data[pos], start, start + size
        pos = start + size


def _skip_leb(data: bytes, pos: int) -> int:
    while data[pos] & 0x80:
        pos += 1
    return pos + 1


# Immediates after an opcode, as a string of kinds: "l" one LEB, "m" memarg, "4"/"8" fixed bytes,
# "b" one byte, "t" br_table, "s" typed select.  Opcodes not listed have none.
_IMMEDIATES = {0x02: "l", 0x03: "l", 0x04: "l", 0x0C: "l", 0x0D: "l", 0x0E: "t", 0x10: "l",
               0x11: "ll", 0x12: "l", 0x13: "ll", 0x1C: "s", 0x25: "l", 0x26: "l",
               0x3F: "l", 0x40: "l", 0x41: "l", 0x42: "l", 0x43: "4", 0x44: "8",
               0xD0: "b", 0xD2: "l", **{op: "l" for op in range(0x20, 0x25)},   # locals, globals
               **{op: "m" for op in range(0x28, 0x3F)}}                          # loads, stores
# 0xFC prefix (saturating truncation, bulk memory, tables): sub-opcode -> immediates.
_FC_IMMEDIATES = {8: "ll", 9: "l", 10: "ll", 11: "l", 12: "ll", 13: "l", 14: "ll",
                  15: "l", 16: "l", 17: "l"}


def _skip_immediates(kinds: str, data: bytes, pos: int) -> int:
    for kind in kinds:
        if kind == "l":
            pos = _skip_leb(data, pos)
        elif kind == "m":                   # align (bit 6: a memory index follows), offset
            align, pos = uleb128(data, pos)
            if align & 0x40:
                pos = _skip_leb(data, pos)
            pos = _skip_leb(data, pos)
        elif kind in "48b":
            pos += {"4": 4, "8": 8, "b": 1}[kind]
        elif kind in "ts":                  # a vector of LEBs (labels or types), then for t a default
            count, pos = uleb128(data, pos)
            for _ in range(count + (kind == "t")):
                pos = _skip_leb(data, pos)
    return pos


def count_instructions(body: bytes) -> int:
    """Instructions in one function body (``end`` included).  Covers the MVP, bulk memory,
    saturating truncation, sign extension and tail calls: what TeaVM and rustc emit here."""
    groups, pos = uleb128(body, 0)
    for _ in range(groups):                 # local declarations: count, value type
        pos = _skip_leb(body, pos)
        pos += 1
    count, depth = 0, 1                     # the body is a block closed by its last `end`
    while depth:
        op = body[pos]
        pos += 1
        depth += (op in (0x02, 0x03, 0x04)) - (op == 0x0B)
        if op == 0xFC:
            sub, pos = uleb128(body, pos)
            pos = _skip_immediates(_FC_IMMEDIATES.get(sub, ""), body, pos)
        elif op > 0xD2:
            raise ValueError(f"opcode 0x{op:02x} at body offset {pos - 1} is not decoded here")
        else:
            pos = _skip_immediates(_IMMEDIATES.get(op, ""), body, pos)
        count += 1
    if pos != len(body):                    # a decoding slip would leave the blocks unbalanced
        raise ValueError(f"body decoded to offset {pos}, but it is {len(body)} bytes")
    return count


def read_module(data: bytes) -> dict:
    """``imported`` (function imports), ``bodies`` (bytes of each defined function's body, in
    order) and ``names`` (function index -> name, from the name section, if any)."""
    if data[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    imported, bodies, names = 0, [], {}
    for section, pos, end in sections(data):
        if section == 2:                                       # imports
            count, p = uleb128(data, pos)
            for _ in range(count):
                for _ in range(2):                             # module, name
                    length, p = uleb128(data, p)
                    p += length
                kind = data[p]
                p += 1
                if kind == 0:
                    imported += 1
                    p = _skip_leb(data, p)
                elif kind == 1:                                # table: ref type, limits
                    flags = data[p + 1]
                    p = _skip_leb(data, p + 2)
                    p = _skip_leb(data, p) if flags & 1 else p
                elif kind == 2:                                # memory: limits
                    flags = data[p]
                    p = _skip_leb(data, p + 1)
                    p = _skip_leb(data, p) if flags & 1 else p
                else:                                          # global: type, mutability
                    p += 2
        elif section == 10:                                    # code
            count, p = uleb128(data, pos)
            for _ in range(count):
                length, p = uleb128(data, p)
                bodies.append(data[p:p + length])
                p += length
        elif section == 0:
            length, p = uleb128(data, pos)
            if data[p:p + length] == b"name":
                names = _function_names(data, p + length, end)
    return {"imported": imported, "bodies": bodies, "names": names}


def _function_names(data: bytes, pos: int, end: int) -> dict:
    for kind, pos, _ in sections(data, pos, end):
        if kind == 1:
            names = {}
            count, p = uleb128(data, pos)
            for _ in range(count):
                index, p = uleb128(data, p)
                length, p = uleb128(data, p)
                names[index] = data[p:p + length].decode("utf-8", "replace")
                p += length
            return names
    return {}


# --------------------------------------------------------------------------------------------
# Compiling with Cranelift's debug log on
# --------------------------------------------------------------------------------------------

_CHILD = """
import os, sys, time
from chatgpt_oauth_tools import tark_host
wasm = open(sys.argv[1], "rb").read()
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    tark_host.compile_module(wasm)
    os.write(2, ("\\n%s%f\\n" % (sys.argv[3], time.perf_counter() - t0)).encode())
"""
_LINE = re.compile(r"`([^`]+)` (translated to CLIF|compiled) in ([0-9.]+)(ns|µs|us|ms|s)\b")
# wasmtime 27 (tark's) logs one line per function, translation and compilation together.
_LINE_27 = re.compile(r"FuncIndex\((\d+)\) (translated) in ([0-9.]+)(ns|µs|us|ms|s)\b")
_FUNCTION = re.compile(r"^wasm\[0\]::function\[(\d+)\](?:::.*)?$")     # "::name" if the module has names
_UNIT = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}


def compile_runs(module: Path, runs: int) -> list[dict]:
    """Compile ``module`` ``runs`` times in one child process.  Per run: ``wall_ms``,
    ``functions`` (function index -> ms, translation + compilation), ``translate_ms`` (the
    translation part, all functions) and ``other_ms`` (trampolines, builtins)."""
    env = dict(os.environ, RUST_LOG=LOG_FILTER)
    child = run_python(_CHILD, [module, runs, RUN_MARKER], env=env, encoding="utf-8", errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"compiling {module} failed:\n{child.stderr[-2000:]}")
    def fresh():
        return {"functions": {}, "translate_ms": 0.0, "other_ms": 0.0}
    results, current = [], fresh()
    for line in child.stderr.splitlines():
        if line.startswith(RUN_MARKER):
            current["wall_ms"] = float(line[len(RUN_MARKER):]) * 1e3
            results.append(current)
            current = fresh()
        elif match := _LINE.search(line):
            ms = float(match[3]) * _UNIT[match[4]]
            if function := _FUNCTION.match(match[1]):
                index = int(function[1])
                current["functions"][index] = current["functions"].get(index, 0.0) + ms
                current["translate_ms"] += ms if match[2] != "compiled" else 0.0
            else:
                current["other_ms"] += ms
        elif match := _LINE_27.search(line):
            index = int(match[1])
            current["functions"][index] = current["functions"].get(index, 0.0) + float(match[3]) * _UNIT[match[4]]
    if len(results) != runs or not results[0]["functions"]:
        raise RuntimeError(f"no Cranelift timings in the log: is {LOG_FILTER!r} still the logger's name?\n"
                           + child.stderr[-2000:])
    return results


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------

def profile(module: Path, runs: int, names_from: Path | None = None) -> dict:
    """Compile ``module`` ``runs`` times and describe where the time went (median of the runs)."""
    info = read_module(module.read_bytes())
    bodies, first = info["bodies"], info["imported"]
    names = info["names"]
    if names_from is not None:
        names = map_names(bodies, first, read_module(names_from.read_bytes()))
    results = compile_runs(module, runs)
    indices = sorted(results[0]["functions"])
    expected = list(range(first, first + len(bodies)))
    if any(sorted(r["functions"]) != expected for r in results):
        raise RuntimeError(f"the log times {len(indices)} functions from index {indices[:1]}, "
                           f"the module defines {len(bodies)} from index {first}")
    functions = []
    for index in expected:
        body = bodies[index - first]
        functions.append({"index": index, "name": names.get(index, ""), "bytes": len(body),
                          "instructions": count_instructions(body),
                          "ms": statistics.median(r["functions"][index] for r in results)})
    total_fn = sum(f["ms"] for f in functions)
    return {
        "module": str(module), "size": module.stat().st_size, "runs": runs,
        "wall_ms": statistics.median(r["wall_ms"] for r in results),
        "functions": len(functions), "named": sum(bool(f["name"]) for f in functions),
        "instructions": sum(f["instructions"] for f in functions),
        "function_ms": total_fn,
        "translate_ms": statistics.median(r["translate_ms"] for r in results),
        "other_ms": statistics.median(r["other_ms"] for r in results),
        "top": sorted(functions, key=lambda f: -f["ms"])[:TOP],
        "bands": _bands(functions),
        "fit": _fit(functions),
    }


def map_names(bodies: list[bytes], first: int, named: dict) -> dict:
    """Names for ``bodies`` (defined functions from index ``first``) taken from ``named``, another
    build of the same code (data addresses, hence some constants, may differ).  A function takes
    the name of the one named function with the same body; failing that, of the one left with the
    same size; failing that, of the one at the same index if it has the same size."""
    theirs = dict(enumerate(named["bodies"], named["imported"]))
    mapped: dict = {}
    for key in (bytes, len):
        by_key: dict = {}
        for index, body in theirs.items():
            by_key.setdefault(key(body), []).append(index)
        ours: dict = {}
        for index, body in enumerate(bodies, first):
            if index not in mapped:
                ours.setdefault(key(body), []).append(index)
        for k, indices in ours.items():
            if len(indices) == 1 and len(by_key.get(k, ())) == 1:
                mapped[indices[0]] = by_key[k][0]
                del theirs[by_key[k][0]]
    for index, body in enumerate(bodies, first):
        if index not in mapped and index in theirs and len(theirs[index]) == len(body):
            mapped[index] = index
    return {index: named["names"][source] for index, source in mapped.items() if source in named["names"]}


def _bands(functions: list[dict]) -> list[dict]:
    bands, low = [], 0
    for high in SIZE_BANDS + (None,):
        members = [f for f in functions if f["instructions"] >= low and (high is None or f["instructions"] < high)]
        bands.append({"band": f"{low}-{high - 1}" if high else f"{low}+", "functions": len(members),
                      "instructions": sum(f["instructions"] for f in members),
                      "ms": sum(f["ms"] for f in members)})
        low = high
    return bands


def _fit(functions: list[dict]) -> dict:
    """Least squares ms = per_function + per_instruction * instructions, below FIT_BELOW."""
    xs = [f["instructions"] for f in functions if f["instructions"] < FIT_BELOW]
    ys = [f["ms"] for f in functions if f["instructions"] < FIT_BELOW]
    slope, intercept = statistics.linear_regression(xs, ys)
    return {"per_function_ms": intercept, "per_instruction_ms": slope}


def report(p: dict) -> str:
    total = p["function_ms"]
    lines = [f"{p['module']}: {p['size']:,} bytes, {p['functions']} functions, "
             f"{p['instructions']:,} instructions, {p['named']} of the functions named",
             f"  compile (wall, median of {p['runs']}): {p['wall_ms']:.1f} ms; "
             f"Cranelift per-function times sum to {total:.1f} ms (translation to CLIF "
             f"{p['translate_ms']:.1f} ms of it), trampolines and builtins {p['other_ms']:.1f} ms",
             f"  fit below {FIT_BELOW} instructions: {p['fit']['per_function_ms']:.3f} ms per function + "
             f"{p['fit']['per_instruction_ms'] * 1000:.2f} µs per instruction",
             f"  {'index':>6} {'instrs':>7} {'bytes':>7} {'ms':>7} {'share':>6}  name"]
    for f in p["top"]:
        lines.append(f"  {f['index']:>6} {f['instructions']:>7,} {f['bytes']:>7,} {f['ms']:>7.2f} "
                     f"{f['ms'] / total:>6.1%}  {f['name']}")
    lines.append(f"  {'size band (instructions)':<25} {'functions':>9} {'instrs':>8} {'ms':>7} {'share':>6} "
                 f"{'ms/fn':>6} {'µs/instr':>8}")
    for b in p["bands"]:
        n = b["functions"] or 1
        lines.append(f"  {b['band']:<25} {b['functions']:>9} {b['instructions']:>8,} {b['ms']:>7.1f} "
                     f"{b['ms'] / total:>6.1%} {b['ms'] / n:>6.3f} {b['ms'] * 1000 / (b['instructions'] or 1):>8.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", nargs="?", default=DEFAULT_MODULE, help="default: dist/plugin.wasm")
    ap.add_argument("--runs", type=int, default=5, help="compiles per module (median reported)")
    ap.add_argument("--names", help="a module with a name section and the same functions as MODULE")
    ap.add_argument("--peer", action="store_true", help="profile the Rust plugin too (facts.RUST_PEER_DIR)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args(argv)
    if args.module is None:
        ap.error("name a MODULE: these tools run from no checkout, so there is no dist/plugin.wasm")
    if args.peer and RUST_PEER_DIR is None:
        ap.error("--peer needs $CHATGPT_OAUTH_RUST_PEER: these tools run from no checkout, beside"
                 " which the Rust plugin would be")
    profiles = [profile(Path(args.module), args.runs, Path(args.names) if args.names else None)]
    if args.peer:
        profiles.append(profile(RUST_PEER_DIR / "plugin.wasm", args.runs))
    print(json.dumps(profiles, indent=1) if args.json else "\n\n".join(map(report, profiles)))
    return 0

