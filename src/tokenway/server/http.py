"""A lean HTTP/1.1 server on asyncio protocols and httptools.

Why not an ASGI server: the gateway's hot path is "parse a small JSON body, forward it, forward
the answer". Every framework layer costs CPU per request; measured here (docs/benchmarks.md) this
server plus the pooled client in ``upstream/`` is what lets one core serve >10k calls/s.

What it does: keep-alive, pipelined requests answered in order, Content-Length and chunked
request bodies, a body size limit, chunked streaming responses with write back-pressure, and
client-disconnect detection (the handler task is cancelled, which cancels the upstream call).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Any

import httptools

_REASONS = {
    200: b"OK", 201: b"Created", 204: b"No Content", 400: b"Bad Request", 401: b"Unauthorized",
    403: b"Forbidden", 404: b"Not Found", 405: b"Method Not Allowed", 408: b"Request Timeout",
    409: b"Conflict", 413: b"Payload Too Large", 415: b"Unsupported Media Type",
    422: b"Unprocessable Entity", 429: b"Too Many Requests", 500: b"Internal Server Error",
    501: b"Not Implemented", 502: b"Bad Gateway", 503: b"Service Unavailable",
    504: b"Gateway Timeout", 529: b"Site Overloaded",
}


MAX_HEAD_BYTES = 64 * 1024  # request line + headers of one request


def status_line(status: int) -> bytes:
    return b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Status"))


class Request:
    """One parsed request. ``headers`` keys are lower-case ``str``."""

    __slots__ = ("body", "client", "headers", "method", "path", "query", "raw_path")

    def __init__(self, method: str, raw_path: bytes, headers: dict[str, str], body: bytes,
                 client: str) -> None:
        self.method = method
        self.raw_path = raw_path
        q = raw_path.find(b"?")
        if q < 0:
            self.path = raw_path.decode("latin-1")
            self.query = ""
        else:
            self.path = raw_path[:q].decode("latin-1")
            self.query = raw_path[q + 1:].decode("latin-1")
        self.headers = headers
        self.body = body
        self.client = client


Handler = Callable[[Request, "Responder"], Awaitable[None]]
# (path, exception) -> (status, body): renders an error in the dialect the path implies
ErrorRenderer = Callable[[str, BaseException], tuple[int, bytes]]


class Responder:
    """How a handler answers: ``send`` a whole response, or ``start`` / ``write`` / ``end`` a stream."""

    __slots__ = ("_proto", "head_only", "keep_alive", "started", "status")

    def __init__(self, proto: HttpProtocol, keep_alive: bool, head_only: bool = False) -> None:
        self._proto = proto
        self.keep_alive = keep_alive
        self.head_only = head_only  # a HEAD request: headers (with the length), no body
        self.started = False
        self.status = 0

    def send(self, status: int, body: bytes, headers: bytes = b"",
             content_type: bytes = b"application/json") -> None:
        """A complete response. ``headers`` are extra ``Name: value\\r\\n`` lines."""
        self.started = True
        self.status = status
        conn = b"" if self.keep_alive else b"Connection: close\r\n"
        self._proto.write(
            b"%sContent-Type: %s\r\nContent-Length: %d\r\n%s%s\r\n%s"
            % (status_line(status), content_type, len(body), conn, headers, b"" if self.head_only else body)
        )

    def start(self, status: int, headers: bytes = b"", content_type: bytes = b"text/event-stream") -> None:
        """Begin a chunked response (used for SSE)."""
        self.started = True
        self.status = status
        conn = b"" if self.keep_alive else b"Connection: close\r\n"
        self._proto.write(
            b"%sContent-Type: %s\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n%s%s\r\n"
            % (status_line(status), content_type, conn, headers)
        )

    async def write(self, data: bytes) -> None:
        """One chunk of a started stream; waits while the client reads slowly."""
        if data:
            self._proto.write(b"%x\r\n%s\r\n" % (len(data), data))
            if self._proto.paused:
                await self._proto.drain()

    def end(self, trailer: bytes = b"") -> None:
        if trailer:
            self._proto.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(trailer), trailer))
        else:
            self._proto.write(b"0\r\n\r\n")

    @property
    def disconnected(self) -> bool:
        return self._proto.closed


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    __slots__ = (
        "_body", "_drain_waiter", "_handler", "_head", "_headers", "_in_body", "_max_body", "_on_error", "_parser",
        "_pending", "_size", "_task", "_too_large", "_url", "client", "closed", "loop", "paused", "transport",
    )

    def __init__(self, handler: Handler, max_body: int, on_error: ErrorRenderer) -> None:
        self.loop = asyncio.get_running_loop()
        self._handler = handler
        self._max_body = max_body
        self._on_error = on_error
        self._parser = httptools.HttpRequestParser(self)
        # (request, keep_alive) or (request, 413) for a body over the limit
        self._pending: collections.deque[tuple[Request, bool | int]] = collections.deque()
        self._task: asyncio.Task[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._head = 0
        self._in_body = False
        self._url = b""
        self._too_large = False
        self.transport: Any = None
        self.client = ""
        self.closed = False
        self.paused = False

    # --- transport callbacks
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.client = peer[0] if peer else ""

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        w = self._drain_waiter
        if w is not None and not w.done():
            w.set_exception(ConnectionResetError("client disconnected"))

    def data_received(self, data: bytes) -> None:
        self._head += len(data)  # bytes since the last head or message completed
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reject(400, b"upgrade is not supported")
        except httptools.HttpParserError as e:
            self._reject(400, f"malformed HTTP request: {e}".encode())
        # still reading a request head: bound it (the parser buffers a header line whole)
        if not self._in_body and self._head > MAX_HEAD_BYTES:
            self._reject(400, b"the request line and headers are larger than %d bytes" % MAX_HEAD_BYTES)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        w = self._drain_waiter
        if w is not None and not w.done():
            w.set_result(None)

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("client disconnected")
        if not self.paused:
            return
        self._drain_waiter = self.loop.create_future()
        await self._drain_waiter

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)

    # --- parser callbacks
    def on_message_begin(self) -> None:
        self._headers = {}
        self._body = []
        self._size = 0
        self._url = b""
        self._too_large = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        if key in self._headers:
            self._headers[key] += ", " + value.decode("latin-1")
        else:
            self._headers[key] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._in_body, self._head = True, 0
        cl = self._headers.get("content-length")
        if cl is not None and cl.isdigit() and int(cl) > self._max_body:
            self._too_large = True
        elif self._headers.get("expect", "").lower() == "100-continue":
            self.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # curl waits for this on large bodies

    def on_body(self, body: bytes) -> None:
        if self._too_large:
            return
        self._body.append(body)
        self._size += len(body)
        if self._size > self._max_body:
            self._too_large = True
            self._body = []

    def on_message_complete(self) -> None:
        self._in_body, self._head = False, 0
        keep_alive = self._parser.should_keep_alive()
        if self._too_large:
            self._pending.append((Request("POST", self._url, self._headers, b"", self.client), 413))
        else:
            body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
            method = self._parser.get_method().decode()
            req = Request(method, self._url, self._headers, body, self.client)
            self._pending.append((req, keep_alive))
        if self._task is None:
            self._next()

    # --- request dispatch
    def _next(self) -> None:
        while self._pending and not self.closed:
            req, ka = self._pending.popleft()
            if ka == 413:
                status, body = self._on_error(req.path, TooLarge())
                Responder(self, False).send(status, body)
                self.transport.close()
                self.closed = True
                return
            self._task = self.loop.create_task(self._run(req, bool(ka)))
            return
        self._task = None

    async def _run(self, req: Request, keep_alive: bool) -> None:
        resp = Responder(self, keep_alive, req.method == "HEAD")
        try:
            await self._handler(req, resp)
        except asyncio.CancelledError:
            self.closed = True
            if self.transport is not None:
                self.transport.close()
            return
        except Exception as e:  # last resort: the handler should have answered (on_error logs it)
            status, body = self._on_error(req.path, e)
            if not resp.started:
                resp.send(status, body)
            else:
                self.transport.close()
                self.closed = True
                return
        if not keep_alive:
            self.transport.close()
            self.closed = True
            return
        self._task = None
        if self._pending:
            self._next()

    def _reject(self, status: int, message: bytes) -> None:
        if not self.closed:
            status_, body = self._on_error(self._url.decode("latin-1"), BadHttp(message.decode("latin-1")))
            Responder(self, False).send(status_, body)
            self.transport.close()
            self.closed = True


class TooLarge(Exception):
    """The request body is over the configured limit."""


class BadHttp(Exception):
    """The bytes on the wire are not a valid HTTP/1.1 request."""


async def serve(handler: Handler, host: str, port: int, *, max_body: int,
                on_error: ErrorRenderer,
                ssl: Any = None, reuse_port: bool = False, sock: Any = None) -> asyncio.AbstractServer:
    loop = asyncio.get_running_loop()

    def factory() -> HttpProtocol:
        return HttpProtocol(handler, max_body, on_error)

    if sock is not None:
        return await loop.create_server(factory, sock=sock, ssl=ssl, backlog=2048)
    return await loop.create_server(factory, host, port, ssl=ssl, reuse_port=reuse_port, backlog=2048)
