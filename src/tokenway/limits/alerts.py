"""Budget alerts: a sink interface and a webhook that POSTs JSON off the hot path."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson

from tokenway.telemetry.logs import Log
from tokenway.upstream.client import Pools


class AlertSink(Protocol):
    def send(self, event: dict[str, Any]) -> None:
        """Hand over one alert. Must not block and must not raise."""
        ...


class WebhookAlerts:
    """POSTs each alert as JSON to ``url`` from a background task.

    ``send`` only enqueues (a bounded queue: when it is full the alert is dropped and logged); the
    task, started on the first ``send``, posts one alert at a time through the gateway's pooled
    client, with ``timeout_s`` for the whole exchange. Failures are logged and counted, never raised.
    """

    def __init__(self, url: str, timeout_s: float = 5.0, log: Log | None = None, *,
                 pools: Pools | None = None, queue_size: int = 1024) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"alerts.webhook_url must be an http(s) URL, got {url!r}")
        self.url = url
        self._where = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"  # logged: no path (it may hold a token)
        self.timeout_s = timeout_s
        self.log = log or Log("warning", access_log=False)
        self._pools = pools
        self._own_pools = pools is None
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(queue_size)
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def send(self, event: dict[str, Any]) -> None:
        try:
            if self._task is None or self._task.done():
                self._task = asyncio.get_running_loop().create_task(self._run())
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            self.log.warning("alert_dropped", reason="queue full", url=self._where)
        except Exception as e:  # e.g. no running loop: never raise into the caller
            self.dropped += 1
            self.log.warning("alert_dropped", reason=str(e), url=self._where)

    async def flush(self) -> None:
        """Wait until every queued alert was posted (or failed)."""
        if self._task is not None and not self._task.done():
            await self._queue.join()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._own_pools and self._pools is not None:
            self._pools.close()

    async def _run(self) -> None:
        if self._pools is None:
            self._pools = Pools()
        pool = self._pools.get(self.url, connect_timeout=self.timeout_s)
        head = (f"POST {self._path} HTTP/1.1\r\nHost: {pool.host_header}\r\n"
                "Content-Type: application/json\r\nUser-Agent: tokenway/0.1\r\n").encode("latin-1")
        loop = asyncio.get_running_loop()
        q = self._queue
        while True:
            event = await q.get()
            try:
                body = orjson.dumps(event, default=str)
                async with asyncio.timeout(self.timeout_s):
                    resp = await pool.request(head, body, deadline=loop.time() + self.timeout_s)
                    await resp.read()
                if 200 <= resp.status < 300:
                    self.sent += 1
                else:
                    self.failed += 1
                    self.log.warning("alert_failed", url=self._where, status=resp.status)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.failed += 1
                self.log.warning("alert_failed", url=self._where, error=f"{type(e).__name__}: {e}")
            finally:
                q.task_done()
