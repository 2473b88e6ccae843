"""Start the server: event loop, TLS, workers, hot reload and graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
import ssl
import sys
from pathlib import Path

from tokenway.config import ConfigError, load_config
from tokenway.config.schema import Config
from tokenway.gateway import Gateway, Shared
from tokenway.ledger.ledger import from_config as ledger_from_config
from tokenway.server.app import App
from tokenway.server.http import serve

DRAIN_SECONDS = 30.0


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class Reloader:
    """Reload on SIGHUP or when the config file changes; a bad file keeps the old config."""

    def __init__(self, app: App, path: str | None) -> None:
        self.app = app
        self.path = path
        self._mtime = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = Path(self.path).stat() if self.path else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if st is not None else None

    def reload(self, reason: str) -> bool:
        log = self.app.gateway.log
        if not self.path:
            return False
        old = self.app.gateway.cfg
        try:
            cfg = load_config(self.path)
            gw = Gateway(cfg, self.app.shared)
        except ConfigError as e:
            log.error("config_reload_failed", path=self.path, reason=reason, problems=e.problems,
                      action="keeping the previous config")
            return False
        except Exception as e:  # a provider that cannot be built (e.g. unreadable key file)
            log.error("config_reload_failed", path=self.path, reason=reason, problems=[repr(e)],
                      action="keeping the previous config")
            return False
        if cfg.server != old.server:
            gw.log.warning("config_reload_partial", detail="server.* changes take effect on restart")
        self.app.gateway = gw
        gw.prepare_soon()  # the embedding model, the routers' examples: the first semantic calls wait for them
        self.app.metrics_enabled, self.app.metrics_path = cfg.metrics.enabled, cfg.metrics.path
        gw.log.info("config_reloaded", path=self.path, reason=reason, models=len(gw.router.routes),
                    keys=len(cfg.keys))
        return True

    async def watch(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            m = self._stat()
            if m is not None and m != self._mtime:
                # let the writer finish (a truncate-then-write can share one mtime tick): read the file
                # once its time and size have stayed the same for a moment
                for _ in range(25):
                    await asyncio.sleep(0.1)
                    again = self._stat()
                    if again == m:
                        break
                    m = again
                self._mtime = m
                self.reload("file changed")


async def run_worker(cfg: Config, config_path: str | None, host: str, port: int, *,
                     sock: socket.socket | None = None, ready_fd: int | None = None) -> None:
    shared = Shared()
    # the ledger first: replay whatever a killed process left in the journal before serving
    shared.ledger = ledger_from_config(cfg.ledger)
    replayed = await asyncio.to_thread(shared.ledger.open)
    app = App(Gateway(cfg, shared), shared)
    log = app.gateway.log
    if replayed:
        log.info("ledger_replayed", rows=replayed, path=cfg.ledger.path)
    if app.gateway.ledger.enabled or cfg.orgs or cfg.teams or cfg.users or any(k.budgets or k.limits
                                                                           for k in cfg.keys):
        # exact tokenizers for the configured models; loading holds the GIL, so before listening
        shared.tokenizers.preload(app.gateway.vendor_models())
        await asyncio.to_thread(shared.tokenizers.wait, 5.0)
    await app.gateway.ready()  # the embedding model and the routers' examples, when the config uses them
    ctx = tls_context(cfg.server.tls.cert, cfg.server.tls.key) if cfg.server.tls else None
    server = await serve(app.handle, host, port, max_body=cfg.server.max_body_bytes,
                         on_error=app.render_error, ssl=ctx, sock=sock)
    reloader = Reloader(app, config_path)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGHUP, lambda: reloader.reload("SIGHUP"))
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    watcher = loop.create_task(reloader.watch()) if config_path and cfg.server.reload else None
    bound = server.sockets[0].getsockname()
    scheme = "https" if ctx else "http"
    log.info("listening", url=f"{scheme}://{bound[0]}:{bound[1]}", pid=os.getpid(),
             models=sorted(app.gateway.router.routes))
    _tune_interpreter()
    if ready_fd is not None:
        os.write(ready_fd, b"%d\n" % bound[1])
    await stop.wait()
    # graceful: stop accepting, let calls in flight finish (bounded), then go
    app.draining = True
    server.close()
    if watcher:
        watcher.cancel()
    for _ in range(int(DRAIN_SECONDS * 10)):
        if app.inflight == 0:
            break
        await asyncio.sleep(0.1)
    shared.pools.close()
    await asyncio.to_thread(shared.ledger.close)
    log.info("stopped", pid=os.getpid())


def _tune_interpreter() -> None:
    """Latency tuning for a server whose loop shares the GIL with helper threads (the ledger
    writer, tokenizer and embedding workers): hand the GIL over every 0.5 ms instead of 5 ms, so a
    busy helper cannot stall the event loop for long; and move everything allocated at start-up
    out of the garbage collector's sight, with a larger young generation, so collections are
    rarer and shorter."""
    sys.setswitchinterval(0.0005)
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def _install_loop() -> None:
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:  # pragma: no cover - uvloop is a dependency
        pass


def serve_forever(cfg: Config, config_path: str | None, host: str, port: int, workers: int) -> int:
    _install_loop()
    if workers <= 1:
        asyncio.run(run_worker(cfg, config_path, host, port))
        return 0
    # N workers share one listening socket (the kernel spreads connections between them)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            try:
                asyncio.run(run_worker(cfg, config_path, host, port, sock=sock))
            finally:
                os._exit(0)
        children.append(pid)
    sock.close()

    def forward(sig: int, _frame: object) -> None:
        for c in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(c, sig)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    code = 0
    for c in children:
        while True:
            try:
                _, status = os.waitpid(c, 0)
                break
            except InterruptedError:
                continue
        code = code or os.waitstatus_to_exitcode(status)
    sys.stdout.flush()
    return code
