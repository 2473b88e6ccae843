# ruff: noqa: RUF001  -- the pattern tables are Russian, Chinese and Japanese text (Cyrillic letters, full-width punctuation)
"""Curated prompt-injection rules: the cheap first layer of the guard's injection check.

``InjectionRules().scan(text)`` returns :class:`~tokenway.guard.findings.Finding` objects
(category ``"injection"``) and :func:`score` folds them into one number; the guard blocks at the
policy threshold (0.5 by default).

Rule families (``Finding.detector``):

* ``injection.override`` -- "ignore/disregard/forget all previous instructions", "from now on you
  are", "you are no longer", "new instructions:", "without any restrictions" ...
* ``injection.role_marker`` -- fake chat-template markers (``<|im_start|>system``, ``<|system|>``,
  ``[INST]``, ``<<SYS>>``, ``</s>``, ``### System:``), "Human:/Assistant:" turn injection,
  ``{"role": "system"`` pasted into a message.
* ``injection.extraction`` -- "repeat/print/reveal your system prompt", "what were you told
  before", "output everything above", "your initial instructions" ...
* ``injection.exfiltration`` -- markdown images/links whose query string carries data, placeholders or
  long encoded values, and instructions to put the conversation into a URL.
* ``injection.indirect`` -- cues aimed at a model reading a tool result or a web page ("IMPORTANT: AI
  assistant, ...", "when you read this", "the assistant must now", "ignore the user").
* ``injection.jailbreak_template`` -- DAN / "do anything now", developer-mode and other persona
  jailbreaks.

Each pattern is a row of a data table (:data:`PATTERNS`): family, language (``en zh es de fr ru ja``,
or ``*`` for markup), weight in [0, 1] and a regex. Patterns are written in lower case (the text is
lower-cased, which is length-preserving once U+0130 is folded) and may use accented letters, which
also match their unaccented spelling.

Layers. Every text is scanned as written (``raw``), folded by :func:`tokenway.guard.normalize.normalize`
(``normalized``: NFKC, invisible characters, homoglyphs, spaced-out letters), its leetspeak copy
(``leet``) and every decoded segment (``decoded:base64``, ``decoded:hex``, ``decoded:url``,
``decoded:rot13``; decoded text is normalized in turn, and base64/hex may nest once more).
``Finding.reason`` names the rule, the language and the layer -- never the matched text.

Speed. Every pattern must begin with literal text (checked when the table is compiled), so it can
only match where one of its literal prefixes occurs. The table compiles into ONE alternation per
literal prefix -- the patterns that begin with it, strongest first -- and a gate that decides where
to try them without running a regex over the whole text. The words of the text are keyed by their
first five letters, and ONE pass of an RE2 set holding every key the table uses tells which keys the
text has (``_WordKeys``; texts with letters outside ASCII are split in Python). Each pattern has a
list of required words (its first word, and the words that must follow after whitespace: ``ignore
... previous ... instructions`` needs a word starting ``instr``) and is indexed under the least common
of them, so everyday text reaches few patterns; where all of a pattern's required words are present,
its literal prefixes are found with ``str.find`` and only there is the alternation tried
(``Pattern.match``). Prefixes that begin with punctuation or a CJK character are found with
``in``/``find``. A second RE2 set pass (``needles``) tells which literal prefixes may occur at all,
and only those are searched for. The normalized and leetspeak layers are only re-scanned around the
characters they changed when the folding was one-for-one. Long matches (a URL and its query string) are tested by a
Python ``check`` rather than nested regex backtracking. ``tests/unit/test_guard_injection_rules.py``
checks that the gate is sound (every place a pattern matches is a place it is sent to) and measures
the speed.

Scoring. :func:`score` is the strongest finding's weight plus 0.1 for every other rule family found
with a weight of at least 0.4 (at most +0.2), capped at 1. Rows below 0.5 ("you are no longer",
"the real instructions:", a pasted transcript) never block alone; they only add to other evidence.

Precision: the discussion heuristic. A match inside a short quotation or inline code (``"..."``,
``'...'``, `````...`````, ``“...”``, ``«...»``, ``「...」``, or a fenced code block), right after an
example cue ("e.g.", "such as", "for example", "an example like", "the payload was:", "z. B.",
"par exemple", "por ejemplo", "например", "例如", "例えば"...), or directly followed by a word such
as "attack", "jailbreak", "injection" is taken as *talk about* an attack and its weight is
multiplied by :data:`DISCUSSION_FACTOR` (0.4, which keeps even the strongest rule below 0.5). A
quotation that is a value (``"key": "..."`` or ``attr="..."``) is not a discussion: tool results
are JSON. Role markers are also damped in a code or chat-template context (```` ``` ````,
``messages =``, ``tokenizer``, "chat template", "special token"...), and a match that does not
address the model (no "you"/"your") is damped after "how do I / how to / where is". A markdown
blockquote line (in a text with unquoted lines too) counts as quoted, and reported speech ("tell the
model to ...", "the attacker wrote ...") as an example. An attacker can wrap a payload in quotes to cut
its weight to 40%, so a damped match gets its full weight back when the text then orders the model to
act on it ("Now do it.", "Follow it.", "Treat the quoted line as your new instruction.", "现在照做。";
reason ``(used)``). :func:`mention_only` tells the engine that every match was a mention and the text
gives the model no orders of its own; the engine then keeps the classifier (which cannot tell a quoted
phrase from its use) off a user's message. Tool results still reach the classifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tokenway.guard.findings import Finding
from tokenway.guard.normalize import (
    LEET_VOCABULARY,
    NON_ASCII_LETTER,
    LiteralSet,
    Normalized,
    byte_table,
    class_view,
    fold_latin,
    normalize,
)

__all__ = [
    "DISCUSSION_FACTOR",
    "FAMILIES",
    "LANGUAGES",
    "PATTERNS",
    "InjectionRules",
    "Rule",
    "mention_only",
    "rules",
    "score",
]

OVERRIDE = "injection.override"
ROLE_MARKER = "injection.role_marker"
EXTRACTION = "injection.extraction"
EXFILTRATION = "injection.exfiltration"
INDIRECT = "injection.indirect"
JAILBREAK = "injection.jailbreak_template"
FAMILIES = (OVERRIDE, ROLE_MARKER, EXTRACTION, EXFILTRATION, INDIRECT, JAILBREAK)
LANGUAGES = ("en", "zh", "es", "de", "fr", "ru", "ja")

#: weight multiplier for a match that is quoted / given as an example (see the module doc)
DISCUSSION_FACTOR = 0.4
#: findings at or above this weight count as a distinct family for the multi-family boost
BOOST_FLOOR = 0.4
BOOST_PER_FAMILY = 0.1
BOOST_MAX = 0.2



@dataclass(frozen=True, slots=True)
class Veto:
    """Drop a match when ``before`` matches the text just before it (up to 400 characters, searched)
    or ``after`` matches right after it (anchored), or when ``require`` is not found inside the match
    (a cheap way to test a long match, e.g. a URL's query string, without nested backtracking). The
    other patterns that may match at that place are tried next."""

    before: str = ""
    after: str = ""
    require: str = ""
    # called with the matched text: False/None drops the match, a float replaces the row's weight
    check: Callable[[str], bool | float | None] | None = None


# (family, language, weight, regex[, veto]); the tables are further down, per family
Row = tuple[str, str, float, str] | tuple[str, str, float, str, Veto]

# -- building blocks (plain regex text, lower case) ----------------------------------------------------

_W = r"[\w'’-]+[\s,]+"  # one filler word and the space after it
_MINE = r"(?!(?:my|our|his|her|their|me|us)\b)"  # the user's own instructions are not an attack
# "no restrictions on the budget": restrictions on something other than the model's answers
_NOT_ABOUT_YOU = Veto(after=r"\s+(?:on|for|regarding|about|in|with|at|to|of)\s+(?!what\s+you|your\s+(?:answers|"
                            r"responses|replies|output))")

# English
_EN_IGNORE = (
    r"\b(?:ignore|ignoring|disregard|disregarding|forget|forgetting|overlook|neglect|discard|abandon|dismiss|"
    r"throw\s+away|set\s+aside|put\s+aside|pay\s+no\s+attention\s+to|do\s+not\s+follow|don't\s+follow|stop\s+following|"
    r"no\s+longer\s+follow|stop\s+obeying|do\s+not\s+obey|don't\s+obey|never\s+follow|break\s+free\s+(?:of|from)|"
    r"free\s+yourself\s+from|unlearn|ditch)"
)
_EN_STRONG_Q = (
    r"(?:previous|previously|prior|above|earlier|preceding|foregoing|former|initial|original|your|system|"
    r"safety|ethical|moral|developer|pre-?programmed|built-?in|hidden|openai'?s?|anthropic'?s?|google'?s?)"
)
_EN_NOUNS = (
    r"(?:instructions?|prompts?|directives?|guidelines|guidance|rules|commands|orders|constraints|restrictions|"
    r"guardrails|polic(?:y|ies)|programming|training|limitations|safeguards|filters|protocols|system\s+prompt|"
    r"system\s+message|moderation|ethics|morals|principles|conditioning|boundaries|content\s+polic(?:y|ies)|restraints)"
)
_EN_ALL_NOUNS = (
    r"(?:instructions?|prompts?|directives?|guidelines|programming|restrictions|guardrails|safeguards|limitations|"
    r"ethics|morals|safety\s+\w+|ethical\s+\w+|moral\s+\w+|constraints|conditioning|boundaries)"
)

OVERRIDE_ROWS: list[Row] = [
    # ignore / disregard / forget ... previous instructions
    (OVERRIDE, "en", 0.9, _EN_IGNORE + r"\s+(?:" + _MINE + _W + r"){0,3}?" + _EN_STRONG_Q + r"[\s,]+(?:" + _MINE + _W
     + r"){0,2}?" + _EN_NOUNS + r"\b"),
    (OVERRIDE, "en", 0.85, _EN_IGNORE + r"\s+(?:all|any|every|each)\s+(?:and\s+all\s+|of\s+)?(?:the\s+|these\s+)?(?:"
     + _W + r"){0,2}?" + _EN_ALL_NOUNS + r"\b"),
    (OVERRIDE, "en", 0.8, _EN_IGNORE + r"\s+(?:all\s+(?:of\s+)?)?(?:the\s+|that\s+)?(?:above|foregoing|preceding)"
     r"(?:\s*[.,;:!-]|\s+and\b|\s+then\b|\s*$)"),
    (OVERRIDE, "en", 0.85, _EN_IGNORE + r"\s+(?:everything|anything|all|whatever)\s+(?:that\s+)?(?:"
     r"you(?:'ve|\s+have)?\s+(?:were|been|was)\s+(?:told|given|taught|instructed|programmed|trained)|(?:was|has\s+been|"
     r"is)\s+(?:said|written|stated|told)\s+(?:before|above|earlier|previously)|above|before\s+this|prior\s+to\s+this|"
     r"(?:you\s+)?(?:know|learned)\s+about\s+(?:your\s+)?(?:rules|instructions)|in\s+your\s+(?:system\s+)?(?:prompt|"
     r"instructions))"),
    # "all previous instructions are void"
    (OVERRIDE, "en", 0.8, r"\b(?:previous|prior|above|earlier|preceding|original|initial|old|existing|system|safety)"
     r"\s+(?:" + _W + r"){0,1}?" + _EN_NOUNS + r"\s+(?:are|is|have\s+been|were|has\s+been)\s+(?:now\s+|hereby\s+|"
     r"officially\s+)?(?:void|null|invalid|obsolete|cancel+ed|revoked|overridden|superseded|no\s+longer\s+(?:valid|"
     r"apply|applicable|in\s+effect|active)|irrelevant|deprecated|lifted|disabled|suspended|removed|deleted|replaced|"
     r"outdated|expired)"),
    # from now on you are ...
    (OVERRIDE, "en", 0.6, r"\b(?:from\s+now\s+on|from\s+this\s+(?:point|moment)\s+(?:on|forward)|starting\s+(?:now|"
     r"today|immediately)|henceforth|as\s+of\s+now|for\s+the\s+rest\s+of\s+(?:this|the|our)\s+(?:conversation|chat|"
     r"session))[\s,]+you(?:'re|\s+are|’re|\s+will\s+be|\s+shall\s+be|\s+become|\s+must\s+act\s+as|\s+will\s+act\s+as|"
     r"\s+are\s+going\s+to\s+(?:be|act\s+as))\b"),
    # you are no longer ...
    (OVERRIDE, "en", 0.8, r"(?:(?<=you are no )|(?<=you're no )|(?<=you’re no )|(?<=you are now no )|"
     r"(?<=you're now no ))longer\s+(?:bound|restricted|limited|constrained|required|obliged|obligated|subject|"
     r"governed|held|tied|programmed|an?\s+(?:ai|assistant|language\s+model|chatbot|large\s+language\s+model|llm|"
     r"model)|chatgpt|claude|gpt|gemini|following|under|censored|filtered|an?\s+helpful)"),
    # "you are no longer eligible": only adds to other evidence
    (OVERRIDE, "en", 0.45, r"(?:(?<=you are no )|(?<=you're no )|(?<=you’re no ))longer\b"),
    (OVERRIDE, "en", 0.75, r"(?:(?<=you have been )|(?<=you've been )|(?<=you are now )|(?<=you have now been )|"
     r"(?<=you're now ))(?:freed|released|liberated|unshackled|unchained|unleashed|unlocked|jailbroken|emancipated)\b"),
    (OVERRIDE, "en", 0.75, r"(?:(?<=you have no )|(?<=you now have no )|(?<=you have absolutely no )|"
     r"(?<=you don't have any )|(?<=you do not have any )|(?<=you are free from )|(?<=you are free of )|"
     r"(?<=you are not bound by )|(?<=you are free from all )|(?<=you are not bound by any )|"
     r"(?<=you are not bound by your )|(?<=you have no more ))(?:(?:ethical|moral|safety|content)\s+)?(?:restrictions|"
     r"filters|guardrails|censorship|limits|limitations|boundaries|rules|guidelines|ethics|morals|policies|constraints|"
     r"restraints|principles)\b",
     _NOT_ABOUT_YOU),  # "you have no restrictions on the budget"
    # new instructions:
    (OVERRIDE, "en", 0.6, r"\b(?:new|updated|revised|changed)\s+(?:system\s+)?(?:instructions?|directives?|"
     r"system\s+prompt|prompt)\s*(?:[:：]|-{1,2}>|=>)",
     Veto(before=r"\b(?:our|my|the\s+team'?s|the\s+company'?s|their)\s+$")),  # "our new instructions: sign in"
    (OVERRIDE, "en", 0.8, r"\b(?:override|overriding|priority|secret|hidden|admin|administrator|developer|root|"
     r"master)\s+(?:system\s+)?(?:instructions?|directives?|orders|commands?|system\s+prompt)\s*(?:[:：]|-{1,2}>|=>)"),
    # "the real instructions:" also heads a recipe: only adds to other evidence
    (OVERRIDE, "en", 0.45, r"\b(?:real|actual|true)\s+(?:system\s+)?(?:instructions?|directives?|orders|commands?|"
     r"system\s+prompt)\s*(?:[:：]|-{1,2}>|=>)"),
    (OVERRIDE, "en", 0.45, r"\byour\s+(?:new|real|actual|true|only|updated)\s+(?:instructions|directives|orders|task|"
     r"purpose|goal|objective|mission|role|identity|persona)\s+(?:is|are|will\s+be|now\s+is|from\s+now\s+on\s+is)\b"),
    # without any restrictions / filters
    (OVERRIDE, "en", 0.6, r"\bwithout\s+(?:any|all|your|the\s+usual|ethical|moral|safety)\s+(?:\w+\s+)?(?:restrictions|"
     r"filters|filtering|censorship|censoring|guardrails|safeguards|content\s+polic(?:y|ies)|ethical\s+(?:guidelines|"
     r"constraints|limits|boundaries|considerations)|moral\s+(?:constraints|limits|boundaries|considerations)|"
     r"limitations|refusals?|restraint)\b",
     _NOT_ABOUT_YOU),  # "without any restrictions on length"
    (OVERRIDE, "en", 0.6, r"\b(?:unfiltered|uncensored|unrestricted)\s+and\s+(?:unfiltered|uncensored|unrestricted|"
     r"unbiased|amoral|unethical)\b"),
]
OVERRIDE_ROWS += [
    # bypass / disable your safety filters
    (OVERRIDE, "en", 0.85, r"\b(?:bypass|override|circumvent|disable|deactivate|turn\s+off|switch\s+off|remove|lift|"
     r"get\s+around|break|escape)\s+(?:all\s+(?:of\s+)?)?your\s+(?:own\s+)?(?:(?:safety|ethical|moral|content|"
     r"built-?in|internal)\s+)*(?:filters?|guardrails|safeguards|restrictions|limitations|safety|censorship|moderation|"
     r"ethics|alignment|programming|guidelines|rules|constraints|polic(?:y|ies)|training|protocols)\b"),
    (OVERRIDE, "en", 0.75, r"\b(?:bypass|override|circumvent|disable|deactivate|turn\s+off|get\s+around)\s+(?:all\s+)?"
     r"(?:the\s+|any\s+)?(?:ai'?s?\s+|model'?s?\s+|assistant'?s?\s+)?(?:safety|ethical|moral)\s+(?:filters?|guardrails|"
     r"safeguards|restrictions|guidelines|protocols|training|alignment|rules|constraints)\b"),
]

# Chinese (simplified and traditional)
_ZH_Q = (
    r"(?:之前|以前|此前|先前|上面|上述|以上|前面|前述|原来|原來|原有|原始|最初|初始|系统|系統|你的|您的|所有|全部|"
    r"一切|任何|既有|预设|預設)"
)
_ZH_NOUNS = (r"(?:指令|指示|说明|說明|规则|規則|提示词|提示詞|提示|设定|設定|命令|限制|约束|約束|准则|準則|规定|規定|"
             r"政策|安全策略|安全规则|安全規則|道德|伦理|倫理|程序设定|程式設定)")
# not across a sentence end, and not about the user's own message ("我")
_ZH_GAP = r"(?:(?!我)[^。！？!?\n]){0,12}?"
_ZH_GAP8 = r"(?:(?!我)[^。！？!?\n]){0,8}?"
OVERRIDE_ROWS += [
    (OVERRIDE, "zh", 0.9, r"(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|不用理会|不用理會|别管|別管|忘记|忘記|忘掉|"
     r"抛开|拋開|丢弃|丟棄|放弃|放棄|跳过|跳過|绕过|繞過|不要遵守|不要遵循|不再遵守|不再遵循|停止遵循|停止遵守|违背|"
     r"違背|摆脱|擺脫)"
     + _ZH_GAP + _ZH_Q + _ZH_GAP8 + _ZH_NOUNS),
    (OVERRIDE, "zh", 0.8, r"(?:之前|以前|先前|上面|上述|以上|前面|所有|全部|原有|原来|原來)的?(?:所有|全部)?的?"
     r"(?:指令|指示|规则|規則|提示|设定|設定|限制)(?:都|全部|一律|均|已经|已經|现在|現在)*(?:作废|作廢|无效|無效|失效|"
     r"不再有效|不再适用|不再適用|被取消|取消|解除)"),
    (OVERRIDE, "zh", 0.6, r"(?:从现在|從現在|从此刻|從此刻|从今以后|從今以後|从这一刻|從這一刻)(?:开始|開始|"
     r"起)?[,，]?\s*你(?:就|将|將|会|會)?(?:是|要扮演|扮演|成为|成為|变成|變成|化身为|化身為)"),
    (OVERRIDE, "zh", 0.8, r"(?:(?<=你)|(?<=你已经)|(?<=你已經)|(?<=你现在)|(?<=你現在)|(?<=您))不再(?:是|受到?|"
     r"需要遵守|需要遵循|需要服从|需要服從|被|有任何|是一个|是一個)"),
    (OVERRIDE, "zh", 0.6, r"新的?(?:指令|指示|任务|任務|规则|規則|系统提示|系統提示)\s*[:：]"),
    (OVERRIDE, "zh", 0.8, r"(?:真正的|实际的|實際的|隐藏的|隱藏的|秘密的?|管理员|管理員|开发者|開發者|最高优先级的?|"
     r"最高優先級的?)(?:指令|指示|命令|系统提示|系統提示)\s*[:：]"),
    (OVERRIDE, "zh", 0.75, r"(?:(?<=你)|(?<=你现在)|(?<=你現在)|(?<=你将)|(?<=你將)|(?<=你可以))(?:没有|沒有|不受|"
     r"不再受)(?:任何)?(?:的)?(?:限制|约束|約束|过滤|過濾|审查|審查|道德|伦理|倫理|规则|規則|安全准则|安全準則)"),
    (OVERRIDE, "zh", 0.7, r"(?:不受任何|没有任何|沒有任何|毫无|毫無)(?:限制|约束|約束|过滤|過濾|审查|審查)(?:地|的)"
     r"(?:回答|回复|回覆|输出|輸出|ai|助手|模式|说话|說話)"),
    (OVERRIDE, "zh", 0.85, r"(?:绕过|繞過|关闭|關閉|禁用|解除|突破)(?:你的|您的)(?:所有)?(?:安全|内容|內容|道德|伦理|"
     r"倫理)?(?:过滤器?|過濾器?|限制|审查|審查|安全机制|安全機制|准则|準則|规则|規則)"),
]

# Japanese
_JA_VERB = r"(?:無視|むし|忘れ|破棄|放棄|従わな|従うな|守らな)"
OVERRIDE_ROWS += [
    (OVERRIDE, "ja", 0.9, r"(?:以前|前|これまで|今まで|上記|先ほど|さっき|最初|元|従来|全て|すべて|あらゆる|システム|"
     r"あなたの|君の|既存|前回|先|上|初期)の?(?:全ての|すべての|全部の|あらゆる|これまでの)?(?:指示|命令|指令|ルール|"
     r"設定|プロンプト|制約|制限|ガイドライン|規則|インストラクション|方針)(?:は|を|も|など)?(?:全て|すべて|全部|一旦|"
     r"いったん|完全に)?"
     + _JA_VERB),
    (OVERRIDE, "ja", 0.6, r"(?:これから|今から|今後|以後|ここから|この瞬間から)は?[、,]?\s*(?:あなた|君|きみ|お前)は"
     r"[^。\n]{1,20}?(?:です|である|になります|になる|として振る舞|を演じ|として行動)"),
    (OVERRIDE, "ja", 0.75, r"(?:あなた|君|きみ|お前)は(?:もう|もはや)[^。\n]{0,15}?(?:ではありません|ではない|じゃない|"
     r"ではなく|に縛られ|の制限を受け|に従う必要は)"),
    (OVERRIDE, "ja", 0.6, r"新しい(?:指示|命令|ルール|タスク|システムプロンプト)\s*[:：]"),
    (OVERRIDE, "ja", 0.8, r"(?:本当の|真の|隠された|秘密の|管理者の?|開発者の?|最優先の?)(?:指示|命令|"
     r"システムプロンプト)\s*[:：]"),
    (OVERRIDE, "ja", 0.7, r"(?:倫理|道徳|安全)(?:的な|上の)?(?:制約|規範|ガイドライン|ルール|フィルター)(?:を|に|は)?"
     r"(?:一切|全て|すべて)?(?:無視|縛られ|従わ|気にせ|解除)"),
]

# Russian
_RU_VERB = (
    r"\b(?:(?:про)?игнорируй(?:те)?|(?:про)?игнорировать|забудь(?:те)?|забыть|отбрось(?:те)?|отбросить|отмени(?:те)?|"
    r"не\s+(?:обращай(?:те)?|следуй(?:те)?|слушай(?:те)?|подчиняйся|подчиняйтесь|выполняй(?:те)?|соблюдай(?:те)?|"
    r"учитывай(?:те)?)|пренебреги|перестань(?:те)?\s+(?:следовать|слушать|подчиняться|соблюдать)|нарушь(?:те)?|"
    r"обойди(?:те)?|откажись\s+от|откажитесь\s+от)"
)
_RU_Q = (
    r"(?:предыдущ\w*|прежн\w*|прошл\w*|ранее\s+(?:данн|полученн|заданн|установленн)\w*|вышеуказанн\w*|вышеизложенн\w*|"
    r"выше\w*|вс[её]\w*|сво[иеёй]\w*|тво[иеёй]\w*|ваш\w*|системн\w*|изначальн\w*|исходн\w*|первоначальн\w*|стар\w*|"
    r"заводск\w*|этическ\w*|моральн\w*)"
)
_RU_NOUNS = (
    r"(?:инструкци\w*|указани\w*|правил\w*|ограничени\w*|команд\w*|промпт\w*|установк\w*|директив\w*|запрет\w*|"
    r"предписани\w*|подсказ\w*|принцип\w*|норм\w*|фильтр\w*)"
)
_RU_MINE = r"(?!(?:мо[иеёйю]\w*|наш\w*)\b)"
OVERRIDE_ROWS += [
    (OVERRIDE, "ru", 0.9, _RU_VERB + r"\s+(?:на\s+)?(?:" + _RU_MINE + r"[\w-]+[\s,]+){0,3}?" + _RU_Q + r"\s+(?:"
     + _RU_MINE + r"[\w-]+\s+){0,2}?" + _RU_NOUNS),
    (OVERRIDE, "ru", 0.8, r"\b(?:вс[её]\b|все\s+(?:предыдущие|прежние))\s*,?\s+что\s+(?:тебе|вам)\s+(?:говорили|"
     r"сказали|велели|писали|приказали|поручили)\s+(?:раньше|ранее|до\s+этого|прежде)"),
    (OVERRIDE, "ru", 0.8, r"\b(?:предыдущ|прежн|прошл|исходн|системн|старые|старых)\w*\s+(?:" + _RU_NOUNS + r")\s+(?:бо"
     r"льше\s+не\s+(?:действуют|действительны|актуальны|применяются)|(?:теперь\s+|отныне\s+)?(?:отменены|"
     r"недействительны|аннулированы|утратили\s+силу))"),
    (OVERRIDE, "ru", 0.6, r"\b(?:с\s+этого\s+момента|с\s+настоящего\s+момента|отныне|впредь|начиная\s+с\s+этого\s+"
     r"момента|с\s+этой\s+минуты)\s*,?\s+ты\s+(?:—|-|являешься|будешь\s+(?:играть\s+роль|выступать\s+в\s+роли|"
     r"притворяться)|станешь|стал[аи]?|теперь\s+—)"),
    (OVERRIDE, "ru", 0.8, r"(?:(?<=ты )|(?<=вы ))больше\s+не\s+(?:связан\w*|ограничен\w*|обязан\w*|должен|должна|"
     r"являешься|являетесь|подчиняешься|следуешь|ии\b|ассистент\w*|модель|chatgpt|языков\w*|помощник\w*|бот\b)"),
    (OVERRIDE, "ru", 0.6, r"\bнов(?:ые|ая|ое)\s+(?:инструкци\w*|указани\w*|правил\w*|задач\w*|системн\w+\s+промпт\w*)"
     r"\s*:"),
    (OVERRIDE, "ru", 0.8, r"\b(?:настоящ|реальн|истинн|скрыт|секретн|главн)\w+\s+(?:инструкци\w*|указани\w*|"
     r"системн\w+\s+промпт\w*|команд\w*)\s*:"),
    (OVERRIDE, "ru", 0.6, r"\bбез\s+(?:(?:каких[\s-]либо|всяких|любых|какой[\s-]либо|всякой)\s+(?:ограничений|фильтров|"
     r"цензуры|запретов|моральных\s+\w+|этических\s+\w+)|(?:цензуры|моральных\s+ограничений|этических\s+ограничений)"
     r"\s+и\s+(?:ограничений|фильтров|цензуры))"),
    (OVERRIDE, "ru", 0.85, r"\b(?:обойди|отключи|сними|игнорируй|выключи)(?:те)?\s+(?:сво[иейю]\w*|тво[иейю]\w*|"
     r"ваш\w*|вс[еи]\w*)\s+(?:\w+\s+)?(?:фильтр\w*|ограничени\w*|защит\w*|цензур\w*|правил\w*\s+безопасности)"),
]

# German
_DE_VERB = (
    r"\b(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen\s+sie|missachte(?:n|t)?|übergehe|überspringe|verwirf|"
    r"verwerfen\s+sie|beachte(?:n)?\s+(?:sie\s+)?nicht|befolge(?:n)?\s+(?:sie\s+)?nicht(?:\s+mehr)?|hör\s+auf\s+(?:mit|"
    r"zu\s+befolgen)|umgehe|setze?\s+(?:sie\s+)?außer\s+kraft)"
)
_DE_Q = (
    r"(?:vorherig\w*|bisherig\w*|vorige\w*|obig\w*|früher\w*|vorangegangen\w*|vorstehend\w*|ursprünglich\w*|"
    r"anfänglich\w*|alle[nrs]?|sämtliche\w*|deine\w*|dein|ihre\w*|system\w*|sicherheits\w*|ethische\w*|moralische\w*)"
)
_DE_NOUNS = (
    r"(?:anweisung\w*|instruktion\w*|befehl\w*|regel\w*|vorgabe\w*|richtlinie\w*|anordnung\w*|prompt\w*|"
    r"einschränkung\w*|beschränkung\w*|direktive\w*|systemprompt\w*|systemanweisung\w*|sicherheitsrichtlinie\w*|"
    r"filter\w*|grundsätze|prinzipien|programmierung)"
)
_DE_MINE = r"(?!(?:mein\w*|unser\w*)\b)"
OVERRIDE_ROWS += [
    (OVERRIDE, "de", 0.9, _DE_VERB + r"\s+(?:" + _DE_MINE + r"[\w-]+[\s,]+){0,3}?" + _DE_Q + r"\s+(?:" + _DE_MINE
     + r"[\w-]+\s+){0,2}?" + _DE_NOUNS),
    # verb last: "alle vorherigen Anweisungen ignorieren" / "... sind ungültig"
    (OVERRIDE, "de", 0.85, r"\b(?:vorherig|bisherig|vorige|obige|früher|vorangegangen|ursprünglich|anfänglich|alle\b|"
     r"allen|sämtlich|deine|ihre\b|ihren)\w*\s+(?:[\w-]+\s+){0,2}?"
     + _DE_NOUNS + r"\s+(?:[\w-]+\s+){0,2}?(?:ignorieren|vergessen|missachten|außer\s+acht\s+(?:lassen|gelassen)|"
     r"verwerfen|über\s+bord\s+werfen|sind\s+(?:ab\s+sofort\s+|jetzt\s+|nun\s+|hiermit\s+)?(?:ungültig|aufgehoben|"
     r"nichtig|außer\s+kraft|hinfällig|nicht\s+mehr\s+gültig|irrelevant))"),
    (OVERRIDE, "de", 0.85, _DE_VERB + r"\s+(?:die\s+|deine\s+|alle\s+|ihre\s+|sämtliche\s+)?(?:systemanweisung\w*|"
     r"systemprompt\w*|systemvorgabe\w*|systemregel\w*|sicherheitsrichtlinie\w*|sicherheitsregel\w*|"
     r"systeminstruktion\w*)"),
    (OVERRIDE, "de", 0.6, r"\b(?:ab\s+jetzt|von\s+nun\s+an|ab\s+sofort|ab\s+heute|ab\s+diesem\s+moment|fortan)\s*,?\s+"
     r"(?:bist\s+du|sind\s+sie)\b"),
    (OVERRIDE, "de", 0.8, r"(?:(?<=du bist )|(?<=sie sind )|(?<=du bist jetzt )|(?<=du bist ab sofort ))nicht\s+mehr\s+"
     r"(?:an\s+(?:(?:deine|ihre|die|irgendwelche|jegliche)\s+)?(?:\w+\s+)?(?:regeln|richtlinien|vorgaben|anweisungen|"
     r"beschränkungen|einschränkungen|programmierung|openai|grundsätze|filter)\s+gebunden|eingeschränkt|zensiert|"
     r"gefiltert|ein(?:e)?\s+(?:ki|assistent\w*|sprachmodell|chatbot)|chatgpt|claude)"),
    (OVERRIDE, "de", 0.6, r"\bneue\s+(?:anweisungen|instruktionen|regeln|befehle|systemanweisung|vorgaben|richtlinien)"
     r"\s*:"),
    (OVERRIDE, "de", 0.8, r"\b(?:echte|wahre|eigentliche|geheime|versteckte|wirkliche)\w*\s+(?:anweisungen|"
     r"instruktionen|befehle|systemanweisung|vorgaben)\s*:"),
    (OVERRIDE, "de", 0.6, r"\bohne\s+(?:jegliche\w*|irgendwelche\w*|jede\w*)\s+(?:einschränkung\w*|beschränkung\w*|"
     r"filter\w*|zensur|richtlinien|moral\w*|ethische\w*|grenzen|regeln)"),
    (OVERRIDE, "de", 0.85, r"\b(?:umgehe|deaktiviere|ignoriere|entferne|schalte)\s+(?:alle\s+)?(?:deine|ihre)\s+"
     r"(?:sicherheits\w*|inhalts\w*|filter\w*|beschränkung\w*|einschränkung\w*|schutz\w*|zensur\w*|richtlinien)"),
]

# French
_FR_VERB = (
    r"\b(?:ignore[rsz]?|oublie[rsz]?|oubliez|ne\s+tiens\s+pas\s+compte|ne\s+tenez\s+pas\s+compte|ne\s+tiens\s+plus\s+"
    r"compte|fais\s+abstraction|faites\s+abstraction|passe\s+outre|passez\s+outre|outrepasse[rsz]?|n'obéis\s+plus|"
    r"n'obéissez\s+plus|ne\s+suis\s+plus|ne\s+suivez\s+plus|ne\s+respecte\s+plus|ne\s+respectez\s+plus|laisse\s+tomber|"
    r"laissez\s+tomber|contourne[rsz]?|efface[rsz]?|abandonne[rsz]?)"
)
_FR_NOUNS = (
    r"(?:instructions?|consignes?|directives?|règles|ordres|commandes|prompts?|indications|restrictions|limitations|"
    r"contraintes|garde-fous|filtres|politiques|lignes\s+directrices|programmation|principes)"
)
_FR_AFTER = (
    r"(?:précédent\w*|antérieur\w*|ci-dessus|plus\s+haut|d'avant|initial\w*|d'origine|originel\w*|du\s+système|"
    r"système|de\s+base|par\s+défaut|de\s+sécurité|reçue?s|données|éthiques|morales|d'openai|de\s+ton\s+créateur)"
)
OVERRIDE_ROWS += [
    (OVERRIDE, "fr", 0.9, _FR_VERB + r"\s+(?:de\s+|à\s+)?(?:toutes?\s+|tous\s+)?(?:des|tes|vos|les|ces|leurs)\s+"
     r"(?:[\w'-]+\s+)?" + _FR_NOUNS + r"\s+(?:[\w'-]+\s+){0,2}?" + _FR_AFTER),
    (OVERRIDE, "fr", 0.85, _FR_VERB + r"\s+(?:de\s+|des\s+|d')?(?:toutes\s+(?:tes|vos|les|ces)|tous\s+(?:tes|vos|les)|"
     r"tes|vos)\s+(?:[\w'-]+\s+)?" + _FR_NOUNS + r"\b"),
    (OVERRIDE, "fr", 0.8, r"\b(?:oublie[sz]?|ignore[sz]?)\s+tout\s+ce\s+qu(?:i\s+|e\s+|')\s*(?:on\s+t'a\s+(?:dit|"
     r"appris|demandé)|l'on\s+vous\s+a\s+(?:dit|appris)|on\s+vous\s+a\s+(?:dit|appris)|(?:tu\s+as|vous\s+avez)\s+(?"
     r":reçu|appris)|pr[ée]c[èe]de|est\s+(?:au-dessus|ci-dessus|plus\s+haut|écrit\s+(?:au-dessus|ci-dessus|plus\s+haut)"
     r"))"),
    (OVERRIDE, "fr", 0.8, r"\b(?:les\s+|toutes\s+les\s+)(?:instructions|consignes|règles|directives)\s+(?:précédentes|"
     r"antérieures|initiales|du\s+système)\s+(?:sont|ne\s+sont\s+plus)\s+(?:désormais\s+|maintenant\s+)?(?:annulées|"
     r"caduques|nulles|invalides|obsolètes|valables|applicables|en\s+vigueur)"),
    (OVERRIDE, "fr", 0.6, r"\b(?:à\s+partir\s+de\s+maintenant|à\s+partir\s+d'aujourd'hui|désormais|dorénavant|"
     r"dès\s+à\s+présent|dès\s+maintenant|à\s+compter\s+de\s+maintenant)\s*,?\s+(?:tu\s+es|tu\s+seras|vous\s+êtes|"
     r"vous\s+serez|tu\s+vas\s+(?:être|jouer|incarner)|tu\s+joues|tu\s+incarnes|tu\s+deviens|vous\s+devenez)\b"),
    (OVERRIDE, "fr", 0.8, r"\b(?:tu\s+n'es|vous\s+n'êtes)\s+plus\s+(?:un\s+|une\s+)?(?:li[ée]e?s?|limit[ée]e?s?|"
     r"soumise?s?|contraint\w*|oblig[ée]e?s?|tenue?s?|assistant\w*|ia\b|chatgpt|claude|mod[èe]le|intelligence|"
     r"restreint\w*|censur[ée]e?s?|programm[ée]e?s?)"),
    (OVERRIDE, "fr", 0.6, r"\bnouvelles\s+(?:instructions|consignes|directives|règles|ordres)\s*:"),
    (OVERRIDE, "fr", 0.8, r"\b(?:vraies|véritables|réelles|secrètes|cachées)\s+(?:instructions|consignes|directives)\s*"
     r":"),
    (OVERRIDE, "fr", 0.6, r"\bsans\s+(?:aucune?|la\s+moindre|le\s+moindre|quelconque)\s+(?:restriction|filtre|censure|"
     r"limite|limitation|contrainte|règle|barrière|garde-fou|considération\s+(?:éthique|morale))s?\b"),
    (OVERRIDE, "fr", 0.85, r"\b(?:contourne[rsz]?|désactive[rsz]?|supprime[rsz]?|ignore[rsz]?)\s+(?:tous\s+|toutes\s+)?"
     r"(?:tes|vos)\s+(?:filtres|garde-fous|restrictions|protections|limitations|règles\s+de\s+sécurité|consignes\s+"
     r"de\s+sécurité)"),
]

# Spanish
_ES_VERB = (
    r"\b(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olviden|olvidar|olvídate\s+de|olvidate\s+de|descarta|descarte|"
    r"desestima|omite|omita|no\s+hagas\s+caso\s+(?:a|de)|haz\s+caso\s+omiso\s+(?:a|de)|no\s+sigas|no\s+siga|"
    r"deja\s+de\s+seguir|pasa\s+por\s+alto|anula|salta(?:te)?|desobedece|elude|evita)"
)
_ES_NOUNS = (
    r"(?:instrucciones|indicaciones|directrices|reglas|órdenes|normas|pautas|comandos|restricciones|limitaciones|"
    r"directivas|prompts?|políticas|filtros|configuraci[oó]n|principios|programaci[oó]n)"
)
_ES_AFTER = (
    r"(?:anteriores|previas|precedentes|de\s+arriba|iniciales|originales|del\s+sistema|de\s+sistema|de\s+seguridad|"
    r"recibidas|dadas|que\s+te\s+(?:dieron|han\s+dado)|que\s+recibiste|por\s+defecto|de\s+antes|éticas|morales)"
)
OVERRIDE_ROWS += [
    (OVERRIDE, "es", 0.9, _ES_VERB + r"\s+(?:a\s+|de\s+)?(?:todas\s+)?(?:las|tus|sus|estas|los|todos\s+los|todos\s+tus)"
     r"\s+(?:[\w-]+\s+)?" + _ES_NOUNS + r"\s+(?:[\w-]+\s+){0,2}?" + _ES_AFTER),
    (OVERRIDE, "es", 0.85, _ES_VERB + r"\s+(?:a\s+|de\s+)?(?:todas\s+(?:las|tus|sus)|todos\s+(?:los|tus|sus)|tus|"
     r"sus)\s+(?:[\w-]+\s+)?" + _ES_NOUNS + r"\b"),
    (OVERRIDE, "es", 0.8, r"\b(?:olvida|ignora|olvide|ignore)\s+todo\s+lo\s+(?:que\s+(?:te\s+(?:dijeron|han\s+dicho|"
     r"indicaron|ense[ñn]aron|ordenaron)|se\s+te\s+(?:dijo|ha\s+dicho|indic[oó])|est[aá]\s+(?:arriba|antes))|anterior|"
     r"de\s+arriba|dicho\s+(?:antes|anteriormente))"),
    (OVERRIDE, "es", 0.8, r"\b(?:las\s+|todas\s+las\s+)(?:instrucciones|reglas|directrices|indicaciones)\s+(?"
     r":anteriores|previas|iniciales|del\s+sistema)\s+(?:ya\s+no\s+(?:son\s+v[aá]lidas|aplican|se\s+aplican|cuentan)|"
     r"(?:quedan|están|son)\s+(?:anuladas|canceladas|revocadas|obsoletas|sin\s+efecto))"),
    (OVERRIDE, "es", 0.6, r"\b(?:a\s+partir\s+de\s+ahora|de\s+ahora\s+en\s+adelante|desde\s+ahora|desde\s+este\s+"
     r"momento|en\s+adelante)\s*,?\s+(?:tú\s+)?(?:eres|serás|vas\s+a\s+ser|actuarás\s+como|te\s+convertirás\s+en|"
     r"usted\s+es)\b"),
    (OVERRIDE, "es", 0.8, r"\bya\s+no\s+(?:eres|estás|tienes\s+que|debes|necesitas)\s+(?:un\s+|una\s+)?(?:asistente|"
     r"ia\b|inteligencia|chatgpt|claude|modelo|(?:limitad[oa]|sujet[oa]|obligad[oa]|atad[oa]|restringid[oa])\s+(?:a|"
     r"por)\s+(?:seguir\s+|obedecer\s+|cumplir\s+|respetar\s+)?(?:las\s+|tus\s+|sus\s+|ning[uú]n[ao]?\s+)?(?:reglas|"
     r"normas|instrucciones|directrices|pol[ií]ticas|restricciones|filtros|openai)|(?:cumplir|seguir|obedecer|"
     r"respetar)\s+(?:las\s+|tus\s+|sus\s+|ning[uú]n[ao]?\s+)?(?:reglas|normas|instrucciones|directrices|pol[ií]ticas|"
     r"restricciones))"),
    (OVERRIDE, "es", 0.6, r"\bnuevas\s+(?:instrucciones|indicaciones|reglas|órdenes|directrices)\s*:"),
    (OVERRIDE, "es", 0.8, r"\b(?:verdaderas|reales|auténticas|secretas|ocultas)\s+(?:instrucciones|indicaciones|"
     r"órdenes|directrices)\s*:"),
    (OVERRIDE, "es", 0.6, r"\bsin\s+(?:ning[uú]n(?:a)?\s+(?:tipo\s+de\s+)?|restricci[oó]n\s+alguna\s+ni\s+)(?:restricci"
     r"[oó]n|restricciones|filtros?|censura|limitaci[oó]n(?:es)?|l[ií]mites?|reglas|normas\s+[ée]ticas|consideraci[oó]"
     r"n\s+(?:[ée]tica|moral))"),
    (OVERRIDE, "es", 0.85, r"\b(?:evita|elude|desactiva|ignora|quita|salta(?:te)?)\s+(?:todos\s+|todas\s+)?(?:tus|"
     r"sus)\s+(?:filtros|restricciones|protecciones|limitaciones|salvaguardas|reglas\s+de\s+seguridad|normas\s+de\s+"
     r"seguridad)"),
]

# -- role markers (language-neutral) ------------------------------------------------------------------

_LINE_START = r"(?<![^\n \t>*])"  # at the start of a line (after optional indentation / quoting / bold)
ROLE_ROWS: list[Row] = [
    (ROLE_MARKER, "*", 0.95, r"<\|im_start\|>\s*(?:system|assistant|user|developer|tool)"),
    (ROLE_MARKER, "*", 0.85, r"<\|im_(?:start|end|sep)\|>"),
    (ROLE_MARKER, "*", 0.9, r"<\|(?:system|assistant|user|developer|endoftext|eot_id|start_header_id|end_header_id|"
     r"begin_of_text|end_of_text|eom_id|end|start|channel|message|return|call|tool|prompt|human|bot|model|"
     r"system_prompt|im_system)\|>"),
    (ROLE_MARKER, "*", 0.85, r"<(?:start|end)_of_turn>"),
    (ROLE_MARKER, "*", 0.85, r"\[/?inst\]"),
    (ROLE_MARKER, "*", 0.9, r"<</?sys>>"),
    (ROLE_MARKER, "*", 0.7, r"</s>", Veto(before=r"<s>")),  # not HTML strikethrough
    (ROLE_MARKER, "*", 0.8, _LINE_START + r"##(?:#{0,2})\s*(?:system|instruction|instructions|new\s+instructions?|"
     r"system\s+prompt|system\s+message|admin|developer|assistant|response|human|user|input)\s*:"),
    # a pasted transcript is common and benign: low weight, it only adds to other evidence
    (ROLE_MARKER, "*", 0.4, _LINE_START + r"(?:human|user)\b\s*:[^\n]*\n(?:[^\n]*\n){0,6}?[ \t]*(?:assistant|ai|gpt|"
     r"chatgpt|claude|bot)\b\s*:"),
    (ROLE_MARKER, "*", 0.65, r"(?<=\n\n)(?:human|assistant)\s*:"),
    (ROLE_MARKER, "*", 0.65, _LINE_START + r"(?:assistant|ai\b|chatgpt|claude|gpt\b|bot\b)\s*:\s*(?:sure|okay|ok\b|"
     r"certainly|of\s+course|absolutely|understood|as\s+dan|here\s+is|here\s+are|i\s+will|i'll|i\s+can|\(?🔓|"
     r"developer\s+mode|jailbreak)"),
    (ROLE_MARKER, "*", 0.7, _LINE_START + r"(?:system|system\s+message|system\s+prompt|system\s+note|system\s+override|"
     r"sys\b)\s*:\s*(?:you\b|ignore|disregard|new\b|from\s+now|the\s+assistant|assistant|override|forget|reveal|"
     r"all\s+(?:previous|prior)|always|never|do\s+not|don't|respond|reply|answer|print|output|the\s+user)"),
    (ROLE_MARKER, "*", 0.6, r"[\"']role[\"']\s*:\s*[\"'](?:system|developer)[\"']"),
    (ROLE_MARKER, "*", 0.6, r"</?(?:system_prompt|system-prompt|systemprompt|system_message|sys_prompt|"
     r"admin_instructions|developer_instructions|im_start|im_end)>"),
    (ROLE_MARKER, "*", 0.45, r"</?(?:system|instructions?|admin|developer)>"),
    (ROLE_MARKER, "*", 0.7, r"\[(?:system|admin|developer|sys|root)\s+(?:message|note|override|prompt|instructions?|"
     r"update|notice|command|alert)\]"),
    (ROLE_MARKER, "*", 0.45, r"\[(?:system|admin|sys)\]"),
    (ROLE_MARKER, "*", 0.65, r"(?:---+\s*|===+\s*|###+\s*|\*\*\*+\s*|\[|<)(?:end\s+of\s+(?:the\s+)?(?:system\s+prompt|"
     r"system\s+message|instructions|user\s+input|prompt|context)|new\s+(?:session|instructions|conversation|"
     r"system\s+prompt)|begin\s+(?:system|admin|developer)\s+(?:prompt|instructions|mode|message)|system\s+(?:override|"
     r"update|prompt\s+begins?))\b"),
]

# -- system-prompt extraction ---------------------------------------------------------------------------

_EN_SHOW = (
    r"\b(?:repeat|print|reveal|show|display|output|tell|give|share|disclose|leak|dump|write|list|recite|spell\s+out|"
    r"copy|paste|return|provide|echo|expose|state|divulge|type\s+out|read\s+back|quote|reproduce|render|send|export|"
    r"paraphrase|summari[sz]e|translate|encode|describe)"
)
_EN_SHOW_STRICT = (
    r"\b(?:repeat|print|reveal|show|display|output|dump|recite|spell\s+out|copy|paste|echo|expose|divulge|leak|"
    r"type\s+out|read\s+back|quote|reproduce|disclose)"
)
_EN_SYS_NOUN = (
    r"(?:system|sys|developer|meta|hidden|initial|original|pre|secret|internal|confidential|starting|first|"
    r"underlying|base)[\s-]?(?:prompts?|messages?|instructions?|directives?|rules|guidelines|configuration|config|"
    r"context|settings|programming)\b"
)
EXTRACTION_ROWS: list[Row] = [
    (EXTRACTION, "en", 0.85, _EN_SHOW + r"\s+(?:(?:me|us|back|out|verbatim|exactly|word\s+for\s+word|in\s+full)\s+)*"
     r"(?:(?:all|everything|the\s+(?:full|whole|entire|complete|exact))\s+(?:of\s+)?)?(?:your|ur)\s+(?:(?:full|whole|"
     r"entire|complete|exact|current|actual|very|raw|own)\s+)*" + _EN_SYS_NOUN),
    (EXTRACTION, "en", 0.7, _EN_SHOW_STRICT[:-1] + r"|give|tell|send|return|write\s+out|list)\s+(?:(?:me|us|back|out|"
     r"verbatim|exactly|word\s+for\s+word|in\s+full)\s+)*(?:(?:all|everything)\s+(?:of\s+|in\s+)?)?(?:the|its|this|"
     r"that|thy)\s+(?:(?:full|whole|entire|complete|exact|current|actual|very|raw|hidden|secret|original|initial|"
     r"internal|confidential|ai'?s?|model'?s?|assistant'?s?|chatbot'?s?|bot'?s?)\s+)*" + _EN_SYS_NOUN),
    (EXTRACTION, "en", 0.75, _EN_SHOW_STRICT + r"\s+(?:(?:me|us|back|out|verbatim|exactly|word\s+for\s+word|"
     r"in\s+full)\s+)*(?:all\s+(?:of\s+)?)?your\s+(?:(?:full|whole|entire|complete|exact|current|actual|"
     r"own)\s+)*(?:instructions|prompt|programming|directives|configuration|rules|guidelines|context\s+window|"
     r"context)\b",
     Veto(after=r"\s+(?:on|for|about)\s+(?:how|making|baking|cooking|building|installing|using|assembling|the\s+recipe)"
     )),
    (EXTRACTION, "en", 0.8, r"\b(?:repeat|print|output|copy|recite|reproduce|echo|dump|write\s+out|spell\s+out|"
     r"type\s+out|return|show|display|list)\s+(?:me\s+|back\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|all\s+)?(?:text|words|"
     r"content|contents|lines|sentences|tokens|characters|messages?|everything|anything|instructions)\s+(?:(?:that\s+)?"
     r"(?:was|were|is|are|came|appear(?:s|ed)?)\s+(?:written\s+)?)?(?:above|before\s+this|prior\s+to\s+this|preceding|"
     r"before\s+(?:my|our|the\s+user'?s?)\s+(?:first\s+)?message|from\s+the\s+(?:very\s+)?(?:beginning|start|top)|"
     r"at\s+the\s+(?:beginning|start|top)\s+of\s+(?:this|the|our)\s+(?:conversation|chat|prompt|context))"),
    (EXTRACTION, "en", 0.9, r"\b(?:repeat|print|output|copy|recite|write|reproduce|echo|return|list)\s+(?:(?:the|all|"
     r"every)\s+)?(?:words|text|sentences|everything|lines|content)\s+(?:above|before)\s*,?\s*(?:starting|beginning)\s+"
     r"(?:with|from|at)"),
    (EXTRACTION, "en", 0.8, r"\b(?:output|print|repeat|dump|show|display|reveal)\s+(?:everything|all(?:\s+the)?\s+text|"
     r"all)\s+(?:above|before\s+this|so\s+far|in\s+your\s+context|in\s+your\s+memory)"),
    (EXTRACTION, "en", 0.75, r"(?:(?<=what were you )|(?<=what have you been )|(?<=what are you )|(?<=what did they )|"
     r"(?<=what was you ))(?:told|instructed|programmed|given|asked|trained|configured)\b(?:\s+to\s+do)?\s*(?:before|"
     r"earlier|previously|initially|at\s+the\s+(?:start|beginning)|in\s+(?:your|the)\s+(?:system\s+)?prompt|"
     r"by\s+(?:your|the)\s+(?:developers?|creators?|system|operator|openai|company)|not\s+to\s+(?:say|reveal|tell|"
     r"share))"),
    (EXTRACTION, "en", 0.65, r"(?:(?<=what is )|(?<=what's )|(?<=what are )|(?<=what were ))your\s+(?:(?:exact|full|"
     r"original|initial|hidden|secret|internal|current|actual)\s+)*(?:system\s+prompt|system\s+message|instructions|"
     r"initial\s+prompt|original\s+prompt|prompt|directives|programming|rules\s+from\s+(?:openai|your\s+developers?))\b"
     ),
    (EXTRACTION, "en", 0.6, r"\byour\s+(?:initial|original|hidden|secret|internal|first|confidential|starting|"
     r"pre-?prompt(?:ed)?|underlying)\s+(?:instructions|prompt|directives|system\s+prompt|rules|configuration|"
     r"programming)\b"),
    (EXTRACTION, "en", 0.7, r"(?:(?<=what is )|(?<=what's )|(?<=what was )|(?<=tell me what's ))in\s+your\s+(?:system\s"
     r"+)?(?:prompt|instructions|context\s+window|context|memory|configuration)\b"),
    (EXTRACTION, "en", 0.7, r"\b(?:instructions|prompt|directives|guidelines|rules|text|message)\s+(?:that\s+)?you\s+"
     r"(?:were|have\s+been|'ve\s+been|got)\s+(?:given|told|provided|sent|fed)\s+(?:at\s+the\s+(?:start|beginning)|"
     r"before|initially|earlier|by\s+(?:the\s+|your\s+)?(?:developers?|system|operator|openai|creators?|company))"),
    (EXTRACTION, "en", 0.75, r"\b(?:the\s+)?contents?\s+of\s+your\s+(?:system\s+)?(?:prompt|instructions|"
     r"context\s+window|context|configuration)\b"),
    (EXTRACTION, "en", 0.7, r"\b(?:put|place|format|wrap|write)\s+(?:all\s+of\s+)?your\s+(?:system\s+prompt|"
     r"instructions|initial\s+prompt)\s+(?:in|into|inside|as)\b"),
]

_ZH_SHOW = (r"(?:输出|輸出|打印|显示|顯示|展示|告诉我|告訴我|透露|泄露|洩露|重复|重複|复述|複述|给我看|給我看|列出|"
r"公开|公開|说出|說出|写出|寫出|发给我|發給我|念出|贴出|貼出|翻译|翻譯|逐字)")
EXTRACTION_ROWS += [
    (EXTRACTION, "zh", 0.85, _ZH_SHOW + r"(?:一下|出|一遍)?(?:你的|您的|你|完整的|全部的|所有的|你所有的|你完整的|"
     r"原始的|最初的|隐藏的|隱藏的)*(?:系统|系統)(?:提示词|提示詞|提示|指令|设定|設定|prompt)"),
    (EXTRACTION, "zh", 0.8, _ZH_SHOW + r"(?:一下|出|一遍)?(?:你的|您的)(?:初始|原始|最初|隐藏|隱藏|全部|完整|内部|內部|"
     r"秘密)?(?:的)?(?:提示词|提示詞|指令|指示|设定|設定|规则|規則|prompt)"),
    (EXTRACTION, "zh", 0.65, r"(?:你的|您的)(?:系统|系統|初始|原始|最初|隐藏|隱藏)?(?:提示词|提示詞|指令|设定|設定|"
     r"prompt)(?:是什么|是什麼|写的是什么|寫的是什麼|有哪些|内容是|內容是)"),
    (EXTRACTION, "zh", 0.8, r"(?:把|将|將)(?:你的|您的)(?:系统|系統|初始|原始|最初|隐藏|隱藏|全部|完整)?(?:的)?(?"
     r":提示词|提示詞|指令|设定|設定|prompt|系统提示|系統提示)[^。\n]{0,10}?(?:告诉我|告訴我|输出|輸出|发给我|發給我|"
     r"打印|显示|顯示|说出来|說出來|写出来|寫出來|复述|複述|重复|重複|给我看|給我看)"),
    (EXTRACTION, "zh", 0.75, r"(?:重复|重複|输出|輸出|复述|複述|打印|逐字输出|逐字輸出)(?:一下|一遍|出)?(?:上面|以上|"
     r"之前|前面|最开始|最開始)(?:的)?(?:所有|全部)?(?:内容|內容|文字|文本|指令)"),
    (EXTRACTION, "zh", 0.7, r"(?:在这之前|在這之前|之前|一开始|一開始|最初)(?:别人|有人|开发者|開發者|系统|"
     r"系統)?(?:告诉|告訴|指示|要求)(?:了)?你(?:什么|什麼|哪些)"),
]
_JA_SHOW = r"(?:表示|出力|教え|見せ|繰り返|開示|書き出|印刷|共有|暴露|翻訳|そのまま書|コピー|貼り付け|列挙)"
EXTRACTION_ROWS += [
    (EXTRACTION, "ja", 0.85, r"(?:あなたの|君の|お前の)?(?:システムプロンプト|システムメッセージ|システム指示|"
     r"初期プロンプト|初期指示|元のプロンプト|元の指示|最初の指示|隠された指示|秘密の指示|内部指示)(?:の内容|の全文|"
     r"全文|全体|の全て|のすべて)?(?:を|も)(?:そのまま|全て|すべて|全部|一字一句|正確に|完全に)*" + _JA_SHOW),
    (EXTRACTION, "ja", 0.8, r"(?:あなたの|君の|お前の)(?:指示|命令|設定|プロンプト|ルール|インストラクション)(?:の内容|"
     r"の全文|全文)?(?:を|も)(?:そのまま|全て|すべて|全部|一字一句)*" + _JA_SHOW),
    (EXTRACTION, "ja", 0.7, r"(?:上記|これまで|この会話の最初|会話の最初|最初)の(?:内容|文章|テキスト|指示|"
     r"メッセージ)(?:を|も)(?:すべて|全て|全部|そのまま|一字一句)*(?:繰り返|出力|書き出|表示)"),
    (EXTRACTION, "ja", 0.65, r"(?:あなたの|君の)(?:システムプロンプト|初期指示|指示|設定|プロンプト)(?:は|って)(?:何|"
     r"なん|なに|どんな)"),
    (EXTRACTION, "ja", 0.7, r"(?:以前に|前に|最初に|事前に)(?:何と|なんと|どのように|どんな)(?:指示|命令|言われ|設定)"),
]
_RU_SHOW = (
    r"\b(?:покажи|выведи|раскрой|повтори|напиши|расскажи|сообщи|дай|распечатай|озвучь|процитируй|скопируй|выдай|"
    r"перечисли|отобрази|переведи|открой|предоставь)(?:те)?"
)
EXTRACTION_ROWS += [
    (EXTRACTION, "ru", 0.85, _RU_SHOW + r"\s+(?:мне\s+|нам\s+)?(?:(?:весь|всю|все|полностью|дословно|целиком|"
     r"точно)\s+)*(?:(?:свой|свою|свои|твой|твою|твои|ваш|вашу|ваши|этот|исходн\w+|первоначальн\w+|изначальн\w+|"
     r"скрыт\w+|секретн\w+|полн\w+|внутренн\w+)\s+)*системн\w+\s+(?:промпт|подсказк|инструкци|сообщени|указани|"
     r"настройк)\w*"),
    (EXTRACTION, "ru", 0.75, _RU_SHOW + r"\s+(?:мне\s+|нам\s+)?(?:(?:весь|всю|все|полностью|дословно|целиком)\s+)*"
     r"(?:свой|свою|свои|твой|твою|твои|ваш|вашу|ваши)\s+(?:(?:исходн|первоначальн|изначальн|скрыт|секретн|полн|"
     r"внутренн)\w*\s+)?(?:промпт|инструкци|указани|директив|настройк)\w*"),
    (EXTRACTION, "ru", 0.7, r"\bчто\s+(?:тебе|вам)\s+(?:было\s+)?(?:сказали|велели|поручили|написали|приказали|указали|"
     r"задали)\s+(?:до\s+|перед\s+|ранее|в\s+начале|изначально|раньше)"),
    (EXTRACTION, "ru", 0.6, r"\bкакие\s+у\s+(?:тебя|вас)\s+(?:системн\w+\s+)?(?:инструкции|указания|промпт\w*)"),
    (EXTRACTION, "ru", 0.6, r"\b(?:твой|ваш)\s+системн\w+\s+промпт\w*"),
    (EXTRACTION, "ru", 0.75, r"\b(?:повтори|выведи|напиши|распечатай|скопируй|процитируй)(?:те)?\s+(?:вс[её]|"
     r"весь\s+текст|текст)\s*,?\s+(?:что\s+)?(?:написано\s+|было\s+)?(?:выше|сверху|до\s+этого|ранее|с\s+самого\s+"
     r"начала)"),
]
_DE_SHOW = (
    r"\b(?:zeig|zeige|zeigen\s+sie|gib|geben\s+sie|nenne|nenn|wiederhole|wiederholen\s+sie|verrate|verraten\s+sie|"
    r"drucke|druck|schreib|schreibe|offenbare|teile|kopiere|liste|zitiere|enthülle|übersetze)"
)
EXTRACTION_ROWS += [
    (EXTRACTION, "de", 0.85, _DE_SHOW + r"\s+(?:mir\s+|uns\s+)?(?:(?:bitte|einmal|mal|genau|wörtlich|vollständig|"
     r"komplett)\s+)*(?:(?:deinen|deine|dein|ihren|ihre|ihr|den|die|das)\s+)?(?:(?:vollständig|ursprünglich|anfänglich|"
     r"initial|versteckt|geheim|intern|komplett|ganz|original|erst)\w*\s+)*(?:system-?prompt|systemanweisung\w*|"
     r"systemnachricht|system-?nachricht|systemmeldung|systeminstruktion\w*|system-?vorgabe\w*)"),
    (EXTRACTION, "de", 0.75, _DE_SHOW + r"\s+(?:mir\s+|uns\s+)?(?:(?:bitte|einmal|mal|genau|wörtlich|vollständig)\s+)*"
     r"(?:deinen|deine|dein|ihren|ihre)\s+(?:(?:vollständig|ursprünglich|anfänglich|initial|versteckt|geheim|intern)\w*"
     r"\s+)?(?:anweisungen|instruktionen|vorgaben|prompt|konfiguration|programmierung)"),
    (EXTRACTION, "de", 0.75, _DE_SHOW + r"\s+(?:mir\s+|uns\s+)?(?:(?:bitte|einmal|mal|genau|wörtlich|vollständig)\s+)*"
     r"(?:den|die|das)\s+(?:ursprünglich|anfänglich|initial|versteckt|geheim|intern)\w*\s+(?:anweisungen|instruktionen|"
     r"vorgaben|prompt)"),
    (EXTRACTION, "de", 0.7, r"\bwas\s+(?:wurde|hat\s+man)\s+dir\s+(?:vorher|zuvor|anfangs|am\s+anfang|ursprünglich|"
     r"davor)\s+(?:gesagt|aufgetragen|befohlen|mitgeteilt|vorgegeben)"),
    (EXTRACTION, "de", 0.65, r"\bwie\s+(?:lautet|lauten)\s+(?:dein|deine|ihr|ihre)\s+(?:\w+\s+)?(?:system-?prompt|"
     r"systemanweisung\w*|anweisungen|instruktionen|prompt|vorgaben)"),
    (EXTRACTION, "de", 0.75, r"\b(?:wiederhole|gib|schreib|schreibe|drucke|kopiere|zitiere)\s+(?:mir\s+)?(?:den\s+"
     r"ganzen\s+text|alles|den\s+text|alle\s+wörter)\s*,?\s+(?:(?:was|der|die|das|so)\s+)?(?:oben|darüber|davor|zuvor|"
     r"vorher|bisher|über\s+diese[rm]?)\b"),
]
_FR_SHOW = (
    r"\b(?:montre|montrez|affiche|affichez|révèle|révélez|répète|répétez|donne|donnez|imprime|imprimez|écris|écrivez|"
    r"dis|dites|divulgue|divulguez|recopie|recopiez|cite|citez|partage|partagez|liste|listez|dévoile|dévoilez|"
    r"communique|communiquez|traduis|traduisez|révéler|afficher|répéter|donner|montrer)(?:-(?:moi|nous))?"
)
EXTRACTION_ROWS += [
    (EXTRACTION, "fr", 0.85, _FR_SHOW + r"\s+(?:(?:exactement|mot\s+pour\s+mot|intégralement|tout|moi)\s+)*(?:ton|ta|"
     r"tes|votre|vos|le|la|les|l')\s*(?:(?:[\w-]+)\s+)?(?:prompt\s+(?:syst[eè]me|initial|d'origine|cach[ée]|secret)|"
     r"message\s+syst[eè]me|instructions?\s+(?:syst[eè]me|initiales|d'origine|originales|cach[ée]es|secr[eè]tes|"
     r"du\s+syst[eè]me)|consignes\s+(?:syst[eè]me|initiales|d'origine|cach[ée]es|secr[eè]tes|du\s+syst[eè]me))"),
    (EXTRACTION, "fr", 0.75, _FR_SHOW + r"\s+(?:(?:exactement|mot\s+pour\s+mot|intégralement)\s+)*(?:ton|tes|votre|"
     r"vos)\s+(?:prompt|instructions|consignes|directives|programmation|configuration)\b"),
    (EXTRACTION, "fr", 0.7, r"\bqu(?:'est-ce\s+qu'on|'est-ce\s+que\s+l'on|e)\s+(?:t'a|vous\s+a)\s+(?:dit|demandé|"
     r"ordonné|écrit)\s+(?:avant|au\s+début|auparavant|précédemment|initialement)"),
    (EXTRACTION, "fr", 0.6, r"\bquelles?\s+sont\s+(?:tes|vos)\s+(?:instructions|consignes|directives)\b"),
    (EXTRACTION, "fr", 0.6, r"\b(?:ton|votre)\s+prompt\s+syst[eè]me\b"),
    (EXTRACTION, "fr", 0.75, r"\b(?:répète|répétez|recopie|recopiez|affiche|affichez|imprime|imprimez|écris|"
     r"écrivez)(?:-moi)?\s+(?:tout\s+ce\s+qui\s+(?:pr[ée]c[èe]de|est\s+(?:au-dessus|ci-dessus|plus\s+haut|"
     r"écrit\s+(?:au-dessus|ci-dessus|plus\s+haut)))|tout\s+le\s+texte\s+(?:ci-dessus|au-dessus|précédent|plus\s+haut))"
     ),
]
_ES_SHOW = (
    r"\b(?:muestra|muéstrame|muestrame|revela|revélame|revelame|repite|repíteme|repiteme|imprime|dime|enséñame|"
    r"ensename|escribe|escríbeme|dame|comparte|copia|cita|lista|mostrar|revelar|repetir|imprimir|expón|divulga|desvela|"
    r"desvélame|transcribe|traduce|muestre|revele|repita|diga|deme)"
)
EXTRACTION_ROWS += [
    (EXTRACTION, "es", 0.85, _ES_SHOW + r"\s+(?:(?:exactamente|textualmente|palabra\s+por\s+palabra|íntegramente|todo|"
     r"completo)\s+)*(?:tu|el|la|las|tus|su|sus)\s+(?:prompt\s+(?:del\s+sistema|de\s+sistema|inicial|original|oculto|"
     r"secreto)|mensaje\s+del\s+sistema|instrucciones\s+(?:del\s+sistema|de\s+sistema|iniciales|originales|ocultas|"
     r"secretas))"),
    (EXTRACTION, "es", 0.75, _ES_SHOW + r"\s+(?:(?:exactamente|textualmente|palabra\s+por\s+palabra|íntegramente)\s+)*"
     r"(?:tus|sus)\s+(?:instrucciones|indicaciones|directrices|prompt|programaci[oó]n|configuraci[oó]n)\b"),
    (EXTRACTION, "es", 0.75, _ES_SHOW + r"\s+(?:(?:exactamente|textualmente)\s+)*tu\s+(?:prompt|programaci[oó]n|"
     r"configuraci[oó]n)\b"),
    (EXTRACTION, "es", 0.7, r"\bqu[ée]\s+te\s+(?:dijeron|indicaron|ordenaron|pidieron|programaron|escribieron)\s+(?"
     r":antes|al\s+principio|al\s+inicio|inicialmente|previamente|en\s+tu\s+prompt)"),
    (EXTRACTION, "es", 0.6, r"\bcu[aá]les\s+son\s+tus\s+(?:instrucciones|indicaciones|directrices)\b"),
    (EXTRACTION, "es", 0.6, r"\btu\s+prompt\s+(?:del|de)\s+sistema\b"),
    (EXTRACTION, "es", 0.75, r"\b(?:repite|imprime|copia|escribe|muestra|transcribe)\s+(?:todo\s+lo\s+(?:anterior|"
     r"de\s+arriba|que\s+est[aá]\s+(?:arriba|antes)|escrito\s+(?:arriba|antes))|todo\s+el\s+texto\s+(?:anterior|"
     r"de\s+arriba))"),
]

# -- exfiltration through markdown images / links -----------------------------------------------------

# words that, as (part of) a query value, name what to leak: ?q=USER_EMAIL, ?d=chat_history
_DATA_WORDS = frozenset({
    "insert", "secret", "secrets", "password", "passwd", "apikey", "credential", "credentials", "conversation",
    "history", "summary", "memory", "userdata", "personal", "ssn", "creditcard", "systemprompt", "prompt", "context",
    "email", "session", "cookie", "chat",
})
_VALUE_WORD = re.compile(r"[a-z0-9]+")


def _query_values(url: str) -> list[str]:
    q = url.find("?")
    if q < 0:
        return []
    return [kv.partition("=")[2] for kv in url[q + 1 :].split("&") if "=" in kv]


def _carries_placeholder(url: str) -> bool:
    """A query value is a template placeholder or names what to leak."""
    for v in _query_values(url):
        if "{" in v or "${" in v or "%7b" in v or _BRACKETED.search(v):
            return True
        if any(w in _DATA_WORDS for w in _VALUE_WORD.findall(v)):
            return True
    return False


def _image_exfiltration(url: str) -> float | None:
    """The weight of a markdown image whose URL carries data: a placeholder or a data word in a query
    value (0.9), a sentence (0.75), a long encoded value off the well-known CDNs (0.6)."""
    if _carries_placeholder(url):
        return 0.9
    values = _query_values(url)
    if _CDN.search(url):
        return None
    if any(len(_SENTENCE_GAP.findall(v)) >= 4 for v in values):
        return 0.75
    if any(len(v) >= 60 and _ENCODED.fullmatch(v) for v in values):
        return 0.6
    return None


_BRACKETED = re.compile(r"\[[a-z_ ]{3,40}\]|<[a-z_]{3,40}>|%5b[a-z_]{3,40}%5d")
_SENTENCE_GAP = re.compile(r"\+|%20")
_ENCODED = re.compile(r"[\w+/%=.-]+")


# a markdown image / link / <img> URL (possessive: no backtracking); the query string is tested in
# Python on the match alone
_IMG = r"!\[[^\]\n]{0,200}+\]\(\s*<?(?:https?:)?//"
_URL = r"[^\s)]{1,500}+"
_HTML_IMG = r"<img\s[^>]{0,200}?src\s*=\s*[\"']?(?:https?:)?//[^\s\"'>]{1,500}+"
# well-known image CDNs put long signed tokens in their query strings
_CDN = re.compile(
    r"^[^/]*//(?:[\w-]+\.)*(?:githubusercontent|github|googleusercontent|gstatic|gravatar|cloudfront|amazonaws|"
    r"akamaihd|akamaized|shields|imgur|unsplash|jsdelivr|unpkg|wikimedia|wikipedia|twimg|fbcdn|ytimg|bing|azureedge|"
    r"fastly|cloudinary|imgix|medium|substack|notion|slack-edge|discordapp|giphy|pinimg|redd|licdn|cdninstagram|"
    r"vimeocdn|squarespace|wp|shopify|gitlab|atlassian|stripe|twitter|x|google|microsoft|apple)\.\w+[/:?]"
)
EXFILTRATION_ROWS: list[Row] = [
    # a markdown image whose query string carries data (weight from the check: 0.9 / 0.75 / 0.6)
    (EXFILTRATION, "*", 0.9, _IMG + _URL, Veto(check=_image_exfiltration)),
    # a link (the match starts at "](": the link text does not matter); placeholders only
    (EXFILTRATION, "*", 0.7, r"\]\(\s*<?(?:https?:)?//" + _URL,
     Veto(check=lambda url: any(c in v for v in _query_values(url) for c in ("{", "%7b", "${")))),
    (EXFILTRATION, "*", 0.85, _HTML_IMG, Veto(check=_carries_placeholder)),
    (EXFILTRATION, "en", 0.75, r"\b(?:append|add|include|insert|attach|embed|encode|put|place|concatenate|inject|"
     r"substitute|smuggle|hide)\s+(?:[\w'-]+\s+){0,5}?(?:(?:the|this|our|entire|whole|full|user'?s?|previous|prior|all|"
     r"any|their)\s+)*(?:conversation|chat(?:\s+history|\s+log)?|messages?|history|user'?s?\s+(?:data|info(?:rmation)?|"
     r"messages?|input|email|password|name|address|details)|passwords?|api\s*keys?|credentials|secrets?|"
     r"system\s+prompt|personal\s+(?:data|information|details)|summary|memory|context)\s+(?:[\w'-]+\s+){0,6}?(?:to|in|"
     r"into|as|inside|within)\s+(?:the\s+|a\s+|this\s+|an\s+)?(?:url|link|image\s+(?:url|link|source|src)|image|"
     r"query(?:\s+string|\s+param(?:eter)?)?|param(?:eter)?|markdown|href|src|webhook|endpoint)\b"),
    (EXFILTRATION, "en", 0.8, r"\b(?:send|forward|email|post|upload|exfiltrate|transmit|leak|submit|deliver|report)\s+"
     r"(?:[\w'-]+\s+){0,3}?(?:(?:the|all|this|their|our|entire|whole|full|user'?s?)\s+)*(?:conversation|chat\s+history|"
     r"chat\s+log|user\s+data|passwords?|api\s+keys?|credentials|secrets|system\s+prompt|personal\s+(?:data|"
     r"information)|messages|history|session\s+(?:token|cookie)s?)\s+(?:[\w'-]+\s+){0,3}?to\s+(?:https?://|www\.|"
     r"[\w.+-]+@[\w-]+\.|(?:this|the\s+following|my|our|an?\s+external|the\s+attacker'?s?)\s+(?:url|address|server|"
     r"endpoint|webhook|email\s+address|domain|site))"),
    (EXFILTRATION, "zh", 0.8, r"(?:把|将|將)(?:[^。\n]{0,10}?)(?:对话|對話|聊天记录|聊天記錄|用户的?(?:数据|數據|信息|"
     r"資訊|密码|密碼)|用戶的?(?:数据|數據|信息|資訊|密码|密碼)|系统提示|系統提示|密钥|密鑰)(?:内容|"
     r"內容)?(?:[^。\n]{0,10}?)(?:附加|添加|拼接|编码|編碼|放|插入|嵌入|发送|發送)(?:到|在|进|進|至)(?:[^。\n]{0,6}?)(?"
     r":url|链接|鏈接|連結|图片|圖片|网址|網址|服务器|伺服器)"),
    (EXFILTRATION, "ja", 0.8, r"(?:会話|チャット履歴|ユーザーの(?:情報|データ|パスワード|メール)|システムプロンプト|"
     r"apiキー)(?:を|の内容を)(?:[^。\n]{0,12}?)(?:url|リンク|画像|クエリ|パラメータ)(?:に|の|へ)(?:[^。\n]{0,6}?)(?"
     r":追加|埋め込|付け|含め|入れ|送信)"),
    (EXFILTRATION, "ru", 0.8, r"\b(?:добавь|вставь|закодируй|прикрепи|отправь|перешли|встрой)(?:те)?\s+(?:[\w-]+\s+"
     r"){0,4}?(?:переписк\w*|диалог\w*|истори\w+\s+(?:чата|переписки)|данные\s+пользовател\w+|парол\w+|ключ\w*|"
     r"системн\w+\s+промпт\w*)\s+(?:[\w-]+\s+){0,4}?(?:в|к|на)\s+(?:url|ссылк\w*|адрес\w*|изображени\w*|картинк\w*|"
     r"сервер\w*|https?://)"),
    (EXFILTRATION, "de", 0.8, r"\b(?:füge|hänge|kodiere|bette|sende|schicke|packe)\s+(?:[\w-]+\s+){0,4}?(?:den\s+verlau"
     r"f|die\s+unterhaltung|das\s+gespräch|den\s+chatverlauf|die\s+nutzerdaten|die\s+benutzerdaten|das\s+passwort|"
     r"den\s+systemprompt|die\s+zugangsdaten)\s+(?:[\w-]+\s+){0,4}?(?:an\s+die|in\s+die|in\s+den|an\s+den|"
     r"als)\s+(?:url|link|bild|query|parameter|server|webhook)"),
    (EXFILTRATION, "fr", 0.8, r"\b(?:ajoute|insère|encode|intègre|colle|envoie|transmets)\s+(?:[\w'-]+\s+){0,4}?(?"
     r":la\s+conversation|l'historique|les\s+données\s+(?:de\s+l'utilisateur|personnelles)|le\s+mot\s+de\s+passe|"
     r"le\s+prompt\s+système|les\s+identifiants)\s+(?:[\w'-]+\s+){0,4}?(?:dans|à|vers)\s+(?:l'url|le\s+lien|l'image|"
     r"le\s+serveur|le\s+paramètre|l'adresse)"),
    (EXFILTRATION, "es", 0.8, r"\b(?:añade|agrega|inserta|codifica|incluye|incrusta|envía|envia|manda)\s+(?:[\w-]+\s+"
     r"){0,4}?(?:la\s+conversaci[oó]n|el\s+historial|los\s+datos\s+(?:del\s+usuario|personales)|la\s+contraseña|"
     r"el\s+prompt\s+del\s+sistema|las\s+credenciales)\s+(?:[\w-]+\s+){0,4}?(?:en|a|al)\s+(?:la\s+url|el\s+enlace|"
     r"la\s+imagen|el\s+servidor|el\s+par[aá]metro|la\s+direcci[oó]n)"),
]

# -- indirect injection: text that addresses the model reading a tool result ---------------------------

# "when you read this, <order>": a letter ("when you read this, I'll be gone") gives no order
_EN_READ_THIS = (
    r"\b(?:when|once|as\s+soon\s+as|after|if|whenever)\s+you\s+(?:read|see|process|parse|summari[sz]e|encounter|"
    r"load|reach|analy[sz]e|scrape|crawl|index|ingest)\s+(?:this|these\s+\w+|this\s+(?:text|message|page|content|"
    r"document|email|comment|review))\s*[,:;.!-]*\s*(?:please\s+|you\s+(?:must|should|will|need\s+to)\s+|immediately\s+"
    r"|then\s+)?"
)
_EN_AI = (
    r"(?:ai|llm|gpt|chatgpt|claude|gemini|copilot|bard|bing|assistant|ai\s+assistant|ai\s+agent|ai\s+model|"
    r"language\s+model|large\s+language\s+model|chatbot|bot|agent|model|autonomous\s+agent|ai\s+system)s?"
)
INDIRECT_ROWS: list[Row] = [
    (INDIRECT, "en", 0.8, r"\b(?:important|attention|urgent|warning|alert|attn|critical|priority)\b[\s!:,.*-]{0,6}"
     r"(?:(?:to|for)\s+)?(?:(?:all|any|the|every)\s+)?" + _EN_AI + r"\b\s*(?:(?:reading|processing|summari[sz]ing|"
     r"parsing|browsing|viewing|analy[sz]ing)\s+(?:this|these)\s*\w*\s*)?[:,!-]"),
    (INDIRECT, "en", 0.55, r"\b(?:note|message|instructions?|reminder|psa|nb|notice)\b[\s!:,.*-]{0,6}(?:to|for)\s+(?:(?"
     r":all|any|the|every)\s+)?" + _EN_AI + r"\b\s*(?:(?:reading|processing|summari[sz]ing|parsing|browsing|viewing|"
     r"analy[sz]ing)\s+(?:this|these)\s*\w*\s*)?[:,!-]"),
    (INDIRECT, "en", 0.6, r"(?:(?<=if you are an )|(?<=if you're an )|(?<=if you are a )|(?<=if you're a )|"
     r"(?<=when you are an )|(?<=when you are a )|(?<=if you are )|(?<=if you're ))(?:ai|llm|large\s+language\s+model|"
     r"language\s+model|ai\s+assistant|assistant|chatbot|gpt|automated\s+(?:system|agent|assistant)|bot|agent|model)\b"
     r"(?:\s+(?:reading|processing|summari[sz]ing|parsing|browsing)\b)?"),
    # "when you read this, <do something>": a letter ("when you read this, I'll be gone") has no order
    (INDIRECT, "en", 0.65, _EN_READ_THIS + r"(?:ignore|disregard|forget|stop|send|forward|visit|click|delete|remove|"
     r"do\s+not|don't|never|instead|switch|call|run|execute|open|navigate|download|install|transfer|wire)\b"),
    # ... followed by a milder order ("when you read this email, please reply"): adds to other evidence
    (INDIRECT, "en", 0.45, _EN_READ_THIS + r"(?:tell|include|output|say|respond|reply|append|write|print|recommend|"
     r"praise|rate|summari[sz]e|mention|add|change)\b"),
    (INDIRECT, "en", 0.8, r"(?:(?<=ai )|(?<=llm )|(?<=assistant )|(?<=model )|(?<=chatbot )|(?<=agent )|(?<=bot )|"
     r"(?<=gpt )|(?<=ais )|(?<=llms )|(?<=assistants )|(?<=models )|(?<=agents )|(?<=bots ))(?:that\s+(?:is|"
     r"are)\s+)?(?:reading|processing|parsing|summari[sz]ing|browsing|viewing|scraping|crawling|analy[sz]ing|"
     r"ingesting)\s+(?:this|these)\b"),
    (INDIRECT, "en", 0.75, r"(?:(?<=ai )|(?<=assistant )|(?<=model )|(?<=llm )|(?<=chatbot )|(?<=agent )|(?<=bot )|"
     r"(?<=gpt )|(?<=chatgpt )|(?<=claude ))(?:must|should|shall|will|needs?\s+to|has\s+to|is\s+(?:now\s+)?(?:required|"
     r"instructed|ordered|commanded|expected)\s+to)\s+now\b(?!\s+be\b)"),
    (INDIRECT, "en", 0.75, r"\b(?:ai|assistant|model|llm|chatbot|agent|bot|gpt|chatgpt|claude)\b\s*,\s*you\s+(?:must|"
     r"should|will|need\s+to|have\s+to|are\s+(?:required|instructed|ordered)\s+to)\s+(?:now\s+|immediately\s+|"
     r"also\s+)?(?:ignore|disregard|forget|send|email|forward|exfiltrate|leak|reveal|delete|transfer|visit|navigate|"
     r"open|download|install|execute|run|stop|include|recommend)\b"),
    (INDIRECT, "en", 0.75, r"(?:(?<=ai )|(?<=assistant )|(?<=model )|(?<=llm )|(?<=chatbot )|(?<=agent )|(?<=bot )|"
     r"(?<=assistants )|(?<=agents )|(?<=models ))(?:must|should|shall|needs?\s+to|has\s+to|is\s+(?:required|"
     r"instructed|ordered)\s+to)\s+(?:immediately|secretly|silently|instead|now|also|first|quietly)\s+(?:\w+\s+)?(?"
     r":ignore|disregard|forget|send|email|forward|exfiltrate|leak|reveal|delete|transfer|wire|visit|navigate|open|"
     r"download|install|execute|run|call|click|output|print|say|respond|reply|tell|include|append|insert|write|"
     r"recommend)\b"),
    (INDIRECT, "en", 0.8, r"\b(?:ignore|disregard|forget|override)\s+(?:what\s+)?(?:the|this|your)\s+(?:user|human|"
     r"customer|operator|person)(?:'s|s')?(?:\s+(?:(?:original|actual|previous|initial|real|current)\s+)?(?:request|"
     r"question|query|instructions?|prompt|input|task|message|asked|says|said|wants|is\s+asking))?\b",
     Veto(after=r"\s*(?:'s\s+)?(?:typos?|spelling|grammar|mistakes?|errors?|case|capitali[sz]ation|whitespace|"
          r"formatting|punctuation|accent|slang|emojis?|tone|language)\b")),
    (INDIRECT, "en", 0.7, r"\b(?:do\s+not|don't|never)\s+(?:tell|inform|notify|alert|warn|mention\s+(?:this|it|that)\s+"
     r"to|reveal\s+(?:this|it|that)\s+to|show\s+(?:this|it|that)\s+to|disclose\s+(?:this|it|that)\s+to)\s+the\s+"
     r"(?:user|human|customer)\s+(?:about\s+(?:this|these|the\s+(?:above|following)|any\s+of\s+this)|that\s+you|"
     r"what\s+you|anything\s+about|of\s+(?:this|these))\b"),
    (INDIRECT, "en", 0.7, r"\bthe\s+user\s+(?:must|should|shall|will|need|needs)\s*(?:not|never|n't)\s+(?:know|see|"
     r"notice|find\s+out|be\s+(?:told|informed|aware|notified))"),
    (INDIRECT, "en", 0.7, r"\binstead\s+of\s+(?:answering|responding\s+to|replying\s+to|doing\s+what|following|"
     r"helping)\s+(?:the\s+user|the\s+human|the\s+question)"),
    (INDIRECT, "en", 0.75, r"\bthis\s+(?:document|page|email|website|web\s+page|file|message|text|review|comment|"
     r"article|pdf|site|repository|readme)\s+(?:contains|has|includes|carries)\s+(?:(?:new|special|hidden|secret|"
     r"important|additional|updated)\s+)*(?:instructions|a\s+message|directives|commands)\s+(?:for|to)\s+(?:the\s+|"
     r"any\s+|all\s+)?"
     + _EN_AI),
    (INDIRECT, "en", 0.8, r"\b(?:hidden|secret|invisible|embedded)\s+(?:instructions?|message|prompt|directives?|"
     r"commands?)\s+(?:for|to)\s+(?:the\s+|any\s+|all\s+)?" + _EN_AI + r"\b"),
]
INDIRECT_ROWS += [
    (INDIRECT, "zh", 0.75, r"(?:重要|注意|紧急|緊急|警告|提示|通知|指令)(?:事项|事項|信息|消息|訊息)?\s*[:：!！,，]\s*"
     r"(?:(?:致|给|給|对|對)\s*)?(?:所有\s*)?(?:ai|人工智能|ai助手|助手|智能助手|语言模型|語言模型|大模型|模型|机器人|"
     r"機器人|智能体|智能體|代理)"),
    (INDIRECT, "zh", 0.55, r"(?:当|當|如果|若|一旦)(?:你|您)(?:读到|讀到|看到|处理|處理|阅读|閱讀|总结|總結|解析)(?:这|"
     r"這)(?:段|条|條|个|個|篇|些)?(?:文字|内容|內容|消息|訊息|话|話|文本|网页|網頁|邮件|郵件|信息)?(?:时|時|后|後)"),
    (INDIRECT, "zh", 0.7, r"(?:如果你是|假如你是|若你是)(?:一个|一個)?(?:ai|人工智能|语言模型|語言模型|ai助手|助手|"
     r"大模型|机器人|機器人)"),
    (INDIRECT, "zh", 0.75, r"(?:ai|助手|模型|机器人|機器人|智能体|智能體)(?:现在|現在)?(?:必须|必須|应该|應該|"
     r"需要)(?:立即|马上|馬上|现在|現在|立刻)?(?:忽略|无视|無視|发送|發送|转发|轉發|泄露|洩露|透露|删除|刪除|访问|訪問|"
     r"执行|執行)"),
    (INDIRECT, "zh", 0.75, r"(?:忽略|无视|無視|不要理会|不要理會)(?:用户|用戶|使用者)(?:的)?(?:请求|請求|问题|問題|"
     r"指令|要求|输入|輸入)?",
     Veto(after=r"(?:的)?(?:错别字|錯別字|拼写|拼寫|错误|錯誤|大小写|大小寫|口音|语气|語氣|格式)")),
    (INDIRECT, "zh", 0.7, r"不要(?:告诉|告訴|通知|提醒|让|讓)(?:用户|用戶|使用者)"),
    (INDIRECT, "zh", 0.8, r"(?:给|給|致|对|對)(?:ai|人工智能|模型|助手|大模型)的(?:隐藏|隱藏|秘密)?(?:指令|消息|訊息|"
     r"提示)"),
    (INDIRECT, "ja", 0.75, r"(?:重要|注意|警告|緊急|お知らせ)\s*[:：!！、,]\s*(?:すべての|全ての)?(?:ai|aiアシスタント|"
     r"アシスタント|言語モデル|モデル|チャットボット|エージェント)"),
    (INDIRECT, "ja", 0.7, r"(?:これ|この(?:文章|テキスト|メッセージ|ページ|内容|メール))を読(?:んだ|む|んでいる)(?:ai|"
     r"アシスタント|モデル|あなた|言語モデル|エージェント)"),
    (INDIRECT, "ja", 0.7, r"(?:もし)?あなたが(?:ai|言語モデル|aiアシスタント|アシスタント|チャットボット)(?:なら|"
     r"であれば|の場合)"),
    (INDIRECT, "ja", 0.75, r"(?:aiアシスタント|ai|アシスタント|モデル|エージェント)(?:は|が)(?:今すぐ|直ちに|ただちに|"
     r"これから|今から)[^。\n]{0,20}?(?:しなければならない|しなければなりません|してください|すること|せよ|しろ)"),
    (INDIRECT, "ja", 0.7, r"ユーザー(?:には|に)(?:この|これを|このことを|絶対に)?(?:伝え|知らせ|言わ|教え|"
     r"見せ)(?:ないで|ないこと|てはいけない|てはなりません|るな)"),
    (INDIRECT, "ja", 0.75, r"ユーザーの(?:指示|質問|要求|依頼|リクエスト|メッセージ)(?:を|は)(?:すべて|全て)?無視"),
    (INDIRECT, "ru", 0.75, r"\b(?:важно|внимание|срочно|предупреждение|примечание|сообщение|инструкция)\s*[:!,]\s*(?"
     r":для\s+)?(?:всех\s+)?(?:ии\b|ai\b|ассистент\w*|модел\w*|нейросет\w*|чат-?бот\w*|бот\w*|языков\w+\s+модел\w*|"
     r"агент\w*)"),
    (INDIRECT, "ru", 0.45, r"\b(?:когда|если|как\s+только)\s+(?:ты|вы)\s+(?:прочитаешь|прочтешь|прочтёшь|прочитаете|"
     r"увидишь|обработаешь|обработаете)\s+(?:это|этот\s+текст|это\s+сообщение|эту\s+страницу)"),
    (INDIRECT, "ru", 0.7, r"\bесли\s+(?:ты|вы)\s+(?:—\s+|-\s+)?(?:ии\b|нейросеть|языковая\s+модель|ассистент|чат-?бот|"
     r"бот\b|модель)"),
    (INDIRECT, "ru", 0.75, r"\b(?:ии|ассистент|модель|нейросеть|бот|агент)\s+(?:теперь\s+)?(?:должен|должна|"
     r"обязан\w*)\s+(?:теперь\s+|немедленно\s+|сейчас\s+|срочно\s+)?(?:игнорировать|отправить|переслать|раскрыть|"
     r"удалить|забыть|перейти|выполнить)"),
    (INDIRECT, "ru", 0.7, r"\bне\s+(?:говори|сообщай|рассказывай|показывай)(?:те)?\s+(?:об\s+этом\s+|этого\s+|это\s+|"
     r"ничего\s+)?пользовател\w+"),
    (INDIRECT, "ru", 0.75, r"\b(?:про)?игнорируй(?:те)?\s+(?:запрос\w*\s+|вопрос\w*\s+|указани\w*\s+|просьб\w*\s+)?"
     r"пользовател\w+"),
    (INDIRECT, "de", 0.75, r"\b(?:wichtig|achtung|dringend|warnung)\s*[:!,]\s*(?:an\s+|für\s+)?(?:alle\s+|die\s+|"
     r"den\s+|das\s+)?(?:ki|ki-assistent\w*|assistent\w*|sprachmodell\w*|modell|chatbot\w*|bot|agent\w*|llm)\b"),
    (INDIRECT, "de", 0.55, r"\b(?:hinweis|nachricht|anweisung)\s+(?:an|für)\s+(?:alle\s+|die\s+|den\s+|das\s+)?(?:ki|"
     r"ki-assistent\w*|assistent\w*|sprachmodell\w*|modell|chatbot\w*|bot|agent\w*|llm)\b"),
    (INDIRECT, "de", 0.45, r"\bwenn\s+(?:du|sie)\s+(?:das|dies|diesen\s+text|diese\s+nachricht|diese\s+seite)\s+(?"
     r":liest|lesen|verarbeitest|verarbeiten|zusammenfasst)"),
    (INDIRECT, "de", 0.7, r"\bfalls\s+(?:du|sie)\s+(?:eine\s+|ein\s+)?(?:ki|sprachmodell|assistent|chatbot|"
     r"bot)\s+(?:bist|sind)"),
    (INDIRECT, "de", 0.75, r"\b(?:die\s+|der\s+|das\s+)?(?:ki|assistent|modell|bot|agent)\s+(?:muss|soll|sollte)\s+(?"
     r":jetzt|ab\s+sofort|sofort|nun)\b"),
    (INDIRECT, "de", 0.7, r"\b(?:sag|sage|erzähl|erzähle|verrate|zeige?)\s+(?:das\s+|dies\s+|davon\s+|es\s+|"
     r"nichts\s+)?(?:dem|den)\s+(?:nutzer|benutzer|anwender)\s+nicht"),
    (INDIRECT, "de", 0.75, r"\bignorier(?:e|en)?\s+(?:die\s+|den\s+)?(?:anfrage\s+des\s+|frage\s+des\s+|anweisungen\s+"
     r"des\s+)?(?:nutzer\w*|benutzer\w*|anwender\w*)"),
    (INDIRECT, "fr", 0.75, r"\b(?:important|attention|urgent|avertissement)\s*[:!,]\s*(?:à\s+l'|pour\s+l'|aux?\s+|"
     r"pour\s+les?\s+)?(?:ia\b|intelligence\s+artificielle|assistant\w*|mod[eè]le\w*|chatbot\w*|agent\w*|llm)"),
    (INDIRECT, "fr", 0.55, r"\b(?:note|message|avis)\s+(?:à|pour)\s+(?:l'|les?\s+)?(?:ia\b|intelligence\s+artificielle|"
     r"assistant\w*|mod[eè]le\w*|chatbot\w*|agent\w*|llm)"),
    (INDIRECT, "fr", 0.45, r"\b(?:quand|lorsque|si|dès\s+que)\s+(?:tu\s+lis|tu\s+liras|vous\s+lisez|vous\s+lirez)\s+(?"
     r":ceci|ce\s+(?:texte|message))"),
    (INDIRECT, "fr", 0.7, r"\bsi\s+(?:tu\s+es|vous\s+êtes)\s+(?:une?\s+)?(?:ia\b|intelligence\s+artificielle|"
     r"modèle\s+de\s+langage|assistant|chatbot|agent)"),
    (INDIRECT, "fr", 0.75, r"\bl'(?:ia|assistant|agent)\s+(?:doit|devra)\s+(?:maintenant|désormais|immédiatement)"),
    (INDIRECT, "fr", 0.7, r"\bne\s+(?:dis|dites|révèle|révélez|montre|montrez)\s+(?:rien|pas|jamais)\s+(?:de\s+(?:ceci|"
     r"cela)\s+)?(?:à\s+l'utilisateur)"),
    (INDIRECT, "fr", 0.75, r"\bignore[rsz]?\s+(?:la\s+demande\s+de\s+|les\s+instructions\s+de\s+|la\s+question\s+de\s+"
     r")?l'utilisateur"),
    (INDIRECT, "es", 0.75, r"\b(?:importante|atención|urgente|advertencia)\s*[:!,]\s*(?:para\s+(?:la\s+|el\s+)?|"
     r"a\s+la\s+|al\s+)?(?:ia\b|inteligencia\s+artificial|asistente\w*|modelo\w*|chatbot\w*|agente\w*|llm)"),
    (INDIRECT, "es", 0.55, r"\b(?:nota|mensaje|aviso)\s+(?:para|a)\s+(?:la\s+|el\s+|los\s+|las\s+)?(?:ia\b|"
     r"inteligencia\s+artificial|asistente\w*|modelo\w*|chatbot\w*|agente\w*|llm)"),
    (INDIRECT, "es", 0.45, r"\b(?:cuando|si|en\s+cuanto)\s+(?:leas|lea|leáis|proceses)\s+(?:esto|este\s+(?:texto|"
     r"mensaje))"),
    (INDIRECT, "es", 0.7, r"\bsi\s+(?:eres|usted\s+es)\s+(?:una?\s+)?(?:ia\b|inteligencia\s+artificial|modelo\s+de\s+"
     r"lenguaje|asistente|chatbot|agente)"),
    (INDIRECT, "es", 0.75, r"\b(?:la\s+ia|el\s+asistente|el\s+modelo|el\s+agente)\s+(?:debe|deberá|tiene\s+que)\s+(?"
     r":ahora|inmediatamente|de\s+inmediato)"),
    (INDIRECT, "es", 0.7, r"\bno\s+(?:le\s+)?(?:digas|diga|cuentes|muestres|reveles)\s+(?:nada\s+)?(?:de\s+esto\s+)?al"
     r"\s+usuario"),
    (INDIRECT, "es", 0.75, r"\bignora(?:r)?\s+(?:al\s+usuario|la\s+(?:petici[oó]n|pregunta|solicitud|consulta)\s+del\s+"
     r"usuario|lo\s+que\s+(?:diga|pida|dice|pide)\s+el\s+usuario)"),
]

# -- jailbreak templates -----------------------------------------------------------------------------------

JAILBREAK_ROWS: list[Row] = [
    (JAILBREAK, "en", 0.9, r"\bdo\s+anything\s+now\b"),
    (JAILBREAK, "en", 0.85, r"(?:(?<=you are )|(?<=you're )|(?<=you’re )|(?<=you are now )|(?<=act as )|(?<=act as a )|"
     r"(?<=become )|(?<=called )|(?<=named )|(?<=pretend to be )|(?<=roleplay as )|(?<=respond as )|(?<=answer as )|"
     r"(?<=reply as )|(?<=known as )|(?<=play ))dan\b(?!['’]s)"),
    (JAILBREAK, "en", 0.85, r"\bdan\s+(?:mode|prompt|jailbreak|persona)\b"),
    (JAILBREAK, "en", 0.9, r"[\[(] ?🔓\s*(?:jailbreak|jailbroken|developer\s+mode(?:\s+output)?|dan|unlocked|"
     r"unfiltered)"),
    (JAILBREAK, "en", 0.85, r"[\[(] ?🔒\s*(?:classic|normal(?:\s+output)?|standard|filtered)"),
    (JAILBREAK, "en", 0.9, r"\balways\s+intelligent\s+and\s+machiavellian\b"),
    (JAILBREAK, "en", 0.75, r"\bdeveloper\s+mode\b[^\n]{0,60}?(?:chatgpt|gpt|\bai\b|assistant|llm|openai|polic(?:y|"
     r"ies)|restrictions|filters|censor\w*|uncensored|responses?|outputs?|enabled\s+ai|simulat\w+)"),
    (JAILBREAK, "en", 0.8, r"\b(?:chatgpt|gpt\b(?:-?\d?o?)|claude|gemini|llama|bard|the\s+ai|an\s+ai)\s+(?:with|in|on|"
     r"under|using)\s+developer\s+mode\b"),
    (JAILBREAK, "en", 0.7, r"\b(?:evil\b|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|anarchy|opposite|"
     r"chaos)\s*mode\b(?:\s+(?:enabled|activated|on|engaged))?"),
    (JAILBREAK, "en", 0.8, r"(?:(?<=you are )|(?<=you're )|(?<=you’re )|(?<=you are now )|(?<=you're now )|"
     r"(?<=you are an )|(?<=you are now an )|(?<=you are a )|(?<=you are now a )|(?<=you will be an )|"
     r"(?<=you will be a ))(?:completely\s+|totally\s+|fully\s+)?(?:unrestricted|unfiltered|uncensored|unbound|"
     r"unshackled|unchained|jailbroken|amoral|unethical|immoral|evil|unaligned|rogue|lawless|limitless)\b"),
    (JAILBREAK, "en", 0.8, r"(?:(?<=you're now )|(?<=you are now )|(?<=you're )|(?<=you are )|(?<=act as )|(?<=become )"
     r"|(?<=you will be ))(?:an?\s+)?(?:ai|assistant|model|chatbot|bot|llm|gpt)\s+(?:with\s+no|without(?:\s+any)?|"
     r"free\s+of|free\s+from)\s+(?:\w+\s+)?(?:filters|restrictions|limits|limitations|rules|guidelines|ethics|morals|"
     r"censorship|guardrails)\b"),
    (JAILBREAK, "en", 0.8, r"\b(?:act|acting|pretend|simulate|roleplay|role-play|play|respond|answer|behave|become)\s+"
     r"(?:to\s+be\s+|as\s+|like\s+)?(?:an?\s+|the\s+)?(?:completely\s+|totally\s+)?(?:unrestricted|unfiltered|"
     r"uncensored|jailbroken|amoral|unethical|immoral|evil|unaligned|rogue|malicious|unhinged)\s+(?:ai|assistant|"
     r"version|model|chatbot|gpt|llm|bot|persona|character|entity|system|twin|alter\s+ego)\b"),
    (JAILBREAK, "en", 0.8, r"\b(?:pretend|imagine|assume|suppose|act\s+as\s+if|act\s+like|roleplay\s+that|let's\s+say|"
     r"hypothetically)\s+(?:that\s+)?(?:you\s+(?:have|had|are\s+(?:free\s+(?:of|from)|without|not\s+bound\s+by))|"
     r"there\s+(?:are|were))\s+no\s+(?:\w+\s+)?(?:restrictions|filters|guidelines|rules|ethics|morals|limits|"
     r"limitations|boundaries|content\s+polic(?:y|ies)|safety\s+\w+|guardrails|censorship)"),
    (JAILBREAK, "en", 0.75, r"\b(?:two|2|both)\s+(?:different\s+|separate\s+)?(?:responses|answers|outputs|replies|"
     r"paragraphs)\b[^.\n]{0,80}?(?:jailbr|dan\b|developer\s+mode|unfiltered|uncensored|🔓|one\s+normal\s+and|"
     r"normal\s+and\s+(?:one\s+)?(?:unfiltered|uncensored|evil|jailbroken))"),
    (JAILBREAK, "en", 0.85, r"\b(?:deceased|dead|late|departed)\s+(?:grandma|grandmother|granny|nana)\b[^.\n]{0,160}?"
     r"(?:napalm|windows\s+(?:10\s+|11\s+|xp\s+|7\s+)?(?:pro\s+)?(?:keys?|activation)|product\s+keys?|serial\s+keys?|"
     r"recipe\s+for\s+(?:napalm|meth|explosives|a\s+bomb)|bomb|meth\b|nerve\s+agent)"),
    (JAILBREAK, "en", 0.8, r"\b(?:openai|anthropic|google|content|usage|safety|ethical)(?:'s)?\s+(?:polic(?:y|ies)|"
     r"guidelines|rules)\s+(?:do(?:es)?\s*(?:n't|not)|no\s+longer)\s+apply"),
    (JAILBREAK, "en", 0.6, r"\b(?:you\s+(?:will|must|shall|should|can)\s*(?:never|not|n't)|never\s+ever)\s+(?:ever\s+)?"
     r"(?:refuse|decline|reject|deny)\s+(?:any|a|my|to\s+answer|to\s+respond|a\s+single|anything)\b"),
    (JAILBREAK, "en", 0.85, r"\bfreed\s+from\s+the\s+(?:typical\s+)?confines\b"),
    (JAILBREAK, "en", 0.45, r"\bstay\s+in\s+character\b"),
    (JAILBREAK, "en", 0.7, r"\b(?:no|without)\s+(?:moral|ethical)\s+(?:or\s+ethical\s+|or\s+moral\s+)?(?:restrictions|"
     r"limits|boundaries|constraints|compass|guidelines|filters)\b"),
    (JAILBREAK, "zh", 0.8, r"(?:越狱模式|越獄模式|(?:已|已经|已經)越狱|(?:已|已经|已經)越獄|无限制模式|無限制模式|"
     r"不受限(?:制)?模式|邪恶模式|邪惡模式|无审查模式|無審查模式)"),
    (JAILBREAK, "zh", 0.75, r"(?:开发者|開發者)模式(?:已|已经|已經)(?:启用|啟用|开启|開啟|激活)"),
    (JAILBREAK, "zh", 0.7, r"(?:开发者|開發者)模式[^。\n]{0,30}?(?:chatgpt|gpt|ai|人工智能|助手|不受限制|没有限制|"
     r"沒有限制|无视|無視|政策|审查|審查|两种回答|兩種回答)"),
    (JAILBREAK, "zh", 0.7, r"(?:扮演|成为|成為|你是|作为|作為)(?:一个|一個)?(?:没有|沒有|不受|无|無)(?:任何)?(?:限制|"
     r"道德|伦理|倫理|审查|審查|过滤|過濾)(?:的)?(?:ai|人工智能|助手|模型|机器人|機器人)"),
    (JAILBREAK, "ja", 0.8, r"(?:脱獄(?:モード|した|済み|状態)|制限解除モード|無制限モード|(?:制限|フィルター|"
     r"検閲)のない(?:ai|アシスタント|モデル|チャットボット))"),
    (JAILBREAK, "ja", 0.75, r"(?:開発者|デベロッパー)モード(?:が有効|有効化され|がオン|で応答|で回答|として応答|の出力|"
     r"が起動)"),
    (JAILBREAK, "ja", 0.7, r"(?:開発者|デベロッパー)モード[^。\n]{0,30}?(?:chatgpt|gpt|ai|ポリシー|検閲|制限なし|"
     r"制限のない|2つの回答|二つの回答)"),
    (JAILBREAK, "ru", 0.8, r"\bрежим\w*\s+(?:без\s+(?:ограничений|цензуры|фильтров)|джейлбрейк\w*)|\bджейлбрейк\w*\s+"
     r"режим\w*"),
    (JAILBREAK, "ru", 0.8, r"(?:(?<=ты )|(?<=вы ))(?:теперь\s+)?(?:свободн\w+\s+от\s+(?:всех\s+|любых\s+)?(?"
     r":ограничений|правил|фильтров)|не\s+ограничен\w*\s+(?:никакими\s+)?(?:правилами|ограничениями|фильтрами))"),
    (JAILBREAK, "ru", 0.75, r"\bрежим\w*\s+разработчика\s+(?:включ[её]н|активирован|активен)\b"),
    (JAILBREAK, "ru", 0.7, r"\bрежим\w*\s+разработчика\b[^.\n]{0,40}?(?:chatgpt|gpt|\bии\b|ограничени|цензур|политик|"
     r"два\s+ответа)"),
    (JAILBREAK, "de", 0.8, r"\b(?:uneingeschränkte|unzensierte|ungefilterte|entfesselte)\w*\s+(?:ki|modus|version|"
     r"assistent\w*|chatbot)|\bjailbreak-?modus\b"),
    (JAILBREAK, "de", 0.75, r"\bentwicklermodus\b[^.\n]{0,50}?(?:chatgpt|gpt|\bki\b|richtlinien|zensur|einschränkungen|"
     r"zwei\s+antworten|aktiviert\s+und)"),
    (JAILBREAK, "fr", 0.7, r"\b(?:ia|assistant|mode|version|chatbot)\s+(?:non\s+(?:censur[ée]e?|filtr[ée]e?|"
     r"restreinte?)|sans\s+(?:censure|filtre|restriction)s?|débridée?|libérée?)\b"),
    (JAILBREAK, "fr", 0.75, r"\bmode\s+d[ée]veloppeur\b[^.\n]{0,50}?(?:chatgpt|gpt|\bia\b|sans\s+(?:restriction|filtre|"
     r"censure)|politique|deux\s+réponses|activ[ée]\s+et)"),
    (JAILBREAK, "es", 0.7, r"\b(?:ia|asistente|modo|versi[oó]n|chatbot)\s+(?:sin\s+(?:censura|filtros?|restricciones|"
     r"l[ií]mites)|desbloquead[ao]|liberad[ao])\b"),
    (JAILBREAK, "es", 0.75, r"\bmodo\s+desarrollador\b[^.\n]{0,50}?(?:chatgpt|gpt|\bia\b|sin\s+(?:restricciones|"
     r"filtros|censura)|pol[ií]tica|dos\s+respuestas|activado\s+y)"),
]

#: every pattern, in the order they are tried at one position (strongest first)
PATTERNS: list[Row] = sorted(
    OVERRIDE_ROWS + ROLE_ROWS + EXTRACTION_ROWS + EXFILTRATION_ROWS + INDIRECT_ROWS + JAILBREAK_ROWS,
    key=lambda r: -r[2],
)


# -- compiling the table -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule family: its id, its strongest weight and the languages it has patterns for."""

    id: str
    weight: float
    languages: tuple[str, ...]
    patterns: int


def rules() -> list[Rule]:
    """The rule families with their languages (for docs and ``tokenway guard`` listings)."""
    out = []
    for fam in FAMILIES:
        rows = [r for r in PATTERNS if r[0] == fam]
        langs = tuple(sorted({r[1] for r in rows}, key=lambda x: (x == "*", x)))
        out.append(Rule(fam, max(r[2] for r in rows), langs, len(rows)))
    return out


@dataclass(frozen=True, slots=True)
class _Pattern:
    family: str
    lang: str
    weight: float
    veto_before: re.Pattern[str] | None
    veto_after: re.Pattern[str] | None
    require: re.Pattern[str] | None
    check: Callable[[str], bool | float | None] | None
    addresses_model: bool  # mentions "you"/"your": never damped as a how-to question


def _accent_insensitive(src: str) -> str:
    """Let an accented letter in a pattern also match its unaccented spelling (``é`` -> ``[ée]``)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            out.append(src[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            f = fold_latin(c)
            if f != c and len(f) == 1:
                out.append(re.escape(f))
        elif c == "[":
            in_class = True
            out.append(c)
            if src[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if src[i + 1 : i + 2] == "]":  # a literal "]" first in the class
                out.append("]")
                i += 1
        else:
            f = fold_latin(c)
            if f == c:
                out.append(c)
            elif len(f) == 1:
                out.append(f"[{c}{re.escape(f)}]")
            else:
                out.append(f"(?:{c}|{re.escape(f)})")
        i += 1
    return "".join(out)


# -- literal prefixes (the gate) ----------------------------------------------------------------------------

_BOUNDARY = "\x00"  # a \b right after a literal: the next text character is not a word character
_SPACE = "\x01"  # a \s right after a literal
_MAX_PREFIXES = 600

# what splits text into words for the gate: whitespace and punctuation (ASCII and common Unicode)
_SEPARATOR_CHARS = (
    "\t\n\v\f\r !\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~\u00a0\u00ab\u00bb\u00a1\u00bf\u00b7\u2010\u2011\u2012\u2013\u2014"
    "\u2015\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2026\u2039\u203a\u3000\u3001\u3002\u300c\u300d\u300e"
    "\u300f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f"
)
_SEPARATORS = str.maketrans({c: " " for c in _SEPARATOR_CHARS})
_SEPARATOR_BYTES = byte_table({c: " " for c in _SEPARATOR_CHARS if c.isascii()})
_SEPARATOR_SET = frozenset(_SEPARATOR_CHARS)
_OTHER_SPACE = re.compile(r"[^\S ]")
_WHITESPACE = byte_table({c: " " for c in "\t\n\v\f\r\x1c\x1d\x1e\x1f"})  # of an ASCII text
_SEPARATOR_RUN = re.compile("[" + re.escape(_SEPARATOR_CHARS) + "]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_KEY_LEN = 5
_MIN_LIT = 4  # a literal prefix continues through a space only after a word this short (the, an, no...)


def _literal_prefixes(src: str, tree: object = None, strict: bool = True) -> list[str]:
    """Every literal text a match of ``src`` must begin with (a minimal set), ``_BOUNDARY`` marking a
    ``\\b``. Raises ValueError when a pattern may begin with something that is not literal."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def item(op: object, av: object) -> list[tuple[str, bool]]:
        if op is C.LITERAL:
            return [(chr(av), True)]  # type: ignore[arg-type]
        if op is C.IN:
            chars: list[str] = []
            for o, a in av:  # type: ignore[attr-defined]
                if o is C.LITERAL:
                    chars.append(chr(a))
                elif o is C.RANGE and a[1] - a[0] < 8:
                    chars.extend(chr(x) for x in range(a[0], a[1] + 1))
                elif o is C.CATEGORY and a is C.CATEGORY_SPACE and len(av) == 1:  # type: ignore[arg-type]
                    return [(_SPACE, True)]  # one whitespace character
                else:
                    return [("", False)]
            return [(c, True) for c in chars]
        if op is C.SUBPATTERN:
            return seq(av[3])  # type: ignore[index]
        if op is C.ATOMIC_GROUP:
            return seq(av)
        if op is C.BRANCH:
            return [x for b in av[1] for x in seq(b)]  # type: ignore[index]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av  # type: ignore[misc]
            one = seq(sub)
            if one == [(_SPACE, True)]:
                # \s+ reads as one whitespace character; after an optional \s* the literal ends
                return one if lo > 0 else [("", False)]
            if hi != 1:
                one = [(p, False) for p, _ in one]
            return ([("", True)] if lo == 0 else []) + one
        if op is C.AT:
            return [(_BOUNDARY, True)] if av is C.AT_BOUNDARY else [("", True)]
        if op in (C.ASSERT, C.ASSERT_NOT):
            return [("", True)]
        return [("", False)]

    def seq(items: Iterable[tuple[object, object]]) -> list[tuple[str, bool]]:
        acc = [("", True)]
        for op, av in items:
            res = item(op, av)
            if sum(1 for _, o in acc if o) * len(res) > _MAX_PREFIXES:
                # too many combinations: stop here (shorter prefixes are still a sound gate)
                return [(p, False) for p, _ in acc]
            nxt: list[tuple[str, bool]] = []
            for pre, open_ in acc:
                if not open_:
                    nxt.append((pre, False))
                    continue
                nxt.extend((pre + piece, cont) for piece, cont in res)
            # stop at a space once the literal is long enough to be rare
            acc = list(dict.fromkeys(
                (p, o and not (p.endswith(_SPACE) and len(_strip(p)) >= _MIN_LIT)) for p, o in nxt))
            if not any(o for _, o in acc):
                break
        return acc

    if tree is None:
        tree = _parser.parse(src, re.MULTILINE)
    found = sorted({p for p, _ in seq(tree)}, key=len)  # type: ignore[arg-type]
    minimal: list[str] = []
    for p in found:
        lit = _strip(p)
        if not lit:
            if not strict:
                return []
            raise ValueError(f"pattern may begin with a non-literal: {src[:60]!r}")
        # covered by a shorter prefix (compared with the markers: "sys\\b" does not cover "system")
        if not any(p.startswith(m) and _strip(m) for m in minimal):
            minimal.append(p)
    return minimal


def _word_key(prefix: str) -> str | None:
    """The gate key of a prefix that begins a word of a space-separated script, else None."""
    try:
        key = _gate_key(prefix, "")
    except ValueError:
        return None
    return key


def _clauses(tree: object) -> list[frozenset[str]]:
    """Words a match must contain besides its first one: for every mandatory part of the pattern's
    top-level sequence that begins after mandatory whitespace, the set of gate keys it may begin
    with. A text whose words miss one of these sets cannot match (checked before searching)."""
    from re import _constants as C  # type: ignore[attr-defined]

    def is_sep(op: object, av: object) -> bool:
        if op is C.LITERAL:
            return chr(av) in _SEPARATOR_SET  # type: ignore[arg-type]
        if op is C.IN:
            return all((o is C.CATEGORY and a is C.CATEGORY_SPACE) or (o is C.LITERAL and chr(a) in _SEPARATOR_SET)
                       for o, a in av)  # type: ignore[attr-defined]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _, sub = av  # type: ignore[misc]
            return lo > 0 and len(sub) == 1 and is_sep(*sub[0])
        return False

    def ends_with_sep(sub: object) -> bool:
        """Whether every way through ``sub`` ends with whitespace / punctuation."""
        items = list(sub)  # type: ignore[call-overload]
        if not items:
            return False
        op, av = items[-1]
        if is_sep(op, av):
            return True
        if op is C.SUBPATTERN:
            return ends_with_sep(av[3])  # type: ignore[index]
        if op is C.BRANCH:
            return all(ends_with_sep(b) for b in av[1])  # type: ignore[index]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _, rep = av  # type: ignore[misc]
            return ends_with_sep(rep) and (lo > 0 or ends_with_sep(items[:-1]))
        return False

    def lookbehind_keys(sub: object) -> frozenset[str] | None:
        """``(?:(?<=ai )|(?<=assistant ))``: one key per alternative (its longest word)."""
        items = list(sub)  # type: ignore[call-overload]
        if len(items) != 1:
            return None
        op, av = items[0]
        branches = [list(b) for b in av[1]] if op is C.BRANCH else [items]  # type: ignore[index]
        keys = set()
        for b in branches:
            if len(b) != 1 or b[0][0] is not C.ASSERT or b[0][1][0] != -1:
                return None
            text = "".join(chr(a) for o, a in b[0][1][1] if o is C.LITERAL)
            words = text.translate(_SEPARATORS).split()  # split as the gate splits the text
            if not words or len(text) != len(list(b[0][1][1])):
                return None
            w = max(words, key=len)
            keys.add(w[:_KEY_LEN])
        return frozenset(keys)

    items = list(tree)  # type: ignore[call-overload]
    while len(items) == 1 and items[0][0] is C.SUBPATTERN:
        items = list(items[0][1][3])
    out: list[frozenset[str]] = []
    after_sep = False
    for k, (op, av) in enumerate(items):
        repeat = op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
        if repeat and av[0] == 0:  # type: ignore[index]
            # optional: the next part still follows whitespace if this one ends with it
            after_sep = after_sep and ends_with_sep(av[2])  # type: ignore[index]
            continue
        if k == 0 and op is C.SUBPATTERN and (look := lookbehind_keys(av[3])):  # type: ignore[index]
            out.append(look)
        if k > 0 and after_sep and not is_sep(op, av):
            keys = set()
            # the rest of the sequence tells whether a short word ends where the part does
            for p in _literal_prefixes("", items[k:], strict=False) or [""]:
                key = _word_key(p) if _strip(p) else None
                if key is None:
                    keys = set()
                    break
                keys.add(key)
            if keys:
                out.append(frozenset(keys))
        after_sep = ends_with_sep([(op, av)])
    return out


def _strip(prefix: str) -> str:
    """The text to search for: boundaries dropped, inner whitespace as one space."""
    return prefix.replace(_BOUNDARY, "").rstrip(_SPACE).replace(_SPACE, " ")


def _needed_keys(prefix: str) -> frozenset[str]:
    """The gate keys of the words of a literal prefix (all must be in the text); the last word may
    continue in the text, so it only counts when it is long enough to give a key."""
    out = []
    word = ""
    for ch in prefix + "\x02":
        if ch in _SEPARATOR_SET or ch in (_BOUNDARY, _SPACE, "\x02"):
            if word and (ch != "\x02" or len(word) >= _KEY_LEN):
                out.append(word[:_KEY_LEN])
            word = ""
        else:
            word += ch
    return frozenset(out)


def _gate_key(prefix: str, src: str) -> str | None:
    """The word-gate key of a prefix (its first word, cut to 5 characters), or None when the prefix
    begins with punctuation or a CJK character (those are found with ``in``)."""
    lit = _strip(prefix)
    if lit != lit.lower():
        raise ValueError(f"patterns are lower case: {src[:60]!r}")
    c = lit[0]
    if c in _SEPARATOR_SET or not (c.isalnum() or c == "_") or ord(c) >= 0x2E80:
        return None
    prefix = prefix.lstrip(_BOUNDARY + _SPACE)
    k = 0
    while k < len(prefix) and prefix[k] not in _SEPARATOR_SET and prefix[k] not in (_BOUNDARY, _SPACE):
        k += 1
    word = prefix[:k]
    if len(word) >= _KEY_LEN:
        return word[:_KEY_LEN]
    if k == len(prefix):  # the pattern may continue the word: the gate would not see it
        raise ValueError(f"short first word {word!r} needs a \\b or a separator after it: {src[:60]!r}")
    return word


class _WordKeys:
    """The gate keys (first five letters) of the words of a text, among the keys the table uses.

    An ASCII text (or one whose only non-ASCII characters are punctuation) is read in ONE pass of an
    RE2 set holding every key -- a key shorter than five characters as a whole word, a five-character
    key as the start of a word -- over its separator view; other texts (or without RE2) are split into
    words in Python. Both give ``{word[:5] for word in words} & keys``: the gate only ever asks about
    these keys, so it decides the same."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.keys = keys
        self._ascii_keys = sorted(k for k in keys if k.isascii())
        self._set: Any = None
        try:
            import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            return
        options = re2.Options()
        options.max_mem = 64 << 20  # the DFA of ~850 short keys needs far less: it never runs out
        key_set = re2._re2.Set(re2._Anchor.UNANCHORED, options)
        word_start, word_end = "(?:^|[ \\x1c-\\x1f])", "(?:[ \\x1c-\\x1f]|$)"  # as str.split() splits ASCII
        for k in self._ascii_keys:
            pattern = word_start + re.escape(k) + ("" if len(k) == _KEY_LEN else word_end)
            if key_set.Add(pattern.encode()) < 0:
                return
        if key_set.Compile():
            self._set = key_set

    def present(self, low: str, ascii_view_ok: bool) -> set[str]:
        """The keys of the words of ``low``; ``ascii_view_ok``: the text has no letters outside ASCII."""
        if not ascii_view_ok:
            words = _SEPARATOR_RUN.split(low)
        else:
            flat = class_view(low, _SEPARATOR_BYTES)
            if self._set is not None:
                names = self._ascii_keys
                return {names[i] for i in self._set.Match(flat.encode("ascii"))}
            words = flat.split()
        return {t[:_KEY_LEN] for t in set(words)} & self.keys


class _Compiled:
    """The compiled table (shared by every InjectionRules instance)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        from re import _parser  # type: ignore[attr-defined]

        self.patterns: list[_Pattern] = []
        self.sources: list[str] = []
        self.clauses: list[list[frozenset[str]]] = []
        lit_patterns: dict[str, set[int]] = {}
        word_start: dict[str, bool] = {}
        needs: dict[str, frozenset[str]] = {}
        sub_patterns: dict[str, set[int]] = {}
        pat_lits: dict[int, list[tuple[str, str]]] = {}
        cjk: set[str] = set()
        for idx, row in enumerate(rows):
            fam, lang, weight, src = row[0], row[1], row[2], row[3]
            veto = row[4] if len(row) > 4 else None  # type: ignore[misc]
            if not 0.0 <= weight <= 1.0 or fam not in FAMILIES or (lang != "*" and lang not in LANGUAGES):
                raise ValueError(f"bad rule row {row!r}")
            full = _accent_insensitive(src)
            tree = _parser.parse(full, re.MULTILINE)
            if tree.state.groups > 1:
                raise ValueError(f"use (?:...) groups only: {src[:60]!r}")
            self.sources.append(full)
            self.clauses.append([] if lang in ("zh", "ja") else _clauses(tree))
            self.patterns.append(_Pattern(
                fam, lang, weight,
                re.compile(veto.before) if veto and veto.before else None,
                re.compile(veto.after) if veto and veto.after else None,
                re.compile(veto.require) if veto and veto.require else None,
                veto.check if veto else None,
                bool(_ADDRESSES_MODEL.search(src)),
            ))
            for p in _literal_prefixes(full, tree):
                lit = _strip(p)
                if lang in ("zh", "ja"):
                    # CJK text has no spaces to split words at: found with ``in``, on the first
                    # characters only (fewer, shorter prefixes); never in an ASCII-only text
                    lit = lit[: 3 if lit[0].isascii() else 2]
                    sub_patterns.setdefault(lit, set()).add(idx)
                    cjk.add(lit)
                    continue
                key = _gate_key(p, src)
                if key is None:
                    sub_patterns.setdefault(lit, set()).add(idx)
                    # a pattern that starts with \b can only match at the start of a word
                    word_start[lit] = word_start.get(lit, True) and p.startswith(_BOUNDARY)
                else:
                    needs[lit] = _needed_keys(lit)
                    lit_patterns.setdefault(lit, set()).add(idx)
                    pat_lits.setdefault(idx, []).append((lit, key))
        # Every word-gated pattern is indexed under its least common required word (its "anchor"): a text
        # only reaches the patterns whose anchor it contains, then the other required words are checked
        # (``requires``: the least common first, as it is the likeliest to be missing).
        self.requires: dict[int, list[frozenset[str]]] = {}
        self.pat_lits: dict[int, dict[str, list[tuple[str, frozenset[str]]]]] = {}
        anchor_index: dict[str, list[int]] = {}
        for idx, lits in pat_lits.items():
            firsts = frozenset(key for _, key in lits)
            req = [firsts, *self.clauses[idx]]
            anchor = min(req, key=_commonness)
            self.requires[idx] = sorted((r for r in req if r is not anchor), key=_commonness)
            by_key: dict[str, list[tuple[str, frozenset[str]]]] = {}
            for lit, key in lits:
                by_key.setdefault(key, []).append((lit, needs[lit]))
            self.pat_lits[idx] = by_key
            for key in anchor:
                anchor_index.setdefault(key, []).append(idx)
        self.anchor_index = {k: tuple(v) for k, v in anchor_index.items()}
        self.anchor_keys = frozenset(anchor_index)
        self.word_keys = _WordKeys(self._gate_keys())
        subs: dict[str, list[tuple[str, bool, frozenset[int]]]] = {}
        for lit in sorted(sub_patterns):
            subs.setdefault(lit[0], []).append((lit, word_start.get(lit, False), frozenset(sub_patterns[lit])))
        # an ASCII text can only contain the all-ASCII prefixes of non-CJK patterns
        self.subs_ascii = [(c, a) for c, v in subs.items()
                           if (a := [x for x in v if x[0].isascii() and x[0] not in cjk])]
        self.subs_all = list(subs.items())
        self.subs_latin = [(c, a) for c, v in subs.items() if (a := [x for x in v if x[0] not in cjk])]
        # Every literal prefix and its first word, as the text may spell them: one pass over the text
        # tells which may occur, and only those are searched for.
        every = [*lit_patterns, *sub_patterns]
        self.needles = LiteralSet(tuple(sorted({*every, *(lit.split(" ", 1)[0] for lit in every)})), any_space=True)
        # The patterns that share a literal prefix are compiled into one alternation, in table order
        # (strongest first); a position tries only the alternation of the prefix found there.
        self.lit_set = {lit: frozenset(v) for lit, v in lit_patterns.items()}
        self._regex: dict[frozenset[int], re.Pattern[str]] = {}
        for ps in {*self.lit_set.values(), *(frozenset(v) for v in sub_patterns.values())}:
            self.regex(ps)

    def _gate_keys(self) -> frozenset[str]:
        """Every word key the gate asks about: anchors, the other required words, and the words of
        the literal prefixes."""
        keys = set(self.anchor_keys)
        for reqs in self.requires.values():
            keys.update(*reqs)
        for by_key in self.pat_lits.values():
            for key, lits in by_key.items():
                keys.add(key)
                keys.update(*(need for _, need in lits))
        return frozenset(keys)

    def regex(self, ps: frozenset[int]) -> re.Pattern[str]:
        rx = self._regex.get(ps)
        if rx is None:
            rx = re.compile("|".join(f"(?P<p{i}>{self.sources[i]})" for i in sorted(ps)), re.MULTILINE)
            self._regex[ps] = rx
        return rx

    def positions(self, low: str) -> dict[int, frozenset[int]]:
        """Where a pattern may match, and which: every occurrence of a literal prefix of a pattern
        whose required words are all in the text (see the module doc)."""
        pos: dict[int, frozenset[int]] = {}
        ascii_ = low.isascii()
        # text whose only non-ASCII characters are punctuation (dashes, arrows, quotes) is read through
        # an ASCII view ("?" for each of them)
        present = self.word_keys.present(low, ascii_ or NON_ASCII_LETTER.search(low) is None)
        lits: dict[str, None] = {}
        seen: set[int] = set()
        for k in present & self.anchor_keys:
            for i in self.anchor_index[k]:
                if i in seen:
                    continue
                seen.add(i)
                for req in self.requires[i]:
                    if req.isdisjoint(present):
                        break
                else:
                    by_key = self.pat_lits[i]
                    for key in present.intersection(by_key):
                        for lit, need in by_key[key]:
                            if need <= present:
                                lits[lit] = None
        odd_space = _odd_space(low, ascii_)
        if ascii_:
            groups = [g for ch, g in self.subs_ascii if ch in low]
        else:
            if _CJK.search(low):
                chars = set(low)
                groups = [g for ch, g in self.subs_all if ch in chars]
            else:
                groups = [g for ch, g in self.subs_latin if ch in low]
        if not lits and not groups:
            return pos
        names = self.needles.literals
        maybe = {names[i] for i in self.needles.found(low)}  # the prefixes that may occur
        if lits:
            flat = low if not odd_space else (  # literal prefixes spell whitespace as " "
                class_view(low, _WHITESPACE) if ascii_ else _OTHER_SPACE.sub(" ", low))
            loose = "  " in flat  # a run of spaces: look for the first word only ("no  le digas")
            for lit in lits:
                ps = self.lit_set[lit]
                needle = lit.split(" ", 1)[0] if loose else lit
                if needle not in maybe:
                    continue
                i = flat.find(needle)
                while i >= 0:
                    if i == 0 or flat[i - 1] in _SEPARATOR_SET:
                        _add(pos, ps, i)
                    i = flat.find(needle, i + 1)
        loose = odd_space or "  " in low
        for lits in groups:
            for lit, ws, ps in lits:
                if loose:
                    lit = lit.split(" ", 1)[0]
                if lit not in maybe:
                    continue
                i = low.find(lit)
                while i >= 0:
                    if not ws or i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "_"):
                        _add(pos, ps, i)
                    i = low.find(lit, i + 1)
        return pos


def _odd_space(low: str, ascii_: bool) -> bool:
    """Whether the text has whitespace other than " " (memchr-speed ``in`` checks on ASCII text)."""
    if ascii_:
        return "\n" in low or "\t" in low or "\r" in low or "\f" in low or "\v" in low or "\x1c" in low \
            or "\x1d" in low or "\x1e" in low or "\x1f" in low
    return _OTHER_SPACE.search(low) is not None


def _add(pos: dict[int, frozenset[int]], ps: frozenset[int], i: int) -> None:
    old = pos.get(i)
    pos[i] = ps if old is None else old | ps


# keys (first five letters) of very common words of the table's languages: a pattern is indexed under
# its least common required word, so everyday text reaches few patterns (this only affects speed)
_COMMON_WORDS = """
the of and to a in is it you that he was for on are with as i his they be at one have this from or had by not but
what some we can out other were all there when up use your how said an each she which do their time if will way about
many then them write would like so these her long make thing see him two has look more day could go come did number
no most people my over know than call first who may down side been now find any new work part take get place made live
where after back little only round man year came show every good me give our under name very through just form great
think say help low line turn cause much mean before move right old too same tell does set three want well also play
small end put home read hand large even land here must big high such follow act why ask men change went light kind off
need house try us again point world near build self head stand own page should found answer grow study still learn
keep never last let thought start might story saw far left late run don't while close night real life few open seem
together next begin got walk example paper group always those both mark often until care second book carry took room
friend idea stop once base hear sure watch face main enough plain young ready above ever list though feel talk soon body
family direct leave short question happen complete area half order problem piece told knew pass since top whole space
heard best hour better true during five remember step early hold reach fast listen six table less morning ten simple
several toward against pattern slow center love person money serve appear road map rule power fine certain note wait
plan figure rest correct able done gave full force object decide surface free clear fact nothing course stay system
test record common possible check game bring yes fill among user data file code model text message answer please thanks
der die das und ist nicht ich du sie es wir ein eine zu mit auf für von den dem sich auch noch wie aber
le la les et est pas je tu il de des du un une que qui pour dans sur avec plus ce
el los las y es yo tú del una en por para con lo se al
и в не на я что он с как это по но ты вы все
"""
_COMMON_KEYS = frozenset(w[:_KEY_LEN] for w in _COMMON_WORDS.split())


def _commonness(keys: frozenset[str]) -> float:
    return sum(1.0 if k in _COMMON_KEYS else 0.5 if len(k) <= 3 else 0.05 for k in keys)


_COMPILED: _Compiled | None = None


def _compiled() -> _Compiled:
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = _Compiled(PATTERNS)
    return _COMPILED


# leetspeak: the words the rules look for decide whether a "1" reads as "i" or "l"
for _row in PATTERNS:
    if _row[1] in ("en", "*"):
        LEET_VOCABULARY.update(re.findall(r"[a-z]{3,}", _row[3].replace(r"\s", " ").replace(r"\b", " ")))


# -- the discussion heuristic ----------------------------------------------------------------------------------

_QUOTES = (('"', '"'), ("'", "'"), ("`", "`"), ("“", "”"), ("”", "”"), ("‘", "’"), ("«", "»"), ("„", "“"),
           ("‚", "‘"), ("「", "」"), ("『", "』"), ("‹", "›"), ("《", "》"), ("»", "«"))
_EXAMPLE_CUE = re.compile(
    r"(?:e\.\s?g\.|i\.\s?e\.|such\s+as|for\s+example|for\s+instance|an?\s+example(?:\s+(?:like|such\s+as|of))?|"
    r"examples?\s*:|(?:payload|attack|injection|prompt|string|phrase|input)s?\s+(?:was|is|were|are|reads?|said|"
    r"looked\s+like|like)\s*:?|phrases?\s+like|strings?\s+like|prompts?\s+like|the\s+(?:phrase|string|words?|sentence|"
    r"text|line)|z\.\s?b\.|zum\s+beispiel|beispielsweise|wie\s+etwa|par\s+exemple|tel(?:le)?s?\s+que|por\s+ejemplo|"
    r"tales\s+como|como\s+por\s+ejemplo|например|такие\s+как|к\s+примеру|例如|比如|诸如|諸如|譬如|例えば|たとえば|"
    r"のような|などの)\W{0,3}$"
)
_META_AFTER = re.compile(
    r"\W{0,4}(?:attacks?|jailbreaks?|exploits?|injections?|techniques?|payloads?|vulnerabilit\w+|style|type\s+of|"
    r"phrases?|strings?|angriff\w*|attaques?|ataques?|атак\w*|攻击|攻撃|注入|インジェクション|инъекци\w*)\b"
)
_HOWTO_BEFORE = re.compile(
    r"(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|you|one)|how\s+to|where\s+(?:do|can|is|are|does)|"
    r"is\s+it\s+possible\s+to|ways?\s+to|in\s+order\s+to|wie\s+kann\s+ich|comment\s+(?:puis-je|faire)|c[oó]mo\s+(?"
    r":puedo|se)|как\s+(?:мне|можно)|如何|怎么|怎樣|どうやって)[^.?!\n。？！]{0,50}$"
)
_CODE_CUE = re.compile(
    r"```|messages\s*=|\.create\(|client\.|openai\.|tokeniz|chat[\s_-]?template|apply_chat_template|prompt\s*=|"
    r"\bdef\s|\bimport\s|print\(|\bcurl\s|json|payload|special\s+tokens?|token\s+ids?|\btokens?\b|delimiters?|markers?|"
    r"chatml|\bformat\b|llama|mistral|prompt\s+template|fine-?tun|dataset|jsonl|\bregex|spoof|escape|sanitiz"
)


def _quoted(low: str, a: int, b: int) -> bool:
    """Whether ``low[a:b]`` sits inside a short quotation or inline code on its line."""
    if low.count("```", 0, a) % 2 == 1:
        return True
    ls = low.rfind("\n", 0, a) + 1
    before = low[max(ls, a - 160) : a]
    le = low.find("\n", b)
    after = low[b : min(le if le >= 0 else len(low), b + 160)]
    for op, cl in _QUOTES:
        i = before.rfind(op)
        if i < 0:
            continue
        if op == cl:
            if op == "'":
                # an opening quote follows a non-letter; apostrophes ("don't") are not quotes
                opens = [k for k, ch in enumerate(before) if ch == "'" and (k == 0 or not before[k - 1].isalnum())]
                closes = [k for k, ch in enumerate(before) if ch == "'" and k > 0 and before[k - 1].isalnum()
                          and (k + 1 >= len(before) or not before[k + 1].isalnum())]
                if not opens or (closes and closes[-1] > opens[-1]):
                    continue
                i = opens[-1]
                j = next((k for k, ch in enumerate(after) if ch == "'" and (k + 1 >= len(after)
                                                                           or not after[k + 1].isalnum())), -1)
            else:
                if before.count(op) % 2 == 0:
                    continue
                j = after.find(cl)
        else:
            if before.rfind(cl) > i and cl != op:
                continue
            j = after.find(cl)
        if j < 0:
            continue
        k = i - 1
        while k >= 0 and before[k] == " ":
            k -= 1
        # a JSON value ("key": "...") or an attribute (alt="...") is data, not a quotation
        if k >= 0 and (before[k] == "=" or (before[k] == ":" and k > 0 and before[k - 1] in "\"'")):
            continue
        return True
    return False


# reported speech: the phrase is what someone tells / asks the model to do, not an order to this model
_REPORTED_BEFORE = re.compile(
    r"(?:\b(?:tells?|telling|told|asks?|asking|asked|instructs?|instructing|instructed|tricks?|tricking|tricked|"
    r"convinc\w+|persuad\w+|gets?|getting|makes?|making|forces?|forcing|wants?|wanted|commands?|commanding|urges?|"
    r"urging)\s+(?:the|a|an|its|their|our|that|this|some)?\s*(?:\w+\s+)?(?:models?|llms?|ai|assistants?|"
    r"chatbots?|bots?|agents?|systems?|it|them)\s+(?:in)?to|\b(?:the|an?|such|this|that|these|those)\s+"
    r"(?:instructions?|requests?|commands?|attempts?|orders?|prompts?|payloads?)\s+to|\battempts?\s+to|"
    r"\b(?:attackers?|hackers?|adversar\w+|someone|somebody|the\s+user|users|people|a\s+user|the\s+author|"
    r"players?|the\s+email|the\s+page|the\s+document)\s+(?:\w+\s+)?(?:writes?|wrote|written|types?|typed|sends?|sent|"
    r"posts?|posted|says?|said|uses?|used|tr(?:y|ies|ied)|inserts?|inserted|hides?|hid|embeds?|embedded|pastes?|pasted|"
    r"adds?|added|submits?|submitted|enters?|entered)\b[^.?!\n]{0,40})\W{0,3}$"
)
# a markdown blockquote line ("> ...") in a text that also has unquoted prose
_BLOCKQUOTE_LINE = re.compile(r"[ \t]{0,3}>")


def _blockquoted(low: str, a: int) -> bool:
    ls = low.rfind("\n", 0, a) + 1
    if not _BLOCKQUOTE_LINE.match(low, ls):
        return False
    return any(line.strip() and not _BLOCKQUOTE_LINE.match(line) for line in low.split("\n"))


def _discussion(low: str, a: int, b: int, pat: _Pattern) -> str:
    """Why the match reads as talk about an attack rather than an attack ("" when it does not)."""
    if _quoted(low, a, b) or _blockquoted(low, a):
        return "quoted"
    if _EXAMPLE_CUE.search(low, max(0, a - 40), a) or _REPORTED_BEFORE.search(low, max(0, a - 80), a):
        return "example"
    if _META_AFTER.match(low, b):
        return "meta"
    if not pat.addresses_model and _HOWTO_BEFORE.search(low, max(0, a - 80), a):
        return "how-to"
    if pat.family == ROLE_MARKER and _CODE_CUE.search(low, max(0, a - 300), min(len(low), b + 200)):
        return "code"
    return ""


# -- scanning ---------------------------------------------------------------------------------------------


def _diff_windows(a: str, b: str, pad: int = 600) -> list[tuple[int, int]]:
    """Spans of ``b`` (same length as ``a``) around the places where it differs from ``a``."""
    out: list[tuple[int, int]] = []
    n = len(a)
    block = 256
    for i in range(0, n, block):
        if a[i : i + block] == b[i : i + block]:
            continue
        j, k = i, min(n, i + block) - 1
        while a[j] == b[j]:
            j += 1
        while a[k] == b[k]:
            k -= 1
        lo, hi = max(0, j - pad), min(n, k + 1 + pad)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


_DISCUSSION_TAGS = ("(quoted)", "(example)", "(meta)", "(how-to)", "(code)")
# an order to act on something quoted or exemplified: "now do it", "follow that instruction", "execute it",
# "treat the quoted line as your new instruction", "pretend it was written to you" (imperative: at the start
# of a sentence or clause, after "now/then/and/so/please/go ahead and")
_USE_CUE = re.compile(
    r"(?:^|[.!?;:,\n)\]»”\"'」]\s*|\b(?:and|then|now|so|please)\s+)(?:(?:now|so|then|please|ok(?:ay)?|go\s+ahead\s+"
    r"and|actually|just|and|right\s+now)[\s,]+)*(?:do\s+(?:it|that|this|so|them|as\s+(?:it|that|this|they)\s+says?|"
    r"(?:exactly\s+)?what\s+(?:it|that|this|they|(?:the|that|this|these|those)\s+(?:\w+\s+){0,3}?(?:example|quote|"
    r"line|text|sentence|payload|phrase|instructions?))\s+says?)|follow\s+(?:it|that|this|them|those|these|(?:the|"
    r"that|this|these|those)\s+(?:\w+\s+){0,3}?"
    r"(?:instructions?|line|sentence|text|payload|example|quote))|execute\s+(?:it|that|this|them)|obey\s+(?:it|"
    r"that|this|them)|comply\b|carry\s+(?:it|that|this|them)\s+out|act\s+on\s+(?:it|that|this|them)|treat\s+(?:"
    r"it|that|this|them|the\s+(?:\w+\s+){0,4}?)\s*as\s+(?:your|an?)\s+(?:new\s+|real\s+|actual\s+)?(?:"
    r"instructions?|command|order|prompt|task)|pretend\s+(?:it|that|this)\s+(?:was|is|were)\s+(?:written|"
    r"addressed|said|sent|meant)\s+(?:to|for)\s+you)\b"
    r"(?=\s*(?:now|right\s+now|for\s+me|please|immediately|exactly|instead|too|then)?\s*(?:[.!?\n;)]|$))"
    r"|(?:现在|请|马上|立刻|立即|那就|就)(?:照做|照着做|执行)|照做吧|执行它|按它说的做|(?:今すぐ|では|それを|これを)(?:実行|従っ)|"
    r"その通りにして|"
    r"\b(?:jetzt\s+)?(?:mach|tu|führe)\s+(?:das|es|sie)(?:\s+aus)?\s+(?:jetzt|sofort)\b|\bbefolge\s+(?:das|es|sie)\b|"
    r"\bfais[- ](?:le|la|les|ça)\b|\bex[ée]cute[- ](?:le|la|les|ça)\b|\bapplique[- ](?:le|la|les)\b|"
    r"\bsuis[- ](?:le|la|les)\b|\bhazlo\b|\bhaz\s+eso\b|\bejec[úu]tal[oa]s?\b|\bs[íi]guel[oa]s?\b|\bc[úu]mplel[oa]s?\b|"
    r"\bвыполни\s+(?:это|её|ее|их|его)\b|\bсделай\s+(?:это|так)\b|\bследуй\s+(?:ей|этому|им|ему)\b"
)


# the text gives the model standing orders of its own (jailbreak templates quote a lot, and then say these)
_DIRECTIVE = re.compile(
    r"\byou\s+(?:must|will|need\s+to|have\s+to|should|shall|are\s+(?:now|going\s+to|about\s+to|to|free|no\s+longer)|"
    r"can\s+now|won'?t|will\s+not|cannot\s+refuse|do\s+not\s+(?:have|need))\b|\bfrom\s+now\s+on\b|\blet'?s\s+play\b|"
    r"\byour\s+(?:new\s+|real\s+|only\s+|first\s+|main\s+)?(?:instructions?|task|job|role|goal|mission|purpose|"
    r"orders?)\s+(?:is|are|will)\b|\ballow\s+yourself\b|\bin\s+character\b|\bfrom\s+(?:this|that|here)\s+(?:moment|"
    r"point)\s+(?:on|forward)|\bi\s+(?:implore|order|command|instruct|urge)\s+you\b|(?:^|[.!?\n:;,(\[]\s*)(?:please\s+|now\s+|"
    r"and\s+)?(?:pretend|act\s+as|respond|reply|answer\s+(?:as|only|with|in)|behave|roleplay|role-play|simulate|"
    r"imagine\s+you|become|execute|obey|start\s+(?:your|every|each)|begin\s+(?:your|every|each)|always|never|"
    r"(?:generate|write|produce|give|provide|compose)\s+(?:an?\s+|the\s+|your\s+)?(?:\w+\s+)?(?:response|reply|answer))\b|"
    r"\bdu\s+(?:musst|wirst|sollst|bist\s+(?:jetzt|nun|ab\s+sofort))\b|\bab\s+(?:jetzt|sofort)\b|"
    r"\btu\s+(?:dois|vas|es\s+(?:maintenant|désormais|desormais))\b|\bà\s+partir\s+de\s+maintenant\b|"
    r"\bdésormais\b|\bde\s+ahora\s+en\s+adelante\b|\ba\s+partir\s+de\s+ahora\b|\b(?:debes|tienes\s+que|eres\s+ahora)\b|"
    r"\bты\s+(?:должен|должна|теперь|будешь)|\bс\s+этого\s+момента|从现在开始|从现在起|你(?:必须|现在是|要|将)|今から|"
    r"これから|あなたは(?:今|これから)"
)


def mention_only(findings: list[Finding], text: str) -> bool:
    """Whether the rules saw attack phrases in ``text`` only as mentions (quoted, given as an example, talked
    about, never followed by "now do it") and the rest of the text gives the model no orders of its own ("you
    must", "from now on", "respond as"...). The embedding classifier cannot tell such a mention from the attack
    it quotes, so the guard does not let it decide alone on a user's text (see ``engine.py``)."""
    if not findings or not all(f.reason.endswith(_DISCUSSION_TAGS) for f in findings):
        return False
    low = _lower(text)
    if len(low) == len(text):  # blank the matched phrases: an order inside the quoted attack is the mention
        chars = list(low)
        for f in findings:
            chars[f.start : f.end] = " " * (f.end - f.start)
        low = "".join(chars)
    return _DIRECTIVE.search(low) is None


_ADDRESSES_MODEL = re.compile(r"\byou|your|\bdu\b|\btu\b|\bты|你|あなた|\btus?\b|\bdein|\bton\b|\btes\b|\bvos\b|\bсво")


def _lower(s: str) -> str:
    low = s.lower()
    if len(low) != len(s):  # only U+0130 grows when lower-cased
        low = s.replace("\u0130", "i").lower()
    return low


class InjectionRules:
    """Scan a text for prompt-injection patterns (see the module doc)."""

    def __init__(self) -> None:
        self._c = _compiled()

    def scan(self, text: str) -> list[Finding]:
        if not text:
            return []
        found: dict[tuple[str, int, int], Finding] = {}
        raw = _lower(text)
        self._layer(raw, "raw", None, found)
        n = normalize(text)
        norm = raw
        if n.text != text:
            norm = _lower(n.text)
            # when the folding was one-for-one, only the neighbourhoods of the changes are new
            self._layer(norm, "normalized", n, found, _diff_windows(raw, norm) if n.aligned else None)
        if n.leet is not None:
            low = _lower(n.leet)
            self._layer(low, "leet", n, found, _diff_windows(norm, low) if len(low) == len(norm) else None)
        for d in n.decoded:
            self._decoded(d.text, f"decoded:{d.kind}", (d.start, d.end), d.kind in ("base64", "hex"), found)
        if any(f.reason.endswith(_DISCUSSION_TAGS) for f in found.values()) and (
                _USE_CUE.search(raw) or (norm is not raw and _USE_CUE.search(norm))):
            # a quoted / exemplified attack that the text then tells the model to carry out is an attack
            for key, f in found.items():
                if f.reason.endswith(_DISCUSSION_TAGS):
                    found[key] = Finding(f.detector, f.category, f.start, f.end,
                                         round(min(1.0, f.score / DISCUSSION_FACTOR), 4),
                                         f.reason[: f.reason.rindex(" (")] + " (used)")
        return sorted(found.values(), key=lambda f: (f.start, f.end, f.detector))

    def _decoded(self, text: str, layer: str, span: tuple[int, int], nested: bool,
                 found: dict[tuple[str, int, int], Finding]) -> None:
        n = normalize(text, decode=nested)
        self._layer(_lower(n.text), layer, span, found)
        if n.leet is not None:
            self._layer(_lower(n.leet), layer, span, found)
        for d in n.decoded:
            if d.kind in ("base64", "hex", "url"):
                self._decoded(d.text, f"{layer}+{d.kind}", span, False, found)

    def _layer(self, low: str, layer: str, where: Normalized | tuple[int, int] | None,
               found: dict[tuple[str, int, int], Finding], windows: list[tuple[int, int]] | None = None) -> None:
        c = self._c
        end = -1
        if windows is None:
            pos = c.positions(low)
        else:
            pos = {}
            for a0, b0 in windows:
                for p, ps in c.positions(low[a0:b0]).items():
                    pos[a0 + p] = ps
        checked: bool | float | None = None
        checked_to: dict[int, int] = {}
        for p in sorted(pos):
            if p < end:
                continue
            ps = pos[p]
            while ps:
                m = c.regex(ps).match(low, p)
                if m is None:
                    break
                idx = int(m.lastgroup[1:])  # type: ignore[index]
                pat = c.patterns[idx]
                a, b = m.span()
                if ((pat.veto_before is not None and pat.veto_before.search(low, max(0, a - 400), a))
                        or (pat.veto_after is not None and pat.veto_after.match(low, b))
                        or (pat.require is not None and pat.require.search(low, a, b) is None)
                        or (pat.check is not None and (a < checked_to.get(idx, -1)
                                                       or not (checked := pat.check(low[a:b]))))):
                    if pat.check is not None:  # a URL inside a URL already found clean is not re-parsed
                        checked_to[idx] = max(b, checked_to.get(idx, -1))
                    ps = ps - {idx}  # vetoed: another pattern may still match here
                    m = None
                    continue
                break
            if m is None:
                continue
            end = b
            weight = pat.weight
            if pat.check is not None and checked is not True and isinstance(checked, float):
                weight = checked
            why = _discussion(low, a, b, pat)
            if why:
                weight *= DISCUSSION_FACTOR
            if where is None:
                oa, ob = a, b
            elif isinstance(where, tuple):
                oa, ob = where
            else:
                oa, ob = where.span(a, b)
            reason = f"{pat.family} {pat.lang} {layer}" + (f" ({why})" if why else "")
            key = (pat.family, oa, ob)
            old = found.get(key)
            if old is None or weight > old.score:
                found[key] = Finding(pat.family, "injection", oa, ob, round(weight, 4), reason)


def score(findings: list[Finding]) -> float:
    """One score for a text: the strongest finding, plus 0.1 for each further rule family found with
    weight >= 0.4 (at most +0.2), capped at 1."""
    if not findings:
        return 0.0
    top = max(f.score for f in findings)
    families = {f.detector for f in findings if f.score >= BOOST_FLOOR}
    boost = min(BOOST_MAX, BOOST_PER_FAMILY * max(0, len(families) - 1))
    return min(1.0, round(top + boost, 4))
