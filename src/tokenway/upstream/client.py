"""A pooled keep-alive HTTP/1.1 client for upstream calls.

One ``Pool`` per origin (scheme, host, port). A connection carries one request at a time and goes
back to the pool when its response has been read to the end. Reading a response is either whole
(``read()``) or chunk by chunk (``chunks()``) for streams; httptools undoes chunked encoding.

Timeouts are loop timers, not wrapper tasks: ``deadline`` (absolute loop time) bounds the whole
exchange; ``first_byte_timeout`` bounds the wait for the first body bytes.
"""

from __future__ import annotations

import asyncio
import collections
import ssl as ssl_module
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httptools


class ConnectError(Exception):
    """Could not connect to the vendor (refused, DNS, TLS)."""


class ReadTimeout(Exception):
    """The vendor did not answer in time."""


class Disconnected(Exception):
    """The vendor closed the connection before the response was complete."""


class UpstreamConnection(asyncio.Protocol):
    __slots__ = (
        "_chunks", "_complete", "_error", "_headers", "_keep_alive", "_parser", "_pool", "_timer", "_waiter",
        "body_seen", "closed", "headers", "loop", "status", "transport",
    )

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self.loop = pool.loop
        self.transport: Any = None
        self.closed = False
        self._reset()

    def _reset(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._complete = False
        self._error: BaseException | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self._headers: list[tuple[bytes, bytes]] = []
        self._keep_alive = False
        self.body_seen = False

    # --- transport callbacks
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        if not self._complete and self._error is None:
            self._error = Disconnected("vendor closed the connection" + (f": {exc}" if exc else ""))
        self._wake()

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._error = Disconnected(f"malformed response from vendor: {e}")
            self.transport.close()
            self._wake()

    # --- parser callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        self._keep_alive = self._parser.should_keep_alive()  # (llhttp forgets it once the message ends)
        self.headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self._headers}
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.body_seen = True
        self._chunks.append(body)
        self._wake()

    def on_message_complete(self) -> None:
        self._complete = True
        self._wake()

    # --- internals
    def _wake(self) -> None:
        w = self._waiter
        if w is not None and not w.done():
            w.set_result(None)

    def _on_timeout(self) -> None:
        if not self._complete:
            self._error = ReadTimeout("vendor did not answer in time")
            self.transport.close()
            self._wake()

    async def _wait(self) -> None:
        if self._error is not None:
            raise self._error
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self._error is not None and not self._chunks and not self._complete:
            raise self._error

    def _set_timer(self, when: float | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if when is not None:
            self._timer = self.loop.call_at(when, self._on_timeout)

    # --- the API used by Pool / Response
    def send(self, data: bytes, deadline: float | None) -> None:
        self._reset()
        self._set_timer(deadline)
        self.transport.write(data)

    def release(self) -> None:
        """The response is done with: back to the pool if reusable, else closed."""
        self._set_timer(None)
        if self._complete and not self.closed and self._keep_alive:
            self._pool._put(self)
        else:
            self.abort()

    def abort(self) -> None:
        self._set_timer(None)
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.close()


class Response:
    """An upstream response: status and headers now, the body whole or in chunks."""

    __slots__ = ("_conn", "headers", "status")

    def __init__(self, conn: UpstreamConnection) -> None:
        self._conn = conn
        self.status = conn.status
        self.headers = conn.headers

    async def read(self) -> bytes:
        c = self._conn
        try:
            while not c._complete:
                await c._wait()
                if c._error is not None and not c._complete:
                    raise c._error
            data = b"".join(c._chunks)
            c._chunks.clear()
        except BaseException:
            c.abort()
            raise
        c.release()
        return data

    async def first_chunk(self, timeout_at: float | None) -> bytes:
        """Wait (up to ``timeout_at``) for the first body bytes of a stream."""
        c = self._conn
        if timeout_at is not None and not c._chunks and not c._complete:
            c._set_timer(timeout_at)
        try:
            while not c._chunks and not c._complete:
                await c._wait()
        except BaseException:
            c.abort()
            raise
        return c._chunks.popleft() if c._chunks else b""

    async def chunks(self, deadline: float | None) -> AsyncIterator[bytes]:
        """The rest of the body as it arrives."""
        c = self._conn
        c._set_timer(deadline)
        try:
            while True:
                while c._chunks:
                    yield c._chunks.popleft()
                if c._complete:
                    break
                await c._wait()
                if c._error is not None and not c._chunks:
                    raise c._error
        except BaseException:
            c.abort()
            raise
        c.release()

    def close(self) -> None:
        """Give up on the rest of the body (the connection is not reused)."""
        self._conn.abort()


class Pool:
    """Keep-alive connections to one origin."""

    def __init__(self, url: str, *, ssl: ssl_module.SSLContext | None = None,
                 connect_timeout: float = 10.0, max_idle: int = 512) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme or "http"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        default_port = self.port == (443 if self.scheme == "https" else 80)
        self.host_header = self.host if default_port else f"{self.host}:{self.port}"
        self.ssl = ssl if ssl is not None else (ssl_module.create_default_context()
                                                 if self.scheme == "https" else None)
        self.connect_timeout = connect_timeout
        self.max_idle = max_idle
        self.loop = asyncio.get_running_loop()
        self._idle: collections.deque[UpstreamConnection] = collections.deque()

    def _put(self, conn: UpstreamConnection) -> None:
        if len(self._idle) < self.max_idle:
            self._idle.append(conn)
        else:
            conn.abort()

    async def _connect(self) -> UpstreamConnection:
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, proto = await self.loop.create_connection(
                    lambda: UpstreamConnection(self), self.host, self.port, ssl=self.ssl,
                    server_hostname=self.host if self.ssl else None,
                )
        except (OSError, TimeoutError, ssl_module.SSLError) as e:
            raise ConnectError(f"cannot connect to {self.scheme}://{self.host_header}: {e}") from e
        return proto

    async def request(self, head: bytes, body: bytes, *, deadline: float | None = None) -> Response:
        """Send one request (``head`` = request line + headers, without the final CRLF) and wait
        for the response headers. Retries once on a fresh connection if a pooled keep-alive
        connection turns out to be stale (closed before any response byte)."""
        data = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
        conn = None
        while self._idle and conn is None:
            c = self._idle.pop()
            conn = None if c.closed else c
        if conn is not None:
            try:
                return await self._exchange(conn, data, deadline)
            except Disconnected:
                pass  # a stale keep-alive connection: once more on a fresh one
        return await self._exchange(await self._connect(), data, deadline)

    @staticmethod
    async def _exchange(conn: UpstreamConnection, data: bytes, deadline: float | None) -> Response:
        conn.send(data, deadline)
        try:
            while not conn.status:
                await conn._wait()
        except BaseException:
            conn.abort()
            raise
        return Response(conn)

    def close(self) -> None:
        while self._idle:
            self._idle.pop().abort()


class Pools:
    """Pools by origin, shared across config reloads."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, int, str, bool], Pool] = {}

    def get(self, base_url: str, *, verify: bool = True, ca_file: str | None = None,
            connect_timeout: float = 10.0) -> Pool:
        parts = urlsplit(base_url)
        key = (parts.scheme + "://" + (parts.netloc or ""), 0, ca_file or "", verify)
        pool = self._pools.get(key)
        if pool is None:
            ctx = None
            if parts.scheme == "https":
                ctx = ssl_module.create_default_context(cafile=ca_file)
                if not verify:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl_module.CERT_NONE
            pool = Pool(base_url, ssl=ctx, connect_timeout=connect_timeout)
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        for p in self._pools.values():
            p.close()
