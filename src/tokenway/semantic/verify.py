"""The semantic cache's second stage: two close questions must still ask for the same thing.

Embeddings put "the capital of France" next to "the capital of Spain", "sort a list in Python" next to
"sort a list in Rust", and "5 km in miles" next to "50 km in miles". A cosine threshold alone cannot
separate those near-misses from paraphrases, so a semantic hit must also pass :func:`compatible`: both
questions carry the same

* numbers, with their units (``5 km`` == ``5 kilometers``; number words and ordinals count as numbers),
* dates and times (month and weekday names, today/tomorrow/…, clock times),
* named entities: capitalised words that are not ordinary sentence openers, acronyms, identifiers
  (``snake_case``, ``camelCase``, ``os.path``), and quoted or back-ticked strings: each must appear in
  the other question too,
* negation (not, never, without, n't…),
* programming and natural language names, and
* no pair of opposites (min/max, increase/decrease, before/after…) split between them.

Features are computed once per text (:func:`features`, at put time for cached entries); a pair check
(:func:`compatible_features`) only compares sets: a few microseconds.
"""

from __future__ import annotations

import re
import unicodedata

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})

_WORD = re.compile(r"[A-Za-z_][\w]*(?:[.\-][A-Za-z_\d]\w*)*(?:\+\+|#)?")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|`([^`\n]{1,200})`|(?<![\w])'([^'\n]{2,200})'(?![\w])")
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])([$€£¥])?\s?(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
                     r"(?:[\s-]?(?:degrees?\s+|deg\s+)?(%|°?[A-Za-z]+\b|°))?")
_NEGATION_WORDS = frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without",
                             "cannot", "except", "excluding", "avoid", "unless", "non"})
_IDENT = re.compile(r"[_.\d]|[a-z][A-Z]")  # snake_case, dotted.names, digits, camelCase
_OPENERS = frozenset(".!?:;\n\"'([")
_UNIT_MODIFIERS = frozenset({"nautical", "square", "sq", "cubic", "fluid", "metric", "imperial", "troy", "light",
                             "statute", "us", "uk", "short", "long"})
_LANG_SHORT = re.compile(
    r"\b(?:in|using|with|for|to|from|into|on)\s+(go|c|r|d)\b(?![#+])|\b(go|c|r)\s+(?:code|program|language)\b", re.I)

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12, "half": 0.5, "twice": 2, "double": 2,
    "triple": 3, "single": 1, "couple": 2,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1, "penultimate": -2,
}
_ORDINAL_SUFFIX = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)
# "m" and "b" stay units (metres, bytes); these only scale the number before them
_MULTIPLIERS = {"k": 1000, "thousand": 1000, "million": 1_000_000, "mn": 1_000_000,
                "bn": 1_000_000_000, "billion": 1_000_000_000, "hundred": 100}

_UNITS: dict[str, str] = {}
for canon, names in {
    "km": "km kms kilometer kilometers kilometre kilometres",
    "m": "meter meters metre metres",
    "cm": "cm centimeter centimeters centimetre centimetres",
    "mm": "mm millimeter millimeters",
    "mi": "mi mile miles",
    "ft": "ft foot feet",
    "in": "inch inches",
    "yd": "yd yard yards",
    "kg": "kg kgs kilo kilos kilogram kilograms",
    "g": "g gram grams",
    "mg": "mg milligram milligrams",
    "lb": "lb lbs pound pounds",
    "oz": "oz ounce ounces",
    "l": "l liter liters litre litres",
    "ml": "ml milliliter milliliters millilitre millilitres",
    "gal": "gal gallon gallons",
    "c": "c °c celsius centigrade",
    "f": "f °f fahrenheit",
    "kelvin": "k kelvin",
    "usd": "$ usd dollar dollars bucks",
    "eur": "€ eur euro euros",
    "gbp": "£ gbp sterling",
    "jpy": "¥ jpy yen",
    "%": "% percent per-cent pct",
    "s": "s sec secs second seconds",
    "min": "min mins minute minutes",
    "h": "h hr hrs hour hours",
    "day": "day days",
    "week": "week weeks wk wks",
    "month": "month months",
    "year": "year years yr yrs",
    "b": "byte bytes",
    "kb": "kb kib kilobyte kilobytes",
    "mb": "mb mib megabyte megabytes",
    "gb": "gb gib gigabyte gigabytes",
    "tb": "tb tib terabyte terabytes",
    "ms": "ms millisecond milliseconds",
    "mph": "mph",
    "kmh": "kmh kph km/h",
    "w": "w watt watts",
    "kw": "kw kilowatt kilowatts",
    "kwh": "kwh",
    "v": "v volt volts",
    "hz": "hz hertz",
    "ghz": "ghz",
    "mhz": "mhz",
    "cal": "cal calorie calories kcal",
    "px": "px pixel pixels",
}.items():
    for n in names.split():
        _UNITS[n] = canon

_TIME_UNITS = frozenset({"s", "min", "h", "day", "week", "month", "year", "ms"})
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_DAYS = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun", "today": "today", "tomorrow": "tomorrow", "yesterday": "yesterday",
    "tonight": "tonight", "weekend": "weekend", "morning": "morning", "afternoon": "afternoon",
    "evening": "evening", "night": "night", "now": "now", "currently": "now", "christmas": "christmas",
    "spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter",
    "noon": "noon", "midnight": "midnight",
}
_RELATIVE = re.compile(r"\b(next|last|this|previous|coming|past)\s+(week|month|year|quarter|weekend|season|"
                       r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)

_LANGS: dict[str, str] = {}
for canon, names in {
    "python": "python python3 py", "rust": "rust", "java": "java", "javascript": "javascript js node nodejs node.js",
    "typescript": "typescript ts", "golang": "golang", "c++": "c++ cpp", "c#": "c# csharp", "ruby": "ruby",
    "php": "php", "swift": "swift", "kotlin": "kotlin", "scala": "scala", "haskell": "haskell", "sql": "sql",
    "bash": "bash shell sh zsh", "powershell": "powershell", "perl": "perl", "lua": "lua", "elixir": "elixir",
    "erlang": "erlang", "clojure": "clojure", "julia": "julia", "matlab": "matlab", "dart": "dart",
    "ocaml": "ocaml", "fortran": "fortran", "cobol": "cobol", "zig": "zig", "nim": "nim", "html": "html",
    "css": "css", "postgres": "postgres postgresql", "mysql": "mysql", "sqlite": "sqlite",
    "english": "english", "french": "french", "spanish": "spanish", "german": "german", "italian": "italian",
    "portuguese": "portuguese", "dutch": "dutch", "russian": "russian", "chinese": "chinese mandarin",
    "japanese": "japanese", "korean": "korean", "arabic": "arabic", "hindi": "hindi", "polish": "polish",
    "turkish": "turkish", "swedish": "swedish", "greek": "greek", "hebrew": "hebrew", "latin": "latin",
}.items():
    for n in names.split():
        _LANGS[n] = canon

_LANG_NAMES = frozenset(_LANGS)

_OPPOSITES = [
    ("min", "max"), ("minimum", "maximum"), ("smallest", "largest"), ("smallest", "biggest"), ("lowest", "highest"),
    ("increase", "decrease"), ("increasing", "decreasing"), ("ascending", "descending"), ("before", "after"),
    ("add", "remove"), ("insert", "delete"), ("encrypt", "decrypt"), ("encode", "decode"), ("serialize",
    "deserialize"), ("compress", "decompress"), ("upload", "download"), ("import", "export"), ("buy", "sell"),
    ("best", "worst"), ("pros", "cons"), ("advantages", "disadvantages"), ("benefits", "risks"),
    ("start", "stop"), ("enable", "disable"), ("open", "close"), ("lock", "unlock"), ("push", "pull"),
    ("fastest", "slowest"), ("cheapest", "most expensive"), ("oldest", "newest"), ("first", "last"),
    ("input", "output"), ("left", "right"), ("north", "south"), ("east", "west"), ("hot", "cold"),
    ("more", "less"), ("above", "below"), ("inside", "outside"), ("true", "false"), ("synchronous",
    "asynchronous"), ("sync", "async"), ("client", "server"), ("read", "write"), ("private", "public"),
    ("upper", "lower"), ("uppercase", "lowercase"), ("rise", "fall"), ("gain", "lose"), ("win", "lose"),
    ("import", "export"), ("male", "female"), ("men", "women"), ("boy", "girl"), ("adult", "child"),
    ("adults", "children"), ("cats", "dogs"), ("cat", "dog"),
]
_OPP_WORDS: dict[str, list[tuple[int, int]]] = {}
for _i, (_a, _b) in enumerate(_OPPOSITES):
    _OPP_WORDS.setdefault(_a, []).append((_i, 0))
    _OPP_WORDS.setdefault(_b, []).append((_i, 1))

# Capitalised words that open a sentence without naming anything.
_COMMON_WORDS = """
a an the i i'm i've i'd me my mine we our us you your yours he she it its they them their this that these those
what whats what's how hows how's why when where which who whom whose whats is are was were be been being am do does
did done can could would should will shall may might must have has had having get got give gave tell show
explain describe list name write create make build generate provide summarize summarise compare define
find help please hey hi hello ok okay so and or but if then also just now here there in on at for with from to
of by about into over under between through during without within as like than quick simple short brief
briefly any some all each every no not yes one two three few many much more most other another such
what's whats need want wanna trying try looking look know learn understand teach recommend suggest
give convert translate calculate compute check fix debug implement code use using let let's lets walk go
is there's theres give me best good better top ways way steps step guide overview difference differences
meaning definition example examples tips advice main key basic basics common typical usual
"""
_COMMON = frozenset(_COMMON_WORDS.split())


# The features of one text, as a plain tuple of sorted tuples of str/float/bool (no sets, no class
# instances): CPython's collector stops tracking such tuples, so 100k cached entries add nothing to the
# full (gen 2) collections, which otherwise pause the whole process (measured: 0.6 s at 100k entries with a
# dataclass of frozensets per entry). Fields, in order:
#   numbers   ((value, unit), ...)     dates    (str, ...)       entities (str, ...): names that must appear
#   soft      (str, ...): capitalised sentence openers that may be names (see mismatch)
#   units     (str, ...): units named without a number ("… in miles")      quoted   (str, ...)
#   langs     (str, ...)               opposites ((pair, side), ...)        negated  bool
#   tokens    (str, ...): every lower-cased word
Features = tuple[
    tuple[tuple[float, str], ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
    tuple[str, ...], tuple[str, ...], tuple[tuple[int, int], ...], bool, tuple[str, ...],
]


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _identifier(w: str) -> bool:
    return _IDENT.search(w) is not None


def _opens_sentence(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` starts the text or follows sentence punctuation, a quote or a bracket."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _OPENERS


def features(text: str) -> Features:
    """The pair-check features of one text (computed once per text)."""
    t = unicodedata.normalize("NFKC", text).translate(_APOS)
    low = t.lower()
    quoted = frozenset((m.group(1) or m.group(2) or m.group(3)).strip().casefold() for m in _QUOTED.finditer(t))

    dates: set[str] = set()
    for m in _TIME.finditer(t):
        if m.group(4):
            dates.add(f"{int(m.group(4)) % 24:02d}:{m.group(5)}")
        else:
            h = int(m.group(1)) % 12 + (12 if m.group(3).lower().startswith("p") else 0)
            dates.add(f"{h:02d}:{m.group(2) or '00'}")
    rest = _TIME.sub(" ", t)
    for m in _RELATIVE.finditer(low):
        dates.add(f"{m.group(1)} {m.group(2)}")

    words = _WORD.findall(rest)
    lows = [w.lower() for w in words]
    tokens: set[str] = set(lows)
    for w in lows:
        if w in _MONTHS and w != "may":
            dates.add(f"month{_MONTHS[w]}")
        elif w in _DAYS:
            dates.add(_DAYS[w])
    if "may" in tokens and re.search(r"\bMay\b(?!\s+(?:I|you|we|he|she|it|they)\b)", rest):
        dates.add("month5")

    numbers: list[tuple[float, str]] = []
    for m in _NUMBER.finditer(rest):
        cur, val, unit = m.group(1), _num(m.group(2)), (m.group(3) or "").lower()
        if unit in ("st", "nd", "rd", "th"):
            continue  # an ordinal, counted below
        if unit in _MULTIPLIERS:
            val, unit = val * _MULTIPLIERS[unit], ""
        u = _UNITS.get(unit, "")
        if cur:
            u = _UNITS[cur]
        numbers.append((val, u))
    for m in _ORDINAL_SUFFIX.finditer(rest):
        numbers.append((float(m.group(1)), "#"))
    prev = ""
    for w in lows:
        if w in _NUMBER_WORDS:
            numbers.append((float(_NUMBER_WORDS[w]), ""))
        elif w in _ORDINALS and not (w == "second" and prev in _NUMBER_WORDS) and w != "last":
            numbers.append((float(_ORDINALS[w]), "#"))
        prev = w
    # a number word followed by a unit gets that unit; digits already have theirs
    if any(u == "" for _, u in numbers):
        for i, w in enumerate(lows[:-1]):
            if w in _NUMBER_WORDS and lows[i + 1] in _UNITS:
                numbers.remove((float(_NUMBER_WORDS[w]), ""))
                numbers.append((float(_NUMBER_WORDS[w]), _UNITS[lows[i + 1]]))
    # unit names written out with no number before them ("… in miles") still matter; time words do not
    attached = {u for _, u in numbers}
    free = {u for w in lows if (u := _UNITS.get(w)) and len(w) > 2 and u not in _TIME_UNITS and u not in attached}
    if free or attached - {""}:  # "nautical miles" is not "miles", "square feet" is not "feet"
        free.update(f"mod:{w}" for w in lows if w in _UNIT_MODIFIERS)
    free_units = frozenset(free)

    entities: set[str] = set()
    soft: set[str] = set()
    bare = _NUMBER.sub(" 0 ", rest)  # "40 °C" is a number with a unit, not a name "C"
    for m in _WORD.finditer(bare):
        w = m.group(0)
        wl = w.lower()
        if _identifier(w) and not _NUMBER.fullmatch(w):
            entities.add(wl)
            continue
        if not w[0].isupper() or wl == "i":
            continue
        if len(w) > 1 and w.isupper():
            entities.add(wl)
            continue
        if wl in _MONTHS or wl in _DAYS or wl in _UNITS:
            continue
        if _opens_sentence(bare, m.start()):
            if wl not in _COMMON:
                soft.add(wl)
            continue
        entities.add(wl)
    langs = {_LANGS[w] for w in lows if w in _LANGS}
    for m in _LANG_SHORT.finditer(rest):
        name = (m.group(1) or m.group(2)).lower()
        # "for C" in lower case is too ambiguous; only a capital letter counts for one-letter languages
        if (m.group(1) or m.group(2)).isupper() or name == "go":
            langs.add({"go": "golang"}.get(name, name))
    opp = frozenset(p for w in lows for p in _OPP_WORDS.get(w, ()))
    return (
        tuple(sorted(numbers)),
        tuple(sorted(dates)),
        tuple(sorted(entities - langs - _LANG_NAMES)),
        tuple(sorted(soft - langs - _LANG_NAMES)),
        tuple(sorted(free_units)),
        tuple(sorted(quoted)),
        tuple(sorted(langs)),
        tuple(sorted(opp)),
        not _NEGATION_WORDS.isdisjoint(tokens) or "n't" in low,
        tuple(sorted(tokens)),
    )


def mismatch(a: Features, b: Features) -> str | None:
    """The first reason the two questions differ, or None when they are compatible."""
    a_num, a_dates, a_ent, a_soft, a_units, a_quoted, a_langs, a_opp, a_neg, a_tok = a
    b_num, b_dates, b_ent, b_soft, b_units, b_quoted, b_langs, b_opp, b_neg, b_tok = b
    if a_neg != b_neg:
        return "negation"
    if a_num != b_num:
        return "number"
    if a_dates != b_dates:
        return "date"
    if a_langs != b_langs:
        return "language"
    if a_quoted != b_quoted:
        return "quoted"
    if a_units != b_units:
        return "unit"
    if (a_ent or b_ent or a_soft or b_soft) and _entity_mismatch(a_ent, a_soft, a_tok, b_ent, b_soft, b_tok):
        return "entity"
    if a_opp != b_opp:  # "max" on one side, "min" on the other
        sa, sb = set(a_opp), set(b_opp)
        for i, side in sa ^ sb:
            if (i, 1 - side) in (sb if (i, side) in sa else sa):
                return "opposite"
    return None


def _entity_mismatch(a_ent: tuple[str, ...], a_soft: tuple[str, ...], a_tok: tuple[str, ...],
                     b_ent: tuple[str, ...], b_soft: tuple[str, ...], b_tok: tuple[str, ...]) -> bool:
    ta, tb = frozenset(a_tok), frozenset(b_tok)
    if not tb.issuperset(a_ent) or not ta.issuperset(b_ent):
        return True
    # a capitalised sentence opener ("Population of…", "Tesla was…") may or may not be a name: it only
    # counts when the other text also brings a name of its own that this one lacks
    return bool(set(a_soft) - tb) and bool((set(b_ent) | set(b_soft)) - ta)


def compatible_features(a: Features, b: Features) -> bool:
    return mismatch(a, b) is None


def compatible(a: str, b: str) -> bool:
    """True when two semantically close questions agree on numbers, dates, entities, negation, languages."""
    return mismatch(features(a), features(b)) is None
