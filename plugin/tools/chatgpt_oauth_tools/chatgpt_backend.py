"""Asking ChatGPT's backend as tark would: the base URL (and its test override), the headers the
plugin's credentials answer makes, one bounded GET, and the bits of a reply every question reads
(an error's message, a model's client version floor). The check's --models, --usage and --probe
use it.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
from typing import Optional

from . import bounded_http
from .facts import LOGIN_COMMAND
from .printable import field

BACKEND_VARIABLE = "CHATGPT_OAUTH_BACKEND_URL"
DEFAULT_BACKEND = "https://chatgpt.com/backend-api"
ACCOUNT_HEADER = "ChatGPT-Account-Id"
# The header of the plugin's credentials answer that states its Codex client version.
VERSION_HEADER = "version"


class BackendError(Exception):
    """One line saying why ChatGPT gave no usable answer (printed through the Printer)."""


def backend_base(env: dict) -> tuple:
    """(base URL without a trailing slash, overridden?). An override must be https, or http on
    the loopback interface (a local fake backend for the tests)."""
    raw = (env.get(BACKEND_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_BACKEND, False
    parsed = urllib.parse.urlsplit(raw)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and bounded_http.is_loopback(raw)):
        raise BackendError(f"{BACKEND_VARIABLE} must be an https:// URL (or http:// on 127.0.0.1"
                           f" for a test backend), not '{field(raw)}'; unset it to ask ChatGPT")
    return raw.rstrip("/"), True


def header(headers: dict, name: str) -> Optional[str]:
    """A header's value, its name matched as HTTP matches it (case-insensitively)."""
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def model_request_headers(creds: dict) -> dict:
    """What tark sends on every model request: the bearer and each header the plugin answers,
    verbatim (ChatGPT-Account-Id and the plugin's Codex identity: originator, version,
    User-Agent), and nothing of its own (tark adds no User-Agent)."""
    headers = {"Authorization": f"Bearer {creds['access_token']}"}
    headers.update(creds.get("custom_headers") or {})
    return headers


def version_key(version) -> Optional[tuple]:
    """A plain version (digits and dots) as numbers to compare; None for anything else."""
    if not isinstance(version, str) or not re.fullmatch(r"\d{1,9}(\.\d{1,9}){0,5}", version):
        return None
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (6 - len(parts)))


def needs_newer(minimal, version) -> bool:
    """True when ``minimal`` (a model's minimal_client_version) is above ``version``."""
    need, have = version_key(minimal), version_key(version)
    return need is not None and have is not None and need > have


def backend_get(url: str, headers: dict) -> dict:
    """GET within one total deadline, no redirect (the bearer must not follow one). Returns the
    JSON object; raises BackendError with one line for anything else."""
    try:
        reply = bounded_http.send("GET", url, headers)
    except bounded_http.TimedOut as e:
        raise BackendError(f"{e}: the network or the host is too slow; try again later")
    except bounded_http.TooLarge as e:
        raise BackendError(str(e))
    except bounded_http.NoAnswer as e:
        raise BackendError(f"no answer ({field(e)}): offline, or the host is unreachable")
    if reply.status != 200:
        detail = server_message(reply.body)
        hint = {401: f"the login is not accepted (expired or revoked): run `{LOGIN_COMMAND}`,"
                     " or rerun with --refresh",
                403: "this login or plan may not use it",
                404: f"not found here (the endpoint moved, or a wrong {BACKEND_VARIABLE})",
                429: "rate limited: try again later"}.get(
            reply.status, "a server error: try again later" if reply.status >= 500 else "unexpected")
        raise BackendError(f"HTTP {reply.status}, {hint}" + (f" (server: {detail})" if detail else ""))
    doc = json_document(reply.body)
    if doc is None:
        raise BackendError("the reply is not JSON")
    if not isinstance(doc, dict):
        raise BackendError("the reply is not a JSON object")
    return doc


def models_url(base: str, version: Optional[str]) -> str:
    """The model list as the Codex CLI asks it, for the client version stated (codex-rs
    codex-api endpoint/models.rs): the server answers the models that version may use."""
    url = f"{base}/codex/models"
    return url if version is None else f"{url}?client_version={urllib.parse.quote(version, safe='')}"


def model_entries(url: str, headers: dict) -> list:
    """The models of a model list reply that name a slug; BackendError when there is no list."""
    models = backend_get(url, headers).get("models")
    if not isinstance(models, list):
        raise BackendError("the reply has no \"models\" list")
    return [m for m in models if isinstance(m, dict) and isinstance(m.get("slug"), str)]


def json_document(raw: bytes):
    """The JSON value of a reply, or None when it is not JSON (or too deeply nested to read)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def server_message(raw: bytes) -> str:
    """The message of an error reply ({"detail": ...}, {"message": ...} or {"error": {"message":
    ...}}) as one printable, capped piece; "" when there is none."""
    doc = json_document(raw)
    msg = None
    if isinstance(doc, dict):
        msg = doc.get("detail") or doc.get("message")
        err = doc.get("error")
        if not msg and isinstance(err, dict):
            msg = err.get("message") or err.get("code")
        elif not msg and isinstance(err, str):
            msg = err
    if not isinstance(msg, str):
        return ""
    return field(" ".join(msg.split()), 200)


def span(seconds: float) -> str:
    """A duration as "2d 3h 4m", "5m" or "12s"."""
    s = int(seconds)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{d}d"] if d else []
    if d or h:
        parts.append(f"{h}h")
    parts.append(f"{m}m" if d or h or m else f"{s}s")
    return " ".join(parts)


def finite(value) -> Optional[float]:
    """A JSON number as a float, or None for anything else (a bool, NaN, an infinity, 1e400)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
