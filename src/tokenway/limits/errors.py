"""Refusals from limits and budgets, with structured ``details`` for the error renderers."""

from __future__ import annotations

from typing import Any

from tokenway.errors import GatewayError, RateLimited


class BudgetExceeded(GatewayError):
    """A hard budget would be overspent: 429 ``budget_exceeded``, ``x-should-retry: false``.

    ``details``: ``level``, ``id``, ``window``, ``limit``, ``unit`` (tokens | usd), ``reset_at``
    (ISO 8601, None for ``total`` budgets), plus ``rolling`` and ``model``.
    """

    status = 429
    code = "budget_exceeded"
    type = "insufficient_quota"

    def __init__(self, message: str, *, details: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.details = details


class RateLimitExceeded(RateLimited):
    """An rpm, tpm or concurrency limit: 429 ``rate_limit_exceeded`` with ``retry-after``.

    ``details``: ``level``, ``id``, ``limit`` (``rpm`` | ``tpm`` | ``concurrency``), ``value``,
    ``reset_at`` (ISO 8601, None for concurrency).
    """

    def __init__(self, message: str, *, details: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.details = details
