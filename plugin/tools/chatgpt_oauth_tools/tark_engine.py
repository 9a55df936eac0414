"""The wasmtime side of tark's plugin host (``src/plugins/host/mod.rs``, wasmtime 27): the engine
configuration, compiling, the store with WASI preview1, linking and instantiating, and the epoch
deadline every call runs under.

tark sets an epoch deadline of 30 000 ticks (at load and before each ``safe_call``) but nothing in
tark ever increments the epoch, so in tark a runaway loop hangs forever.  :func:`guarded` can arm
a watchdog that advances the epoch past the deadline after ``call_timeout`` seconds, so such a
call traps instead; ``call_timeout=None`` reproduces tark exactly.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

import wasmtime

EPOCH_DEADLINE = 30_000          # DEFAULT_EPOCH_DEADLINE in src/plugins/host/mod.rs
MAX_WASM_STACK = 512 * 1024      # wasmtime 27 default


def tark_config(epoch_interruption: bool = True) -> wasmtime.Config:
    """A fresh Config matching tark's: ``Config::new()`` + ``epoch_interruption(true)`` on
    wasmtime 27 with the crate's default features.

    wasmtime 27 enables WASM2 (mutable globals, sign extension, non-trapping float-to-int,
    multi-value, bulk memory, reference types, SIMD) + multi-memory, relaxed SIMD, tail calls,
    extended-const, threads (crate feature "threads"; shared memories can be created).
    Off or absent in 27: exceptions, GC, function references, memory64, custom page sizes,
    wide arithmetic, stack switching.  Each is set explicitly here because newer wasmtime
    turns several of them on by default.
    """
    c = wasmtime.Config()
    c.epoch_interruption = epoch_interruption
    on = ("wasm_bulk_memory", "wasm_multi_value", "wasm_reference_types", "wasm_simd",
          "wasm_relaxed_simd", "wasm_multi_memory", "wasm_tail_call", "wasm_threads",
          "shared_memory")
    off = ("wasm_exceptions", "wasm_gc", "wasm_function_references", "wasm_memory64",
           "wasm_custom_page_sizes", "wasm_wide_arithmetic", "wasm_stack_switching",
           "wasm_relaxed_simd_deterministic")
    known = set(dir(type(c)))    # setter-only properties: hasattr() would say False
    for name in on:
        if name in known:
            setattr(c, name, True)
    for name in off:
        if name in known:
            setattr(c, name, False)
    if "max_wasm_stack" in known:
        c.max_wasm_stack = MAX_WASM_STACK
    return c


def compile_module(wasm: bytes, config: Optional[wasmtime.Config] = None):
    """Fresh Engine (from ``config`` or :func:`tark_config`) + compiled Module: tark's
    ``PluginHost::new()`` + ``Module::new``.  Returns ``(engine, module)``."""
    engine = wasmtime.Engine(config if config is not None else tark_config())
    return engine, wasmtime.Module(engine, wasm)


def new_store(engine: wasmtime.Engine, stdio: str, stdout: bytearray,
              stderr: bytearray) -> wasmtime.Store:
    """tark's Store: WASI preview1 with no args, no env, no preopened dirs; stdout / stderr
    inherited (``stdio="inherit"``, tark) or captured into the given buffers (``"capture"``)."""
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    if stdio == "capture":
        wasi.stdout_custom = _sink(stdout)
        wasi.stderr_custom = _sink(stderr)
    elif stdio == "inherit":
        wasi.inherit_stdout()
        wasi.inherit_stderr()
    else:
        raise ValueError("stdio must be 'inherit' or 'capture'")
    store.set_wasi(wasi)
    store.set_epoch_deadline(EPOCH_DEADLINE)
    return store


def _sink(buf: bytearray):
    def write(data):
        buf.extend(data if isinstance(data, (bytes, bytearray)) else bytes(data))
        return len(data)
    return write


def new_linker(engine: wasmtime.Engine, define_host_functions: Callable) -> wasmtime.Linker:
    """WASI plus the host functions ``define_host_functions(linker)`` adds (tark's ``tark:*``)."""
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    define_host_functions(linker)
    return linker


def guarded(engine: wasmtime.Engine, store: wasmtime.Store, call_timeout: Optional[float], fn):
    """Run fn with the epoch deadline reset (as tark's safe_call does) and, when
    call_timeout is set, a watchdog that pushes the epoch past the deadline."""
    store.set_epoch_deadline(EPOCH_DEADLINE)
    if call_timeout is None:
        return fn()
    done = threading.Event()

    def fire():
        for _ in range(EPOCH_DEADLINE + 1):
            if done.is_set():
                return
            engine.increment_epoch()

    timer = threading.Timer(call_timeout, fire)
    timer.daemon = True
    timer.start()
    try:
        return fn()
    finally:
        done.set()
        timer.cancel()
