"""Benchmark: this plugin's dist/ against the Rust peer plugin, in one run, alternating.

    python3 plugin/tools/bench.py [--rounds N] [--warm N] [--fresh-storage] [--no-rss]
                                  [--json] [--json-file PATH] [--ours DIR] [--peer DIR]

The peer is not part of this repository: it is the built ``dist/`` (``plugin.toml`` and
``plugin.wasm``) of the Rust chatgpt-oauth plugin for tark, ``tark/chatgpt`` in the public
repository github.com/thoughtoinnovate/plugins.  Build it there, then pass its directory with
``--peer`` or ``$CHATGPT_OAUTH_RUST_PEER``; without either, it is looked for in
``../shared/peers/rust-chatgpt-oauth`` beside this checkout.

Both modules run in wasmtime exactly as tark links them (chatgpt_oauth_tools/tark_host.py: tark's
Config, WASI preview1 + tark:* imports, instantiation without _start), against the same
credentials file in a temporary HOME: a JWT access token with a future ``exp`` and the ChatGPT
account claim, a refresh token, and no ``expires_at`` (the peer traps on that field).

Measured per plugin, rounds alternating ours/peer (the order flips every round):

* size of the wasm file;
* cold path of one provider init, as tark does it on every init: read plugin.toml + wasm,
  fresh Engine, compile, link + instantiate, first ``alloc(8192)`` + ``provider_auth_credentials``
  (each cold round creates a new Engine; wasmtime's module cache is off in tark's Config and
  here, so every round really compiles);
* warm call: ``alloc(8192)`` + ``provider_auth_credentials`` again on the same instance, the way
  tark calls an export, many times (per-call median of each round, then median of the rounds);
* wasm memory after the first call (pages and bytes), and after the warm calls;
* resident-memory growth of a fresh process for load + first call (``--no-rss`` skips it).

Times include the Python binding's per-call overhead, the same for both plugins; it is
measured on empty functions and printed so the warm figures can be read against it.  Time spent
inside the emulated host functions (Python, much slower than tark's Rust ones) is measured
separately, and so are the host functions each plugin calls.  Both plugins are snapshotted into
a temporary directory first, so a rebuild of dist/ during the run cannot mix two builds.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import wasmtime
from . import compile_profile
from . import tark_host
from .python_child import run_python
from .tark_host import TarkHost, parse_auth_credentials, tark_config, RET_BUF_SIZE
from .facts import PLUGIN_NAME, REPO_DIST, RUST_PEER_DIR, STORAGE_FILE, TARK_CREDENTIALS_FILE

OURS_DIR = REPO_DIST
PEER_DIR = RUST_PEER_DIR
EXPORT = "provider_auth_credentials"
ENDPOINT = "https://chatgpt.com/backend-api/codex/responses"
ACCOUNT_ID = "bench-account-0000"
TARGETS = {"size": 0.8, "cold": 0.8, "warm": 1.0}   # the project's targets: ours / peer at most


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Fixture
# --------------------------------------------------------------------------------------------

def _b64url(obj) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_home(root: Path) -> dict:
    """A HOME with tark's credentials file: JWT access token (exp in 10 days, account claim),
    refresh token, no expires_at.  Returns what a valid answer must contain."""
    exp = int(time.time()) + 10 * 86400
    access = ".".join([
        _b64url({"alg": "RS256", "typ": "JWT"}),
        _b64url({"exp": exp, "iat": exp - 864000, "sub": "bench",
                 "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID,
                                                 "chatgpt_plan_type": "plus"}}),
        base64.urlsafe_b64encode(os.urandom(256)).rstrip(b"=").decode(),
    ])
    creds = {"access_token": access, "refresh_token": "rt_" + os.urandom(24).hex(),
             "id_token": None}
    del creds["id_token"]
    path = root / TARK_CREDENTIALS_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(creds, indent=2))
    return {"access_token": access, "account_id": ACCOUNT_ID}


def check_answer(name: str, rc: int, raw, expect: dict) -> None:
    """Fail loudly unless the answer is the valid credentials tark needs."""
    if rc is None or rc < 0 or raw is None:
        raise BenchError(f"{name}: {EXPORT} returned {rc}, not credentials")
    try:
        creds = parse_auth_credentials(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, tark_host.TarkError) as e:
        raise BenchError(f"{name}: tark could not parse the answer: {e}") from e
    headers = creds.get("custom_headers") or {}
    problems = []
    if creds["access_token"] != expect["access_token"]:
        problems.append("access_token differs from the file's")
    if creds["api_mode"] != "openai_compat":
        problems.append(f"api_mode {creds['api_mode']!r}")
    if creds.get("endpoint") != ENDPOINT:
        problems.append(f"endpoint {creds.get('endpoint')!r}")
    if headers.get("ChatGPT-Account-Id") != expect["account_id"]:
        problems.append(f"ChatGPT-Account-Id {headers.get('ChatGPT-Account-Id')!r}")
    if problems:
        raise BenchError(f"{name}: invalid credentials: " + "; ".join(problems))


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------

class _CountingLinker:
    """Passes every definition through to the real linker, wrapping each host function so the
    time spent inside it (the emulated host, in Python) and the call count are recorded."""

    def __init__(self, linker, host):
        self._linker = linker
        self._host = host

    def define_func(self, module, name, ty, fn, access_caller=False):
        key = f"{module}.{name}"
        host = self._host
        pc = time.perf_counter_ns

        def wrapped(*args):
            t = pc()
            try:
                return fn(*args)
            finally:
                host.host_ns += pc() - t
                host.host_calls[key] = host.host_calls.get(key, 0) + 1
        return self._linker.define_func(module, name, ty, wrapped, access_caller=access_caller)

    def __getattr__(self, name):
        return getattr(self._linker, name)


class BenchHost(TarkHost):
    """tark_host.TarkHost with the same linking, plus per-host-function accounting."""

    def _define_host_functions(self, linker) -> None:
        self.host_ns = 0
        self.host_calls = {}
        super()._define_host_functions(_CountingLinker(linker, self))


def _load(plugin_dir: Path, home: Path, data_dir: Path, cls=BenchHost) -> TarkHost:
    # call_timeout=None: exactly tark (no watchdog thread per call).
    return cls.load(plugin_dir, home, env={"HOME": str(home)}, data_dir=data_dir,
                    stdio="capture", call_timeout=None)


def _funcs(host: TarkHost):
    ex = host.instance.exports(host.store)
    alloc, fn, mem = ex.get("alloc"), ex.get(EXPORT), ex.get("memory")
    if not isinstance(alloc, wasmtime.Func) or not isinstance(fn, wasmtime.Func):
        raise BenchError(f"{host.plugin_dir}: missing alloc or {EXPORT}")
    return alloc, fn, mem


def _read(host: TarkHost, mem, ptr: int, rc: int):
    if rc < 0:
        return None
    return bytes(mem.read(host.store, ptr, ptr + rc))


def cold_round(plugin_dir: Path, home: Path, data_dir: Path, expect: dict, warm_n: int) -> dict:
    """One provider init as tark does it, then warm calls on the same instance."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        host = _load(plugin_dir, home, data_dir)
        alloc, fn, mem = _funcs(host)
        store = host.store
        host.host_ns = 0
        host.host_calls = {}
        t1 = time.perf_counter()
        store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
        ptr = alloc(store, RET_BUF_SIZE)
        t2 = time.perf_counter()
        store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
        rc = fn(store, ptr)
        t3 = time.perf_counter()
        first_host = host.host_ns / 1e9
    finally:
        gc.enable()
    check_answer(plugin_dir.name, rc, _read(host, mem, ptr, rc), expect)
    pages_first = mem.size(store)
    bytes_first = mem.data_len(store)
    first_calls = dict(host.host_calls)
    host.host_calls = {}

    # Warm: alloc(8192) + call, as tark's call_string_return_fn does, on the same instance.
    per_call, call_only, in_host = [], [], []
    pc = time.perf_counter_ns
    gc.disable()
    try:
        for _ in range(warm_n):
            h0 = host.host_ns
            a = pc()
            store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
            p = alloc(store, RET_BUF_SIZE)
            b = pc()
            store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
            r = fn(store, p)
            c = pc()
            if r != rc:
                raise BenchError(f"{plugin_dir.name}: warm call returned {r}, first call {rc}")
            per_call.append(c - a)
            call_only.append(c - b)
            in_host.append(host.host_ns - h0)
    finally:
        gc.enable()
    check_answer(plugin_dir.name, r, _read(host, mem, p, r), expect)
    tm = host.timings
    out = {
        "read": tm["read"], "engine": tm["engine"], "compile": tm["compile"],
        "instantiate": tm["instantiate"], "first_alloc": t2 - t1, "first_call": t3 - t2,
        "first_alloc_call": t3 - t1, "first_in_host": first_host,
        "first_outside_host": (t3 - t1) - first_host, "cold_total": t3 - t0,
        "warm": statistics.median(per_call) / 1e9,
        "warm_call_only": statistics.median(call_only) / 1e9,
        "warm_in_host": statistics.median(in_host) / 1e9,
        "warm_outside_host": statistics.median(x - y for x, y in zip(per_call, in_host)) / 1e9,
        "pages_first": pages_first, "bytes_first": bytes_first,
        "pages_after_warm": mem.size(store), "rc": rc,
        "host_calls_first": first_calls,
        "host_calls_warm": {k: v / warm_n for k, v in host.host_calls.items()},
    }
    del host, alloc, fn, mem, store
    return out


def section_sizes(wasm: bytes) -> dict:
    """Bytes of the module's code and data sections (ids 10 and 11), and of everything else."""
    sizes = {"code": 0, "data": 0}
    for section, start, end in compile_profile.sections(wasm):
        if section in (10, 11):
            sizes["code" if section == 10 else "data"] += end - start
    sizes["other"] = len(wasm) - sizes["code"] - sizes["data"]
    return sizes


def binding_overheads(n: int = 3000) -> dict:
    """The Python binding's own cost, on empty functions: one export call from Python into wasm,
    and one host-function callback from wasm into Python (beyond the export call)."""
    engine = wasmtime.Engine(tark_config())
    module = wasmtime.Module(engine, """(module
        (import "h" "g" (func $g (param i32) (result i32)))
        (func (export "f") (param i32) (result i32) local.get 0)
        (func (export "fg") (param i32) (result i32) local.get 0 call $g))""")
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    i32 = wasmtime.ValType.i32()
    linker.define_func("h", "g", wasmtime.FuncType([i32], [i32]), lambda caller, x: x,
                       access_caller=True)
    ex = linker.instantiate(store, module).exports(store)
    f, fg = ex["f"], ex["fg"]
    pc = time.perf_counter_ns

    def med(fn):
        xs = []
        for _ in range(n):
            a = pc()
            store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
            fn(store, 1)
            xs.append(pc() - a)
        return statistics.median(xs) / 1e9

    call = med(f)
    callback = med(fg) - call
    return {"export_call": call, "host_callback": callback}


_RSS_CHILD = r"""
import gc, json, sys
from chatgpt_oauth_tools import tark_host
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * __import__("os").sysconf("SC_PAGE_SIZE")
plugin_dir, home, data = sys.argv[1], sys.argv[2], sys.argv[3]
(__import__("pathlib").Path(plugin_dir) / "plugin.wasm").read_bytes()
gc.collect()
before = rss()
h = tark_host.TarkHost.load(plugin_dir, home, env={"HOME": home}, data_dir=data,
                            stdio="capture", call_timeout=None)
rc, raw = h.call_ret("provider_auth_credentials")
after = rss()
print(json.dumps({"rc": rc, "rss_growth": after - before}))
"""


def rss_growth(plugin_dir: Path, home: Path, data_dir: Path) -> dict:
    """Resident-set growth of a fresh Python process over one load + first call."""
    p = run_python(_RSS_CHILD, [plugin_dir, home, data_dir], timeout=120)
    if p.returncode != 0:
        raise BenchError(f"RSS probe failed for {plugin_dir}: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Statistics and report
# --------------------------------------------------------------------------------------------

def _quantile(xs, q):
    xs = sorted(xs)
    if len(xs) == 1:
        return xs[0]
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize(xs) -> dict:
    return {"median": statistics.median(xs), "p10": _quantile(xs, 0.1), "p90": _quantile(xs, 0.9),
            "min": min(xs), "max": max(xs), "n": len(xs)}


TIME_ROWS = [
    ("cold_total", "cold: one provider init (total)"),
    ("read", "  read plugin.toml + wasm"),
    ("engine", "  new Engine"),
    ("compile", "  compile"),
    ("instantiate", "  link + instantiate"),
    ("first_alloc_call", "  first alloc(8192) + call"),
    ("first_call", "    the call alone"),
    ("first_in_host", "    in emulated host functions"),
    ("first_outside_host", "    the rest (wasm + transitions)"),
    ("warm", "warm: alloc(8192) + call"),
    ("warm_call_only", "  the call alone"),
    ("warm_in_host", "  in emulated host functions"),
    ("warm_outside_host", "  the rest (wasm + transitions)"),
]


def _fmt_t(s: float) -> str:
    if s >= 0.1:
        return f"{s * 1e3:.0f} ms"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"


def _fmt_b(n: float) -> str:
    return f"{n / 1024:,.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):,.2f} MiB"


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "platform": platform.platform(),
            "python": platform.python_version(),
            "wasmtime_py": metadata.version("wasmtime"),
            "engine_config": "tark_config(): wasmtime 27's wasm features, epoch interruption, "
                             "no module cache"}


def _calls(d: dict) -> str:
    return ", ".join(f"{k.split(':', 1)[1]} x{v:g}" if v != 1 else k.split(":", 1)[1]
                     for k, v in sorted(d.items())) or "none"


def render(result: dict) -> str:
    m, o, p = result["machine"], result["ours"], result["peer"]
    lines = [
        f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['platform']}",
        f"python {m['python']}, wasmtime (pip) {m['wasmtime_py']}; engine: {m['engine_config']}",
        f"ours: {result['ours_dir']} (plugin.wasm sha256 {result['ours_sha256'][:12]})",
        f"peer: {result['peer_dir']} (plugin.wasm sha256 {result['peer_sha256'][:12]})",
        f"{result['rounds']} rounds alternating ours/peer (order flipped each round), "
        f"{result['warm_iterations']} warm calls per round; times: median [p10 .. p90] over rounds",
        "",
    ]
    w0, w1 = 36, 30
    lines.append(f"{'':{w0}} {'ours':>{w1}} {'peer':>{w1}} {'ours/peer':>9}")

    def row(label, a, b, ratio=""):
        lines.append(f"{label:{w0}} {a:>{w1}} {b:>{w1}} {ratio:>9}")

    row("wasm size", f"{o['size']:,} B", f"{p['size']:,} B", f"{result['ratios']['size']:.3f}")
    # What tark pays on every init is compiling the code section; the data section costs disk bytes.
    row("  code section", f"{o['sections']['code']:,} B", f"{p['sections']['code']:,} B",
        f"{result['ratios']['code_section']:.3f}")
    row("  data section", f"{o['sections']['data']:,} B", f"{p['sections']['data']:,} B",
        f"{result['ratios']['data_section']:.3f}")
    for key, label in TIME_ROWS:
        a, b = o["times"][key], p["times"][key]
        fa = f"{_fmt_t(a['median'])} [{_fmt_t(a['p10'])} .. {_fmt_t(a['p90'])}]"
        fb = f"{_fmt_t(b['median'])} [{_fmt_t(b['p10'])} .. {_fmt_t(b['p90'])}]"
        row(label, fa, fb, f"{a['median'] / b['median']:.3f}" if b["median"] > 0 else "-")
    row("wasm memory after the first call", f"{o['pages_first']:g} pages", f"{p['pages_first']:g} pages",
        f"{o['pages_first'] / p['pages_first']:.3f}")
    row("", f"({_fmt_b(o['bytes_first'])})", f"({_fmt_b(p['bytes_first'])})")
    row(f"  after {result['warm_iterations']} more calls", f"{o['pages_after_warm']:g} pages",
        f"{p['pages_after_warm']:g} pages")
    if "rss_growth" in o:
        ro, rp = o["rss_growth"], p["rss_growth"]
        row("RSS growth, load + first call", f"{_fmt_b(ro['median'])} [{_fmt_b(ro['min'])} .. "
            f"{_fmt_b(ro['max'])}]", f"{_fmt_b(rp['median'])} [{_fmt_b(rp['min'])} .. "
            f"{_fmt_b(rp['max'])}]", f"{ro['median'] / rp['median']:.3f}")
        lines.append(f"  (fresh python process each, median [min .. max] of {ro['n']}; includes the "
                     "compiled code and every touched wasm page)")
    lines.append("")
    lines.append("host functions per call:")
    for name, e in (("ours", o), ("peer", p)):
        lines.append(f"  {name}: first call: {_calls(e['host_calls']['first'])}; "
                     f"later calls: {_calls(e['host_calls']['warm'])}")
    b = result["binding_overhead"]
    lines.append(f"Python binding cost on empty functions: export call {_fmt_t(b['export_call'])}, "
                 f"host callback {_fmt_t(b['host_callback'])}.")
    lines.append("  In tark the host functions are Rust and these costs are far smaller, so the "
                 "warm\n  total above is dominated by the emulation; 'the rest' is closer to what "
                 "the plugin itself costs.")
    eo, ep = o["warm_wasm_estimate"], p["warm_wasm_estimate"]
    lines.append(f"Estimated plugin code per warm call ('the rest' minus that binding cost for 2 export "
                 f"calls and each host callback):\n  ours {_fmt_t(eo)}, peer {_fmt_t(ep)}"
                 + (f", ratio {eo / ep:.2f}" if ep > 0 and eo > 0 else "")
                 + " (an estimate: the difference of two measurements)")
    for note in result["notes"]:
        lines.append("note: " + note)
    lines.append("")
    lines.append("targets, ours / peer:")
    for key, label in (("size", "size"), ("cold", "cold (one provider init, total)"),
                       ("warm", "warm call (total)"),
                       ("warm_outside_host", "warm call, outside host functions")):
        t = result["targets"][key]
        lines.append(f"  {label:36} <= {t['limit']:.1f}x   measured {t['ratio']:.3f}x   "
                     f"{'holds' if t['holds'] else 'MISSED'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def run(args) -> dict:
    sources = {"ours": Path(args.ours).resolve(), "peer": Path(args.peer).resolve()}
    for name, d in sources.items():
        if not (d / "plugin.toml").is_file():
            raise BenchError(f"{name}: no plugin.toml in {d}")
    tmp = Path(tempfile.mkdtemp(prefix=f"{PLUGIN_NAME}-bench-"))
    try:
        # Snapshot both plugins: a rebuild of dist/ during the run must not mix two builds.
        plugins, digests = {}, {}
        for name, d in sources.items():
            snap = tmp / f"plugin-{name}"
            snap.mkdir()
            wasm_name = tark_host.load_manifest(d / "plugin.toml")["plugin"]["wasm"]
            shutil.copyfile(d / "plugin.toml", snap / "plugin.toml")
            shutil.copyfile(d / wasm_name, snap / wasm_name)
            plugins[name] = snap
            digests[name] = hashlib.sha256((snap / wasm_name).read_bytes()).hexdigest()
        home = tmp / "home"
        home.mkdir()
        expect = make_home(home)
        data = {n: tmp / f"data-{n}" for n in plugins}   # the peer's own dir is read-only
        for d in data.values():
            d.mkdir()
        log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))

        # Both must answer valid credentials before anything is timed.
        storage_notes = []
        first_compile = {}
        for name, d in plugins.items():
            h = _load(d, home, data[name])
            first_compile[name] = h.timings["compile"]
            rc, raw = h.call_ret(EXPORT)
            check_answer(name, rc, raw, expect)
            rc2, raw2 = h.call_ret(EXPORT)
            check_answer(name, rc2, raw2, expect)
            if (data[name] / STORAGE_FILE).exists():
                storage_notes.append(
                    f"{name}: writes its storage.json (tark:storage.set) on a plain credentials "
                    "call; " + ("each round starts without it (--fresh-storage)" if args.fresh_storage
                                else "rounds start with it, as tark's next init would "
                                     "(--fresh-storage: without)"))
            del h
        log(f"both plugins answer valid credentials; {args.rounds} rounds ...")

        samples = {n: [] for n in plugins}
        order = ["ours", "peer"]
        for r in range(args.rounds):
            for name in (order if r % 2 == 0 else order[::-1]):
                if args.fresh_storage:
                    (data[name] / STORAGE_FILE).unlink(missing_ok=True)
                samples[name].append(cold_round(plugins[name], home, data[name], expect, args.warm))
            if (r + 1) % 10 == 0:
                log(f"  round {r + 1}/{args.rounds}")

        rss = {}
        if args.rss:
            log("resident memory: fresh processes ...")
            rss = {n: [] for n in plugins}
            for i in range(args.rss_runs):
                for name in (order if i % 2 == 0 else order[::-1]):
                    if args.fresh_storage:
                        (data[name] / STORAGE_FILE).unlink(missing_ok=True)
                    g = rss_growth(plugins[name], home, data[name])
                    if g["rc"] != samples[name][0]["rc"]:
                        raise BenchError(f"{name}: RSS probe got rc {g['rc']}")
                    rss[name].append(g["rss_growth"])

        result = {"machine": machine(), "rounds": args.rounds, "warm_iterations": args.warm,
                  "fresh_storage": args.fresh_storage,
                  "ours_dir": str(sources["ours"]), "peer_dir": str(sources["peer"]),
                  "ours_sha256": digests["ours"], "peer_sha256": digests["peer"],
                  "binding_overhead": binding_overheads(), "notes": storage_notes}
        for name, d in plugins.items():
            man = tark_host.load_manifest(d / "plugin.toml")
            s = samples[name]
            wasm = (d / man["plugin"]["wasm"]).read_bytes()
            entry = {
                "size": len(wasm),
                "sections": section_sizes(wasm),
                "times": {k: summarize([x[k] for x in s]) for k, _ in TIME_ROWS},
                "pages_first": statistics.median(x["pages_first"] for x in s),
                "bytes_first": statistics.median(x["bytes_first"] for x in s),
                "pages_after_warm": max(x["pages_after_warm"] for x in s),
                "answer_bytes": s[0]["rc"],
                "host_calls": {"first": s[-1]["host_calls_first"], "warm": s[-1]["host_calls_warm"]},
                "first_compile_in_process": first_compile[name],
            }
            if rss:
                entry["rss_growth"] = summarize(rss[name])
            if len({x["pages_first"] for x in s}) != 1:
                result["notes"].append(f"{name}: pages after the first call varied across rounds")
            # A cached compile would show as rounds far faster than the first.
            if statistics.median(x["compile"] for x in s) < 0.3 * first_compile[name]:
                result["notes"].append(f"{name}: later compiles are much faster than the first; "
                                       "is a module cache on?")
            result[name] = entry
        bo = result["binding_overhead"]
        for name in plugins:
            e = result[name]
            callbacks = sum(e["host_calls"]["warm"].values())
            e["warm_wasm_estimate"] = (e["times"]["warm_outside_host"]["median"]
                                       - 2 * bo["export_call"] - callbacks * bo["host_callback"])
        o, p = result["ours"], result["peer"]
        ratios = {
            "size": o["size"] / p["size"],
            "code_section": o["sections"]["code"] / p["sections"]["code"],
            "data_section": o["sections"]["data"] / p["sections"]["data"],
            "cold": o["times"]["cold_total"]["median"] / p["times"]["cold_total"]["median"],
            "warm": o["times"]["warm"]["median"] / p["times"]["warm"]["median"],
            "warm_outside_host": (o["times"]["warm_outside_host"]["median"]
                                  / p["times"]["warm_outside_host"]["median"]),
        }
        result["ratios"] = ratios
        limits = dict(TARGETS, warm_outside_host=TARGETS["warm"])
        result["targets"] = {k: {"limit": v, "ratio": ratios[k], "holds": ratios[k] <= v}
                             for k, v in limits.items()}
        if o["pages_after_warm"] > o["pages_first"]:
            result["notes"].append(f"ours: memory grew during {args.warm} warm calls "
                                   f"({o['pages_first']} -> {o['pages_after_warm']} pages)")
        if p["pages_after_warm"] > p["pages_first"]:
            result["notes"].append(f"peer: memory grew during {args.warm} warm calls "
                                   f"({p['pages_first']} -> {p['pages_after_warm']} pages; "
                                   "its alloc is never freed by tark)")
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=30, help="cold rounds per plugin (default 30)")
    ap.add_argument("--warm", type=int, default=500,
                    help="warm calls per round and plugin (default 500)")
    ap.add_argument("--ours", default=OURS_DIR, help="plugin dir to measure (default dist/)")
    ap.add_argument("--peer", default=PEER_DIR, help="the Rust plugin's dist/ (default "
                    "$CHATGPT_OAUTH_RUST_PEER, else ../shared/peers/rust-chatgpt-oauth)")
    ap.add_argument("--fresh-storage", action="store_true",
                    help="delete each plugin's storage.json before every cold round (default: keep "
                         "it between rounds, as tark does between provider inits)")
    ap.add_argument("--no-rss", dest="rss", action="store_false",
                    help="skip the resident-memory probe (fresh processes)")
    ap.add_argument("--rss-runs", type=int, default=3, help="fresh processes per plugin (default 3)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    ap.add_argument("--json-file", help="also write the results as JSON to this file")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.warm < 1 or args.rss_runs < 1:
        ap.error("--rounds, --warm and --rss-runs must be at least 1")
    if args.ours is None:
        ap.error("--ours is needed: these tools run from no checkout, so there is no dist/ to measure")
    if args.peer is None:
        ap.error("--peer (or $CHATGPT_OAUTH_RUST_PEER) is needed: these tools run from no checkout,"
                 " beside which the Rust plugin would be")
    try:
        result = run(args)
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        return 1
    doc = json.dumps(result, indent=2)
    if args.json_file:
        Path(args.json_file).write_text(doc + "\n")
    print(doc if args.json else render(result))
    return 0

