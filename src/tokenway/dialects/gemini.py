"""Google Gemini (``generateContent`` / ``streamGenerateContent?alt=sse``), vendor-facing.

Canonical (OpenAI Chat Completions shape) -> Gemini request body, and Gemini response / SSE stream
-> canonical. Pure functions plus one small stateful stream decoder.

Choices worth knowing:

* ``system`` / ``developer`` messages, wherever they are, join ``systemInstruction`` in order.
* Tool results become ``functionResponse`` parts in a ``user`` turn; the function name is looked up
  from the most recent assistant tool call with that id (Gemini pairs calls and results by name).
* Tool-call ids: Gemini does not return ids (unless it sends ``functionCall.id``), so we number
  them ``call_<n>`` within one response.
* Thought signatures (Gemini 2.5/3 ``thoughtSignature`` on ``functionCall`` parts) travel on the
  canonical tool call as ``extra_content.google.thought_signature`` (the convention of Google's own
  OpenAI-compatible endpoint) and are sent back on replay. A model turn whose first function call
  has none gets Google's documented ``skip_thought_signature_validator`` placeholder, so histories
  from other vendors (or clients that drop the field) still validate on Gemini 3.
* JSON schemas (tool parameters, ``responseSchema``) are reduced to the OpenAPI subset Gemini
  accepts: unsupported keys are dropped, local ``$ref`` s are inlined, ``type: [x, "null"]`` and
  ``anyOf [.., {type: null}]`` become ``nullable``.
"""

from __future__ import annotations

import base64
import mimetypes
import time
import uuid
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

import orjson

from tokenway.dialects import openai_chat
from tokenway.dialects.canonical import Chat, chunk, text_of, usage, usage_chunk
from tokenway.dialects.sse import SSEParser
from tokenway.errors import InvalidRequest, UpstreamError

SKIP_SIGNATURE = "skip_thought_signature_validator"

FINISH_MAP: dict[str, str] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "LANGUAGE": "stop",
    "OTHER": "stop",
    "MALFORMED_FUNCTION_CALL": "stop",
    "UNEXPECTED_TOOL_CALL": "stop",
    "FINISH_REASON_UNSPECIFIED": "stop",
}

# reasoning_effort -> thinkingBudget (tokens); "none"/"minimal" ask for as little as the model allows.
EFFORT_BUDGET: dict[str, int] = {"none": 0, "minimal": 0, "low": 1024, "medium": 8192, "high": 24576}

# Keys of Gemini's ``Schema`` object (an OpenAPI 3.0 subset); everything else is dropped.
_SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "maxItems",
        "minItems",
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "items",
        "minimum",
        "maximum",
    }
)
_FORMATS = {
    "string": {"enum", "date-time"},
    "integer": {"int32", "int64"},
    "number": {"float", "double"},
}


# --------------------------------------------------------------------------------------- request


def request_path(model: str, stream: bool) -> str:
    """The URL path (and query) for ``model``: ``/v1beta/models/{model}:generateContent`` etc."""
    if model.startswith("models/"):
        model = model[len("models/") :]
    if model.startswith("tunedModels/"):
        resource = "tunedModels/" + quote(model[len("tunedModels/") :], safe="")
    else:
        resource = "models/" + quote(model, safe="")
    if stream:
        return f"/v1beta/{resource}:streamGenerateContent?alt=sse"
    return f"/v1beta/{resource}:generateContent"


def encode_request(chat: Chat, model: str) -> dict[str, Any]:
    """A canonical chat request -> a ``generateContent`` body (the model goes in the URL)."""
    del model  # in the path, see request_path
    body: dict[str, Any] = {}
    system_parts: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    names_by_id: dict[str, str] = {}

    def add_turn(role: str, parts: list[dict[str, Any]]) -> None:
        if not parts:
            return
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for i, msg in enumerate(chat.get("messages") or []):
        role = msg.get("role")
        if role in ("system", "developer"):
            # one part per text block: joining them would run "A." and "B." into "A.B."
            system_parts.extend({"text": t} for t in _system_texts(msg.get("content")) if t)
        elif role == "user":
            add_turn("user", _user_parts(msg.get("content"), i))
        elif role == "assistant":
            add_turn("model", _assistant_parts(msg, names_by_id))
        elif role == "tool":
            call_id = msg.get("tool_call_id") or ""
            name = names_by_id.get(call_id) or msg.get("name")
            if not name:
                raise InvalidRequest(
                    f"messages[{i}]: tool result for unknown tool_call_id {call_id!r}",
                    param=f"messages[{i}].tool_call_id",
                )
            add_turn("user", [{"functionResponse": {"name": name, "response": _tool_response(msg)}}])
        else:
            raise InvalidRequest(f"messages[{i}]: unsupported role {role!r}", param=f"messages[{i}].role")

    body["contents"] = contents
    if system_parts:
        body["systemInstruction"] = {"parts": system_parts}

    decls = [_function_declaration(t) for t in chat.get("tools") or [] if t.get("type", "function") == "function"]
    if decls:
        body["tools"] = [{"functionDeclarations": decls}]
    tool_config = _tool_config(chat.get("tool_choice"))
    if tool_config is not None:
        body["toolConfig"] = tool_config

    gen = _generation_config(chat)
    if gen:
        body["generationConfig"] = gen
    return body


def _system_texts(content: Any) -> list[str]:
    if isinstance(content, list):
        return [p.get("text") or "" for p in content if isinstance(p, dict) and p.get("type") == "text"]
    return [text_of(content)]


def _user_parts(content: Any, i: int) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    parts: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        kind = part.get("type")
        if kind == "text":
            if part.get("text"):
                parts.append({"text": part["text"]})
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url", "") if isinstance(image, dict) else str(image or "")
            parts.append(_media_part(url, f"messages[{i}].content[{j}]"))
        elif kind == "input_audio":
            audio = part.get("input_audio") or {}
            fmt = audio.get("format", "wav")
            parts.append({"inlineData": {"mimeType": f"audio/{fmt}", "data": audio.get("data", "")}})
        elif kind == "file":
            file = part.get("file") or {}
            parts.append(_media_part(file.get("file_data", ""), f"messages[{i}].content[{j}]"))
        else:
            raise InvalidRequest(
                f"messages[{i}].content[{j}]: unsupported content part {kind!r} for Gemini",
                param=f"messages[{i}].content[{j}].type",
            )
    return parts


def _media_part(url: str, where: str) -> dict[str, Any]:
    if url.startswith("data:"):
        mime, data = _parse_data_url(url, where)
        return {"inlineData": {"mimeType": mime, "data": data}}
    if url.startswith(("http://", "https://", "gs://")):
        mime = mimetypes.guess_type(urlsplit(url).path)[0] or "image/jpeg"
        return {"fileData": {"mimeType": mime, "fileUri": url}}
    raise InvalidRequest(f"{where}: unsupported URL (use https://, gs:// or data:)", param=where)


def _parse_data_url(url: str, where: str) -> tuple[str, str]:
    """``data:<mime>[;base64],<data>`` -> (mime, base64 data)."""
    header, sep, data = url[5:].partition(",")
    if not sep:
        raise InvalidRequest(f"{where}: malformed data: URL", param=where)
    params = header.split(";")
    mime = params[0] or "application/octet-stream"
    if "base64" not in params[1:]:
        data = base64.b64encode(unquote_to_bytes(data)).decode()
    return mime, data


def _parse_args(arguments: Any) -> dict[str, Any]:
    """Tool-call arguments (a JSON string) -> an object; empty or invalid -> {}."""
    if isinstance(arguments, dict):
        return arguments
    if not arguments:
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _assistant_parts(msg: dict[str, Any], names_by_id: dict[str, str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    content = msg.get("content")
    if isinstance(content, str):
        if content:
            parts.append({"text": content})
    elif content:
        parts.extend({"text": p["text"]} for p in content if p.get("type") == "text" and p.get("text"))
    for k, call in enumerate(msg.get("tool_calls") or []):
        fn = call.get("function") or {}
        name = fn.get("name", "")
        if call.get("id"):
            names_by_id[call["id"]] = name
        part: dict[str, Any] = {"functionCall": {"name": name, "args": _parse_args(fn.get("arguments"))}}
        google = (call.get("extra_content") or {}).get("google") or {}
        signature = google.get("thought_signature")
        if signature:
            part["thoughtSignature"] = signature
        elif k == 0:
            part["thoughtSignature"] = SKIP_SIGNATURE
        parts.append(part)
    return parts


def _tool_response(msg: dict[str, Any]) -> dict[str, Any]:
    text = text_of(msg.get("content"))
    try:
        value = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict):
        return value
    return {"content": text}


def _function_declaration(tool: dict[str, Any]) -> dict[str, Any]:
    fn = tool.get("function") or {}
    decl: dict[str, Any] = {"name": fn.get("name", "")}
    if fn.get("description"):
        decl["description"] = fn["description"]
    params = fn.get("parameters")
    if params:
        cleaned = clean_schema(params)
        # Gemini rejects an OBJECT schema with no properties: a no-argument function has none.
        if not (cleaned.get("type") in ("object", "OBJECT") and not cleaned.get("properties")):
            decl["parameters"] = cleaned
    return decl


def _tool_config(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    if choice == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if choice == "required":
        return {"functionCallingConfig": {"mode": "ANY"}}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        if name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise InvalidRequest(f"unsupported tool_choice {choice!r}", param="tool_choice")


def _generation_config(chat: Chat) -> dict[str, Any]:
    gen: dict[str, Any] = {}
    max_tokens = chat.get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = chat.get("max_tokens")
    if max_tokens is not None:
        gen["maxOutputTokens"] = max_tokens
    for src, dst in (
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("top_k", "topK"),
        ("seed", "seed"),
        ("presence_penalty", "presencePenalty"),
        ("frequency_penalty", "frequencyPenalty"),
    ):
        if chat.get(src) is not None:
            gen[dst] = chat[src]
    stop = chat.get("stop")
    if stop:
        gen["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if chat.get("n") is not None:
        gen["candidateCount"] = chat["n"]

    fmt = chat.get("response_format") or {}
    if fmt.get("type") == "json_object":
        gen["responseMimeType"] = "application/json"
    elif fmt.get("type") == "json_schema":
        gen["responseMimeType"] = "application/json"
        schema = (fmt.get("json_schema") or {}).get("schema")
        if schema:
            gen["responseSchema"] = clean_schema(schema)

    thinking = chat.get("thinking")
    effort = chat.get("reasoning_effort")
    if isinstance(thinking, dict):
        if thinking.get("type") == "disabled":
            gen["thinkingConfig"] = {"thinkingBudget": 0}
        else:
            cfg: dict[str, Any] = {"includeThoughts": True}
            if thinking.get("budget_tokens") is not None:
                cfg["thinkingBudget"] = thinking["budget_tokens"]
            gen["thinkingConfig"] = cfg
    elif effort in EFFORT_BUDGET:
        budget = EFFORT_BUDGET[effort]
        gen["thinkingConfig"] = (
            {"thinkingBudget": 0} if budget == 0 else {"includeThoughts": True, "thinkingBudget": budget}
        )
    return gen


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema -> the OpenAPI subset Gemini's ``Schema`` accepts."""
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        if isinstance(schema.get(key), dict):
            defs.update({f"#/{key}/{name}": value for name, value in schema[key].items()})
    return _clean(schema, defs, 0)


def _clean(schema: Any, defs: dict[str, Any], depth: int) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}
    if depth > 16:  # a recursive $ref: stop unrolling
        return {"type": "object"}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        merged = {**defs.get(ref, {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        return _clean(merged, defs, depth + 1)

    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in _SCHEMA_KEYS:
            if key == "const" and isinstance(value, str):
                out["enum"] = [value]
            continue
        if key == "properties" and isinstance(value, dict):
            out["properties"] = {k: _clean(v, defs, depth + 1) for k, v in value.items()}
        elif key == "items":
            out["items"] = _clean(value, defs, depth + 1)
        elif key == "anyOf" and isinstance(value, list):
            branches = [b for b in value if not (isinstance(b, dict) and b.get("type") == "null")]
            if len(branches) < len(value):
                out["nullable"] = True
            if len(branches) == 1:
                for k, v in _clean(branches[0], defs, depth + 1).items():
                    out.setdefault(k, v)
            elif branches:
                out["anyOf"] = [_clean(b, defs, depth + 1) for b in branches]
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            if len(types) < len(value):
                out["nullable"] = True
            if len(types) == 1:
                out["type"] = types[0]
            elif types:
                out["anyOf"] = [{"type": t} for t in types]
        else:
            out[key] = value
    if "enum" in out and "type" not in out and all(isinstance(v, str) for v in out["enum"]):
        out["type"] = "string"
    fmt = out.get("format")
    if fmt is not None and fmt not in _FORMATS.get(str(out.get("type", "")).lower(), set()):
        del out["format"]
    if "required" in out and isinstance(out.get("properties"), dict):
        out["required"] = [r for r in out["required"] if r in out["properties"]]
    return out


# -------------------------------------------------------------------------------------- response


def _usage(meta: dict[str, Any] | None) -> dict[str, Any]:
    meta = meta or {}
    prompt = int(meta.get("promptTokenCount", 0)) + int(meta.get("toolUsePromptTokenCount", 0))
    thoughts = int(meta.get("thoughtsTokenCount", 0))
    completion = int(meta.get("candidatesTokenCount", 0)) + thoughts
    return usage(prompt, completion, cached=int(meta.get("cachedContentTokenCount", 0)), reasoning=thoughts)


def _finish(reason: str | None, has_calls: bool) -> str:
    mapped = FINISH_MAP.get(reason or "STOP", "stop")
    if mapped == "stop" and has_calls:
        return "tool_calls"
    return mapped


def _tool_call(part: dict[str, Any], n: int) -> dict[str, Any]:
    fc = part["functionCall"]
    call: dict[str, Any] = {
        "id": fc.get("id") or f"call_{n}",
        "type": "function",
        "function": {"name": fc.get("name", ""), "arguments": orjson.dumps(fc.get("args") or {}).decode()},
    }
    if part.get("thoughtSignature"):
        call["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
    return call


def _response_id(body: dict[str, Any]) -> str:
    rid = body.get("responseId")
    return f"chatcmpl-{rid}" if rid else f"chatcmpl-{uuid.uuid4().hex}"


def decode_response(
    body: dict[str, Any], model: str = "", *, cid: str | None = None, created: int | None = None
) -> dict[str, Any]:
    """A ``generateContent`` response -> a canonical ``chat.completion``."""
    choices: list[dict[str, Any]] = []
    for pos, cand in enumerate(body.get("candidates") or []):
        texts: list[str] = []
        thoughts: list[str] = []
        calls: list[dict[str, Any]] = []
        for part in (cand.get("content") or {}).get("parts") or []:
            if "functionCall" in part:
                calls.append(_tool_call(part, len(calls)))
            elif part.get("thought"):
                thoughts.append(part.get("text", ""))
            elif "text" in part:
                texts.append(part["text"])
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        if calls:
            message["tool_calls"] = calls
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
        choices.append(
            {
                "index": cand.get("index", pos),
                "message": message,
                "finish_reason": _finish(cand.get("finishReason"), bool(calls)),
            }
        )
    if not choices:  # the prompt itself was blocked (promptFeedback.blockReason)
        choices.append(
            {
                "index": 0,
                "message": {"role": "assistant", "content": None},
                "finish_reason": "content_filter" if body.get("promptFeedback") else "stop",
            }
        )
    return {
        "id": cid or _response_id(body),
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": model or body.get("modelVersion", ""),
        "choices": choices,
        "usage": _usage(body.get("usageMetadata")),
    }


def decode_error(raw: bytes) -> str:
    """The human message of a Gemini error body ``{"error": {"code", "message", "status"}}``."""
    return openai_chat.decode_error(raw)


# ---------------------------------------------------------------------------------------- stream


class StreamDecoder:
    """``streamGenerateContent?alt=sse`` bytes -> canonical chunks.

    Every Gemini event is a whole ``GenerateContentResponse`` holding a delta of each candidate.
    A function call always arrives whole, so its id, name and full arguments go out in one delta.
    ``usage`` is the canonical usage of the last ``usageMetadata`` seen; ``done`` turns true once
    every candidate has finished and the usage chunk has gone out.
    """

    def __init__(self, model: str = "", *, cid: str | None = None, created: int | None = None) -> None:
        self.model = model
        self.cid = cid
        self.created = created if created is not None else int(time.time())
        self.usage: dict[str, Any] | None = None
        self.done = False
        self._parser = SSEParser()
        self._started: set[int] = set()
        self._finished: set[int] = set()
        self._calls: dict[int, int] = {}
        self._usage_sent = False
        self._error: UpstreamError | None = None  # an error event that came after chunks in one read

    def feed(self, raw: bytes) -> list[dict[str, Any]]:
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        try:
            for _event, data in self._parser.feed(raw):
                out.extend(self._event(data))
        except UpstreamError as e:
            if not out:
                raise
            self._error = e  # hand out what came before the error; raise it on the next feed/close
        return out

    def close(self) -> list[dict[str, Any]]:
        """At the end of the body: any last unterminated event, then the finish chunk(s) and the
        usage chunk if the stream broke off without them. ``done`` stays false when no candidate
        finished, so the caller can tell the stream was cut short. Idempotent. Raises the vendor's
        error event if one came in the last read after chunks that ``feed`` returned."""
        if self._error is not None:
            raise self._error
        out: list[dict[str, Any]] = []
        for _event, data in self._parser.close():
            out.extend(self._event(data))
        if self._usage_sent:
            return out
        if self._started and self._finished >= self._started:
            self.done = True  # every candidate finished; only the usage was missing
        for index in sorted(self._started - self._finished):
            self._finished.add(index)
            reason = "tool_calls" if self._calls.get(index) else "stop"
            out.append(self._chunk(index, {}, reason))
        if self.usage is not None:
            out.append(self._usage_chunk())
        self._usage_sent = True
        return out

    # internals

    def _chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        c = chunk(self.cid or "", self.model, delta, finish, created=self.created)
        c["choices"][0]["index"] = index
        return c

    def _usage_chunk(self) -> dict[str, Any]:
        self._usage_sent = True
        return usage_chunk(self.cid or "", self.model, self.usage or _usage(None), created=self.created)

    def _event(self, data: bytes) -> list[dict[str, Any]]:
        data = data.strip()
        if not data or data == b"[DONE]":
            return []
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise UpstreamError(f"malformed Gemini stream event: {data[:200]!r}") from e
        if isinstance(body, list):  # a JSON-array stream element, tolerated
            return [c for item in body for c in self._response(item)]
        return self._response(body)

    def _response(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        err = body.get("error")
        if isinstance(err, dict):
            status = err.get("code") if isinstance(err.get("code"), int) else None
            raise UpstreamError(str(err.get("message") or "Gemini stream error"), status=status)
        if self.cid is None:
            self.cid = _response_id(body)
        if not self.model and body.get("modelVersion"):
            self.model = body["modelVersion"]
        if body.get("usageMetadata"):
            self.usage = _usage(body["usageMetadata"])
        if self._usage_sent:
            return []

        out: list[dict[str, Any]] = []
        candidates = body.get("candidates") or []
        if not candidates and (body.get("promptFeedback") or {}).get("blockReason"):
            self._started.add(0)
            out.append(self._chunk(0, {"role": "assistant", "content": ""}))
            self._finished.add(0)
            out.append(self._chunk(0, {}, "content_filter"))
        for pos, cand in enumerate(candidates):
            index = cand.get("index", pos)
            if index in self._finished:
                continue
            if index not in self._started:
                self._started.add(index)
                out.append(self._chunk(index, {"role": "assistant", "content": ""}))
            for part in (cand.get("content") or {}).get("parts") or []:
                if "functionCall" in part:
                    n = self._calls.get(index, 0)
                    self._calls[index] = n + 1
                    call = _tool_call(part, n)
                    out.append(self._chunk(index, {"tool_calls": [{"index": n, **call}]}))
                elif part.get("thought"):
                    if part.get("text"):
                        out.append(self._chunk(index, {"reasoning_content": part["text"]}))
                elif part.get("text"):
                    out.append(self._chunk(index, {"content": part["text"]}))
            if cand.get("finishReason"):
                self._finished.add(index)
                out.append(self._chunk(index, {}, _finish(cand["finishReason"], bool(self._calls.get(index)))))
        if self._started and self._finished >= self._started and self.usage is not None:
            out.append(self._usage_chunk())
            self.done = True
        return out
