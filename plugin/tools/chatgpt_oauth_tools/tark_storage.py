"""A plugin's storage as tark keeps it (``PluginState::load_storage`` / ``save_storage``): a map of
strings in ``<data dir>/storage.json``, read once at load and rewritten whole on every change."""

from __future__ import annotations

from pathlib import Path

from .facts import STORAGE_FILE
from .tark_serde import Pairs, serde_pretty, strict_json


def storage_file(data_dir: Path) -> Path:
    return Path(data_dir) / STORAGE_FILE


def load_storage(data_dir: Path) -> dict:
    """PluginState::load_storage: HashMap<String, String>; any failure -> empty map."""
    f = storage_file(data_dir)
    try:
        if not f.exists():
            return {}
        val = strict_json(f.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(val, Pairs) or not all(isinstance(v, str) for _, v in val):
        return {}
    return {k: v for k, v in val}


def save_storage(data_dir: Path, storage: dict) -> bool:
    """PluginState::save_storage: create_dir_all + to_string_pretty + write."""
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        storage_file(data_dir).write_text(serde_pretty(storage), encoding="utf-8")
        return True
    except OSError:
        return False
