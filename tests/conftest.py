"""Shared fixtures: real processes on loopback — the gateway, the fake vendor, emulators."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"
FAKE_UPSTREAM = SHARED_BENCH / "fake_upstream.py"
TOKENWAY = [sys.executable, "-m", "tokenway.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 15.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    end = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            httpx.get(url, timeout=1.0, verify=False)
            return
        except httpx.HTTPError as e:
            last = e
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s: {last}")


class Proc:
    """A child process with its port, log file and a stop() that always cleans up."""

    def __init__(self, args: list[str], port: int, log: Path, env: dict[str, str] | None = None,
                 health: str = "/healthz", scheme: str = "http") -> None:
        self.port = port
        self.log = log
        self.url = f"{scheme}://127.0.0.1:{port}"
        self._fh = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, stdout=self._fh, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})}, cwd=ROOT)
        wait_http(self.url + health, proc=self.proc)

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._fh.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_upstream(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start ../shared/bench/fake_upstream.py with extra flags; returns a Proc with .record (if --record)."""
    procs: list[Proc] = []
    if not FAKE_UPSTREAM.exists():
        pytest.skip(f"the shared fake vendor is not at {FAKE_UPSTREAM}")

    def start(*flags: str) -> Proc:
        port = free_port()
        p = Proc([sys.executable, str(FAKE_UPSTREAM), "--port", str(port), *flags], port,
                 tmp_path / f"upstream-{port}.log", health="/health")
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.stop()


@pytest.fixture
def start_gateway(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start ``tokenway serve`` on a config text (``${...}`` left for the gateway to resolve)."""
    procs: list[Proc] = []

    def start(config: str, env: dict[str, str] | None = None, args: list[str] | None = None,
              scheme: str = "http", name: str = "gateway.yaml") -> Proc:
        port = free_port()
        cfg = tmp_path / name
        cfg.write_text(config)
        p = Proc([*TOKENWAY, "serve", "--config", str(cfg), "--port", str(port), *(args or [])], port,
                 tmp_path / f"gateway-{port}.log", env=env, scheme=scheme)
        p.config_path = cfg  # type: ignore[attr-defined]
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.stop()


def bench_gateway(start_gateway: Callable[..., Proc], upstream: Proc, extra_env: dict[str, str] | None = None) -> Proc:
    """The gateway on examples/bench.yaml in front of ``upstream`` — the contract config, as is."""
    env = {"TOKENWAY_UPSTREAM_URL": upstream.url, "TOKENWAY_KEY": "sk-test-key", **(extra_env or {})}
    return start_gateway((ROOT / "examples" / "bench.yaml").read_text(), env=env)
