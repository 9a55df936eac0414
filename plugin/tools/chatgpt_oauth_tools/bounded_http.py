"""The tools' HTTP requests, bounded: one total deadline per request, a cap on what is read, no
redirect followed, no header added behind the caller's back.

urllib's ``timeout`` bounds each socket operation, not the request: a server that sends one byte
a second keeps a reply going forever. Here a watchdog shuts the request's sockets down when the
deadline passes, whatever the request is doing then (connecting, the TLS handshake, reading the
headers or the body), and the caller gets :class:`NoAnswer`.

urllib's opener adds ``User-Agent: Python-urllib/…`` to every request; these openers add nothing,
so a request carries exactly the headers it is given (the check sends what the plugin hands tark,
and tark sends no User-Agent of its own).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Optional

DEFAULT_DEADLINE = 30.0          # seconds for a whole request: tark's reqwest timeout
BODY_LIMIT = 16 << 20            # bytes read of a reply at most
_CHUNK = 64 << 10


class NoAnswer(Exception):
    """The request got no complete HTTP answer: the reason, one line (not yet printable: it may
    quote what a server sent; pass it through printable.field)."""


class TimedOut(NoAnswer):
    """The deadline passed before the answer was complete."""


class TooLarge(NoAnswer):
    """The reply's body is longer than the limit."""


def is_loopback_host(host: str) -> bool:
    """localhost or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback(url: str) -> bool:
    return is_loopback_host(urllib.parse.urlsplit(url).hostname or "")


class _Watchdog:
    """Shuts down every socket the request opens once the deadline has passed."""

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._sockets: list = []
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def adopt(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)
        return sock

    def _fire(self):
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self):
        self._timer.cancel()


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watched(connection_class, watchdog: _Watchdog):
    """``connection_class`` whose raw sockets (before any TLS) the watchdog holds."""
    class Watched(connection_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            create = self._create_connection
            self._create_connection = lambda *a, **k: watchdog.adopt(create(*a, **k))
    return Watched


def _opener(watchdog: _Watchdog, direct: bool) -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None                # a redirect is an answer to report: the bearer stays here

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(_watched(http.client.HTTPConnection, watchdog), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(_watched(http.client.HTTPSConnection, watchdog), req,
                                context=self._context)

    handlers = [NoRedirect, HTTP, HTTPS]
    if direct:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    opener.addheaders = []             # no User-Agent of urllib's
    return opener


@dataclass
class Reply:
    status: int
    headers: list                      # (name, value) pairs as received
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Exchange:
    """One request in flight: ``status`` and ``headers`` once it answered, the body read with
    ``read``/``lines`` until the deadline. Use as a context manager; leaving it closes the
    connection (a stream read only to its first event is closed, not drained)."""

    def __init__(self, method: str, url: str, headers, body: Optional[bytes] = None,
                 deadline: Optional[float] = None, direct: Optional[bool] = None):
        deadline = DEFAULT_DEADLINE if deadline is None else deadline
        self.url = url
        self.deadline = deadline
        self._end = time.monotonic() + deadline
        self._watchdog = _Watchdog(deadline)
        req = urllib.request.Request(url, data=body, method=method)
        for name, value in (headers.items() if isinstance(headers, dict) else headers):
            req.add_header(name, value)
        opener = _opener(self._watchdog, is_loopback(url) if direct is None else direct)
        try:
            self._resp = opener.open(req, timeout=max(0.001, self.left()))
        except urllib.error.HTTPError as e:
            self._resp = e             # an HTTP answer all the same: status, headers, body
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
            self._watchdog.cancel()
            raise self._failure(e) from None
        self.status = getattr(self._resp, "status", None) or getattr(self._resp, "code", 0)
        raw = getattr(self._resp, "headers", None)
        self.headers = list(raw.items()) if raw is not None else []

    def left(self) -> float:
        return self._end - time.monotonic()

    def _failure(self, e) -> NoAnswer:
        reason = getattr(e, "reason", None) or e
        if self._watchdog.fired or self.left() <= 0 or isinstance(reason, TimeoutError):
            return self._timed_out()
        return NoAnswer(" ".join(str(reason).split()) or type(e).__name__)

    def read(self, limit: int = BODY_LIMIT, cut: bool = False) -> bytes:
        """The whole body; past ``limit`` bytes TooLarge, or with ``cut`` its first ``limit``
        bytes (enough of an error page to quote); NoAnswer past the deadline."""
        parts, size = [], 0
        while size <= limit:
            chunk = self._guarded(lambda: self._resp.read(min(_CHUNK, limit + 1 - size)))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        if size > limit and not cut:
            raise TooLarge(f"the reply is larger than {limit:,} bytes")
        return b"".join(parts)[:limit]

    def lines(self, line_limit: int = 1 << 20):
        """The body's lines (bytes, without the line end), as they arrive."""
        while True:
            line = self._guarded(lambda: self._resp.readline(line_limit + 1))
            if not line:
                return
            if len(line) > line_limit and not line.endswith(b"\n"):
                raise TooLarge(f"a line of the reply is longer than {line_limit:,} bytes")
            yield line.rstrip(b"\r\n")

    def _guarded(self, read):
        if self._watchdog.fired or self.left() <= 0:
            raise self._timed_out()
        try:
            data = read()
        except (OSError, ValueError, http.client.HTTPException) as e:
            raise self._failure(e) from None
        if self._watchdog.fired:       # the shutdown ends a read as if the reply had ended
            raise self._timed_out()
        return data

    def _timed_out(self) -> TimedOut:
        return TimedOut(f"no complete answer within {self.deadline:g} s")

    def close(self) -> None:
        self._watchdog.cancel()
        try:
            self._resp.close()
        except Exception:              # noqa: BLE001  closing a broken connection may fail; it is closed
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def send(method: str, url: str, headers, body: Optional[bytes] = None,
         deadline: Optional[float] = None, limit: int = BODY_LIMIT,
         direct: Optional[bool] = None) -> Reply:
    """The whole exchange within ``deadline`` seconds (default DEFAULT_DEADLINE): a Reply for any
    HTTP answer (2xx or not), NoAnswer for none (network, deadline, a body over ``limit``)."""
    with Exchange(method, url, headers, body, deadline, direct) as ex:
        return Reply(ex.status, ex.headers, ex.read(limit), url)
