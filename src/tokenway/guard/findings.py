"""What a detector reports. Never the matched value itself: spans point into the scanned text,
and audit records keep only a hash of the value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Finding:
    detector: str  # stable id, e.g. "email", "card", "national_id.cn", "secret.openai", "injection.override"
    category: str  # "pii" | "secret" | "injection"
    start: int  # span in the scanned text (0, 0 when the finding is about the whole text)
    end: int
    score: float  # 1.0 for a validated match; a probability for the classifier
    reason: str  # which rule / layer, human-readable; never contains the value
