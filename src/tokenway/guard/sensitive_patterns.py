# ruff: noqa: RUF001  (multilingual keywords and samples: fullwidth colons, Cyrillic, CJK are intended)
"""The one candidate regex of the sensitive-data scanner and the engine that runs it.

Every detector contributes one alternative (a named group) to a single alternation; a
scan is one left-to-right pass of that regex over the text, and validators (checksums, phone
metadata, context) run only on what it yields. The syntax is the common subset of Python ``re``
and RE2: no look-around, no back-references, ASCII ``\\b`` (Python ``re`` is compiled with
``re.ASCII``, RE2's ``\\b`` is ASCII already), so CJK text next to a number is a word boundary in
both engines. Unbounded ``+``/``*`` instead of large ``{m,n}`` counts keep the RE2 program small;
lengths are checked by the validators.

Engine: RE2 (``google-re2``), chosen by measurement (``scripts/bench_guard_sensitive.py
--engines``, 1 KB and 16 KB chat/JSON/CSV/code prompts, all detectors): the regex pass alone takes
~2-9 us/KB with RE2 against ~550-650 us/KB with Python ``re``, which retries each alternative at
each position where RE2's lazily built DFA costs the same per byte however many detectors are on.
RE2 runs the alternation *without* capture groups (its submatch engine over a program this size
measured ~4x slower per match, and ``never_capture`` alone did not help); ``Re2Engine`` finds
which alternative matched in Python. Because the pass is this cheap, no pre-check runs before it:
a Python ``\\d{9}`` search costs 15-220 us per 16 KB, more than the digit alternatives add to the
RE2 pass (0-2 us/KB); the cheap checks sit after the pass, on candidates. Python ``re`` stays
available (``engine="re"``) for comparison and as a fallback if ``re2`` is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# The alternatives, in priority order (when two could start at the same position, the first
# listed wins). Names are internal "kinds"; a kind maps to one or more detector ids.
_ALTERNATIVES: tuple[tuple[str, str], ...] = (
    # -----BEGIN [RSA|EC|OPENSSH|ENCRYPTED|...] PRIVATE KEY----- ... -----END ... PRIVATE KEY-----;
    # the body may hold PEM headers (Proc-Type: 4,ENCRYPTED) and literal "\n" from JSON strings.
    (
        "pkey",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,\\]|-[A-Za-z0-9])*"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?",
    ),
    ("jwt", r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    ("anthropic", r"\bsk-ant-[A-Za-z0-9_\-]+"),
    ("openai", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]+"),
    ("github", r"\b(?:gh[pousr]_[A-Za-z0-9]+|github_pat_[A-Za-z0-9_]+)"),
    ("slack", r"\bxox[abposre]-[A-Za-z0-9\-]+"),
    ("slackhook", r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]+"),
    ("stripe", r"\b[rs]k_live_[A-Za-z0-9]+"),
    ("awskey", r"\b(?:AKIA|ASIA)[A-Z2-7]+\b"),
    (
        "awssecret",
        r"(?i:aws[_ \-]?secret(?:[_ \-]?access)?(?:[_ \-]?key)?|secret[_ \-]?access[_ \-]?key)"
        r"[\"']?\s*(?:[:=]|=>)\s*[\"']?[A-Za-z0-9/+]+",
    ),
    # scheme://user:password@host
    ("urlpw", r"\b[a-z][a-z0-9+.\-]*://[^\s/:@\"'<>]+:[^\s/@\"'<>]+@"),
    (
        "password",
        r"(?:(?i:passwor[dt]|passwd|passphrase|pwd|secret|mot de passe|contrase[ñÑn]a|kennwort|senha)"
        r"|[Пп]ароль|ПАРОЛЬ|密码|密碼|パスワード|口令|비밀번호)"
        r"[\"']?[ \t]*(?:[:=：]|==|=>)[ \t]*(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;]+)",
    ),
    (
        "email",
        r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b",
    ),
    ("iban", r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,8}(?: ?[A-Z0-9]{1,3})?\b"),
    (
        "it_cf",
        r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b",
    ),
    ("es_nie", r"\b[XYZ][ \-]?[0-9]{7}[ \-]?[A-Z]\b"),
    ("es_dni", r"\b[0-9]{8}[ \-]?[A-Z]\b"),
    ("uk_nino", r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b"),
    ("fr_nir_corse", r"\b[1-478] ?[0-9]{2} ?[0-9]{2} ?2[ABab] ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}\b"),
    ("ipv6", r"\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}"),
    ("ipv4", r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b"),
    # A run of digits with at most one separator (space, dash, dot, parentheses) between
    # consecutive digits: >= 7 digits after a "+" (international phone), else >= 9 (the shortest
    # national id / national phone number we report); optional trailing X (CN resident ID).
    (
        "num",
        r"\+[0-9](?:(?:[ \-.]|\) ?| ?\()?[0-9]){6,}[Xx]?\b"
        r"|\(?\b[0-9](?:(?:[ \-.]|\) ?| ?\()?[0-9]){8,}[Xx]?\b",
    ),
)

# Which alternatives a detector needs.
KIND_DETECTORS: dict[str, tuple[str, ...]] = {
    "pkey": ("secret.private_key",),
    "jwt": ("secret.jwt",),
    "anthropic": ("secret.anthropic",),
    "openai": ("secret.openai",),
    "github": ("secret.github",),
    "slack": ("secret.slack",),
    "slackhook": ("secret.slack",),
    "stripe": ("secret.stripe",),
    "awskey": ("secret.aws_access_key",),
    "awssecret": ("secret.aws_secret",),
    "urlpw": ("secret.password",),
    "password": ("secret.password",),
    "email": ("email",),
    "iban": ("iban",),
    "it_cf": ("national_id.it_cf",),
    "es_nie": ("national_id.es_nie",),
    "es_dni": ("national_id.es_dni",),
    "uk_nino": ("national_id.uk_nino",),
    "fr_nir_corse": ("national_id.fr_nir",),
    "ipv6": ("ip",),
    "ipv4": ("ip",),
    "num": (
        "card",
        "phone",
        "ip",
        "national_id.cn",
        "national_id.us_ssn",
        "national_id.in_aadhaar",
        "national_id.de_idnr",
        "national_id.fr_nir",
        "national_id.br_cpf",
        "national_id.kr_rrn",
        "national_id.jp_mynumber",
    ),
}


def kinds_for(detectors: frozenset[str]) -> tuple[str, ...]:
    """The alternatives needed for a set of detector ids, in priority order."""
    return tuple(k for k, _ in _ALTERNATIVES if any(d in detectors for d in KIND_DETECTORS[k]))


def build_pattern(kinds: tuple[str, ...]) -> str:
    source = dict(_ALTERNATIVES)
    return "|".join(f"(?P<{k}>{source[k]})" for k in kinds)


#: the kind an engine reports for a match of the "num" alternative made of digits only (the common case,
#: which the scanner skips at once when no detector can take it)
DIGITS = "digits"


class Engine:
    """Runs the alternation over a text; yields ``(kind, start, end)`` in character offsets."""

    name: str

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        raise NotImplementedError


class ReEngine(Engine):
    name = "re"

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self._rx = re.compile(build_pattern(kinds), re.ASCII)
        index = self._rx.groupindex
        self._names: dict[int, str] = {index[k]: k for k in kinds}

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        names = self._names
        for m in self._rx.finditer(text):
            kind = names[m.lastindex or 0]
            if kind == "num" and m.group().isdigit():
                kind = DIGITS
            yield kind, m.start(), m.end()


# Characters an alternative's match can start with (a superset is fine; a match starting with a
# character listed for no alternative is classified against all of them). Checked by the unit
# tests against the capture-group engine.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_DIGITS = "0123456789"
_FIRST: dict[str, str] = {
    "pkey": "-",
    "jwt": "e",
    "anthropic": "s",
    "openai": "s",
    "github": "g",
    "slack": "x",
    "slackhook": "h",
    "stripe": "rs",
    "awskey": "A",
    "awssecret": "aAsS",
    "urlpw": _LOWER,
    "password": "pPsSmMcCkK",  # and the non-ASCII keywords: not in the table, so all kinds
    "email": _LOWER + _UPPER + _DIGITS + "._%+-",
    "iban": _UPPER,
    "it_cf": _UPPER,
    "es_nie": "XYZ",
    "es_dni": _DIGITS,
    "uk_nino": _UPPER,
    "fr_nir_corse": "123478",
    "ipv6": _DIGITS + "abcdefABCDEF",
    "ipv4": _DIGITS,
    "num": _DIGITS + "+(",
}


def _hint(kind: str) -> Any:
    """A cheap necessary condition on the matched text (None: none)."""
    return {
        "email": lambda m: "@" in m,
        "urlpw": lambda m: "://" in m,
        "password": lambda m: ":" in m or "=" in m or "：" in m,
        "awssecret": lambda m: ":" in m or "=" in m,
        "ipv6": lambda m: ":" in m,
        "ipv4": lambda m: m.count(".") == 3,
        "es_dni": lambda m: m[-1].isalpha(),
        "fr_nir_corse": lambda m: not m[-1].isalpha(),
    }.get(kind)


class Re2Engine(Engine):
    """RE2 on the UTF-8 bytes of the text, without capture groups: its DFA finds each match and
    no submatch engine runs. Which alternative matched is found in Python: among the kinds that
    can start with the match's first character (and pass a cheap hint), the first whose own
    regex matches at that position — the alternation's leftmost-first rule. Byte offsets are
    mapped back to character offsets incrementally (linear in the text)."""

    name = "re2"

    def __init__(self, kinds: tuple[str, ...]) -> None:
        import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

        options = re2.Options()
        options.max_mem = 64 << 20
        source = dict(_ALTERNATIVES)
        # no groups at all (RE2's never_capture option alone measured 4x slower per match)
        self._raw: Any = re2.compile("|".join(f"(?:{source[k]})" for k in kinds), options)._regexp
        self._unanchored: Any = re2._Anchor.UNANCHORED
        entries = [(k, _hint(k), re.compile(source[k], re.ASCII)) for k in kinds]
        self._all = tuple(entries)
        self._num = "num" in kinds
        self._table: dict[str, tuple[tuple[str, Any, re.Pattern[str]], ...]] = {}
        for ch in {c for k in kinds for c in _FIRST[k]}:
            self._table[ch] = tuple(x for x in entries if ch in _FIRST[x[0]])

    def _classify(self, text: str, s: int, e: int) -> str:
        candidates = self._table.get(text[s], self._all)
        if len(candidates) == 1:
            return candidates[0][0]
        m = text[s:e]
        last = len(candidates) - 1
        for i, (kind, hint, rx) in enumerate(candidates):
            if hint is not None and not hint(m):
                continue
            if i == last or rx.match(text, s):
                return kind
        for kind, _, rx in self._all:  # not reached unless _FIRST is incomplete
            if rx.match(text, s):
                return kind
        return self._all[-1][0]

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        data = text.encode("utf-8")
        ascii_only = len(data) == len(text)
        match = self._raw.Match
        unanchored = self._unanchored
        classify = self._classify
        num = self._num
        end_b = len(data)
        pos = 0
        last_b = 0
        last_c = 0
        while pos <= end_b:
            s, e = match(unanchored, data, pos, end_b)[0]
            if s < 0:
                return
            pos = e if e > s else e + 1
            if not ascii_only:
                cs = last_c + len(data[last_b:s].decode("utf-8", "replace"))
                ce = cs + len(data[s:e].decode("utf-8", "replace"))
                last_b, last_c = e, ce
                s, e = cs, ce
            if num and text[s:e].isdigit():
                yield DIGITS, s, e  # only the digit-run alternative matches digits alone
            else:
                yield classify(text, s, e), s, e


class SpanFinder:
    """A plain pattern (keywords) run over a window of a text; returns ``(start, end)`` character
    offsets of its non-overlapping matches. RE2 when available, else Python ``re``."""

    def __init__(self, pattern: str, engine: str = "auto") -> None:
        self._raw: Any = None
        self._rx: re.Pattern[str] | None = None
        if engine in ("auto", "re2"):
            try:
                import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

                options = re2.Options()
                options.max_mem = 64 << 20
                self._raw = re2.compile(pattern, options)._regexp
                self._unanchored: Any = re2._Anchor.UNANCHORED
            except ImportError:
                if engine == "re2":
                    raise
        if self._raw is None:
            self._rx = re.compile(pattern)

    def spans(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        end = len(text) if end is None else end
        if self._rx is not None:
            return [m.span() for m in self._rx.finditer(text, start, end)]
        window = text[start:end]
        data = window.encode("utf-8")
        ascii_only = len(data) == len(window)
        out: list[tuple[int, int]] = []
        pos = 0
        n = len(data)
        match = self._raw.Match
        while pos <= n:
            s, e = match(self._unanchored, data, pos, n)[0]
            if s < 0:
                break
            if ascii_only:
                out.append((start + s, start + e))
            else:
                cs = len(data[:s].decode("utf-8", "replace"))
                out.append((start + cs, start + cs + len(data[s:e].decode("utf-8", "replace"))))
            pos = e if e > s else e + 1
        return out


def make_engine(kinds: tuple[str, ...], engine: str = "auto") -> Engine:
    if engine in ("auto", "re2"):
        try:
            return Re2Engine(kinds)
        except ImportError:
            if engine == "re2":
                raise
    return ReEngine(kinds)


ALL_KINDS: tuple[str, ...] = tuple(k for k, _ in _ALTERNATIVES)
