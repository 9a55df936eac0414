"""The Responses request tark 0.12.6 sends with a provider plugin's credentials answer.

Written from tark's ``src/llm/openai_compat.rs`` (commit ddb0b6b) and ``src/llm/plugin_provider.rs``:
for ``api_mode: openai_compat`` tark builds ``OpenAiCompatProvider`` on the answer's ``endpoint``
(the Responses API, since the URL holds ``/codex/``), with ``Authorization: Bearer <access_token>``
and one ``with_header`` per ``custom_headers`` entry. ``build_responses_http_request`` then sends

* ``Content-Type: application/json``, ``Authorization``, then every custom header verbatim (reqwest
  appends: a repeated name is sent twice; tark adds no User-Agent, ``OpenAI-Beta`` or session id);
* a JSON body, keys in ``ResponsesApiRequest`` order: ``model``, ``input`` (always a list of
  messages), ``instructions`` (the system prompt; without one only for a model whose name holds
  "codex"), ``max_output_tokens`` (left out for chatgpt.com's Codex endpoint), ``tools`` and
  ``tool_choice: "auto"`` (when tools are given), ``stream: true`` (streaming paths only: the TUI
  and ACP chat; ``tark complete``, ``/complete`` and ``/inline-complete`` leave it out), and
  ``store: false``.

Used by the emulation tests (with ``codex_rules``) and by ``check.py --probe``.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

# What a streaming chat path sends: tark's agent prompt and tool list stand in by one prompt and one
# tool of the same shape (ResponsesTool: type, name, description, parameters).
CHAT_INSTRUCTIONS = "You are tark, an AI coding assistant."
CHAT_TOOLS = [{"type": "function", "name": "read_file", "description": "Read a file in the workspace.",
               "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                              "required": ["path"]}}]
# convert_messages_to_responses: the instructions of a model "codex" names when no system prompt came.
CODEX_DEFAULT_INSTRUCTIONS = "You are a helpful coding assistant."
DEFAULT_MAX_TOKENS = 4096        # OpenAiCompatConfig's fallback
_CHAT = object()                 # "what a chat path sends" for instructions and tools


def _check_header(name: str, value: str) -> None:
    """reqwest's RequestBuilder::header: an invalid name or value fails the whole request."""
    if not name or any(c in name for c in ' \t\r\n:"(),/;<=>?@[\\]{}') or not name.isascii():
        raise ValueError(f"tark would fail every request: invalid header name {name!r}")
    if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
        raise ValueError(f"tark would fail every request: invalid value of header {name!r}")


def build_responses_request(credentials_answer: dict, model: str, prompt: str, stream: bool = True, *,
                            instructions=_CHAT, tools=_CHAT) -> Tuple[str, List[Tuple[str, str]], dict]:
    """``(url, headers, body)`` of the one POST tark sends for a user ``prompt`` to ``model``.

    ``credentials_answer``: the plugin's ``provider_auth_credentials`` answer as a dict (raw JSON or
    ``tark_host.parse_auth_credentials``' result). ``stream``: True for the TUI and ACP chat (their
    agent prompt and tools are sent), False for ``tark complete`` and ``/inline-complete``, which send
    no tools. ``instructions`` / ``tools`` override those (None: no system prompt / no tools).
    Raises ValueError where tark would not send the request (not ``openai_compat``, no endpoint, an
    invalid header)."""
    if credentials_answer.get("api_mode", "cloud_code_assist") != "openai_compat":
        raise ValueError(f"tark builds no OpenAI-compatible provider for api_mode "
                         f"{credentials_answer.get('api_mode')!r}")
    url = credentials_answer.get("endpoint")
    if not isinstance(url, str):
        raise ValueError("openai_compat mode requires endpoint")
    headers = [("Content-Type", "application/json"),
               ("Authorization", f"Bearer {credentials_answer['access_token']}")]
    headers += list((credentials_answer.get("custom_headers") or {}).items())
    for name, value in headers:
        _check_header(name, value)

    if instructions is _CHAT:
        instructions = CHAT_INSTRUCTIONS if stream else None
    if instructions is None and "codex" in model.lower():
        instructions = CODEX_DEFAULT_INSTRUCTIONS
    if tools is _CHAT:
        tools = CHAT_TOOLS if stream else None
    body: dict = {"model": model, "input": [{"role": "user", "content": prompt}]}
    if instructions is not None:
        body["instructions"] = instructions
    if not ("chatgpt.com" in url and "codex" in url):
        body["max_output_tokens"] = DEFAULT_MAX_TOKENS
    if tools:
        body["tools"] = tools
        body["tool_choice"] = "auto"
    if stream:
        body["stream"] = True
    body["store"] = False
    return url, headers, body


def complete_request(credentials_answer: dict, model: str = "gpt-4") -> Tuple[str, List[Tuple[str, str]], dict]:
    """What ``tark complete`` sends (complete_fim: no stream, no tools, its completion prompt; the
    model is always gpt-4 there)."""
    return build_responses_request(
        credentials_answer, model, "def add(a, b):\n    return <CURSOR>\n", stream=False,
        instructions="You are a code completion engine. Complete the code where <CURSOR> is placed. "
                     "Output ONLY the completion text. Language: python", tools=None)
