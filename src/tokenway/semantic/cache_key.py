"""The response cache's key: which answers a request may reuse (scope) and what it asks (last user turn).

* ``scope``: blake2b-128 of everything that changes the answer except the last user turn: the tenant, the
  model group, every message before the last user turn (system/developer prompts included), tools,
  tool_choice, parallel_tool_calls, response_format and the output-changing parameters (temperature, top_p,
  top_k, seed, max tokens, stop, penalties, logprobs, reasoning effort, thinking…). Any request key that is
  not known to be harmless is part of the scope (unknown parameters are assumed to change the answer);
  only ``stream``, ``stream_options``, ``user``, ``metadata`` and ``model`` are left out (the group is
  passed in). Serialised as canonical JSON (orjson, sorted keys) with small normalisations that do not
  change what the vendor sees: ``stop: "x"`` == ``["x"]``, ``max_tokens`` == ``max_completion_tokens``,
  ``n: 1`` == no ``n``, a content that is a list of text parts == the joined string.
* ``exact``: blake2b-128 of the scope and the normalised last user turn (NFKC, case-folded, whitespace
  collapsed).
* ``text``: the last user turn's text exactly as sent: what gets embedded (the embedding service's LRU is
  keyed by that exact string, so the guard's and router's embeddings are reused).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import orjson

from tokenway.dialects.canonical import text_of

EXCLUDED = frozenset({"messages", "model", "stream", "stream_options", "user", "metadata"})
_WS = re.compile(r"\s+")


@dataclass(slots=True, frozen=True)
class CacheKey:
    scope: bytes
    exact: bytes
    text: str


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed and stripped."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.digest()


def _content(content: Any) -> Any:
    """A content that is only text parts compares equal to the joined string."""
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return text_of(content)
    return content


def _message(m: Any) -> Any:
    if not isinstance(m, dict) or "content" not in m:
        return m
    out = dict(m)
    out["content"] = _content(m["content"])
    return out


def _params(chat: dict[str, Any]) -> dict[str, Any]:
    params = {k: v for k, v in chat.items() if k not in EXCLUDED and v is not None}
    if "max_completion_tokens" in params:
        params["max_tokens"] = params.pop("max_completion_tokens")
    if isinstance(params.get("stop"), str):
        params["stop"] = [params["stop"]]
    if params.get("stop") == []:
        del params["stop"]
    if params.get("n") == 1:
        del params["n"]
    return params


def last_user_text(message: Any) -> str | None:
    """The text of a user message, or None if it is not a user turn or has non-text parts."""
    if not isinstance(message, dict) or message.get("role") != "user":
        return None
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return text_of(content)
    return None


def cache_key(chat: dict[str, Any], tenant: str, group: str) -> CacheKey | None:
    """The key of a canonical chat request, or None when its answer must not be cached or reused:
    the last message is not a user turn, it has non-text parts or no text, or ``n > 1``."""
    messages = chat.get("messages")
    if not isinstance(messages, list) or not messages:
        return None
    n = chat.get("n")
    if n is not None and n != 1:
        return None
    text = last_user_text(messages[-1])
    if text is None or not text.strip():
        return None
    last = {k: v for k, v in messages[-1].items() if k != "content"}  # e.g. the user's name
    doc = {
        "tenant": tenant,
        "group": group,
        "params": _params(chat),
        "prior": [_message(m) for m in messages[:-1]],
        "last": last,
    }
    try:
        blob = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return None  # not JSON (cannot come from a parsed request body)
    scope = _digest(b"tokenway-cache-scope-v1", blob)
    exact = _digest(scope, normalise(text).encode("utf-8", "surrogatepass"))
    return CacheKey(scope=scope, exact=exact, text=text)
