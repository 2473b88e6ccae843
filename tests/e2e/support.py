"""Helpers the end-to-end tests share: polling, the fake vendor's --record file, ledger rows."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def wait_for(pred: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``pred`` until it returns something truthy or ``timeout`` passes; its last value."""
    end = time.monotonic() + timeout
    while True:
        got = pred()
        if got or time.monotonic() >= end:
            return got
        time.sleep(interval)


class Recorder:
    """The JSON lines a vendor's ``--record`` appends (one per request it received)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def mark(self) -> int:
        return len(self.all())

    def since(self, mark: int, n: int = 1) -> list[dict[str, Any]]:
        """The lines after ``mark``, once at least ``n`` arrived (5 s at most); ``n=0`` reads without waiting."""
        wait_for(lambda: len(self.all()) - mark >= n, 5.0)
        return self.all()[mark:]


def ledger_row(data: Path, request_id: str, timeout: float = 15.0) -> dict[str, Any]:
    """The ledger's row for a request (the writer thread commits it shortly after the answer)."""
    db = data / "ledger.db"

    def get() -> dict[str, Any] | None:
        if not db.exists():
            return None
        conn = sqlite3.connect(db, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            r = conn.execute("SELECT * FROM usage WHERE request_id = ?", (request_id,)).fetchone()
        except sqlite3.OperationalError:
            return None
        finally:
            conn.close()
        return dict(r) if r is not None else None

    row = wait_for(get, timeout)
    assert row is not None, f"no ledger row for {request_id}"
    return row
