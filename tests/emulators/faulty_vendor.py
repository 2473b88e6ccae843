#!/usr/bin/env python3
"""A controllable, misbehaving OpenAI-chat vendor for reliability tests.

    python tests/emulators/faulty_vendor.py --port N --mode MODE [--tokens 5]

Binds 127.0.0.1 (``--port 0`` picks a free port) and prints ``listening on http://127.0.0.1:PORT``
once it accepts connections. Stdlib only (asyncio protocols); importable (``Vendor``, ``Mode``,
``serve``). Keep-alive HTTP/1.1, chunked SSE streams.

Endpoints

* ``POST /v1/chat/completions`` (any path ending in ``/chat/completions``): answers per the mode.
  An OK answer's text is ``tok0 tok1 ... tok{N-1}`` (``--tokens N``), streamed one token per SSE
  event (the first event carries ``role``), then a finish chunk, a usage chunk when
  ``stream_options.include_usage``, and ``data: [DONE]``.
* ``GET /health`` -> 200; ``GET /_stats`` -> JSON counts: ``requests`` (model calls received),
  ``completed`` (answered to the end), ``client_closed`` (calls whose connection the client closed
  before the answer was finished), ``mode``.
* ``POST /_mode`` with ``{"mode": "..."}`` switches the mode (and resets the ``flaky`` counter).

Modes

* ``ok``
* ``status:CODE[:retry-after=S]`` — every call answered CODE with an OpenAI-shaped error body.
* ``flaky:K[:CODE][:retry-after=S]`` — the first K calls answered CODE (default 500), then ``ok``.
* ``hang`` — read the request, never answer (gives up and closes after 60 s).
* ``slow-first-byte:S`` — nothing at all (not even headers) for S seconds, then ``ok``.
* ``slow-first-token:S`` — stream headers at once, the first event after S seconds.
* ``cut-stream:N`` — headers and N SSE events, then the socket is closed abruptly (no final
  chunk, no ``[DONE]``). Non-streaming: half a body, then the same.
* ``slow-stream:INTERVAL`` — INTERVAL seconds between SSE events (non-streaming: the whole answer
  after tokens x INTERVAL).

Every wait is bounded and ends early when the client goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

MAX_HANG_S = 60.0
MAX_BODY = 10 * 1024 * 1024
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
            529: "Overloaded"}
_ids = itertools.count(1)


@dataclass
class Mode:
    kind: str = "ok"
    code: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    n: int = 0

    @classmethod
    def parse(cls, text: str) -> Mode:
        parts = text.strip().split(":")
        kind, args = parts[0], parts[1:]
        m = cls(kind=kind)
        opts = [a for a in args if "=" in a]
        pos = [a for a in args if "=" not in a]
        for o in opts:
            k, _, v = o.partition("=")
            if k != "retry-after":
                raise ValueError(f"unknown option {k!r} in mode {text!r}")
            m.retry_after = v
        if kind == "ok" or kind == "hang":
            if pos:
                raise ValueError(f"mode {kind!r} takes no argument")
        elif kind == "status":
            m.code = int(pos[0])
        elif kind == "flaky":
            m.n = int(pos[0])
            if len(pos) > 1:
                m.code = int(pos[1])
        elif kind in ("slow-first-byte", "slow-first-token", "slow-stream"):
            m.seconds = float(pos[0])
        elif kind == "cut-stream":
            m.n = int(pos[0])
        else:
            raise ValueError(f"unknown mode {text!r}")
        return m


@dataclass
class Stats:
    requests: int = 0
    completed: int = 0
    client_closed: int = 0
    paths: dict[str, int] = field(default_factory=dict)


class Vendor:
    """Shared state of one emulator: the mode and the counters."""

    def __init__(self, mode: str = "ok", tokens: int = 5) -> None:
        self.mode_text = mode
        self.mode = Mode.parse(mode)
        self.tokens = max(1, tokens)
        self.stats = Stats()
        self.calls = 0  # model calls under the current mode (for flaky)

    def set_mode(self, mode: str) -> None:
        self.mode = Mode.parse(mode)
        self.mode_text = mode
        self.calls = 0

    def stats_json(self) -> dict[str, Any]:
        s = self.stats
        return {"requests": s.requests, "completed": s.completed, "client_closed": s.client_closed,
                "paths": s.paths, "mode": self.mode_text}


class Conn(asyncio.Protocol):
    """One client connection; requests are answered one at a time."""

    def __init__(self, vendor: Vendor) -> None:
        self.v = vendor
        self.buf = b""
        self.transport: Any = None
        self.busy = False
        self.active = False  # a model call is being answered
        self.self_closed = False
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None

    # --- transport
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.active and not self.self_closed:
            self.v.stats.client_closed += 1
        self.active = False
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if len(self.buf) > MAX_BODY + 65536:
            self._abort()
            return
        self._next()

    # --- parsing
    def _next(self) -> None:
        if self.busy or self.closed.done():
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buf[:end].decode("latin-1").split("\r\n")
        try:
            method, path, _ = head[0].split(" ", 2)
        except ValueError:
            self._abort()
            return
        headers = {}
        for line in head[1:]:
            k, _, val = line.partition(":")
            headers[k.strip().lower()] = val.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._abort()  # the gateway always sends Content-Length
            return
        n = int(headers.get("content-length") or 0)
        if len(self.buf) < end + 4 + n:
            return
        body = self.buf[end + 4:end + 4 + n]
        self.buf = self.buf[end + 4 + n:]
        self.busy = True
        keep_alive = headers.get("connection", "").lower() != "close"
        self.task = asyncio.get_running_loop().create_task(self._serve(method, path, body, keep_alive))

    async def _serve(self, method: str, path: str, body: bytes, keep_alive: bool) -> None:
        try:
            if method == "GET" and path == "/health":
                self._send(200, b'{"status":"ok"}')
            elif method == "GET" and path == "/_stats":
                self._send(200, json.dumps(self.v.stats_json()).encode())
            elif method == "POST" and path == "/_mode":
                try:
                    self.v.set_mode(json.loads(body)["mode"])
                    self._send(200, json.dumps({"mode": self.v.mode_text}).encode())
                except (ValueError, KeyError, TypeError) as e:
                    self._send(400, json.dumps({"error": str(e)}).encode())
            elif method == "POST" and path.endswith("/chat/completions"):
                await self._model_call(path, body)
            else:
                self._send(404, _error_body(f"no route for {method} {path}", "not_found"))
        except Exception as e:  # a bug here must not leave the client hanging
            print(f"faulty_vendor: {e!r}", file=sys.stderr, flush=True)
            self._abort()
            return
        self.busy = False
        if not keep_alive:
            self._close()
            return
        if self.buf:
            self._next()

    # --- answers
    async def _model_call(self, path: str, raw: bytes) -> None:
        v = self.v
        v.stats.requests += 1
        v.stats.paths[path] = v.stats.paths.get(path, 0) + 1
        v.calls += 1
        self.active = True
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            req = {}
        stream = bool(req.get("stream"))
        usage = bool((req.get("stream_options") or {}).get("include_usage"))
        model = str(req.get("model") or "faulty-model")
        m = v.mode
        kind = m.kind
        if kind == "flaky":
            if v.calls <= m.n:
                self._fail(m)
                return
            kind = "ok"
        if kind == "status":
            self._fail(m)
            return
        if kind == "hang":
            await self._sleep(MAX_HANG_S)
            self._abort()
            return
        if kind == "slow-first-byte" and await self._sleep(m.seconds):
            return
        interval = m.seconds if kind == "slow-stream" else 0.0
        texts = [("" if i == 0 else " ") + f"tok{i}" for i in range(v.tokens)]
        cid = f"chatcmpl-faulty{next(_ids)}"
        if not stream:
            if interval and await self._sleep(interval * len(texts)):
                return
            if kind == "slow-first-token" and await self._sleep(m.seconds):
                return
            out = json.dumps({
                "id": cid, "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(texts)},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": len(texts), "total_tokens": 3 + len(texts)},
            }).encode()
            if kind == "cut-stream":
                self._write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                            % (len(out), out[: len(out) // 2]))
                self._abort()
                return
            self._send(200, out)
            self._done()
            return
        self._write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n")
        if kind == "slow-first-token" and await self._sleep(m.seconds):
            return

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        events = [chunk({"role": "assistant", "content": t} if i == 0 else {"content": t})
                  for i, t in enumerate(texts)]
        events.append(chunk({}, "stop"))
        if usage:
            events.append({"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                           "model": model, "choices": [],
                           "usage": {"prompt_tokens": 3, "completion_tokens": len(texts),
                                     "total_tokens": 3 + len(texts)}})
        for i, ev in enumerate(events):
            if kind == "cut-stream" and i >= m.n:
                self._abort()
                return
            if i and interval and await self._sleep(interval):
                return
            self._chunk(b"data: " + json.dumps(ev).encode() + b"\n\n")
        if kind == "cut-stream":
            self._abort()
            return
        self._chunk(b"data: [DONE]\n\n")
        self._write(b"0\r\n\r\n")
        self._done()

    def _fail(self, m: Mode) -> None:
        code_name = {429: "rate_limit_exceeded", 503: "overloaded"}.get(m.code, "server_error")
        extra = f"Retry-After: {m.retry_after}\r\n" if m.retry_after is not None else ""
        self._send(m.code, _error_body(f"faulty vendor says {m.code}", code_name), extra)
        self._done()

    def _done(self) -> None:
        if self.active:
            self.active = False
            self.v.stats.completed += 1

    # --- I/O helpers
    async def _sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when the client went away meanwhile."""
        if seconds > 0 and not self.closed.done():
            await asyncio.wait([self.closed], timeout=min(seconds, MAX_HANG_S))
        return self.closed.done()

    def _write(self, data: bytes) -> None:
        if not self.closed.done() and not self.transport.is_closing():
            self.transport.write(data)

    def _chunk(self, data: bytes) -> None:
        self._write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send(self, status: int, body: bytes, extra: str = "") -> None:
        self._write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n{extra}\r\n".encode("latin-1") + body)

    def _abort(self) -> None:
        """Close abruptly (RST), as a crashing vendor would."""
        self.self_closed = True
        self.active = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def _close(self) -> None:
        self.self_closed = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def _error_body(message: str, code: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "server_error", "code": code, "param": None}}).encode()


async def serve(vendor: Vendor, port: int = 0, host: str = "127.0.0.1") -> asyncio.AbstractServer:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: Conn(vendor), host, port, reuse_address=True)


async def _main(ns: argparse.Namespace) -> None:
    vendor = Vendor(ns.mode, ns.tokens)
    server = await serve(vendor, ns.port, ns.host)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on http://{ns.host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mode", default="ok")
    p.add_argument("--tokens", type=int, default=5)
    ns = p.parse_args(argv)
    Mode.parse(ns.mode)  # fail fast on a typo
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(ns))


if __name__ == "__main__":
    main()
