"""Request bodies for the access log (``logging.log_bodies: true``), redacted.

Every string in the client's JSON body goes through the guard's sensitive-data scanner with every
detector on (PII, national ids, secrets), and each value found is replaced by a typed placeholder
(``[EMAIL_1]``, ``[SECRET_1]``…), whatever the caller's guard policy — so a body line never holds a
value the scanner knows. Strings past ``max_chars`` of text are cut to a size marker. The work runs
after the answer was sent (``settle``), only when the option is on.
"""

from __future__ import annotations

from typing import Any

import orjson

from tokenway.guard.placeholders import Vault
from tokenway.guard.sensitive import GROUPS, SensitiveScanner


class BodyRedactor:
    def __init__(self, max_chars: int = 65536) -> None:
        self.scanner = SensitiveScanner(GROUPS)
        self.max_chars = max_chars

    def __call__(self, raw: bytes) -> Any:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {"unparsed_bytes": len(raw)}
        return _Walk(self, Vault()).value(body)


class _Walk:
    """One body: placeholders numbered across all its strings, one text budget."""

    __slots__ = ("budget", "r", "vault")

    def __init__(self, r: BodyRedactor, vault: Vault) -> None:
        self.r = r
        self.vault = vault
        self.budget = r.max_chars

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v

    def text(self, s: str) -> str:
        if self.budget <= 0:
            return f"[{len(s)} chars not logged]"
        if len(s) > self.budget:
            s, rest = s[:self.budget], len(s) - self.budget
            # a value cut in two at the edge would escape the scanner: drop the last word too
            s = s[:max(0, s.rfind(" "))]
            cut = f"[{rest + self.budget - len(s)} more chars not logged]"
            self.budget = 0  # the strings after this one are not logged either
        else:
            cut = ""
            self.budget -= len(s)
        found = self.r.scanner.scan(s)
        if not found:
            return s + cut
        out: list[str] = []
        pos = 0
        for f in found:
            out.append(s[pos:f.start])
            out.append(self.vault.placeholder(f.detector, s[f.start:f.end], keep=False))
            pos = f.end
        out.append(s[pos:])
        return "".join(out) + cut
