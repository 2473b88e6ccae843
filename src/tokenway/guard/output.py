"""The answer side of the guard: restore pseudonyms, scan the vendor's output for sensitive
data, and catch leaks of the system prompt — in whole answers and in streams, chunk by chunk.

Streams: a small window (``hold_back_chars``) of text is kept back so a value split across
chunks is still seen whole before any of it reaches the client; a placeholder split across
chunks is held by the ``Restorer``. Everything held is flushed before the chunk that carries the
finish reason.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from tokenway.guard.engine import GuardBlocked, GuardState, value_hash
from tokenway.guard.placeholders import Restorer

_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=256)
def _shingles(system_prompt: str, n: int) -> frozenset[str]:
    norm = _WS.sub(" ", system_prompt).strip().lower()
    return frozenset(norm[i:i + n] for i in range(0, max(0, len(norm) - n + 1)))


class _Leak:
    """Verbatim overlap with the system prompt (≥ n chars, whitespace and case folded), or the canary."""

    __slots__ = ("_canary", "_n", "_norm", "_set", "_tail")

    def __init__(self, system_prompt: str, n: int, canary: str | None) -> None:
        self._n = n
        self._set = _shingles(system_prompt, n) if len(system_prompt) >= n else frozenset()
        self._canary = canary
        self._norm = ""  # folded output not yet fully checked (the last n-1 chars carry over)
        self._tail = ""

    def feed(self, text: str) -> str | None:
        """The leak kind found, if any: ``canary`` or ``system_prompt``."""
        if self._canary is not None:
            joined = self._tail + text
            if self._canary in joined:
                return "canary"
            self._tail = joined[-len(self._canary):]
        if not self._set:
            return None
        norm = self._norm + _WS.sub(" ", text).lower()
        n, s = self._n, self._set
        for i in range(0, len(norm) - n + 1):
            if norm[i:i + n] in s:
                return "system_prompt"
        self._norm = norm[-(n - 1):] if len(norm) >= n else norm
        return None


class _Text:
    """One text stream (a choice's content, or a tool call's arguments): scan window, leak check, restore."""

    __slots__ = ("_f", "_held", "_leak", "_restorer")

    def __init__(self, f: OutputFilter, leak: bool) -> None:
        self._f = f
        self._held = ""
        self._leak = _Leak(f.state.system_prompt, f.cfg.leak_min_chars, f.state.canary) if leak else None
        self._restorer = Restorer(f.state.vault)

    def feed(self, delta: str, final: bool = False) -> str:
        text = self._held + delta
        if self._leak is not None:
            kind = self._leak.feed(delta)
            if kind is not None:
                self._f.leak(kind)
        if self._f.scanner is not None:
            text, self._held = self._f.scan(text, final)
        else:
            self._held = ""
        out = self._restorer.feed(text)
        if final:
            out += self._restorer.flush()
        return out


class OutputFilter:
    def __init__(self, state: GuardState) -> None:
        self.state = state
        self.cfg = state.policy.cfg.output
        on = self.cfg.enabled
        self.scanner = state.policy.output_scanner if on else None
        self.action = self.cfg.sensitive
        self.leak_action = self.cfg.system_prompt_leak if on else "off"
        self._texts: dict[tuple[int, Any], _Text] = {}
        self._leak_seen = False

    # -- shared by the text streams
    def scan(self, text: str, final: bool) -> tuple[str, str]:
        """Split ``text`` into what may be emitted now (sensitive values redacted, or a block) and
        the hold-back window kept for the next delta. A value is never cut in two."""
        assert self.scanner is not None
        found = [f for f in self.scanner.scan(text) if f.detector not in self.state.skipped]  # opt-outs: whole call
        safe = len(text) if final else max(0, len(text) - self.cfg.hold_back_chars)
        for f in found:
            if f.start < safe < f.end:
                safe = f.start
        out: list[str] = []
        pos = 0
        for f in found:
            if f.end > safe:
                break
            value = text[f.start:f.end]
            self.state.decisions.append({"detector": f.detector, "category": f.category, "action": self.action,
                                         "score": f.score, "role": "output", "value_hash": value_hash(value)})
            if self.action == "block":
                raise GuardBlocked(f"the answer contained sensitive data the gateway's policy blocks ({f.detector})",
                                   "sensitive_data", [f.detector])
            if self.action == "redact":
                out.append(text[pos:f.start])
                out.append(self.state.vault.placeholder(f.detector, value, keep=False))
                pos = f.end
        out.append(text[pos:safe])
        return "".join(out), text[safe:]

    def leak(self, kind: str) -> None:
        if self._leak_seen or self.leak_action == "off":
            return
        self._leak_seen = True
        self.state.decisions.append({"detector": f"output.{kind}_leak", "category": "leak",
                                     "action": self.leak_action, "score": 1.0, "role": "output"})
        if self.leak_action == "block":
            raise GuardBlocked("the answer was stopped: it repeated the confidential system prompt",
                               "system_prompt_leak", [f"output.{kind}_leak"])

    def _text(self, key: tuple[int, Any]) -> _Text:
        """The text stream of a choice's content (``(idx, "c")``) or of one tool call's arguments."""
        t = self._texts.get(key)
        if t is None:
            t = self._texts[key] = _Text(self, self.leak_action != "off")
        return t

    # -- streams
    def feed(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ch in chunk.get("choices") or ():
            idx = ch.get("index", 0)
            d = ch.get("delta") or {}
            finishing = ch.get("finish_reason") is not None
            if isinstance(d.get("content"), str):
                d["content"] = self._text((idx, "c")).feed(d["content"], finishing)
            for tc in d.get("tool_calls") or ():
                fn = tc.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    fn["arguments"] = self._text((idx, tc.get("index", 0))).feed(fn["arguments"], finishing)
            if finishing:
                delta = self._flush(idx)
                if delta:
                    head = {k: v for k, v in chunk.items() if k not in ("choices", "usage")}
                    out.append({**head, "choices": [{"index": idx, "delta": delta, "finish_reason": None}]})
        out.append(chunk)
        return out

    def _flush(self, idx: int) -> dict[str, Any]:
        """Whatever the text streams of choice ``idx`` still hold, as one delta."""
        delta: dict[str, Any] = {}
        for (i, k), t in self._texts.items():
            if i != idx:
                continue
            rest = t.feed("", True)
            if not rest:
                continue
            if k == "c":
                delta["content"] = rest
            else:
                delta.setdefault("tool_calls", []).append({"index": k, "function": {"arguments": rest}})
        return delta

    # -- whole answers
    def apply(self, chat: dict[str, Any]) -> dict[str, Any]:
        for ch in chat.get("choices") or ():
            m = ch.get("message") or {}
            idx = ch.get("index", 0)
            if isinstance(m.get("content"), str):
                m["content"] = self._text((idx, "c")).feed(m["content"], True)
            for n, tc in enumerate(m.get("tool_calls") or ()):
                fn = tc.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    fn["arguments"] = self._text((idx, n)).feed(fn["arguments"], True)
        return chat
