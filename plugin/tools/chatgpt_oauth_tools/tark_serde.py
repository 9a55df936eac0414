"""JSON as tark writes and parses it (serde_json), for the tark-host emulation."""

from __future__ import annotations

import json


def serde_compact(obj) -> str:
    """serde_json::to_string of a serde_json::Value (BTreeMap: keys sorted)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def serde_pretty(obj) -> str:
    """serde_json::to_string_pretty (2-space indent, no trailing newline). tark's storage is a
    HashMap, so real tark writes its keys in no fixed order; sorted is one of those orders, and
    nothing may depend on it."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True)


def tokens_json(access_token: str, refresh_token=None, id_token=None, expires_in=None,
                token_type=None, scope=None) -> str:
    """The string tark passes to ``auth_process_tokens``: ``serde_json::to_string`` of
    ``auth::oauth::TokenResponse`` - compact, this field order, ``null`` for absent fields;
    any other field of the token endpoint's reply is dropped."""
    return json.dumps({"access_token": access_token, "refresh_token": refresh_token,
                       "id_token": id_token, "expires_in": expires_in,
                       "token_type": token_type, "scope": scope},
                      ensure_ascii=False, separators=(",", ":"))


def _no_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def strict_json(text: str):
    """json.loads restricted to what serde_json accepts (no NaN/Infinity, no lone
    surrogates); duplicate keys are kept as a list of pairs for the caller to judge."""
    def hook(pairs):
        return Pairs(pairs)
    val = json.loads(text, parse_constant=_no_constant, object_pairs_hook=hook)
    _check_surrogates(val)
    return val


class Pairs(list):
    pass


def _check_surrogates(v):
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise ValueError("lone surrogate in string")
    elif isinstance(v, Pairs):
        for k, x in v:
            _check_surrogates(k)
            _check_surrogates(x)
    elif isinstance(v, list):
        for x in v:
            _check_surrogates(x)



def plain(v):
    """strict_json output -> plain dicts/lists (a repeated key keeps the last value)."""
    if isinstance(v, Pairs):
        return {k: plain(x) for k, x in v}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def opt_type(d: dict, key: str, typ) -> bool:
    """serde ``#[serde(default)]`` field: absent, or present with this type (null is not)."""
    return key not in d or type(d[key]) is typ
