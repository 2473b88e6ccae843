"""Typed placeholders for redaction and pseudonymization, and restoring them in streams.

``[EMAIL_1]``, ``[PHONE_2]``, ``[NATIONAL_ID_1]``… numbered per call and type. Pseudonymization
keeps the mapping so the vendor's answer gets the originals back — in whole answers, and in
streams even when a placeholder is split across chunks (``Restorer`` holds back a trailing
fragment that could still become a placeholder).
"""

from __future__ import annotations

import re

_TYPE_OF = {
    "email": "EMAIL", "phone": "PHONE", "card": "CARD", "iban": "IBAN", "ip": "IP",
}
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*_\d{1,4}\]")
_MAX_LEN = 32  # longest placeholder we mint


def type_of(detector: str) -> str:
    """The placeholder type of a detector id: email -> EMAIL, national_id.cn -> NATIONAL_ID, secret.x -> SECRET."""
    t = _TYPE_OF.get(detector)
    if t is not None:
        return t
    head = detector.split(".", 1)[0]
    return {"national_id": "NATIONAL_ID", "secret": "SECRET"}.get(head, head.upper().replace("-", "_"))


class Vault:
    """One call's placeholders. The same value always gets the same placeholder, and none is the
    same as a placeholder-like text the caller wrote (``reserve``), so restoring never rewrites it."""

    __slots__ = ("_by_value", "_counts", "_reserved", "originals")

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._reserved: set[str] = set()
        self.originals: dict[str, str] = {}  # placeholder -> value (pseudonymized only)

    def reserve(self, text: str) -> None:
        """Keep the placeholder-like strings of a caller's text from being minted."""
        if "[" in text:
            self._reserved.update(PLACEHOLDER.findall(text))

    def placeholder(self, detector: str, value: str, keep: bool) -> str:
        t = type_of(detector)
        key = (t, value)
        ph = self._by_value.get(key)
        if ph is None:
            n = self._counts.get(t, 0)
            while True:
                n += 1
                ph = f"[{t}_{n}]"
                if ph not in self._reserved:
                    break
            self._counts[t] = n
            self._by_value[key] = ph
        if keep:
            self.originals[ph] = value
        return ph

    def restore(self, text: str) -> str:
        if not self.originals or "[" not in text:
            return text
        return PLACEHOLDER.sub(lambda m: self.originals.get(m.group(0), m.group(0)), text)


class Restorer:
    """Streaming restore: feed text deltas, get restored text; a trailing fragment that may be
    the start of a placeholder is held until the next delta (or ``flush``)."""

    __slots__ = ("_held", "_vault")

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._held = ""

    def feed(self, delta: str) -> str:
        text = self._held + delta if self._held else delta
        cut = _partial_start(text)
        if cut < 0:
            self._held = ""
            return self._vault.restore(text)
        self._held = text[cut:]
        return self._vault.restore(text[:cut])

    def flush(self) -> str:
        rest, self._held = self._held, ""
        return self._vault.restore(rest)


_PREFIX = re.compile(r"\[[A-Z_]*\d{0,4}\Z")


def _partial_start(text: str) -> int:
    """Index of a trailing '[' that may begin a placeholder not finished yet, else -1."""
    i = text.rfind("[", max(0, len(text) - _MAX_LEN))
    if i < 0 or "]" in text[i:]:
        return -1
    return i if _PREFIX.match(text, i) else -1
