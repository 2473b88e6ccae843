"""Bedrock Converse dialect: golden request/response/event-stream translation, SigV4 signing
checked against an independent implementation, and a round trip through the local Bedrock
emulator (tests/emulators/bedrock_emulator.py) over real HTTP with real signatures."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import importlib.util
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest

from tokenway.dialects import bedrock
from tokenway.errors import InvalidRequest, UpstreamError

CID = "chatcmpl-test"
CREATED = 1_700_000_000
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
REGION = "us-east-1"
AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
EMULATOR = Path(__file__).resolve().parents[1] / "emulators" / "bedrock_emulator.py"


def _load_emulator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bedrock_emulator", EMULATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bedrock_emulator"] = module
    spec.loader.exec_module(module)
    return module


emu = _load_emulator()


def u(prompt: int, completion: int, cached: int = 0, cache_creation: int = 0) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    if cache_creation:
        usage["prompt_tokens_details"]["cache_creation_tokens"] = cache_creation
    return usage


def ck(delta: dict[str, Any], finish: str | None = None, model: str = MODEL) -> dict[str, Any]:
    return {
        "id": CID,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
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


WEATHER_PARAMS = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Weather for a city", "parameters": WEATHER_PARAMS},
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time"}}


# ----------------------------------------------------------------------------- request encoding


def test_request_path() -> None:
    assert bedrock.request_path(MODEL, False) == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    assert (
        bedrock.request_path("arn:aws:bedrock:us-east-1:123:inference-profile/us.x", True)
        == "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x/converse-stream"
    )


def test_encode_full_conversation() -> None:
    chat = {
        "model": "alias",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this, and the weather?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                    {"type": "image_url", "image_url": {"url": "s3://bucket/pics/cat.JPG"}},
                ],
            },
            {
                "role": "assistant",
                "content": "Let me check.",
                "reasoning_content": "Need weather.",
                "thinking_blocks": [
                    {"type": "thinking", "thinking": "Need weather.", "signature": "EqQBsig"},
                    {"type": "redacted_thinking", "data": "cmVkYWN0ZWQ="},
                ],
                "tool_calls": [
                    {
                        "id": "tooluse_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {"id": "tooluse_2", "type": "function", "function": {"name": "get_time", "arguments": ""}},
                ],
            },
            {"role": "tool", "tool_call_id": "tooluse_1", "content": '{"temp": 21}'},
            {"role": "tool", "tool_call_id": "tooluse_2", "content": [{"type": "text", "text": "noon"}]},
            {"role": "user", "content": "Thanks!"},
            {"role": "user", "content": ""},
        ],
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "max_completion_tokens": 512,
        "temperature": 0.3,
        "top_p": 0.8,
        "top_k": 50,
        "stop": ["###", "END"],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "weather",
                "description": "A report",
                "schema": {"type": "object", "properties": {"t": {"type": "number"}}},
            },
        },
        "seed": 1,
        "stream": True,
    }
    assert bedrock.encode_request(chat, MODEL) == {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"text": "What is this, and the weather?"},
                    {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
                    {"image": {"format": "jpeg", "source": {"s3Location": {"uri": "s3://bucket/pics/cat.JPG"}}}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "Need weather.", "signature": "EqQBsig"}}},
                    {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
                    {"text": "Let me check."},
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}},
                    {"toolUse": {"toolUseId": "tooluse_2", "name": "get_time", "input": {}}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "toolResult": {
                            "toolUseId": "tooluse_1",
                            "content": [{"json": {"temp": 21}}],
                            "status": "success",
                        }
                    },
                    {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "noon"}], "status": "success"}},
                    {"text": "Thanks!"},
                ],
            },
        ],
        "system": [{"text": "You are terse."}, {"text": "Use metric units."}],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.3, "topP": 0.8, "stopSequences": ["###", "END"]},
        "toolConfig": {
            "tools": [
                {
                    "toolSpec": {
                        "name": "get_weather",
                        "description": "Weather for a city",
                        "inputSchema": {"json": WEATHER_PARAMS},
                    }
                },
                {"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object", "properties": {}}}}},
            ],
            "toolChoice": {"tool": {"name": "get_weather"}},
        },
        "additionalModelRequestFields": {"top_k": 50, "thinking": {"type": "enabled", "budget_tokens": 1024}},
        "outputConfig": {
            "textFormat": {
                "type": "json_schema",
                "structure": {
                    "jsonSchema": {
                        "schema": '{"type":"object","properties":{"t":{"type":"number"}}}',
                        "name": "weather",
                        "description": "A report",
                    }
                },
            }
        },
    }


def test_encode_minimal() -> None:
    chat = {"messages": [{"role": "user", "content": "ping"}], "max_tokens": 16, "stop": "STOP"}
    assert bedrock.encode_request(chat, MODEL) == {
        "messages": [{"role": "user", "content": [{"text": "ping"}]}],
        "inferenceConfig": {"maxTokens": 16, "stopSequences": ["STOP"]},
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (
            None,
            {
                "tools": [
                    {"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object", "properties": {}}}}}
                ]
            },
        ),
        ("auto", {"auto": {}}),
        ("required", {"any": {}}),
        ({"type": "function", "function": {"name": "get_time"}}, {"tool": {"name": "get_time"}}),
    ],
)
def test_encode_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    chat = {"messages": [{"role": "user", "content": "hi"}], "tools": [TIME_TOOL], "tool_choice": choice}
    config = bedrock.encode_request(chat, MODEL)["toolConfig"]
    assert (config if choice is None else config["toolChoice"]) == expected


def test_encode_tool_choice_none() -> None:
    chat: dict[str, Any] = {
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [TIME_TOOL],
        "tool_choice": "none",
    }
    assert "toolConfig" not in bedrock.encode_request(chat, MODEL)
    chat["messages"] += [
        {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "get_time"}}]},
        {"role": "tool", "tool_call_id": "t1", "content": "noon"},
    ]
    # Bedrock requires toolConfig once the history holds tool blocks: tools, but no toolChoice
    assert bedrock.encode_request(chat, MODEL)["toolConfig"] == {
        "tools": [{"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object", "properties": {}}}}}]
    }


def test_encode_history_tools_blank_text_and_empty_results() -> None:
    chat = {
        "messages": [
            {"role": "user", "content": "run it"},
            {"role": "user", "content": [{"type": "text", "text": "  "}]},
            {
                "role": "assistant",
                "content": "\n",
                "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "run", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "t1", "content": ""},
            {"role": "user", "content": "summarise, no tools"},
        ],
        "tools": [{"type": "function", "function": {"name": "other", "description": " "}}],
    }
    expected_messages = [
        {"role": "user", "content": [{"text": "run it"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "run", "input": {}}}]},
        {
            "role": "user",
            "content": [
                {"toolResult": {"toolUseId": "t1", "content": [{"text": "(empty)"}], "status": "success"}},
                {"text": "summarise, no tools"},
            ],
        },
    ]
    open_schema = {"json": {"type": "object", "properties": {}}}
    assert bedrock.encode_request(chat, MODEL) == {
        "messages": expected_messages,
        "toolConfig": {"tools": [{"toolSpec": {"name": "other", "inputSchema": open_schema}}]},
    }
    # no tools declared, but the history holds tool blocks: Bedrock still needs a toolConfig
    del chat["tools"]
    assert bedrock.encode_request(chat, MODEL) == {
        "messages": expected_messages,
        "toolConfig": {"tools": [{"toolSpec": {"name": "run", "inputSchema": open_schema}}]},
    }


@pytest.mark.parametrize(
    "url", ["https://example.com/cat.png", "data:image/bmp;base64,Qk0=", "s3://bucket/file.tiff", "data:image/png"]
)
def test_encode_rejects_images_bedrock_cannot_take(url: str) -> None:
    chat = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}]}
    with pytest.raises(InvalidRequest) as e:
        bedrock.encode_request(chat, MODEL)
    assert e.value.param == "messages[0].content[0]"


# ---------------------------------------------------------------------------- response decoding


def test_decode_text() -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello"}, {"text": " there"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 3, "totalTokens": 15},
        "metrics": {"latencyMs": 300},
    }
    assert bedrock.decode_response(body, "alias", cid=CID, created=CREATED) == {
        "id": CID,
        "object": "chat.completion",
        "created": CREATED,
        "model": "alias",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there"}, "finish_reason": "stop"}],
        "usage": u(12, 3),
    }
    generated = bedrock.decode_response(body)
    assert generated["id"].startswith("chatcmpl-") and len(generated["id"]) > 12


def test_decode_tool_use_reasoning_and_cache_usage() -> None:
    body = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "Let me think.", "signature": "sig=="}}},
                    {"reasoningContent": {"redactedContent": "cmVk"}},
                    {"text": "Checking."},
                    {"toolUse": {"toolUseId": "tooluse_abc", "name": "get_weather", "input": {"city": "Paris"}}},
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {
            "inputTokens": 100,
            "outputTokens": 20,
            "cacheReadInputTokens": 800,
            "cacheWriteInputTokens": 50,
            "totalTokens": 970,
        },
    }
    assert bedrock.decode_response(body, MODEL, cid=CID, created=CREATED) == {
        "id": CID,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Checking.",
                    "tool_calls": [
                        {
                            "id": "tooluse_abc",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        }
                    ],
                    "reasoning_content": "Let me think.",
                    "thinking_blocks": [
                        {"type": "thinking", "thinking": "Let me think.", "signature": "sig=="},
                        {"type": "redacted_thinking", "data": "cmVk"},
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": u(950, 20, cached=800, cache_creation=50),
    }


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("tool_use", "tool_calls"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("content_filtered", "content_filter"),
        ("guardrail_intervened", "content_filter"),
    ],
)
def test_decode_stop_reasons(reason: str, expected: str) -> None:
    body = {"output": {"message": {"role": "assistant", "content": [{"text": "x"}]}}, "stopReason": reason}
    assert bedrock.decode_response(body)["choices"][0]["finish_reason"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"message":"Malformed input request: #: required key [messages] not found"}',
            "Malformed input request: #: required key [messages] not found",
        ),
        (
            b'{"Message":"User is not authorized to perform: bedrock:InvokeModel"}',
            "User is not authorized to perform: bedrock:InvokeModel",
        ),
        (b"Service Unavailable", "Service Unavailable"),
        (b"", "upstream error"),
    ],
)
def test_decode_error(raw: bytes, expected: str) -> None:
    assert bedrock.decode_error(raw) == expected


# ------------------------------------------------------------------------------ stream decoding


def frames(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(emu.event_frame(kind, payload, seq) for seq, (kind, payload) in enumerate(events))


STREAM = frames(
    ("messageStart", {"role": "assistant"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Hmm, "}}}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "café?"}}}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "EqQBsig"}}}),
    ("contentBlockStop", {"contentBlockIndex": 0}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "Un café ☕ "}}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "s'il vous plaît."}}),
    ("contentBlockStop", {"contentBlockIndex": 1}),
    (
        "contentBlockStart",
        {"contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "tooluse_X1", "name": "order"}}},
    ),
    ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '{"item": "ca'}}}),
    ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"toolUse": {"input": 'fé"}'}}}),
    ("contentBlockStop", {"contentBlockIndex": 2}),
    ("messageStop", {"stopReason": "tool_use"}),
    (
        "metadata",
        {
            "usage": {
                "inputTokens": 10,
                "outputTokens": 30,
                "cacheReadInputTokens": 100,
                "cacheWriteInputTokens": 5,
                "totalTokens": 145,
            },
            "metrics": {"latencyMs": 812},
        },
    ),
)
STREAM_CHUNKS = [
    ck({"role": "assistant", "content": ""}),
    ck({"reasoning_content": "Hmm, "}),
    ck({"reasoning_content": "café?"}),
    ck({"thinking_signature": "EqQBsig"}),
    ck({"content": "Un café ☕ "}),
    ck({"content": "s'il vous plaît."}),
    ck(
        {
            "tool_calls": [
                {"index": 0, "id": "tooluse_X1", "type": "function", "function": {"name": "order", "arguments": ""}}
            ]
        }
    ),
    ck({"tool_calls": [{"index": 0, "function": {"arguments": '{"item": "ca'}}]}),
    ck({"tool_calls": [{"index": 0, "function": {"arguments": 'fé"}'}}]}),
    ck({}, "tool_calls"),
    uck(u(115, 30, cached=100, cache_creation=5)),
]


def splits(raw: bytes) -> list[list[bytes]]:
    ways = [[raw], [raw[i : i + 1] for i in range(len(raw))]]
    for size in (2, 3, 11, 12, 13, 64, 500):
        ways.append([raw[i : i + size] for i in range(0, len(raw), size)])
    return ways


@pytest.mark.parametrize("pieces", splits(STREAM), ids=lambda p: f"{len(p)}pieces")
def test_stream_at_awkward_boundaries(pieces: list[bytes]) -> None:
    dec = bedrock.StreamDecoder(MODEL, cid=CID, created=CREATED)
    out: list[dict[str, Any]] = []
    for piece in pieces:
        out.extend(dec.feed(piece))
    assert dec.done
    assert dec.usage == u(115, 30, cached=100, cache_creation=5)
    assert dec.close() == []
    assert out == STREAM_CHUNKS


@pytest.mark.parametrize(
    ("exception", "status"),
    [("throttlingException", 429), ("modelStreamErrorException", 424), ("validationException", 400)],
)
def test_stream_exception_frame_raises(exception: str, status: int) -> None:
    dec = bedrock.StreamDecoder(MODEL, cid=CID, created=CREATED)
    start = frames(("messageStart", {"role": "assistant"}), ("contentBlockDelta", {"delta": {"text": "Hi"}}))
    assert dec.feed(start) == [ck({"role": "assistant", "content": ""}), ck({"content": "Hi"})]
    error = emu.exception_frame(exception, "Too many tokens, please wait before trying again.")
    assert dec.feed(error[:10]) == []
    with pytest.raises(UpstreamError) as e:
        dec.feed(error[10:])
    assert e.value.status == status
    assert e.value.message == "Too many tokens, please wait before trying again."


def test_stream_corrupt_frame_raises() -> None:
    frame = bytearray(frames(("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}})))
    frame[-10] ^= 0xFF  # a payload byte: the message CRC no longer matches
    with pytest.raises(UpstreamError, match="malformed Bedrock event stream"):
        bedrock.StreamDecoder(MODEL).feed(bytes(frame))


def test_stream_close_when_cut_short() -> None:
    dec = bedrock.StreamDecoder(MODEL, cid=CID, created=CREATED)
    raw = frames(("messageStart", {"role": "assistant"}), ("contentBlockDelta", {"delta": {"text": "Hi"}}))
    assert dec.feed(raw) == [ck({"role": "assistant", "content": ""}), ck({"content": "Hi"})]
    assert dec.close() == [ck({}, "stop")]  # no metadata event: no usage to report
    assert not dec.done and dec.usage is None
    assert dec.close() == []
    assert bedrock.StreamDecoder(MODEL).close() == []  # nothing received: nothing to finish


def test_module_imports_without_botocore() -> None:
    code = (
        "import sys; sys.modules['botocore'] = None\n"
        "from tokenway.dialects import bedrock\n"
        "b = bedrock.encode_request({'messages': [{'role': 'user', 'content': 'hi'}]}, 'm')\n"
        "assert b == {'messages': [{'role': 'user', 'content': [{'text': 'hi'}]}]}, b\n"
        "try:\n    bedrock.StreamDecoder()\nexcept ImportError:\n    print('lazy')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "lazy"


# ----------------------------------------------------------------------------------------- SigV4


def reference_signature(
    method: str, path: str, headers: dict[str, str], body: bytes, amz_date: str, region: str, secret: str
) -> str:
    """SigV4 written from the AWS spec, independent of botocore (non-S3: the path is encoded twice)."""
    names = sorted(headers)
    canonical = "\n".join(
        [
            method,
            quote(path, safe="/~"),
            "",
            "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/bedrock/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, "bedrock", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_sign_matches_reference_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.auth

    fixed = datetime.datetime(2024, 1, 2, 3, 4, 5)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: fixed)
    path = bedrock.request_path(MODEL, False)
    body = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}'
    headers = bedrock.sign(
        "POST",
        f"https://bedrock-runtime.{REGION}.amazonaws.com{path}",
        {"Content-Type": "application/json", "Accept": "application/json"},
        body,
        REGION,
        AK,
        SK,
        "SESSIONTOKEN",
    )
    signed = {
        "accept": "application/json",
        "content-type": "application/json",
        "host": f"bedrock-runtime.{REGION}.amazonaws.com",
        "x-amz-date": "20240102T030405Z",
        "x-amz-security-token": "SESSIONTOKEN",
    }
    signature = reference_signature("POST", path, signed, body, "20240102T030405Z", REGION, SK)
    assert headers == {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Amz-Date": "20240102T030405Z",
        "X-Amz-Security-Token": "SESSIONTOKEN",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={AK}/20240102/{REGION}/bedrock/aws4_request, "
            f"SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature={signature}"
        ),
    }


def test_emulator_signature_check() -> None:
    path = bedrock.request_path(MODEL, False)
    body = b'{"messages":[]}'
    signed = bedrock.sign(
        "POST", f"http://127.0.0.1:9{path}", {"Content-Type": "application/json"}, body, REGION, AK, SK
    )
    headers = {k.lower(): v for k, v in signed.items()} | {"host": "127.0.0.1:9"}
    emu.check_sigv4("POST", path, headers, body, access_key=AK, secret_key=SK, region=REGION)

    def rejected(error_type: str, **changes: Any) -> None:
        args: dict[str, Any] = {"path": path, "headers": headers, "body": body, "secret_key": SK, "region": REGION}
        args.update(changes)
        with pytest.raises(emu.AuthFailure) as e:
            emu.check_sigv4(
                "POST",
                args["path"],
                args["headers"],
                args["body"],
                access_key=AK,
                secret_key=args["secret_key"],
                region=args["region"],
            )
        assert e.value.error_type == error_type

    rejected("InvalidSignatureException", body=b'{"messages":[1]}')
    rejected("InvalidSignatureException", secret_key="other-secret")
    rejected("InvalidSignatureException", path=bedrock.request_path(MODEL, True))
    rejected("InvalidSignatureException", headers=headers | {"content-type": "text/plain"})
    rejected("InvalidSignatureException", region="eu-west-1")
    rejected("MissingAuthenticationTokenException", headers={k: v for k, v in headers.items() if k != "authorization"})
    rejected("IncompleteSignatureException", headers=headers | {"authorization": "Bearer abc"})
    with pytest.raises(emu.AuthFailure, match="expired"):
        emu.check_sigv4("POST", path, headers, body, secret_key=SK, now=time.time() + 3600)


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
    record = tmp_path_factory.mktemp("bedrock") / "requests.jsonl"
    proc, port = start_emulator("--record", str(record), "--access-key", AK, "--secret-key", SK, "--region", REGION)
    yield port, record
    proc.terminate()
    proc.wait(timeout=10)


def send(
    port: int,
    chat: dict[str, Any],
    *,
    stream: bool = False,
    secret: str = SK,
    token: str | None = None,
    tamper: bool = False,
    signed: bool = True,
) -> http.client.HTTPResponse:
    path = bedrock.request_path(MODEL, stream)
    body = json.dumps(bedrock.encode_request(chat, MODEL)).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers = bedrock.sign("POST", f"http://127.0.0.1:{port}{path}", headers, body, REGION, AK, secret, token)
    if tamper:
        body = body.replace(b'"text"', b'"text" ', 1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body, headers)
    return conn.getresponse()


def converse(port: int, chat: dict[str, Any], **kw: Any) -> dict[str, Any]:
    resp = send(port, chat, **kw)
    raw = resp.read()
    assert resp.status == 200, raw
    return bedrock.decode_response(json.loads(raw), "alias", cid=CID, created=CREATED)


def converse_stream(port: int, chat: dict[str, Any], read_size: int = 7) -> list[dict[str, Any]]:
    resp = send(port, chat, stream=True)
    assert resp.status == 200, resp.read()
    assert resp.getheader("Content-Type") == "application/vnd.amazon.eventstream"
    dec = bedrock.StreamDecoder("alias", cid=CID, created=CREATED)
    out: list[dict[str, Any]] = []
    while data := resp.read1(read_size):
        out.extend(dec.feed(data))
    assert dec.done
    assert dec.close() == []
    return out


SAY = {
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello to the emulator"}]
}


def test_emulator_converse_round_trip(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    assert converse(port, SAY) == {
        "id": CID,
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
    # temporary credentials: the session token is signed too
    assert converse(port, SAY, token="SESSION")["choices"][0]["message"]["content"] == "echo: Say hello to the emulator"


def test_emulator_converse_stream_round_trip(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    assert converse_stream(port, SAY) == [
        ck({"role": "assistant", "content": ""}, model="alias"),
        ck({"content": "echo: Say hello "}, model="alias"),
        ck({"content": "to the emulator"}, model="alias"),
        ck({}, "stop", model="alias"),
        uck(u(8, 6), model="alias"),
    ]


def test_emulator_tool_round_trip(emulator: tuple[int, Path]) -> None:
    port, record = emulator
    chat: dict[str, Any] = {"messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": [WEATHER_TOOL]}
    first = converse(port, chat)
    message = first["choices"][0]["message"]
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    [call] = message["tool_calls"]
    assert call["function"] == {"name": "get_weather", "arguments": '{"q":"Weather in Paris?"}'}
    assert call["id"].startswith("tooluse_")

    streamed = converse_stream(port, chat, read_size=3)
    assert streamed[1]["choices"][0]["delta"]["tool_calls"][0]["id"] == call["id"]
    args = "".join(
        c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
        for c in streamed
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    )
    assert json.loads(args) == {"q": "Weather in Paris?"}
    assert streamed[-2] == ck({}, "tool_calls", model="alias")

    chat["messages"] += [message, {"role": "tool", "tool_call_id": call["id"], "content": '{"temp": 21}'}]
    second = converse(port, chat)
    assert second["choices"][0]["message"] == {"role": "assistant", "content": 'tool said: {"temp":21}'}
    last = json.loads(record.read_text().splitlines()[-1])
    assert last["body"]["messages"][2] == {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": call["id"], "content": [{"json": {"temp": 21}}], "status": "success"}}
        ],
    }


def test_emulator_accepts_tool_history_without_declared_tools(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    chat = {
        "messages": [
            {"role": "user", "content": "run it"},
            {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "run"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": ""},
        ]
    }
    out = converse(port, chat)
    assert out["choices"][0]["message"] == {"role": "assistant", "content": "tool said: (empty)"}


def test_emulator_reasoning_stream(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    chat = {"messages": [{"role": "user", "content": "why"}], "thinking": {"type": "enabled", "budget_tokens": 1024}}
    out = converse(port, chat)["choices"][0]["message"]
    assert out["reasoning_content"] == "Thinking about: why"
    assert out["thinking_blocks"] == [
        {"type": "thinking", "thinking": "Thinking about: why", "signature": emu._signature("Thinking about: why")}
    ]
    chunks = converse_stream(port, chat)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert "".join(d.get("reasoning_content", "") for d in deltas) == "Thinking about: why"
    assert {"thinking_signature": emu._signature("Thinking about: why")} in deltas
    assert "".join(d.get("content", "") for d in deltas) == "echo: why"


def test_emulator_rejects_bad_signatures(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    resp = send(port, SAY, secret="not-the-secret")
    assert resp.status == 403
    assert resp.getheader("x-amzn-ErrorType", "").startswith("InvalidSignatureException")
    assert bedrock.decode_error(resp.read()).startswith("The request signature we calculated does not match")
    resp = send(port, SAY, tamper=True)
    assert resp.status == 403
    assert bedrock.decode_error(resp.read()).startswith("The request signature we calculated does not match")
    resp = send(port, SAY, signed=False)
    assert resp.status == 403
    assert bedrock.decode_error(resp.read()) == "Missing Authentication Token"


def test_emulator_errors(emulator: tuple[int, Path]) -> None:
    port, _ = emulator
    resp = send(port, {"messages": [{"role": "user", "content": "!error now"}]})
    assert resp.status == 400
    assert bedrock.decode_error(resp.read()) == "emulated error requested by !error"
    with pytest.raises(UpstreamError) as e:
        converse_stream(port, {"messages": [{"role": "user", "content": "!error mid stream please"}]})
    assert e.value.status == 429
    resp = send(port, {"messages": [{"role": "assistant", "content": "I speak first"}]})
    assert resp.status == 400
    assert bedrock.decode_error(resp.read()) == "A conversation must start with a user message."


def test_emulator_records_requests_without_secrets(emulator: tuple[int, Path]) -> None:
    port, record = emulator
    converse(port, SAY, token="SESSION")
    entry = json.loads(record.read_text().splitlines()[-1])
    assert entry["path"] == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    assert entry["body"] == bedrock.encode_request(SAY, MODEL)
    names = {k.lower() for k in entry["headers"]}
    assert "x-amz-date" in names
    assert not names & {"authorization", "x-amz-security-token"}


def test_emulator_fail_rate() -> None:
    proc, port = start_emulator("--fail-rate", "1")
    try:
        resp = send(port, SAY)  # no keys given: only the signature's form is checked
        assert resp.status == 503
        assert resp.getheader("x-amzn-ErrorType", "").startswith("ServiceUnavailableException")
        assert bedrock.decode_error(resp.read()) == "Bedrock is unable to process your request."
    finally:
        proc.terminate()
        proc.wait(timeout=10)
