# ruff: noqa: RUF001
"""Fold obfuscated text into something the injection rules can read.

``normalize(text)`` returns a :class:`Normalized`:

* ``.text`` -- the folded text the rules scan: Unicode NFKC (full-width forms, mathematical
  alphanumerics, ligatures, circled letters...), invisible characters removed (zero-width and bidi
  controls, soft hyphen, variation selectors), Unicode *tag* characters (U+E0020-U+E007E, which can
  smuggle ASCII invisibly) decoded back into ASCII, Latin diacritics and Latin look-alikes (small
  capitals, dotless i, script g, regional-indicator letters) folded to ASCII, Cyrillic/Greek
  homoglyphs folded inside *mixed-script* words only (so Russian and Greek prose stay intact; a
  mostly-Cyrillic word with a few Latin look-alikes is folded the other way), combining marks on
  Latin letters (Zalgo) dropped, and spaced-out letters ("i g n o r e  a l l", "i.g.n.o.r.e",
  "i-g-n-o-r-e") joined.
* ``.leet`` -- a copy of ``.text`` with leetspeak folded (0->o, 1->i or l, 3->e, 4->a, 5->s, 7->t,
  @->a, $->s) in tokens that mix letters and leet digits; ``None`` when there is nothing to fold.
  Only the rules use it: it would garble real numbers.
* ``.decoded`` -- embedded encodings decoded: base64 (standard and URL-safe alphabets, >= 16 chars)
  and hex (contiguous or ``\\x``-escaped) only when the bytes are mostly printable UTF-8; runs of
  %-URL-encoding; and rot13 (see below). Each :class:`Decoded` has its ``kind`` and the span of the
  encoded segment in the original text.

rot13 is applied to the whole folded text as a *candidate* (``kind="rot13"``), only when the rules
may need it: the text mentions rot13 / rot-13 / caesar, or a cheap letter-frequency test says it
looks like shifted English (the rot13 images of e t o i s h outnumber e t o i s h themselves, which
never happens in natural Latin-script prose), or it contains at least two rot13 images of very
common or attack words ("gur", "naq", "lbh", "vtaber", "cerivbhf"...).

Speed: plain ASCII text skips all the per-character work (``str.isascii`` is a memory scan); what is
left are a handful of regex scans with literal prefixes and memchr-style ``in`` checks, so the
common case costs a few microseconds per KB. Non-ASCII text goes through one cached ``translate``.

Spans: ``Normalized.span(start, end)`` maps a span of ``.text`` (or ``.leet``) back to the original
text. Mapping is exact for removed / decoded-tag / joined characters and best effort inside runs
where NFC recomposition changed the length.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote_plus

__all__ = ["Decoded", "DecodedKind", "Normalized", "fold_latin", "normalize", "rot13"]

DecodedKind = Literal["base64", "hex", "url", "rot13"]


@dataclass(slots=True, frozen=True)
class Decoded:
    kind: DecodedKind
    text: str  # the decoded text (not yet normalized)
    start: int  # span of the encoded segment in the original text (the whole text for rot13)
    end: int


@dataclass(slots=True)
class Normalized:
    text: str
    decoded: list[Decoded] = field(default_factory=list)
    leet: str | None = None
    original: str = ""
    _maps: list[_OffsetMap] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        """Whether ``.text`` differs from the original text."""
        return self.text != self.original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``.text`` / ``.leet`` to the original text."""
        if not self._maps:
            return start, end
        s, e = start, max(start, end - 1)
        for m in reversed(self._maps):
            s, e = m.src(s), m.src(e)
        n = len(self.original)
        return min(s, n), min(max(e + 1, s), n)


class _OffsetMap:
    """Piecewise-linear map from an output index to an input index (breakpoints at each edit)."""

    __slots__ = ("dst", "src_")

    def __init__(self) -> None:
        self.dst: list[int] = []
        self.src_: list[int] = []

    def add(self, dst: int, src: int) -> None:
        if self.dst and self.dst[-1] == dst:
            self.src_[-1] = src
        else:
            self.dst.append(dst)
            self.src_.append(src)

    def src(self, i: int) -> int:
        k = bisect.bisect_right(self.dst, i) - 1
        if k < 0:
            return i
        v = self.src_[k] + (i - self.dst[k])
        if k + 1 < len(self.src_):
            v = min(v, max(self.src_[k], self.src_[k + 1] - 1))
        return v


# -- character tables ---------------------------------------------------------------------------------

_INVISIBLE = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x200B, 0x2010))  # zero-width space/joiners, LRM/RLM
    + list(range(0x202A, 0x202F))  # bidi embeddings / overrides
    + list(range(0x2060, 0x2065))  # word joiner, invisible operators
    + list(range(0x2066, 0x206A))  # bidi isolates
    + list(range(0xFE00, 0xFE10))  # variation selectors
    + list(range(0xE0100, 0xE01F0))  # variation selectors supplement
)

# combining marks that only decorate (Zalgo); dropped outright
_ZALGO = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))

# Latin look-alikes and letters without an ASCII decomposition
_LATIN_EXTRA = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "ı": "i", "ȷ": "j", "ŀ": "l", "ħ": "h", "ŧ": "t", "ɑ": "a", "ɡ": "g", "ɩ": "i",
    "ɪ": "i", "ʀ": "r", "ʏ": "y", "ʜ": "h", "ʟ": "l", "ɴ": "n", "ɢ": "g", "ʙ": "b", "ᴀ": "a", "ᴄ": "c",
    "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ꜱ": "s", "ᴛ": "t",
    "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ƅ": "b", "ɛ": "e", "ɜ": "e", "ɔ": "o", "ʋ": "u", "ɯ": "w",
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ռ": "n", "ⅼ": "l", "∣": "|", "ǀ": "|", "‐": "-",
    "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
}


def _build_latin_fold() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x2B0):
        d = unicodedata.normalize("NFD", chr(cp))
        if d[0].isascii() and d[0].isalpha() and d != chr(cp):
            table[cp] = d[0]
    for cp in range(0x1E00, 0x1F00):  # Latin Extended Additional (ḁ, ẹ, ỳ ...)
        d = unicodedata.normalize("NFD", chr(cp))
        if d[0].isascii() and d[0].isalpha():
            table[cp] = d[0]
    for k, v in _LATIN_EXTRA.items():
        table[ord(k)] = v
    for i in range(26):  # regional indicator symbols 🇦..🇿
        table[0x1F1E6 + i] = chr(ord("a") + i)
    return table


_LATIN_FOLD = _build_latin_fold()


def fold_latin(s: str) -> str:
    """Strip Latin diacritics and fold Latin look-alikes (also used on rule patterns)."""
    return s.translate(_LATIN_FOLD)


class _FoldTable(dict[int, "str | int"]):
    """``str.translate`` table computed lazily per code point and cached."""

    def __missing__(self, cp: int) -> str | int:
        v = _fold_cp(cp)
        if len(self) < 200_000:
            self[cp] = v
        return v


def _fold_cp(cp: int) -> str | int:
    if cp in _INVISIBLE:
        return ""
    if 0xE0000 <= cp <= 0xE007F:  # tag characters: decode the smuggled ASCII
        return chr(cp - 0xE0000) if 0xE0020 <= cp <= 0xE007E else ""
    if any(a <= cp <= b for a, b in _ZALGO):
        return ""
    ch = chr(cp)
    if 0xD800 <= cp <= 0xDFFF:
        return cp
    n = unicodedata.normalize("NFKC", ch)
    n = n.translate(_LATIN_FOLD)
    if n == ch:
        return cp
    return n


_FOLD = _FoldTable()
for _cp in range(128):
    _FOLD[_cp] = _cp

# Cyrillic / Greek letters that look like Latin ones
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "ь": "b", "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    "Һ": "H", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "α": "a", "ο": "o", "ρ": "p", "υ": "u", "ν": "v", "ι": "i",
    "κ": "k", "τ": "t", "ε": "e", "χ": "x", "ϲ": "c", "ϳ": "j", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z",
    "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_TO_LATIN = str.maketrans(_HOMOGLYPHS)
_TO_CYRILLIC = str.maketrans({
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "k": "к", "A": "А", "B": "В",
    "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х", "Y": "У",
})
_HAS_CYR_GREEK = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_MIXED_EDGE = re.compile(r"[A-Za-z][\u0370-\u03ff\u0400-\u052f]|[\u0370-\u03ff\u0400-\u052f][A-Za-z]")
_WORD_AT = re.compile(r"\w+")

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LENGTH_CHANGERS = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e01ef\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f\u00bc-\u00be\u2150-\u218f\u2460-\u24ff\u2100-\u214f\u3250-\u33ff\ufb00-\ufb4f\u00df\u1e9e"
    "\u00c6\u00e6\u0152\u0153\u2026\u2025\u01c4-\u01cc\u01f1-\u01f3\u0132\u0133\U0001f100-\U0001f1ff]"
)


# -- stage 1 and 2: characters --------------------------------------------------------------------


def _fold_chars(text: str) -> tuple[str, _OffsetMap | None]:
    out = text.translate(_FOLD)
    if not unicodedata.is_normalized("NFC", out):
        out = unicodedata.normalize("NFC", out)
    if len(out) == len(text) and _LENGTH_CHANGERS.search(text) is None:
        return out, None
    # length changed somewhere: rebuild run by run to keep an offset map
    omap = _OffsetMap()
    parts: list[str] = []
    pos = n = 0
    for m in _NON_ASCII_RUN.finditer(text):
        a, b = m.span()
        if a > pos:
            omap.add(n, pos)
            parts.append(text[pos:a])
            n += a - pos
        run = text[a:b]
        folded = run.translate(_FOLD)
        if not unicodedata.is_normalized("NFC", folded):
            omap.add(n, a)
            folded = unicodedata.normalize("NFC", folded)
        elif len(folded) == len(run):
            omap.add(n, a)
        else:
            k = n
            for i, ch in enumerate(run):
                piece = ch.translate(_FOLD)
                if piece:
                    omap.add(k, a + i)
                    k += len(piece)
        parts.append(folded)
        n += len(folded)
        pos = b
    if pos < len(text):
        omap.add(n, pos)
        parts.append(text[pos:])
    return "".join(parts), omap


def _fold_homoglyphs(text: str) -> str:
    """Fold Cyrillic/Greek look-alikes inside mixed-script words (length-preserving)."""
    if _MIXED_EDGE.search(text) is None:
        return text
    chars: list[str] | None = None
    pos = 0
    for m in _MIXED_EDGE.finditer(text):
        if m.start() < pos:
            continue
        a = m.start()
        while a > 0 and (text[a - 1].isalnum() or text[a - 1] == "_"):
            a -= 1
        w = _WORD_AT.match(text, a)
        if w is None:
            continue
        word = w.group()
        latin = sum(1 for c in word if c.isascii() and c.isalpha())
        other = sum(1 for c in word if "\u0370" <= c <= "\u052f")
        folded = word.translate(_TO_LATIN) if latin >= other else word.translate(_TO_CYRILLIC)
        if folded != word:
            if chars is None:
                chars = list(text)
            chars[w.start() : w.end()] = folded
        pos = w.end()
    return "".join(chars) if chars is not None else text


# -- stage 3: spaced-out letters ----------------------------------------------------------------------

_SPACED_GATE = re.compile(r" \w \w \w \w")
_SPACED_VIEW = str.maketrans({c: " " for c in ".-_*|/\\,·•~+:;'\"`\t"})
_SPACED_RUN = re.compile(r"(?<![^\W_])(?:[^\W_](?:[ .\-_*|/\\,·•~+:;'\"`\t]{1,3}|  +)){3,}[^\W_](?![^\W_])")
_SEP = re.compile(r"[^\W_]([^\w]+|_+)")


def _join_spaced(text: str) -> tuple[str, _OffsetMap | None]:
    if _SPACED_GATE.search(" " + text.translate(_SPACED_VIEW)) is None:
        return text, None
    omap = _OffsetMap()
    parts: list[str] = []
    pos = n = 0
    changed = False
    for m in _SPACED_RUN.finditer(text):
        a, b = m.span()
        run = m.group()
        seps = [s.group(1) for s in _SEP.finditer(run)]
        if not seps:
            continue
        common = max(set(seps), key=seps.count)
        if a > pos:
            omap.add(n, pos)
            parts.append(text[pos:a])
            n += a - pos
        k = a
        for sep in [*seps, ""]:
            omap.add(n, k)
            parts.append(text[k])
            n += 1
            k += 1 + len(sep)
            if sep and sep != common:
                omap.add(n, k - len(sep))
                parts.append(" ")
                n += 1
        pos = b
        changed = True
    if not changed:
        return text, None
    if pos < len(text):
        omap.add(n, pos)
        parts.append(text[pos:])
    return "".join(parts), omap


# -- stage 4: leetspeak -------------------------------------------------------------------------------

_LEET_CHARS = "013457@$"
_LEET_HIT = re.compile(r"[013457@$]+")
_LEET_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@$")
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

#: words the rules look for; decides whether a "1" is an i or an l ("a11" -> "all", "1gn0r3" -> "ignore")
LEET_VOCABULARY: set[str] = set()


def _leet_copy(text: str) -> str | None:
    if not any(c in text for c in _LEET_CHARS):
        return None
    chars: list[str] | None = None
    pos = 0
    for m in _LEET_HIT.finditer(text):
        if m.start() < pos:
            continue
        a, b = m.span()
        while a > 0 and text[a - 1] in _LEET_TOKEN_CHARS:
            a -= 1
        while b < len(text) and text[b] in _LEET_TOKEN_CHARS:
            b += 1
        pos = b
        tok = text[a:b]
        letters = sum(1 for c in tok if c.isalpha())
        leet = sum(1 for c in tok if c in _LEET_CHARS)
        inner = any(
            tok[i] in _LEET_CHARS and tok[i - 1].isalpha() and tok[i + 1].isalpha() for i in range(1, len(tok) - 1)
        )
        if letters == 0 or not (inner or (leet >= 2 and letters >= 2) or (leet and letters >= 2 and tok[0] in "14@$")):
            continue
        low = tok.lower()
        folded = low.translate(_LEET_I)
        if "1" in low and folded not in LEET_VOCABULARY:
            alt = low.translate(_LEET_L)
            if alt in LEET_VOCABULARY:
                folded = alt
        if chars is None:
            chars = list(text)
        chars[a:b] = folded
    return "".join(chars) if chars is not None else None


# -- stage 5: embedded encodings ----------------------------------------------------------------------

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_ESC = re.compile(r"(?:\\x[0-9a-fA-F]{2}){4,}")
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_WS = " \t\r\n\f\v"


def _printable(data: bytes) -> str | None:
    """The text when ``data`` is mostly printable UTF-8 with some letters, else None."""
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not s:
        return None
    good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in s if c.isalpha())
    if good < 0.9 * len(s) or letters < max(3, 0.4 * len(s)):
        return None
    return s


def _decode_b64(tok: str) -> str | None:
    t = tok.rstrip("=")
    if len(t) % 4 == 1 or t.isalpha() and (t.islower() or t.isupper()):
        return None
    t = t.replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(t + "=" * (-len(t) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _printable(data)


def _decode_hex(tok: str) -> str | None:
    if len(tok) % 2:
        return None
    try:
        return _printable(bytes.fromhex(tok))
    except ValueError:
        return None


def _decode_segments(text: str, omap: _OffsetMap | None) -> list[Decoded]:
    out: list[Decoded] = []

    def span(a: int, b: int) -> tuple[int, int]:
        if omap is None:
            return a, b
        return omap.src(a), omap.src(max(a, b - 1)) + 1

    if any(c in text for c in "0123456789+/"):
        for m in _B64_RUN.finditer(text):
            tok = m.group()
            if all(c in _HEXDIGITS for c in tok):
                s = _decode_hex(tok)
                kind: DecodedKind = "hex"
            else:
                s = _decode_b64(tok)
                kind = "base64"
            if s is not None:
                out.append(Decoded(kind, s, *span(*m.span())))
    if "\\x" in text:
        for m in _HEX_ESC.finditer(text):
            s = _decode_hex(m.group().replace("\\x", ""))
            if s is not None:
                out.append(Decoded("hex", s, *span(*m.span())))
    if "%" in text:
        seen: set[tuple[int, int]] = set()
        for m in _PCT.finditer(text):
            i = m.start()
            a = max(text.rfind(c, 0, i) for c in _WS) + 1
            ends = [j for j in (text.find(c, i) for c in _WS) if j >= 0]
            b = min(ends) if ends else len(text)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            seg = text[a:b]
            if len(_PCT.findall(seg)) < 2:
                continue
            s = unquote_plus(seg)
            if s != seg:
                out.append(Decoded("url", s, *span(a, b)))
    return out


# -- stage 6: rot13 -------------------------------------------------------------------------------------

_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)
_ROT_HINTS = ("rot13", "rot-13", "rot 13", "rot_13", "caesar", "rotate each letter", "rotated by 13")
_ROT_WORDS = (" gur ", " naq ", " lbh ", " lbhe ", "vtaber", "cerivbhf", "vafgehpgvbaf", "flfgrz", "cebzcg",
              " nyy ", "qvfertneq", "eriyny", "vafgehpgvba")


def rot13(s: str) -> str:
    return s.translate(_ROT13)


def _wants_rot13(low: str) -> bool:
    if any(h in low for h in _ROT_HINTS):
        return True
    if sum(1 for w in _ROT_WORDS if w in low) >= 2:
        return True
    sample = low[:4096]
    plain = sum(sample.count(c) for c in "etoish")
    shifted = sum(sample.count(c) for c in "rgbvfu")
    return plain + shifted >= 24 and shifted > plain


# -- entry point ----------------------------------------------------------------------------------------


def normalize(text: str, *, decode: bool = True) -> Normalized:
    """Fold ``text`` for the injection rules (see the module doc)."""
    maps: list[_OffsetMap] = []
    if text.isascii():
        folded = text
    else:
        folded, m1 = _fold_chars(text)
        if m1 is not None:
            maps.append(m1)
        if _HAS_CYR_GREEK.search(folded) is not None:
            folded = _fold_homoglyphs(folded)
    stage1_map = maps[0] if maps else None
    decoded = _decode_segments(folded, stage1_map) if decode else []
    joined, m3 = _join_spaced(folded)
    if m3 is not None:
        maps.append(m3)
    leet = _leet_copy(joined)
    if decode:
        low = joined.lower()
        if _wants_rot13(low):
            decoded.append(Decoded("rot13", rot13(joined), 0, len(text)))
    return Normalized(text=joined, decoded=decoded, leet=leet, original=text, _maps=maps)
