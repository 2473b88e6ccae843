"""The canonical call: the OpenAI Chat Completions shape, as plain dicts.

Why this shape: every developer already knows it, OpenAI-format vendors (OpenAI, Azure, vLLM,
Ollama, Groq, DeepSeek, Mistral…) take it as is, so the most common path needs no translation at
all. Other formats translate to and from it in ``dialects/<format>.py``.

Request (``ChatRequest``)::

    model, messages, tools, tool_choice, parallel_tool_calls, stream, stream_options,
    max_tokens | max_completion_tokens, temperature, top_p, stop (str | list), n, seed,
    response_format, user, frequency_penalty, presence_penalty, logprobs, top_logprobs,
    reasoning_effort

    message: {role: system|developer|user|assistant|tool, content: str | [part] | None,
              name?, tool_calls?, tool_call_id?}
    part:    {type: "text", text} | {type: "image_url", image_url: {url, detail?}}
             (url is https://… or data:<mime>;base64,<data>)
    tool_call: {id, type: "function", function: {name, arguments: <JSON string>}}
    tool:    {type: "function", function: {name, description?, parameters?}}

Extensions (documented in docs/architecture.md; stripped before an OpenAI-format vendor sees
them unless the client sent them itself):

    message.reasoning_content: str         thinking text (Anthropic thinking, DeepSeek/vLLM style)
    message.thinking_blocks: [block]       Anthropic thinking blocks verbatim (with signature),
                                           so a multi-turn thinking conversation round-trips
    request.thinking: {type, budget_tokens} Anthropic thinking config
    request.top_k: int                     Anthropic / Gemini top_k
    request.metadata: dict                 Anthropic metadata

Response (``chat.completion``)::

    {id, object: "chat.completion", created, model,
     choices: [{index, message: {role: "assistant", content, tool_calls?, reasoning_content?,
                                 thinking_blocks?}, finish_reason}],
     usage: USAGE}

    finish_reason: stop | length | tool_calls | content_filter

Stream (``chat.completion.chunk``)::

    {id, object: "chat.completion.chunk", created, model,
     choices: [{index, delta: {role?, content?, reasoning_content?, thinking_signature?,
                               tool_calls?: [{index, id?, type?, function: {name?, arguments?}}]},
                finish_reason: None | ...}]}
    and, last, {…, choices: [], usage: USAGE}

USAGE::

    {prompt_tokens, completion_tokens, total_tokens,
     prompt_tokens_details: {cached_tokens, cache_creation_tokens?},
     completion_tokens_details: {reasoning_tokens}}

    prompt_tokens counts ALL input tokens, cached ones included (Anthropic's input_tokens +
    cache_read_input_tokens + cache_creation_input_tokens).
"""

from __future__ import annotations

import time
from typing import Any

Chat = dict[str, Any]

FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter")


def usage(
    prompt: int,
    completion: int,
    *,
    cached: int = 0,
    cache_creation: int = 0,
    reasoning: int = 0,
) -> dict[str, Any]:
    """A canonical usage object."""
    u: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }
    if cache_creation:
        u["prompt_tokens_details"]["cache_creation_tokens"] = cache_creation
    return u


def chunk(
    cid: str,
    model: str,
    delta: dict[str, Any] | None = None,
    finish_reason: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """A canonical stream chunk with one choice."""
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created if created is not None else int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish_reason}],
    }


def usage_chunk(cid: str, model: str, u: dict[str, Any], created: int | None = None) -> dict[str, Any]:
    """The final canonical stream chunk that carries usage (``choices`` is empty)."""
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created if created is not None else int(time.time()),
        "model": model,
        "choices": [],
        "usage": u,
    }


def text_of(content: Any) -> str:
    """The text of a message's content, whether a string or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
