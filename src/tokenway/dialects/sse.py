"""Server-sent events: an incremental parser and the encoder."""

from __future__ import annotations

import orjson


class SSEParser:
    """Feed raw bytes as they arrive; get back complete ``(event, data)`` pairs.

    ``event`` is ``None`` when the event has no ``event:`` line; ``data`` is the raw bytes of the
    joined ``data:`` lines. Handles ``\\n\\n`` and ``\\r\\n\\r\\n`` separators and events split
    across reads.
    """

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> list[tuple[str | None, bytes]]:
        buf = self._buf + chunk if self._buf else chunk
        if b"\r" in buf:
            buf = buf.replace(b"\r\n", b"\n")
        out: list[tuple[str | None, bytes]] = []
        start = 0
        while True:
            end = buf.find(b"\n\n", start)
            if end < 0:
                break
            block = buf[start:end]
            start = end + 2
            ev = _parse_block(block)
            if ev is not None:
                out.append(ev)
        self._buf = buf[start:]
        return out

    def close(self) -> list[tuple[str | None, bytes]]:
        """Whatever complete event is left when the stream ends without a final blank line."""
        rest, self._buf = self._buf, b""
        ev = _parse_block(rest.strip(b"\n")) if rest.strip() else None
        return [ev] if ev is not None else []


def _parse_block(block: bytes) -> tuple[str | None, bytes] | None:
    event: str | None = None
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if line.startswith(b"data:"):
            v = line[5:]
            data.append(v[1:] if v[:1] == b" " else v)
        elif line.startswith(b"event:"):
            event = line[6:].strip().decode()
        # comments (":...") and id:/retry: lines are ignored
    if not data and event is None:
        return None
    return event, b"\n".join(data)


def encode(data: object, event: str | None = None) -> bytes:
    """One SSE event; ``data`` is JSON-encoded unless it is already bytes."""
    payload = data if isinstance(data, bytes) else orjson.dumps(data)
    if event is None:
        return b"data: " + payload + b"\n\n"
    return b"event: " + event.encode() + b"\ndata: " + payload + b"\n\n"


DONE = b"data: [DONE]\n\n"
