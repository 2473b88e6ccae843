"""The usage-ledger interface. ``tokenway.ledger.ledger.Ledger`` (journal + SQLite) and
``NullLedger`` implement it today; a Postgres ledger for many replicas implements the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from tokenway.ledger.row import UsageRow


class UsageLedger(Protocol):
    enabled: bool

    def open(self) -> int:
        """Make ready (replay anything a crash left behind); returns the rows recovered."""
        ...

    def record(self, row: UsageRow) -> None:
        """Durable on return, cheap enough for the request path (no database round trip)."""
        ...

    def flush(self, timeout: float = 5.0) -> None: ...

    def close(self, timeout: float = 10.0) -> None: ...

    def query_usage(self, *, by: str, since: float, until: float | None = None, group_by_day: bool = True,
                    filters: dict[str, str] | None = None) -> list[dict[str, Any]]: ...

    def totals(self, since: float, until: float | None = None,
               filters: dict[str, str] | None = None) -> dict[str, Any]: ...

    def rows(self, since: float, until: float | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]: ...
