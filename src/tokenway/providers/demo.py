"""The built-in demo vendor: deterministic answers in the OpenAI format, streamed or not, no network.

It answers ``Hello from tokenway's demo vendor. You said: <last user text>``; when the request
offers tools (and the last message is not a tool result) it calls the first tool with
``{"q": <last user text>}``; after a tool result it answers ``The tool said: <result>``.
Usage counts are chars/4 of the prompt and the words of the answer. Embeddings are
deterministic unit vectors derived from a hash of the text.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.dialects.canonical import text_of
from tokenway.providers.base import Provider

_ids = itertools.count(1)


class DemoResponse:
    """Looks like ``upstream.client.Response`` to the pipeline."""

    def __init__(self, status: int, body: bytes | None, events: list[bytes] | None, delay: float) -> None:
        self.status = status
        self.headers = {"content-type": "text/event-stream" if events is not None else "application/json"}
        self._body = body or b""
        self._events = events or []
        self._delay = delay

    async def read(self) -> bytes:
        return self._body

    async def first_chunk(self, timeout_at: float | None) -> bytes:
        return self._events.pop(0) if self._events else b""

    async def chunks(self, deadline: float | None) -> AsyncIterator[bytes]:
        for e in self._events:
            if self._delay:
                await asyncio.sleep(self._delay)
            yield e

    def close(self) -> None:
        self._events = []


class DemoProvider(Provider):
    format = "openai"
    supports_embeddings = True

    def __init__(self, name: str, cfg: ProviderConfig) -> None:
        super().__init__(name, cfg, None)
        self.delay = cfg.demo_chunk_delay_ms / 1000.0
        self.latency = cfg.demo_latency_ms / 1000.0

    async def send(self, op: str, model: str, body: bytes, stream: bool,
                   deadline: float | None) -> DemoResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        req = orjson.loads(body)
        if op == "embeddings":
            return DemoResponse(200, orjson.dumps(_embeddings(req, model)), None, 0)
        return _chat(req, model, stream, self.delay)


def _chat(req: dict[str, Any], model: str, stream: bool, delay: float) -> DemoResponse:
    messages = req.get("messages") or []
    last = messages[-1] if messages else {}
    prompt_chars = sum(len(text_of(m.get("content"))) for m in messages if isinstance(m, dict))
    prompt_tokens = max(1, prompt_chars // 4)
    tools = req.get("tools") or []
    tool_call = None
    if last.get("role") == "tool":
        text = "The tool said: " + text_of(last.get("content"))
    elif tools and req.get("tool_choice") != "none":
        user_text = text_of(last.get("content"))
        name = tools[0].get("function", {}).get("name", "tool")
        tool_call = {"id": f"call_demo{next(_ids)}", "type": "function",
                     "function": {"name": name, "arguments": orjson.dumps({"q": user_text[:200]}).decode()}}
        text = ""
    else:
        text = "Hello from tokenway's demo vendor. You said: " + text_of(last.get("content"))[:500]
    limit = req.get("max_completion_tokens") or req.get("max_tokens")
    words = text.split(" ") if text else []
    finish = "tool_calls" if tool_call else "stop"
    if isinstance(limit, int) and 0 < limit < len(words):
        words = words[:limit]
        text = " ".join(words)
        finish = "length"
    completion_tokens = len(words) + (8 if tool_call else 0)
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens,
             "prompt_tokens_details": {"cached_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0}}
    cid = f"chatcmpl-demo{next(_ids)}"
    created = int(time.time())
    if not stream:
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if tool_call:
            message["tool_calls"] = [tool_call]
        n = req.get("n") or 1
        choices = [{"index": i, "message": message, "finish_reason": finish, "logprobs": None}
                   for i in range(n if isinstance(n, int) and 0 < n <= 8 else 1)]
        body = {"id": cid, "object": "chat.completion", "created": created, "model": model,
                "choices": choices, "usage": usage}
        return DemoResponse(200, orjson.dumps(body), None, 0)

    def ev(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        return b"data: " + orjson.dumps({
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}) + b"\n\n"

    events = [ev({"role": "assistant", "content": ""})]
    if tool_call:
        events.append(ev({"tool_calls": [{"index": 0, "id": tool_call["id"], "type": "function",
                                          "function": {"name": tool_call["function"]["name"], "arguments": ""}}]}))
        args = tool_call["function"]["arguments"]
        for i in range(0, len(args), 8):
            events.append(ev({"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 8]}}]}))
    for i, w in enumerate(words):
        events.append(ev({"content": w if i == 0 else " " + w}))
    events.append(ev({}, finish))
    opts = req.get("stream_options") or {}
    if opts.get("include_usage"):
        events.append(b"data: " + orjson.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                                "model": model, "choices": [], "usage": usage}) + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return DemoResponse(200, None, events, delay)


def _embeddings(req: dict[str, Any], model: str) -> dict[str, Any]:
    inp = req.get("input")
    items = [inp] if isinstance(inp, str) else list(inp or [])
    dims = req.get("dimensions") if isinstance(req.get("dimensions"), int) else 64
    data = []
    tokens = 0
    for i, item in enumerate(items):
        text = item if isinstance(item, str) else " ".join(map(str, item)) if isinstance(item, list) else str(item)
        tokens += max(1, len(text) // 4)
        seed = hashlib.sha256(text.encode()).digest()
        raw = [(seed[j % 32] ^ (j * 31 & 0xFF)) / 127.5 - 1.0 for j in range(dims)]
        norm = math.sqrt(sum(x * x for x in raw)) or 1.0
        data.append({"object": "embedding", "index": i, "embedding": [x / norm for x in raw]})
    return {"object": "list", "data": data, "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
