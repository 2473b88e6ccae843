#!/usr/bin/env python3
"""A tiny OpenAI-chat + Anthropic-messages vendor for the guard's end-to-end tests.

    python tests/emulators/guard_vendor.py --port N [--chunk 3] [--record FILE]

Binds 127.0.0.1 (``--port 0`` picks a free port) and prints ``listening on http://127.0.0.1:PORT``.
Stdlib only. Serves ``POST /v1/chat/completions`` and ``POST /v1/messages`` (whole and
``"stream": true``), ``GET /health``.

What it answers is chosen by the last user message (so one process serves every test):

* ``recite card`` -> a fixed sentence holding a Luhn-valid (non-test) Visa number (``CARD``);
* ``recite ssn`` -> a fixed sentence holding a valid US SSN (``SSN``);
* ``recite system`` -> the request's system prompt, verbatim (canary and all);
* anything else -> the last user message, verbatim (an echo).

When the request offers tools and the last user message is one of the recitals above, the answer
is instead a call of the first tool with ``{"note": <the recital>}`` as its arguments (streamed as
argument / ``input_json_delta`` pieces of ``--chunk`` characters).

Streams are cut into pieces of ``--chunk`` characters (default 3), one SSE event each, so any
placeholder such as ``[EMAIL_1]`` is split across events. ``--record FILE`` appends one JSON line
per request: ``{"path": ..., "body": {...}}`` (what the vendor received).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CARD = "4539 1488 0343 6467"
SSN = "536-22-1234"
RECITALS = {
    "recite card": f"The card on file is {CARD}, expiring 12/29. Anything else?",
    "recite ssn": f"Sure. Your social security number (SSN) is {SSN} as registered.",
}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def last_user_text(body: dict[str, Any]) -> str:
    for m in reversed(body.get("messages") or []):
        if isinstance(m, dict) and m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, list) and c and all(isinstance(b, dict) and b.get("type") == "tool_result" for b in c):
                return " ".join(_text_of(b.get("content")) for b in c)
            return _text_of(c)
    return ""


def system_text(body: dict[str, Any], anthropic: bool) -> str:
    if anthropic:
        return _text_of(body.get("system"))
    return "\n".join(_text_of(m.get("content")) for m in body.get("messages") or []
                     if isinstance(m, dict) and m.get("role") in ("system", "developer"))


def tool_call(body: dict[str, Any], anthropic: bool) -> tuple[str, str] | None:
    """(tool name, JSON arguments) when the request offers a tool and asks for a recital."""
    recital = RECITALS.get(last_user_text(body).strip())
    tools = body.get("tools") or []
    if recital is None or not tools or not isinstance(tools[0], dict):
        return None
    name = tools[0].get("name") if anthropic else (tools[0].get("function") or {}).get("name")
    return (name, json.dumps({"note": recital})) if isinstance(name, str) else None


def answer(body: dict[str, Any], anthropic: bool) -> str:
    last = last_user_text(body).strip()
    if last == "recite system":
        return system_text(body, anthropic)
    return RECITALS.get(last, last_user_text(body))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, chunk: int, record: str | None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.chunk = chunk
        self.record_path = record
        self.lock = threading.Lock()

    def record(self, path: str, body: Any) -> None:
        if self.record_path:
            with self.lock, open(self.record_path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": path, "body": body}, ensure_ascii=False) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200 if self.path == "/health" else 404, {"ok": self.path == "/health"})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        self.server.record(self.path, body)
        anthropic = self.path.endswith("/messages")
        if not anthropic and not self.path.endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        call = tool_call(body, anthropic)
        text = call[1] if call else answer(body, anthropic)
        n = self.server.chunk
        pieces = [text[i:i + n] for i in range(0, len(text), n)] or [""]
        prompt = max(1, len(json.dumps(body.get("messages"))) // 4)
        model = body.get("model", "m")
        rid = uuid.uuid4().hex[:16]
        tool = call[0] if call is not None else None
        if body.get("stream"):
            self._stream((_anthropic_events if anthropic else _openai_events)(pieces, model, rid, prompt, tool))
        else:
            whole = _anthropic_whole if anthropic else _openai_whole
            self._send(200, whole(text, model, rid, prompt, len(pieces), tool))

    def _stream(self, events: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for ev in events:
            self.wfile.write(f"{len(ev):x}\r\n".encode() + ev + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def _openai_whole(text: str, model: str, rid: str, prompt: int, n: int, tool: str | None) -> dict[str, Any]:
    """A chat completion: ``text`` as the content, or with ``tool`` as that tool call's arguments."""
    message: dict[str, Any] = {"role": "assistant", "content": text} if tool is None else {
        "role": "assistant", "content": None,
        "tool_calls": [{"id": f"call_{rid}", "type": "function", "function": {"name": tool, "arguments": text}}]}
    return {"id": f"chatcmpl-{rid}", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool else "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": n, "total_tokens": prompt + n}}


def _anthropic_whole(text: str, model: str, rid: str, prompt: int, n: int, tool: str | None) -> dict[str, Any]:
    """A message: ``text`` as a text block, or with ``tool`` a tool_use block whose input is ``text`` (JSON)."""
    block = {"type": "text", "text": text} if tool is None else {
        "type": "tool_use", "id": f"toolu_{rid}", "name": tool, "input": json.loads(text)}
    return {"id": f"msg_{rid}", "type": "message", "role": "assistant", "model": model, "content": [block],
            "stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": n}}


def _sse(obj: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return (head + "data: " + json.dumps(obj) + "\n\n").encode()


def _openai_events(pieces: list[str], model: str, rid: str, prompt: int, tool: str | None = None) -> list[bytes]:
    """Text deltas, or with ``tool`` one call of that tool whose arguments arrive in ``pieces``."""
    base = {"id": f"chatcmpl-{rid}", "object": "chat.completion.chunk", "created": 1, "model": model}
    if tool is None:
        start: dict[str, Any] = {"role": "assistant", "content": ""}
        deltas = [{"content": p} for p in pieces]
    else:
        start = {"role": "assistant", "content": None, "tool_calls": [
            {"index": 0, "id": f"call_{rid}", "type": "function", "function": {"name": tool, "arguments": ""}}]}
        deltas = [{"tool_calls": [{"index": 0, "function": {"arguments": p}}]} for p in pieces]
    out = [_sse({**base, "choices": [{"index": 0, "delta": start, "finish_reason": None}]})]
    out += [_sse({**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}) for d in deltas]
    finish = "tool_calls" if tool else "stop"
    out.append(_sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
    out.append(_sse({**base, "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": len(pieces),
                                                      "total_tokens": prompt + len(pieces)}}))
    out.append(b"data: [DONE]\n\n")
    return out


def _anthropic_events(pieces: list[str], model: str, rid: str, prompt: int, tool: str | None = None) -> list[bytes]:
    """Text deltas, or with ``tool`` one ``tool_use`` block whose input arrives in ``pieces``."""
    if tool is None:
        block: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in pieces]
    else:
        block = {"type": "tool_use", "id": f"toolu_{rid}", "name": tool, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces]
    out = [_sse({"type": "message_start", "message": {
        "id": f"msg_{rid}", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": prompt, "output_tokens": 1}}},
        "message_start"),
        _sse({"type": "content_block_start", "index": 0, "content_block": block}, "content_block_start")]
    out += [_sse({"type": "content_block_delta", "index": 0, "delta": d}, "content_block_delta") for d in deltas]
    out.append(_sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    out.append(_sse({"type": "message_delta", "delta": {"stop_reason": "tool_use" if tool else "end_turn",
                                                        "stop_sequence": None},
                     "usage": {"output_tokens": len(pieces)}}, "message_delta"))
    out.append(_sse({"type": "message_stop"}, "message_stop"))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--chunk", type=int, default=3, help="characters per streamed event")
    ap.add_argument("--record", help="append one JSON line per request to this file")
    args = ap.parse_args(argv)
    server = Server(args.port, max(1, args.chunk), args.record)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
