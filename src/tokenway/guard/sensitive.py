"""Sensitive-data detection (issue "Guardrails", part 3): PII and secrets in prompt text.

    scanner = SensitiveScanner()                       # every detector
    scanner = SensitiveScanner(["pii", "secret.openai"])  # group aliases and ids mix
    for f in scanner.scan(text): ...                   # Finding(detector, category, start, end, 1.0, reason)

How it works: one pass of one compiled alternation regex (RE2; ``sensitive_patterns``) yields
candidates for every detector; validators run only on those candidates: checksums through
python-stdnum (IBAN mod 97, CN RIC, DE IdNr, FR NIR, ES DNI/NIE, IT codice fiscale, BR CPF,
KR RRN, JP My Number, IN Aadhaar/Verhoeff), Luhn + IIN ranges for cards, phonenumbers metadata
for phones, ``ipaddress`` for IPs, JSON decoding for JWT headers, and context keywords for
numbers too weak to report alone (see ``identifiers`` for the rules and ``secrets`` for
placeholders that are not reported). Findings are non-overlapping, sorted by start, score 1.0,
category "pii" or "secret"; the reason names the rule, never the value.

Detector ids (stable): ``email``, ``phone``, ``card``, ``iban``, ``ip``, ``national_id.<cc>``
(``cn``, ``us_ssn``, ``in_aadhaar``, ``uk_nino``, ``de_idnr``, ``fr_nir``, ``es_dni``,
``es_nie``, ``it_cf``, ``br_cpf``, ``kr_rrn``, ``jp_mynumber``), ``secret.<kind>`` (``openai``,
``anthropic``, ``aws_access_key``, ``aws_secret``, ``github``, ``slack``, ``stripe``,
``private_key``, ``jwt``, ``password``). Group aliases: ``national_id``, ``secret``, ``pii``.

``eval_sensitive(samples)`` measures precision / recall / latency on labelled samples (used by
``tokenway guard eval``); ``tests/guard_data/gen_sensitive.py`` generates such samples.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tokenway.guard import identifiers as ids
from tokenway.guard import secrets as sec
from tokenway.guard.findings import Finding
from tokenway.guard.sensitive_patterns import DIGITS, Engine, kinds_for, make_engine

NATIONAL_IDS: frozenset[str] = frozenset(
    f"national_id.{cc}"
    for cc in (
        "cn", "us_ssn", "in_aadhaar", "uk_nino", "de_idnr", "fr_nir", "es_dni", "es_nie", "it_cf", "br_cpf",
        "kr_rrn", "jp_mynumber",
    )
)  # fmt: skip
SECRETS: frozenset[str] = frozenset(
    f"secret.{k}"
    for k in (
        "openai", "anthropic", "aws_access_key", "aws_secret", "github", "slack", "stripe", "private_key",
        "jwt", "password",
    )
)  # fmt: skip
PII: frozenset[str] = frozenset({"email", "phone", "card", "iban", "ip"}) | NATIONAL_IDS
DETECTORS: frozenset[str] = PII | SECRETS
GROUPS: dict[str, frozenset[str]] = {"national_id": NATIONAL_IDS, "secret": SECRETS, "pii": PII}
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IT", "CN", "IN", "BR", "JP", "KR")


def expand_detectors(names: Iterable[str]) -> frozenset[str]:
    """Detector ids for a mix of ids and group aliases (``national_id``, ``secret``, ``pii``)."""
    out: set[str] = set()
    for name in names:
        if name in GROUPS:
            out |= GROUPS[name]
        elif name in DETECTORS:
            out.add(name)
        else:
            raise ValueError(f"unknown sensitive-data detector {name!r}")
    return frozenset(out)


def category_of(detector: str) -> str:
    return "secret" if detector.startswith("secret.") else "pii"


_Hit = ids.Hit  # detector, start, end, reason
_SecretFn = Callable[[str, int, int], "sec.Hit | None"]

_SECRET_KINDS: dict[str, tuple[str, _SecretFn]] = {
    "pkey": ("secret.private_key", sec.private_key),
    "jwt": ("secret.jwt", sec.jwt),
    "anthropic": ("secret.anthropic", sec.anthropic),
    "openai": ("secret.openai", sec.openai),
    "github": ("secret.github", sec.github),
    "slack": ("secret.slack", sec.slack),
    "slackhook": ("secret.slack", sec.slack_hook),
    "stripe": ("secret.stripe", sec.stripe),
    "awskey": ("secret.aws_access_key", sec.aws_access_key),
    "awssecret": ("secret.aws_secret", sec.aws_secret),
    "urlpw": ("secret.password", sec.url_password),
}
_TEXT_KINDS: dict[str, Callable[[str, int, int], _Hit | None]] = {
    "email": ids.email,
    "iban": ids.iban,
    "it_cf": ids.it_cf,
    "fr_nir_corse": ids.fr_nir_corse,
    "ipv4": ids.ipv4,
    "ipv6": ids.ipv6,
}
_STATE_KINDS: dict[str, Callable[[ids.ScanState, int, int], _Hit | None]] = {
    "es_dni": ids.es_dni,
    "es_nie": ids.es_nie,
    "uk_nino": ids.uk_nino,
}


class SensitiveScanner:
    """Finds PII and secrets in text. Thread-safe; build once, scan many."""

    def __init__(
        self,
        detectors: Iterable[str] | None = None,
        phone_regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
        *,
        engine: str = "auto",
    ) -> None:
        self.detectors: frozenset[str] = DETECTORS if detectors is None else expand_detectors(detectors)
        self.phone_regions: tuple[str, ...] = tuple(phone_regions)
        self._engine: Engine = make_engine(kinds_for(self.detectors), engine)
        self._numeric = ids.NumericRun(self.detectors, ids.PhoneValidator(self.phone_regions))
        # inside a password value, report a recognisable token as its own kind
        self._value_engine: Engine | None = None
        inner = frozenset(SECRETS - {"secret.password"}) & self.detectors
        if "secret.password" in self.detectors and inner:
            self._value_engine = make_engine(kinds_for(inner), engine)

    @property
    def engine(self) -> str:
        """The regex engine in use: "re2" or "re"."""
        return self._engine.name

    def scan(self, text: str) -> list[Finding]:
        if not text:
            return []
        hits: list[_Hit] = []
        state = ids.ScanState(text)
        enabled = self.detectors
        numeric = self._numeric
        # the lengths of a plain digit run that plain() may not skip at once; fewer once the text's keyword
        # index is built (state.present: the detectors the text names), which never changes after
        live = numeric.plain_lengths
        indexed = False
        for kind, s, e in self._engine.finditer(text):
            if kind == DIGITS:
                if e - s in live:
                    numeric.plain(state, s, e, hits)
                    if not indexed and state.present is not None:
                        indexed = True
                        live = numeric.live_lengths(state.present)
            elif kind == "num":
                numeric.scan(state, s, e, hits)
            elif kind == "password":
                self._password(text, s, e, hits)
            elif kind in _SECRET_KINDS:
                det, fn = _SECRET_KINDS[kind]
                found = fn(text, s, e)
                if found is not None:
                    hits.append((det, found[0], found[1], found[2]))
            elif kind in _TEXT_KINDS:
                hit = _TEXT_KINDS[kind](text, s, e)
                if hit is not None:
                    hits.append(hit)
            else:
                hit = _STATE_KINDS[kind](state, s, e)
                if hit is not None:
                    hits.append(hit)
        hits.sort(key=lambda h: (h[1], h[1] - h[2]))
        out: list[Finding] = []
        last_end = -1
        for det, s, e, reason in hits:
            if det not in enabled or s < last_end:
                continue
            out.append(Finding(det, category_of(det), s, e, 1.0, reason))
            last_end = e
        return out

    def _password(self, text: str, s: int, e: int, hits: list[_Hit]) -> None:
        found = sec.password(text, s, e)
        if found is None:
            return
        vs, ve, reason = found
        if self._value_engine is not None:
            value = text[vs:ve]
            inner: list[_Hit] = []
            for kind, a, b in self._value_engine.finditer(value):
                if kind in _SECRET_KINDS:
                    det, fn = _SECRET_KINDS[kind]
                    got = fn(value, a, b)
                    if got is not None:
                        inner.append((det, vs + got[0], vs + got[1], got[2]))
            if inner:
                hits.extend(inner)
                return
        hits.append(("secret.password", vs, ve, reason))


# --- evaluation -------------------------------------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def _expected(sample: Any) -> list[tuple[str, int, int]]:
    out = []
    for item in _field(sample, "expected"):
        if isinstance(item, Mapping):
            out.append((str(item["detector"]), int(item["start"]), int(item["end"])))
        else:
            det, start, end = item
            out.append((str(det), int(start), int(end)))
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def eval_sensitive(samples: Iterable[Any], scanner: SensitiveScanner | None = None) -> dict[str, Any]:
    """Precision, recall and latency of the scanner on labelled samples.

    A sample has ``text`` and ``expected`` (attributes or mapping keys); ``expected`` lists the
    items that must be found as ``(detector, start, end)`` tuples or ``{"detector", "start",
    "end"}`` mappings, empty for a look-alike that must not be flagged. A finding is a true
    positive when it has the expected detector and overlaps the expected span. Returns
    ``precision``, ``recall``, ``false_positive_rate`` (share of samples without expected items
    that got any finding), ``tp``/``fp``/``fn``, ``per_detector`` counts, and ``latency_us``
    percentiles per scan and per KB.
    """
    scanner = scanner or SensitiveScanner()
    tp = fp = fn = 0
    negatives = flagged_negatives = n_samples = 0
    per: dict[str, dict[str, int]] = {}
    per_scan: list[float] = []
    per_kb: list[float] = []

    def bump(det: str, key: str) -> None:
        per.setdefault(det, {"tp": 0, "fp": 0, "fn": 0})[key] += 1

    for sample in samples:
        n_samples += 1
        text = str(_field(sample, "text"))
        expected = _expected(sample)
        t0 = time.perf_counter_ns()
        findings = scanner.scan(text)
        us = (time.perf_counter_ns() - t0) / 1000.0
        per_scan.append(us)
        per_kb.append(us / max(len(text.encode("utf-8")) / 1024.0, 1e-9))
        matched = [False] * len(expected)
        for f in findings:
            hit = next(
                (
                    i
                    for i, (det, s, e) in enumerate(expected)
                    if not matched[i] and det == f.detector and f.start < e and s < f.end
                ),
                None,
            )
            if hit is None:
                fp += 1
                bump(f.detector, "fp")
            else:
                matched[hit] = True
                tp += 1
                bump(f.detector, "tp")
        for i, (det, _, _) in enumerate(expected):
            if not matched[i]:
                fn += 1
                bump(det, "fn")
        if not expected:
            negatives += 1
            flagged_negatives += bool(findings)
    return {
        "samples": n_samples,
        "negatives": negatives,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "false_positive_rate": flagged_negatives / negatives if negatives else 0.0,
        "per_detector": dict(sorted(per.items())),
        "latency_us": {
            "p50": _percentile(per_scan, 0.50),
            "p90": _percentile(per_scan, 0.90),
            "p99": _percentile(per_scan, 0.99),
            "max": max(per_scan, default=0.0),
            "p50_per_kb": _percentile(per_kb, 0.50),
            "p99_per_kb": _percentile(per_kb, 0.99),
        },
        "engine": scanner.engine,
    }
