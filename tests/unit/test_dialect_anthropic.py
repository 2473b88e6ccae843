"""Golden tests for the Anthropic Messages dialect (tokenway.dialects.anthropic)."""

from __future__ import annotations

import copy
from typing import Any

import anthropic
import httpx2
import orjson
import pytest
from anthropic.types import Message, RawMessageStreamEvent
from pydantic import TypeAdapter

from tokenway.dialects import anthropic as ad
from tokenway.dialects import canonical
from tokenway.dialects.sse import SSEParser
from tokenway.errors import InvalidRequest, UpstreamError

T0 = 1_700_000_000
EVENT = TypeAdapter(RawMessageStreamEvent)


@pytest.fixture(autouse=True)
def _frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ad.time, "time", lambda: float(T0))


# ------------------------------------------------------------------------------------ helpers


def events(raw: bytes) -> list[tuple[str | None, dict[str, Any]]]:
    """Parse SSE bytes; every non-error event must validate against the SDK's event models, and
    the SSE event name must equal the payload type."""
    out = []
    for name, data in SSEParser().feed(raw):
        payload = orjson.loads(data)
        assert name == payload["type"]
        if name != "error":
            EVENT.validate_python(payload)
        out.append((name, payload))
    return out


def sdk_final_message(sse: bytes) -> dict[str, Any]:
    """Run SSE bytes through the official SDK's streaming helper; the accumulated message."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=sse, headers={"content-type": "text/event-stream"})

    client = anthropic.Anthropic(
        api_key="k",
        base_url="http://test",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        max_retries=0,
    )
    with client.messages.stream(model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]) as stream:
        return stream.get_final_message().model_dump(exclude_none=True)


def ch(delta: dict[str, Any] | None = None, finish: str | None = None, cid: str = "chatcmpl-1") -> dict:
    return canonical.chunk(cid, "gpt-x", delta, finish, T0)


def paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += paths(v, (*prefix, i))
    return out


def replaced(obj: Any, path: tuple, value: Any) -> Any:
    new = copy.deepcopy(obj)
    cur = new
    for k in path[:-1]:
        cur = cur[k]
    if value is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return new


_DELETE = object()
ODD_VALUES = [_DELETE, None, 0, -1, 1.5, True, "x", "", [], [1], {}, {"type": 1}, [{"a": None}]]


# ---------------------------------------------------------------------------- shared fixtures

SCHEMA_WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
    "required": ["city"],
}
THINKING = {"type": "thinking", "thinking": "Need the weather tool.", "signature": "c2lnMQ=="}
REDACTED = {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}

# An Anthropic request in normal form (what encode_request produces), so it round-trips exactly.
ANTHROPIC_REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 1024,
    "system": "You are terse.",
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image, and the weather in Paris?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                THINKING,
                REDACTED,
                {"type": "text", "text": "A cat. Checking the weather."},
                {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris", "unit": "c"}},
                {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18C, sunny"},
                {"type": "tool_result", "tool_use_id": "toolu_02", "content": "12:00"},
                {"type": "text", "text": "Thanks. And tomorrow?"},
            ],
        },
        {"role": "assistant", "content": "Probably rain."},
        {"role": "user", "content": "OK."},
    ],
    "tools": [
        {"name": "get_weather", "description": "Weather for a city", "input_schema": SCHEMA_WEATHER},
        {"name": "get_time", "input_schema": {"type": "object", "properties": {}}},
    ],
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
    "stop_sequences": ["\n\nHuman:"],
    "temperature": 0.5,
    "top_p": 0.9,
    "top_k": 40,
    "metadata": {"user_id": "user-42"},
    "thinking": {"type": "enabled", "budget_tokens": 2048},
    "stream": True,
}

CANONICAL_OF_ANTHROPIC_REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image, and the weather in Paris?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
            ],
        },
        {
            "role": "assistant",
            "content": "A cat. Checking the weather.",
            "tool_calls": [
                {
                    "id": "toolu_01",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris","unit":"c"}'},
                },
                {"id": "toolu_02", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
            ],
            "thinking_blocks": [THINKING, REDACTED],
            "reasoning_content": "Need the weather tool.",
        },
        {"role": "tool", "tool_call_id": "toolu_01", "content": "18C, sunny"},
        {"role": "tool", "tool_call_id": "toolu_02", "content": "12:00"},
        {"role": "user", "content": [{"type": "text", "text": "Thanks. And tomorrow?"}]},
        {"role": "assistant", "content": "Probably rain."},
        {"role": "user", "content": "OK."},
    ],
    "max_tokens": 1024,
    "tools": [
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather for a city", "parameters": SCHEMA_WEATHER},
        },
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}},
    ],
    "tool_choice": "auto",
    "parallel_tool_calls": False,
    "temperature": 0.5,
    "top_p": 0.9,
    "top_k": 40,
    "stop": ["\n\nHuman:"],
    "stream": True,
    "stream_options": {"include_usage": True},
    "metadata": {"user_id": "user-42"},
    "user": "user-42",
    "thinking": {"type": "enabled", "budget_tokens": 2048},
}


# ============================================================================ decode_request


def test_decode_request_golden() -> None:
    assert ad.decode_request(copy.deepcopy(ANTHROPIC_REQUEST)) == CANONICAL_OF_ANTHROPIC_REQUEST


def test_decode_request_minimal() -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert ad.decode_request(body) == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 5,
    }


def test_decode_request_system_blocks_and_tool_result_blocks() -> None:
    body = {
        "model": "m",
        "max_tokens": 5,
        "system": [
            {"type": "text", "text": "Rule one.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Rule two."},
        ],
        "messages": [
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "shot", "input": {}}]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "is_error": True,
                        "content": [{"type": "text", "text": "part 1, "}, {"type": "text", "text": "part 2"}],
                    }
                ],
            },
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t2", "name": "shot", "input": {}}]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t2",
                        "content": [
                            {"type": "text", "text": "screen:"},
                            {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "AAA"}},
                        ],
                    },
                    {"type": "tool_result", "tool_use_id": "t3"},
                ],
            },
        ],
    }
    assert ad.decode_request(body)["messages"] == [
        {"role": "system", "content": [{"type": "text", "text": "Rule one."}, {"type": "text", "text": "Rule two."}]},
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "shot", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "part 1, part 2"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t2", "type": "function", "function": {"name": "shot", "arguments": "{}"}}],
        },
        {
            "role": "tool",
            "tool_call_id": "t2",
            "content": [
                {"type": "text", "text": "screen:"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAA"}},
            ],
        },
        {"role": "tool", "tool_call_id": "t3", "content": ""},
    ]


def test_decode_request_tool_results_come_before_user_text() -> None:
    body = {
        "model": "m",
        "max_tokens": 5,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "also this"},
                    {"type": "tool_result", "tool_use_id": "t1", "content": "ok"},
                ],
            }
        ],
    }
    assert ad.decode_request(body)["messages"] == [
        {"role": "tool", "tool_call_id": "t1", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "also this"}]},
    ]


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ({"type": "auto"}, {"tool_choice": "auto"}),
        ({"type": "any"}, {"tool_choice": "required"}),
        ({"type": "none"}, {"tool_choice": "none"}),
        ({"type": "tool", "name": "f"}, {"tool_choice": {"type": "function", "function": {"name": "f"}}}),
        (
            {"type": "any", "disable_parallel_tool_use": True},
            {"tool_choice": "required", "parallel_tool_calls": False},
        ),
        ({"type": "auto", "disable_parallel_tool_use": False}, {"tool_choice": "auto"}),
    ],
)
def test_decode_request_tool_choice(tool_choice: dict, expected: dict) -> None:
    body = {
        "model": "m",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"name": "f", "input_schema": {"type": "object"}}],
        "tool_choice": tool_choice,
    }
    out = ad.decode_request(body)
    assert {k: out[k] for k in ("tool_choice", "parallel_tool_calls") if k in out} == expected


def test_decode_request_tool_choice_without_tools_is_dropped() -> None:
    body = {
        "model": "m",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [],
        "tool_choice": {"type": "any"},
        "stream": False,
        "stop_sequences": [],
    }
    assert ad.decode_request(body) == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 5,
        "stream": False,
    }


def _body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    b.update(over)
    return b


def _msgs(*content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(content)}]


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ([], None, "request body must be a JSON object"),
        ({"max_tokens": 5, "messages": []}, "model", "model: required, a non-empty string"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens", "max_tokens: field required"),
        (_body(max_tokens=0), "max_tokens", "max_tokens: must be a positive integer"),
        (_body(max_tokens="10"), "max_tokens", "max_tokens: must be a positive integer"),
        (_body(max_tokens=True), "max_tokens", "max_tokens: must be a positive integer"),
        (_body(messages=[]), "messages", "messages: must be a non-empty list of messages"),
        (_body(messages="hi"), "messages", "messages: must be a non-empty list of messages"),
        (_body(messages=["hi"]), "messages[0]", "messages[0]: must be an object"),
        (
            _body(messages=[{"role": "system", "content": "x"}]),
            "messages[0].role",
            "messages[0].role: must be 'user' or 'assistant', got 'system'",
        ),
        (
            _body(messages=[{"role": "user", "content": 5}]),
            "messages[0].content",
            "messages[0].content: must be a string or a list of content blocks",
        ),
        (_body(messages=[{"role": "user"}]), "messages[0].content", None),
        (_body(messages=_msgs()), "messages[0].content", "messages[0].content: must not be empty"),
        (_body(messages=_msgs("hi")), "messages[0].content[0]", None),
        (
            _body(messages=_msgs({"type": "document", "source": {}})),
            "messages[0].content[0].type",
            "messages[0].content[0].type: unsupported content block type 'document'",
        ),
        (_body(messages=_msgs({"type": "text", "text": 3})), "messages[0].content[0].text", None),
        (
            _body(messages=_msgs({"type": "image", "source": {"type": "file", "file_id": "f"}})),
            "messages[0].content[0].source.type",
            None,
        ),
        (
            _body(messages=_msgs({"type": "image", "source": {"type": "base64", "media_type": "image/png"}})),
            "messages[0].content[0].source.data",
            None,
        ),
        (_body(messages=_msgs({"type": "image"})), "messages[0].content[0].source", None),
        (
            _body(messages=_msgs({"type": "tool_use", "id": "t", "name": "f", "input": {}})),
            "messages[0].content[0].type",
            "messages[0].content[0].type: 'tool_use' blocks are only allowed in assistant messages",
        ),
        (_body(messages=_msgs({"type": "tool_result"})), "messages[0].content[0].tool_use_id", None),
        (
            _body(messages=_msgs({"type": "tool_result", "tool_use_id": "t", "content": 1})),
            "messages[0].content[0].content",
            None,
        ),
        (
            _body(messages=_msgs({"type": "tool_result", "tool_use_id": "t", "content": [{"type": "x"}]})),
            "messages[0].content[0].content[0].type",
            None,
        ),
        (
            _body(
                messages=[{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f", "input": []}]}]
            ),
            "messages[0].content[0].input",
            "messages[0].content[0].input: must be an object",
        ),
        (
            _body(messages=[{"role": "assistant", "content": [{"type": "tool_use", "name": "f", "input": {}}]}]),
            "messages[0].content[0].id",
            None,
        ),
        (
            _body(messages=[{"role": "assistant", "content": [{"type": "thinking", "signature": "s"}]}]),
            "messages[0].content[0].thinking",
            None,
        ),
        (
            _body(messages=[{"role": "assistant", "content": [{"type": "image", "source": {}}]}]),
            "messages[0].content[0].type",
            None,
        ),
        (_body(system=5), "system", "system: must be a string or a list of text blocks"),
        (_body(system=[{"type": "image"}]), "system[0]", None),
        (_body(tools={"name": "f"}), "tools", "tools: must be a list of tools"),
        (
            _body(tools=[{"name": "f"}]),
            "tools[0].input_schema",
            "tools[0].input_schema: required, a JSON schema object",
        ),
        (_body(tools=[{"input_schema": {}}]), "tools[0].name", None),
        (
            _body(tools=[{"type": "web_search_20250305", "name": "web_search"}]),
            "tools[0].type",
            "tools[0].type: tool type 'web_search_20250305' is not supported (only client tools)",
        ),
        (_body(tools=[{"name": "f", "input_schema": {}, "description": 1}]), "tools[0].description", None),
        (_body(tool_choice="auto"), "tool_choice", "tool_choice: must be an object"),
        (_body(tool_choice={"type": "tool"}), "tool_choice.name", "tool_choice.name: required when type is 'tool'"),
        (_body(tool_choice={"type": "required"}), "tool_choice.type", None),
        (_body(tool_choice={"type": ["auto"]}), "tool_choice.type", None),
        (
            _body(tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}),
            "tool_choice.disable_parallel_tool_use",
            None,
        ),
        (_body(temperature="hot"), "temperature", "temperature: must be a number"),
        (_body(top_p=True), "top_p", "top_p: must be a number"),
        (_body(top_k=-1), "top_k", "top_k: must be a non-negative integer"),
        (_body(stop_sequences="END"), "stop_sequences", "stop_sequences: must be a list of strings"),
        (_body(stop_sequences=["a", 1]), "stop_sequences", None),
        (_body(stream="yes"), "stream", "stream: must be a boolean"),
        (_body(metadata=[]), "metadata", "metadata: must be an object"),
        (_body(metadata={"user_id": 5}), "metadata.user_id", "metadata.user_id: must be a string"),
        (_body(thinking="on"), "thinking", None),
        (_body(thinking={"type": "enabled", "budget_tokens": "lots"}), "thinking.budget_tokens", None),
    ],
)
def test_decode_request_invalid(body: Any, param: str | None, message: str | None) -> None:
    with pytest.raises(InvalidRequest) as ei:
        ad.decode_request(body)
    assert ei.value.param == param
    assert ei.value.status == 400
    if message is not None:
        assert ei.value.message == message


def test_decode_request_never_raises_anything_but_invalid_request() -> None:
    """Every field of a rich request replaced by every odd value: only InvalidRequest may escape."""
    for path in paths(ANTHROPIC_REQUEST):
        for value in ODD_VALUES:
            body = replaced(ANTHROPIC_REQUEST, path, value)
            try:
                out = ad.decode_request(body)
            except InvalidRequest as e:
                assert e.message, (path, value)
            else:
                assert isinstance(out, dict) and out["messages"], (path, value)


# ============================================================================ encode_response

CHAT_COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": T0,
    "model": "gpt-x",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Checking.",
                "reasoning_content": "Need the weather tool.",
                "thinking_blocks": [THINKING, REDACTED],
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {"id": "call_2", "type": "function", "function": {"name": "broken", "arguments": '{"city": '}},
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": canonical.usage(1000, 50, cached=800, cache_creation=100, reasoning=10),
}


def test_encode_response_golden() -> None:
    out = ad.encode_response(copy.deepcopy(CHAT_COMPLETION), "claude-x")
    assert out == {
        "id": "msg_abc123",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [
            THINKING,
            REDACTED,
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "call_2", "name": "broken", "input": {}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 100,
            "output_tokens": 50,
            "cache_creation_input_tokens": 100,
            "cache_read_input_tokens": 800,
        },
    }
    Message.model_validate(out)


def test_encode_response_reasoning_without_blocks_and_parts_content() -> None:
    chat = {
        "id": "x1",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}],
                    "reasoning_content": "thought",
                },
                "finish_reason": "stop",
            }
        ],
        "usage": canonical.usage(7, 2),
    }
    assert ad.encode_response(chat, "m") == {
        "id": "msg_x1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [
            {"type": "thinking", "thinking": "thought", "signature": ""},
            {"type": "text", "text": "Hello world"},
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 7,
            "output_tokens": 2,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


@pytest.mark.parametrize(
    ("finish", "tools", "stop_reason"),
    [
        ("stop", False, "end_turn"),
        ("length", False, "max_tokens"),
        ("tool_calls", True, "tool_use"),
        ("content_filter", False, "refusal"),
        (None, False, "end_turn"),
        ("weird", False, "end_turn"),
        ("stop", True, "tool_use"),  # vendors that say "stop" while calling tools
        ("length", True, "max_tokens"),
    ],
)
def test_encode_response_stop_reasons(finish: str | None, tools: bool, stop_reason: str) -> None:
    msg: dict[str, Any] = {"role": "assistant", "content": "x"}
    if tools:
        msg["tool_calls"] = [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    chat = {"id": "c1", "choices": [{"index": 0, "message": msg, "finish_reason": finish}]}
    assert ad.encode_response(chat, "m")["stop_reason"] == stop_reason


def test_encode_response_survives_odd_input() -> None:
    for path in paths(CHAT_COMPLETION):
        for value in ODD_VALUES:
            out = ad.encode_response(replaced(CHAT_COMPLETION, path, value), "m")
            Message.model_validate(out)
    assert ad.encode_response({}, "m")["content"] == []


# ============================================================================= StreamEncoder


def test_stream_encoder_text_with_usage_after_finish() -> None:
    enc = ad.StreamEncoder("claude-x")
    raw = [
        enc.feed(ch({"role": "assistant", "content": ""})),
        enc.feed(ch({"content": "Hel"})),
        enc.feed(ch({"content": "lo"})),
        enc.feed(ch({}, "stop")),
        enc.feed(canonical.usage_chunk("chatcmpl-1", "gpt-x", canonical.usage(12, 3, cached=4), T0)),
        enc.finish(),
    ]
    assert raw[3] == b"" and raw[4] == b""  # message_delta is held until finish()
    assert enc.finish() == b""
    assert events(b"".join(raw)) == [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-x",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 0, "output_tokens": 0},
                },
            },
        ),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "lo"}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {
                    "input_tokens": 8,
                    "output_tokens": 3,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 4,
                },
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    assert sdk_final_message(b"".join(raw)) == {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [{"type": "text", "text": "Hello"}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 8,
            "output_tokens": 3,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 4,
        },
    }


TOOL_STREAM_CHUNKS = [
    ch({"role": "assistant", "content": ""}),
    ch({"reasoning_content": "Hmm"}),
    ch({"reasoning_content": " ok"}),
    ch({"thinking_signature": "sig=="}),
    ch({"content": "Let me check."}),
    ch(
        {
            "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
            ]
        }
    ),
    ch({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
    ch({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
    ch(
        {
            "tool_calls": [
                {"index": 1, "id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
            ]
        }
    ),
    ch({}, "tool_calls"),
    canonical.usage_chunk("chatcmpl-1", "gpt-x", canonical.usage(100, 20, cached=60, cache_creation=10), T0),
]


def _cbd(index: int, delta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})


def _cbs(index: int, block: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def _stop(index: int) -> tuple[str, dict[str, Any]]:
    return ("content_block_stop", {"type": "content_block_stop", "index": index})


def test_stream_encoder_thinking_text_and_tool_calls() -> None:
    enc = ad.StreamEncoder("claude-x")
    raw = b"".join(enc.feed(c) for c in TOOL_STREAM_CHUNKS) + enc.finish()
    evs = events(raw)
    assert evs[0][0] == "message_start"
    assert evs[1:] == [
        _cbs(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _cbd(0, {"type": "thinking_delta", "thinking": "Hmm"}),
        _cbd(0, {"type": "thinking_delta", "thinking": " ok"}),
        _cbd(0, {"type": "signature_delta", "signature": "sig=="}),
        _stop(0),
        _cbs(1, {"type": "text", "text": ""}),
        _cbd(1, {"type": "text_delta", "text": "Let me check."}),
        _stop(1),
        _cbs(2, {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {}}),
        _cbd(2, {"type": "input_json_delta", "partial_json": '{"city":'}),
        _cbd(2, {"type": "input_json_delta", "partial_json": '"Paris"}'}),
        _stop(2),
        _cbs(3, {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}),
        _cbd(3, {"type": "input_json_delta", "partial_json": "{}"}),
        _stop(3),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                "usage": {
                    "input_tokens": 30,
                    "output_tokens": 20,
                    "cache_creation_input_tokens": 10,
                    "cache_read_input_tokens": 60,
                },
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    assert sdk_final_message(raw) == {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [
            {"type": "thinking", "thinking": "Hmm ok", "signature": "sig=="},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}},
        ],
        "stop_reason": "tool_use",
        "usage": {
            "input_tokens": 30,
            "output_tokens": 20,
            "cache_creation_input_tokens": 10,
            "cache_read_input_tokens": 60,
        },
    }


def test_stream_encoder_new_thinking_block_after_signature_and_back_to_text() -> None:
    enc = ad.StreamEncoder("m")
    raw = (
        b"".join(
            enc.feed(c)
            for c in [
                ch({"reasoning_content": "a"}),
                ch({"thinking_signature": "s1"}),
                ch({"reasoning_content": "b"}),
                ch({"content": "x"}),
                ch({"reasoning_content": "c", "content": "y"}),
            ]
        )
        + enc.finish()
    )
    assert [e for e in events(raw) if e[0] != "message_start"] == [
        _cbs(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _cbd(0, {"type": "thinking_delta", "thinking": "a"}),
        _cbd(0, {"type": "signature_delta", "signature": "s1"}),
        _stop(0),
        _cbs(1, {"type": "thinking", "thinking": "", "signature": ""}),
        _cbd(1, {"type": "thinking_delta", "thinking": "b"}),
        _stop(1),
        _cbs(2, {"type": "text", "text": ""}),
        _cbd(2, {"type": "text_delta", "text": "x"}),
        _stop(2),
        _cbs(3, {"type": "thinking", "thinking": "", "signature": ""}),
        _cbd(3, {"type": "thinking_delta", "thinking": "c"}),
        _stop(3),
        _cbs(4, {"type": "text", "text": ""}),
        _cbd(4, {"type": "text_delta", "text": "y"}),
        _stop(4),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 0},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


def test_stream_encoder_usage_before_finish_reason_and_length() -> None:
    enc = ad.StreamEncoder("m")
    u = canonical.usage(5, 9)
    chunk_with_both = ch({"content": "abc"}, "length")
    chunk_with_both["usage"] = u
    raw = enc.feed(chunk_with_both) + enc.finish()
    assert events(raw)[-2] == (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
            "usage": {
                "input_tokens": 5,
                "output_tokens": 9,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        },
    )


def test_stream_encoder_finish_without_chunks() -> None:
    enc = ad.StreamEncoder("m")
    evs = events(enc.finish())
    assert [e[0] for e in evs] == ["message_start", "message_delta", "message_stop"]
    assert evs[0][1]["message"]["id"].startswith("msg_")
    assert evs[1][1]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}


def test_stream_encoder_error_event() -> None:
    enc = ad.StreamEncoder("m")
    head = enc.feed(ch({"content": "partial"}))
    err = enc.error("Overloaded", "overloaded_error")
    assert err == (
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    assert enc.finish() == b""
    assert enc.feed(ch({"content": "more"})) == b""
    assert ad.StreamEncoder("m").error("boom") == (
        b'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n'
    )
    with pytest.raises(anthropic.APIStatusError) as ei:
        sdk_final_message(head + err)
    assert ei.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


def test_stream_encoder_survives_odd_chunks() -> None:
    for path in paths(TOOL_STREAM_CHUNKS[5]):
        for value in ODD_VALUES:
            enc = ad.StreamEncoder("m")
            raw = enc.feed(replaced(TOOL_STREAM_CHUNKS[5], path, value)) + enc.finish()
            assert events(raw)[-1] == ("message_stop", {"type": "message_stop"})


# ============================================================================ encode_request

CANONICAL_REQUEST: dict[str, Any] = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Use metric units."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather?"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ", "detail": "high"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/map.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": "Looking it up.",
            "reasoning_content": "Need tools.",
            "thinking_blocks": [THINKING],
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                },
                {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "not json"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "noon"}]},
        {"role": "user", "content": "And tomorrow?"},
        {"role": "user", "content": "Also Rome."},
        {"role": "assistant", "content": None, "reasoning_content": "unsigned, dropped"},
        {"role": "assistant", "content": "Rain in both."},
    ],
    "max_completion_tokens": 300,
    "max_tokens": 999,
    "stop": "END",
    "tools": [
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather", "parameters": SCHEMA_WEATHER},
        },
        {"type": "function", "function": {"name": "get_time"}},
    ],
    "tool_choice": "required",
    "parallel_tool_calls": False,
    "temperature": 0.2,
    "top_p": 0.8,
    "top_k": 5,
    "user": "u-1",
    "thinking": {"type": "enabled", "budget_tokens": 1024},
    "stream": True,
    "stream_options": {"include_usage": True},
    "seed": 7,
    "frequency_penalty": 0.1,
    "presence_penalty": 0.1,
    "logprobs": True,
    "n": 1,
    "reasoning_effort": "low",
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "w", "schema": {"type": "object", "properties": {"t": {"type": "number"}}}},
    },
}


def test_encode_request_golden() -> None:
    assert ad.encode_request(copy.deepcopy(CANONICAL_REQUEST), "claude-x") == {
        "model": "claude-x",
        "max_tokens": 300,
        "system": (
            "Be brief.\n\nUse metric units.\n\n"
            "Respond only with a JSON value that conforms to this JSON Schema, with no other text:\n"
            '{"type":"object","properties":{"t":{"type":"number"}}}'
        ),
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather?"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/map.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    THINKING,
                    {"type": "text", "text": "Looking it up."},
                    {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                    {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
                    {"type": "tool_result", "tool_use_id": "call_2", "content": [{"type": "text", "text": "noon"}]},
                    {"type": "text", "text": "And tomorrow?"},
                    {"type": "text", "text": "Also Rome."},
                ],
            },
            {"role": "assistant", "content": "Rain in both."},
        ],
        "tools": [
            {"name": "get_weather", "description": "Weather", "input_schema": SCHEMA_WEATHER},
            {"name": "get_time", "input_schema": {"type": "object", "properties": {}}},
        ],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
        "stop_sequences": ["END"],
        "temperature": 0.2,
        "top_p": 0.8,
        "top_k": 5,
        "metadata": {"user_id": "u-1"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "stream": True,
    }


def test_encode_request_minimal_defaults() -> None:
    chat = {"model": "gpt", "messages": [{"role": "user", "content": "hi"}]}
    assert ad.encode_request(chat, "claude-x") == {
        "model": "claude-x",
        "max_tokens": ad.DEFAULT_MAX_TOKENS,
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert ad.DEFAULT_MAX_TOKENS == 4096
    chat2 = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 77, "stop": ["a", "b"], "tools": []}
    assert ad.encode_request(chat2, "c") == {
        "model": "c",
        "max_tokens": 77,
        "messages": [{"role": "user", "content": "hi"}],
        "stop_sequences": ["a", "b"],
    }


def test_encode_request_system_parts_and_json_object() -> None:
    chat = {
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "A."}, {"type": "text", "text": "B."}]},
            {"role": "user", "content": "hi"},
        ],
        "response_format": {"type": "json_object"},
        "metadata": {"user_id": "meta-user", "other": "dropped"},
        "user": "ignored-when-metadata-has-one",
    }
    out = ad.encode_request(chat, "c")
    assert out["system"] == [
        {"type": "text", "text": "A."},
        {"type": "text", "text": "B."},
        {"type": "text", "text": "Respond only with a valid JSON object, with no other text."},
    ]
    assert out["metadata"] == {"user_id": "meta-user"}


@pytest.mark.parametrize(
    ("chat_extra", "expected"),
    [
        ({"tool_choice": "auto"}, {"type": "auto"}),
        ({"tool_choice": "none"}, {"type": "none"}),
        ({"tool_choice": "none", "parallel_tool_calls": False}, {"type": "none"}),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, {"type": "tool", "name": "f"}),
        (
            {"tool_choice": {"type": "function", "function": {"name": "f"}}, "parallel_tool_calls": False},
            {"type": "tool", "name": "f", "disable_parallel_tool_use": True},
        ),
        ({"parallel_tool_calls": False}, {"type": "auto", "disable_parallel_tool_use": True}),
        ({"parallel_tool_calls": True}, None),
        ({}, None),
    ],
)
def test_encode_request_tool_choice(chat_extra: dict, expected: dict | None) -> None:
    chat = {
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        **chat_extra,
    }
    assert ad.encode_request(chat, "c").get("tool_choice") == expected


def test_encode_request_tool_choice_without_tools_dropped() -> None:
    chat = {"messages": [{"role": "user", "content": "hi"}], "tool_choice": "required", "parallel_tool_calls": False}
    assert "tool_choice" not in ad.encode_request(chat, "c")


def test_encode_request_merges_and_drops_empty_turns() -> None:
    chat = {
        "messages": [
            {"role": "user", "content": "a"},
            {"role": "user", "content": ""},
            {"role": "assistant", "content": "b"},
            {"role": "assistant", "content": [{"type": "text", "text": "c"}]},
            {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "d"}]},
            {"role": "tool", "tool_call_id": "t1", "content": ""},
        ]
    }
    assert ad.encode_request(chat, "c")["messages"] == [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": [{"type": "text", "text": "b"}, {"type": "text", "text": "c"}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1"}, {"type": "text", "text": "d"}],
        },
    ]


@pytest.mark.parametrize(
    ("chat", "param", "message"),
    [
        (
            {"messages": [{"role": "user", "content": "x"}], "n": 2},
            "n",
            "n: the vendor (Anthropic Messages API) does not support n>1",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "n": 0}, "n", None),
        ({"messages": []}, "messages", "messages: must be a non-empty list of messages"),
        (
            {"messages": [{"role": "function", "content": "x"}]},
            "messages[0].role",
            "messages[0].role: unsupported role 'function'",
        ),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id", None),
        (
            {"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]},
            "messages[0].content[0].type",
            "messages[0].content[0].type: content part type 'input_audio' is not supported by this vendor",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]}]},
            "messages[0].content[0].image_url.url",
            None,
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png,abc"}}]}
                ]
            },
            "messages[0].content[0].image_url.url",
            "messages[0].content[0].image_url.url: a data: URL must look like data:<mime>;base64,<data>",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "stop": 5}, "stop", None),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens", None),
        ({"messages": [{"role": "user", "content": "x"}], "max_completion_tokens": "9"}, "max_completion_tokens", None),
        (
            {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "code_interpreter"}]},
            "tools[0].type",
            None,
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function", "function": {}}]},
            "tools[0].function.name",
            None,
        ),
        (
            {
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"type": "function", "function": {"name": "f"}}],
                "tool_choice": "sometimes",
            },
            "tool_choice",
            None,
        ),
        (
            {"messages": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f"}}]}]},
            "messages[0].tool_calls[0].id",
            None,
        ),
    ],
)
def test_encode_request_invalid(chat: dict, param: str, message: str | None) -> None:
    with pytest.raises(InvalidRequest) as ei:
        ad.encode_request(chat, "c")
    assert ei.value.param == param
    if message is not None:
        assert ei.value.message == message


def test_encode_request_never_raises_anything_but_invalid_request() -> None:
    for path in paths(CANONICAL_REQUEST):
        for value in ODD_VALUES:
            try:
                out = ad.encode_request(replaced(CANONICAL_REQUEST, path, value), "c")
            except InvalidRequest as e:
                assert e.param, (path, value)
            else:
                assert out["model"] == "c"


# =========================================================================== decode_response

ANTHROPIC_MESSAGE: dict[str, Any] = {
    "id": "msg_01XYZ",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        THINKING,
        REDACTED,
        {"type": "text", "text": "Checking "},
        {"type": "text", "text": "now."},
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 12,
        "output_tokens": 40,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 900,
    },
}


def test_decode_response_golden() -> None:
    assert ad.decode_response(copy.deepcopy(ANTHROPIC_MESSAGE)) == {
        "id": "msg_01XYZ",
        "object": "chat.completion",
        "created": T0,
        "model": "claude-sonnet-4-5",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Checking now.",
                    "tool_calls": [
                        {
                            "id": "toolu_01",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        }
                    ],
                    "reasoning_content": "Need the weather tool.",
                    "thinking_blocks": [THINKING, REDACTED],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 1012,
            "completion_tokens": 40,
            "total_tokens": 1052,
            "prompt_tokens_details": {"cached_tokens": 900, "cache_creation_tokens": 100},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


def test_decode_response_tool_only_and_thinking_tokens() -> None:
    body = {
        "id": "msg_2",
        "model": "c",
        "content": [{"type": "tool_use", "id": "t", "name": "f", "input": {}}],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 3, "output_tokens": 4, "output_tokens_details": {"thinking_tokens": 2}},
    }
    out = ad.decode_response(body)
    assert out["choices"][0]["message"] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    assert out["usage"] == canonical.usage(3, 4, reasoning=2)


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        (None, "stop"),
    ],
)
def test_decode_response_stop_reasons(stop_reason: str | None, finish: str) -> None:
    body = {"id": "m", "model": "c", "content": [{"type": "text", "text": "x"}], "stop_reason": stop_reason}
    assert ad.decode_response(body)["choices"][0]["finish_reason"] == finish


def test_decode_response_odd_input() -> None:
    with pytest.raises(UpstreamError):
        ad.decode_response([])  # type: ignore[arg-type]
    for path in paths(ANTHROPIC_MESSAGE):
        for value in ODD_VALUES:
            out = ad.decode_response(replaced(ANTHROPIC_MESSAGE, path, value))
            assert out["object"] == "chat.completion"


# ============================================================================= StreamDecoder


def sse(*evs: dict[str, Any]) -> bytes:
    return b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in evs)


ANTHROPIC_STREAM = sse(
    {
        "type": "message_start",
        "message": {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-x",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": 10,
                "cache_creation_input_tokens": 5,
                "cache_read_input_tokens": 20,
                "output_tokens": 1,
            },
        },
    },
    {"type": "ping"},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me think."}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "sig=="}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Checking é weather 🌦."}},
    {"type": "content_block_stop", "index": 1},
    {
        "type": "content_block_start",
        "index": 2,
        "content_block": {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}},
    },
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": '{"city": "Par'}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": 'is"}'}},
    {"type": "content_block_stop", "index": 2},
    {
        "type": "content_block_start",
        "index": 3,
        "content_block": {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}},
    },
    {"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", "partial_json": "{}"}},
    {"type": "content_block_stop", "index": 3},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 42},
    },
    {"type": "message_stop"},
)


def _dc(delta: dict[str, Any] | None = None, finish: str | None = None) -> dict[str, Any]:
    return canonical.chunk("msg_01", "claude-x", delta, finish, T0)


EXPECTED_DECODED = [
    _dc({"role": "assistant", "content": ""}),
    _dc({"reasoning_content": "Let me think."}),
    _dc({"thinking_signature": "sig=="}),
    _dc({"content": "Checking é weather 🌦."}),
    _dc(
        {
            "tool_calls": [
                {"index": 0, "id": "toolu_01", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
            ]
        }
    ),
    _dc({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Par'}}]}),
    _dc({"tool_calls": [{"index": 0, "function": {"arguments": 'is"}'}}]}),
    _dc(
        {
            "tool_calls": [
                {"index": 1, "id": "toolu_02", "type": "function", "function": {"name": "get_time", "arguments": ""}}
            ]
        }
    ),
    _dc({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}),
    _dc({}, "tool_calls"),
    canonical.usage_chunk("msg_01", "claude-x", canonical.usage(35, 42, cached=20, cache_creation=5), T0),
]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_stream_decoder_split_anywhere(size: int) -> None:
    dec = ad.StreamDecoder()
    out: list[dict[str, Any]] = []
    for i in range(0, len(ANTHROPIC_STREAM), size):
        out += dec.feed(ANTHROPIC_STREAM[i : i + size])
        if i + size < len(ANTHROPIC_STREAM):
            assert dec.done is False
    assert out == EXPECTED_DECODED
    assert dec.done is True
    assert dec.usage == {
        "prompt_tokens": 35,
        "completion_tokens": 42,
        "total_tokens": 77,
        "prompt_tokens_details": {"cached_tokens": 20, "cache_creation_tokens": 5},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def test_stream_decoder_crlf_and_cumulative_usage() -> None:
    raw = sse(
        {
            "type": "message_start",
            "message": {"id": "msg_9", "model": "c", "usage": {"input_tokens": 0, "output_tokens": 0}},
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "Hi"}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
            "usage": {"input_tokens": 50, "output_tokens": 7, "cache_read_input_tokens": 3},
        },
        {"type": "message_stop"},
    ).replace(b"\n", b"\r\n")
    dec = ad.StreamDecoder()
    assert dec.usage is None
    out = dec.feed(raw)
    assert out == [
        canonical.chunk("msg_9", "c", {"role": "assistant", "content": ""}, None, T0),
        canonical.chunk("msg_9", "c", {"content": "Hi"}, None, T0),
        canonical.chunk("msg_9", "c", {}, "length", T0),
        canonical.usage_chunk("msg_9", "c", canonical.usage(53, 7, cached=3), T0),
    ]
    assert dec.usage == canonical.usage(53, 7, cached=3)


def test_stream_decoder_error_event_raises() -> None:
    dec = ad.StreamDecoder()
    dec.feed(ANTHROPIC_STREAM[:300])
    err = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    with pytest.raises(UpstreamError) as ei:
        dec.feed(err[:20])
        dec.feed(err[20:])
    assert ei.value.message == "Overloaded"
    assert dec.done is False
    with pytest.raises(UpstreamError):
        ad.StreamDecoder().feed(b"event: message_start\ndata: {not json\n\n")


def test_stream_decoder_close() -> None:
    # a complete stream: nothing more at close
    dec = ad.StreamDecoder()
    dec.feed(ANTHROPIC_STREAM)
    assert dec.close() == []
    # the last event without its blank line is still read at close
    dec = ad.StreamDecoder()
    assert dec.feed(ANTHROPIC_STREAM[:-2]) == EXPECTED_DECODED[:-1]
    assert dec.close() == EXPECTED_DECODED[-1:]
    assert dec.done is True
    # cut off mid-stream: a usage chunk with what was counted, done stays false
    dec = ad.StreamDecoder()
    cut = ANTHROPIC_STREAM.index(b"event: message_delta")
    assert dec.feed(ANTHROPIC_STREAM[:cut]) == EXPECTED_DECODED[:-2]
    assert dec.close() == [
        canonical.usage_chunk("msg_01", "claude-x", canonical.usage(35, 1, cached=20, cache_creation=5), T0)
    ]
    assert dec.done is False
    # nothing at all
    assert ad.StreamDecoder().close() == []


# ============================================================================== round trips


def test_round_trip_anthropic_request() -> None:
    chat = ad.decode_request(copy.deepcopy(ANTHROPIC_REQUEST))
    assert ad.encode_request(chat, "claude-sonnet-4-5") == ANTHROPIC_REQUEST


def test_round_trip_anthropic_response() -> None:
    chat = ad.decode_response(copy.deepcopy(ANTHROPIC_MESSAGE))
    back = ad.encode_response(chat, "claude-sonnet-4-5")
    expected = copy.deepcopy(ANTHROPIC_MESSAGE)
    # text blocks are joined by the canonical form
    expected["content"][2:4] = [{"type": "text", "text": "Checking now."}]
    assert back == expected


def test_round_trip_anthropic_stream_through_sdk() -> None:
    dec = ad.StreamDecoder()
    enc = ad.StreamEncoder("claude-x")
    out = b""
    for i in range(0, len(ANTHROPIC_STREAM), 5):
        for c in dec.feed(ANTHROPIC_STREAM[i : i + 5]):
            out += enc.feed(c)
    out += enc.finish()
    original = sdk_final_message(ANTHROPIC_STREAM)
    assert sdk_final_message(out) == original
    assert original == {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [
            {"type": "thinking", "thinking": "Let me think.", "signature": "sig=="},
            {"type": "text", "text": "Checking é weather 🌦."},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}},
        ],
        "stop_reason": "tool_use",
        "usage": {
            "input_tokens": 10,
            "output_tokens": 42,
            "cache_creation_input_tokens": 5,
            "cache_read_input_tokens": 20,
        },
    }


def test_round_trip_canonical_stream() -> None:
    """canonical chunks -> Anthropic SSE -> canonical chunks keeps the content and the usage."""
    enc = ad.StreamEncoder("claude-x")
    raw = b"".join(enc.feed(c) for c in TOOL_STREAM_CHUNKS) + enc.finish()
    dec = ad.StreamDecoder()
    out = [c for i in range(0, len(raw), 3) for c in dec.feed(raw[i : i + 3])]
    deltas = [c["choices"][0]["delta"] for c in out if c["choices"]]
    assert deltas == [
        {"role": "assistant", "content": ""},
        {"reasoning_content": "Hmm"},
        {"reasoning_content": " ok"},
        {"thinking_signature": "sig=="},
        {"content": "Let me check."},
        {
            "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
            ]
        },
        {"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]},
        {
            "tool_calls": [
                {"index": 1, "id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}
            ]
        },
        {"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]},
        {},
    ]
    assert out[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert out[-1]["usage"] == TOOL_STREAM_CHUNKS[-1]["usage"]
    assert dec.done is True


# ==================================================================================== errors


@pytest.mark.parametrize(
    ("status", "etype"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (402, "billing_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (405, "invalid_request_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (502, "api_error"),
        (503, "api_error"),
        (504, "timeout_error"),
        (529, "overloaded_error"),
        (599, "api_error"),
    ],
)
def test_error_body(status: int, etype: str) -> None:
    assert ad.error_body(status, "msg") == {"type": "error", "error": {"type": etype, "message": "msg"}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', "Overloaded"),
        (b'{"type":"error","error":{"type":"not_found_error"}}', "not_found_error"),
        (b'{"error":"bad key"}', "bad key"),
        (b'{"message":"Internal server error"}', "Internal server error"),
        (b"<html>502 Bad Gateway</html>\n", "<html>502 Bad Gateway</html>"),
        (b"[1, 2]", "[1, 2]"),
        (b"", ""),
        (b"\xff\xfe oops", "\ufffd\ufffd oops"),
    ],
)
def test_decode_error(raw: bytes, message: str) -> None:
    assert ad.decode_error(raw) == message
