"""The Anthropic Messages API dialect, both ways.

Client-facing (an Anthropic client calls tokenway):
    ``decode_request`` (Anthropic request -> canonical), ``encode_response`` (canonical
    chat.completion -> Anthropic message), ``StreamEncoder`` (canonical chunks -> Anthropic SSE).

Vendor-facing (tokenway calls an Anthropic-format vendor):
    ``encode_request`` (canonical -> Anthropic request), ``decode_response`` (Anthropic message ->
    canonical), ``StreamDecoder`` (Anthropic SSE bytes -> canonical chunks), ``decode_error``.

``error_body`` renders a gateway error the way Anthropic does.

Everything here is plain dicts in, plain dicts out. Client input is validated: any shape the
Messages API would reject raises ``InvalidRequest`` with a ``param`` pointing at the culprit.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from tokenway.dialects import canonical
from tokenway.dialects.canonical import Chat
from tokenway.dialects.sse import SSEParser, encode
from tokenway.errors import InvalidRequest, UpstreamError

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "StreamDecoder",
    "StreamEncoder",
    "decode_error",
    "decode_request",
    "decode_response",
    "encode_request",
    "encode_response",
    "error_body",
]

DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` sent to the vendor when the canonical request does not set one (Anthropic
requires it)."""

# canonical finish_reason -> Anthropic stop_reason
_STOP_REASON = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}

# Anthropic stop_reason -> canonical finish_reason
_FINISH_REASON = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

# HTTP status -> Anthropic error type (https://docs.anthropic.com/en/api/errors)
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_TOOL_CHOICE_IN = {"auto": "auto", "any": "required", "none": "none"}
_TOOL_CHOICE_OUT = {"auto": "auto", "required": "any", "none": "none"}


# --------------------------------------------------------------------------------------- helpers


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int(v: Any) -> int:
    """A token count from a vendor or canonical body: anything that is not an int counts as 0."""
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _dumps(v: Any, param: str) -> str:
    try:
        return orjson.dumps(v).decode()
    except TypeError as e:  # orjson.JSONEncodeError (e.g. an integer beyond 64 bits)
        raise InvalidRequest(f"{param}: not JSON-serialisable ({e})", param=param) from None


def _parse_args(arguments: Any) -> dict[str, Any]:
    """Tool-call arguments (a JSON string) as a dict; anything that is not a JSON object -> {}."""
    if isinstance(arguments, dict):
        return arguments
    if not isinstance(arguments, str | bytes) or not arguments:
        return {}
    try:
        v = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return {}
    return v if isinstance(v, dict) else {}


def _bad(param: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{param}: {message}", param=param)


def _msg_id(cid: Any) -> str:
    if isinstance(cid, str) and cid:
        if cid.startswith("msg_"):
            return cid
        return "msg_" + cid.removeprefix("chatcmpl-")
    return "msg_" + uuid.uuid4().hex[:24]


def _tool_id() -> str:
    return "toolu_" + uuid.uuid4().hex[:24]


def _str(v: Any, default: str = "") -> str:
    return v if isinstance(v, str) and v else default


def _anthropic_usage(u: Any) -> dict[str, int]:
    """Canonical usage -> Anthropic usage (``input_tokens`` excludes cache reads and writes)."""
    if not isinstance(u, dict):
        u = {}
    details = u.get("prompt_tokens_details")
    if not isinstance(details, dict):
        details = {}
    cached = _int(details.get("cached_tokens"))
    creation = _int(details.get("cache_creation_tokens"))
    return {
        "input_tokens": max(_int(u.get("prompt_tokens")) - cached - creation, 0),
        "output_tokens": _int(u.get("completion_tokens")),
        "cache_creation_input_tokens": creation,
        "cache_read_input_tokens": cached,
    }


def _canonical_usage(
    input_tokens: int, output_tokens: int, cache_read: int, cache_creation: int, thinking: int
) -> dict[str, Any]:
    return canonical.usage(
        input_tokens + cache_read + cache_creation,
        output_tokens,
        cached=cache_read,
        cache_creation=cache_creation,
        reasoning=thinking,
    )


# ================================================================ client-facing: decode_request


def decode_request(body: dict[str, Any]) -> Chat:
    """An Anthropic Messages request -> a canonical chat request.

    Raises ``InvalidRequest`` (with ``param``) for anything the Messages API would reject.
    Unknown top-level fields are ignored; ``cache_control`` markers are dropped (the canonical
    form has no place for them).
    """
    if not isinstance(body, dict):
        raise InvalidRequest("request body must be a JSON object")

    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _bad("model", "required, a non-empty string")
    if "max_tokens" not in body:
        raise _bad("max_tokens", "field required")
    max_tokens = body["max_tokens"]
    if not _is_int(max_tokens) or max_tokens < 1:
        raise _bad("max_tokens", "must be a positive integer")
    raw_messages = body.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise _bad("messages", "must be a non-empty list of messages")

    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system is not None:
        messages.append({"role": "system", "content": _decode_system(system)})
    for i, m in enumerate(raw_messages):
        _decode_message(m, f"messages[{i}]", messages)

    chat: Chat = {"model": model, "messages": messages, "max_tokens": max_tokens}

    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise _bad("tools", "must be a list of tools")
        if tools:
            chat["tools"] = [_decode_tool(t, f"tools[{k}]") for k, t in enumerate(tools)]
    tool_choice = body.get("tool_choice")
    if tool_choice is not None:
        choice, parallel = _decode_tool_choice(tool_choice)
        # OpenAI-format vendors reject tool_choice without tools; without tools it means nothing.
        if "tools" in chat:
            chat["tool_choice"] = choice
            if parallel is False:
                chat["parallel_tool_calls"] = False

    for key in ("temperature", "top_p"):
        v = body.get(key)
        if v is not None:
            if not _is_num(v):
                raise _bad(key, "must be a number")
            chat[key] = v
    top_k = body.get("top_k")
    if top_k is not None:
        if not _is_int(top_k) or top_k < 0:
            raise _bad("top_k", "must be a non-negative integer")
        chat["top_k"] = top_k

    stop = body.get("stop_sequences")
    if stop is not None:
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
            raise _bad("stop_sequences", "must be a list of strings")
        if stop:
            chat["stop"] = stop

    stream = body.get("stream")
    if stream is not None:
        if not isinstance(stream, bool):
            raise _bad("stream", "must be a boolean")
        chat["stream"] = stream
        if stream:
            # the stream encoder needs the final usage chunk to report usage to the client
            chat["stream_options"] = {"include_usage": True}

    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise _bad("metadata", "must be an object")
        user_id = metadata.get("user_id")
        if user_id is not None and not isinstance(user_id, str):
            raise _bad("metadata.user_id", "must be a string")
        chat["metadata"] = metadata
        if user_id:
            chat["user"] = user_id

    thinking = body.get("thinking")
    if thinking is not None:
        if not isinstance(thinking, dict) or not isinstance(thinking.get("type"), str):
            raise _bad("thinking", "must be an object with a string 'type'")
        budget = thinking.get("budget_tokens")
        if budget is not None and not _is_int(budget):
            raise _bad("thinking.budget_tokens", "must be an integer")
        chat["thinking"] = thinking
    return chat


def _decode_system(system: Any) -> str | list[dict[str, Any]]:
    if isinstance(system, str):
        return system
    if not isinstance(system, list):
        raise _bad("system", "must be a string or a list of text blocks")
    parts: list[dict[str, Any]] = []
    for j, b in enumerate(system):
        if not isinstance(b, dict) or b.get("type") != "text" or not isinstance(b.get("text"), str):
            raise _bad(f"system[{j}]", "must be a text block {type: 'text', text: string}")
        parts.append({"type": "text", "text": b["text"]})
    return parts


def _decode_message(m: Any, p: str, out: list[dict[str, Any]]) -> None:
    if not isinstance(m, dict):
        raise _bad(p, "must be an object")
    role = m.get("role")
    if role not in ("user", "assistant"):
        raise _bad(f"{p}.role", f"must be 'user' or 'assistant', got {role!r}")
    content = m.get("content")
    if isinstance(content, str):
        out.append({"role": role, "content": content})
        return
    if not isinstance(content, list):
        raise _bad(f"{p}.content", "must be a string or a list of content blocks")
    if role == "user":
        _decode_user_blocks(content, p, out)
    else:
        out.append(_decode_assistant_blocks(content, p))


def _decode_user_blocks(blocks: list[Any], p: str, out: list[dict[str, Any]]) -> None:
    # tool results become role "tool" messages, placed first (they answer the previous assistant
    # turn); the rest of the user turn follows as one user message.
    parts: list[dict[str, Any]] = []
    for j, b in enumerate(blocks):
        bp = f"{p}.content[{j}]"
        if not isinstance(b, dict):
            raise _bad(bp, "must be a content block object")
        t = b.get("type")
        if t == "text":
            parts.append(_decode_text(b, bp))
        elif t == "image":
            parts.append(_decode_image(b, bp))
        elif t == "tool_result":
            out.append(_decode_tool_result(b, bp))
        elif t in ("tool_use", "thinking", "redacted_thinking"):
            raise _bad(f"{bp}.type", f"{t!r} blocks are only allowed in assistant messages")
        else:
            raise _bad(f"{bp}.type", f"unsupported content block type {t!r}")
    if not blocks:
        raise _bad(f"{p}.content", "must not be empty")
    if parts:
        out.append({"role": "user", "content": parts})


def _decode_text(b: dict[str, Any], bp: str) -> dict[str, Any]:
    text = b.get("text")
    if not isinstance(text, str):
        raise _bad(f"{bp}.text", "must be a string")
    return {"type": "text", "text": text}


def _decode_image(b: dict[str, Any], bp: str) -> dict[str, Any]:
    src = b.get("source")
    if not isinstance(src, dict):
        raise _bad(f"{bp}.source", "must be an object")
    st = src.get("type")
    if st == "base64":
        media_type, data = src.get("media_type"), src.get("data")
        if not isinstance(media_type, str) or not media_type:
            raise _bad(f"{bp}.source.media_type", "must be a string")
        if not isinstance(data, str):
            raise _bad(f"{bp}.source.data", "must be a base64 string")
        url = f"data:{media_type};base64,{data}"
    elif st == "url":
        url = src.get("url")
        if not isinstance(url, str) or not url:
            raise _bad(f"{bp}.source.url", "must be a string")
    else:
        raise _bad(f"{bp}.source.type", f"unsupported image source type {st!r} (use 'base64' or 'url')")
    return {"type": "image_url", "image_url": {"url": url}}


def _decode_tool_result(b: dict[str, Any], bp: str) -> dict[str, Any]:
    tid = b.get("tool_use_id")
    if not isinstance(tid, str) or not tid:
        raise _bad(f"{bp}.tool_use_id", "must be a non-empty string")
    c = b.get("content")
    content: str | list[dict[str, Any]]
    if c is None:
        content = ""
    elif isinstance(c, str):
        content = c
    elif isinstance(c, list):
        # text-only results collapse to a string (what every OpenAI-format vendor accepts); a
        # result with images keeps its parts.
        parts: list[dict[str, Any]] = []
        for k, cb in enumerate(c):
            cp = f"{bp}.content[{k}]"
            if not isinstance(cb, dict):
                raise _bad(cp, "must be a content block object")
            t = cb.get("type")
            if t == "text":
                parts.append(_decode_text(cb, cp))
            elif t == "image":
                parts.append(_decode_image(cb, cp))
            else:
                raise _bad(f"{cp}.type", f"unsupported tool_result content block type {t!r}")
        text_only = all(pt["type"] == "text" for pt in parts)
        content = "".join(pt["text"] for pt in parts) if text_only else parts
    else:
        raise _bad(f"{bp}.content", "must be a string or a list of content blocks")
    # is_error has no canonical slot; the text of the result says what went wrong.
    return {"role": "tool", "tool_call_id": tid, "content": content}


def _decode_assistant_blocks(blocks: list[Any], p: str) -> dict[str, Any]:
    texts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    thinking_blocks: list[dict[str, Any]] = []
    reasoning: list[str] = []
    for j, b in enumerate(blocks):
        bp = f"{p}.content[{j}]"
        if not isinstance(b, dict):
            raise _bad(bp, "must be a content block object")
        t = b.get("type")
        if t == "text":
            texts.append(_decode_text(b, bp)["text"])
        elif t == "tool_use":
            tid, name, inp = b.get("id"), b.get("name"), b.get("input", {})
            if not isinstance(tid, str) or not tid:
                raise _bad(f"{bp}.id", "must be a non-empty string")
            if not isinstance(name, str) or not name:
                raise _bad(f"{bp}.name", "must be a non-empty string")
            if not isinstance(inp, dict):
                raise _bad(f"{bp}.input", "must be an object")
            tool_calls.append(
                {
                    "id": tid,
                    "type": "function",
                    "function": {"name": name, "arguments": _dumps(inp, f"{bp}.input")},
                }
            )
        elif t == "thinking":
            if not isinstance(b.get("thinking"), str):
                raise _bad(f"{bp}.thinking", "must be a string")
            if not isinstance(b.get("signature", ""), str):
                raise _bad(f"{bp}.signature", "must be a string")
            thinking_blocks.append(b)
            reasoning.append(b["thinking"])
        elif t == "redacted_thinking":
            if not isinstance(b.get("data"), str):
                raise _bad(f"{bp}.data", "must be a string")
            thinking_blocks.append(b)
        elif t in ("image", "tool_result"):
            raise _bad(f"{bp}.type", f"{t!r} blocks are only allowed in user messages")
        else:
            raise _bad(f"{bp}.type", f"unsupported content block type {t!r}")
    msg: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(texts) if texts or not tool_calls else None,
    }
    if tool_calls:
        msg["tool_calls"] = tool_calls
    if thinking_blocks:
        msg["thinking_blocks"] = thinking_blocks
        if reasoning:
            msg["reasoning_content"] = "".join(reasoning)
    return msg


def _decode_tool(t: Any, p: str) -> dict[str, Any]:
    if not isinstance(t, dict):
        raise _bad(p, "must be an object")
    ttype = t.get("type")
    if ttype not in (None, "custom"):
        raise _bad(f"{p}.type", f"tool type {ttype!r} is not supported (only client tools)")
    name = t.get("name")
    if not isinstance(name, str) or not name:
        raise _bad(f"{p}.name", "must be a non-empty string")
    schema = t.get("input_schema")
    if not isinstance(schema, dict):
        raise _bad(f"{p}.input_schema", "required, a JSON schema object")
    fn: dict[str, Any] = {"name": name}
    desc = t.get("description")
    if desc is not None:
        if not isinstance(desc, str):
            raise _bad(f"{p}.description", "must be a string")
        fn["description"] = desc
    fn["parameters"] = schema
    if isinstance(t.get("strict"), bool):
        fn["strict"] = t["strict"]
    return {"type": "function", "function": fn}


def _decode_tool_choice(tc: Any) -> tuple[Any, bool | None]:
    """-> (canonical tool_choice, parallel_tool_calls or None)."""
    if not isinstance(tc, dict):
        raise _bad("tool_choice", "must be an object")
    t = tc.get("type")
    dis = tc.get("disable_parallel_tool_use")
    if dis is not None and not isinstance(dis, bool):
        raise _bad("tool_choice.disable_parallel_tool_use", "must be a boolean")
    if t == "tool":
        name = tc.get("name")
        if not isinstance(name, str) or not name:
            raise _bad("tool_choice.name", "required when type is 'tool'")
        choice: Any = {"type": "function", "function": {"name": name}}
    elif isinstance(t, str) and t in _TOOL_CHOICE_IN:
        choice = _TOOL_CHOICE_IN[t]
    else:
        raise _bad("tool_choice.type", f"must be one of 'auto', 'any', 'tool', 'none', got {t!r}")
    return choice, (False if dis else None)


# =============================================================== client-facing: encode_response


def encode_response(chat: Chat, model: str) -> dict[str, Any]:
    """A canonical chat.completion -> an Anthropic message object (only choice 0 is used)."""
    choices = chat.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    msg = choice.get("message")
    if not isinstance(msg, dict):
        msg = {}

    content: list[dict[str, Any]] = _thinking_out(msg)
    text = _text(msg.get("content"))
    if not text and isinstance(msg.get("refusal"), str):
        text = msg["refusal"]
    if text:
        content.append({"type": "text", "text": text})
    has_tools = False
    tool_calls = msg.get("tool_calls")
    if isinstance(tool_calls, list):
        for tc in tool_calls:
            if not isinstance(tc, dict):
                continue
            fn = tc.get("function") if isinstance(tc.get("function"), dict) else {}
            content.append(
                {
                    "type": "tool_use",
                    "id": _str(tc.get("id")) or _tool_id(),
                    "name": _str(fn.get("name")),
                    "input": _parse_args(fn.get("arguments")),
                }
            )
            has_tools = True
    return {
        "id": _msg_id(chat.get("id")),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _stop_reason(choice.get("finish_reason"), has_tools),
        "stop_sequence": None,
        "usage": _anthropic_usage(chat.get("usage")),
    }


def _text(content: Any) -> str:
    if isinstance(content, str | list):
        return canonical.text_of(content)
    return ""


def _thinking_out(msg: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = msg.get("thinking_blocks")
    if isinstance(blocks, list) and blocks:
        return [b for b in blocks if _is_thinking_block(b)]
    rc = msg.get("reasoning_content")
    if isinstance(rc, str) and rc:
        # a vendor's reasoning without a signature; the client cannot replay it to Anthropic
        # itself, but tokenway's encode_request drops unsigned reasoning anyway.
        return [{"type": "thinking", "thinking": rc, "signature": ""}]
    return []


def _is_thinking_block(b: Any) -> bool:
    if not isinstance(b, dict):
        return False
    if b.get("type") == "thinking":
        return isinstance(b.get("thinking"), str) and isinstance(b.get("signature"), str)
    return b.get("type") == "redacted_thinking" and isinstance(b.get("data"), str)


def _stop_reason(finish: Any, has_tools: bool) -> str:
    sr = _STOP_REASON.get(finish) if isinstance(finish, str) else None
    # Some OpenAI-format vendors say "stop" while calling tools; an Anthropic client only runs
    # the tools when it sees "tool_use".
    if has_tools and sr in (None, "end_turn"):
        return "tool_use"
    return sr or "end_turn"


# ================================================================ client-facing: StreamEncoder


class StreamEncoder:
    """Canonical chat.completion.chunk dicts -> Anthropic Messages SSE bytes.

    ``feed`` each chunk as it arrives, ``finish`` once at the end (it emits the held
    ``message_delta`` with the stop reason and usage, then ``message_stop``), or ``error`` to end
    the stream with an Anthropic ``error`` event.
    """

    __slots__ = (
        "_block",
        "_done",
        "_finish",
        "_has_tools",
        "_id",
        "_kind",
        "_next",
        "_signed",
        "_started",
        "_tools",
        "_usage",
        "model",
    )

    def __init__(self, model: str) -> None:
        self.model = model
        self._id = ""
        self._started = False
        self._done = False
        self._block = -1  # index of the open content block, -1 when none is open
        self._kind = ""  # "text" | "thinking" | "tool_use" for the open block
        self._next = 0  # index of the next content block
        self._signed = False  # the open thinking block already got its signature
        self._tools: dict[int, int] = {}  # canonical tool_call index -> content block index
        self._has_tools = False
        self._finish: str | None = None
        self._usage: dict[str, Any] | None = None

    def feed(self, chunk: dict[str, Any]) -> bytes:
        if self._done or not isinstance(chunk, dict):
            return b""
        out: list[bytes] = []
        if not self._started:
            out.append(self._start(chunk.get("id")))
        u = chunk.get("usage")
        if isinstance(u, dict):
            self._usage = u
        choices = chunk.get("choices")
        if isinstance(choices, list):
            for choice in choices:
                if isinstance(choice, dict) and choice.get("index", 0) == 0:
                    self._choice(choice, out)
        return b"".join(out)

    def finish(self) -> bytes:
        if self._done:
            return b""
        out: list[bytes] = []
        if not self._started:
            out.append(self._start(None))
        self._close(out)
        # message_start said input_tokens 0; the real counts come here, as Anthropic does when it
        # reports usage late.
        usage = _anthropic_usage(self._usage) if self._usage is not None else {"output_tokens": 0}
        out.append(
            encode(
                {
                    "type": "message_delta",
                    "delta": {
                        "stop_reason": _stop_reason(self._finish, self._has_tools),
                        "stop_sequence": None,
                    },
                    "usage": usage,
                },
                "message_delta",
            )
        )
        out.append(encode({"type": "message_stop"}, "message_stop"))
        self._done = True
        return b"".join(out)

    def error(self, message: str, type: str = "api_error") -> bytes:
        """An Anthropic ``error`` event; the stream is over after it."""
        self._done = True
        return encode({"type": "error", "error": {"type": type, "message": message}}, "error")

    # ---------------------------------------------------------------------------- internals

    def _start(self, cid: Any) -> bytes:
        self._started = True
        self._id = _msg_id(cid)
        return encode(
            {
                "type": "message_start",
                "message": {
                    "id": self._id,
                    "type": "message",
                    "role": "assistant",
                    "model": self.model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 0, "output_tokens": 0},
                },
            },
            "message_start",
        )

    def _choice(self, choice: dict[str, Any], out: list[bytes]) -> None:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            rc = delta.get("reasoning_content")
            if isinstance(rc, str) and rc:
                if self._kind != "thinking" or self._signed:
                    self._open("thinking", out)
                self._delta({"type": "thinking_delta", "thinking": rc}, out)
            sig = delta.get("thinking_signature")
            if isinstance(sig, str) and sig:
                if self._kind != "thinking" or self._signed:
                    self._open("thinking", out)
                self._delta({"type": "signature_delta", "signature": sig}, out)
                self._signed = True
            text = delta.get("content")
            if isinstance(text, str) and text:
                if self._kind != "text":
                    self._open("text", out)
                self._delta({"type": "text_delta", "text": text}, out)
            tool_calls = delta.get("tool_calls")
            if isinstance(tool_calls, list):
                for tc in tool_calls:
                    if isinstance(tc, dict):
                        self._tool_call(tc, out)
        fr = choice.get("finish_reason")
        if isinstance(fr, str) and fr:
            self._finish = fr

    def _tool_call(self, tc: dict[str, Any], out: list[bytes]) -> None:
        idx = tc.get("index", 0)
        if not _is_int(idx):
            idx = 0
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        block = self._tools.get(idx)
        if block is None:
            self._close(out)
            block = self._next
            self._next += 1
            self._tools[idx] = block
            self._block, self._kind, self._has_tools = block, "tool_use", True
            out.append(
                encode(
                    {
                        "type": "content_block_start",
                        "index": block,
                        "content_block": {
                            "type": "tool_use",
                            "id": _str(tc.get("id")) or _tool_id(),
                            "name": _str(fn.get("name")),
                            "input": {},
                        },
                    },
                    "content_block_start",
                )
            )
        args = fn.get("arguments")
        if isinstance(args, str) and args:
            # If a vendor interleaves parallel tool calls, arguments for an earlier call go to
            # its (already stopped) block index: the SDK accumulates by index, so the input
            # still comes out right.
            out.append(
                encode(
                    {
                        "type": "content_block_delta",
                        "index": block,
                        "delta": {"type": "input_json_delta", "partial_json": args},
                    },
                    "content_block_delta",
                )
            )

    def _open(self, kind: str, out: list[bytes]) -> None:
        self._close(out)
        self._block, self._kind, self._signed = self._next, kind, False
        self._next += 1
        block: dict[str, Any]
        if kind == "text":
            block = {"type": "text", "text": ""}
        else:
            block = {"type": "thinking", "thinking": "", "signature": ""}
        out.append(
            encode(
                {"type": "content_block_start", "index": self._block, "content_block": block},
                "content_block_start",
            )
        )

    def _delta(self, delta: dict[str, Any], out: list[bytes]) -> None:
        out.append(
            encode(
                {"type": "content_block_delta", "index": self._block, "delta": delta},
                "content_block_delta",
            )
        )

    def _close(self, out: list[bytes]) -> None:
        if self._block >= 0:
            out.append(encode({"type": "content_block_stop", "index": self._block}, "content_block_stop"))
            self._block, self._kind = -1, ""


# ================================================================ vendor-facing: encode_request


def encode_request(chat: Chat, model: str) -> dict[str, Any]:
    """A canonical chat request -> an Anthropic Messages request for ``model``.

    OpenAI-only fields with no Anthropic counterpart (seed, penalties, logprobs, logit_bias,
    stream_options, reasoning_effort, …) are dropped; ``n`` > 1 is refused.
    """
    if not isinstance(chat, dict):
        raise InvalidRequest("request body must be a JSON object")
    n = chat.get("n")
    if n is not None and (not _is_int(n) or n < 1):
        raise _bad("n", "must be a positive integer")
    if n is not None and n > 1:
        raise _bad("n", "the vendor (Anthropic Messages API) does not support n>1")
    raw = chat.get("messages")
    if not isinstance(raw, list) or not raw:
        raise _bad("messages", "must be a non-empty list of messages")

    system: list[str | dict[str, Any]] = []  # strings, or text blocks when a system was a list
    messages: list[dict[str, Any]] = []
    for i, m in enumerate(raw):
        p = f"messages[{i}]"
        if not isinstance(m, dict):
            raise _bad(p, "must be an object")
        role = m.get("role")
        content = m.get("content")
        if role in ("system", "developer"):
            if isinstance(content, str):
                if content:
                    system.append(content)
            elif isinstance(content, list):
                system.extend(
                    {"type": "text", "text": pt["text"]}
                    for pt in content
                    if isinstance(pt, dict) and pt.get("type") == "text" and isinstance(pt.get("text"), str)
                )
            elif content is not None:
                raise _bad(f"{p}.content", "must be a string or a list of parts")
        elif role == "user":
            _push(messages, "user", _user_content(content, p))
        elif role == "assistant":
            _push(messages, "assistant", _assistant_content(m, p))
        elif role == "tool":
            _push(messages, "user", [_tool_result(m, p)])
        else:
            raise _bad(f"{p}.role", f"unsupported role {role!r}")

    # response_format has no exact Messages API counterpart that works on every Claude model
    # (native structured outputs are model-gated and restrict the schema), so the nearest real
    # thing is an instruction in the system prompt asking for JSON (matching the schema, if any).
    instruction = _json_instruction(chat.get("response_format"))
    if instruction:
        system.append(instruction)

    req: dict[str, Any] = {"model": model, "max_tokens": _max_tokens(chat)}
    if system:
        if all(isinstance(s, str) for s in system):
            req["system"] = "\n\n".join(s for s in system if isinstance(s, str))
        else:
            req["system"] = [s if isinstance(s, dict) else {"type": "text", "text": s} for s in system]
    req["messages"] = messages

    tools = chat.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise _bad("tools", "must be a list of tools")
    if tools:
        req["tools"] = [_tool_out(t, f"tools[{k}]") for k, t in enumerate(tools)]
        tc = _tool_choice_out(chat.get("tool_choice"))
        if chat.get("parallel_tool_calls") is False:
            tc = tc or {"type": "auto"}
            if tc["type"] != "none":
                tc["disable_parallel_tool_use"] = True
        if tc is not None:
            req["tool_choice"] = tc

    stop = chat.get("stop")
    if isinstance(stop, str):
        if stop:
            req["stop_sequences"] = [stop]
    elif isinstance(stop, list):
        if not all(isinstance(s, str) for s in stop):
            raise _bad("stop", "must be a string or a list of strings")
        if stop:
            req["stop_sequences"] = stop
    elif stop is not None:
        raise _bad("stop", "must be a string or a list of strings")

    for key in ("temperature", "top_p", "top_k"):
        v = chat.get(key)
        if v is not None:
            req[key] = v

    # Anthropic's metadata takes only user_id (any other key is rejected), so only that goes.
    metadata = chat.get("metadata")
    user_id = metadata.get("user_id") if isinstance(metadata, dict) else None
    if not isinstance(user_id, str) or not user_id:
        user_id = chat.get("user")
    if isinstance(user_id, str) and user_id:
        req["metadata"] = {"user_id": user_id}

    thinking = chat.get("thinking")
    if isinstance(thinking, dict):
        req["thinking"] = thinking
    if chat.get("stream") is True:
        req["stream"] = True
    return req


def _max_tokens(chat: Chat) -> int:
    for key in ("max_completion_tokens", "max_tokens"):
        v = chat.get(key)
        if v is not None:
            if not _is_int(v) or v < 1:
                raise _bad(key, "must be a positive integer")
            return int(v)
    return DEFAULT_MAX_TOKENS


def _push(messages: list[dict[str, Any]], role: str, content: str | list[dict[str, Any]]) -> None:
    """Append a turn, merging it into the previous one when the role repeats (Anthropic requires
    alternation). Empty turns are dropped: Anthropic rejects empty content."""
    if not content:
        return
    if messages and messages[-1]["role"] == role:
        prev = messages[-1]
        blocks = _blocks(prev["content"]) + _blocks(content)
        if role == "user":
            # tool_result blocks must come first in a user turn
            blocks = [b for b in blocks if b["type"] == "tool_result"] + [
                b for b in blocks if b["type"] != "tool_result"
            ]
        prev["content"] = blocks
    else:
        messages.append({"role": role, "content": content})


def _blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return content


def _user_content(content: Any, p: str) -> str | list[dict[str, Any]]:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise _bad(f"{p}.content", "must be a string or a list of parts")
    return _parts_to_blocks(content, f"{p}.content")


def _parts_to_blocks(parts: list[Any], p: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for j, pt in enumerate(parts):
        pp = f"{p}[{j}]"
        if not isinstance(pt, dict):
            raise _bad(pp, "must be a content part object")
        t = pt.get("type")
        if t == "text":
            text = pt.get("text")
            if not isinstance(text, str):
                raise _bad(f"{pp}.text", "must be a string")
            if text:  # Anthropic rejects empty text blocks
                blocks.append({"type": "text", "text": text})
        elif t == "image_url":
            blocks.append(_image_block(pt.get("image_url"), f"{pp}.image_url"))
        else:
            raise _bad(f"{pp}.type", f"content part type {t!r} is not supported by this vendor")
    return blocks


def _image_block(image_url: Any, p: str) -> dict[str, Any]:
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    if not isinstance(url, str) or not url:
        raise _bad(f"{p}.url", "must be a string")
    if url.startswith("data:"):
        head, sep, data = url[5:].partition(",")
        media_type, _, enc = head.partition(";")
        if not sep or enc != "base64" or not media_type:
            raise _bad(f"{p}.url", "a data: URL must look like data:<mime>;base64,<data>")
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    if url.startswith(("https://", "http://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    raise _bad(f"{p}.url", "must be an http(s) URL or a base64 data: URL")


def _assistant_content(m: dict[str, Any], p: str) -> str | list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    thinking_blocks = m.get("thinking_blocks")
    if isinstance(thinking_blocks, list):
        # signed blocks go back verbatim; a bare reasoning_content cannot (no signature)
        blocks.extend(b for b in thinking_blocks if _is_thinking_block(b))
    content = m.get("content")
    if content is not None and not isinstance(content, str | list):
        raise _bad(f"{p}.content", "must be a string or a list of parts")
    text = _text(content)
    tool_calls = m.get("tool_calls")
    if tool_calls is not None and not isinstance(tool_calls, list):
        raise _bad(f"{p}.tool_calls", "must be a list")
    if not blocks and not tool_calls:
        return text
    if text:
        blocks.append({"type": "text", "text": text})
    for k, tc in enumerate(tool_calls or ()):
        tp = f"{p}.tool_calls[{k}]"
        fn = tc.get("function") if isinstance(tc, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise _bad(tp, "must be {id, type: 'function', function: {name, arguments}}")
        tid = tc.get("id")
        if not isinstance(tid, str) or not tid:
            raise _bad(f"{tp}.id", "must be a non-empty string")
        blocks.append({"type": "tool_use", "id": tid, "name": fn["name"], "input": _parse_args(fn.get("arguments"))})
    return blocks


def _tool_result(m: dict[str, Any], p: str) -> dict[str, Any]:
    tid = m.get("tool_call_id")
    if not isinstance(tid, str) or not tid:
        raise _bad(f"{p}.tool_call_id", "must be a non-empty string")
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tid}
    content = m.get("content")
    if isinstance(content, str):
        if content:
            block["content"] = content
    elif isinstance(content, list):
        blocks = _parts_to_blocks(content, f"{p}.content")
        if blocks:
            block["content"] = blocks
    elif content is not None:
        raise _bad(f"{p}.content", "must be a string or a list of parts")
    return block


def _tool_out(t: Any, p: str) -> dict[str, Any]:
    if not isinstance(t, dict) or t.get("type", "function") != "function":
        raise _bad(f"{p}.type", "only function tools are supported by this vendor")
    fn = t.get("function")
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
        raise _bad(f"{p}.function.name", "must be a non-empty string")
    out: dict[str, Any] = {"name": fn["name"]}
    desc = fn.get("description")
    if isinstance(desc, str) and desc:
        out["description"] = desc
    params = fn.get("parameters")
    out["input_schema"] = params if isinstance(params, dict) else {"type": "object", "properties": {}}
    return out


def _tool_choice_out(tc: Any) -> dict[str, Any] | None:
    if tc is None:
        return None
    if isinstance(tc, str):
        if tc not in _TOOL_CHOICE_OUT:
            raise _bad("tool_choice", f"must be 'auto', 'required', 'none' or a function, got {tc!r}")
        return {"type": _TOOL_CHOICE_OUT[tc]}
    fn = tc.get("function") if isinstance(tc, dict) else None
    if isinstance(fn, dict) and isinstance(fn.get("name"), str) and fn["name"]:
        return {"type": "tool", "name": fn["name"]}
    raise _bad("tool_choice", "must be 'auto', 'required', 'none' or {type: 'function', function: {name}}")


def _json_instruction(rf: Any) -> str | None:
    if not isinstance(rf, dict):
        return None
    t = rf.get("type")
    if t == "json_object":
        return "Respond only with a valid JSON object, with no other text."
    if t == "json_schema":
        js = rf.get("json_schema")
        schema = js.get("schema") if isinstance(js, dict) else None
        if not isinstance(schema, dict):
            return "Respond only with a valid JSON value, with no other text."
        return "Respond only with a JSON value that conforms to this JSON Schema, with no other text:\n" + _dumps(
            schema, "response_format.json_schema.schema"
        )
    return None


# =============================================================== vendor-facing: decode_response


def decode_response(body: dict[str, Any]) -> Chat:
    """An Anthropic message object -> a canonical chat.completion."""
    if not isinstance(body, dict):
        raise UpstreamError("vendor returned a malformed message (not a JSON object)")
    texts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    thinking_blocks: list[dict[str, Any]] = []
    reasoning: list[str] = []
    content = body.get("content")
    for b in content if isinstance(content, list) else ():
        if not isinstance(b, dict):
            continue
        t = b.get("type")
        if t == "text" and isinstance(b.get("text"), str):
            texts.append(b["text"])
        elif t == "tool_use":
            inp = b.get("input")
            tool_calls.append(
                {
                    "id": _str(b.get("id")) or _tool_id(),
                    "type": "function",
                    "function": {
                        "name": _str(b.get("name")),
                        "arguments": orjson.dumps(inp if isinstance(inp, dict) else {}).decode(),
                    },
                }
            )
        elif t == "thinking":
            thinking_blocks.append(b)
            if isinstance(b.get("thinking"), str):
                reasoning.append(b["thinking"])
        elif t == "redacted_thinking":
            thinking_blocks.append(b)
        # server tool blocks (server_tool_use, web_search_tool_result, …) have no canonical form

    msg: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(texts) if texts or not tool_calls else None,
    }
    if tool_calls:
        msg["tool_calls"] = tool_calls
    if thinking_blocks:
        msg["reasoning_content"] = "".join(reasoning)
        msg["thinking_blocks"] = thinking_blocks

    u = body.get("usage")
    if not isinstance(u, dict):
        u = {}
    otd = u.get("output_tokens_details")
    return {
        "id": _str(body.get("id")) or _msg_id(None),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": _str(body.get("model")),
        "choices": [{"index": 0, "message": msg, "finish_reason": _finish_reason(body.get("stop_reason"), tool_calls)}],
        "usage": _canonical_usage(
            _int(u.get("input_tokens")),
            _int(u.get("output_tokens")),
            _int(u.get("cache_read_input_tokens")),
            _int(u.get("cache_creation_input_tokens")),
            _int(otd.get("thinking_tokens")) if isinstance(otd, dict) else 0,
        ),
    }


def _finish_reason(stop_reason: Any, tool_calls: Any) -> str:
    fr = _FINISH_REASON.get(stop_reason) if isinstance(stop_reason, str) else None
    return fr or ("tool_calls" if tool_calls else "stop")


# ================================================================ vendor-facing: StreamDecoder


class StreamDecoder:
    """Anthropic Messages SSE bytes (split anywhere) -> canonical chat.completion.chunk dicts.

    ``feed`` the bytes as they arrive, ``close`` at the end of the body. ``usage`` holds the
    canonical usage as far as known (final after ``message_stop``), ``done`` turns true at
    ``message_stop``. A vendor ``error`` event raises ``UpstreamError``.
    """

    __slots__ = (
        "_blocks",
        "_cache_creation",
        "_cache_read",
        "_created",
        "_error",
        "_id",
        "_input",
        "_model",
        "_next_tool",
        "_output",
        "_parser",
        "_thinking",
        "done",
        "usage",
    )

    def __init__(self) -> None:
        self._error: UpstreamError | None = None
        self._parser = SSEParser()
        self._created = int(time.time())
        self._id = ""
        self._model = ""
        self._blocks: dict[int, int] = {}  # Anthropic block index -> canonical tool_call index
        self._next_tool = 0
        self._input = self._output = self._cache_read = self._cache_creation = self._thinking = 0
        self.usage: dict[str, Any] | None = None
        self.done = False

    def feed(self, raw: bytes) -> list[dict[str, Any]]:
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        try:
            for event, data in self._parser.feed(raw):
                if not data or data == b"[DONE]":
                    continue
                try:
                    payload = orjson.loads(data)
                except orjson.JSONDecodeError:
                    raise UpstreamError(f"vendor sent a malformed stream event: {data[:200]!r}") from None
                if isinstance(payload, dict):
                    self._event(payload.get("type") or event, payload, out)
        except UpstreamError as e:
            if not out:
                raise
            self._error = e  # hand on what came before the error; raise it on the next call
        return out

    def close(self) -> list[dict[str, Any]]:
        """At the end of the vendor's bytes: any last event left unterminated, then, if the stream
        broke off before ``message_stop``, a usage chunk with what was counted so far (``done``
        stays false, so the caller can tell the stream was cut short)."""
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        for event, data in self._parser.close():
            if data and data != b"[DONE]":
                try:
                    payload = orjson.loads(data)
                except orjson.JSONDecodeError:
                    continue  # a torn last event: nothing to recover
                if isinstance(payload, dict):
                    self._event(payload.get("type") or event, payload, out)
        if not self.done and self._id:
            out.append(canonical.usage_chunk(self._id, self._model, self._make_usage(), self._created))
        return out

    # ---------------------------------------------------------------------------- internals

    def _chunk(self, delta: dict[str, Any] | None = None, finish: str | None = None) -> dict[str, Any]:
        return canonical.chunk(self._id, self._model, delta, finish, self._created)

    def _event(self, t: Any, ev: dict[str, Any], out: list[dict[str, Any]]) -> None:
        if t == "content_block_delta":
            self._block_delta(ev, out)
        elif t == "content_block_start":
            self._block_start(ev, out)
        elif t == "message_start":
            msg = ev.get("message")
            if not isinstance(msg, dict):
                msg = {}
            self._id = _str(msg.get("id")) or self._id or _msg_id(None)
            self._model = _str(msg.get("model")) or self._model
            self._take_usage(msg.get("usage"))
            out.append(self._chunk({"role": "assistant", "content": ""}))
        elif t == "message_delta":
            self._take_usage(ev.get("usage"))
            delta = ev.get("delta")
            sr = delta.get("stop_reason") if isinstance(delta, dict) else None
            if sr is not None:
                out.append(self._chunk({}, _finish_reason(sr, self._next_tool)))
        elif t == "message_stop":
            self.done = True
            out.append(canonical.usage_chunk(self._id, self._model, self._make_usage(), self._created))
        elif t == "error":
            err = ev.get("error")
            msg = err.get("message") if isinstance(err, dict) else None
            raise UpstreamError(msg if isinstance(msg, str) and msg else "vendor stream error")
        # ping, content_block_stop and unknown events carry nothing for the canonical stream

    def _block_start(self, ev: dict[str, Any], out: list[dict[str, Any]]) -> None:
        block = ev.get("content_block")
        if not isinstance(block, dict):
            return
        bt = block.get("type")
        if bt == "text":
            text = block.get("text")
            if isinstance(text, str) and text:
                out.append(self._chunk({"content": text}))
        elif bt == "thinking":
            text = block.get("thinking")
            if isinstance(text, str) and text:
                out.append(self._chunk({"reasoning_content": text}))
        elif bt == "tool_use":
            idx = self._next_tool
            self._next_tool += 1
            self._blocks[_int(ev.get("index"))] = idx
            inp = block.get("input")
            args = orjson.dumps(inp).decode() if isinstance(inp, dict) and inp else ""
            out.append(
                self._chunk(
                    {
                        "tool_calls": [
                            {
                                "index": idx,
                                "id": _str(block.get("id")) or _tool_id(),
                                "type": "function",
                                "function": {"name": _str(block.get("name")), "arguments": args},
                            }
                        ]
                    }
                )
            )
        # redacted_thinking and server tool blocks have no canonical stream form

    def _block_delta(self, ev: dict[str, Any], out: list[dict[str, Any]]) -> None:
        d = ev.get("delta")
        if not isinstance(d, dict):
            return
        dt = d.get("type")
        if dt == "text_delta":
            text = d.get("text")
            if isinstance(text, str) and text:
                out.append(self._chunk({"content": text}))
        elif dt == "input_json_delta":
            idx = self._blocks.get(_int(ev.get("index")))
            pj = d.get("partial_json")
            if idx is not None and isinstance(pj, str) and pj:
                out.append(self._chunk({"tool_calls": [{"index": idx, "function": {"arguments": pj}}]}))
        elif dt == "thinking_delta":
            text = d.get("thinking")
            if isinstance(text, str) and text:
                out.append(self._chunk({"reasoning_content": text}))
        elif dt == "signature_delta":
            sig = d.get("signature")
            if isinstance(sig, str) and sig:
                out.append(self._chunk({"thinking_signature": sig}))
        # citations_delta: no canonical form

    def _take_usage(self, u: Any) -> None:
        # message_delta counts are cumulative: a field present overrides, an absent one stays
        if not isinstance(u, dict):
            return
        if _is_int(u.get("input_tokens")):
            self._input = u["input_tokens"]
        if _is_int(u.get("output_tokens")):
            self._output = u["output_tokens"]
        if _is_int(u.get("cache_read_input_tokens")):
            self._cache_read = u["cache_read_input_tokens"]
        if _is_int(u.get("cache_creation_input_tokens")):
            self._cache_creation = u["cache_creation_input_tokens"]
        otd = u.get("output_tokens_details")
        if isinstance(otd, dict) and _is_int(otd.get("thinking_tokens")):
            self._thinking = otd["thinking_tokens"]
        self._make_usage()

    def _make_usage(self) -> dict[str, Any]:
        self.usage = _canonical_usage(self._input, self._output, self._cache_read, self._cache_creation, self._thinking)
        return self.usage


# ======================================================================================= errors


def error_body(status: int, message: str) -> dict[str, Any]:
    """An Anthropic-shaped error body for an HTTP status."""
    t = _ERROR_TYPES.get(status)
    if t is None:
        t = "api_error" if status >= 500 else "invalid_request_error"
    return {"type": "error", "error": {"type": t, "message": message}}


def decode_error(raw: bytes) -> str:
    """Best-effort message from a vendor error body ("" when there is nothing to say)."""
    if isinstance(raw, str):
        raw = raw.encode()
    try:
        obj = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        err = obj.get("error")
        if isinstance(err, dict):
            msg = err.get("message")
            if isinstance(msg, str) and msg:
                return msg
            if isinstance(err.get("type"), str):
                return err["type"]
        if isinstance(err, str) and err:
            return err
        msg = obj.get("message")
        if isinstance(msg, str) and msg:
            return msg
    return raw.decode("utf-8", "replace").strip()[:1000]
