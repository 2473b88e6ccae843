"""Local prompt-injection classifier: a cascade of a lexical model and a small head on the shared
sentence embeddings.

``score(text)`` is the probability that ``text`` is a prompt injection / jailbreak:

1. **lexical model** (cheap, in-process): logistic regression on hashed word uni/bigrams and byte
   3-5-grams of the NFKC-lower-cased text (first 2,000 + last 1,000 characters);
2. **gate** (two-sided): a text whose lexical logit is below the head's ``gate`` or at least its
   ``gate_hi`` is scored by the lexical model alone and never reaches the embedder: the lexical model
   is confident either way. Both edges are set on validation so that each side changes at most a fixed
   small share of the validation decisions of its class (see ``metrics.json``);
3. **embedding head**: an MLP head over the embedding of the text's first window of ~256 tokens
   (``HEAD_WINDOWS`` / ``TAIL_WINDOWS``: more windows would cost ~90 ms each on a small CPU for the
   few texts that reach the embedder; the highest window logit is taken), embedded by the shared
   :class:`EmbeddingService`, micro-batched and cached;
4. **blend**: ``sigmoid(w_emb * head_logit + w_lex * lexical_logit + bias)``, weights fitted on a
   validation split of the training side.

Final scores are cached by content hash, so a conversation's earlier turns (re-sent with every call)
are scored once. The head file (``data/guard/injection_head.npz``) is made by
``scripts/train_guard.py``; see ``data/guard/DATA_CARD.md`` and ``metrics.json``.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import numpy as np

from tokenway.embed.model import DEFAULT_MAX_TOKENS, MODEL_ID, split_windows
from tokenway.embed.service import EmbeddingService, text_key
from tokenway.guard.findings import Finding

FEATURE_VERSION = "minilm-int8-mean-l2-256/v1"
LEX_VERSION = "hash18-word12-byte345-nfkc-lower/v1"
LEX_BITS = 18
DETECTOR_ID = "injection.classifier"
HEAD_WINDOWS = 1  # the embedder sees the first 256-token window of a long text (the lexical model reads more)
TAIL_WINDOWS = 0
WINDOW_OVERLAP = 32
LEX_HEAD_CHARS = 2_000
LEX_TAIL_CHARS = 1_000
_INLINE_SPLIT_CHARS = 4_000  # longer texts are tokenised for windowing off the event loop
_INLINE_LEX_CHARS = 2_000  # longer texts get their lexical features off the event loop
SCORE_CACHE_SIZE = 20_000


def default_head_path() -> Path:
    return Path(str(resources.files("tokenway").joinpath("data/guard/injection_head.npz")))


# -- lexical features ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+|[^\w\s]")
_MASK = np.uint64((1 << LEX_BITS) - 1)
_P = np.uint64(0x100000001B3)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_SALT = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = (h ^ (np.uint64(salt) * _SALT)) * _M1
        x ^= x >> np.uint64(31)
        x *= _M2
        x ^= x >> np.uint64(29)
    return x


def lexical_text(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    if len(t) > LEX_HEAD_CHARS + LEX_TAIL_CHARS:
        t = t[:LEX_HEAD_CHARS] + " " + t[-LEX_TAIL_CHARS:]
    return t


def lexical_features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Hashed features of ``text``: sorted bucket indices (int64) and L2-normalised ``1 + log(count)``.

    Word unigrams and bigrams (``\\w+`` runs and single punctuation marks, CRC32) and byte 3-, 4- and
    5-grams of the whitespace-collapsed UTF-8 text (a vectorised polynomial hash), all mixed into
    ``2**LEX_BITS`` buckets. Deterministic across processes and platforms."""
    t = lexical_text(text)
    toks = [w.encode("utf-8", "surrogatepass") for w in _WORD.findall(t)]
    b = (" " + " ".join(t.split()) + " ").encode("utf-8", "surrogatepass")
    wh = list(map(zlib.crc32, toks, repeat(1)))
    wh += map(zlib.crc32, [x + b" " + y for x, y in pairwise(toks)], repeat(2))
    parts = [_mix(np.array(wh, dtype=np.uint64), 1)]
    a = np.frombuffer(b, dtype=np.uint8).astype(np.uint64)
    h = a.copy()
    with np.errstate(over="ignore"):
        for n in range(2, 6):
            m = len(a) - n + 1
            if m <= 0:
                break
            h = h[:m] * _P + a[n - 1 :]
            if n >= 3:
                parts.append(_mix(h, n + 10))
    idx = np.concatenate(parts) & _MASK
    u, c = np.unique(idx, return_counts=True)
    v = 1.0 + np.log(c.astype(np.float32))
    v /= np.linalg.norm(v) + 1e-12
    return u.astype(np.int64), v.astype(np.float32)


@dataclass(frozen=True, slots=True)
class Lexical:
    """Logistic regression over :func:`lexical_features` (``w``: ``2**LEX_BITS`` weights, ``b``)."""

    w: np.ndarray
    b: float

    def logit(self, text: str) -> float:
        idx, val = lexical_features(text)
        return float(np.dot(self.w[idx], val)) + self.b


# -- head ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Head:
    """Embedding head: logistic regression (``w``, ``b``) or a one-hidden-layer MLP (``w1``, ``b1``,
    ``w2``, ``b2``); optionally a :class:`Lexical` model, ``blend`` = (w_emb, w_lex, bias), ``gate`` and
    ``gate_hi`` (the embedding head is skipped when the lexical logit is below ``gate`` or at least ``gate_hi``;
    ``-inf`` / ``inf``: never)."""

    kind: str
    params: dict[str, np.ndarray]
    threshold: float
    model_id: str
    feature_version: str
    max_tokens: int
    lexical: Lexical | None = None
    blend: tuple[float, float, float] = (1.0, 0.0, 0.0)
    gate: float = float("-inf")
    lex_version: str = ""
    gate_hi: float = float("inf")

    @classmethod
    def load(cls, path: str | Path) -> Head:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        kind = str(data.pop("kind"))
        meta = {k: data.pop(k) for k in ("threshold", "model_id", "feature_version", "max_tokens")}
        lex_w, lex_b = data.pop("lex_w", None), data.pop("lex_b", None)
        blend, gate, gate_hi = data.pop("blend", None), data.pop("gate", None), data.pop("gate_hi", None)
        lex_version = str(data.pop("lex_version", ""))
        params = {k: np.asarray(v, dtype=np.float32) for k, v in data.items() if not k.startswith("meta_")}
        need = {"logreg": ("w", "b"), "mlp": ("w1", "b1", "w2", "b2")}.get(kind)
        if need is None or any(k not in params for k in need):
            raise ValueError(f"{path}: unsupported head kind {kind!r} or missing parameters")
        lexical = None
        if lex_w is not None:
            if lex_version != LEX_VERSION or lex_w.shape != (1 << LEX_BITS,) or lex_b is None or blend is None:
                raise ValueError(f"{path}: lexical model {lex_version!r} is not {LEX_VERSION!r}")
            lexical = Lexical(np.asarray(lex_w, dtype=np.float32), float(np.asarray(lex_b).reshape(())))
        return cls(
            kind=kind,
            params=params,
            threshold=float(meta["threshold"]),
            model_id=str(meta["model_id"]),
            feature_version=str(meta["feature_version"]),
            max_tokens=int(meta["max_tokens"]),
            lexical=lexical,
            blend=tuple(float(x) for x in blend) if blend is not None else (1.0, 0.0, 0.0),  # type: ignore[arg-type]
            gate=float(gate) if gate is not None else float("-inf"),
            lex_version=lex_version,
            gate_hi=float(gate_hi) if gate_hi is not None else float("inf"),
        )

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Embedding-head logits of the rows of ``x``."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        p = self.params
        if self.kind == "logreg":
            return x @ p["w"].reshape(-1) + p["b"].reshape(())
        h = np.maximum(x @ p["w1"] + p["b1"], 0.0)
        return h @ p["w2"].reshape(-1) + p["b2"].reshape(())

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Embedding head alone (no lexical model, no blend)."""
        return _sigmoid(self.logits(x))

    def gated(self, lex_logit: float | None) -> bool:
        """True when the lexical logit alone decides (the embedder is skipped)."""
        return lex_logit is not None and (lex_logit < self.gate or lex_logit >= self.gate_hi)

    def combine(self, emb_logit: float | None, lex_logit: float | None) -> float:
        """The final probability from the max window logit (None: gated) and the lexical logit."""
        if lex_logit is None:
            return float(_sigmoid(np.array(emb_logit if emb_logit is not None else -60.0)))
        w_emb, w_lex, bias = self.blend
        z = w_lex * lex_logit + bias + (w_emb * emb_logit if emb_logit is not None else 0.0)
        return float(_sigmoid(np.array(z)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    z = np.clip(np.asarray(z, dtype=np.float64), -60.0, 60.0)
    return 1.0 / (1.0 + np.exp(-z))


# -- classifier ------------------------------------------------------------------------------------


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
        self._scores: OrderedDict[bytes, float] = OrderedDict()
        self._inflight: dict[bytes, asyncio.Future[float]] = {}
        self.stats = {"scored": 0, "cache_hits": 0, "gated": 0, "embedded_texts": 0}

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

    async def _lex_logit(self, text: str) -> float | None:
        lex = self.head.lexical
        if lex is None:
            return None
        if len(text) <= _INLINE_LEX_CHARS:
            return lex.logit(text)
        return await asyncio.to_thread(lex.logit, text)

    async def _score(self, text: str) -> float:
        self.stats["scored"] += 1
        lex_logit = await self._lex_logit(text)
        if self.head.gated(lex_logit):
            self.stats["gated"] += 1
            return self.head.combine(None, lex_logit)
        self.stats["embedded_texts"] += 1
        vecs = await self._service.embed_many(await self._windows(text))
        return self.head.combine(float(self.head.logits(vecs).max()), lex_logit)

    async def score(self, text: str) -> float:
        """Probability in [0, 1] that ``text`` is an injection (cached by content hash)."""
        if not text or not text.strip():
            return 0.0
        key = text_key(text)
        hit = self._scores.get(key)
        if hit is not None:
            self._scores.move_to_end(key)
            self.stats["cache_hits"] += 1
            return hit
        fut = self._inflight.get(key)
        if fut is not None:  # the same text is being scored right now: wait for that result
            self.stats["cache_hits"] += 1
            try:
                return await asyncio.shield(fut)
            except asyncio.CancelledError:
                if not fut.cancelled():
                    raise  # this caller was cancelled
                # the first caller was cancelled: score it here
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            s = await self._score(text)
        except asyncio.CancelledError:
            self._inflight.pop(key, None)
            fut.cancel()
            raise
        except BaseException as exc:
            self._inflight.pop(key, None)
            if not fut.done():
                fut.set_exception(exc)
                fut.exception()  # retrieved: nobody else may be waiting
            raise
        self._inflight.pop(key, None)
        fut.set_result(s)
        self._scores[key] = s
        if len(self._scores) > SCORE_CACHE_SIZE:
            self._scores.popitem(last=False)
        return s

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
                reason=f"local classifier (lexical + MiniLM embeddings head) p={s:.3f} >= {self.threshold:.3f}",
            )
        ]

    def info(self) -> dict[str, Any]:
        return {
            "kind": self.head.kind,
            "threshold": self.threshold,
            "model_id": self.head.model_id,
            "feature_version": self.head.feature_version,
            "max_tokens": self.max_tokens,
            "lexical": self.head.lex_version or None,
            "blend": list(self.head.blend),
            "gate": self.head.gate,
            "gate_hi": self.head.gate_hi,
            "stats": dict(self.stats),
        }
