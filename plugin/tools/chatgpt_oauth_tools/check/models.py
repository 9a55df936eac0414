"""``--models``: the models ChatGPT offers this login now, beside the ones the plugin lists, and
which of those its client version cannot reach.
"""

from __future__ import annotations

from typing import Optional

from ..chatgpt_backend import (VERSION_HEADER, BackendError, header, model_entries, models_url,
                               needs_newer)
from ..facts import CODEX_VERSION_VARIABLE, PLUGIN_NAME
from ..printable import NAME_WIDTH, capped, field

MODELS_SHOWN = 200               # rows of a model list printed at most
SLUG_WIDTH = 60                  # characters of a slug or a name printed at most


def _context(model: dict) -> str:
    cw = model.get("context_window")
    return f"{cw:,} tokens" if isinstance(cw, int) and not isinstance(cw, bool) and 0 < cw < 10 ** 12 \
        else "unknown"


def _model_rows(models: list, key: str, version: Optional[str] = None) -> list:
    """One row a model (slug or id under ``key``), the first MODELS_SHOWN, then how many more."""
    shown, more = capped(models, MODELS_SHOWN)
    slugs = [field(m.get(key, ""), SLUG_WIDTH) for m in shown]
    width = max([len(s) for s in slugs] + [4])
    rows = []
    for slug, m in zip(slugs, shown):
        name = m.get("display_name") or m.get("name") or ""
        row = f"  {slug:<{width}}  {field(name, NAME_WIDTH):<20}  context {_context(m)}"
        minimal = m.get("minimal_client_version")
        if needs_newer(minimal, version):
            row += f"  (needs client version {field(minimal, 20)}; the plugin states {version})"
        rows.append(row)
    if more:
        rows.append(f"  … and {more:,} more, not shown")
    return rows


def models_report(base: str, headers: dict, bundled, say) -> bool:
    """The live model list (True), or one line and the bundled list (False)."""
    version = header(headers, VERSION_HEADER)
    if version is None:
        say(f"  note       the plugin states no client version (no {VERSION_HEADER} header): ChatGPT"
            " then hides its newer models; update the plugin")
    url = models_url(base, version)
    try:
        entries = model_entries(url, headers)
    except BackendError as e:
        say(f"Models: ChatGPT did not answer the model list: {e}.")
        say_bundled(bundled, say)
        return False
    # As the Codex CLI: a model shows in the picker only when visibility is "list"; "hide" and
    # "none" are served but not offered (ModelPreset::show_in_picker). Picker order: priority.
    visible = [m for m in entries if m.get("visibility") == "list"]
    visible.sort(key=lambda m: m["priority"] if isinstance(m.get("priority"), int)
                 and not isinstance(m.get("priority"), bool) else 1 << 62)
    say(f"Models your plan offers now (GET {url}, {len(visible):,} listed):")
    say.lines(_model_rows(visible, "slug", version))
    hidden = len(entries) - len(visible)
    if hidden:
        say(f"  ({hidden:,} more the server marks hidden, as it does for internal models)")
    if not visible:
        say("  (none: the server listed no model for this login)")
    if isinstance(bundled, list):
        _say_reach(bundled, entries, version, say)
    say(f"  Choose one in tark: tark --provider {PLUGIN_NAME} --model <slug> tui")
    return True


def unreachable(model_id: str, served: dict, version: Optional[str]) -> Optional[str]:
    """Why a model the plugin lists cannot be used with the client version it states, or None."""
    entry = served.get(model_id)
    if entry is None:
        return ("not in ChatGPT's list for this login and client version (retired, not in this"
                " plan, or newer than the version)")
    minimal = entry.get("minimal_client_version")
    if needs_newer(minimal, version):
        return (f"needs client version {field(minimal, 20)} or later, the plugin states {version}:"
                f" set {CODEX_VERSION_VARIABLE}={field(minimal, 20)} where tark runs")
    return None


def _say_reach(bundled: list, entries: list, version: Optional[str], say) -> None:
    """Marks each model the plugin lists (provider_models) that its client version cannot reach."""
    served = {m["slug"]: m for m in entries}
    blocked = [(m.get("id"), unreachable(m.get("id"), served, version))
               for m in bundled if isinstance(m, dict) and isinstance(m.get("id"), str)]
    blocked = [(model_id, why) for model_id, why in blocked if why]
    if not blocked:
        say(f"  Every model the plugin lists is served to client version {version or '(none)'}.")
        return
    say(f"  Models the plugin lists that ChatGPT does not serve to client version {version or '(none)'}:")
    shown, more = capped(blocked, MODELS_SHOWN)
    for model_id, why in shown:
        say(f"    UNREACHABLE {field(model_id, SLUG_WIDTH)}: {why}")
    if more:
        say(f"    … and {more:,} more")


def say_bundled(bundled, say) -> None:
    if isinstance(bundled, list):
        say(f"The plugin's bundled list (provider_models), which may name models your plan no"
            f" longer offers ({len(bundled)}):")
        say.lines(_model_rows([m for m in bundled if isinstance(m, dict)], "id"))
    else:
        say(f"The plugin's bundled list (provider_models) is unavailable too: {field(bundled)}")
