"""What tark makes of a provider plugin's ``provider_auth_credentials`` answer: the
``AuthCredentials`` serde would parse, and the native provider tark builds from it."""

from __future__ import annotations

from typing import Optional

from .tark_errors import CredentialsError
from .tark_serde import Pairs, strict_json

_CRED_FIELDS = ("access_token", "project_id", "api_mode", "endpoint", "custom_headers")


def parse_auth_credentials(text: str) -> dict:
    """Parse like ``serde_json::from_str::<AuthCredentials>``: ``access_token`` string
    (required), ``project_id`` / ``endpoint`` string or null, ``api_mode`` string (default
    ``"cloud_code_assist"``; null is an error), ``custom_headers`` null or object of
    string -> string; unknown fields ignored; a duplicate known field is an error.
    Raises :class:`CredentialsError`."""
    try:
        val = strict_json(text)
    except ValueError as e:
        raise CredentialsError(f"Failed to parse auth credentials JSON: {e}") from e
    fields: dict = {}
    if isinstance(val, Pairs):
        for k, x in val:
            if k in _CRED_FIELDS:
                if k in fields:
                    raise CredentialsError(f"duplicate field `{k}`")
                fields[k] = x
    elif isinstance(val, list):  # serde also accepts a struct as a sequence
        if len(val) < 1:
            raise CredentialsError("invalid length 0, expected struct AuthCredentials")
        if len(val) > len(_CRED_FIELDS):
            raise CredentialsError(f"invalid length {len(val)}, expected fewer elements")
        fields = dict(zip(_CRED_FIELDS, val))
    else:
        raise CredentialsError("invalid type, expected struct AuthCredentials")

    def opt_str(k):
        x = fields.get(k)
        if x is not None and not isinstance(x, str):
            raise CredentialsError(f"invalid type for `{k}`, expected a string")
        return x

    if "access_token" not in fields:
        raise CredentialsError("missing field `access_token`")
    if not isinstance(fields["access_token"], str):
        raise CredentialsError("invalid type for `access_token`, expected a string")
    api_mode = fields.get("api_mode", "cloud_code_assist")
    if not isinstance(api_mode, str):
        raise CredentialsError("invalid type for `api_mode`, expected a string")
    headers = fields.get("custom_headers")
    if headers is not None:
        if not isinstance(headers, Pairs):
            raise CredentialsError("invalid type for `custom_headers`, expected a map")
        hd = {}
        for k, x in headers:
            if not isinstance(x, str):
                raise CredentialsError("invalid type in `custom_headers`, expected a string")
            hd[k] = x  # HashMap insert: a repeated key keeps the last value
        headers = hd
    return {"access_token": fields["access_token"], "project_id": opt_str("project_id"),
            "api_mode": api_mode, "endpoint": opt_str("endpoint"), "custom_headers": headers}



def native_provider_for(creds: dict, model: Optional[str] = None) -> dict:
    """What ``try_create_native_provider_from_auth_plugin`` builds from parsed credentials.
    Returns ``{"kind": "openai_compat", "endpoint", "model", "headers"}``,
    ``{"kind": "gemini_cloud_code_assist", ...}`` or ``{"kind": None, "reason": ...}`` (tark
    then falls back to the full-provider adapter: a new load + provider_info/provider_models).
    """
    mode = creds["api_mode"]
    if mode == "openai_compat":
        if creds.get("endpoint") is None:
            return {"kind": None, "reason": "openai_compat mode requires endpoint"}
        headers = {"Authorization": f"Bearer {creds['access_token']}"}
        headers.update(creds.get("custom_headers") or {})
        return {"kind": "openai_compat", "endpoint": creds["endpoint"],
                "model": model or "gpt-4", "headers": headers}
    if mode == "cloud_code_assist":
        if creds.get("project_id") is None:
            return {"kind": None, "reason": "Cloud Code Assist mode requires project_id"}
        return {"kind": "gemini_cloud_code_assist", "project_id": creds["project_id"],
                "model": model or "gemini-2.0-flash"}
    if mode == "standard":
        return {"kind": None, "reason": "Standard API mode not supported for auth-only plugins"}
    return {"kind": None, "reason": f"Unknown API mode from auth plugin: {mode}"}
