"""The ``tark:*`` host functions a plugin imports, with tark's signatures, return codes and
capability checks (``src/plugins/host/mod.rs``): storage, http, ws (every connect fails: no
network here), env, log and fs.  Results are written whole at ``ret_ptr``, unbounded, as tark
writes them; reads and writes past the end of memory fail or panic where tark's do."""

from __future__ import annotations

from typing import Optional

import wasmtime

from .tark_errors import HostPanic
from .tark_serde import Pairs, serde_compact, strict_json
from .tark_storage import save_storage

U64 = 1 << 64          # an i32 pointer (negative in Python) taken as Rust's usize


def memory_of(caller) -> Optional[wasmtime.Memory]:
    m = caller.get("memory")
    return m if isinstance(m, wasmtime.Memory) else None


def read_string(caller, ptr: int, length: int) -> Optional[str]:
    """host read_string: None where tark's returns Err; HostPanic where it panics."""
    m = memory_of(caller)
    if m is None:
        return None
    size = m.data_len(caller)
    start = ptr % U64
    end = (start + length % U64) % U64
    if end > size:
        return None
    if start > end:
        raise HostPanic(f"slice index starts at {start} but ends at {end}")
    raw = bytes(m.read(caller, start, end)) if end > start else b""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_string(caller, ptr: int, s: str) -> Optional[int]:
    """host write_string: the whole value at ptr; None (Err) past the end of memory."""
    m = memory_of(caller)
    if m is None:
        return None
    data = s.encode("utf-8")
    size = m.data_len(caller)
    start = ptr % U64
    end = (start + len(data)) % U64
    if end > size:
        return None
    if start > end:
        raise HostPanic(f"slice index starts at {start} but ends at {end}")
    if data:
        m.write(caller, data, start)
    return len(data)


def read_strings(caller, *spans) -> Optional[list]:
    """Each ``(ptr, len)`` as a string, in order, as tark reads a call's arguments; None as soon as
    one fails (tark returns -1 then)."""
    found = []
    for ptr, length in spans:
        text = read_string(caller, ptr, length)
        if text is None:
            return None
        found.append(text)
    return found


def answer(caller, ret_ptr: int, text: str, failed: int = -1) -> int:
    """``text`` written at ``ret_ptr``: its length, or ``failed`` when memory ends before it does."""
    n = write_string(caller, ret_ptr, text)
    return failed if n is None else n


def define_host_functions(host, linker: wasmtime.Linker) -> None:
    """Defines tark's ``tark:*`` functions in ``linker`` for ``host`` (a TarkHost): the state they
    read and change (storage, env, caps, logs, HTTP) is the host's, looked up at each call."""
    i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()

    def define(module, name, params, results, fn):
        linker.define_func(module, name, wasmtime.FuncType(params, results), fn,
                           access_caller=True)

    # tark:storage -------------------------------------------------------
    def storage_get(caller, key_ptr, key_len, ret_ptr):
        key = read_string(caller, key_ptr, key_len)
        if key is None:
            return -1
        return answer(caller, ret_ptr, host.storage.get(key, ""))

    def storage_set(caller, key_ptr, key_len, val_ptr, val_len):
        args = read_strings(caller, (key_ptr, key_len), (val_ptr, val_len))
        if args is None:
            return -1
        key, val = args
        host.storage[key] = val          # kept in memory even if the save fails
        return 0 if save_storage(host.data_dir, host.storage) else -1

    def storage_delete(caller, key_ptr, key_len):
        key = read_string(caller, key_ptr, key_len)
        if key is None:
            return -1
        host.storage.pop(key, None)
        return 0 if save_storage(host.data_dir, host.storage) else -1

    define("tark:storage", "get", [i32, i32, i32], [i32], storage_get)
    define("tark:storage", "set", [i32, i32, i32, i32], [i32], storage_set)
    define("tark:storage", "delete", [i32, i32], [i32], storage_delete)

    # tark:http ----------------------------------------------------------
    def http_request(caller, method, url_ptr, url_len, body, h_ptr, h_len, ret_ptr):
        args = read_strings(caller, (url_ptr, url_len), (h_ptr, h_len))
        if args is None:
            return -1
        url, headers = args
        if not host.caps.is_http_allowed(url):
            return -2
        return answer(caller, ret_ptr, http_reply(host, method, url, headers, body))

    def http_get(caller, url_ptr, url_len, h_ptr, h_len, ret_ptr):
        return http_request(caller, "GET", url_ptr, url_len, None, h_ptr, h_len, ret_ptr)

    def http_post(caller, url_ptr, url_len, b_ptr, b_len, h_ptr, h_len, ret_ptr):
        body = read_string(caller, b_ptr, b_len)
        if body is None:
            return -1
        return http_request(caller, "POST", url_ptr, url_len, body, h_ptr, h_len, ret_ptr)

    define("tark:http", "get", [i32] * 5, [i32], http_get)
    define("tark:http", "post", [i32] * 7, [i32], http_post)

    # tark:ws (no network here: every connect fails) ----------------------
    def ws_reply(caller, ret_ptr, payload):
        return answer(caller, ret_ptr, serde_compact(payload))

    def ws_connect(caller, url_ptr, url_len, h_ptr, h_len, ret_ptr):
        args = read_strings(caller, (url_ptr, url_len), (h_ptr, h_len))
        if args is None:
            return -1
        url = args[0]
        if not host.caps.is_http_allowed(url):
            return -2
        err = ("Only wss:// URLs are allowed" if not url.startswith("wss://")
               else "websocket connections are not emulated")
        return ws_reply(caller, ret_ptr, {"ok": False, "error": err})

    def ws_send(caller, handle, d_ptr, d_len, ret_ptr):
        if read_string(caller, d_ptr, d_len) is None:
            return -1
        return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

    def ws_recv(caller, handle, timeout_ms, max_bytes, ret_ptr):
        return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

    def ws_close(caller, handle, ret_ptr):
        return ws_reply(caller, ret_ptr, {"ok": False, "error": "Unknown websocket handle"})

    define("tark:ws", "connect", [i32] * 5, [i32], ws_connect)
    define("tark:ws", "send", [i64, i32, i32, i32], [i32], ws_send)
    define("tark:ws", "recv", [i64, i64, i64, i32], [i32], ws_recv)
    define("tark:ws", "close", [i64, i32], [i32], ws_close)

    # tark:env -----------------------------------------------------------
    def env_get(caller, name_ptr, name_len, ret_ptr):
        name = read_string(caller, name_ptr, name_len)
        if name is None:
            return -1
        if not host.caps.is_env_allowed(name):
            return -2
        return answer(caller, ret_ptr, host.env.get(name, "") if "\x00" not in name else "")

    define("tark:env", "get", [i32, i32, i32], [i32], env_get)

    # tark:log -----------------------------------------------------------
    def make_log(level):
        def log(caller, msg_ptr, msg_len):
            msg = read_string(caller, msg_ptr, msg_len)
            if msg is not None:
                host.record_log(level, msg)
        return log

    for level in ("debug", "info", "warn", "error"):
        define("tark:log", level, [i32, i32], [], make_log(level))

    # tark:fs ------------------------------------------------------------
    def fs_read(caller, path_ptr, path_len, ret_ptr):
        path = read_string(caller, path_ptr, path_len)
        if path is None:
            return -1
        if not host.caps.is_fs_read_allowed(path):
            return -2
        try:
            with open(host.caps.expand_home(path), "rb") as f:
                contents = f.read().decode("utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return -3
        return answer(caller, ret_ptr, contents, failed=-4)

    define("tark:fs", "read", [i32, i32, i32], [i32], fs_read)


def http_reply(host, method: str, url: str, headers_json: str, body: Optional[str]) -> str:
    """tark's http_get_impl / http_post_impl: the reply document the plugin reads; the request is
    recorded in ``host.http_requests`` and answered by ``host.http_handler``."""
    headers = _parse_headers(headers_json)
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or not all(_valid_header(k, v) for k, v in headers):
        return serde_compact({"error": f"builder error for url ({url})"})
    host.http_requests.append({"method": method, "url": url, "headers": headers,
                               "body": body})
    if host.http_handler is None:
        return serde_compact({"error": f"error sending request for url ({url})"})
    r = host.http_handler(method, url, headers, body)
    if "error" in r:
        return serde_compact({"error": str(r["error"])})
    status = int(r["status"])
    if not 100 <= status <= 999:
        raise ValueError(f"http handler returned an impossible status {status}")
    rbody = r.get("body", "")
    if isinstance(rbody, (bytes, bytearray)):
        rbody = bytes(rbody).decode("utf-8", errors="replace")
    rh = [[str(k).lower(), _header_value_str(str(v))] for k, v in r.get("headers", [])]
    return serde_compact({"status": status, "headers": rh, "body": rbody})


# --------------------------------------------------------------------------------------------
# Request headers as tark's http_get_impl / http_post_impl read and check them
# --------------------------------------------------------------------------------------------

_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _parse_headers(headers_json: str) -> list:
    """``serde_json::from_str::<Vec<(String, String)>>(..).unwrap_or_default()``."""
    try:
        v = strict_json(headers_json)
    except ValueError:
        return []
    if not isinstance(v, list) or isinstance(v, Pairs):
        return []
    out = []
    for item in v:
        if (not isinstance(item, list) or isinstance(item, Pairs) or len(item) != 2
                or not all(isinstance(x, str) for x in item)):
            return []
        out.append([item[0], item[1]])
    return out


def _valid_header(name: str, value: str) -> bool:
    if not name or any(c not in _TOKEN_CHARS for c in name):
        return False
    # HeaderValue::from_str: any byte but controls (tab allowed) and DEL
    return all(c == "\t" or (ord(c) >= 0x20 and ord(c) != 0x7F) for c in value)


def _header_value_str(v: str) -> str:
    # HeaderValue::to_str(): visible ASCII (and space/tab) only, else unwrap_or_default()
    return v if all(c == "\t" or 0x20 <= ord(c) < 0x7F for c in v) else ""
