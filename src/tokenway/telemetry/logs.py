"""Structured JSON logs: one line per event on stderr, with the request id. No keys; request bodies only
with `logging.log_bodies`, redacted (telemetry/bodies.py)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Any

import orjson

_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class Log:
    def __init__(self, level: str = "info", access_log: bool = True) -> None:
        self.level = _LEVELS[level]
        self.access_log = access_log
        self._fd = sys.stderr.fileno() if hasattr(sys.stderr, "fileno") else 2
        self.pid = os.getpid()

    def _emit(self, level: str, event: str, fields: dict[str, Any]) -> None:
        rec = {"ts": round(time.time(), 3), "level": level, "event": event, **fields}
        with contextlib.suppress(OSError):
            os.write(self._fd, orjson.dumps(rec, default=str) + b"\n")

    def debug(self, event: str, **fields: Any) -> None:
        if self.level <= 10:
            self._emit("debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        if self.level <= 20:
            self._emit("info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        if self.level <= 30:
            self._emit("warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit("error", event, fields)

    def access(self, fields: dict[str, Any]) -> None:
        if self.access_log and self.level <= 20:
            self._emit("info", "request", fields)
