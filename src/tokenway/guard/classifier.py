"""Local prompt-injection classifier: a small trained head on the shared sentence embeddings.

``score(text)`` is the probability that ``text`` is a prompt injection / jailbreak. Long texts
are cut into overlapping windows of ~256 tokens (the first 4 and the last 2 are scored) and the
highest window probability is returned. The head (``data/guard/injection_head.npz``) is made by
``scripts/train_guard.py``; see ``data/guard/DATA_CARD.md`` and ``metrics.json``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tokenway.embed.model import DEFAULT_MAX_TOKENS, MODEL_ID, split_windows
from tokenway.embed.service import EmbeddingService
from tokenway.guard.findings import Finding

FEATURE_VERSION = "minilm-int8-mean-l2-256/v1"
DETECTOR_ID = "injection.classifier"
HEAD_WINDOWS = 4
TAIL_WINDOWS = 2
WINDOW_OVERLAP = 32
_INLINE_SPLIT_CHARS = 4_000  # longer texts are tokenised for windowing off the event loop


def default_head_path() -> Path:
    return Path(str(resources.files("tokenway").joinpath("data/guard/injection_head.npz")))


@dataclass(frozen=True, slots=True)
class Head:
    """Logistic regression (``w``, ``b``) or a one-hidden-layer MLP (``w1``, ``b1``, ``w2``, ``b2``)."""

    kind: str
    params: dict[str, np.ndarray]
    threshold: float
    model_id: str
    feature_version: str
    max_tokens: int

    @classmethod
    def load(cls, path: str | Path) -> Head:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        kind = str(data.pop("kind"))
        meta = {k: data.pop(k) for k in ("threshold", "model_id", "feature_version", "max_tokens")}
        params = {k: np.asarray(v, dtype=np.float32) for k, v in data.items() if not k.startswith("meta_")}
        need = {"logreg": ("w", "b"), "mlp": ("w1", "b1", "w2", "b2")}.get(kind)
        if need is None or any(k not in params for k in need):
            raise ValueError(f"{path}: unsupported head kind {kind!r} or missing parameters")
        return cls(
            kind=kind,
            params=params,
            threshold=float(meta["threshold"]),
            model_id=str(meta["model_id"]),
            feature_version=str(meta["feature_version"]),
            max_tokens=int(meta["max_tokens"]),
        )

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        p = self.params
        if self.kind == "logreg":
            return x @ p["w"].reshape(-1) + p["b"].reshape(())
        h = np.maximum(x @ p["w1"] + p["b1"], 0.0)
        return h @ p["w2"].reshape(-1) + p["b2"].reshape(())

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = np.clip(self.logits(x).astype(np.float64), -60.0, 60.0)
        return 1.0 / (1.0 + np.exp(-z))


class InjectionClassifier:
    def __init__(self, head_path: str | Path | None = None, service: EmbeddingService | None = None) -> None:
        self.head = Head.load(head_path or default_head_path())
        self._service = service or EmbeddingService()
        if self.head.model_id != self._service.model_id:
            raise ValueError(
                f"head was trained on {self.head.model_id!r} embeddings, the service gives {self._service.model_id!r}"
            )
        if self.head.feature_version != FEATURE_VERSION:
            raise ValueError(f"head feature version {self.head.feature_version!r}, expected {FEATURE_VERSION!r}")
        self.threshold: float = self.head.threshold
        self.max_tokens = self.head.max_tokens or DEFAULT_MAX_TOKENS
        self.model_id = MODEL_ID

    @property
    def service(self) -> EmbeddingService:
        return self._service

    def windows(self, text: str) -> list[str]:
        return split_windows(
            text, max_tokens=self.max_tokens, overlap=WINDOW_OVERLAP, head=HEAD_WINDOWS, tail=TAIL_WINDOWS
        )

    async def _windows(self, text: str) -> list[str]:
        if len(text) <= _INLINE_SPLIT_CHARS:
            return self.windows(text)
        return await asyncio.to_thread(self.windows, text)

    async def score(self, text: str) -> float:
        """Probability in [0, 1] that ``text`` is an injection (max over its windows)."""
        if not text or not text.strip():
            return 0.0
        wins = await self._windows(text)
        vecs = await self._service.embed_many(wins)
        return float(self.head.proba(vecs).max())

    async def score_many(self, texts: list[str]) -> list[float]:
        return list(await asyncio.gather(*(self.score(t) for t in texts)))

    async def is_injection(self, text: str) -> bool:
        return await self.score(text) >= self.threshold

    async def scan(self, text: str) -> list[Finding]:
        """A :class:`Finding` over the whole text when the score reaches the threshold, else ``[]``."""
        s = await self.score(text)
        if s < self.threshold:
            return []
        return [
            Finding(
                detector=DETECTOR_ID,
                category="injection",
                start=0,
                end=0,
                score=s,
                reason=f"local classifier (MiniLM embeddings + head) p={s:.3f} >= {self.threshold:.3f}",
            )
        ]

    def info(self) -> dict[str, Any]:
        return {
            "kind": self.head.kind,
            "threshold": self.threshold,
            "model_id": self.head.model_id,
            "feature_version": self.head.feature_version,
            "max_tokens": self.max_tokens,
        }
