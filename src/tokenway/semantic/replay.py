"""Stream <-> whole answer, in the canonical shape, for the response cache.

* :func:`assemble`: a streamed answer's canonical chunks -> one ``chat.completion`` (so a streamed miss
  can be stored): content and reasoning_content concatenated, tool_calls deltas merged by index,
  Anthropic thinking signatures turned back into ``thinking_blocks``, the last finish_reason, usage from
  the usage chunk.
* :func:`to_chunks`: a stored ``chat.completion`` -> canonical chunks (so a hit can answer a streaming
  client): a role delta, reasoning then content in small pieces, tool calls (name, then arguments in
  pieces), the finish_reason, then a usage chunk.

Nothing in the dialects did either on canonical dicts (they translate chunk by chunk), hence this module;
the chunks themselves are built with :func:`tokenway.dialects.canonical.chunk` / ``usage_chunk``.
"""

from __future__ import annotations

from typing import Any

from tokenway.dialects.canonical import chunk, usage_chunk


class _Choice:
    __slots__ = ("content", "finish", "reasoning", "role", "thinking", "thinking_text", "tools")

    def __init__(self) -> None:
        self.role = "assistant"
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.thinking_text: list[str] = []  # reasoning since the last signature
        self.thinking: list[dict[str, Any]] = []
        self.tools: dict[int, dict[str, Any]] = {}
        self.finish: str | None = None

    def feed(self, delta: dict[str, Any]) -> None:
        if isinstance(delta.get("role"), str):
            self.role = delta["role"]
        if isinstance(delta.get("content"), str):
            self.content.append(delta["content"])
        rc = delta.get("reasoning_content")
        if isinstance(rc, str):
            self.reasoning.append(rc)
            self.thinking_text.append(rc)
        sig = delta.get("thinking_signature")
        if isinstance(sig, str) and sig:
            self.thinking.append({"type": "thinking", "thinking": "".join(self.thinking_text), "signature": sig})
            self.thinking_text = []
        for tc in delta.get("tool_calls") or ():
            if not isinstance(tc, dict):
                continue
            idx = tc.get("index") if isinstance(tc.get("index"), int) else len(self.tools)
            cur = self.tools.setdefault(idx, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
            if tc.get("id"):
                cur["id"] = tc["id"]
            if tc.get("type"):
                cur["type"] = tc["type"]
            fn = tc.get("function")
            if isinstance(fn, dict):
                if isinstance(fn.get("name"), str):
                    cur["function"]["name"] += fn["name"]
                if isinstance(fn.get("arguments"), str):
                    cur["function"]["arguments"] += fn["arguments"]

    def message(self) -> dict[str, Any]:
        text = "".join(self.content)
        msg: dict[str, Any] = {"role": self.role, "content": text if text or not self.tools else None}
        if self.tools:
            msg["tool_calls"] = [self.tools[i] for i in sorted(self.tools)]
        if self.reasoning:
            msg["reasoning_content"] = "".join(self.reasoning)
        if self.thinking:
            msg["thinking_blocks"] = self.thinking
        return msg


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """One canonical ``chat.completion`` from a canonical stream's chunks."""
    head: dict[str, Any] = {}
    choices: dict[int, _Choice] = {}
    usage: dict[str, Any] | None = None
    for c in chunks:
        if not isinstance(c, dict):
            continue
        for k in ("id", "created", "model", "system_fingerprint"):
            if k not in head and c.get(k) is not None:
                head[k] = c[k]
        if isinstance(c.get("usage"), dict):
            usage = c["usage"]
        for ch in c.get("choices") or ():
            if not isinstance(ch, dict):
                continue
            idx = ch.get("index") if isinstance(ch.get("index"), int) else 0
            state = choices.setdefault(idx, _Choice())
            if isinstance(ch.get("delta"), dict):
                state.feed(ch["delta"])
            if ch.get("finish_reason"):
                state.finish = ch["finish_reason"]
    out: dict[str, Any] = {
        "id": head.get("id", ""),
        "object": "chat.completion",
        "created": head.get("created", 0),
        "model": head.get("model", ""),
        "choices": [{"index": i, "message": choices[i].message(), "finish_reason": choices[i].finish}
                    for i in sorted(choices)],
    }
    if "system_fingerprint" in head:
        out["system_fingerprint"] = head["system_fingerprint"]
    if usage is not None:
        out["usage"] = usage
    return out


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def to_chunks(response: dict[str, Any], chunk_chars: int = 24) -> list[dict[str, Any]]:
    """Canonical stream chunks that replay a stored ``chat.completion`` (first choice)."""
    size = max(1, chunk_chars)
    cid = response.get("id") or ""
    model = response.get("model") or ""
    created = response.get("created") if isinstance(response.get("created"), int) else None
    choices = response.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    msg = choice.get("message") if isinstance(choice.get("message"), dict) else {}

    def c(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return chunk(cid, model, delta, finish, created)

    out = [c({"role": msg.get("role") or "assistant", "content": ""})]
    blocks = [b for b in msg.get("thinking_blocks") or () if isinstance(b, dict) and b.get("type") == "thinking"]
    if blocks:  # a signed thinking block replays as its text, then its signature
        for b in blocks:
            out.extend(c({"reasoning_content": p}) for p in _pieces(b.get("thinking") or "", size))
            if b.get("signature"):
                out.append(c({"thinking_signature": b["signature"]}))
    elif isinstance(msg.get("reasoning_content"), str):
        out.extend(c({"reasoning_content": p}) for p in _pieces(msg["reasoning_content"], size))
    content = msg.get("content")
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if isinstance(content, str):
        out.extend(c({"content": p}) for p in _pieces(content, size))
    for i, tc in enumerate(msg.get("tool_calls") or ()):
        fn = tc.get("function") or {}
        out.append(c({"tool_calls": [{"index": i, "id": tc.get("id"), "type": tc.get("type") or "function",
                                      "function": {"name": fn.get("name") or "", "arguments": ""}}]}))
        out.extend(c({"tool_calls": [{"index": i, "function": {"arguments": p}}]})
                   for p in _pieces(fn.get("arguments") or "", size))
    out.append(c({}, choice.get("finish_reason") or "stop"))
    if isinstance(response.get("usage"), dict):
        out.append(usage_chunk(cid, model, response["usage"], created))
    return out
