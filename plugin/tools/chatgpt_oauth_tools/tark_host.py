"""Emulation of tark's wasm plugin host, for tests, benchmarks and checks.

tark (https://github.com/thoughtoinnovate/tark, v0.12.6, commit ddb0b6b6) loads a provider
plugin with wasmtime 27 (``src/plugins/host/mod.rs``).  This module does the same with the
Python ``wasmtime`` package, and is the entry point of the emulation; its parts:

* :mod:`tark_engine`: one fresh ``Config`` / ``Engine`` / ``Store`` / ``Linker`` per load, epoch
  interruption on, the wasm proposals set to wasmtime 27's defaults (:func:`tark_config`); WASI
  preview1 with no args, no env, no preopened dirs, stdout/stderr inherited (or captured);
* :mod:`tark_manifest`: ``plugin.toml`` as tark validates it, and the capability checks;
* :mod:`tark_imports`: the ``tark:*`` host functions with tark's signatures, return codes,
  capability checks and unbounded writes at ``ret_ptr``;
* :mod:`tark_storage`: ``<data_dir>/storage.json`` persistence;
* :mod:`tark_credentials`, :mod:`tark_serde`: what tark parses from the plugin's answers.

Here, :class:`TarkHost`: instantiation only (``_start`` / ``_initialize`` are never called), and
calls made the way tark makes them (which ``alloc`` calls, in which order, buffer sizes).

HTTP never reaches the network: pass ``http=handler`` where
``handler(method, url, headers, body) -> {"status": int, "headers": [[k, v], ...], "body": str}``
or ``{"error": "..."}``; ``headers`` is the list of ``[name, value]`` pairs tark would send,
``body`` is the POST body (``None`` for GET).  Every request is recorded in
``host.http_requests``; every ``tark:log`` call in ``host.logs`` as ``(level, message)``.

Errors are reported the way tark would see them:

* a plugin trap / epoch interrupt raises ``wasmtime.Trap`` (or ``WasmtimeError``) unchanged;
* :class:`TarkError` is what tark turns into an ``anyhow`` error (missing export, bad JSON,
  negative code where tark bails, ...);
* :class:`HostPanic` is where tark's Rust code would panic (a slice index out of range, e.g.
  a returned length that runs past the end of memory).  tark catches those only inside
  ``provider_auth_credentials`` / ``auth_process_tokens`` (``safe_call``).

Timeouts: ``call_timeout`` (seconds, default 30) arms a watchdog per call that makes a runaway
loop trap; ``call_timeout=None`` reproduces tark, where it hangs (see :mod:`tark_engine`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import wasmtime

from .facts import PLUGIN_DATA_DIR
# The emulation's public names, importable from here as before the split.
from .tark_credentials import native_provider_for, parse_auth_credentials
from .tark_engine import EPOCH_DEADLINE, compile_module, guarded, new_linker, new_store, tark_config
from .tark_errors import CredentialsError, HostPanic, ManifestError, TarkError
from .tark_imports import U64, define_host_functions
from .tark_manifest import Capabilities, load_manifest
from .tark_serde import opt_type, plain, strict_json, tokens_json
from .tark_storage import load_storage

__all__ = [
    "TarkHost", "TarkError", "HostPanic", "ManifestError", "CredentialsError",
    "tark_config", "compile_module", "measure_cold_init", "load_manifest", "Capabilities",
    "parse_auth_credentials", "native_provider_for", "tokens_json",
    "EPOCH_DEADLINE", "RET_BUF_SIZE",
]

TARK_VERSION = "0.12.6"
TARK_COMMIT = "ddb0b6b628ad56f516b3921f1acfb892cd081b97"

RET_BUF_SIZE = 8192              # call_string_return_fn / auth_process_tokens output buffer
CHAT_BUF_SIZE = 65536            # provider_chat output buffer (alloc(65536))

_I32 = "i32"


class TarkHost:
    """One loaded plugin instance, as tark's ``PluginHost::load`` produces it.

    Attributes: ``id`` (manifest name), ``manifest`` (dict), ``caps`` (:class:`Capabilities`),
    ``engine``, ``module``, ``store``, ``instance``, ``storage`` (the in-memory map),
    ``logs`` [(level, message)], ``http_requests`` [{"method","url","headers","body"}],
    ``stdout`` / ``stderr`` (bytearrays, when ``stdio="capture"``), ``timings`` (seconds for
    read / engine / compile / instantiate).
    """

    def __init__(self):
        raise TypeError("use TarkHost.load(...)")

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, plugin_dir, home, env: Optional[dict] = None, data_dir=None,
             http: Optional[Callable] = None, echo_logs: bool = False,
             wasm_name: Optional[str] = None, stdio: str = "inherit",
             call_timeout: Optional[float] = 30.0,
             config: Optional[wasmtime.Config] = None) -> "TarkHost":
        """Read ``plugin_dir/plugin.toml`` and the wasm it names (``wasm_name`` overrides,
        default the manifest's ``plugin.wasm`` = ``plugin.wasm``), compile with a fresh engine,
        link WASI + ``tark:*``, instantiate (start section only).

        ``home``: the HOME that ``~`` expands to (tark uses ``dirs::home_dir()`` = $HOME).
        ``env``: the process environment ``tark:env.get`` sees; ``HOME`` defaults to ``home``.
        ``data_dir``: where storage.json lives (tark: ``<plugin dir>/data``, the default).
        ``http``: the request handler (see module doc); ``None`` -> transport error replies.
        ``stdio``: ``"inherit"`` (tark) or ``"capture"`` (into ``.stdout`` / ``.stderr``).
        ``call_timeout``: watchdog seconds per export call (``None`` = tark: never interrupt).
        """
        self = object.__new__(cls)
        self.timings = {}
        t0 = time.perf_counter()
        self.plugin_dir = Path(plugin_dir)
        self.manifest = load_manifest(self.plugin_dir / "plugin.toml")
        self.id = self.manifest["plugin"]["name"]
        self.home = str(home)
        self.env = dict(env) if env is not None else {}
        self.env.setdefault("HOME", self.home)
        self.caps = Capabilities(self.manifest["capabilities"], self.home)
        self.data_dir = Path(data_dir) if data_dir is not None else self.plugin_dir / PLUGIN_DATA_DIR
        self.http_handler = http
        self.echo_logs = echo_logs
        self.call_timeout = call_timeout
        self.logs: list = []
        self.http_requests: list = []
        self.stdout = bytearray()
        self.stderr = bytearray()
        wasm_path = self.plugin_dir / (wasm_name or self.manifest["plugin"]["wasm"])
        if not wasm_path.exists():
            raise TarkError(f"WASM module not found: {wasm_path} (declared in manifest)")
        self.wasm_path = wasm_path
        wasm = wasm_path.read_bytes()
        t1 = time.perf_counter()
        self.timings["read"] = t1 - t0

        self.engine = wasmtime.Engine(config if config is not None else tark_config())
        t2 = time.perf_counter()
        self.timings["engine"] = t2 - t1
        self.module = wasmtime.Module(self.engine, wasm)
        t3 = time.perf_counter()
        self.timings["compile"] = t3 - t2

        self.storage = load_storage(self.data_dir)
        self.store = new_store(self.engine, stdio, self.stdout, self.stderr)
        linker = new_linker(self.engine, self._define_host_functions)
        self.instance = self._guarded(lambda: linker.instantiate(self.store, self.module))
        self.timings["instantiate"] = time.perf_counter() - t3
        self.timings["load_total"] = time.perf_counter() - t0
        return self

    def _define_host_functions(self, linker: wasmtime.Linker) -> None:
        """The ``tark:*`` imports, on this host's state (a subclass may wrap them: bench.py)."""
        define_host_functions(self, linker)

    def record_log(self, level: str, msg: str) -> None:
        """A ``tark:log`` call: kept in ``logs``, and echoed as tark prints it when asked."""
        self.logs.append((level, msg))
        if self.echo_logs:
            print(f"{level.upper():5} [plugin:{self.id}] {msg}", file=sys.stderr)

    # ---------------------------------------------------------------- calling exports
    def _guarded(self, fn):
        """fn under the epoch deadline, as tark's safe_call, with this host's watchdog."""
        return guarded(self.engine, self.store, self.call_timeout, fn)

    def _typed(self, name: str, params: list, results: list):
        """Instance::get_typed_func: the export must exist with exactly this type."""
        f = self.instance.exports(self.store).get(name)
        if not isinstance(f, wasmtime.Func):
            raise TarkError(f"Plugin does not export '{name}' function")
        ty = f.type(self.store)
        if [str(t) for t in ty.params] != params or [str(t) for t in ty.results] != results:
            raise TarkError(f"Plugin export '{name}' has the wrong type")
        return f

    def has_export(self, name: str, params: list, results: list) -> bool:
        try:
            self._typed(name, params, results)
            return True
        except TarkError:
            return False

    def _memory(self) -> wasmtime.Memory:
        m = self.instance.exports(self.store).get("memory")
        if not isinstance(m, wasmtime.Memory):
            raise TarkError("Plugin has no memory export")
        return m

    def _alloc(self, size: int) -> int:
        alloc = self._typed("alloc", [_I32], [_I32])
        return self._guarded(lambda: alloc(self.store, size))

    def _read_result(self, ptr: int, length: int) -> bytes:
        """``data[ptr as usize..(ptr + len) as usize]`` with i32 `ptr + len` (release: wraps)."""
        m = self._memory()
        size = m.data_len(self.store)
        start = ptr % U64
        s = (ptr + length) & 0xFFFFFFFF
        end = (s - (1 << 32) if s >= 1 << 31 else s) % U64
        if start > end or end > size:
            raise HostPanic(f"range {start}..{end} out of bounds for memory of {size} bytes")
        return bytes(m.read(self.store, start, end)) if end > start else b""

    def call_ret(self, export: str, size: int = RET_BUF_SIZE) -> tuple:
        """tark's call_string_return_fn: ``alloc(size)``, then ``export(ret_ptr)``.
        Returns ``(rc, bytes)``; bytes is None when rc < 0 (tark does not read them)."""
        ptr = self._alloc(size)
        fn = self._typed(export, [_I32], [_I32])
        rc = self._guarded(lambda: fn(self.store, ptr))
        if rc < 0:
            return rc, None
        return rc, self._read_result(ptr, rc)

    def call(self, export: str, *args):
        """Call any exported function with the call guard (no type check); returns what
        wasmtime returns (None, a value, or a list)."""
        fn = self.instance.exports(self.store).get(export)
        if not isinstance(fn, wasmtime.Func):
            raise TarkError(f"Plugin does not export '{export}' function")
        return self._guarded(lambda: fn(self.store, *args))

    def call_i32(self, export: str, *args) -> int:
        """Call an export returning one i32 (e.g. provider_auth_status, logout)."""
        fn = self._typed(export, [_I32] * len(args), [_I32])
        return self._guarded(lambda: fn(self.store, *args))

    def init_with(self, export: str, data: bytes) -> int:
        """tark's call_string_param_fn / auth_init_with_credentials: ``alloc(len)``, write
        the bytes there (Err past the end of memory), ``export(ptr, len)``; returns rc."""
        ptr = self._alloc(len(data))
        m = self._memory()
        start = ptr % U64
        if start + len(data) > m.data_len(self.store):
            raise TarkError("out of bounds memory access (memory.write)")
        if data:
            m.write(self.store, data, start)
        fn = self._typed(export, [_I32, _I32], [_I32])
        return self._guarded(lambda: fn(self.store, ptr, len(data)))

    def call_with_input(self, export: str, data: bytes, out_size: int = RET_BUF_SIZE) -> tuple:
        """As tark calls ``auth_process_tokens``: ``in = alloc(len)``, copy the input,
        ``out = alloc(out_size)``, ``export(in, len, out)``.  Returns ``(rc, bytes|None)``.
        Raises TarkError if the export is missing (tark's auth_process_tokens then simply
        writes the unprocessed tokens; see :meth:`auth_process_tokens`)."""
        fn = self._typed(export, [_I32, _I32, _I32], [_I32])
        in_ptr = self._alloc(len(data))
        m = self._memory()
        start = in_ptr % U64
        if start + len(data) > m.data_len(self.store):
            raise HostPanic("range end index out of range for slice (input copy)")
        if data:
            m.write(self.store, data, start)
        out_ptr = self._alloc(out_size)
        rc = self._guarded(lambda: fn(self.store, in_ptr, len(data), out_ptr))
        if rc < 0:
            return rc, None
        return rc, self._read_result(out_ptr, rc)

    def call_chat(self, messages: bytes, model: bytes, out_size: int = CHAT_BUF_SIZE) -> tuple:
        """As tark's ``provider_chat``: ``alloc(len)`` and write the messages, the same for the
        model, then ``ret = alloc(65536)`` and ``provider_chat(msgs, len, model, len, ret)``.
        Returns ``(rc, bytes|None)``."""
        fn = self._typed("provider_chat", [_I32] * 5, [_I32])
        ptrs = []
        for data in (messages, model):
            ptr = self._alloc(len(data))
            m = self._memory()
            if ptr % U64 + len(data) > m.data_len(self.store):
                raise TarkError("out of bounds memory access (memory.write)")
            if data:
                m.write(self.store, data, ptr % U64)
            ptrs.append(ptr)
        ret = self._alloc(out_size)
        rc = self._guarded(lambda: fn(self.store, ptrs[0], len(messages), ptrs[1], len(model), ret))
        if rc < 0:
            return rc, None
        return rc, self._read_result(ret, rc)

    def pages(self) -> int:
        """Current size of the exported memory in 64 KiB pages."""
        return self._memory().size(self.store)

    def memory_bytes(self) -> int:
        return self._memory().data_len(self.store)

    def exports(self) -> list:
        """Export names of the module."""
        return [e.name for e in self.module.exports]

    def imports(self) -> list:
        """Imports as ``"module.name"``."""
        return [f"{i.module}.{i.name}" for i in self.module.imports]

    # ---------------------------------------------------------------- tark's operations
    def credentials(self) -> tuple:
        """provider_auth_credentials as tark calls it: ``(rc, AuthCredentials dict)``;
        ``(rc, None)`` when rc < 0.  Raises CredentialsError (invalid JSON / fields),
        TarkError (not UTF-8), HostPanic (length past the end of memory)."""
        rc, raw = self.call_ret("provider_auth_credentials", RET_BUF_SIZE)
        if rc < 0:
            return rc, None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TarkError("Invalid UTF-8 in result") from e
        return rc, parse_auth_credentials(text)

    def has_auth_credentials_interface(self) -> bool:
        return self.has_export("provider_auth_credentials", [_I32], [_I32])

    def _json_ret(self, export: str):
        rc, raw = self.call_ret(export, RET_BUF_SIZE)
        if rc < 0:
            raise TarkError(f"Function {export} returned error code: {rc}")
        try:
            return plain(strict_json(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise TarkError(f"Failed to parse {export} JSON: {e}") from e

    def provider_info(self) -> dict:
        """alloc(8192) + provider_info, checked like serde's ProviderInfo: ``id`` and
        ``display_name`` strings, ``description`` string, ``requires_auth`` bool (defaults),
        ``provider`` string or null."""
        info = self._json_ret("provider_info")
        ok = (isinstance(info, dict) and isinstance(info.get("id"), str)
              and isinstance(info.get("display_name"), str)
              and opt_type(info, "description", str) and opt_type(info, "requires_auth", bool)
              and (info.get("provider") is None or isinstance(info["provider"], str)))
        if not ok:
            raise TarkError("Failed to parse provider info JSON")
        return info

    def provider_chat(self, messages: list, model: str) -> dict:
        """tark's PluginProviderAdapter.chat: the messages as ``[{"role", "content"}]`` JSON, the
        model; the answer parsed like serde's ChatResponse (``text`` string; ``usage`` and
        ``finish_reason`` optional), and empty text refused as tark refuses it."""
        rc, raw = self.call_chat(json.dumps(messages, separators=(",", ":")).encode(), model.encode())
        if rc < 0:
            raise TarkError(f"Provider chat failed with error code: {rc}")
        try:
            answer = plain(strict_json(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise TarkError(f"Failed to parse chat response JSON: {e}") from e
        if not (isinstance(answer, dict) and isinstance(answer.get("text"), str)
                and (answer.get("finish_reason") is None or isinstance(answer["finish_reason"], str))
                and (answer.get("usage") is None or isinstance(answer["usage"], dict))):
            raise TarkError("Failed to parse chat response JSON")
        if not answer["text"].strip():
            raise TarkError("Plugin provider returned an empty response")
        return answer

    def provider_models(self) -> list:
        """alloc(8192) + provider_models, checked like serde's Vec<ModelInfo>: ``id`` string;
        ``display_name`` string, ``context_window`` u32, ``supports_streaming`` /
        ``supports_tools`` bool (absent = default, null = error)."""
        models = self._json_ret("provider_models")
        ok = isinstance(models, list) and all(
            isinstance(x, dict) and isinstance(x.get("id"), str)
            and opt_type(x, "display_name", str)
            and opt_type(x, "supports_streaming", bool) and opt_type(x, "supports_tools", bool)
            and ("context_window" not in x or (type(x["context_window"]) is int
                                               and 0 <= x["context_window"] < 1 << 32))
            for x in models)
        if not ok:
            raise TarkError("Failed to parse models JSON")
        return models

    def provider_auth_status(self) -> str:
        rc = self.call_i32("provider_auth_status")
        return {0: "not_required", 1: "authenticated", 3: "expired"}.get(rc, "not_authenticated")

    def provider_auth_init(self, credentials_json: str) -> None:
        rc = self.init_with("provider_auth_init", credentials_json.encode("utf-8"))
        if rc < 0:
            raise TarkError(f"Function provider_auth_init failed with error code: {rc}")

    def auth_process_tokens(self, tokens: str) -> Optional[str]:
        """tark's PluginInstance::auth_process_tokens: None when the export (i32,i32,i32)->i32
        is absent; TarkError when it returns < 0; else the output text."""
        if not self.has_export("auth_process_tokens", [_I32] * 3, [_I32]):
            return None
        rc, raw = self.call_with_input("auth_process_tokens", tokens.encode("utf-8"))
        if rc < 0:
            raise TarkError("Plugin auth_process_tokens returned error")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TarkError("invalid utf-8 in auth_process_tokens output") from e


# --------------------------------------------------------------------------------------------
# Cold path measurement
# --------------------------------------------------------------------------------------------

def measure_cold_init(plugin_dir, home, export: str = "provider_auth_credentials",
                      **load_kwargs) -> dict:
    """One cold provider init as tark does it for an auth-only plugin: read manifest + wasm,
    fresh engine, compile, link, instantiate, then ``alloc(8192)`` + ``export(ret_ptr)``.
    Returns the timings in seconds (read, engine, compile, instantiate, first_call, total)
    plus ``rc`` and ``host``."""
    t0 = time.perf_counter()
    host = TarkHost.load(plugin_dir, home, **load_kwargs)
    t1 = time.perf_counter()
    rc, _ = host.call_ret(export, RET_BUF_SIZE)
    t2 = time.perf_counter()
    out = dict(host.timings)
    out.update(first_call=t2 - t1, total=t2 - t0, rc=rc, host=host)
    return out
