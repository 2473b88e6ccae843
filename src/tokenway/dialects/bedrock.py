"""AWS Bedrock Runtime ``Converse`` / ``ConverseStream``, vendor-facing.

Canonical (OpenAI Chat Completions shape) -> Converse request body, Converse response and the
binary ``application/vnd.amazon.eventstream`` stream -> canonical, plus SigV4 signing.

botocore (the ``bedrock`` extra) is imported lazily, only by ``StreamDecoder`` and ``sign``, so
tokenway imports without it.

Choices worth knowing:

* Images must be inline (``data:`` URLs) or ``s3://`` locations: Bedrock does not fetch URLs.
* ``tool_choice: "none"`` has no Converse equivalent: tools are left out, unless the history holds
  tool calls/results (Bedrock then requires ``toolConfig``), in which case the tools are sent with
  no ``toolChoice``.
* A history with tool calls but no ``tools`` declared gets a ``toolConfig`` naming the called tools
  with an open schema (Bedrock refuses tool blocks without one). Blank text is dropped and an
  empty tool result is sent as ``(empty)``: Bedrock refuses blank text blocks.
* ``top_k`` and ``thinking`` go to ``additionalModelRequestFields`` as ``top_k`` / ``thinking``
  (the Anthropic-on-Bedrock names); ``response_format: json_schema`` becomes
  ``outputConfig.textFormat``; ``json_object`` has no equivalent and is dropped.
* Reasoning comes back as ``reasoning_content`` plus Anthropic-shaped ``thinking_blocks`` (with
  the signature), and ``thinking_blocks`` are sent back as ``reasoningContent`` blocks.
* ``prompt_tokens`` = ``inputTokens + cacheReadInputTokens + cacheWriteInputTokens``.
"""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import orjson

from tokenway.dialects.canonical import Chat, chunk, text_of, usage, usage_chunk
from tokenway.errors import InvalidRequest, UpstreamError

SERVICE = "bedrock"
EMPTY_RESULT = "(empty)"

STOP_MAP: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
    "malformed_model_output": "stop",
    "malformed_tool_use": "stop",
}

# Exception event types of the ConverseStream output and the HTTP status each stands for.
EXCEPTION_STATUS: dict[str, int] = {
    "internalServerException": 500,
    "modelStreamErrorException": 424,
    "validationException": 400,
    "throttlingException": 429,
    "serviceUnavailableException": 503,
}

_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}


# --------------------------------------------------------------------------------------- request


def request_path(model: str, stream: bool) -> str:
    """``/model/{model}/converse`` or ``/converse-stream``, the model id percent-encoded."""
    return f"/model/{quote(model, safe='')}/{'converse-stream' if stream else 'converse'}"


def encode_request(chat: Chat, model: str) -> dict[str, Any]:
    """A canonical chat request -> a Converse body (the model id goes in the URL)."""
    del model  # in the path, see request_path
    body: dict[str, Any] = {}
    system: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    used_tools: list[str] = []  # names of the tools called in the history
    uses_tools = False

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})

    for i, msg in enumerate(chat.get("messages") or []):
        role = msg.get("role")
        if role in ("system", "developer"):
            # one block per text part: joining them would run "A." and "B." into "A.B."
            content = msg.get("content")
            texts = ([p.get("text") or "" for p in content if isinstance(p, dict) and p.get("type") == "text"]
                     if isinstance(content, list) else [text_of(content)])
            system.extend({"text": t} for t in texts if t.strip())
        elif role == "user":
            add("user", _user_blocks(msg.get("content"), i))
        elif role == "assistant":
            blocks = _assistant_blocks(msg)
            for call in msg.get("tool_calls") or []:
                uses_tools = True
                name = (call.get("function") or {}).get("name", "")
                if name not in used_tools:
                    used_tools.append(name)
            add("assistant", blocks)
        elif role == "tool":
            uses_tools = True
            add("user", [{"toolResult": _tool_result(msg)}])
        else:
            raise InvalidRequest(f"messages[{i}]: unsupported role {role!r}", param=f"messages[{i}].role")

    body["messages"] = messages
    if system:
        body["system"] = system

    inference: dict[str, Any] = {}
    max_tokens = chat.get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = chat.get("max_tokens")
    if max_tokens is not None:
        inference["maxTokens"] = max_tokens
    if chat.get("temperature") is not None:
        inference["temperature"] = chat["temperature"]
    if chat.get("top_p") is not None:
        inference["topP"] = chat["top_p"]
    stop = chat.get("stop")
    if stop:
        inference["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if inference:
        body["inferenceConfig"] = inference

    tool_config = _tool_config(chat, uses_tools, used_tools)
    if tool_config is not None:
        body["toolConfig"] = tool_config

    extra: dict[str, Any] = {}
    if chat.get("top_k") is not None:
        extra["top_k"] = chat["top_k"]
    if isinstance(chat.get("thinking"), dict):
        extra["thinking"] = chat["thinking"]
    if extra:
        body["additionalModelRequestFields"] = extra

    fmt = chat.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        definition: dict[str, Any] = {
            "schema": orjson.dumps(spec.get("schema") or {"type": "object"}).decode(),
            "name": spec.get("name") or "response",
        }
        if spec.get("description"):
            definition["description"] = spec["description"]
        body["outputConfig"] = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": definition}}}
    return body


def _user_blocks(content: Any, i: int) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content.strip() else []
    blocks: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        kind = part.get("type")
        where = f"messages[{i}].content[{j}]"
        if kind == "text":
            if (part.get("text") or "").strip():
                blocks.append({"text": part["text"]})
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url", "") if isinstance(image, dict) else str(image or "")
            blocks.append({"image": _image(url, where)})
        else:
            raise InvalidRequest(f"{where}: unsupported content part {kind!r} for Bedrock", param=where)
    return blocks


def _image(url: str, where: str) -> dict[str, Any]:
    if url.startswith("s3://"):
        ext = url.rsplit(".", 1)[-1].lower()
        fmt = {"jpg": "jpeg"}.get(ext, ext)
        if fmt not in _IMAGE_FORMATS.values():
            raise InvalidRequest(f"{where}: cannot tell the image format of {url!r}", param=where)
        return {"format": fmt, "source": {"s3Location": {"uri": url}}}
    if not url.startswith("data:"):
        raise InvalidRequest(f"{where}: Bedrock accepts only inline (data:) or s3:// images, not URLs", param=where)
    header, sep, data = url[5:].partition(",")
    if not sep:
        raise InvalidRequest(f"{where}: malformed data: URL", param=where)
    params = header.split(";")
    fmt = _IMAGE_FORMATS.get(params[0].lower())
    if fmt is None:
        raise InvalidRequest(f"{where}: unsupported image type {params[0]!r} for Bedrock", param=where)
    if "base64" not in params[1:]:
        data = base64.b64encode(unquote_to_bytes(data)).decode()
    return {"format": fmt, "source": {"bytes": data}}


def _parse_args(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    if not arguments:
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _assistant_blocks(msg: dict[str, Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for tb in msg.get("thinking_blocks") or []:
        if tb.get("type") == "thinking":
            reasoning: dict[str, Any] = {"text": tb.get("thinking", "")}
            if tb.get("signature"):
                reasoning["signature"] = tb["signature"]
            blocks.append({"reasoningContent": {"reasoningText": reasoning}})
        elif tb.get("type") == "redacted_thinking":
            blocks.append({"reasoningContent": {"redactedContent": tb.get("data", "")}})
    content = msg.get("content")
    if isinstance(content, str):
        if content.strip():
            blocks.append({"text": content})
    elif content:
        blocks.extend({"text": p["text"]} for p in content if p.get("type") == "text" and (p.get("text") or "").strip())
    for call in msg.get("tool_calls") or []:
        fn = call.get("function") or {}
        blocks.append(
            {
                "toolUse": {
                    "toolUseId": call.get("id", ""),
                    "name": fn.get("name", ""),
                    "input": _parse_args(fn.get("arguments")),
                }
            }
        )
    return blocks


def _tool_result(msg: dict[str, Any]) -> dict[str, Any]:
    text = text_of(msg.get("content"))
    try:
        value = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        value = None
    # Bedrock rejects blank text blocks, and an empty result is a legitimate tool answer
    content = [{"json": value}] if isinstance(value, dict) else [{"text": text if text.strip() else EMPTY_RESULT}]
    return {"toolUseId": msg.get("tool_call_id", ""), "content": content, "status": "success"}


def _tool_config(chat: Chat, uses_tools: bool, used_tools: list[str]) -> dict[str, Any] | None:
    specs: list[dict[str, Any]] = []
    for tool in chat.get("tools") or []:
        if tool.get("type", "function") != "function":
            continue
        fn = tool.get("function") or {}
        spec: dict[str, Any] = {"name": fn.get("name", "")}
        if (fn.get("description") or "").strip():  # Bedrock rejects a blank description
            spec["description"] = fn["description"]
        spec["inputSchema"] = {"json": fn.get("parameters") or {"type": "object", "properties": {}}}
        specs.append({"toolSpec": spec})
    if not specs:
        if not uses_tools:
            return None
        # The history holds tool blocks but the request declares no tools: Bedrock still demands
        # a toolConfig, so declare the tools the history called, with an open schema.
        return {
            "tools": [
                {"toolSpec": {"name": name, "inputSchema": {"json": {"type": "object", "properties": {}}}}}
                for name in used_tools or ["tool"]
            ]
        }
    choice = chat.get("tool_choice")
    config: dict[str, Any] = {"tools": specs}
    if choice is None:
        return config
    if choice == "none":
        return config if uses_tools else None
    if choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif choice == "required":
        config["toolChoice"] = {"any": {}}
    elif isinstance(choice, dict) and ((choice.get("function") or {}).get("name") or choice.get("name")):
        config["toolChoice"] = {"tool": {"name": (choice.get("function") or {}).get("name") or choice["name"]}}
    else:
        raise InvalidRequest(f"unsupported tool_choice {choice!r}", param="tool_choice")
    return config


# -------------------------------------------------------------------------------------- response


def _usage(u: dict[str, Any] | None) -> dict[str, Any]:
    u = u or {}
    cache_read = int(u.get("cacheReadInputTokens", 0))
    cache_write = int(u.get("cacheWriteInputTokens", 0))
    return usage(
        int(u.get("inputTokens", 0)) + cache_read + cache_write,
        int(u.get("outputTokens", 0)),
        cached=cache_read,
        cache_creation=cache_write,
    )


def _finish(stop_reason: str | None, has_calls: bool) -> str:
    mapped = STOP_MAP.get(stop_reason or "end_turn", "stop")
    if mapped == "stop" and has_calls:
        return "tool_calls"
    return mapped


def decode_response(
    body: dict[str, Any], model: str = "", *, cid: str | None = None, created: int | None = None
) -> dict[str, Any]:
    """A Converse response -> a canonical ``chat.completion``."""
    texts: list[str] = []
    reasoning: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    for block in ((body.get("output") or {}).get("message") or {}).get("content") or []:
        if "text" in block:
            texts.append(block["text"])
        elif "toolUse" in block:
            use = block["toolUse"]
            calls.append(
                {
                    "id": use.get("toolUseId", ""),
                    "type": "function",
                    "function": {
                        "name": use.get("name", ""),
                        "arguments": orjson.dumps(use.get("input") or {}).decode(),
                    },
                }
            )
        elif "reasoningContent" in block:
            rc = block["reasoningContent"]
            if "reasoningText" in rc:
                rt = rc["reasoningText"]
                reasoning.append(rt.get("text", ""))
                tb: dict[str, Any] = {"type": "thinking", "thinking": rt.get("text", "")}
                if rt.get("signature"):
                    tb["signature"] = rt["signature"]
                thinking_blocks.append(tb)
            elif "redactedContent" in rc:
                thinking_blocks.append({"type": "redacted_thinking", "data": rc["redactedContent"]})
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if thinking_blocks:
        message["thinking_blocks"] = thinking_blocks
    return {
        "id": cid or f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(body.get("stopReason"), bool(calls))}],
        "usage": _usage(body.get("usage")),
    }


def decode_error(raw: bytes) -> str:
    """The message of a Bedrock error body (``{"message": ...}``, sometimes ``Message``)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", "replace").strip()[:1000] or "upstream error"
    if isinstance(body, dict):
        for key in ("message", "Message", "errorMessage"):
            if body.get(key):
                return str(body[key])
    return raw.decode("utf-8", "replace").strip()[:1000] or "upstream error"


# ---------------------------------------------------------------------------------------- stream


class StreamDecoder:
    """ConverseStream event-stream bytes -> canonical chunks.

    Frames may be split anywhere; botocore's ``EventStreamBuffer`` reassembles them and checks
    both CRCs. An exception frame raises ``UpstreamError`` with the status Bedrock documents for
    it. ``usage`` comes from the final ``metadata`` event; ``done`` turns true once it is out.
    """

    def __init__(self, model: str = "", *, cid: str | None = None, created: int | None = None) -> None:
        from botocore.eventstream import EventStreamBuffer

        self.model = model
        self.cid = cid or f"chatcmpl-{uuid.uuid4().hex}"
        self.created = created if created is not None else int(time.time())
        self.usage: dict[str, Any] | None = None
        self.done = False
        self._buffer = EventStreamBuffer()
        self._started = False
        self._finished = False
        self._tools: dict[int, int] = {}  # contentBlockIndex -> tool_calls index
        self._error: UpstreamError | None = None  # an exception frame that came after chunks in one read

    def feed(self, raw: bytes) -> list[dict[str, Any]]:
        from botocore.eventstream import ParserError

        if self._error is not None:
            raise self._error
        self._buffer.add_data(raw)
        out: list[dict[str, Any]] = []
        try:
            try:
                for message in self._buffer:
                    out.extend(self._message(message.headers, message.payload))
            except ParserError as e:
                raise UpstreamError(f"malformed Bedrock event stream: {e}") from e
        except UpstreamError as e:
            if not out:
                raise
            self._error = e  # hand out what came before the error; raise it on the next feed/close
        return out

    def close(self) -> list[dict[str, Any]]:
        """At the end of the body: the finish chunk if the stream broke off before ``messageStop``
        and the usage chunk if a ``metadata`` event was seen but not yet reported (it always is).
        ``done`` stays false without ``metadata``, so the caller can tell the stream was cut
        short. Idempotent. Raises the vendor's exception if one came in the last read after
        chunks that ``feed`` returned."""
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        if self._started and not self._finished:
            self._finished = True
            out.append(self._chunk({}, "tool_calls" if self._tools else "stop"))
        return out

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return chunk(self.cid, self.model, delta, finish, created=self.created)

    def _message(self, headers: dict[str, Any], payload: bytes) -> list[dict[str, Any]]:
        kind = headers.get(":message-type", "event")
        if kind == "exception":
            etype = str(headers.get(":exception-type", "exception"))
            raise UpstreamError(_payload_message(payload) or etype, status=EXCEPTION_STATUS.get(etype, 502))
        if kind == "error":
            raise UpstreamError(
                str(headers.get(":error-message") or headers.get(":error-code") or "Bedrock stream error")
            )
        event = headers.get(":event-type")
        try:
            body = orjson.loads(payload) if payload else {}
        except orjson.JSONDecodeError as e:
            raise UpstreamError(f"malformed Bedrock stream event {event}: {payload[:200]!r}") from e
        out: list[dict[str, Any]] = []
        if self.done:
            return out
        if not self._started and event in ("messageStart", "contentBlockStart", "contentBlockDelta"):
            self._started = True
            out.append(self._chunk({"role": "assistant", "content": ""}))
        if event == "contentBlockStart":
            use = (body.get("start") or {}).get("toolUse")
            if use is not None:
                n = len(self._tools)
                self._tools[int(body.get("contentBlockIndex", 0))] = n
                call = {
                    "index": n,
                    "id": use.get("toolUseId", ""),
                    "type": "function",
                    "function": {"name": use.get("name", ""), "arguments": ""},
                }
                out.append(self._chunk({"tool_calls": [call]}))
        elif event == "contentBlockDelta":
            delta = body.get("delta") or {}
            if delta.get("text"):
                out.append(self._chunk({"content": delta["text"]}))
            elif "toolUse" in delta:
                piece = delta["toolUse"].get("input", "")
                n = self._tools.get(int(body.get("contentBlockIndex", 0)))
                if n is not None and piece:
                    out.append(self._chunk({"tool_calls": [{"index": n, "function": {"arguments": piece}}]}))
            elif "reasoningContent" in delta:
                rc = delta["reasoningContent"]
                if rc.get("text"):
                    out.append(self._chunk({"reasoning_content": rc["text"]}))
                if rc.get("signature"):
                    out.append(self._chunk({"thinking_signature": rc["signature"]}))
        elif event == "messageStop":
            if not self._finished:
                self._finished = True
                out.append(self._chunk({}, _finish(body.get("stopReason"), bool(self._tools))))
        elif event == "metadata":
            self.usage = _usage(body.get("usage"))
            if not self._finished:
                self._finished = True
                out.append(self._chunk({}, "tool_calls" if self._tools else "stop"))
            out.append(usage_chunk(self.cid, self.model, self.usage, created=self.created))
            self.done = True
        return out


def _payload_message(payload: bytes) -> str:
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode("utf-8", "replace")
    if isinstance(body, dict):
        return str(body.get("message") or body.get("Message") or "")
    return ""


# ------------------------------------------------------------------------------------------ auth


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    region: str,
    access_key: str,
    secret_key: str,
    session_token: str | None = None,
) -> dict[str, str]:
    """The headers to send for a SigV4-signed Bedrock request (``headers`` plus ``X-Amz-Date``,
    ``Authorization`` and, with temporary credentials, ``X-Amz-Security-Token``).

    Every header passed in is signed, so send exactly these. Without a ``Host`` header the URL's
    host[:port] (default port left out, as HTTP clients send it) is signed but not returned; pass
    ``Host`` to sign and get back the exact value you will send.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method.upper(), url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(access_key, secret_key, session_token), SERVICE, region).add_auth(request)
    return {str(k): str(v) for k, v in request.headers.items()}
