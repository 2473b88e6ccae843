"""The OpenAI Responses API (``POST /v1/responses``) as a client-facing dialect.

``decode_request`` turns a Responses request into a canonical chat request, ``encode_response``
turns a canonical ``chat.completion`` into a ``Response`` object, and ``StreamEncoder`` turns
canonical ``chat.completion.chunk`` dicts into the Responses SSE event stream.

tokenway is stateless here: nothing is stored, so ``previous_response_id``, ``conversation``,
``prompt`` (stored prompts), ``item_reference`` input items and ``background`` mode are refused
with ``InvalidRequest`` (the caller sends the full input each time, as with ``store: false``);
``store`` is accepted and ignored. Only function tools translate; OpenAI's built-in tools
(web_search, file_search, computer_use, mcp…) are refused by name.

Choices where the Responses API and chat differ:

* a content list made only of text parts becomes a string (parts joined with ``\\n``);
* ``instructions`` becomes a leading ``system`` message;
* ``reasoning`` input items give their text (``content``, else ``summary``) to the next assistant
  message as ``reasoning_content``; our own reasoning output is a reasoning item whose
  ``content`` holds ``reasoning_text`` parts (the thinking itself, not a summary);
* ``tool_choice: {type: allowed_tools}`` narrows ``tools`` to the allowed functions and uses its
  mode, which every vendor understands;
* a streamed request asks the vendor for usage (``stream_options.include_usage``), since
  ``response.completed`` carries it;
* ignored: ``store``, ``include``, ``truncation``, ``service_tier``, ``top_logprobs``,
  ``safety_identifier``, ``prompt_cache_key``, ``text.verbosity``, ``reasoning.summary``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tokenway.dialects import sse
from tokenway.dialects.canonical import text_of
from tokenway.errors import InvalidRequest

__all__ = ["StreamEncoder", "decode_request", "encode_response"]

Json = dict[str, Any]

_ROLES = ("user", "assistant", "system", "developer")
_TOOL_CHOICES = ("none", "auto", "required")
_STATELESS = "is not supported (tokenway stores no responses); send the full input"


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


# --------------------------------------------------------------------------------------------
# request


def _get(d: Json, key: str, kind: Any, what: str, param: str) -> Any:
    """``d[key]`` if present and not null, checked against ``kind`` (a bool is never a number)."""
    v = d.get(key)
    if v is not None and (not isinstance(v, kind) or (isinstance(v, bool) and kind is not bool)):
        raise InvalidRequest(f"'{param}' must be {what}", param=param)
    return v


def _need(d: Json, key: str, kind: Any, what: str, param: str) -> Any:
    v = _get(d, key, kind, what, param)
    if v is None:
        raise InvalidRequest(f"'{param}' is required", param=param)
    return v


def decode_request(body: dict[str, Any]) -> dict[str, Any]:
    """A Responses request -> a canonical chat request. Raises ``InvalidRequest``."""
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    model = _need(body, "model", str, "a string", "model")
    if not model:
        raise InvalidRequest("'model' must not be empty", param="model")
    for key in ("previous_response_id", "conversation", "prompt"):
        if body.get(key) is not None:
            raise InvalidRequest(f"{key} {_STATELESS}", param=key)
    if body.get("background"):
        raise InvalidRequest("background mode is not supported", param="background")
    if "input" not in body or body["input"] is None:
        raise InvalidRequest("'input' is required", param="input")

    messages: list[Json] = []
    instructions = _get(body, "instructions", str, "a string", "instructions")
    if instructions:
        messages.append({"role": "system", "content": instructions})
    inp = body["input"]
    if isinstance(inp, str):
        messages.append({"role": "user", "content": inp})
    elif isinstance(inp, list):
        _decode_items(inp, messages)
    else:
        raise InvalidRequest("'input' must be a string or a list of items", param="input")

    out: Json = {"model": model, "messages": messages}
    tools = _decode_tools(body)
    choice = _get(body, "tool_choice", str | dict, "a string or an object", "tool_choice")
    if choice is not None:
        choice, allowed = _decode_tool_choice(choice)
        if allowed is not None:
            tools = [t for t in tools if t["function"]["name"] in allowed]
    parallel = _get(body, "parallel_tool_calls", bool, "a boolean", "parallel_tool_calls")
    # chat refuses tool_choice and parallel_tool_calls without tools; Responses does not
    if tools:
        out["tools"] = tools
        if choice is not None:
            out["tool_choice"] = choice
        if parallel is not None:
            out["parallel_tool_calls"] = parallel
    for key, target, kind, what in (
        ("max_output_tokens", "max_completion_tokens", int, "an integer"),
        ("temperature", "temperature", int | float, "a number"),
        ("top_p", "top_p", int | float, "a number"),
        ("user", "user", str, "a string"),
        ("metadata", "metadata", dict, "an object"),
    ):
        v = _get(body, key, kind, what, key)
        if v is not None:
            out[target] = v
    if _get(body, "stream", bool, "a boolean", "stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    text = _get(body, "text", dict, "an object", "text")
    if text and text.get("format") is not None:
        out["response_format"] = _decode_format(text["format"])
    reasoning = _get(body, "reasoning", dict, "an object", "reasoning")
    if reasoning:
        effort = _get(reasoning, "effort", str, "a string", "reasoning.effort")
        if effort is not None:
            out["reasoning_effort"] = effort
    return out


def _decode_items(items: list[Any], messages: list[Json]) -> None:
    reasoning: list[str] = []  # reasoning text waiting for the next assistant message

    def assistant(content: Any, *, reuse: bool) -> Json:
        if reuse and messages and messages[-1]["role"] == "assistant":
            msg = messages[-1]
        else:
            msg = {"role": "assistant", "content": content}
            messages.append(msg)
        if reasoning and "reasoning_content" not in msg:
            msg["reasoning_content"] = "\n\n".join(reasoning)
            reasoning.clear()
        return msg

    for i, item in enumerate(items):
        p = f"input[{i}]"
        if not isinstance(item, dict):
            raise InvalidRequest(f"'{p}' must be an object", param=p)
        kind = item.get("type", "message")
        if kind == "message":
            role = item.get("role")
            if role not in _ROLES:
                raise InvalidRequest(f"'{p}.role' must be one of {', '.join(_ROLES)}", param=f"{p}.role")
            content = _decode_content(item.get("content"), f"{p}.content")
            if role == "assistant":
                assistant(content, reuse=False)
            else:
                messages.append({"role": role, "content": content})
        elif kind == "function_call":
            call = {
                "id": _need(item, "call_id", str, "a string", f"{p}.call_id"),
                "type": "function",
                "function": {
                    "name": _need(item, "name", str, "a string", f"{p}.name"),
                    "arguments": _get(item, "arguments", str, "a string", f"{p}.arguments") or "{}",
                },
            }
            assistant(None, reuse=True).setdefault("tool_calls", []).append(call)
        elif kind == "function_call_output":
            call_id = _need(item, "call_id", str, "a string", f"{p}.call_id")
            output = item.get("output")
            content = output if isinstance(output, str) else _decode_content(output, f"{p}.output")
            messages.append({"role": "tool", "tool_call_id": call_id, "content": content})
        elif kind == "reasoning":
            parts = item.get("content") or item.get("summary") or []
            if not isinstance(parts, list):
                raise InvalidRequest(f"'{p}.summary' must be a list", param=f"{p}.summary")
            texts = [s.get("text") for s in parts if isinstance(s, dict)]
            text = "\n\n".join(t for t in texts if isinstance(t, str) and t)
            if text:
                reasoning.append(text)
        elif kind == "item_reference":
            raise InvalidRequest(f"item_reference {_STATELESS}", param=p)
        else:
            raise InvalidRequest(f"input item type '{kind}' is not supported", param=f"{p}.type")


def _decode_content(content: Any, p: str) -> str | list[Json]:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise InvalidRequest(f"'{p}' must be a string or a list of parts", param=p)
    parts: list[Json] = []
    for j, part in enumerate(content):
        pp = f"{p}[{j}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("input_text", "output_text"):
            parts.append({"type": "text", "text": _need(part, "text", str, "a string", f"{pp}.text")})
        elif kind == "refusal":
            parts.append({"type": "text", "text": _need(part, "refusal", str, "a string", f"{pp}.refusal")})
        elif kind == "input_image":
            url = _get(part, "image_url", str, "a string", f"{pp}.image_url")
            if url is None:
                what = "file_id is not supported" if part.get("file_id") else "needs image_url"
                raise InvalidRequest(f"input_image {what}; send image_url (https or data URL)", param=pp)
            image: Json = {"url": url}
            detail = part.get("detail")
            if detail in ("low", "high", "original"):  # auto is the default; chat has no "original"
                image["detail"] = "high" if detail == "original" else detail
            parts.append({"type": "image_url", "image_url": image})
        elif kind is None:
            raise InvalidRequest(f"'{pp}' must be an object with a type", param=pp)
        else:
            raise InvalidRequest(f"content type '{kind}' is not supported", param=f"{pp}.type")
    if all(q["type"] == "text" for q in parts):
        return "\n".join(q["text"] for q in parts)
    return parts


def _decode_tools(body: Json) -> list[Json]:
    tools = _get(body, "tools", list, "a list", "tools") or []
    out: list[Json] = []
    for i, tool in enumerate(tools):
        p = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise InvalidRequest(f"'{p}' must be an object", param=p)
        if tool.get("type") != "function":
            raise InvalidRequest(f"tool type '{tool.get('type')}' is not supported", param=f"{p}.type")
        fn: Json = {"name": _need(tool, "name", str, "a string", f"{p}.name")}
        for key, kind, what in (
            ("description", str, "a string"),
            ("parameters", dict, "an object"),
            ("strict", bool, "a boolean"),
        ):
            v = _get(tool, key, kind, what, f"{p}.{key}")
            if v is not None:
                fn[key] = v
        out.append({"type": "function", "function": fn})
    return out


def _decode_tool_choice(tc: str | Json) -> tuple[Any, set[str] | None]:
    """The chat tool_choice, and the allowed function names when the choice narrows the tools."""
    if isinstance(tc, str):
        if tc not in _TOOL_CHOICES:
            raise InvalidRequest(
                f"'tool_choice' must be one of {'|'.join(_TOOL_CHOICES)}", param="tool_choice"
            )
        return tc, None
    kind = tc.get("type")
    if kind == "function":
        name = _need(tc, "name", str, "a string", "tool_choice.name")
        return {"type": "function", "function": {"name": name}}, None
    if kind == "allowed_tools":
        mode = tc.get("mode", "auto")
        tools = _get(tc, "tools", list, "a list", "tool_choice.tools") or []
        if mode not in ("auto", "required") or not all(isinstance(t, dict) for t in tools):
            raise InvalidRequest(
                "'tool_choice' allowed_tools must have mode auto|required and a list of tools",
                param="tool_choice",
            )
        return mode, {t.get("name") for t in tools if t.get("type") == "function"}
    raise InvalidRequest(f"tool_choice type '{kind}' is not supported", param="tool_choice.type")


def _decode_format(fmt: Any) -> Json:
    if not isinstance(fmt, dict):
        raise InvalidRequest("'text.format' must be an object", param="text.format")
    kind = fmt.get("type")
    if kind in ("text", "json_object"):
        return {"type": kind}
    if kind == "json_schema":
        schema: Json = {
            "name": _need(fmt, "name", str, "a string", "text.format.name"),
            "schema": _need(fmt, "schema", dict, "an object", "text.format.schema"),
        }
        for key, k, what in (("description", str, "a string"), ("strict", bool, "a boolean")):
            v = _get(fmt, key, k, what, f"text.format.{key}")
            if v is not None:
                schema[key] = v
        return {"type": "json_schema", "json_schema": schema}
    raise InvalidRequest(f"text.format type '{kind}' is not supported", param="text.format.type")


# --------------------------------------------------------------------------------------------
# response


def _usage(u: Any) -> Json | None:
    if not isinstance(u, dict):
        return None
    pd = u.get("prompt_tokens_details") or {}
    cd = u.get("completion_tokens_details") or {}
    inp, outp = u.get("prompt_tokens") or 0, u.get("completion_tokens") or 0
    return {
        "input_tokens": inp,
        "input_tokens_details": {
            "cached_tokens": pd.get("cached_tokens") or 0,
            "cache_write_tokens": pd.get("cache_creation_tokens") or 0,
        },
        "output_tokens": outp,
        "output_tokens_details": {"reasoning_tokens": cd.get("reasoning_tokens") or 0},
        "total_tokens": u.get("total_tokens") or inp + outp,
    }


def _ending(finish_reason: Any) -> tuple[str, Json | None]:
    """(status, incomplete_details) for a chat finish_reason."""
    if finish_reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if finish_reason == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


def _response(rid: str, created: float, model: str, request: Json | None, status: str) -> Json:
    """A Response skeleton, echoing the request's settings as OpenAI does."""
    req = request or {}
    instructions = req.get("instructions")
    return {
        "id": rid,
        "object": "response",
        "created_at": created,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": instructions if isinstance(instructions, str) else None,
        "max_output_tokens": req.get("max_output_tokens"),
        "model": model,
        "output": [],
        "parallel_tool_calls": req.get("parallel_tool_calls", True) is not False,
        "previous_response_id": None,
        "reasoning": req.get("reasoning") or {"effort": None, "summary": None},
        "temperature": req.get("temperature"),
        "text": req.get("text") or {"format": {"type": "text"}},
        "tool_choice": req.get("tool_choice") or "auto",
        "tools": req.get("tools") or [],
        "top_p": req.get("top_p"),
        "truncation": "disabled",
        "usage": None,
        "user": req.get("user"),
        "metadata": req.get("metadata") or {},
    }


def _reasoning_item(text: str, rid: str | None = None) -> Json:
    return {
        "type": "reasoning",
        "id": rid or _id("rs"),
        "summary": [],
        "content": [{"type": "reasoning_text", "text": text}],
        "status": "completed",
    }


def _message_item(parts: list[Json], mid: str | None = None) -> Json:
    return {
        "type": "message",
        "id": mid or _id("msg"),
        "status": "completed",
        "role": "assistant",
        "content": parts,
    }


def _text_part(text: str) -> Json:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _call_item(call_id: str, name: str, arguments: str, fid: str | None = None) -> Json:
    return {
        "type": "function_call",
        "id": fid or _id("fc"),
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def encode_response(chat: dict[str, Any], model: str, *, request: Json | None = None) -> dict[str, Any]:
    """A canonical ``chat.completion`` -> a Responses ``Response`` object.

    ``request`` is the original (already decoded, hence valid) Responses request, whose settings
    the Response echoes.
    """
    choices = chat.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    msg = choice.get("message") or {}
    status, incomplete = _ending(choice.get("finish_reason"))
    resp = _response(_id("resp"), chat.get("created") or int(time.time()), model, request, status)
    resp["incomplete_details"] = incomplete
    output: list[Json] = resp["output"]
    if msg.get("reasoning_content"):
        output.append(_reasoning_item(msg["reasoning_content"]))
    text = text_of(msg.get("content"))
    parts = [_text_part(text)] if text else []
    if msg.get("refusal"):
        parts.append({"type": "refusal", "refusal": msg["refusal"]})
    calls = msg.get("tool_calls") or []
    if parts or not calls:
        output.append(_message_item(parts or [_text_part("")]))
    for call in calls:
        fn = call.get("function") or {}
        output.append(
            _call_item(call.get("id") or _id("call"), fn.get("name") or "", fn.get("arguments") or "")
        )
    resp["usage"] = _usage(chat.get("usage"))
    return resp


# --------------------------------------------------------------------------------------------
# stream


class StreamEncoder:
    """Canonical ``chat.completion.chunk`` dicts in, Responses SSE bytes out.

    Output items open and close in order (a vendor streams one content block or tool call at a
    time); the closing ``response.completed``/``response.incomplete`` waits for ``finish()``,
    because usage arrives in a last chunk after the finish_reason.
    """

    def __init__(self, model: str, request: dict[str, Any] | None = None) -> None:
        self.model = model
        self.request = request
        self.id = _id("resp")
        self._created: float | None = None
        self._seq = 0
        self._items: list[Json] = []  # output items, index = output_index
        self._open: int | None = None  # output_index of the item being streamed
        self._calls: dict[int, int] = {}  # chat tool_call index -> output_index
        self._finish_reason: str | None = None
        self._usage: Json | None = None
        self._started = False
        self._ended = False

    # -- events

    def _event(self, kind: str, **fields: Any) -> bytes:
        data = {"type": kind, "sequence_number": self._seq, **fields}
        self._seq += 1
        return sse.encode(data, kind)

    def _snapshot(self, status: str) -> Json:
        resp = _response(self.id, self._created or int(time.time()), self.model, self.request, status)
        resp["output"] = self._items
        return resp

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self._event("response.created", response=self._snapshot("in_progress")) + self._event(
            "response.in_progress", response=self._snapshot("in_progress")
        )

    def _add(self, item: Json) -> bytes:
        out = self._close()
        self._open = len(self._items)
        self._items.append(item)
        return out + self._event(
            "response.output_item.added", output_index=self._open, item={**item, "status": "in_progress"}
        )

    def _part_added(self, part: Json) -> bytes:
        assert self._open is not None
        item = self._items[self._open]
        item["content"].append(part)
        return self._event(
            "response.content_part.added",
            item_id=item["id"],
            output_index=self._open,
            content_index=len(item["content"]) - 1,
            part={**part},
        )

    def _part_done(self) -> bytes:
        assert self._open is not None
        item, i = self._items[self._open], self._open
        if not item.get("content"):
            return b""
        ci, part = len(item["content"]) - 1, item["content"][-1]
        ids = {"item_id": item["id"], "output_index": i, "content_index": ci}
        if part["type"] == "output_text":
            out = self._event("response.output_text.done", **ids, text=part["text"], logprobs=[])
        elif part["type"] == "refusal":
            out = self._event("response.refusal.done", **ids, refusal=part["refusal"])
        else:
            out = self._event("response.reasoning_text.done", **ids, text=part["text"])
        return out + self._event("response.content_part.done", **ids, part=part)

    def _close(self) -> bytes:
        if self._open is None:
            return b""
        item, i = self._items[self._open], self._open
        out = b""
        if item["type"] == "function_call":
            out = self._event(
                "response.function_call_arguments.done",
                item_id=item["id"],
                output_index=i,
                arguments=item["arguments"],
            )
        elif item["type"] in ("message", "reasoning"):
            out = self._part_done()
        self._open = None
        return out + self._event("response.output_item.done", output_index=i, item=item)

    def _text(self, kind: str, delta: str) -> bytes:
        """Stream text into a part of type ``kind`` (output_text, refusal, reasoning_text)."""
        item_type = "reasoning" if kind == "reasoning_text" else "message"
        cur = self._items[self._open] if self._open is not None else None
        out = b""
        if cur is None or cur["type"] != item_type:
            cur = _reasoning_item("") if item_type == "reasoning" else _message_item([])
            cur["content"] = []
            out += self._add(cur)
        if not cur["content"] or cur["content"][-1]["type"] != kind:
            out += self._part_done()
            out += self._part_added(
                _text_part("")
                if kind == "output_text"
                else {"type": "refusal", "refusal": ""}
                if kind == "refusal"
                else {"type": kind, "text": ""}
            )
        part, ids = (
            cur["content"][-1],
            {"item_id": cur["id"], "output_index": self._open, "content_index": len(cur["content"]) - 1},
        )
        if kind == "refusal":
            part["refusal"] += delta
            return out + self._event("response.refusal.delta", **ids, delta=delta)
        part["text"] += delta
        if not delta:
            return out
        if kind == "output_text":
            return out + self._event("response.output_text.delta", **ids, delta=delta, logprobs=[])
        return out + self._event("response.reasoning_text.delta", **ids, delta=delta)

    def _tool_call(self, tc: Json) -> bytes:
        fn = tc.get("function") or {}
        idx = tc.get("index", 0)
        out = b""
        if idx not in self._calls:
            out = self._add(_call_item(tc.get("id") or _id("call"), fn.get("name") or "", ""))
            self._calls[idx] = len(self._items) - 1
        i = self._calls[idx]
        item = self._items[i]
        args = fn.get("arguments") or ""
        if args:
            item["arguments"] += args
            if i == self._open:  # a late piece for a closed call only lands in the final response
                out += self._event(
                    "response.function_call_arguments.delta", item_id=item["id"], output_index=i, delta=args
                )
        return out

    # -- public

    def feed(self, chunk: dict[str, Any]) -> bytes:
        """One canonical chunk -> the SSE bytes it produces (possibly empty)."""
        if self._ended:
            return b""
        if self._created is None:
            self._created = chunk.get("created") or int(time.time())
        out = self._start()
        if chunk.get("usage"):
            self._usage = _usage(chunk["usage"])
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                out += self._text("reasoning_text", delta["reasoning_content"])
            if delta.get("content"):
                out += self._text("output_text", delta["content"])
            if delta.get("refusal"):
                out += self._text("refusal", delta["refusal"])
            for tc in delta.get("tool_calls") or []:
                out += self._tool_call(tc)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
        return out

    def finish(self) -> bytes:
        """Close the open item and end with ``response.completed`` (or ``response.incomplete``)."""
        if self._ended:
            return b""
        out = self._start() + self._close()
        if not self._items:  # nothing said: an empty message, as the non-streamed answer has
            out += self._text("output_text", "") + self._close()
        self._ended = True
        status, incomplete = _ending(self._finish_reason)
        resp = self._snapshot(status)
        resp["incomplete_details"] = incomplete
        resp["usage"] = self._usage
        return out + self._event(f"response.{status}", response=resp)

    def error(self, message: str, code: str = "upstream_error") -> bytes:
        """End the stream with an ``error`` event then ``response.failed``."""
        if self._ended:
            return b""
        self._ended = True
        out = self._start() + self._event("error", code=code, message=message, param=None)
        if self._open is not None:
            self._items[self._open]["status"] = "incomplete"
        resp = self._snapshot("failed")
        # Response.error.code is a closed list; our own code travels in the ``error`` event
        kind = "rate_limit_exceeded" if code == "rate_limit_exceeded" else "server_error"
        resp["error"] = {"code": kind, "message": message}
        resp["usage"] = self._usage
        return out + self._event("response.failed", response=resp)
