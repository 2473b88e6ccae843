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
  @->a, $->s) in tokens that mix letters and leet digits and fold into a word of ``LEET_VOCABULARY``
  (the words the rules look for; any such token while the vocabulary is empty); ``None`` when there
  is nothing to fold. Only the rules use it: it would garble real numbers.
* ``.decoded`` -- embedded encodings decoded: base64 (standard and URL-safe alphabets, >= 16 chars)
  and hex (contiguous or ``\\x``-escaped) only when the bytes are mostly printable UTF-8; runs of
  %-URL-encoding; and rot13 (see below). Each :class:`Decoded` has its ``kind`` and the span of the
  encoded segment in the original text.

rot13 is applied to the whole folded text as a *candidate* (``kind="rot13"``), only when the rules
may need it: the text mentions rot13 / rot-13 / caesar, or a cheap letter-frequency test says it
looks like shifted English (the rot13 images of e t o i s h outnumber e t o i s h themselves, which
never happens in natural Latin-script prose), or it contains at least two rot13 images of very
common or attack words ("gur", "naq", "lbh", "vtaber", "cerivbhf"...).

Speed: plain ASCII text skips all the per-character work (``str.isascii`` is a memory scan). The
other stages are gated by C-speed operations: one scan for a character class of everything stage 1
changes (the class is built on first use); ONE pass of an RE2 set (``_STAGE_GATES``) for the
necessary conditions of the base64, spaced-letter and leetspeak stages, so a text that meets none of
them skips those stages; where a stage runs, ``bytes.translate`` into a small "class string"
(letters, digits, separators; ``class_view``) searched with ``find`` -- on an index-aligned ASCII view
(``ascii_view``) when the text has no letters outside ASCII; and one RE2 set pass for the rot13 cues.
English prose costs about 10-25 microseconds per KB (JSON, CSV and code about 10).

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote_plus

__all__ = [
    "NON_ASCII_LETTER",
    "Decoded",
    "DecodedKind",
    "LiteralSet",
    "Normalized",
    "ascii_view",
    "byte_table",
    "class_view",
    "fold_latin",
    "normalize",
    "rot13",
]

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

    @property
    def aligned(self) -> bool:
        """Whether ``.text`` (and ``.leet``) are index-aligned with the original: every folding step
        replaced characters one for one, so ``span`` is the identity."""
        return not self._maps and len(self.text) == len(self.original)

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
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0,
     *range(0x200B, 0x2010),  # zero-width space/joiners, LRM/RLM
     *range(0x202A, 0x202F),  # bidi embeddings / overrides
     *range(0x2060, 0x2065),  # word joiner, invisible operators
     *range(0x2066, 0x206A),  # bidi isolates
     *range(0xFE00, 0xFE10),  # variation selectors
     *range(0xE0100, 0xE01F0)]  # variation selectors supplement
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
_HAS_LATIN = re.compile(r"[A-Za-z]")
# two single-class-prefixed scans are several times faster than one alternation
_EDGE_LC = re.compile(r"[A-Za-z][\u0370-\u03ff\u0400-\u052f]")
_EDGE_CL = re.compile(r"[\u0370-\u03ff\u0400-\u052f][A-Za-z]")
_WORD_AT = re.compile(r"\w+")

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LENGTH_CHANGERS = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e01ef\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f\u00bc-\u00be\u2150-\u218f\u2460-\u24ff\u2100-\u214f\u3250-\u33ff\ufb00-\ufb4f\u00df\u1e9e"
    "\u00c6\u00e6\u0152\u0153\u2026\u2025\u01c4-\u01cc\u01f1-\u01f3\u0132\u0133\U0001f100-\U0001f1ff]"
)


# letters outside ASCII (after stage 1 has folded Latin diacritics): Cyrillic, Greek, CJK, ...
NON_ASCII_LETTER = re.compile(
    "[\u00aa\u00b5\u00ba\u00c0-\u02af\u0370-\u058f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0eff\u10a0-\u11ff"
    "\u1e00-\u1fff\u2c00-\u2dff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff"
    "\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc]"
)


def ascii_view(text: str) -> str:
    """``text`` with every non-ASCII character replaced by "?": index-aligned, and cheap to
    ``translate`` (CPython translates ASCII strings in C, other strings one dict lookup at a time)."""
    if text.isascii():
        return text
    return text.encode("ascii", "replace").decode("ascii")


def byte_table(mapping: dict[str, str]) -> bytes:
    """A ``bytes.translate`` table for ASCII: each character of ``mapping`` to its one-character
    image, every other byte to itself."""
    table = bytearray(range(256))
    for ch, image in mapping.items():
        table[ord(ch)] = ord(image)
    return bytes(table)


class PatternSet:
    """Which of some regexes (the common subset of RE2 and Python ``re``) match somewhere in a text, in
    ONE pass of an RE2 set over its UTF-8 bytes (a Python ``re`` search for each when RE2 is missing)."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._set: Any = None
        self._fallback: list[re.Pattern[str]] = []
        try:
            import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            self._fallback = [re.compile(p) for p in patterns]
            return
        options = re2.Options()
        options.max_mem = 64 << 20
        pattern_set = re2._re2.Set(re2._Anchor.UNANCHORED, options)
        if all(pattern_set.Add(p.encode()) >= 0 for p in patterns) and pattern_set.Compile():
            self._set = pattern_set
        else:
            self._fallback = [re.compile(p) for p in patterns]

    def found(self, text: str) -> list[int]:
        """The indices of the patterns that match in ``text`` (any order)."""
        if self._set is not None:
            return self._set.Match(text.encode("utf-8", "surrogatepass"))
        return [i for i, rx in enumerate(self._fallback) if rx.search(text)]


# what a " " of a LiteralSet(any_space=True) literal also matches: other whitespace, or any non-ASCII character
_ANY_SPACE = "(?:[\\t-\\r \\x1c-\\x1f]|[^\\x00-\\x7f])"


class LiteralSet(PatternSet):
    """Which of some literal strings occur in a text (a ``PatternSet``). ``any_space``: a " " in a literal
    also matches any other whitespace character (or any non-ASCII character): found is then a superset of
    what occurs in the text with its whitespace spelt " " -- a filter, to be confirmed."""

    def __init__(self, literals: tuple[str, ...], *, any_space: bool = False) -> None:
        self.literals = literals
        space = _ANY_SPACE if any_space else " "
        super().__init__(tuple(space.join(re.escape(part) for part in lit.split(" ")) for lit in literals))


def class_view(text: str, table: bytes) -> str:
    """``ascii_view(text)`` mapped through a ``byte_table``: index-aligned with ``text``. Translating
    the bytes is several times faster than ``str.translate``, which looks every character up in a dict."""
    return ascii_view(text).encode("ascii").translate(table).decode("ascii")


# -- stage 1 and 2: characters --------------------------------------------------------------------


# 256-code-point blocks holding every code point _fold_cp changes (checked by a unit test over the whole
# range); the exact class inside them is computed on first use (~15 ms) and cached.
_FOLD_BLOCKS = (
    0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x09, 0x0A, 0x0B, 0x0E, 0x0F, 0x10, 0x11, 0x17, 0x18, 0x1A, 0x1D, 0x1E,
    0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x2A, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0xA6, 0xA7, 0xAB,
    0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x107, 0x1D1, 0x1D4, 0x1D5, 0x1D6, 0x1D7, 0x1EE, 0x1F1, 0x1F2,
    0x1FB, 0x2F8, 0x2F9, 0x2FA, 0xE00, 0xE01,
)
_may_fold_re: tuple[re.Pattern[str], re.Pattern[str]] | None = None


def _may_fold(text: str) -> re.Pattern[str]:
    """A character class of every non-ASCII code point stage 1 changes (one C-speed scan). sre
    scans a BMP-only class several times faster, so the astral ranges go in a second pattern used
    only when the text has astral characters."""
    global _may_fold_re
    if _may_fold_re is None:
        ranges: list[list[int]] = []
        for blk in _FOLD_BLOCKS:
            for cp in range(max(blk << 8, 0x80), (blk + 1) << 8):
                if 0xD800 <= cp <= 0xDFFF or _FOLD[cp] == cp:
                    continue
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])

        def cls(rs: list[list[int]]) -> str:
            return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in rs)

        bmp = [r for r in ranges if r[1] < 0x10000]
        _may_fold_re = re.compile(f"[{cls(bmp)}]+"), re.compile(f"[{cls(ranges)}]+")
    bmp_rx, all_rx = _may_fold_re
    astral = len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)
    return all_rx if astral else bmp_rx


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD)


def _fold_chars(text: str) -> tuple[str, _OffsetMap | None]:
    rx = _may_fold(text)
    if rx.search(text) is None:
        return text, None
    out = rx.sub(_fold_run, text)
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
    edges = sorted([m.start() for m in _EDGE_LC.finditer(text)] + [m.start() for m in _EDGE_CL.finditer(text)])
    if not edges:
        return text
    chars: list[str] | None = None
    pos = 0
    for a in edges:
        if a < pos:
            continue
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

_SPACED_SEPS = ".-_*|/\\,·•~+:;'\"`\t "
# ASCII gate: letters/digits -> "a", separators -> " ", anything else -> "#"; then look for four
# single characters in a row with 1-3 separators between them
_SPACED_CLASS = byte_table(
    {**{chr(c): "#" for c in range(128)},
     **{c: "a" for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
     **{c: " " for c in _SPACED_SEPS if c.isascii()}}
)
_SPACED_NEEDLES = tuple(" " + (("a" + " " * k) * 4)[:-k] for k in (1, 2, 3))
_SPACED_GATE_U = re.compile(r"[ .\-_*|/\\,·•~+:;'\"`\t][^\W_][ .\-_*|/\\,·•~+:;'\"`\t]{1,3}[^\W_]"
                            r"[ .\-_*|/\\,·•~+:;'\"`\t]{1,3}[^\W_][ .\-_*|/\\,·•~+:;'\"`\t]{1,3}[^\W_](?![^\W_])")
_SPACED_RUN = re.compile(r"(?<![^\W_])(?:[^\W_](?:[ .\-_*|/\\,·•~+:;'\"`\t]{1,3}|  +)){3,}[^\W_](?![^\W_])")
_SEP = re.compile(r"[^\W_]([^\w]+|_+)")


def _spaced_starts(text: str, ascii_needles: bool) -> list[int]:
    """Where runs of single letters may start (a cheap gate; the run regex confirms). ``ascii_needles``:
    whether the text has one of the needles of the ASCII gate (known from ``_STAGE_GATES``)."""
    if text.isascii() or NON_ASCII_LETTER.search(text) is None:
        if not ascii_needles:
            return []
        cls = " " + class_view(text, _SPACED_CLASS)
        out = []
        for needle in _SPACED_NEEDLES:
            i = cls.find(needle)
            while i >= 0:
                out.append(i)
                i = cls.find(needle, i + len(needle))
        return sorted(out)
    return [m.start() for m in _SPACED_GATE_U.finditer(" " + text)]


def _spaced_runs(text: str, ascii_needles: bool) -> Iterator[re.Match[str]]:
    """The runs of spaced-out letters, searched only near the places the gate found."""
    last = 0
    for s0 in _spaced_starts(text, ascii_needles):
        if s0 < last:
            continue
        m = _SPACED_RUN.search(text, max(last, s0 - 64), s0 + 64)  # a run near the needle ...
        if m is not None:
            m = _SPACED_RUN.match(text, m.start())  # ... and all of it
            if m is not None:
                last = m.end()
                yield m


def _join_spaced(text: str, *, ascii_needles: bool = True) -> tuple[str, _OffsetMap | None]:
    runs = list(_spaced_runs(text, ascii_needles))
    if not runs:
        return text, None
    omap = _OffsetMap()
    parts: list[str] = []
    pos = n = 0
    changed = False
    for m in runs:
        a, b = m.span()
        run = m.group()
        seps = [s.group(1) for s in _SEP.finditer(run)]
        if not seps:
            continue
        common = max(dict.fromkeys(seps), key=seps.count)
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
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

#: words the rules look for; decides whether a "1" is an i or an l ("a11" -> "all", "1gn0r3" -> "ignore")
LEET_VOCABULARY: set[str] = set()


# ASCII class view: letters -> "a", leet characters -> "1", other digits -> "d", anything else -> " "
_LEET_CLASS = byte_table(
    {**{chr(c): " " for c in range(128)}, **{c: "a" for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"},
     **{c: "d" for c in "2689"}, **{c: "1" for c in _LEET_CHARS}}
)


def _leet_edges(cls: str) -> list[int]:
    """Positions where an ASCII letter touches a leet character (sorted), in the ``_LEET_CLASS`` view."""
    out: list[int] = []
    for needle in ("a1", "1a"):
        i = cls.find(needle)
        while i >= 0:
            out.append(i)
            i = cls.find(needle, i + 1)
    return sorted(out)


def _in_vocabulary(word: str) -> bool:
    """``word`` is, or begins with a 4+ letter, word of LEET_VOCABULARY (always true when it is empty)."""
    if not LEET_VOCABULARY or word in LEET_VOCABULARY:
        return True
    return any(word[:k] in LEET_VOCABULARY for k in range(len(word) - 1, 3, -1))


def _leet_copy(text: str) -> str | None:
    if not any(c in text for c in _LEET_CHARS):
        return None
    # tokens are the runs of letters, digits, "@" and "$": the non-blank runs of the class view, whose
    # "a" / "1" count the token's letters / leet characters
    cls = class_view(text, _LEET_CLASS)
    edges = _leet_edges(cls)
    if not edges:
        return None
    chars: list[str] | None = None
    pos = 0
    n = len(text)
    for edge in edges:
        if edge < pos:
            continue
        a = cls.rfind(" ", 0, edge) + 1
        b = cls.find(" ", edge + 2)
        b = n if b < 0 else b
        pos = b
        letters = cls.count("a", a, b)
        leet = cls.count("1", a, b)
        inner = cls.find("a1a", a, b) >= 0  # a leet character between two letters
        if letters == 0 or not (inner or (leet >= 2 and letters >= 2) or (leet and letters >= 2 and text[a] in "14@$")):
            continue
        tok = text[a:b]
        low = tok.lower()
        folded = low.translate(_LEET_I)
        if "1" in low and folded not in LEET_VOCABULARY:
            alt = low.translate(_LEET_L)
            if alt in LEET_VOCABULARY or (_in_vocabulary(alt) and not _in_vocabulary(folded)):
                folded = alt
        if LEET_VOCABULARY and not _in_vocabulary(folded):
            continue  # "utf8", "h2o", "gpt4o": not a word the rules look for
        if chars is None:
            chars = list(text)
        chars[a:b] = folded
    return "".join(chars) if chars is not None else None


# -- stage 5: embedded encodings ----------------------------------------------------------------------

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
_B64_CLASS = byte_table({**{chr(c): " " for c in range(128)}, **{c: "b" for c in _B64_ALPHABET}})
_B64_NEEDLE = "b" * 16
_WS_VIEW = byte_table({c: " " for c in "\t\r\n\f\v"})


def _b64_runs(text: str) -> list[tuple[int, int]]:
    """Spans of runs of >= 16 base64-alphabet characters (plus up to two "=")."""
    cls = class_view(text, _B64_CLASS)
    out: list[tuple[int, int]] = []
    i = cls.find(_B64_NEEDLE)
    n = len(text)
    while i >= 0:
        a = cls.rfind(" ", 0, i) + 1
        b = cls.find(" ", i)
        b = n if b < 0 else b
        k = 0
        while k < 2 and b < n and text[b] == "=":
            b += 1
            k += 1
        out.append((a, b))
        i = cls.find(_B64_NEEDLE, b)
    return out
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
    if len(t) % 4 == 1 or (t.isalpha() and (t.islower() or t.isupper())):
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


def _decode_run(tok: str) -> tuple[DecodedKind, str | None]:
    """A run of the base64 alphabet: hex when it only has hex digits, else base64."""
    if all(c in _HEXDIGITS for c in tok):
        return "hex", _decode_hex(tok)
    return "base64", _decode_b64(tok)


def _decode_segments(text: str, omap: _OffsetMap | None, *, b64: bool = True) -> list[Decoded]:
    """The encoded segments of ``text``; ``b64``: whether it may have a base64/hex run (a gate)."""
    out: list[Decoded] = []

    def span(a: int, b: int) -> tuple[int, int]:
        if omap is None:
            return a, b
        return omap.src(a), omap.src(max(a, b - 1)) + 1

    if b64 and any(c in text for c in "0123456789+/"):
        tokens: dict[str, tuple[DecodedKind, str | None]] = {}  # a token repeated in the text is decoded once
        for a, b in _b64_runs(text):
            tok = text[a:b]
            if tok not in tokens:
                tokens[tok] = _decode_run(tok)
            kind, s = tokens[tok]
            if s is not None:
                out.append(Decoded(kind, s, *span(a, b)))
    if "\\x" in text:
        for m in _HEX_ESC.finditer(text):
            s = _decode_hex(m.group().replace("\\x", ""))
            if s is not None:
                out.append(Decoded("hex", s, *span(*m.span())))
    if "%" in text:
        ws = ""  # the whitespace view, made at the first escape
        end = -1
        for m in _PCT.finditer(text):
            i = m.start()
            if i < end:
                continue  # same whitespace-delimited token as the previous escape
            ws = ws or class_view(text, _WS_VIEW)
            a = ws.rfind(" ", 0, i) + 1
            b = ws.find(" ", i)
            b = len(text) if b < 0 else b
            end = b
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
# rot13 images of "the", "you", "ignore", "previous", "instruction", "system", "prompt", "disregard"
_ROT_WORDS = (" gur ", " lbh", "vtaber", "cerivbhf", "vafgehpgvba", "flfgrz", "cebzcg", "qvfertneq")


def rot13(s: str) -> str:
    return s.translate(_ROT13)


_ROT_CUES = LiteralSet(_ROT_HINTS + _ROT_WORDS)


def _wants_rot13(low: str) -> bool:
    found = _ROT_CUES.found(low)
    words = sum(1 for i in found if i >= len(_ROT_HINTS))
    if words < len(found) or words >= 2:  # a hint, or two rot13 images of common words
        return True
    sample = low[:4096]
    if sample.count("e") + sample.count("t") > 2 * (sample.count("r") + sample.count("g")):
        return False  # plainly not shifted English (e and t are rot13's rare letters)
    plain = sum(sample.count(c) for c in "etoish")
    shifted = sum(sample.count(c) for c in "rgbvfu")
    return plain + shifted >= 24 and shifted > plain


# -- one pass for the gates of stages 3-5 ------------------------------------------------------------------

# Necessary conditions, on ASCII characters, for the stages above to find anything: a run of 16 base64
# characters (``_b64_runs``); four single letters or digits with the same 1-3 separators between them, the
# needles of ``_spaced_starts``' ASCII gate; a token (run of letters, digits, "@", "$") with two letters and a
# leet character next to a letter (``_leet_copy``). One RE2 set reads them all.
_ALNUM, _SEP_CLASS = "[A-Za-z0-9]", "[" + re.escape("".join(c for c in _SPACED_SEPS if c.isascii())) + "]"
_LETTER, _LEET_CHAR, _TOKEN_CHAR = "[A-Za-z]", "[013457@$]", "[A-Za-z0-9@$]"
_EDGE = f"(?:{_LETTER}{_LEET_CHAR}|{_LEET_CHAR}{_LETTER})"
_STAGE_GATES = PatternSet((
    "[A-Za-z0-9+/_-]{16}",
    "|".join(f"(?:^|{_SEP_CLASS}){_ALNUM}(?:{_SEP_CLASS}{{{k}}}{_ALNUM}){{3}}" for k in (1, 2, 3)),
    f"{_LETTER}{_TOKEN_CHAR}*{_EDGE}|{_EDGE}{_TOKEN_CHAR}*{_LETTER}",
))
_B64_GATE, _SPACED_GATE, _LEET_GATE = 0, 1, 2


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
        if _HAS_CYR_GREEK.search(folded) is not None and _HAS_LATIN.search(folded) is not None:
            folded = _fold_homoglyphs(folded)
    stage1_map = maps[0] if maps else None
    latin = folded.isascii() or _HAS_LATIN.search(folded) is not None
    gates = _STAGE_GATES.found(folded)
    decoded = _decode_segments(folded, stage1_map, b64=_B64_GATE in gates) if decode else []
    joined, m3 = _join_spaced(folded, ascii_needles=_SPACED_GATE in gates)
    if m3 is not None:
        maps.append(m3)
    leet = _leet_copy(joined) if latin and (_LEET_GATE in gates or m3 is not None) else None
    if decode and latin and _wants_rot13(joined.lower()):
        decoded.append(Decoded("rot13", rot13(joined), 0, len(text)))
    return Normalized(text=joined, decoded=decoded, leet=leet, original=text, _maps=maps)
