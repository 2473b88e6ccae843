"""Validators for the PII detectors of the sensitive-data scanner: cards, phones, national ids,
IBAN, IP addresses, e-mail addresses, and the context rules that some of them need.

Strength and context. A detector whose validation is strong on its own (a checksum plus
structure: payment cards, CN resident ID, FR NIR, IBAN, IT codice fiscale, ES DNI/NIE, phones in
international ``+`` format) reports without context. A detector whose number is a plain digit
string with a weak check (one check digit over 9-13 digits) or none at all needs *context*: a
keyword for that id within 64 characters before or 32 after the number (in English, Spanish,
German, French, Chinese, Japanese, Russian and the id's own language), or the header of its CSV /
Markdown-table column. Those are: Aadhaar and My Number (12 digits, often the same 4-4-4 layout),
DE IdNr, plain BR CPF, plain KR RRN, UK NINO not in its spaced ``AB 12 34 56 C`` layout, US SSN not
in its dashed ``123-45-6789`` layout (an SSN has no checksum: stdnum.us.ssn's area/group/serial
rules only), and national-format phone numbers (except the US ``(415) 555-2671`` layout).

Negative context. When the nearest keyword before a number says it is something else (order,
invoice, tracking, SKU, serial, version, timestamp, ... in the same languages), numbers that
report without context (cards, phones, dashed SSN, formatted CPF/RRN, DNI/NIE, spaced NINO) are not
reported, unless a keyword of their own detector is nearer.

Cards: IIN range and length per brand, then Luhn. Published test card numbers (Stripe, Braintree,
Adyen, PayPal documentation; ``TEST_CARDS``) and numbers with fewer than 4 distinct digits
(``4111 1111 1111 1111``, ``4000 0000 0000 0077``) are test patterns and are not reported.

IP: IPv4 needs 4 octets each <= 255 without leading zeros, not inside a longer dotted number or
after a version marker (``version``, ``v``, ``==``, ``>=``, ``@``, ...); loopback, unspecified,
broadcast and netmask values (``255.255.255.0``) are not reported. IPv6 needs 3+ non-empty groups.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException
from stdnum import iban as std_iban
from stdnum.br import cpf as std_cpf
from stdnum.cn import ric as std_ric
from stdnum.de import idnr as std_idnr
from stdnum.es import dni as std_dni
from stdnum.es import nie as std_nie
from stdnum.fr import nir as std_nir
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.it import codicefiscale as std_cf
from stdnum.jp import in_ as std_jp_in
from stdnum.kr import rrn as std_rrn
from stdnum.us import ssn as std_ssn

from tokenway.guard.sensitive_context import Context, ScanState

Hit = tuple[str, int, int, str]  # detector, start, end, reason


def _word(ch: str) -> bool:
    """An ASCII word character (the regex's \\b is ASCII: CJK text next to a number is a boundary)."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


# --- payment cards ----------------------------------------------------------------------------

TEST_CARDS: frozenset[str] = frozenset(
    {
        "4111111111111111", "4012888888881881", "4222222222222", "4242424242424242", "4000056655665556",
        "5555555555554444", "2223003122003222", "5200828282828210", "5105105105105100", "378282246310005",
        "371449635398431", "378734493671000", "6011111111111117", "6011000990139424", "6011000400000000",
        "6011981111111113", "3056930009020004", "36227206271667", "30569309025904", "38520000023237",
        "3566002020360505", "3530111333300000", "3566111111111113", "6200000000000005", "6200000000000047",
        "4000002500003155", "4000002760003184", "4000000000003220", "4000000000009995", "4000000000000002",
        "5454545454545454", "4917610000000000", "4462030000000000", "4917300800000000", "4484070000000000",
        "4444333322221111", "4111111145551142", "5500005555555559", "6759649826438453", "4988438843884305",
        "4166676667666746", "4646464646464644", "4000620000000007", "5101180000000007", "2222400070000005",
        "5577000055770004", "4571000000000001", "4988080000000000", "6250946000000016", "4012000033330026",
        "4012000077777777", "5424000000000015", "6011000000000012", "370000000000002", "3088000000000017",
        "4007000000027", "4012888818888", "4217651111111119", "4500600000000061", "5112000200000002",
    }
)  # fmt: skip


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_MAESTRO = frozenset({5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763})


def card_brand(d: str) -> str | None:
    """The brand whose IIN range and lengths fit, or None."""
    n = len(d)
    if d[0] == "4":
        return "Visa" if n in (13, 16, 19) else None
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return "Mastercard" if n == 16 else None
    if p2 in (34, 37):
        return "American Express" if n == 15 else None
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:
        return "Discover" if 16 <= n <= 19 else None
    if 3528 <= p4 <= 3589:
        return "JCB" if 16 <= n <= 19 else None
    if 300 <= p3 <= 305 or p4 == 3095 or p2 in (36, 38, 39):
        return "Diners Club" if 14 <= n <= 19 else None
    if p2 == 62:
        return "UnionPay" if 16 <= n <= 19 else None
    if 2200 <= p4 <= 2204:
        return "Mir" if 16 <= n <= 19 else None
    if p4 in _MAESTRO:
        return "Maestro" if 12 <= n <= 19 else None
    if p2 in (60, 81, 82) or p3 == 508:
        return "RuPay" if n == 16 else None
    return None


def is_test_card(d: str) -> bool:
    return d in TEST_CARDS or len(set(d)) < 4


# --- numeric runs -----------------------------------------------------------------------------


@dataclass(slots=True)
class Span:
    """A sub-span of a digit run: digits, the group layout and the separators between groups."""

    start: int
    end: int
    digits: str
    layout: tuple[int, ...]
    seps: tuple[str, ...]
    plus: bool
    paren: bool
    check_x: bool  # ends in X (CN resident ID check character)

    def uniform(self, allowed: str) -> bool:
        """No separators, or the same one of ``allowed`` everywhere."""
        return not self.seps or (len(set(self.seps)) == 1 and self.seps[0] in allowed)


Validator = Callable[[Span], str | None]  # -> reason, or None


def _card(sp: Span) -> str | None:
    d = sp.digits
    n = len(d)
    if not (12 <= n <= 19) or sp.plus or sp.paren or sp.check_x or not sp.uniform(" -"):
        return None
    lay = sp.layout
    if (
        len(lay) > 1
        and not (all(g == 4 for g in lay[:-1]) and 1 <= lay[-1] <= 4)
        and lay
        not in (
            (4, 6, 5),
            (4, 6, 4),
        )
    ):
        return None
    brand = card_brand(d)
    if brand is None or not luhn_ok(d) or is_test_card(d):
        return None
    return f"Luhn-valid {n}-digit {brand} card number"


def _cn(sp: Span) -> str | None:
    n = len(sp.digits)
    if not (n == 18 or (n == 17 and sp.check_x)) or sp.plus or sp.paren:
        return None
    if len(sp.layout) > 1 and sp.layout[:2] != (6, 8):
        return None
    value = sp.digits + ("X" if sp.check_x else "")
    if not std_ric.is_valid(value):
        return None
    return "CN resident identity number (valid check digit, birth date and region)"


_NIR_SEX = frozenset("123478")


def _fr_nir(sp: Span) -> str | None:
    d = sp.digits
    if len(d) != 15 or sp.plus or sp.paren or sp.check_x or not sp.uniform(" ."):
        return None
    if len(sp.layout) > 1 and sp.layout not in ((13, 2), (1, 2, 2, 2, 3, 3, 2), (1, 2, 2, 5, 3, 2)):
        return None
    month = int(d[3:5])
    if d[0] not in _NIR_SEX or not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return None
    if not std_nir.is_valid(d):
        return None
    return "FR social security number (NIR) with valid mod-97 key"


def _kr(sp: Span) -> str | None:
    if len(sp.digits) != 13 or sp.plus or sp.paren or sp.check_x:
        return None
    if len(sp.layout) > 1 and sp.layout != (6, 7):
        return None
    if not std_rrn.is_valid(sp.digits):
        return None
    return "KR resident registration number (valid birth date and check digit)"


def _cpf(sp: Span) -> str | None:
    d = sp.digits
    if len(d) != 11 or sp.plus or sp.paren or sp.check_x or len(set(d)) == 1:
        return None
    if len(sp.layout) > 1 and sp.layout not in ((3, 3, 3, 2), (9, 2)):
        return None
    if not std_cpf.is_valid(d):
        return None
    return "BR CPF with valid check digits"


def _de_idnr(sp: Span) -> str | None:
    if len(sp.digits) != 11 or sp.plus or sp.paren or sp.check_x or not sp.uniform(" "):
        return None
    if len(sp.layout) > 1 and sp.layout != (2, 3, 3, 3):
        return None
    if not std_idnr.is_valid(sp.digits):
        return None
    return "DE tax identification number (IdNr) with valid check digit"


def _twelve(sp: Span) -> bool:
    return (
        len(sp.digits) == 12
        and not (sp.plus or sp.paren or sp.check_x)
        and sp.uniform(" -")
        and (len(sp.layout) == 1 or sp.layout == (4, 4, 4))
    )


def _aadhaar(sp: Span) -> str | None:
    if not _twelve(sp) or not std_aadhaar.is_valid(sp.digits):
        return None
    return "IN Aadhaar number with valid Verhoeff check digit"


def _jp(sp: Span) -> str | None:
    if not _twelve(sp) or not std_jp_in.is_valid(sp.digits):
        return None
    return "JP Individual Number (My Number) with valid check digit"


def _ssn(sp: Span) -> str | None:
    if len(sp.digits) != 9 or sp.plus or sp.paren or sp.check_x:
        return None
    if len(sp.layout) > 1 and (sp.layout != (3, 2, 4) or not sp.uniform(" -")):
        return None
    d = sp.digits
    if not std_ssn.is_valid(d) or len(set(d)) == 1 or d in ("123456789", "987654321"):
        return None
    return "US SSN (valid area/group/serial; SSNs have no checksum)"


def _trivial(digits: str) -> bool:
    """1234567890, 9876543210, 5555555555: placeholders, not numbers anyone was given."""
    return len(set(digits)) < 3 or digits in "01234567890123456789" or digits in "98765432109876543210"


def _is_date_like(sp: Span) -> bool:
    lay = sp.layout
    return len(lay) >= 3 and sp.seps[0] == sp.seps[1] and sp.seps[0] in "-./" and lay[:3] in ((4, 2, 2), (2, 2, 4))


class PhoneValidator:
    """phonenumbers-backed: ``+`` numbers are parsed region-less; national numbers are parsed
    for each configured default region and count if valid in any of them."""

    def __init__(self, regions: Iterable[str]) -> None:
        self.regions = tuple(r.upper() for r in regions)

    def __call__(self, sp: Span, raw: str) -> str | None:
        n = len(sp.digits)
        if sp.check_x or _is_date_like(sp):
            return None
        if sp.plus:
            if not 8 <= n <= 15:
                return None
            return "valid international phone number" if self._valid(raw, None) else None
        if sp.digits.startswith("00") and 10 <= n <= 17:
            return "valid international phone number" if self._valid("+" + sp.digits[2:], None) else None
        if not 9 <= n <= 12:
            return None
        for region in self.regions:
            if self._valid(raw, region):
                return "valid phone number for a configured region"
        return None

    @staticmethod
    def _valid(raw: str, region: str | None) -> bool:
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(raw, region))
        except NumberParseException:
            return False


def _needs_context(det: str, sp: Span) -> bool:
    if det == "national_id.us_ssn":
        return not (sp.layout == (3, 2, 4) and sp.seps == ("-", "-"))
    if det == "national_id.br_cpf":
        return not (sp.layout == (3, 3, 3, 2) and sp.seps == (".", ".", "-"))
    if det == "national_id.kr_rrn":
        return not (sp.layout == (6, 7) and sp.seps == ("-",))
    if det == "phone":
        if sp.plus:
            return False
        # the North American (415) 555-2671 layout
        return not (sp.paren and sp.layout == (3, 3, 4))
    return det in ("national_id.in_aadhaar", "national_id.jp_mynumber", "national_id.de_idnr")


_NUMERIC: tuple[tuple[str, Validator], ...] = (
    ("card", _card),
    ("national_id.cn", _cn),
    ("national_id.fr_nir", _fr_nir),
    ("national_id.kr_rrn", _kr),
    ("national_id.br_cpf", _cpf),
    ("national_id.de_idnr", _de_idnr),
    ("national_id.in_aadhaar", _aadhaar),
    ("national_id.jp_mynumber", _jp),
    ("national_id.us_ssn", _ssn),
)
_LENGTHS: dict[str, frozenset[int]] = {
    "card": frozenset(range(12, 20)),
    "national_id.cn": frozenset({17, 18}),
    "national_id.fr_nir": frozenset({15}),
    "national_id.kr_rrn": frozenset({13}),
    "national_id.br_cpf": frozenset({11}),
    "national_id.de_idnr": frozenset({11}),
    "national_id.in_aadhaar": frozenset({12}),
    "national_id.jp_mynumber": frozenset({12}),
    "national_id.us_ssn": frozenset({9}),
}
_NO_VETO = frozenset({"national_id.cn", "national_id.fr_nir"})
MAX_DIGITS = 19
_DIGIT_GROUP = re.compile(r"[0-9]+")
_SEPARATORS = " -.()"


def _make_span(
    text: str,
    groups: list[tuple[int, int]],
    a: int,
    z: int,
    last: int,
    plus: bool,
    paren: bool,
    check_x: bool,
) -> Span:
    sub = groups[a : z + 1]
    return Span(
        start=sub[0][0],
        end=sub[-1][1],
        digits="".join(text[g0:g1] for g0, g1 in sub),
        layout=tuple(g1 - g0 for g0, g1 in sub),
        seps=tuple(text[sub[k][1] : sub[k + 1][0]] for k in range(len(sub) - 1)),
        plus=plus,
        paren=paren,
        check_x=check_x and z == last,
    )


class NumericRun:
    """Splits a digit run from the regex into groups and finds the valid ids inside it."""

    def __init__(self, enabled: frozenset[str], phone: PhoneValidator) -> None:
        self.enabled = enabled
        numeric = tuple((d, v) for d, v in _NUMERIC if d in enabled)
        # which validators can accept n digits (a cheap first filter)
        self.by_length: dict[int, tuple[tuple[str, Validator], ...]] = {
            n: tuple((d, v) for d, v in numeric if n in _LENGTHS[d]) for n in range(MAX_DIGITS + 1)
        }
        self.phone = phone if "phone" in enabled else None
        # for a plain digit run of n digits: can a detector accept it without context, and which
        # detectors could accept it with context
        self.plain_rules: dict[int, tuple[bool, tuple[str, ...]]] = {}
        plain = Span(0, 0, "", (1,), (), False, False, False)
        for n, validators in self.by_length.items():
            named = tuple(d for d, _ in validators if _needs_context(d, plain))
            if self.phone is not None and 9 <= n <= 12:
                named += ("phone",)
            alone = any(not _needs_context(d, plain) for d, _ in validators)
            self.plain_rules[n] = (alone, named)
        # the lengths of a plain digit run that some detector may take (with context or without)
        self.plain_lengths = frozenset(n for n, (alone, named) in self.plain_rules.items() if alone or named)

    def live_lengths(self, present: frozenset[str]) -> frozenset[int]:
        """The lengths of a plain digit run that ``plain`` does not skip at once in a text whose keyword
        index names exactly the detectors ``present``."""
        return frozenset(
            n for n, (alone, named) in self.plain_rules.items() if alone or (named and not present.isdisjoint(named))
        )

    def scan(self, state: ScanState, s: int, e: int, out: list[Hit]) -> None:
        text = state.text
        if text[s:e].isdigit():
            self.plain(state, s, e, out)
            return
        groups = [m.span() for m in _DIGIT_GROUP.finditer(text, s, e)]
        check_x = text[e - 1] in "Xx"
        # digits glued to a larger token by "-", ".", "_", "/" or ":" (UUIDs, versions, paths, times)
        if s > 1 and text[s - 1] in "-._/" and _word(text[s - 2]):
            groups.pop(0)
        if groups and e + 1 < len(text) and text[e] in "-._/:" and _word(text[e + 1]):
            groups.pop()
            check_x = False
        if not groups:
            return
        plus = text[s] == "+" and groups[0][0] == s + 1
        paren = text[s] == "("
        last = len(groups) - 1
        if last == 1 and not plus and not paren and text[groups[0][1] : groups[1][0]] == ".":
            return  # a decimal number: 3.14159265358979
        lengths = [g1 - g0 for g0, g1 in groups]
        # tokens: maximal sequences of groups not separated by a single space
        starts = [0]
        ends = []
        for k in range(last):
            if text[groups[k][1] : groups[k + 1][0]] == " ":
                ends.append(k)
                starts.append(k + 1)
        ends.append(last)
        digits = [sum(lengths[starts[k] : ends[k] + 1]) for k in range(len(starts))]
        t = 0
        while t < len(starts):
            a = starts[t]
            options: list[tuple[int, int]] = []  # (last group, last token)
            if a == 0:
                # from the run start: the whole run, else prefixes ending at a token end
                if sum(digits) <= MAX_DIGITS:
                    options.append((last, len(starts) - 1))
                acc = 0
                prefixes = []
                for k in range(len(starts) - 1):
                    acc += digits[k]
                    if acc > MAX_DIGITS:
                        break
                    if self._prefix_ok(lengths, ends, k, plus):
                        prefixes.append((ends[k], k))
                options.extend(reversed(prefixes))
            elif digits[t] <= MAX_DIGITS:
                options.append((ends[t], t))
            for z, k in options:
                n = sum(lengths[a : z + 1])
                if n < 8:
                    continue
                sp = _make_span(text, groups, a, z, last, plus and a == 0, paren and a == 0, check_x)
                hit = self._evaluate(state, sp)
                if hit is not None:
                    out.append(hit)
                    t = k
                    break
            t += 1

    def plain(self, state: ScanState, s: int, e: int, out: list[Hit]) -> None:
        """A run of digits only (the common case): skipped at once when it is too long, or when every
        detector that could take it needs context and the text names none of them."""
        n = e - s
        if n > MAX_DIGITS:
            return
        alone, named = self.plain_rules[n]
        if not (alone or (named and (state.present is None or not state.present.isdisjoint(named)))):
            return
        text = state.text
        if s > 1 and text[s - 1] in "-._/" and _word(text[s - 2]):
            return
        if e + 1 < len(text) and text[e] in "-._/:" and _word(text[e + 1]):
            return
        hit = self._evaluate(state, Span(s, e, text[s:e], (n,), (), False, False, False))
        if hit is not None:
            out.append(hit)

    @staticmethod
    def _prefix_ok(lengths: list[int], ends: list[int], k: int, plus: bool) -> bool:
        """May the run's first tokens up to token ``k`` be a value of their own, followed by
        another number? Yes for one token, and for a ``+`` phone number; for more tokens only a
        4-4-4(-4) card followed by a short number ("4539 1488 0343 6467 12"), else they are
        pieces of one longer space-grouped number."""
        if plus or k == 0:
            return True
        z = ends[k]
        return k == z and z >= 2 and all(g == 4 for g in lengths[: z + 1]) and lengths[z + 1] != 4

    def _evaluate(self, state: ScanState, sp: Span) -> Hit | None:
        ctx: Context | None = None
        lead = 1 if (sp.plus or sp.paren) else 0
        end = sp.end + (1 if sp.check_x else 0)
        chosen: Hit | None = None
        for det, validate in self.by_length[len(sp.digits)]:
            reason = validate(sp)  # cheap shape checks first, then the checksum
            if reason is None or (_needs_context(det, sp) and not state.may_name(det)):
                continue
            if ctx is None:
                ctx = state.context(sp.start - lead, end)
            if ctx.positive(det):
                return det, sp.start, end, reason
            if chosen is None and not _needs_context(det, sp) and (det in _NO_VETO or not ctx.negative(det)):
                chosen = det, sp.start, end, reason
        if chosen is not None or self.phone is None:
            return chosen
        if _needs_context("phone", sp) and not (9 <= len(sp.digits) <= 12 and state.may_name("phone")):
            return None
        if _trivial(sp.digits):
            return None
        if not sp.plus:  # a "+" number is a phone number whatever the words around it
            if ctx is None:
                ctx = state.context(sp.start - lead, end)
            if not ctx.positive("phone") and (_needs_context("phone", sp) or ctx.negative("phone")):
                return None
        reason = self.phone(sp, state.text[sp.start - lead : sp.end])
        if reason is not None:
            return "phone", sp.start - lead, sp.end, reason
        return None


# --- other PII --------------------------------------------------------------------------------

_FILE_TLDS = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "js", "mjs", "cjs", "ts", "tsx",
        "jsx", "css", "scss", "map", "json", "yaml", "yml", "toml", "lock", "txt", "md", "html", "htm", "xml", "py",
        "rb", "go", "rs", "java", "kt", "swift", "php", "pdf", "zip", "gz", "tar", "wasm", "so", "dll", "exe",
        "bin",
    }
)  # fmt: skip


def email(text: str, s: int, e: int) -> Hit | None:
    value = text[s:e]
    local, _, domain = value.rpartition("@")
    if not local or local[0] == "." or local[-1] == "." or ".." in local or len(local) > 64:
        return None
    tld = domain.rsplit(".", 1)[-1].lower()
    if tld in _FILE_TLDS:
        return None  # image@2x.png, module@1.2/foo.js
    return "email", s, e, "email address"


def iban(text: str, s: int, e: int) -> Hit | None:
    idx = [i for i in range(s, e) if text[i] != " "]
    compact = "".join(text[i] for i in idx)
    for n in range(len(compact), 14, -1):
        if std_iban.is_valid(compact[:n]):
            return "iban", s, idx[n - 1] + 1, "IBAN with valid mod-97 check digits and country format"
    return None


def it_cf(text: str, s: int, e: int) -> Hit | None:
    if not std_cf.is_valid(text[s:e]):
        return None
    return "national_id.it_cf", s, e, "IT codice fiscale with valid check character and birth date"


def es_dni(state: ScanState, s: int, e: int) -> Hit | None:
    value = state.text[s:e]
    if not std_dni.is_valid(value) or len(set(value[:8])) == 1:
        return None
    if state.context(s, e).negative("national_id.es_dni"):
        return None
    return "national_id.es_dni", s, e, "ES DNI with valid check letter"


def es_nie(state: ScanState, s: int, e: int) -> Hit | None:
    if not std_nie.is_valid(state.text[s:e]):
        return None
    if state.context(s, e).negative("national_id.es_nie"):
        return None
    return "national_id.es_nie", s, e, "ES NIE with valid check letter"


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def uk_nino(state: ScanState, s: int, e: int) -> Hit | None:
    value = state.text[s:e]
    if value[:2] in _NINO_BAD_PREFIX:
        return None
    ctx = state.context(s, e)
    spaced = value.count(" ") == 4
    if not (spaced or ctx.positive("national_id.uk_nino")):
        return None
    if ctx.negative("national_id.uk_nino"):
        return None
    return "national_id.uk_nino", s, e, "UK National Insurance number (HMRC prefix/suffix rules; no checksum)"


def fr_nir_corse(text: str, s: int, e: int) -> Hit | None:
    if not std_nir.is_valid(text[s:e]):
        return None
    return "national_id.fr_nir", s, e, "FR social security number (NIR) with valid mod-97 key"


# "version 1.2.3.4", "v1.2.3.4", "numpy==1.26.4.1", "node >= 18.0.0.1", "pkg@1.2.3.4" (not "ip=" or "ip: ")
_VERSION_BEFORE = re.compile(r"(?i:\b(?:version|ver|release|build|v)\.?\s*|(?:==|>=|<=|~=|!=|[<>^~@])\s*)$")


def ipv4(text: str, s: int, e: int) -> Hit | None:
    if e < len(text) - 1 and text[e] == "." and "0" <= text[e + 1] <= "9":
        return None  # 1.3.6.1.4.1 (an OID), 10.0.19041.1.2
    if s > 0 and (text[s - 1] == "." or _word(text[s - 1])):
        return None
    if _VERSION_BEFORE.search(text, max(0, s - 12), s):
        return None
    value = 0
    for octet in text[s:e].split("."):
        if len(octet) > 1 and octet[0] == "0":
            return None  # leading zeros: not how addresses are written (and ambiguous: octal)
        n = int(octet)
        if n > 255:
            return None
        value = value << 8 | n
    if value >> 24 == 127 or value == 0 or value == 0xFFFFFFFF:
        return None  # loopback, unspecified, broadcast
    inverted = ~value & 0xFFFFFFFF
    if value >> 24 == 255 and (inverted & (inverted + 1)) == 0:
        return None  # a netmask: 255.255.255.0
    return "ip", s, e, "IPv4 address"


def ipv6(text: str, s: int, e: int) -> Hit | None:
    value = text[s:e]
    if e < len(text) and (_word(text[e]) or text[e] == ":"):
        return None
    if sum(1 for g in value.split(":") if g) < 3:
        return None
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    if addr.is_loopback or addr.is_unspecified:
        return None
    return "ip", s, e, "IPv6 address"
