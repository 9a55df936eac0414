"""Text from elsewhere, made safe to print: the one place the tools (check.py, login.py) pass
every line through before it reaches a terminal.

Three dangers, three rules:

- **Control characters rewrite the terminal.** ESC starts an escape sequence (colours, cursor
  moves, an OSC-8 hyperlink, a changed window title), CR and BS overwrite what was printed, BEL
  rings, a C1 character (U+0080 to U+009F; U+009B is a CSI on its own) does what ESC does on many
  terminals, bidirectional controls reorder a line. :func:`visible` escapes each as text
  (``\\x1b``, ``\\u202e``), so what a server, a file, the environment or the plugin says is shown,
  never obeyed. A lone surrogate (JSON may carry one) is escaped too: printing it would raise.
- **A token is a password.** :class:`Redactor` hides every run of characters that contains a
  piece of ``PIECE`` characters of a token the tool holds (access, refresh, id token, a device
  login's codes), in the usual encodings a server echoes them in (as sent, percent-encoded, with
  ``\\/`` escapes, in standard Base64's alphabet), case-sensitively, plus anything shaped like a
  JWT and any value after a token field's name.
- **A reply can be any size.** :func:`field` caps one value, :func:`clipped` any text; the
  :class:`Printer` caps each line.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Callable, Iterable, Optional

# The rule is "no 16-character piece of a token"; hiding every 12-character one keeps a margin and
# matches the tests' leak check (conftest.LEAK_WINDOW).
PIECE = 12
FIELD_LIMIT = 120          # one value from a reply: a slug, a name, a message
LINE_LIMIT = 2000          # one printed line, whatever it holds


def _escapes() -> dict:
    table = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
    table.update({c: f"\\u{c:04x}" for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                            *range(0x2066, 0x206A), 0x2028, 0x2029,
                                            *range(0xD800, 0xE000)]})
    return table


_ESCAPES = _escapes()


def visible(text: str) -> str:
    """``text`` with every control character written out as an escape: printable as one line."""
    return text.translate(_ESCAPES)


def clipped(text: str, limit: int) -> str:
    """At most ``limit`` characters, then how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(+{len(text) - limit:,} chars)"


def field(value, limit: int = FIELD_LIMIT) -> str:
    """One value from elsewhere as a printable piece of a line: escaped, capped."""
    return clipped(visible(value if isinstance(value, str) else str(value)), limit)


def capped(items: list, limit: int) -> tuple:
    """(the first ``limit`` items, how many more)."""
    return items[:limit], max(0, len(items) - limit)


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

TOKEN_KEYS = ("access_token", "refresh_token", "id_token")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# A value after a token's field name (as JSON, a form or a header would carry it).
_TOKEN_FIELD = re.compile(r'((?:access|refresh|id)_token"?\s*[:=]\s*"?)([A-Za-z0-9._~+/=%-]{8,})')
_STANDARD_BASE64 = str.maketrans("-_", "+/")


def hidden(length: int) -> str:
    """What replaces token text: its length only, no character of it."""
    return f"[token text hidden, {length} chars]"


def _encodings(secret: str) -> set:
    """The forms a server may echo a secret in."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
             secret.replace("/", "\\/"), secret.translate(_STANDARD_BASE64)}
    return {f for f in forms if len(f) >= PIECE}


class Redactor:
    """Hides the tokens the tool holds in any text: ``add`` each secret as soon as it is seen.

    Memory stays linear in the secrets' length (a login file may hold a megabyte): only the
    slices of ``PIECE // 2`` characters at every ``PIECE // 2``-th offset of each form are
    indexed. Any ``PIECE`` characters of a form contain one of them, so a text position whose
    slice is indexed is extended both ways along the form; a match of ``PIECE`` or more is hidden.
    """

    _STEP = PIECE // 2
    _OFFSETS_KEPT = 4          # a slice repeated more often in one form is a degenerate secret

    def __init__(self):
        self._forms: list = []
        self._index: dict = {}           # slice -> [(form number, offset)]
        self._secrets: set = set()

    def add(self, secret) -> None:
        if not isinstance(secret, str) or len(secret) < PIECE or secret in self._secrets:
            return
        self._secrets.add(secret)
        for form in _encodings(secret):
            number = len(self._forms)
            self._forms.append(form)
            for offset in range(0, len(form) - self._STEP + 1, self._STEP):
                places = self._index.setdefault(form[offset:offset + self._STEP], [])
                if sum(1 for n, _ in places if n == number) < self._OFFSETS_KEPT:
                    places.append((number, offset))

    def add_from(self, doc) -> None:
        """The tokens in a JSON value, at any depth (the Codex CLI nests them under "tokens")."""
        if isinstance(doc, dict):
            for key, value in doc.items():
                if key in TOKEN_KEYS:
                    self.add(value)
                else:
                    self.add_from(value)
        elif isinstance(doc, list):
            for value in doc:
                self.add_from(value)

    def add_from_text(self, text) -> None:
        """The tokens in a JSON document or a form body."""
        if not isinstance(text, str):
            return
        try:
            self.add_from(json.loads(text))
        except (ValueError, RecursionError):
            pass
        for m in _TOKEN_FIELD.finditer(text):
            self.add(m.group(2))
            self.add(urllib.parse.unquote_plus(m.group(2)))

    def __call__(self, text: str) -> str:
        text = self._hide_pieces(text)
        text = _JWT.sub(lambda m: hidden(len(m.group(0))), text)
        return _TOKEN_FIELD.sub(lambda m: m.group(1) + hidden(len(m.group(2))), text)

    def _runs(self, text: str) -> list:
        """[start, end) of every stretch of ``text`` that matches PIECE or more characters of a
        form. A slice inside a stretch already found is skipped: a match it would start ends at
        most PIECE - 1 characters past that stretch, which is no piece."""
        step, runs, covered = self._STEP, [], 0
        for p in range(len(text) - step + 1):
            if p + step <= covered:
                continue
            for number, offset in self._index.get(text[p:p + step], ()):
                form, shift = self._forms[number], p - offset      # text index = form index + shift
                start, end = p, p + step
                while start > 0 and start - 1 - shift >= 0 and text[start - 1] == form[start - 1 - shift]:
                    start -= 1
                while end < len(text) and end - shift < len(form) and text[end] == form[end - shift]:
                    end += 1
                if end - start >= PIECE:
                    runs.append([start, end])
                    covered = max(covered, end)
        runs.sort()
        merged: list = []
        for start, end in runs:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged

    def _hide_pieces(self, text: str) -> str:
        if not self._index or len(text) < PIECE:
            return text
        out, at = [], 0
        for start, end in self._runs(text):
            out += [text[at:start], hidden(end - start)]
            at = end
        out.append(text[at:])
        return "".join(out)


class Printer:
    """Prints lines through ``out``: escaped, capped, then redacted (the order matters: the
    redactor sees exactly the characters that will be printed)."""

    def __init__(self, out: Callable, redactor: Optional[Redactor] = None):
        self.out = out
        self.red = redactor or Redactor()

    def __call__(self, text: str = "") -> None:
        self.out(self.line(text))

    def line(self, text: str) -> str:
        return self.red(clipped(visible(text), LINE_LIMIT))

    def lines(self, rows: Iterable[str]) -> None:
        for row in rows:
            self(row)
