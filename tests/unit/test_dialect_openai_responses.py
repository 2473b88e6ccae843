"""The OpenAI Responses dialect: request decoding, response encoding, streaming.

The SDK's own pydantic models (``openai.types.responses``) and its stream accumulator are the
ground truth for what we emit.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import httpx2
import openai
import orjson
import pytest
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from tokenway.dialects import canonical as C
from tokenway.dialects import openai_responses as R
from tokenway.dialects.sse import SSEParser
from tokenway.errors import InvalidRequest

EVENT = TypeAdapter(ResponseStreamEvent)


@pytest.fixture(autouse=True)
def _ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic ids: <prefix>_1, <prefix>_2…"""
    n = itertools.count(1)
    monkeypatch.setattr(R, "_id", lambda prefix: f"{prefix}_{next(n)}")


# --------------------------------------------------------------------------------------------
# decode_request


def test_string_input() -> None:
    assert R.decode_request({"model": "gpt-x", "input": "hi", "store": False}) == {
        "model": "gpt-x",
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_all_settings() -> None:
    body = {
        "model": "gpt-x",
        "instructions": "Be brief.",
        "input": "hi",
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": True,
            },
            {"type": "function", "name": "noop"},
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "parallel_tool_calls": False,
        "max_output_tokens": 256,
        "temperature": 0.2,
        "top_p": 1,
        "user": "u-1",
        "metadata": {"k": "v"},
        "stream": True,
        "store": True,
        "text": {"format": {"type": "json_object"}, "verbosity": "low"},
        "reasoning": {"effort": "high", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
    }
    assert R.decode_request(body) == {
        "model": "gpt-x",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                    "strict": True,
                },
            },
            {"type": "function", "function": {"name": "noop"}},
        ],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
        "max_completion_tokens": 256,
        "temperature": 0.2,
        "top_p": 1,
        "user": "u-1",
        "metadata": {"k": "v"},
        "stream": True,
        "stream_options": {"include_usage": True},
        "response_format": {"type": "json_object"},
        "reasoning_effort": "high",
    }


def test_nulls_are_absent() -> None:
    body = {
        "model": "m",
        "input": "hi",
        "instructions": None,
        "temperature": None,
        "tools": None,
        "previous_response_id": None,
        "text": None,
        "reasoning": None,
        "stream": False,
    }
    assert R.decode_request(body) == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_item_list_with_tool_round_trip() -> None:
    """A second turn replaying the first turn's output items, as a stateless client sends it."""
    body = {
        "model": "m",
        "input": [
            {"role": "developer", "content": "Use tools."},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Weather in"},
                    {"type": "input_text", "text": "Paris and Oslo?"},
                ],
            },
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Two cities."}]},
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Checking.", "annotations": []}],
            },
            {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_a",
                "name": "weather",
                "arguments": '{"city":"Paris"}',
                "status": "completed",
            },
            {"type": "function_call", "call_id": "call_b", "name": "weather", "arguments": '{"city":"Oslo"}'},
            {"type": "function_call_output", "call_id": "call_a", "output": "18C"},
            {
                "type": "function_call_output",
                "call_id": "call_b",
                "output": [{"type": "input_text", "text": "9C"}],
            },
            {
                "type": "reasoning",
                "id": "rs_2",
                "summary": [],
                "content": [{"type": "reasoning_text", "text": "Done."}],
            },
            {"type": "function_call", "call_id": "call_c", "name": "noop", "arguments": ""},
            {"type": "function_call_output", "call_id": "call_c", "output": ""},
            {"role": "assistant", "content": "Paris 18C, Oslo 9C."},
            {"role": "user", "content": "Thanks"},
        ],
    }
    assert R.decode_request(body)["messages"] == [
        {"role": "developer", "content": "Use tools."},
        {"role": "user", "content": "Weather in\nParis and Oslo?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "reasoning_content": "Two cities.",
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Oslo"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "18C"},
        {"role": "tool", "tool_call_id": "call_b", "content": "9C"},
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "Done.",
            "tool_calls": [
                {"id": "call_c", "type": "function", "function": {"name": "noop", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_c", "content": ""},
        {"role": "assistant", "content": "Paris 18C, Oslo 9C."},
        {"role": "user", "content": "Thanks"},
    ]


def test_images() -> None:
    body = {
        "model": "m",
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Compare"},
                    {"type": "input_image", "image_url": "https://x.test/a.png", "detail": "auto"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"},
                    {"type": "input_image", "image_url": "https://x.test/b.png", "detail": "original"},
                ],
            }
        ],
    }
    assert R.decode_request(body)["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Compare"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "https://x.test/b.png", "detail": "high"}},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ({"type": "text"}, {"type": "text"}),
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {"type": "json_schema", "name": "city", "schema": {"type": "object"}, "strict": True},
            {
                "type": "json_schema",
                "json_schema": {"name": "city", "schema": {"type": "object"}, "strict": True},
            },
        ),
        (
            {"type": "json_schema", "name": "c", "description": "d", "schema": {}},
            {"type": "json_schema", "json_schema": {"name": "c", "schema": {}, "description": "d"}},
        ),
    ],
)
def test_text_format(fmt: dict[str, Any], expected: dict[str, Any]) -> None:
    assert (
        R.decode_request({"model": "m", "input": "x", "text": {"format": fmt}})["response_format"] == expected
    )


def _fn(name: str) -> dict[str, Any]:
    return {"type": "function", "name": name, "parameters": {"type": "object"}}


def test_tool_choice_variants() -> None:
    base = {"model": "m", "input": "x", "tools": [_fn("a"), _fn("b")]}
    assert R.decode_request({**base, "tool_choice": "required"})["tool_choice"] == "required"
    allowed = {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "b"}]}
    out = R.decode_request({**base, "tool_choice": allowed})
    assert out["tool_choice"] == "required"
    assert out["tools"] == [{"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}}]
    # chat refuses tool_choice / parallel_tool_calls without tools: they go when no tool is left
    none_left = {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "zzz"}]}
    out = R.decode_request({**base, "tool_choice": none_left, "parallel_tool_calls": True})
    assert "tools" not in out and "tool_choice" not in out and "parallel_tool_calls" not in out
    out = R.decode_request({"model": "m", "input": "x", "tools": [], "tool_choice": "auto"})
    assert out == {"model": "m", "messages": [{"role": "user", "content": "x"}]}


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"input": "x"}, "model", "required"),
        ({"model": 3, "input": "x"}, "model", "string"),
        ({"model": ""}, "model", "empty"),
        ({"model": "m"}, "input", "required"),
        ({"model": "m", "input": 5}, "input", "string or a list"),
        (
            {"model": "m", "input": "x", "previous_response_id": "resp_1"},
            "previous_response_id",
            "previous_response_id is not supported",
        ),
        ({"model": "m", "input": "x", "conversation": "conv_1"}, "conversation", "send the full input"),
        ({"model": "m", "input": "x", "background": True}, "background", "background"),
        ({"model": "m", "input": "x", "tools": [{"type": "web_search"}]}, "tools[0].type", "'web_search'"),
        ({"model": "m", "input": "x", "tools": [{"type": "function"}]}, "tools[0].name", "required"),
        ({"model": "m", "input": "x", "tools": {"type": "function"}}, "tools", "list"),
        ({"model": "m", "input": "x", "tools": ["f"]}, "tools[0]", "object"),
        ({"model": "m", "input": "x", "tool_choice": "any"}, "tool_choice", "none|auto|required"),
        (
            {"model": "m", "input": "x", "tool_choice": {"type": "file_search"}},
            "tool_choice.type",
            "file_search",
        ),
        ({"model": "m", "input": "x", "temperature": "hot"}, "temperature", "number"),
        ({"model": "m", "input": "x", "max_output_tokens": True}, "max_output_tokens", "integer"),
        ({"model": "m", "input": "x", "max_output_tokens": 1.5}, "max_output_tokens", "integer"),
        ({"model": "m", "input": "x", "metadata": []}, "metadata", "object"),
        ({"model": "m", "input": "x", "parallel_tool_calls": "yes"}, "parallel_tool_calls", "boolean"),
        ({"model": "m", "input": "x", "text": {"format": {"type": "xml"}}}, "text.format.type", "xml"),
        (
            {"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "schema": {}}}},
            "text.format.name",
            "required",
        ),
        ({"model": "m", "input": "x", "reasoning": {"effort": 1}}, "reasoning.effort", "string"),
        ({"model": "m", "input": ["hi"]}, "input[0]", "object"),
        ({"model": "m", "input": [{"role": "robot", "content": "x"}]}, "input[0].role", "one of"),
        ({"model": "m", "input": [{"role": "user", "content": 7}]}, "input[0].content", "string or a list"),
        ({"model": "m", "input": [{"role": "user", "content": ["x"]}]}, "input[0].content[0]", "object"),
        (
            {
                "model": "m",
                "input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file_1"}]}],
            },
            "input[0].content[0]",
            "file_id is not supported",
        ),
        (
            {
                "model": "m",
                "input": [{"role": "user", "content": [{"type": "input_image", "detail": "auto"}]}],
            },
            "input[0].content[0]",
            "image_url",
        ),
        (
            {"model": "m", "input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}]},
            "input[0].content[0].type",
            "'input_file'",
        ),
        (
            {"model": "m", "input": [{"role": "user", "content": [{"type": "input_text"}]}]},
            "input[0].content[0].text",
            "required",
        ),
        (
            {"model": "m", "input": [{"type": "function_call", "name": "f", "arguments": "{}"}]},
            "input[0].call_id",
            "required",
        ),
        (
            {"model": "m", "input": [{"type": "function_call_output", "call_id": "c", "output": 3}]},
            "input[0].output",
            "string or a list",
        ),
        ({"model": "m", "input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0]", "item_reference"),
        (
            {"model": "m", "input": [{"type": "computer_call_output"}]},
            "input[0].type",
            "'computer_call_output'",
        ),
    ],
)
def test_errors(body: dict[str, Any], param: str, words: str) -> None:
    with pytest.raises(InvalidRequest) as e:
        R.decode_request(body)
    assert e.value.param == param
    assert words in e.value.message


@pytest.mark.parametrize(
    "junk",
    [None, [], {}, {"x": 1}, 1, "s", {"a": []}, [1], [None], [{"type": 1}], [{"type": []}], {"type": []}],
)
def test_garbage_only_raises_invalid_request(junk: Any) -> None:
    """Any field holding any junk is refused cleanly, never with a KeyError/TypeError."""
    if not isinstance(junk, dict | type(None)):
        with pytest.raises(InvalidRequest):
            R.decode_request(junk)
    fields = [
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "text",
        "reasoning",
        "temperature",
        "metadata",
        "stream",
        "max_output_tokens",
    ]
    for field in fields:
        body = {"model": "m", "input": [{"role": "user", "content": "x"}], field: junk}
        with contextlib.suppress(InvalidRequest):
            R.decode_request(body)
    for item in (
        {"type": "message", "role": "user", "content": junk},
        {"type": "function_call", "call_id": junk},
        {"type": "function_call_output", "call_id": "c", "output": junk},
        {"type": "reasoning", "summary": junk},
        {"type": "reasoning", "summary": [junk]},
        {"role": "user", "content": [{"type": "input_image", "image_url": "u", "detail": junk}]},
    ):
        with contextlib.suppress(InvalidRequest):
            R.decode_request({"model": "m", "input": [item]})


# --------------------------------------------------------------------------------------------
# encode_response


def _chat(
    message: dict[str, Any], finish: str = "stop", usage: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "vendor-model",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": usage or C.usage(10, 5),
    }


def _validated(resp: dict[str, Any]) -> Response:
    """The encoded Response validates with the SDK's model and survives JSON."""
    return Response.model_validate(orjson.loads(orjson.dumps(resp)))


def test_encode_text_echoes_request() -> None:
    request = {
        "model": "alias",
        "input": "hi",
        "instructions": "Be brief.",
        "temperature": 0.5,
        "max_output_tokens": 100,
        "metadata": {"k": "v"},
        "user": "u-1",
        "text": {"format": {"type": "json_object"}},
        "reasoning": {"effort": "low"},
    }
    resp = R.encode_response(_chat({"content": "Hello!"}), "alias", request=request)
    assert resp == {
        "id": "resp_1",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": "Be brief.",
        "max_output_tokens": 100,
        "model": "alias",
        "output": [
            {
                "type": "message",
                "id": "msg_2",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Hello!", "annotations": [], "logprobs": []}],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": "low"},
        "temperature": 0.5,
        "text": {"format": {"type": "json_object"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": None,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 5,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 15,
        },
        "user": "u-1",
        "metadata": {"k": "v"},
    }
    assert _validated(resp).output_text == "Hello!"


def test_encode_reasoning_and_tool_calls() -> None:
    tools = [{"type": "function", "name": "weather", "parameters": {"type": "object"}, "strict": False}]
    request = {
        "model": "m",
        "input": "x",
        "tools": tools,
        "tool_choice": "required",
        "parallel_tool_calls": False,
    }
    chat = _chat(
        {
            "content": None,
            "reasoning_content": "Two lookups.",
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Oslo"}'},
                },
            ],
        },
        "tool_calls",
        C.usage(100, 40, cached=60, cache_creation=20, reasoning=25),
    )
    resp = R.encode_response(chat, "m", request=request)
    assert resp["output"] == [
        {
            "type": "reasoning",
            "id": "rs_2",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "Two lookups."}],
            "status": "completed",
        },
        {
            "type": "function_call",
            "id": "fc_3",
            "call_id": "call_a",
            "name": "weather",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        },
        {
            "type": "function_call",
            "id": "fc_4",
            "call_id": "call_b",
            "name": "weather",
            "arguments": '{"city":"Oslo"}',
            "status": "completed",
        },
    ]
    assert resp["usage"] == {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 60, "cache_write_tokens": 20},
        "output_tokens": 40,
        "output_tokens_details": {"reasoning_tokens": 25},
        "total_tokens": 140,
    }
    assert (resp["status"], resp["tools"], resp["tool_choice"], resp["parallel_tool_calls"]) == (
        "completed",
        tools,
        "required",
        False,
    )
    validated = _validated(resp)
    assert [o.type for o in validated.output] == ["reasoning", "function_call", "function_call"]
    assert validated.usage is not None and validated.usage.input_tokens_details.cached_tokens == 60


def test_encode_text_with_tool_call_and_parts() -> None:
    chat = _chat(
        {
            "content": [{"type": "text", "text": "Let me check."}],
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        "tool_calls",
    )
    out = R.encode_response(chat, "m")["output"]
    assert [(o["type"], o["id"]) for o in out] == [("message", "msg_2"), ("function_call", "fc_3")]
    assert out[0]["content"][0]["text"] == "Let me check."


@pytest.mark.parametrize(
    ("finish", "status", "reason"),
    [
        ("length", "incomplete", "max_output_tokens"),
        ("content_filter", "incomplete", "content_filter"),
        ("stop", "completed", None),
    ],
)
def test_encode_finish_reasons(finish: str, status: str, reason: str | None) -> None:
    resp = R.encode_response(_chat({"content": "Once upon"}, finish), "m")
    assert resp["status"] == status
    assert resp["incomplete_details"] == ({"reason": reason} if reason else None)
    validated = _validated(resp)
    assert validated.status == status and validated.output_text == "Once upon"


def test_encode_empty_and_refusal() -> None:
    resp = R.encode_response(_chat({"content": None}), "m")
    assert resp["output"][0]["content"] == [
        {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    ]
    resp = R.encode_response(_chat({"content": None, "refusal": "No."}), "m")
    assert resp["output"][0]["content"] == [{"type": "refusal", "refusal": "No."}]
    _validated(resp)
    assert R.encode_response({"choices": []}, "m")["usage"] is None


# --------------------------------------------------------------------------------------------
# StreamEncoder


def _events(data: bytes) -> list[dict[str, Any]]:
    """Parse SSE bytes; check framing, SDK validation and sequence numbers; return the payloads."""
    parser = SSEParser()
    pairs = parser.feed(data) + parser.close()
    events = []
    for event, raw in pairs:
        payload = orjson.loads(raw)
        assert event == payload["type"]
        assert EVENT.validate_python(payload).type == payload["type"]
        events.append(payload)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def _sdk_final(data: bytes, request: dict[str, Any]) -> Any:
    """Replay the bytes to the official client's streaming helper; return its final Response."""

    def handler(_: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=data, headers={"content-type": "text/event-stream"})

    client = openai.OpenAI(
        api_key="k",
        base_url="http://tokenway.test/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with client.responses.stream(**request) as stream:
        for _ in stream:
            pass
        return stream.get_final_response()


def _run(chunks: list[dict[str, Any]], request: dict[str, Any]) -> bytes:
    enc = R.StreamEncoder("alias", request)
    data = b"".join(enc.feed(c) for c in chunks) + enc.finish()
    assert enc.finish() == b"" and enc.feed(chunks[0]) == b""  # closed for good
    return data


def test_stream_text() -> None:
    ck = "chatcmpl-9"
    chunks = [
        C.chunk(ck, "v", {"role": "assistant", "content": ""}, created=1700000000),
        C.chunk(ck, "v", {"content": "Hel"}),
        C.chunk(ck, "v", {"content": "lo, "}),
        C.chunk(ck, "v", {"content": "world"}),
        C.chunk(ck, "v", {}, "stop"),
        C.usage_chunk(ck, "v", C.usage(12, 3, cached=4)),
    ]
    request = {"model": "alias", "input": "hi", "instructions": "Be nice.", "stream": True}
    data = _run(chunks, request)
    events = _events(data)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    created = events[0]["response"]
    assert (created["id"], created["status"], created["output"], created["model"], created["created_at"]) == (
        "resp_1",
        "in_progress",
        [],
        "alias",
        1700000000,
    )
    assert events[2] == {
        "type": "response.output_item.added",
        "sequence_number": 2,
        "output_index": 0,
        "item": {
            "type": "message",
            "id": "msg_2",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        },
    }
    assert events[4] == {
        "type": "response.output_text.delta",
        "sequence_number": 4,
        "item_id": "msg_2",
        "output_index": 0,
        "content_index": 0,
        "delta": "Hel",
        "logprobs": [],
    }
    assert events[7]["text"] == "Hello, world"
    assert events[8]["part"] == {
        "type": "output_text",
        "text": "Hello, world",
        "annotations": [],
        "logprobs": [],
    }
    final = events[-1]["response"]
    assert final["status"] == "completed" and final["id"] == "resp_1"
    assert final["instructions"] == "Be nice."
    assert final["output"] == [events[9]["item"]]
    assert final["usage"] == {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 0},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 15,
    }
    assert Response.model_validate(final).output_text == "Hello, world"

    sdk = _sdk_final(data, {"model": "alias", "input": "hi"})
    assert sdk.output_text == "Hello, world" and sdk.usage.total_tokens == 15


def test_stream_reasoning_then_two_tool_calls() -> None:
    ck = "chatcmpl-7"

    def tc(index: int, args: str, call_id: str | None = None, name: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"index": index, "function": {"arguments": args}}
        if call_id:
            d |= {"id": call_id, "type": "function"}
            d["function"]["name"] = name
        return C.chunk(ck, "v", {"tool_calls": [d]})

    chunks = [
        C.chunk(ck, "v", {"role": "assistant", "reasoning_content": "Need "}, created=1700000001),
        C.chunk(ck, "v", {"reasoning_content": "two calls."}),
        tc(0, "", "call_a", "weather"),
        tc(0, '{"city":'),
        tc(0, '"Paris"}'),
        tc(1, '{"ci', "call_b", "weather"),
        tc(1, 'ty":"Oslo"}'),
        C.chunk(ck, "v", {}, "tool_calls"),
        C.usage_chunk(ck, "v", C.usage(50, 30, reasoning=8)),
    ]
    tools = [{"type": "function", "name": "weather", "parameters": {"type": "object"}}]
    request = {"model": "alias", "input": "x", "tools": tools, "stream": True}
    data = _run(chunks, request)
    events = _events(data)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",  # reasoning
        "response.content_part.added",
        "response.reasoning_text.delta",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",  # call_a
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.output_item.added",  # call_b
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert events[9]["item"] == {
        "type": "function_call",
        "id": "fc_3",
        "call_id": "call_a",
        "name": "weather",
        "arguments": "",
        "status": "in_progress",
    }
    assert events[10] == {
        "type": "response.function_call_arguments.delta",
        "sequence_number": 10,
        "item_id": "fc_3",
        "output_index": 1,
        "delta": '{"city":',
    }
    assert events[12]["arguments"] == '{"city":"Paris"}'
    assert [e["output_index"] for e in events[14:19]] == [2] * 5
    final = events[-1]["response"]
    assert final["tools"] == tools
    assert final["output"] == [
        {
            "type": "reasoning",
            "id": "rs_2",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "Need two calls."}],
            "status": "completed",
        },
        {
            "type": "function_call",
            "id": "fc_3",
            "call_id": "call_a",
            "name": "weather",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        },
        {
            "type": "function_call",
            "id": "fc_4",
            "call_id": "call_b",
            "name": "weather",
            "arguments": '{"city":"Oslo"}',
            "status": "completed",
        },
    ]
    assert final["usage"]["output_tokens_details"] == {"reasoning_tokens": 8}
    assert final["usage"]["total_tokens"] == 80

    sdk = _sdk_final(data, {"model": "alias", "input": "x"})
    calls = [o for o in sdk.output if o.type == "function_call"]
    assert [(c.call_id, c.arguments) for c in calls] == [
        ("call_a", '{"city":"Paris"}'),
        ("call_b", '{"city":"Oslo"}'),
    ]


def test_stream_text_then_tool_call_then_length() -> None:
    chunks = [
        C.chunk("c", "v", {"content": "Let me look."}, created=1),
        C.chunk(
            "c",
            "v",
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_x",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"q": 1}'},
                    }
                ]
            },
        ),
        C.chunk("c", "v", {}, "length"),
    ]
    events = _events(_run(chunks, {"model": "m", "input": "x"}))
    types = [e["type"] for e in events]
    assert types[-1] == "response.incomplete"
    # the message closes before the call opens
    assert types.index("response.output_item.done") < types.index("response.function_call_arguments.delta")
    final = events[-1]["response"]
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["usage"] is None  # the vendor sent none
    assert [o["type"] for o in final["output"]] == ["message", "function_call"]
    assert Response.model_validate(final).output_text == "Let me look."


def test_stream_nothing_said() -> None:
    enc = R.StreamEncoder("m")
    events = _events(enc.finish())
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert Response.model_validate(events[-1]["response"]).output_text == ""


def test_stream_error() -> None:
    enc = R.StreamEncoder("m")
    data = enc.feed(C.chunk("c", "v", {"content": "partial"}, created=1))
    data += enc.error("vendor fell over", "upstream_timeout")
    assert enc.finish() == b"" and enc.error("again") == b""
    events = _events(data)
    assert [e["type"] for e in events[-2:]] == ["error", "response.failed"]
    assert events[-2] == {
        "type": "error",
        "sequence_number": len(events) - 2,
        "code": "upstream_timeout",
        "message": "vendor fell over",
        "param": None,
    }
    failed = events[-1]["response"]
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "server_error", "message": "vendor fell over"}
    assert failed["output"][0]["content"][0]["text"] == "partial"
    assert failed["output"][0]["status"] == "incomplete"
    # an error before anything was streamed still opens the response first
    events = _events(R.StreamEncoder("m").error("limit", "rate_limit_exceeded"))
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    assert events[-1]["response"]["error"]["code"] == "rate_limit_exceeded"
