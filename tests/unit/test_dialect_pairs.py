"""Golden tests per dialect PAIR, through the canonical form, composed exactly as the pipeline
composes them (``pipeline.attempt`` and ``pipeline._Forwarder``):

    request:  client_dialect.to_canonical(body) -> VENDOR_FORMATS[vendor].encode_request(chat, model, stream)
    stream:   VENDOR_FORMATS[vendor].stream_decoder().feed(raw)... -> client_dialect.stream_encoder(model, body)

Pairs: Anthropic client -> Gemini / Bedrock requests, OpenAI client -> Gemini / Bedrock requests,
Gemini SSE -> Anthropic client SSE, Bedrock event stream -> OpenAI client SSE. Plus canonical
hygiene: Gemini's ``extra_content`` (thought signatures) never reaches an OpenAI- or
Anthropic-format vendor, while Gemini itself gets the signature back.

Expected outputs are written out in full; any change of behaviour fails a test.
"""

from __future__ import annotations

import copy
import json
import types
import uuid
from typing import Any

import pytest
from tests.emulators.bedrock_emulator import event_frame, exception_frame

from tokenway.dialects import bedrock, gemini
from tokenway.dialects.formats import ANTHROPIC, OPENAI_CHAT, VENDOR_FORMATS, ClientDialect
from tokenway.errors import GatewayError, UpstreamError

PNG = "iVBORw0KGgoAAAANSUhEUg=="
SIG = "c2lnbmF0dXJl"


# --------------------------------------------------------------------------- helpers
def translate(dialect: ClientDialect, vendor: str, body: dict[str, Any], model: str = "vendor-model",
              stream: bool = False) -> dict[str, Any]:
    """What ``pipeline.attempt`` sends a vendor for a client body (checking nothing is mutated)."""
    before = copy.deepcopy(body)
    chat = dialect.to_canonical(body)
    chat_before = copy.deepcopy(chat)
    out = VENDOR_FORMATS[vendor].encode_request(chat, model, stream)
    assert body == before, "the client body was mutated"
    assert chat == chat_before, "the canonical call was mutated (it is reused for retries and fallbacks)"
    return out


def pipe_stream(vendor: str, dialect: ClientDialect, model: str, body: dict[str, Any], reads: list[bytes]) -> bytes:
    """What ``pipeline._Forwarder`` (mode 2, translate) writes to the client for the vendor's reads,
    including the error event ``stream_back`` writes when the vendor's stream fails."""
    decoder = VENDOR_FORMATS[vendor].stream_decoder()
    encoder = dialect.stream_encoder(model, body)
    out: list[bytes] = []
    try:
        for raw in reads:
            out.append(b"".join(encoder.feed(c) for c in decoder.feed(raw)))
        out.append(b"".join(encoder.feed(c) for c in decoder.close()) + encoder.finish())
    except UpstreamError as e:
        err: GatewayError = e
        out.append(encoder.error(err.message, "api_error") if dialect.name == "anthropic"
                   else dialect.stream_error(err))
    return b"".join(out)


def sse_events(raw: bytes) -> list[tuple[str | None, Any]]:
    """Strictly parse SSE bytes: ``[event: NAME\\n]data: JSON\\n\\n`` blocks and nothing else."""
    assert raw.endswith(b"\n\n"), raw[-40:]
    out: list[tuple[str | None, Any]] = []
    for block in raw[:-2].split(b"\n\n"):
        lines = block.split(b"\n")
        name = None
        if lines[0].startswith(b"event: "):
            name = lines.pop(0)[7:].decode()
        assert len(lines) == 1 and lines[0].startswith(b"data: "), block
        data = lines[0][6:]
        out.append((name, "[DONE]" if data == b"[DONE]" else json.loads(data)))
    return out


def pieces(raw: bytes, size: int) -> list[bytes]:
    """The vendor's bytes as reads of ``size`` bytes: events and frames split anywhere."""
    return [raw[i:i + size] for i in range(0, len(raw), size)]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic stream ids and timestamps for the decoders (the pipeline builds them with no
    arguments, so they draw a uuid and read the clock)."""
    clock = types.SimpleNamespace(time=lambda: 1_700_000_000.25)
    monkeypatch.setattr(bedrock, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=0xABC)))
    monkeypatch.setattr(bedrock, "time", clock)
    monkeypatch.setattr(gemini, "time", clock)


BEDROCK_CID = "chatcmpl-00000000000000000000000000000abc"
CREATED = 1_700_000_000


# =========================================================================== Anthropic client requests
ANTHROPIC_BODY: dict[str, Any] = {
    "model": "claude-public",
    "max_tokens": 256,
    "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Use tools."}],
    "temperature": 0.2,
    "top_p": 0.9,
    "top_k": 40,
    "stop_sequences": ["END"],
    "metadata": {"user_id": "u-1"},
    "tools": [{"name": "lookup", "description": "Look up",
               "input_schema": {"type": "object", "additionalProperties": False, "required": ["q"],
                                "properties": {"q": {"type": "string", "format": "uri"}}}}],
    "tool_choice": {"type": "auto"},
    "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "what is in"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_01", "name": "lookup", "input": {"q": "cat"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": "text", "text": "a cat"}]},
            {"type": "text", "text": "and now?"}]},
    ],
}


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_client_to_gemini_request(stream: bool) -> None:
    body = {**ANTHROPIC_BODY, "stream": stream}
    assert translate(ANTHROPIC, "gemini", body, "gemini-2.5-flash", stream) == {
        "contents": [
            {"role": "user", "parts": [{"text": "what is in"},
                                       {"inlineData": {"mimeType": "image/png", "data": PNG}}]},
            {"role": "model", "parts": [
                {"text": "Let me look."},
                # a call from another vendor's history: Google's documented placeholder signature
                {"functionCall": {"name": "lookup", "args": {"q": "cat"}},
                 "thoughtSignature": "skip_thought_signature_validator"}]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "lookup", "response": {"content": "a cat"}}},
                {"text": "and now?"}]},
        ],
        # one part per system block (not run together as "You are terse.Use tools.")
        "systemInstruction": {"parts": [{"text": "You are terse."}, {"text": "Use tools."}]},
        "tools": [{"functionDeclarations": [{
            "name": "lookup", "description": "Look up",
            # additionalProperties and the string format "uri" are not in Gemini's Schema
            "parameters": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}}}]}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "generationConfig": {"maxOutputTokens": 256, "temperature": 0.2, "topP": 0.9, "topK": 40,
                             "stopSequences": ["END"]},
    }
    assert gemini.request_path("gemini-2.5-flash", stream) == (
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" if stream
        else "/v1beta/models/gemini-2.5-flash:generateContent")


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_client_to_bedrock_request(stream: bool) -> None:
    body = {**ANTHROPIC_BODY, "stream": stream}
    model = "anthropic.claude-3-5-haiku-20241022-v1:0"
    assert translate(ANTHROPIC, "bedrock", body, model, stream) == {
        "messages": [
            {"role": "user", "content": [{"text": "what is in"},
                                         {"image": {"format": "png", "source": {"bytes": PNG}}}]},
            {"role": "assistant", "content": [
                {"text": "Let me look."},
                {"toolUse": {"toolUseId": "toolu_01", "name": "lookup", "input": {"q": "cat"}}}]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "toolu_01", "content": [{"text": "a cat"}], "status": "success"}},
                {"text": "and now?"}]},
        ],
        "system": [{"text": "You are terse."}, {"text": "Use tools."}],
        "inferenceConfig": {"maxTokens": 256, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
        "toolConfig": {
            "tools": [{"toolSpec": {"name": "lookup", "description": "Look up", "inputSchema": {"json": {
                "type": "object", "additionalProperties": False, "required": ["q"],
                "properties": {"q": {"type": "string", "format": "uri"}}}}}}],
            "toolChoice": {"auto": {}},
        },
        "additionalModelRequestFields": {"top_k": 40},
    }
    assert bedrock.request_path(model, stream) == (
        "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/" + ("converse-stream" if stream else "converse"))


THINKING_BODY: dict[str, Any] = {
    "model": "claude-public",
    "max_tokens": 2048,
    "thinking": {"type": "enabled", "budget_tokens": 1024},
    "tools": [{"name": "calc", "input_schema": {"type": "object", "properties": {}}}],
    "tool_choice": {"type": "tool", "name": "calc", "disable_parallel_tool_use": True},
    "messages": [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Easy.", "signature": "EqQBsig"},
            {"type": "tool_use", "id": "toolu_9", "name": "calc", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9", "content": "4"}]},
    ],
}


def test_anthropic_client_thinking_to_gemini_request() -> None:
    assert translate(ANTHROPIC, "gemini", THINKING_BODY) == {
        "contents": [
            {"role": "user", "parts": [{"text": "2+2?"}]},
            # Anthropic's signed thinking means nothing to Gemini: only the call goes back
            {"role": "model", "parts": [{"functionCall": {"name": "calc", "args": {}},
                                         "thoughtSignature": "skip_thought_signature_validator"}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "calc", "response": {"content": "4"}}}]},
        ],
        # a no-argument function: Gemini refuses an OBJECT schema without properties
        "tools": [{"functionDeclarations": [{"name": "calc"}]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["calc"]}},
        "generationConfig": {"maxOutputTokens": 2048,
                             "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}},
    }


def test_anthropic_client_thinking_to_bedrock_request() -> None:
    assert translate(ANTHROPIC, "bedrock", THINKING_BODY) == {
        "messages": [
            {"role": "user", "content": [{"text": "2+2?"}]},
            # Claude on Bedrock needs the signed thinking block back before the tool use
            {"role": "assistant", "content": [
                {"reasoningContent": {"reasoningText": {"text": "Easy.", "signature": "EqQBsig"}}},
                {"toolUse": {"toolUseId": "toolu_9", "name": "calc", "input": {}}}]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "toolu_9", "content": [{"text": "4"}], "status": "success"}}]},
        ],
        "inferenceConfig": {"maxTokens": 2048},
        "toolConfig": {"tools": [{"toolSpec": {"name": "calc", "inputSchema": {"json": {
            "type": "object", "properties": {}}}}}], "toolChoice": {"tool": {"name": "calc"}}},
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    }


# =========================================================================== OpenAI client requests
OPENAI_BODY: dict[str, Any] = {
    "model": "public-model",
    "stream": True,
    "stream_options": {"include_usage": True},
    "messages": [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": [
            {"type": "text", "text": "look at"},
            {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{PNG}", "detail": "low"}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_0", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"cat"}'},
             "extra_content": {"google": {"thought_signature": SIG}}},
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": "a cat"},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp":21}'},
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": "summarise"},
    ],
    "tools": [
        {"type": "function", "function": {"name": "lookup", "description": "Look up", "parameters": {
            "type": "object", "properties": {"q": {"type": ["string", "null"]}}}}},
        {"type": "function", "function": {"name": "weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
    ],
    "tool_choice": {"type": "function", "function": {"name": "weather"}},
    "max_completion_tokens": 500,
    "temperature": 0.5,
    "stop": "STOP",
    "seed": 7,
}


def test_openai_client_to_gemini_request() -> None:
    assert translate(OPENAI_CHAT, "gemini", OPENAI_BODY, stream=True) == {
        "contents": [
            {"role": "user", "parts": [{"text": "look at"},
                                       {"inlineData": {"mimeType": "image/jpeg", "data": PNG}}]},
            {"role": "model", "parts": [
                # Gemini's own signature goes back on the first call of the turn, and only there
                {"functionCall": {"name": "lookup", "args": {"q": "cat"}}, "thoughtSignature": SIG},
                {"functionCall": {"name": "weather", "args": {"city": "Paris"}}}]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "lookup", "response": {"content": "a cat"}}},
                {"functionResponse": {"name": "weather", "response": {"temp": 21}}},
                {"text": "summarise"}]},
        ],
        "systemInstruction": {"parts": [{"text": "Be terse."}, {"text": "Answer in French."}]},
        "tools": [{"functionDeclarations": [
            {"name": "lookup", "description": "Look up",
             "parameters": {"type": "object", "properties": {"q": {"type": "string", "nullable": True}}}},
            {"name": "weather",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
        ]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}},
        "generationConfig": {"maxOutputTokens": 500, "temperature": 0.5, "seed": 7, "stopSequences": ["STOP"]},
    }


def test_openai_client_to_bedrock_request() -> None:
    assert translate(OPENAI_CHAT, "bedrock", OPENAI_BODY, stream=True) == {
        "messages": [
            {"role": "user", "content": [{"text": "look at"},
                                         {"image": {"format": "jpeg", "source": {"bytes": PNG}}}]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "call_0", "name": "lookup", "input": {"q": "cat"}}},
                {"toolUse": {"toolUseId": "call_1", "name": "weather", "input": {"city": "Paris"}}}]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "call_0", "content": [{"text": "a cat"}], "status": "success"}},
                {"toolResult": {"toolUseId": "call_1", "content": [{"json": {"temp": 21}}], "status": "success"}},
                {"text": "summarise"}]},
        ],
        "system": [{"text": "Be terse."}, {"text": "Answer in French."}],
        "inferenceConfig": {"maxTokens": 500, "temperature": 0.5, "stopSequences": ["STOP"]},
        "toolConfig": {
            "tools": [
                {"toolSpec": {"name": "lookup", "description": "Look up", "inputSchema": {"json": {
                    "type": "object", "properties": {"q": {"type": ["string", "null"]}}}}}},
                {"toolSpec": {"name": "weather", "inputSchema": {"json": {
                    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}},
            ],
            "toolChoice": {"tool": {"name": "weather"}},
        },
    }


SCHEMA_BODY: dict[str, Any] = {
    "model": "public-model",
    "messages": [{"role": "user", "content": "a person"}],
    "max_tokens": 64,
    "top_p": 0.5,
    "reasoning_effort": "low",
    "response_format": {"type": "json_schema", "json_schema": {"name": "person", "schema": {
        "type": "object", "properties": {"name": {"type": "string"}, "age": {"anyOf": [{"type": "integer"},
                                                                                        {"type": "null"}]}},
        "required": ["name", "age"], "additionalProperties": False}}},
}


def test_openai_client_structured_output_to_gemini() -> None:
    assert translate(OPENAI_CHAT, "gemini", SCHEMA_BODY) == {
        "contents": [{"role": "user", "parts": [{"text": "a person"}]}],
        "generationConfig": {
            "maxOutputTokens": 64, "topP": 0.5,
            "responseMimeType": "application/json",
            "responseSchema": {"type": "object", "required": ["name", "age"], "properties": {
                "name": {"type": "string"}, "age": {"type": "integer", "nullable": True}}},
            "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024},
        },
    }


def test_openai_client_structured_output_to_bedrock() -> None:
    schema = SCHEMA_BODY["response_format"]["json_schema"]["schema"]
    assert translate(OPENAI_CHAT, "bedrock", SCHEMA_BODY) == {
        "messages": [{"role": "user", "content": [{"text": "a person"}]}],
        "inferenceConfig": {"maxTokens": 64, "topP": 0.5},
        "outputConfig": {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
            "schema": json.dumps(schema, separators=(",", ":")), "name": "person"}}}},
    }


# =========================================================================== canonical hygiene
GEMINI_CALL_RESPONSE: dict[str, Any] = {
    "candidates": [{"index": 0, "finishReason": "STOP", "content": {"role": "model", "parts": [
        {"functionCall": {"name": "lookup", "args": {"q": "tokenway"}}, "thoughtSignature": SIG},
        {"functionCall": {"name": "weather", "args": {"city": "Paris"}}}]}}],
    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "r1",
}


def gemini_history() -> dict[str, Any]:
    """A canonical call whose history holds the tool calls Gemini made (with ``extra_content``)."""
    answer = VENDOR_FORMATS["gemini"].decode_response(GEMINI_CALL_RESPONSE)["choices"][0]["message"]
    assert answer["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIG}}
    return {
        "model": "m",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "find tokenway and the weather"},
            answer,
            {"role": "tool", "tool_call_id": "call_0", "content": "found"},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ],
    }


@pytest.mark.parametrize("stream", [False, True])
def test_openai_vendor_request_drops_extra_content(stream: bool) -> None:
    chat = gemini_history()
    before = copy.deepcopy(chat)
    out = VENDOR_FORMATS["openai"].encode_request(chat, "gpt-4o", stream)
    assert "extra_content" not in json.dumps(out)
    assert out["messages"][1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_0", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"tokenway"}'}},
        {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]}
    assert out["messages"][2:] == before["messages"][2:]
    assert out["model"] == "gpt-4o"
    assert ("stream_options" in out) is stream
    # the canonical call keeps the signature: a retry or fallback on Gemini still sends it
    assert chat == before
    again = VENDOR_FORMATS["gemini"].encode_request(chat, "gemini-2.5-flash", stream)
    assert again["contents"][1]["parts"][0]["thoughtSignature"] == SIG


def test_openai_vendor_request_drops_extra_content_with_other_extensions() -> None:
    chat = gemini_history()
    chat["messages"][1] = {**chat["messages"][1], "reasoning_content": "hm",
                           "thinking_blocks": [{"type": "thinking", "thinking": "hm", "signature": "s"}]}
    chat["top_k"] = 3
    out = VENDOR_FORMATS["openai"].encode_request(chat, "gpt-4o", False)
    assert set(out["messages"][1]) == {"role", "content", "tool_calls"}
    assert all(set(tc) == {"id", "type", "function"} for tc in out["messages"][1]["tool_calls"])
    assert "top_k" not in out


def test_openai_vendor_request_untouched_without_extensions() -> None:
    chat = {"model": "m", "messages": [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]}
    out = VENDOR_FORMATS["openai"].encode_request(chat, "gpt-4o", False)
    assert out["messages"] is chat["messages"]  # nothing to strip: no copy


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_vendor_request_drops_extra_content(stream: bool) -> None:
    chat = gemini_history()
    before = copy.deepcopy(chat)
    out = VENDOR_FORMATS["anthropic"].encode_request(chat, "claude-3-5-haiku", stream)
    assert "extra_content" not in json.dumps(out)
    assert "thought_signature" not in json.dumps(out)
    assert out == {
        "model": "claude-3-5-haiku",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "find tokenway and the weather"},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "call_0", "name": "lookup", "input": {"q": "tokenway"}},
                {"type": "tool_use", "id": "call_1", "name": "weather", "input": {"city": "Paris"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_0", "content": "found"},
                {"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"}]},
        ],
        **({"stream": True} if stream else {}),
    }
    assert chat == before


def test_bedrock_vendor_request_drops_extra_content() -> None:
    out = VENDOR_FORMATS["bedrock"].encode_request(gemini_history(), "m", False)
    assert "extra_content" not in json.dumps(out) and SIG not in json.dumps(out)
    assert out["messages"][1] == {"role": "assistant", "content": [
        {"toolUse": {"toolUseId": "call_0", "name": "lookup", "input": {"q": "tokenway"}}},
        {"toolUse": {"toolUseId": "call_1", "name": "weather", "input": {"city": "Paris"}}}]}


# =========================================================================== Gemini SSE -> Anthropic SSE
def gemini_event(parts: list[dict[str, Any]], finish: str | None = None, **usage: int) -> bytes:
    cand: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    ev = {"candidates": [cand], "usageMetadata": usage, "modelVersion": "gemini-2.5-flash", "responseId": "rid42"}
    return b"data: " + json.dumps(ev).encode() + b"\r\n\r\n"


ANT_STREAM_BODY = {"model": "claude-public", "max_tokens": 2, "stream": True,
                   "messages": [{"role": "user", "content": "hi"}]}


def message_start(model: str = "claude-public") -> tuple[str, dict[str, Any]]:
    return ("message_start", {"type": "message_start", "message": {
        "id": "msg_rid42", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}})


def block_start(index: int, block: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def block_delta(index: int, delta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})


def block_stop(index: int) -> tuple[str, dict[str, Any]]:
    return ("content_block_stop", {"type": "content_block_stop", "index": index})


def message_end(stop_reason: str, input_tokens: int, output_tokens: int, cache_read: int = 0) -> list[Any]:
    return [("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                               "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                         "cache_creation_input_tokens": 0, "cache_read_input_tokens": cache_read}}),
            ("message_stop", {"type": "message_stop"})]


GEMINI_TEXT_STREAM = (
    gemini_event([{"text": "Pondering.", "thought": True}], promptTokenCount=9, totalTokenCount=9)
    + gemini_event([{"text": "Hello "}], promptTokenCount=9, totalTokenCount=9)
    + gemini_event([{"text": "there"}], "MAX_TOKENS", promptTokenCount=9, candidatesTokenCount=2,
                   thoughtsTokenCount=3, cachedContentTokenCount=4, totalTokenCount=14)
)


@pytest.mark.parametrize("size", [len(GEMINI_TEXT_STREAM), 7, 1])
def test_gemini_sse_to_anthropic_sse_text_thinking_truncated(size: int) -> None:
    out = pipe_stream("gemini", ANTHROPIC, "claude-public", ANT_STREAM_BODY, pieces(GEMINI_TEXT_STREAM, size))
    assert sse_events(out) == [
        message_start(),
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        block_delta(0, {"type": "thinking_delta", "thinking": "Pondering."}),
        block_stop(0),
        block_start(1, {"type": "text", "text": ""}),
        block_delta(1, {"type": "text_delta", "text": "Hello "}),
        block_delta(1, {"type": "text_delta", "text": "there"}),
        block_stop(1),
        # MAX_TOKENS -> length -> max_tokens; Gemini's promptTokenCount includes the cached tokens,
        # Anthropic's input_tokens does not; output = candidates + thoughts
        *message_end("max_tokens", input_tokens=5, output_tokens=5, cache_read=4),
    ]


def test_gemini_sse_to_anthropic_sse_tool_calls() -> None:
    raw = (gemini_event([{"text": "Checking."}], promptTokenCount=20, totalTokenCount=20)
           + gemini_event([{"functionCall": {"name": "lookup", "args": {"q": "tokenway"}}, "thoughtSignature": SIG},
                           {"functionCall": {"name": "weather", "args": {"city": "Paris"}}}],
                          "STOP", promptTokenCount=20, candidatesTokenCount=11, totalTokenCount=31))
    out = pipe_stream("gemini", ANTHROPIC, "claude-public", ANT_STREAM_BODY, pieces(raw, 13))
    assert sse_events(out) == [
        message_start(),
        block_start(0, {"type": "text", "text": ""}),
        block_delta(0, {"type": "text_delta", "text": "Checking."}),
        block_stop(0),
        block_start(1, {"type": "tool_use", "id": "call_0", "name": "lookup", "input": {}}),
        block_delta(1, {"type": "input_json_delta", "partial_json": '{"q":"tokenway"}'}),
        block_stop(1),
        block_start(2, {"type": "tool_use", "id": "call_1", "name": "weather", "input": {}}),
        block_delta(2, {"type": "input_json_delta", "partial_json": '{"city":"Paris"}'}),
        block_stop(2),
        *message_end("tool_use", input_tokens=20, output_tokens=11),  # STOP with calls -> tool_use
    ]


GEMINI_ERROR = b'data: {"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}\r\n\r\n'


@pytest.mark.parametrize("same_read", [False, True])
def test_gemini_sse_error_mid_stream_to_anthropic_error_event(same_read: bool) -> None:
    first = gemini_event([{"text": "Hello "}], promptTokenCount=20, totalTokenCount=20)
    reads = [first + GEMINI_ERROR] if same_read else [first, GEMINI_ERROR]
    out = pipe_stream("gemini", ANTHROPIC, "claude-public", ANT_STREAM_BODY, reads)
    # what came before the error reaches the client even when the error is in the same read;
    # then the stream ends with Anthropic's error event: no message_delta, no message_stop
    assert sse_events(out) == [
        message_start(),
        block_start(0, {"type": "text", "text": ""}),
        block_delta(0, {"type": "text_delta", "text": "Hello "}),
        ("error", {"type": "error", "error": {"type": "api_error", "message": "boom"}}),
    ]


def test_gemini_sse_error_first_to_anthropic_error_event() -> None:
    out = pipe_stream("gemini", ANTHROPIC, "claude-public", ANT_STREAM_BODY, [GEMINI_ERROR])
    assert sse_events(out) == [("error", {"type": "error", "error": {"type": "api_error", "message": "boom"}})]


def test_gemini_sse_cut_short_to_anthropic() -> None:
    """The vendor's body ends without a finishReason: the stream is still closed properly."""
    raw = gemini_event([{"text": "Hel"}], promptTokenCount=3, totalTokenCount=3)
    out = pipe_stream("gemini", ANTHROPIC, "claude-public", ANT_STREAM_BODY, [raw])
    assert sse_events(out) == [
        message_start(),
        block_start(0, {"type": "text", "text": ""}),
        block_delta(0, {"type": "text_delta", "text": "Hel"}),
        block_stop(0),
        *message_end("end_turn", input_tokens=3, output_tokens=0),
    ]


# =========================================================================== Bedrock -> OpenAI SSE
def frames(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(event_frame(kind, payload, seq) for seq, (kind, payload) in enumerate(events))


def oai_chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[None, dict[str, Any]]:
    return (None, {"id": BEDROCK_CID, "object": "chat.completion.chunk", "created": CREATED, "model": "bedrock-public",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


def oai_usage(prompt: int, completion: int, cached: int = 0) -> tuple[None, dict[str, Any]]:
    return (None, {"id": BEDROCK_CID, "object": "chat.completion.chunk", "created": CREATED, "model": "bedrock-public",
                   "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                            "total_tokens": prompt + completion,
                                            "prompt_tokens_details": {"cached_tokens": cached},
                                            "completion_tokens_details": {"reasoning_tokens": 0}}})


DONE = (None, "[DONE]")

BEDROCK_TEXT_STREAM = frames(
    ("messageStart", {"role": "assistant"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Hmm."}}}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "sig1"}}}),
    ("contentBlockStop", {"contentBlockIndex": 0}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "Bonjour "}}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "Paris"}}),
    ("contentBlockStop", {"contentBlockIndex": 1}),
    ("messageStop", {"stopReason": "end_turn"}),
    ("metadata", {"usage": {"inputTokens": 10, "outputTokens": 6, "totalTokens": 16, "cacheReadInputTokens": 5},
                  "metrics": {"latencyMs": 42}}),
)
TEXT_CHUNKS = [
    oai_chunk({"role": "assistant", "content": ""}),
    oai_chunk({"reasoning_content": "Hmm."}),
    oai_chunk({"thinking_signature": "sig1"}),
    oai_chunk({"content": "Bonjour "}),
    oai_chunk({"content": "Paris"}),
    oai_chunk({}, "stop"),
]


@pytest.mark.parametrize("size", [len(BEDROCK_TEXT_STREAM), 50, 3])
def test_bedrock_stream_to_openai_sse_with_usage(frozen: None, size: int) -> None:
    body = {"model": "bedrock-public", "stream": True, "stream_options": {"include_usage": True}, "messages": []}
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", body, pieces(BEDROCK_TEXT_STREAM, size))
    # the vendor names no model: the client sees the one it asked for; cache reads count in prompt_tokens
    assert sse_events(out) == [*TEXT_CHUNKS, oai_usage(15, 6, cached=5), DONE]


def test_bedrock_stream_to_openai_sse_without_usage(frozen: None) -> None:
    body = {"model": "bedrock-public", "stream": True, "messages": []}
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", body, [BEDROCK_TEXT_STREAM])
    assert sse_events(out) == [*TEXT_CHUNKS, DONE]


def test_bedrock_stream_to_openai_sse_tool_call(frozen: None) -> None:
    raw = frames(
        ("messageStart", {"role": "assistant"}),
        ("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "tooluse_1",
                                                                            "name": "lookup"}}}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '{"q": '}}}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '"x"}'}}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("contentBlockStart", {"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_2",
                                                                            "name": "weather"}}}),
        ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": '{"city": "Paris"}'}}}),
        ("contentBlockStop", {"contentBlockIndex": 1}),
        ("messageStop", {"stopReason": "tool_use"}),
        ("metadata", {"usage": {"inputTokens": 30, "outputTokens": 12, "totalTokens": 42}}),
    )
    body = {"model": "bedrock-public", "stream": True, "stream_options": {"include_usage": True}, "messages": []}
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", body, pieces(raw, 41))
    assert sse_events(out) == [
        oai_chunk({"role": "assistant", "content": ""}),
        oai_chunk({"tool_calls": [{"index": 0, "id": "tooluse_1", "type": "function",
                                   "function": {"name": "lookup", "arguments": ""}}]}),
        oai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"q": '}}]}),
        oai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"x"}'}}]}),
        oai_chunk({"tool_calls": [{"index": 1, "id": "tooluse_2", "type": "function",
                                   "function": {"name": "weather", "arguments": ""}}]}),
        oai_chunk({"tool_calls": [{"index": 1, "function": {"arguments": '{"city": "Paris"}'}}]}),
        oai_chunk({}, "tool_calls"),
        oai_usage(30, 12),
        DONE,
    ]


def test_bedrock_stream_max_tokens_to_openai_length(frozen: None) -> None:
    raw = frames(
        ("messageStart", {"role": "assistant"}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "cut"}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": "max_tokens"}),
        ("metadata", {"usage": {"inputTokens": 4, "outputTokens": 1, "totalTokens": 5}}),
    )
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", {"model": "x", "stream": True, "messages": []}, [raw])
    assert sse_events(out) == [oai_chunk({"role": "assistant", "content": ""}), oai_chunk({"content": "cut"}),
                               oai_chunk({}, "length"), DONE]


@pytest.mark.parametrize("same_read", [False, True])
def test_bedrock_exception_mid_stream_to_openai_error_event(frozen: None, same_read: bool) -> None:
    first = frames(("messageStart", {"role": "assistant"}),
                   ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}))
    error = exception_frame("throttlingException", "Slow down.")
    reads = [first + error] if same_read else [first, error[:9], error[9:]]
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", {"model": "x", "stream": True, "messages": []}, reads)
    # the text before the exception reaches the client; the error event ends the stream (no [DONE])
    assert sse_events(out) == [
        oai_chunk({"role": "assistant", "content": ""}),
        oai_chunk({"content": "Hi"}),
        (None, {"error": {"message": "Slow down.", "type": "api_error", "code": "upstream_error", "param": None}}),
    ]


def test_bedrock_exception_keeps_its_status() -> None:
    decoder = VENDOR_FORMATS["bedrock"].stream_decoder()
    first = frames(("messageStart", {"role": "assistant"}),
                   ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}))
    assert len(decoder.feed(first + exception_frame("throttlingException", "Slow down."))) == 2
    with pytest.raises(UpstreamError) as e:
        decoder.close()
    assert (e.value.status, e.value.message) == (429, "Slow down.")
    with pytest.raises(UpstreamError):
        decoder.feed(b"")  # and it stays failed


def test_bedrock_corrupt_frame_after_text_to_openai_error_event(frozen: None) -> None:
    good = frames(("messageStart", {"role": "assistant"}),
                  ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}))
    bad = bytearray(frames(("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "there"}})))
    bad[-6] ^= 0xFF  # a payload byte: the message CRC no longer matches
    out = pipe_stream("bedrock", OPENAI_CHAT, "bedrock-public", {"model": "x", "stream": True, "messages": []},
                      [good + bytes(bad)])
    events = sse_events(out)
    assert events[:2] == [oai_chunk({"role": "assistant", "content": ""}), oai_chunk({"content": "Hi"})]
    assert len(events) == 3 and events[2][1]["error"]["code"] == "upstream_error"
    assert events[2][1]["error"]["message"].startswith("malformed Bedrock event stream")
