"""OpenAI Chat Completions: the canonical shape itself, so mostly validation and stream framing."""

from __future__ import annotations

from typing import Any

import orjson

from tokenway.dialects import sse
from tokenway.errors import InvalidRequest, UpstreamError

_ROLES = frozenset(("system", "developer", "user", "assistant", "tool", "function"))
# canonical extensions an OpenAI-format vendor does not know (see canonical.py)
_EXTENSIONS = ("thinking", "top_k", "metadata")
_MSG_EXTENSIONS = ("reasoning_content", "thinking_blocks")


def validate_request(body: Any) -> tuple[str, bool]:
    """Check the shape a gateway must rely on; return (model, stream). The vendor checks the rest."""
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("'model' is required and must be a non-empty string", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("'messages' must be a non-empty array", param="messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise InvalidRequest(f"messages[{i}] must be an object", param=f"messages[{i}]")
        role = m.get("role")
        if role not in _ROLES:
            raise InvalidRequest(f"messages[{i}].role must be one of system, developer, user, assistant, tool",
                                 param=f"messages[{i}].role")
        c = m.get("content")
        if c is not None and not isinstance(c, str | list):
            raise InvalidRequest(f"messages[{i}].content must be a string or an array of parts",
                                 param=f"messages[{i}].content")
    stream = body.get("stream", False)
    if not isinstance(stream, bool) and stream is not None:
        raise InvalidRequest("'stream' must be a boolean", param="stream")
    for name in ("max_tokens", "max_completion_tokens", "n"):
        v = body.get(name)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
            raise InvalidRequest(f"'{name}' must be a positive integer", param=name)
    for name in ("temperature", "top_p"):
        v = body.get(name)
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
            raise InvalidRequest(f"'{name}' must be a number", param=name)
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str | list):
        raise InvalidRequest("'stop' must be a string or an array of strings", param="stop")
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise InvalidRequest("'tools' must be an array", param="tools")
    return model, bool(stream)


def encode_request(chat: dict[str, Any], model: str, stream: bool) -> dict[str, Any]:
    """Canonical -> an OpenAI-format vendor body: target model, usage asked for in streams,
    canonical extensions dropped."""
    body = {k: v for k, v in chat.items() if k not in _EXTENSIONS}
    body["model"] = model
    msgs = body.get("messages") or []
    if any(isinstance(m, dict) and ("reasoning_content" in m or "thinking_blocks" in m or _has_extra_content(m))
           for m in msgs):
        body["messages"] = [_strip_message(m) if isinstance(m, dict) else m for m in msgs]
    if stream:
        body["stream"] = True
        opts = dict(body.get("stream_options") or {})
        opts["include_usage"] = True
        body["stream_options"] = opts
    return body


def _has_extra_content(m: dict[str, Any]) -> bool:
    calls = m.get("tool_calls")
    return isinstance(calls, list) and any(isinstance(c, dict) and "extra_content" in c for c in calls)


def _strip_message(m: dict[str, Any]) -> dict[str, Any]:
    """A message without the canonical extensions: ``reasoning_content``, ``thinking_blocks`` and
    the Gemini ``extra_content`` (thought signature) on tool calls, which OpenAI-format vendors
    reject as unknown fields."""
    out = {k: v for k, v in m.items() if k not in _MSG_EXTENSIONS}
    if _has_extra_content(out):
        out["tool_calls"] = [{k: v for k, v in c.items() if k != "extra_content"} if isinstance(c, dict) else c
                             for c in out["tool_calls"]]
    return out


def passthrough_request(body: dict[str, Any], model: str, stream: bool) -> dict[str, Any]:
    """Same dialect both sides: the client's body as is, with the target model (and usage asked
    for in streams). Fields we do not know are kept."""
    out = dict(body)
    out["model"] = model
    if stream:
        opts = out.get("stream_options")
        if not (isinstance(opts, dict) and opts.get("include_usage")):
            opts = dict(opts) if isinstance(opts, dict) else {}
            opts["include_usage"] = True
            out["stream_options"] = opts
    return out


def client_wants_usage(body: dict[str, Any]) -> bool:
    opts = body.get("stream_options")
    return isinstance(opts, dict) and bool(opts.get("include_usage"))


class StreamDecoder:
    """OpenAI-format SSE from a vendor -> canonical chunks (they are the same objects)."""

    __slots__ = ("_error", "_parser", "done", "usage")

    def __init__(self) -> None:
        self._error: UpstreamError | None = None
        self._parser = sse.SSEParser()
        self.usage: dict[str, Any] | None = None
        self.done = False

    def feed(self, raw: bytes) -> list[dict[str, Any]]:
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        for _event, data in self._parser.feed(raw):
            if data == b"[DONE]":
                self.done = True
                continue
            try:
                chunk = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk and "choices" not in chunk:
                err = chunk["error"]
                e = UpstreamError(err.get("message", "vendor error") if isinstance(err, dict) else str(err))
                if not out:
                    raise e
                self._error = e  # hand on what came before the error; raise it on the next call
                break
            u = chunk.get("usage")
            if u:
                self.usage = u
            out.append(chunk)
        return out

    def close(self) -> list[dict[str, Any]]:
        if self._error is not None:
            raise self._error
        return []


class StreamEncoder:
    """Canonical chunks -> OpenAI SSE for the client; the usage chunk only if the client asked."""

    __slots__ = ("include_usage", "model")

    def __init__(self, model: str, include_usage: bool) -> None:
        self.include_usage = include_usage
        self.model = model

    def feed(self, chunk: dict[str, Any]) -> bytes:
        if not chunk.get("model"):  # the vendor named no model (Bedrock): the one the client asked for
            chunk = {**chunk, "model": self.model}
        if not chunk.get("choices") and "usage" in chunk:
            if not self.include_usage:
                return b""
        elif "usage" in chunk and not self.include_usage:
            chunk = {k: v for k, v in chunk.items() if k != "usage"}
        return sse.encode(chunk)

    def finish(self) -> bytes:
        return sse.DONE

    @staticmethod
    def error(message: str, type: str = "api_error", code: str = "upstream_error") -> bytes:
        return sse.encode({"error": {"message": message, "type": type, "code": code, "param": None}})


def error_body(message: str, type: str, code: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "code": code, "param": param}}


def decode_error(raw: bytes) -> str:
    """The human message of a vendor error body: ``{"error": {"message"}}``, ``{"error": "…"}``,
    ``{"message"}`` (OpenAI and most compatible servers; Gemini's, also inside a list)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:1000].decode("utf-8", "replace").strip() or "upstream error"
    if isinstance(body, list) and body:
        body = body[0]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
        if body.get("message"):
            return str(body["message"])
    return raw[:1000].decode("utf-8", "replace").strip() or "upstream error"
