"""``--usage``: the plan and its rate-limit windows, as ChatGPT reports them; a value the check
cannot read is named, never a reason to stop.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from ..chatgpt_backend import BackendError, backend_get, finite, span
from ..printable import NAME_WIDTH, capped, field

LIMITS_SHOWN = 50                # additional rate limits printed at most


class UsageReader:
    """Turns the usage document into lines; every value it cannot read is named in ``doubts``
    (and its line says so) instead of ending the check."""

    def __init__(self, now: float):
        self.now = now
        self.doubts: list = []

    def doubt(self, what: str) -> None:
        if what not in self.doubts:
            self.doubts.append(what)

    def window_name(self, window: dict, where: str) -> str:
        raw = window.get("limit_window_seconds")
        seconds = finite(raw)
        if seconds is None or seconds <= 0:
            if raw is not None:
                self.doubt(f"{where}.limit_window_seconds")
            return "window"
        s = int(seconds)
        if s % 86400 == 0:
            return f"{s // 86400}-day window"
        if s % 3600 == 0:
            return f"{s // 3600}-hour window"
        return f"{span(s)} window" if s < 10 ** 9 else "window"

    def reset_text(self, window: dict, where: str) -> str:
        raw_at, raw_after = window.get("reset_at"), window.get("reset_after_seconds")
        at, after = finite(raw_at), finite(raw_after)
        if at is None and raw_at is not None:
            self.doubt(f"{where}.reset_at")
        if after is None and raw_after is not None:
            self.doubt(f"{where}.reset_after_seconds")
        if at is None and after is not None:
            at = finite(self.now + after)
        if at is None:
            return "reset time " + ("not understood" if raw_at is not None or raw_after is not None
                                    else "not given")
        try:
            local = dt.datetime.fromtimestamp(int(at)).astimezone()
        except (OverflowError, OSError, ValueError):
            self.doubt(f"{where}.reset_at")
            return f"resets at {field(raw_at if raw_at is not None else at, 30)} (not a date)"
        if at <= self.now:
            return f"reset at {local:%Y-%m-%d %H:%M:%S %Z} (passed)"
        return f"resets {local:%Y-%m-%d %H:%M:%S %Z} (in {span(at - self.now)})"

    def window_line(self, label: str, window, where: str) -> Optional[str]:
        if window is None:
            return None
        if not isinstance(window, dict):
            self.doubt(where)
            return f"  {label:<34} not understood"
        raw = window.get("used_percent")
        used = finite(raw)
        if used is None and raw is not None:
            self.doubt(f"{where}.used_percent")
        used_text = f"{used:g}% used" if used is not None else "use unknown"
        name = f"{label} ({self.window_name(window, where)})"
        return f"  {name:<34} {used_text}, {self.reset_text(window, where)}"

    def limit_lines(self, prefix: str, limit, where: str) -> list:
        if limit is None:
            return []
        if not isinstance(limit, dict):
            self.doubt(where)
            return []
        lines = [self.window_line(f"{prefix}primary", limit.get("primary_window"),
                                  f"{where}.primary_window"),
                 self.window_line(f"{prefix}secondary", limit.get("secondary_window"),
                                  f"{where}.secondary_window")]
        lines = [l for l in lines if l]
        if limit.get("limit_reached") is True or limit.get("allowed") is False:
            lines.append(f"  {prefix}limit reached: requests are refused until the window resets")
        return lines

    def lines(self, doc: dict) -> list:
        lines = self.limit_lines("", doc.get("rate_limit"), "rate_limit")
        lines += self.limit_lines("code review, ", doc.get("code_review_rate_limit"),
                                  "code_review_rate_limit")
        extras = doc.get("additional_rate_limits")
        if extras is not None and not isinstance(extras, list):
            self.doubt("additional_rate_limits")
            extras = []
        shown, more = capped([e for e in extras or [] if isinstance(e, dict)], LIMITS_SHOWN)
        for n, extra in enumerate(shown):
            name = extra.get("limit_name") or extra.get("metered_feature") or "other"
            lines += self.limit_lines(f"{field(name, NAME_WIDTH)}, ", extra.get("rate_limit"),
                                      f"additional_rate_limits[{n}].rate_limit")
        if more:
            lines.append(f"  … and {more:,} more rate limits, not shown")
        credits = doc.get("credits")
        if isinstance(credits, dict):
            balance = credits.get("balance")
            if credits.get("unlimited") is True:
                lines.append("  Credits                            unlimited")
            elif credits.get("has_credits") is True or balance not in (None, "", 0, "0"):
                lines.append(f"  Credits                            balance {field(balance, 40)}")
        return lines


def usage_report(base: str, headers: dict, say) -> bool:
    """The plan and its windows (True), or one line saying why not (False). A value the check
    cannot read is shown as such, and named once at the end (False)."""
    url = f"{base}/wham/usage"
    try:
        doc = backend_get(url, headers)
    except BackendError as e:
        say(f"Usage: ChatGPT did not answer the usage request: {e}.")
        return False
    reader = UsageReader(dt.datetime.now().timestamp())
    plan = doc.get("plan_type")
    say(f"Usage (GET {url}):")
    say(f"  Plan                               {field(plan, NAME_WIDTH) if isinstance(plan, str) and plan else 'not given'}")
    lines = reader.lines(doc)
    say.lines(lines)
    if not lines:
        say("  no rate-limit windows in the reply")
    if reader.doubts:
        shown, more = capped(reader.doubts, 5)
        say("Usage: values the check cannot read (not a finite number, or not the expected shape): "
            + ", ".join(shown) + (f" and {more} more" if more else "")
            + "; shown above as not understood.")
        return False
    return True
