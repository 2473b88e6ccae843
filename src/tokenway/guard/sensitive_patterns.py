"""The one candidate regex of the sensitive-data scanner and the engine that runs it.

Every detector contributes one alternative (a top-level named group) to a single alternation; a
scan is one left-to-right pass of that regex over the text, and validators (checksums, phone
metadata, context) run only on what it yields. The syntax is the common subset of Python ``re``
and RE2: no look-around, no back-references, ASCII ``\\b`` (Python ``re`` is compiled with
``re.ASCII``, RE2's ``\\b`` is ASCII already), so CJK text next to a number is a word boundary in
both engines. Unbounded ``+``/``*`` instead of large ``{m,n}`` counts keep the RE2 program small;
lengths are checked by the validators.

Engine: RE2 (``google-re2``), chosen by measurement (``scripts/bench_guard_sensitive.py
--engines``): a lazily built DFA over the whole alternation costs the same per byte however many
detectors are on, where Python ``re`` retries each alternative at each position. Python ``re``
stays available (``engine="re"``) for comparison and as a fallback if ``re2`` is missing.
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
    # A run of >= 7 digits with at most one separator (space, dash, dot, parentheses) between
    # consecutive digits, optional leading "+" or "(", optional trailing X (CN resident ID).
    ("num", r"[+(]?\b[0-9](?:(?:[ \-.]|\) ?| ?\()?[0-9]){6,}[Xx]?\b"),
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
            yield names[m.lastindex or 0], m.start(), m.end()


class Re2Engine(Engine):
    """RE2 on the UTF-8 bytes of the text. Only the top-level alternatives are capture groups, so
    RE2 finds each match with its DFA and runs its submatch engine only over the matched bytes.
    Byte offsets are mapped back to character offsets incrementally (linear in the text)."""

    name = "re2"

    def __init__(self, kinds: tuple[str, ...]) -> None:
        import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

        options = re2.Options()
        options.max_mem = 64 << 20
        self._rx: Any = re2.compile(build_pattern(kinds), options)
        self._raw: Any = self._rx._regexp  # the RE2 object; its Match() takes bytes and positions
        self._kinds = kinds
        self._unanchored: Any = re2._Anchor.UNANCHORED

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        data = text.encode("utf-8")
        ascii_only = len(data) == len(text)
        match = self._raw.Match
        unanchored = self._unanchored
        kinds = self._kinds
        end_b = len(data)
        pos = 0
        last_b = 0
        last_c = 0
        while pos <= end_b:
            spans = match(unanchored, data, pos, end_b)
            s, e = spans[0]
            if s < 0:
                return
            i = 1
            while spans[i][0] < 0:
                i += 1
            if ascii_only:
                yield kinds[i - 1], s, e
            else:
                cs = last_c + len(data[last_b:s].decode("utf-8", "replace"))
                ce = cs + len(data[s:e].decode("utf-8", "replace"))
                last_b, last_c = e, ce
                yield kinds[i - 1], cs, ce
            pos = e if e > s else e + 1


def make_engine(kinds: tuple[str, ...], engine: str = "auto") -> Engine:
    if engine in ("auto", "re2"):
        try:
            return Re2Engine(kinds)
        except ImportError:
            if engine == "re2":
                raise
    return ReEngine(kinds)
