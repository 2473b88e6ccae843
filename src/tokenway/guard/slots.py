"""Every piece of text a call carries, as editable slots, whatever the dialect.

A ``Slot`` is (container, key, role): ``slot.text`` reads it, ``slot.set(new)`` writes it back in
place, so redaction and pseudonymization change exactly what the vendor will receive. Roles:
``system``, ``developer``, ``user``, ``assistant``, ``tool`` (tool results — where indirect
injection arrives), ``tool_call`` (arguments the model produced), ``tool_definition``
(tool names and descriptions), ``input`` (embeddings).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Slot:
    __slots__ = ("container", "key", "role")

    def __init__(self, container: Any, key: Any, role: str) -> None:
        self.container = container
        self.key = key
        self.role = role

    @property
    def text(self) -> str:
        return self.container[self.key]

    def set(self, value: str) -> None:
        self.container[self.key] = value


def slots(body: dict[str, Any], dialect: str) -> list[Slot]:
    """The text slots of a request body: ``dialect`` is ``openai`` (the canonical chat shape,
    also used for Responses calls once translated), ``anthropic`` or ``embeddings``."""
    if dialect == "anthropic":
        return list(_anthropic(body))
    if dialect == "embeddings":
        return list(_embeddings(body))
    return list(_openai(body))


def _str(container: Any, key: Any) -> bool:
    return isinstance(container[key], str) and bool(container[key])


def _openai(body: dict[str, Any]) -> Iterator[Slot]:
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        role = m.get("role") if isinstance(m.get("role"), str) else "user"
        c = m.get("content")
        if isinstance(c, str):
            if c:
                yield Slot(m, "content", role)
        elif isinstance(c, list):
            for part in c:
                if isinstance(part, dict) and part.get("type") in ("text", "input_text", "output_text") \
                        and _str(part, "text"):
                    yield Slot(part, "text", role)
        for tc in m.get("tool_calls") or ():
            fn = tc.get("function") if isinstance(tc, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), str) and fn["arguments"]:
                yield Slot(fn, "arguments", "tool_call")
    yield from _tool_defs(body.get("tools"), nested="function")


def _tool_defs(tools: Any, nested: str | None) -> Iterator[Slot]:
    for t in tools or ():
        if not isinstance(t, dict):
            continue
        d = t.get(nested) if nested and isinstance(t.get(nested), dict) else t
        if isinstance(d.get("description"), str) and d["description"]:
            yield Slot(d, "description", "tool_definition")


def _anthropic(body: dict[str, Any]) -> Iterator[Slot]:
    sys_ = body.get("system")
    if isinstance(sys_, str):
        if sys_:
            yield Slot(body, "system", "system")
    elif isinstance(sys_, list):
        for b in sys_:
            if isinstance(b, dict) and isinstance(b.get("text"), str) and b["text"]:
                yield Slot(b, "text", "system")
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        role = m.get("role") if isinstance(m.get("role"), str) else "user"
        c = m.get("content")
        if isinstance(c, str):
            if c:
                yield Slot(m, "content", role)
            continue
        for b in c if isinstance(c, list) else ():
            if not isinstance(b, dict):
                continue
            kind = b.get("type")
            if kind == "text" and _str(b, "text"):
                yield Slot(b, "text", role)
            elif kind == "tool_result":
                rc = b.get("content")
                if isinstance(rc, str):
                    if rc:
                        yield Slot(b, "content", "tool")
                elif isinstance(rc, list):
                    for rb in rc:
                        if isinstance(rb, dict) and rb.get("type") == "text" and _str(rb, "text"):
                            yield Slot(rb, "text", "tool")
            elif kind == "tool_use" and isinstance(b.get("input"), dict):
                yield from _json_strings(b["input"], "tool_call")
    yield from _tool_defs(body.get("tools"), nested=None)


def _json_strings(value: Any, role: str) -> Iterator[Slot]:
    """String leaves of a JSON value (tool inputs), as slots."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                if v:
                    yield Slot(value, k, role)
            else:
                yield from _json_strings(v, role)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                if v:
                    yield Slot(value, i, role)
            else:
                yield from _json_strings(v, role)


def _embeddings(body: dict[str, Any]) -> Iterator[Slot]:
    inp = body.get("input")
    if isinstance(inp, str):
        if inp:
            yield Slot(body, "input", "input")
    elif isinstance(inp, list):
        for i, v in enumerate(inp):
            if isinstance(v, str) and v:
                yield Slot(inp, i, "input")
