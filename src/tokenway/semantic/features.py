"""Cheap request features for the semantic router: code present, language, the last user turn.

All of it is plain string work (regexes and character counts, a few µs per request), so rules
that only need these features decide before any embedding is computed.

* :func:`has_code` — fenced blocks, stack traces / compiler errors, or enough code-like lines
  (keywords at the start of a line, lines ending in ``;`` / ``{`` / ``}``, assignments, calls).
  Inline ``code`` in backticks alone does not count: "what does `git rebase` do?" is a question
  about code, not code.
* :func:`language` — ISO 639-1 code of the text's main language: by script for non-Latin
  scripts (zh, ja, ko, ru, uk, ar, fa, he, el, th, hi…), by stopwords for Latin-script en, es,
  de, fr, it, pt, nl; ``"und"`` when undetermined (empty, digits only, too few words). Code
  blocks are removed first, so a question in German with a Python snippet is ``de``.
* :func:`route_request` — a :class:`~tokenway.semantic.router.RouteRequest` from a canonical
  (OpenAI chat shaped) request.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from tokenway.dialects.canonical import text_of

if TYPE_CHECKING:
    from tokenway.semantic.router import RouteRequest

UNDETERMINED = "und"

# -- code ------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.MULTILINE)
_FENCED_BLOCK = re.compile(r"(```|~~~)[^\n]*\n.*?(?:\1|\Z)", re.DOTALL)
_TRACE_LITERALS = ("Traceback (most recent call last)", 'Exception in thread "', "Segmentation fault (core dumped)")
_TRACE = re.compile(  # written so that no pattern backtracks much on long lines
    r'File "[^"\n]+", line \d+'  # Python frames
    r"|\n[ \t]+at [\w$.<>]+\([\w$.]*(?::\d+)*\)"  # Java frames
    r"|\n[ \t]+at [^\n()]{1,300} \([^\n()]{1,300}:\d+:\d+\)"  # node frames
    r"|^(?:panic|fatal error): "
    r"|error\[E\d{4}\]: "  # rustc
    r"|:\d+:\d+: (?:error|warning): "  # gcc / clang
    r"|^[\w.]{1,200}(?:Error|Exception): ",  # Python's last line
    re.MULTILINE,
)
_CODE_LINE = re.compile(
    r"^\s*(?:"
    r"(?:async\s+)?def \w+\s*\(.*\)\s*(?:->.*)?:\s*$"
    r"|class \w+(?:\(.*\))?\s*[:{]\s*$"
    r"|(?:from [\w.]+ )?import [\w.*, {}]+;?\s*$"
    r"|#include\s*[<\"]"
    r"|(?:public|private|protected|static|final|override|internal)\s+[\w<>\[\], ]+[\w>\]]\s*[({=;]"
    r"|(?:const|let|var)\s+[\w{}\[\], ]+\s*=.*"
    r"|(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*\w*\s*\(.*"
    r"|func\s+(?:\([^)]*\)\s*)?\w+\s*\(.*"
    r"|(?:pub\s+)?fn\s+\w+.*"
    r"|package\s+[\w.]+;?\s*$"
    r"|(?:if|for|while|switch|catch)\s*\(.*\)\s*\{?\s*$"
    r"|(?:for|while|if|elif)\s+.+:\s*$"
    r"|(?:else|try|finally)\s*[:{]\s*$"
    r"|return\b.*;?\s*$"
    r"|(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE)\b.+"
    r"|[\w.\[\]'\"]+\s*(?:[-+*/%|&]?=|:=)\s*[^=].*"  # assignment
    r"|[\w.]+\(.*\)\s*;?\s*$"  # a bare call
    r"|[})\]];?\s*$"
    r"|<(?:div|span|html|body|head|script|template|svg|table|ul|li|p|a|button|input)\b[^>]*>.*"
    r"|\$ \S.+"  # shell prompt
    r"|@\w+(?:\(.*\))?\s*$"  # decorator / annotation
    r")",
    re.IGNORECASE,
)
_CODE_END = re.compile(r"(?:[;{}]|\)\s*:|=>\s*\{?|->\s*\w+)\s*$")
_PROSE_WORD = re.compile(r"[^\W\d_]{2,}")


def _code_like(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 400:
        return False
    if _CODE_LINE.match(s) or _CODE_END.search(s):
        # a prose sentence that happens to end in ")" or "}" is not code: mostly words, no symbols
        words = _PROSE_WORD.findall(s)
        symbols = sum(s.count(c) for c in "(){}[];=<>_.:/\\\"'`")
        return not (len(words) >= 8 and symbols <= 2)
    return False


def has_code(text: str) -> bool:
    """True when ``text`` contains code: a fenced block, a stack trace, or code-like lines."""
    if not text:
        return False
    if _FENCE.search(text) or any(lit in text for lit in _TRACE_LITERALS) or _TRACE.search(text):
        return True
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    code = sum(1 for ln in lines if _code_like(ln))
    if len(lines) == 1:
        s = lines[0].strip()
        # one line: a definition, or a statement with symbols (``x = foo(bar);``), not a prose sentence
        return code == 1 and (_CODE_END.search(s) is not None or bool(re.match(r"(?:def|class|fn|func)\s", s)))
    return code >= 2 and code >= 0.3 * len(lines)


# -- language --------------------------------------------------------------------------------------

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kana", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    ("hangul", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("cyrillic", re.compile(r"[\u0400-\u052f]")),
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("greek", re.compile(r"[\u0370-\u03ff]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
)
_UK_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_FA_LETTERS = re.compile(r"[پچژگ]")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"https?://\S+")
LANGUAGE_CHARS = 4_000  # code is stripped from the first 4,000 characters ...
LANGUAGE_SAMPLE = 600  # ... and the language judged on the first 600 characters of what remains
_WORD = re.compile(r"[a-zà-ÿœß']+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short, frequent function words that tell these languages apart (ambiguous ones left out).
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "an and are as at be by can could did do does for from has have he hello hi how i in is it me my not of on "
        "please she should thanks that the they this to was we were what when where which who why with would you "
        "your"
    ),
    "es": _words(
        "al como con cuál cuánto cómo de dónde el en es esta este está gracias hay hola la las le lo los me muy más "
        "no o para pero por porque puedes que qué se sin sobre son su sus sí también un una usted y ya"
    ),
    "de": _words(
        "aber als an auch auf bei bitte danke das dein dem den der des die ein eine einem einen er es für hallo ich "
        "ihr im ist kann können mein mit nach nicht noch oder sich sie sind und von warum was wenn wer wie wir wo "
        "zu"
    ),
    "fr": _words(
        "au aux avec bonjour c'est ce cette comment dans de des du elle en est est-ce et il j'ai je la le les ma "
        "merci mes mon ne nous où par pas plus pour pourquoi que quel quelle qui se sont sur tu un une vous"
    ),
    "it": _words(
        "anche che chi ci ciao come con cosa del della di dove e gli grazie il io la le lei lo lui ma mi noi non "
        "per perché questa questo sei si sono ti tu un una voi è"
    ),
    "pt": _words(
        "a ao as com como da das de do dos e ela ele em está mais muito na no não o obrigada obrigado olá onde os "
        "para por qual que se são também um uma você é"
    ),
    "nl": _words(
        "bedankt bij dank dat de die een en er hallo het hij hoe ik in is je jij kan kunnen maar met niet om ook op "
        "te u van voor waar waarom wat zijn"
    ),
}


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for name, pattern in _SCRIPTS:
        n = len(pattern.findall(text))
        if n:
            counts[name] = n
    return counts


def _strip_code(text: str) -> str:
    text = _FENCED_BLOCK.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    return _URL.sub(" ", text)


def _latin_language(text: str) -> str:
    words = _WORD.findall(text.lower())
    if not words:
        return UNDETERMINED
    scores = {lang: sum(1 for w in words if w in stops) for lang, stops in _STOPWORDS.items()}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if scores[best] == 0:
        return "en" if len(words) <= 3 and all(w.isascii() for w in words) else UNDETERMINED
    return best


def language(text: str) -> str:
    """ISO 639-1 code of the main language of ``text`` (``"und"`` when undetermined)."""
    prose = _strip_code((text or "")[:LANGUAGE_CHARS])[:LANGUAGE_SAMPLE]
    if prose.isascii():
        return _latin_language(prose) if re.search(r"[A-Za-z]", prose) else UNDETERMINED
    counts = _script_counts(prose)
    if not counts:
        return UNDETERMINED
    if counts["kana"] and counts["kana"] * 10 >= counts["han"]:
        return "ja"
    if counts["hangul"] and counts["hangul"] >= counts["han"]:
        return "ko"
    # CJK characters carry a word each: weigh them against Latin letters at about 1:3
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    others = [(k, v) for k, v in counts.items() if k not in ("han", "kana", "hangul")]
    script, n = max(others, key=lambda kv: kv[1], default=("latin", 0))
    if cjk and cjk * 3 >= n:
        if counts["hangul"]:
            return "ko"
        return "ja" if counts["kana"] else "zh"
    if script == "cyrillic":
        return "uk" if _UK_LETTERS.search(prose) else "ru"
    if script == "arabic":
        return "fa" if _FA_LETTERS.search(prose) else "ar"
    named = {"hebrew": "he", "greek": "el", "thai": "th", "devanagari": "hi"}
    if script in named:
        return named[script]
    return _latin_language(prose)


# -- tier signals ----------------------------------------------------------------------------------

# Words that say "this is about code" / "this needs reasoning", in the languages the tier router is
# trained on. They are features of the tier head next to the embedding (MiniLM is an English model:
# for zh / ja / ru text its embedding alone carries little of the topic), not rules. Latin and
# Cyrillic terms match whole words or word prefixes ("probabilit" matches "probability"); CJK terms
# and phrases match as substrings. Set lookups, not one big regex: ~20 µs for 2,000 characters.
_CODE_WORDS = _words(
    "api apis array async backend bash branch bug bugs c# c++ cli code coding commit container css csv deploy "
    "dict div django docker dockerfile endpoint fastapi flask flexbox framework frontend git github gitlab "
    "golang haskell html http https index java javascript jest json k8s kotlin kubernetes linux list localhost "
    "loop merge mock mongodb mysql nginx node nodejs npm numpy pandas php pip postgres postgresql powershell "
    "pytest python queries query react rebase redis regex regexp ruby rust scala script scripts segfault shell "
    "sql sqlite stdin stdout string swift terminal terraform thread threads typescript url vue webpack yaml "
    "запрос класс код коммит массив скрипт"
)
_CODE_PREFIXES = tuple(
    sorted(
        _words(
            "abfrage algorithm compil concurren consulta database datenbank debug exception fonction funcion función "
            "function funktion implement librar method método program recursi refactor requête traceback variable базе "
            "базы ошибк программ реализ функци"
        )
    )
)
_CODE_SUBSTRINGS = (
    "stack trace",
    "base de données",
    "base de datos",
    "unit test",
    "null pointer",
    "база данных",
    "函数",
    "代码",
    "程序",
    "编程",
    "脚本",
    "报错",
    "数据库",
    "索引",
    "查询",
    "实现",
    "数组",
    "列表",
    "字符串",
    "线程",
    "并发",
    "爬虫",
    "接口",
    "容器",
    "缓存",
    "関数",
    "コード",
    "プログラム",
    "スクリプト",
    "エラー",
    "データベース",
    "インデックス",
    "クエリ",
    "実装",
    "クラス",
    "配列",
    "リスト",
    "文字列",
    "スレッド",
    "コンテナ",
    "キャッシュ",
)
_REASON_WORDS = _words(
    "angle calculate circle compute converge converges derivation derivative derive determinant determine "
    "divisible energy entropy equation equations equilibrium estimate evidence implications integer integers "
    "integral justify lemma matrices matrix mechanism optimal polynomial prime primes proof proofs prove "
    "reaction remainder sequence series theorem triangle velocity"
)
_REASON_PREFIXES = tuple(
    sorted(
        _words(
            "analiza analys analysiere analyz berechne beweis calcula calculer demuestra démontr ecuación eigen "
            "expliquer gleichung herleit hypothes inequalit justifica maximi minimi probabilidad probabilit "
            "probabilité "
            "razona wahrscheinlichkeit équation вероятност докаж найдите неравенств объясн последовательност сходит "
            "треугольник уравнен целые целых"
        )
    )
)
_REASON_SUBSTRINGS = (
    "show that",
    "step by step",
    "explain why",
    "find all",
    "find the number",
    "find the smallest",
    "find the largest",
    "find the sum",
    "find the value",
    "how many ways",
    "expected value",
    "expected number",
    "real numbers",
    "trade-off",
    "montrer que",
    "证明",
    "概率",
    "推理",
    "步骤",
    "过程",
    "分析",
    "方程",
    "整数",
    "不等式",
    "数列",
    "收敛",
    "三角形",
    "期望",
    "求",
    "確率",
    "過程",
    "方程式",
    "収束",
    "導いて",
    "求め",
)
_PREFIX_LENGTHS: dict[str, tuple[int, ...]] = {}
_PREFIX_SETS: dict[str, frozenset[str]] = {}
for _name, _prefixes in (("code", _CODE_PREFIXES), ("reason", _REASON_PREFIXES)):
    _PREFIX_SETS[_name] = frozenset(_prefixes)
    _PREFIX_LENGTHS[_name] = tuple(sorted({len(x) for x in _prefixes}))
_TOKEN_RE = re.compile(r"[a-zà-ÿа-яё0-9+#]+")
_MATH_CHARS = tuple("=^≤≥<>√∫∑∏π±×÷≠≈∞∈∀∃")  # noqa: RUF001
_DIGIT = re.compile(r"\d")
SIGNAL_CHARS = 2_000  # the signals look at the first 2,000 characters (the embedding sees ~256 tokens)


def _term_hits(tokens: list[str], text: str, words: frozenset[str], kind: str, substrings: tuple[str, ...]) -> int:
    prefixes, lengths = _PREFIX_SETS[kind], _PREFIX_LENGTHS[kind]
    hits = 0
    for tok in tokens:
        if tok in words:
            hits += 1
            continue
        size = len(tok)
        for n in lengths:
            if n > size:
                break
            if tok[:n] in prefixes:
                hits += 1
                break
    return hits + sum(1 for s in substrings if s in text)


def tier_signals(text: str) -> tuple[float, float, float, float]:
    """Cheap signals for the tier head, each in [0, 1]: code words, reasoning words (capped at 4
    hits), math symbols and digits per character — of the first 2,000 characters."""
    t = text[:SIGNAL_CHARS].lower()
    n = max(len(t), 1)
    tokens = _TOKEN_RE.findall(t)
    code = _term_hits(tokens, t, _CODE_WORDS, "code", _CODE_SUBSTRINGS)
    reason = _term_hits(tokens, t, _REASON_WORDS, "reason", _REASON_SUBSTRINGS)
    math_ = sum(map(t.count, _MATH_CHARS))
    digits = len(_DIGIT.findall(t))
    return min(code, 4) / 4.0, min(reason, 4) / 4.0, min(math_ * 20.0 / n, 1.0), min(digits * 5.0 / n, 1.0)


# -- request ---------------------------------------------------------------------------------------


def last_user_text(chat: dict[str, Any]) -> str:
    """The text of the last ``user`` message, exactly as sent (text parts joined), or ``""``."""
    for msg in reversed(chat.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "user":
            return text_of(msg.get("content"))
    return ""


def route_request(chat: dict[str, Any], prompt_tokens: int) -> RouteRequest:
    """The router's view of a canonical request: the last user turn, its features, tools offered."""
    from tokenway.semantic.router import RouteRequest  # router.py imports this module

    text = last_user_text(chat)
    return RouteRequest(
        text=text,
        prompt_tokens=max(0, int(prompt_tokens)),
        has_tools=bool(chat.get("tools") or chat.get("functions")),
        code=has_code(text),
        language=language(text),
    )
