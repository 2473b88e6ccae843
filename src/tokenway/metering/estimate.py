"""A conservative token estimate for when no exact tokenizer is at hand.

chars/4 is right for English but under-counts Chinese and Japanese by half or more. Here a CJK
ideograph counts two tokens (rare hanzi are several byte-level tokens in o200k and cl100k), kana,
hangul, CJK punctuation and full-width forms one each, other non-ASCII characters 1/2. It over-counts
common Chinese on purpose: this estimate reserves budget before the call, so erring high is safe.
"""

from __future__ import annotations

import math


def estimate_text(text: str) -> int:
    if text.isascii():
        return math.ceil(len(text) / 4)
    ideo = wide = other = ascii_ = 0
    for ch in text:
        o = ord(ch)
        if o < 128:
            ascii_ += 1
        elif 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF:
            ideo += 1
        elif 0x3000 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF or 0xFF00 <= o <= 0xFFEF or 0x1100 <= o <= 0x11FF:
            wide += 1
        else:
            other += 1
    return 2 * ideo + wide + math.ceil(other / 2) + math.ceil(ascii_ / 4)
