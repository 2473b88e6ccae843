"""The response cache: exact and semantic reuse of whole chat completions, in process memory.

* Entries are keyed by :class:`~tokenway.semantic.cache_key.CacheKey`: an exact hit needs the same
  ``exact`` digest; a semantic hit needs the same ``scope`` and a last user turn whose embedding is close
  enough **and** that passes the second-stage check (:mod:`tokenway.semantic.verify`: numbers, dates,
  names, negation, languages).
* Threshold: ``max(min_similarity, THRESHOLD_VERIFIED)`` with the check, ``max(min_similarity,
  THRESHOLD_UNVERIFIED)`` without. Both constants were fitted on the generated pair set's *fit* split
  (``scripts/eval_cache.py``) as the lowest cosine at which false hits stay at 0 with a 0.02 margin.
* Index, per scope: the first :data:`SMALL_MAX` vectors live in a contiguous float32 matrix (grown by
  doubling, searched exactly with a dot product in 1,024-row chunks); beyond that, new vectors go to an
  HNSW graph (hnswlib, inner product, M=16, ef=32), sized once for ``max_entries``. Measured with 100k
  entries in one scope (scripts/eval_cache.py, 2-core shared VM): a flat scan takes 13-16 ms (p50), the
  HNSW search about 0.1 ms on real embeddings (recall@1 0.996 against the exact scan at ef=32) and
  0.3-0.4 ms on random unit vectors (its worst case).
* Entries are plain tuples (see ``_Entry``) so that a full cache adds nothing to Python's gen-2 garbage
  collections (measured: 0.6 s pauses at 100k entries held as dataclasses with sets, under 0.07 s now).
* Entries expire after their ``ttl_s``; beyond ``max_entries`` the least recently used go first;
  answers larger than ``max_entry_bytes`` (orjson size) are not stored; only complete, non-empty answers
  (finish_reason stop, tool_calls or length, one choice) are stored. A re-put of the same exact key
  replaces the entry. Stored as orjson bytes: a hit returns a fresh dict the caller may change.

Synchronous and not thread-safe: it is meant for the event loop thread.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hnswlib  # the chroma-hnswlib wheel (hnswlib's API, built wheels)
import numpy as np
import orjson

from tokenway.semantic.cache_key import CacheKey
from tokenway.semantic.verify import Features, features, mismatch

DIM = 384
THRESHOLD_VERIFIED = 0.81  # fitted: scripts/eval_cache.py (fit split: closest near-miss passing verify 0.783 + 0.02)
THRESHOLD_UNVERIFIED = 0.99  # fitted likewise without verify (closest near-miss 0.97x + 0.02, capped at 0.99)
CACHEABLE_FINISH = frozenset({"stop", "tool_calls", "length"})
SMALL_MAX = 1024  # rows searched exactly per scope; the rest go to the HNSW graph
CHUNK = 1024  # rows per dot product: keeps OpenBLAS on one thread (its threads cost ms on a busy machine)
CANDIDATES = 8  # nearest neighbours checked (verify may reject the closest)
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
HNSW_EF = 32


@dataclass(slots=True)
class Hit:
    response: dict[str, Any]  # the canonical chat.completion stored (as the vendor answered)
    similarity: float  # 1.0 for exact
    kind: str  # "exact" | "semantic"
    model: str  # vendor model that produced it (to price the cost saved)
    age_s: float


# An entry is a plain tuple of bytes/str/float (and the verify features, also plain tuples): CPython's
# collector stops tracking such tuples, so a full cache adds nothing to the process's gen-2 collections.
# Measured with 100k entries held as dataclasses of sets: 0.6 s pauses on the event loop.
_Entry = tuple[int, bytes, bytes, str, bytes, str, float, float, "Features | None"]
_ID, _SCOPE, _EXACT, _TEXT, _BLOB, _MODEL, _CREATED, _EXPIRES, _FEATS = range(9)


class _Scope:
    """The vectors of one scope: a flat matrix for the first SMALL_MAX, an HNSW graph beyond."""

    __slots__ = ("capacity", "free", "graph", "graph_free", "graph_ids", "ids", "n", "rows", "vecs")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity  # the cache's max_entries: the graph is sized for it once (no resize stalls)
        self.vecs = np.zeros((8, DIM), dtype=np.float32)
        self.ids = np.full(8, -1, dtype=np.int64)
        self.n = 0  # rows used (high-water mark)
        self.free: list[int] = []
        self.rows: dict[int, int] = {}  # entry id -> row of the flat matrix
        self.graph: Any = None
        self.graph_ids: set[int] = set()  # entry ids in the graph (label = entry id)
        self.graph_free = 0  # deleted labels in the graph that an add may reuse

    def __len__(self) -> int:
        return len(self.rows) + len(self.graph_ids)

    def add(self, eid: int, vec: np.ndarray) -> None:
        if self.free:
            row = self.free.pop()
        elif self.n < SMALL_MAX:
            if self.n == len(self.vecs):
                cap = len(self.vecs) * 2
                vecs = np.zeros((cap, DIM), dtype=np.float32)
                vecs[: self.n] = self.vecs[: self.n]
                ids = np.full(cap, -1, dtype=np.int64)
                ids[: self.n] = self.ids[: self.n]
                self.vecs, self.ids = vecs, ids
            row = self.n
            self.n += 1
        else:
            self._graph_add(eid, vec)
            return
        self.vecs[row] = vec
        self.ids[row] = eid
        self.rows[eid] = row

    def _graph_add(self, eid: int, vec: np.ndarray) -> None:
        if self.graph is None:
            self.graph = hnswlib.Index(space="ip", dim=DIM)
            # sized once for the whole cache: hnswlib's resize copies the graph (measured 0.4 s at 64k
            # entries, on the event loop); malloc'd pages are only committed as they are used
            self.graph.init_index(max_elements=max(SMALL_MAX, self.capacity), ef_construction=HNSW_EF_CONSTRUCTION,
                                  M=HNSW_M, allow_replace_deleted=True)
            self.graph.set_ef(HNSW_EF)
            self.graph.set_num_threads(1)
        reuse = self.graph_free > 0
        if not reuse and self.graph.element_count >= self.graph.get_max_elements():
            self.graph.resize_index(self.graph.get_max_elements() * 2)
        self.graph.add_items(vec[None, :], np.array([eid]), replace_deleted=reuse)
        if reuse:
            self.graph_free -= 1
        self.graph_ids.add(eid)

    def remove(self, eid: int) -> None:
        row = self.rows.pop(eid, -1)
        if row >= 0:
            self.vecs[row] = 0.0  # cosine 0: below any threshold
            self.ids[row] = -1
            self.free.append(row)
        elif eid in self.graph_ids:
            self.graph_ids.discard(eid)
            self.graph.mark_deleted(eid)
            self.graph_free += 1

    def nearest(self, vec: np.ndarray, floor: float, k: int) -> list[tuple[float, int]]:
        """Up to ``k`` (similarity, entry id) with similarity >= floor, best first."""
        out: list[tuple[float, int]] = []
        for start in range(0, self.n, CHUNK):
            block = self.vecs[start : min(self.n, start + CHUNK)]
            sims = block @ vec
            idx = np.flatnonzero(sims >= floor)
            if idx.size > k:
                idx = idx[np.argpartition(-sims[idx], k - 1)[:k]]
            out.extend((float(sims[i]), int(self.ids[start + i])) for i in idx)
        if self.graph_ids:
            try:
                labels, dists = self.graph.knn_query(vec[None, :], k=min(k, len(self.graph_ids)))
            except RuntimeError:  # fewer than k reachable (many deleted): hnswlib refuses; ask for one
                labels, dists = self.graph.knn_query(vec[None, :], k=1)
            for label, dist in zip(labels[0], dists[0], strict=True):
                sim = 1.0 - float(dist)
                if sim >= floor:
                    out.append((sim, int(label)))
        out.sort(reverse=True)
        return out[:k]


class ResponseCache:
    def __init__(
        self,
        max_entries: int = 100_000,
        max_entry_bytes: int = 256 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max(1, max_entries)
        self.max_entry_bytes = max(1, max_entry_bytes)
        self._clock = clock
        self._lru: OrderedDict[bytes, _Entry] = OrderedDict()  # exact digest -> entry, oldest first
        self._by_id: dict[int, _Entry] = {}
        self._scopes: dict[bytes, _Scope] = {}
        self._next_id = 0
        self._c = dict.fromkeys(
            ("hits_exact", "misses_exact", "hits_semantic", "misses_semantic", "rejected_by_verify",
             "puts", "replaced", "not_cacheable", "too_large", "evictions", "expired"), 0)

    def __len__(self) -> int:
        return len(self._lru)

    # -- lookups -----------------------------------------------------------------------------------

    def get_exact(self, key: CacheKey) -> Hit | None:
        entry = self._lru.get(key.exact)
        now = self._clock()
        if entry is not None and entry[_EXPIRES] <= now:
            self._drop(entry)
            self._c["expired"] += 1
            entry = None
        if entry is None:
            self._c["misses_exact"] += 1
            return None
        self._lru.move_to_end(key.exact)
        self._c["hits_exact"] += 1
        return Hit(orjson.loads(entry[_BLOB]), 1.0, "exact", entry[_MODEL], now - entry[_CREATED])

    def searchable(self, key: CacheKey) -> bool:
        """Whether the key's scope holds any embedded entry (else a semantic lookup cannot hit:
        the caller may skip embedding the question)."""
        scope = self._scopes.get(key.scope)
        return scope is not None and len(scope) > 0

    def get_semantic(self, key: CacheKey, vec: np.ndarray, min_similarity: float, verify: bool = True) -> Hit | None:
        """The closest compatible entry of the key's scope whose similarity clears the threshold."""
        scope = self._scopes.get(key.scope)
        if scope is None or len(scope) == 0:
            self._c["misses_semantic"] += 1
            return None
        threshold = max(min_similarity, THRESHOLD_VERIFIED if verify else THRESHOLD_UNVERIFIED)
        now = self._clock()
        feats: Features | None = None
        q = np.asarray(vec, dtype=np.float32).reshape(DIM)
        for sim, eid in scope.nearest(q, threshold, CANDIDATES):
            entry = self._by_id.get(eid)
            if entry is None:
                continue
            if entry[_EXPIRES] <= now:
                self._drop(entry)
                self._c["expired"] += 1
                continue
            if verify:
                if feats is None:
                    feats = features(key.text)
                if entry[_FEATS] is None or mismatch(feats, entry[_FEATS]) is not None:
                    self._c["rejected_by_verify"] += 1
                    continue
            self._lru.move_to_end(entry[_EXACT])
            self._c["hits_semantic"] += 1
            return Hit(orjson.loads(entry[_BLOB]), min(1.0, sim), "semantic", entry[_MODEL], now - entry[_CREATED])
        self._c["misses_semantic"] += 1
        return None

    # -- storing -----------------------------------------------------------------------------------

    def put(self, key: CacheKey, vec: np.ndarray | None, response: dict[str, Any], model: str, ttl_s: float) -> bool:
        """Store an answer; False when it is not worth caching (incomplete, empty, too large, ttl <= 0)."""
        if ttl_s <= 0 or not cacheable(response):
            self._c["not_cacheable"] += 1
            return False
        blob = orjson.dumps(response)
        if len(blob) > self.max_entry_bytes:
            self._c["too_large"] += 1
            return False
        old = self._lru.get(key.exact)
        if old is not None:
            self._drop(old)
            self._c["replaced"] += 1
        now = self._clock()
        eid = self._next_id
        self._next_id += 1
        feats = features(key.text) if vec is not None else None
        entry: _Entry = (eid, key.scope, key.exact, key.text, blob, str(model), now, now + ttl_s, feats)
        if vec is not None:
            scope = self._scopes.get(key.scope)
            if scope is None:
                scope = self._scopes[key.scope] = _Scope(self.max_entries)
            scope.add(eid, np.asarray(vec, dtype=np.float32).reshape(DIM))
        self._lru[key.exact] = entry
        self._by_id[eid] = entry
        self._c["puts"] += 1
        self._sweep(now)
        return True

    def attach(self, key: CacheKey, vec: np.ndarray) -> bool:
        """Give a kept entry (put without a vector) its embedding, so that it can hit semantically
        too. False when the entry is gone, replaced by another answer, or already has one."""
        entry = self._lru.get(key.exact)
        if entry is None or entry[_FEATS] is not None or entry[_TEXT] != key.text or entry[_SCOPE] != key.scope:
            return False
        entry = (*entry[:_FEATS], features(key.text))
        self._lru[key.exact] = entry  # same place in the LRU order
        self._by_id[entry[_ID]] = entry
        scope = self._scopes.get(key.scope)
        if scope is None:
            scope = self._scopes[key.scope] = _Scope(self.max_entries)
        scope.add(entry[_ID], np.asarray(vec, dtype=np.float32).reshape(DIM))
        return True

    def _sweep(self, now: float) -> None:
        while len(self._lru) > self.max_entries:
            self._drop(next(iter(self._lru.values())))
            self._c["evictions"] += 1
        for _ in range(2):  # opportunistic: the oldest entries are the likeliest to have expired
            entry = next(iter(self._lru.values()), None)
            if entry is None or entry[_EXPIRES] > now:
                break
            self._drop(entry)
            self._c["expired"] += 1

    def _drop(self, entry: _Entry) -> None:
        self._lru.pop(entry[_EXACT], None)
        self._by_id.pop(entry[_ID], None)
        scope = self._scopes.get(entry[_SCOPE])
        if scope is not None:
            scope.remove(entry[_ID])
            if len(scope) == 0:
                del self._scopes[entry[_SCOPE]]

    def stats(self) -> dict[str, int]:
        """Counters; ``misses`` counts get_semantic misses (the last stage), ``misses_exact`` get_exact's."""
        return {"entries": len(self._lru), "scopes": len(self._scopes),
                "misses": self._c["misses_semantic"], **self._c}


def cacheable(response: Any) -> bool:
    """A complete, non-empty answer with one choice: finish_reason stop, tool_calls or length."""
    if not isinstance(response, dict):
        return False
    choices = response.get("choices")
    if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], dict):
        return False
    choice = choices[0]
    if choice.get("finish_reason") not in CACHEABLE_FINISH:
        return False
    message = choice.get("message")
    if not isinstance(message, dict):
        return False
    content = message.get("content")
    has_text = (isinstance(content, str) and content.strip() != "") or (isinstance(content, list) and bool(content))
    return has_text or bool(message.get("tool_calls"))
