"""Gemini dialect: golden request/response/stream translation, and a round trip through the
local Gemini emulator (tests/emulators/gemini_emulator.py) over real HTTP."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tokenway.dialects import gemini
from tokenway.errors import InvalidRequest, UpstreamError

CID = "chatcmpl-test"
CREATED = 1_700_000_000
MODEL = "gemini-2.5-flash"
EMULATOR = Path(__file__).resolve().parents[1] / "emulators" / "gemini_emulator.py"


def u(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


def ck(delta: dict[str, Any], finish: str | None = None, index: int = 0, model: str = MODEL) -> dict[str, Any]:
    return {
        "id": CID,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }


def uck(usage: dict[str, Any], model: str = MODEL) -> dict[str, Any]:
    return {
        "id": CID,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "choices": [],
        "usage": usage,
    }


# ----------------------------------------------------------------------------- request encoding


def test_request_path() -> None:
    assert gemini.request_path("gemini-2.5-flash", False) == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert (
        gemini.request_path("models/gemini-2.5-pro", True)
        == "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
    )
    assert gemini.request_path("tunedModels/my-tune", False) == "/v1beta/tunedModels/my-tune:generateContent"


def test_encode_system_multiturn_and_generation_config() -> None:
    chat = {
        "model": "my-alias",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hi"},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
            {"role": "user", "content": [{"type": "text", "text": "How are you?"}]},
            {"role": "assistant", "content": "Bien."},
            {"role": "assistant", "content": [{"type": "text", "text": "Et toi ?"}]},
            {"role": "user", "content": "Merci"},
        ],
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "max_tokens": 100,
        "stop": "END",
        "seed": 7,
        "n": 2,
        "presence_penalty": 0.5,
        "frequency_penalty": 0.25,
        "stream": True,
        "user": "someone",
    }
    assert gemini.encode_request(chat, MODEL) == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}, {"text": "How are you?"}]},
            {"role": "model", "parts": [{"text": "Bien."}, {"text": "Et toi ?"}]},
            {"role": "user", "parts": [{"text": "Merci"}]},
        ],
        "systemInstruction": {"parts": [{"text": "You are terse."}, {"text": "Answer in French."}]},
        "generationConfig": {
            "maxOutputTokens": 100,
            "temperature": 0.2,
            "topP": 0.9,
            "topK": 40,
            "seed": 7,
            "stopSequences": ["END"],
            "candidateCount": 2,
            "presencePenalty": 0.5,
            "frequencyPenalty": 0.25,
        },
    }


def test_encode_minimal_has_no_optional_sections() -> None:
    chat = {"messages": [{"role": "user", "content": "ping"}], "max_completion_tokens": 5, "max_tokens": 99}
    assert gemini.encode_request(chat, MODEL) == {
        "contents": [{"role": "user", "parts": [{"text": "ping"}]}],
        "generationConfig": {"maxOutputTokens": 5},
    }


def test_encode_images() -> None:
    chat = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What are these?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a/cat.webp?size=2"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/photo"}},
                    {"type": "image_url", "image_url": {"url": "data:text/plain,hello%20world"}},
                ],
            }
        ]
    }
    assert gemini.encode_request(chat, MODEL) == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "What are these?"},
                    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                    {"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/a/cat.webp?size=2"}},
                    {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/photo"}},
                    {"inlineData": {"mimeType": "text/plain", "data": "aGVsbG8gd29ybGQ="}},
                ],
            }
        ]
    }


def test_encode_rejects_unsupported_image_url() -> None:
    chat = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}]}]}
    with pytest.raises(InvalidRequest):
        gemini.encode_request(chat, MODEL)


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"type": ["string", "null"], "enum": ["c", "f"]},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
NOARG_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


def test_encode_tools_tool_calls_and_results() -> None:
    chat = {
        "messages": [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Rome", "unit": "c"}'},
                        "extra_content": {"google": {"thought_signature": "c2ln"}},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": '{"temp": 21, "sky": "clear"}'},
            {"role": "tool", "tool_call_id": "call_b", "content": "sunny"},
            {"role": "user", "content": "Thanks. What time is it?"},
            {
                "role": "assistant",
                "content": "Checking.",
                "tool_calls": [
                    {
                        "id": "call_a",  # ids repeat across turns: the latest call with the id wins
                        "type": "function",
                        "function": {"name": "get_time", "arguments": ""},
                        "extra_content": {"google": {"thought_signature": "dGlt"}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": [{"type": "text", "text": "noon"}]},
        ],
        "tools": [WEATHER_TOOL, NOARG_TOOL],
        "tool_choice": "required",
    }
    assert gemini.encode_request(chat, MODEL) == {
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
            {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                        "thoughtSignature": "skip_thought_signature_validator",
                    },
                    {
                        "functionCall": {"name": "get_weather", "args": {"city": "Rome", "unit": "c"}},
                        "thoughtSignature": "c2ln",
                    },
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"temp": 21, "sky": "clear"}}},
                    {"functionResponse": {"name": "get_weather", "response": {"content": "sunny"}}},
                    {"text": "Thanks. What time is it?"},
                ],
            },
            {
                "role": "model",
                "parts": [
                    {"text": "Checking."},
                    {"functionCall": {"name": "get_time", "args": {}}, "thoughtSignature": "dGlt"},
                ],
            },
            {"role": "user", "parts": [{"functionResponse": {"name": "get_time", "response": {"content": "noon"}}}]},
        ],
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "description": "Weather for a city",
                        "parameters": {
                            "type": "object",
                            "properties": {
                                "city": {"type": "string", "description": "City name"},
                                "unit": {"type": "string", "nullable": True, "enum": ["c", "f"]},
                            },
                            "required": ["city"],
                        },
                    },
                    {"name": "get_time"},
                ]
            }
        ],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"functionCallingConfig": {"mode": "AUTO"}}),
        ("none", {"functionCallingConfig": {"mode": "NONE"}}),
        ("required", {"functionCallingConfig": {"mode": "ANY"}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        ),
    ],
)
def test_encode_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    chat = {"messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER_TOOL], "tool_choice": choice}
    assert gemini.encode_request(chat, MODEL)["toolConfig"] == expected


def test_encode_tool_result_for_unknown_call_id_is_rejected() -> None:
    chat = {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "nope", "content": "1"}]}
    with pytest.raises(InvalidRequest) as e:
        gemini.encode_request(chat, MODEL)
    assert e.value.param == "messages[1].tool_call_id"


def test_encode_json_object_response_format() -> None:
    chat = {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}
    assert gemini.encode_request(chat, MODEL)["generationConfig"] == {"responseMimeType": "application/json"}


def test_encode_json_schema_response_format_is_cleaned() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "Person",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "email": {"type": "string", "format": "email"},
            "born": {"type": "string", "format": "date-time"},
            "nick": {"type": ["string", "null"]},
            "pet": {"$ref": "#/$defs/Pet"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "uniqueItems": True},
            "kind": {"const": "human"},
            "age": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        },
        "required": ["name", "pet", "ghost"],
        "$defs": {
            "Pet": {
                "type": "object",
                "properties": {"species": {"type": "string", "enum": ["cat", "dog"]}},
                "additionalProperties": False,
            }
        },
    }
    chat = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": schema}},
    }
    assert gemini.encode_request(chat, MODEL)["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "object",
            "title": "Person",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string"},
                "born": {"type": "string", "format": "date-time"},
                "nick": {"type": "string", "nullable": True},
                "pet": {"type": "object", "properties": {"species": {"type": "string", "enum": ["cat", "dog"]}}},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "kind": {"type": "string", "enum": ["human"]},
                "age": {"type": "integer", "minimum": 0, "nullable": True},
            },
            "required": ["name", "pet"],
        },
    }


def test_encode_thinking_config() -> None:
    base = {"messages": [{"role": "user", "content": "x"}]}
    enabled = gemini.encode_request({**base, "thinking": {"type": "enabled", "budget_tokens": 2048}}, MODEL)
    assert enabled["generationConfig"] == {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 2048}}
    effort = gemini.encode_request({**base, "reasoning_effort": "low"}, MODEL)
    assert effort["generationConfig"] == {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}}


# ---------------------------------------------------------------------------- response decoding


def test_decode_text() -> None:
    body = {
        "candidates": [
            {
                "content": {"parts": [{"text": "Hello"}, {"text": " world"}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
                "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}],
            }
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 2, "totalTokenCount": 12},
        "modelVersion": "gemini-2.0-flash",
        "responseId": "abc123",
    }
    assert gemini.decode_response(body, created=CREATED) == {
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": CREATED,
        "model": "gemini-2.0-flash",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello world"}, "finish_reason": "stop"}],
        "usage": u(10, 2),
    }


def test_decode_tool_calls() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "Let me check."},
                        {
                            "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                            "thoughtSignature": "sig1",
                        },
                        {"functionCall": {"name": "get_time", "args": {}}},
                    ],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 12, "totalTokenCount": 42},
    }
    assert gemini.decode_response(body, MODEL, cid=CID, created=CREATED) == {
        "id": CID,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Let me check.",
                    "tool_calls": [
                        {
                            "id": "call_0",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                            "extra_content": {"google": {"thought_signature": "sig1"}},
                        },
                        {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": u(30, 12),
    }


def test_decode_thoughts_cache_and_reasoning_usage() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "**Weighing it**\nThe user wants", "thought": True},
                        {"text": " a number.", "thought": True},
                        {"text": "42"},
                    ],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 1000,
            "cachedContentTokenCount": 800,
            "candidatesTokenCount": 50,
            "thoughtsTokenCount": 120,
            "toolUsePromptTokenCount": 7,
            "totalTokenCount": 1177,
        },
    }
    assert gemini.decode_response(body, MODEL, cid=CID, created=CREATED) == {
        "id": CID,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "42",
                    "reasoning_content": "**Weighing it**\nThe user wants a number.",
                },
                "finish_reason": "stop",
            }
        ],
        "usage": u(1007, 170, cached=800, reasoning=120),
    }


@pytest.mark.parametrize(
    ("reason", "with_call", "expected"),
    [
        ("STOP", False, "stop"),
        ("STOP", True, "tool_calls"),
        ("MAX_TOKENS", False, "length"),
        ("MAX_TOKENS", True, "length"),
        ("SAFETY", False, "content_filter"),
        ("RECITATION", False, "content_filter"),
        ("BLOCKLIST", False, "content_filter"),
        ("PROHIBITED_CONTENT", False, "content_filter"),
        ("SPII", False, "content_filter"),
        ("OTHER", False, "stop"),
        ("MALFORMED_FUNCTION_CALL", False, "stop"),
    ],
)
def test_decode_finish_reasons(reason: str, with_call: bool, expected: str) -> None:
    parts: list[dict[str, Any]] = [{"text": "x"}]
    if with_call:
        parts.append({"functionCall": {"name": "f", "args": {}}})
    body = {"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": reason}]}
    assert gemini.decode_response(body)["choices"][0]["finish_reason"] == expected


def test_decode_multiple_candidates_and_blocked_prompt() -> None:
    body = {
        "candidates": [
            {"content": {"parts": [{"text": "A"}], "role": "model"}, "finishReason": "STOP", "index": 0},
            {"content": {"parts": [{"text": "B"}], "role": "model"}, "finishReason": "MAX_TOKENS", "index": 1},
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
    }
    assert gemini.decode_response(body, MODEL, cid=CID, created=CREATED)["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": "A"}, "finish_reason": "stop"},
        {"index": 1, "message": {"role": "assistant", "content": "B"}, "finish_reason": "length"},
    ]
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
    }
    out = gemini.decode_response(blocked, MODEL, cid=CID, created=CREATED)
    assert out["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}
    ]
    assert out["usage"] == u(5, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", '
            b'"status": "INVALID_ARGUMENT"}}',
            "API key not valid. Please pass a valid API key.",
        ),
        (
            b'[{"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}}]',
            "Resource exhausted",
        ),
        (b"<html>502 Bad Gateway</html>", "<html>502 Bad Gateway</html>"),
        (b"", "upstream error"),
    ],
)
def test_decode_error(raw: bytes, expected: str) -> None:
    assert gemini.decode_error(raw) == expected


# ------------------------------------------------------------------------------ stream decoding


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(e, ensure_ascii=False).encode() + b"\r\n\r\n" for e in events)


def splits(raw: bytes) -> list[list[bytes]]:
    """The same bytes cut in many awkward ways."""
    ways = [[raw], [raw[i : i + 1] for i in range(len(raw))]]
    for size in (2, 3, 7, 13, 64):
        ways.append([raw[i : i + size] for i in range(0, len(raw), size)])
    cr = raw.index(b"\r\n")  # between \r and \n of the first separator
    ways.append([raw[: cr + 1], raw[cr + 1 :]])
    return ways


def decode_stream(pieces: list[bytes]) -> tuple[list[dict[str, Any]], gemini.StreamDecoder]:
    dec = gemini.StreamDecoder(cid=CID, created=CREATED)
    out: list[dict[str, Any]] = []
    for piece in pieces:
        out.extend(dec.feed(piece))
    out.extend(dec.close())
    return out, dec


def ev(parts: list[dict[str, Any]], finish: str | None = None, usage: dict[str, Any] | None = None) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    event: dict[str, Any] = {"candidates": [cand], "modelVersion": MODEL, "responseId": "r1"}
    if usage:
        event["usageMetadata"] = usage
    return event


TEXT_STREAM = sse(
    ev([{"text": "Thinking of a café", "thought": True}], usage={"promptTokenCount": 9, "totalTokenCount": 9}),
    ev([{"text": "Un café ☕ "}], usage={"promptTokenCount": 9, "totalTokenCount": 9}),
    ev([{"text": "s'il vous plaît"}], usage={"promptTokenCount": 9, "candidatesTokenCount": 4, "totalTokenCount": 13}),
    ev(
        [{"text": ""}],
        "STOP",
        {
            "promptTokenCount": 9,
            "cachedContentTokenCount": 4,
            "candidatesTokenCount": 6,
            "thoughtsTokenCount": 5,
            "totalTokenCount": 20,
        },
    ),
)
TEXT_CHUNKS = [
    ck({"role": "assistant", "content": ""}),
    ck({"reasoning_content": "Thinking of a café"}),
    ck({"content": "Un café ☕ "}),
    ck({"content": "s'il vous plaît"}),
    ck({}, "stop"),
    uck(u(9, 11, cached=4, reasoning=5)),
]


@pytest.mark.parametrize("pieces", splits(TEXT_STREAM), ids=lambda p: f"{len(p)}pieces")
def test_stream_text_at_awkward_boundaries(pieces: list[bytes]) -> None:
    out, dec = decode_stream(pieces)
    assert out == TEXT_CHUNKS
    assert dec.done
    assert dec.usage == u(9, 11, cached=4, reasoning=5)


TOOL_STREAM = sse(
    ev([{"text": "Checking both."}], usage={"promptTokenCount": 20, "totalTokenCount": 20}),
    ev(
        [
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"},
            {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}},
        ],
        "STOP",
        {"promptTokenCount": 20, "candidatesTokenCount": 15, "totalTokenCount": 35},
    ),
)


@pytest.mark.parametrize("pieces", splits(TOOL_STREAM), ids=lambda p: f"{len(p)}pieces")
def test_stream_tool_calls_at_awkward_boundaries(pieces: list[bytes]) -> None:
    out, _ = decode_stream(pieces)
    assert out == [
        ck({"role": "assistant", "content": ""}),
        ck({"content": "Checking both."}),
        ck(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        "extra_content": {"google": {"thought_signature": "c2ln"}},
                    }
                ]
            }
        ),
        ck(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                    }
                ]
            }
        ),
        ck({}, "tool_calls"),
        uck(u(20, 15)),
    ]


def test_stream_close_flushes_finish_and_usage_when_cut_short() -> None:
    dec = gemini.StreamDecoder(cid=CID, created=CREATED)
    raw = sse(ev([{"text": "partial"}], usage={"promptTokenCount": 4, "candidatesTokenCount": 1, "totalTokenCount": 5}))
    # the last event lacks its blank line: close() must still parse it
    assert dec.feed(raw[:-4]) == []
    assert not dec.done
    assert dec.close() == [
        ck({"role": "assistant", "content": ""}),
        ck({"content": "partial"}),
        ck({}, "stop"),
        uck(u(4, 1)),
    ]
    assert not dec.done  # no finishReason came: the caller can tell the stream was cut short
    assert dec.close() == []


def test_stream_close_after_finish_without_usage() -> None:
    dec = gemini.StreamDecoder(cid=CID, created=CREATED)
    assert dec.feed(sse(ev([{"text": "ok"}], "STOP"))) == [
        ck({"role": "assistant", "content": ""}),
        ck({"content": "ok"}),
        ck({}, "stop"),
    ]
    assert not dec.done  # waiting for a usageMetadata that never comes
    assert dec.close() == []
    assert dec.done and dec.usage is None


def test_stream_id_and_model_come_from_the_stream() -> None:
    dec = gemini.StreamDecoder(created=CREATED)
    out = dec.feed(sse(ev([{"text": "x"}], "STOP", {"promptTokenCount": 1, "totalTokenCount": 1})))
    assert {c["id"] for c in out} == {"chatcmpl-r1"}
    assert {c["model"] for c in out} == {MODEL}
    assert dec.close() == []


def test_stream_length_and_blocked_prompt() -> None:
    out, _ = decode_stream(
        [sse(ev([{"text": "abc"}], "MAX_TOKENS", {"promptTokenCount": 2, "candidatesTokenCount": 1}))]
    )
    assert out[-2:] == [ck({}, "length"), uck(u(2, 1))]
    blocked = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 3}}
    out, _ = decode_stream([sse(blocked)])
    assert [c["choices"] for c in out] == [
        [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        [{"index": 0, "delta": {}, "finish_reason": "content_filter"}],
        [],
    ]
    assert out[-1]["usage"] == u(3, 0)


def test_stream_error_event_raises() -> None:
    dec = gemini.StreamDecoder(cid=CID, created=CREATED)
    assert dec.feed(sse(ev([{"text": "Hel"}]))) == [ck({"role": "assistant", "content": ""}), ck({"content": "Hel"})]
    with pytest.raises(UpstreamError) as e:
        dec.feed(sse({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}))
    assert e.value.status == 503
    assert e.value.message == "The model is overloaded."


# ------------------------------------------------------------------------- emulator round trip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_emulator(*args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(EMULATOR), "--port", str(port), *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == f"listening on http://127.0.0.1:{port}", line
    return proc, port


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    record = tmp_path_factory.mktemp("gemini") / "requests.jsonl"
    proc, port = start_emulator("--record", str(record), "--api-key", "test-key")
    yield port, record
    proc.terminate()
    proc.wait(timeout=10)


def call(
    port: int, chat: dict[str, Any], *, stream: bool = False, key: str | None = "test-key"
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["x-goog-api-key"] = key
    body = json.dumps(gemini.encode_request(chat, MODEL)).encode()
    conn.request("POST", gemini.request_path(MODEL, stream), body, headers)
    return conn.getresponse()


def complete(port: int, chat: dict[str, Any]) -> dict[str, Any]:
    resp = call(port, chat)
    raw = resp.read()
    assert resp.status == 200, raw
    out = gemini.decode_response(json.loads(raw), "alias", created=CREATED)
    assert out.pop("id").startswith("chatcmpl-")
    return out


def stream(port: int, chat: dict[str, Any], read_size: int = 5) -> tuple[list[dict[str, Any]], gemini.StreamDecoder]:
    resp = call(port, chat, stream=True)
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "text/event-stream"
    dec = gemini.StreamDecoder("alias", cid=CID, created=CREATED)
    out: list[dict[str, Any]] = []
    while data := resp.read1(read_size):
        out.extend(dec.feed(data))
    assert dec.done  # the finish event carried the usage
    out.extend(dec.close())
    return out, dec


SAY = {
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello to the emulator"}]
}


def test_emulator_text_round_trip(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    assert complete(port, SAY) == {
        "object": "chat.completion",
        "created": CREATED,
        "model": "alias",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "echo: Say hello to the emulator"},
                "finish_reason": "stop",
            }
        ],
        "usage": u((9 + 25) // 4, 6),
    }


def test_emulator_stream_round_trip(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    out, dec = stream(port, SAY)
    assert out == [
        ck({"role": "assistant", "content": ""}, model="alias"),
        ck({"content": "echo: Say hello "}, model="alias"),
        ck({"content": "to the emulator"}, model="alias"),
        ck({}, "stop", model="alias"),
        uck(u(8, 6), model="alias"),
    ]
    assert dec.usage == u(8, 6)


def test_emulator_tool_call_round_trip(emulator: tuple[int, Path]) -> None:
    port, record = emulator
    chat: dict[str, Any] = {
        "messages": [{"role": "user", "content": "What is the weather in Paris today?"}],
        "tools": [WEATHER_TOOL],
    }
    first = complete(port, chat)
    message = first["choices"][0]["message"]
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    assert message["tool_calls"] == [
        {
            "id": "call_0",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"q":"What is the weather in Paris today?"}'},
            "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}},
        }
    ]
    chat["messages"] += [message, {"role": "tool", "tool_call_id": "call_0", "content": "21C and sunny"}]
    second = complete(port, chat)
    assert second["choices"][0]["message"] == {"role": "assistant", "content": "tool said: 21C and sunny"}

    # and streamed, with a JSON object result
    chat["messages"][-1] = {"role": "tool", "tool_call_id": "call_0", "content": '{"temp":21}'}
    out, _ = stream(port, chat, read_size=3)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in out if c["choices"]) == 'tool said: {"temp":21}'

    last = json.loads(record.read_text().splitlines()[-1])
    assert last["body"]["contents"][1] == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "get_weather", "args": {"q": "What is the weather in Paris today?"}},
                "thoughtSignature": "c2lnbmF0dXJl",
            }
        ],
    }
    assert last["body"]["contents"][2] == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 21}}}],
    }


def test_emulator_streamed_tool_call(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    chat = {"messages": [{"role": "user", "content": "look it up"}], "tools": [WEATHER_TOOL]}
    out, _ = stream(port, chat)
    assert out[1] == ck(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"q":"look it up"}'},
                    "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}},
                }
            ]
        },
        model="alias",
    )
    assert out[2] == ck({}, "tool_calls", model="alias")


def test_emulator_thinking_and_max_tokens(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    chat = {
        "messages": [{"role": "user", "content": "one two three four five six"}],
        "max_tokens": 4,
        "thinking": {"type": "enabled", "budget_tokens": 512},
    }
    out = complete(port, chat)
    assert out["choices"][0] == {
        "index": 0,
        "message": {
            "role": "assistant",
            "content": "echo: one two three",
            "reasoning_content": "Thinking about: one two three four five six",
        },
        "finish_reason": "length",
    }
    assert out["usage"] == u(27 // 4, 4 + 8, reasoning=8)
    chunks, _ = stream(port, chat)
    assert chunks[1] == ck({"reasoning_content": "Thinking about: one two three four five six"}, model="alias")
    assert chunks[-2] == ck({}, "length", model="alias")


def test_emulator_auth_and_errors(emulator: tuple[int, Path]) -> None:
    port, record = emulator
    resp = call(port, SAY, key=None)
    assert resp.status == 403
    assert "unregistered callers" in gemini.decode_error(resp.read())
    resp = call(port, SAY, key="wrong")
    assert resp.status == 400
    assert gemini.decode_error(resp.read()) == "API key not valid. Please pass a valid API key."
    resp = call(port, {"messages": [{"role": "user", "content": "!error please"}]})
    assert resp.status == 400
    assert gemini.decode_error(resp.read()) == "emulated error requested by !error"
    with pytest.raises(UpstreamError) as e:
        stream(port, {"messages": [{"role": "user", "content": "!error in the middle of it"}]})
    assert e.value.status == 500
    for line in record.read_text().splitlines():
        assert "x-goog-api-key" not in {k.lower() for k in json.loads(line)["headers"]}


def test_emulator_records_requests(emulator: tuple[int, Path]) -> None:
    port, record = emulator
    before = len(record.read_text().splitlines()) if record.exists() else 0
    complete(port, SAY)
    lines = record.read_text().splitlines()
    assert len(lines) == before + 1
    entry = json.loads(lines[-1])
    assert entry["path"] == f"/v1beta/models/{MODEL}:generateContent"
    assert entry["body"] == gemini.encode_request(SAY, MODEL)
    assert entry["headers"]["Content-Type"] == "application/json"


def test_emulator_fail_rate() -> None:
    proc, port = start_emulator("--fail-rate", "1")
    try:
        resp = call(port, SAY, key="any")
        assert resp.status == 503
        assert gemini.decode_error(resp.read()) == "The model is overloaded. Please try again later."
    finally:
        proc.terminate()
        proc.wait(timeout=10)
