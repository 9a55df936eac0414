"""tark_request.build_responses_request: the request tark 0.12.6 builds from a credentials answer
(openai_compat.rs build_responses_request / build_responses_http_request, commit ddb0b6b)."""

import pytest

from tark_request import (CHAT_INSTRUCTIONS, CHAT_TOOLS, CODEX_DEFAULT_INSTRUCTIONS, build_responses_request,
                          complete_request)

ENDPOINT = "https://chatgpt.com/backend-api/codex/responses"


def answer(**custom):
    return {"access_token": "tok", "api_mode": "openai_compat", "endpoint": ENDPOINT,
            "custom_headers": custom or {"ChatGPT-Account-Id": "acct", "originator": "codex_cli_rs"}}


def test_streaming_chat_request():
    url, headers, body = build_responses_request(answer(), "gpt-5.6-sol", "Say hello")
    assert url == ENDPOINT
    assert headers == [("Content-Type", "application/json"), ("Authorization", "Bearer tok"),
                       ("ChatGPT-Account-Id", "acct"), ("originator", "codex_cli_rs")]
    assert list(body) == ["model", "input", "instructions", "tools", "tool_choice", "stream", "store"]
    assert body["input"] == [{"role": "user", "content": "Say hello"}]
    assert (body["instructions"], body["tools"], body["tool_choice"]) == (CHAT_INSTRUCTIONS, CHAT_TOOLS, "auto")
    assert body["stream"] is True and body["store"] is False


def test_non_streaming_paths_leave_stream_and_tools_out():
    _, _, body = build_responses_request(answer(), "gpt-5.5", "x", stream=False)
    assert "stream" not in body and "tools" not in body and "tool_choice" not in body
    assert "instructions" not in body, "no system prompt and no 'codex' in the model name"
    assert body["store"] is False
    _, _, body = build_responses_request(answer(), "gpt-5.3-codex", "x", stream=False)
    assert body["instructions"] == CODEX_DEFAULT_INSTRUCTIONS
    _, _, body = complete_request(answer())
    assert body["model"] == "gpt-4" and "<CURSOR>" in body["input"][0]["content"] and body["instructions"]
    assert "stream" not in body and "tools" not in body


def test_max_output_tokens_only_off_chatgpts_codex_endpoint():
    creds = dict(answer(), endpoint="http://127.0.0.1:9/codex/responses")
    _, _, body = build_responses_request(creds, "m", "x")
    assert body["max_output_tokens"] == 4096
    assert list(body).index("max_output_tokens") == 3


def test_custom_headers_are_appended_verbatim():
    _, headers, _ = build_responses_request(answer(**{"Content-Type": "text/plain", "User-Agent": "ua/1 (x)"}),
                                            "m", "x")
    assert headers[2:] == [("Content-Type", "text/plain"), ("User-Agent", "ua/1 (x)")]
    assert [k for k, _ in headers].count("Content-Type") == 2


@pytest.mark.parametrize("custom", [{"bad name": "v"}, {"X": "line\nbreak"}, {"X": "del\x7f"}, {"": "v"}])
def test_an_invalid_header_fails_the_request(custom):
    with pytest.raises(ValueError, match="tark would fail every request"):
        build_responses_request(answer(**custom), "m", "x")


@pytest.mark.parametrize("creds", [{"access_token": "t", "endpoint": ENDPOINT},
                                   {"access_token": "t", "api_mode": "openai_compat"}])
def test_no_request_without_openai_compat_and_endpoint(creds):
    with pytest.raises(ValueError):
        build_responses_request(creds, "m", "x")
