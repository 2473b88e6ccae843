"""The semantic router: a model group that picks another model group per request.

Order of decision (:meth:`SemanticRouter.decide`, synchronous, a few µs plus one small matrix
product; it never embeds):

1. **override** — ``x-tokenway-route: <route name>`` (or ``default``) when ``allow_override``;
   an unknown name is ignored (the pipeline may reject it first with :meth:`has_route`);
2. **rules** — the *pure rule* routes (``when`` and no utterances / description), in config
   order: the first whose conditions all hold wins (score 1.0);
3. **semantic** — among the other routes whose ``when`` (if any) holds, the best score: the max
   cosine between the request's embedding and the route's utterances / description, or, with
   ``preset: tier``, the tier head's probability for the routes named ``simple``, ``reasoning``,
   ``code``. The best route wins when its score is ``>= min_score`` (ties: config order);
4. **default** — otherwise the ``default`` group (route name ``"default"``).

The embedding is of the last user turn's text exactly as sent (the same string the cache and the
guard embed, so the service's LRU makes it one embedding per request). :meth:`needs_embedding`
says whether step 3 can be reached at all, so a request decided by an override or a rule costs
no embedding.

The tier head (``data/router/tier_head.npz``, made by ``scripts/train_router.py``; see
``data/router/DATA_CARD.md``) is a softmax classifier over [embedding(384), log1p(chars)/8,
has_code, four keyword / symbol signals] for the classes simple / reasoning / code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from tokenway.config.schema import RouterRoute, RouteRule
from tokenway.config.schema import SemanticRouter as SemanticRouterConfig
from tokenway.embed.model import DIM, MODEL_ID
from tokenway.embed.service import EmbeddingService
from tokenway.semantic.features import tier_signals

TIER_CLASSES = ("simple", "reasoning", "code")
TIER_FEATURE_VERSION = "minilm-int8-mean-l2-256+loglen8+code+signals4/v1"
DEFAULT_ROUTE = "default"


@dataclass(slots=True)
class RouteRequest:
    """What the router looks at: the last user turn's text and cheap features of the request."""

    text: str
    prompt_tokens: int
    has_tools: bool
    code: bool
    language: str


@dataclass(slots=True)
class Decision:
    """The route taken. ``reason``: override | rule | semantic | tier | default."""

    route: str
    group: str
    score: float
    reason: str


def default_tier_head_path() -> Path:
    return Path(str(resources.files("tokenway").joinpath("data/router/tier_head.npz")))


def tier_features(vec: np.ndarray, text: str, code: bool) -> np.ndarray:
    """The tier head's input: the embedding, ``log1p(len(text)) / 8``, ``has_code`` and the four
    :func:`~tokenway.semantic.features.tier_signals` (code words, reasoning words, math, digits)."""
    extra = np.array([math.log1p(len(text)) / 8.0, 1.0 if code else 0.0, *tier_signals(text)], dtype=np.float32)
    return np.concatenate([np.asarray(vec, dtype=np.float32).reshape(-1), extra])


@dataclass(frozen=True, slots=True)
class TierHead:
    """Softmax regression (``w [d, 3]``, ``b [3]``) or a one-hidden-layer MLP (``w1``, ``b1``, ``w2``, ``b2``)."""

    kind: str
    params: dict[str, np.ndarray]
    classes: tuple[str, ...]
    model_id: str
    feature_version: str

    @classmethod
    def load(cls, path: str | Path | None = None) -> TierHead:
        path = path or default_tier_head_path()
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        kind = str(data.pop("kind"))
        classes = tuple(str(c) for c in data.pop("classes"))
        model_id = str(data.pop("model_id"))
        feature_version = str(data.pop("feature_version"))
        params = {k: np.asarray(v, dtype=np.float32) for k, v in data.items() if not k.startswith("meta_")}
        need = {"softmax": ("w", "b"), "mlp": ("w1", "b1", "w2", "b2")}.get(kind)
        if need is None or any(k not in params for k in need):
            raise ValueError(f"{path}: unsupported tier head kind {kind!r} or missing parameters")
        if set(classes) != set(TIER_CLASSES):
            raise ValueError(f"{path}: tier head classes {classes}, expected {TIER_CLASSES}")
        if model_id != MODEL_ID or feature_version != TIER_FEATURE_VERSION:
            raise ValueError(
                f"{path}: tier head built for {model_id!r} / {feature_version!r}, "
                f"the gateway has {MODEL_ID!r} / {TIER_FEATURE_VERSION!r}"
            )
        return cls(kind=kind, params=params, classes=classes, model_id=model_id, feature_version=feature_version)

    def logits(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        if self.kind == "softmax":
            return x @ p["w"] + p["b"]
        return np.maximum(x @ p["w1"] + p["b1"], 0.0) @ p["w2"] + p["b2"]

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, ``[n, 3]`` (or ``[3]`` for one row), in the order of ``classes``."""
        z = self.logits(np.asarray(x, dtype=np.float32)).astype(np.float64)
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def rule_holds(rule: RouteRule, req: RouteRequest) -> bool:
    """All conditions given in ``rule`` hold for ``req``."""
    if rule.min_prompt_tokens is not None and req.prompt_tokens < rule.min_prompt_tokens:
        return False
    if rule.max_prompt_tokens is not None and req.prompt_tokens > rule.max_prompt_tokens:
        return False
    if rule.code is not None and req.code != rule.code:
        return False
    if rule.tools is not None and req.has_tools != rule.tools:
        return False
    return not (rule.languages is not None and req.language not in rule.languages)


@dataclass(slots=True)
class _Route:
    name: str
    group: str
    when: RouteRule | None
    pure_rule: bool
    tier_index: int | None = None  # column of the tier head (preset tier, routes named simple/reasoning/code)
    texts: list[str] = field(default_factory=list)  # utterances and description, embedded by prepare()
    matrix: np.ndarray | None = None  # [k, 384] unit vectors


class SemanticRouter:
    """One router model group (``models.<name>.router``), validated and ready to decide."""

    def __init__(self, name: str, cfg: SemanticRouterConfig, *, tier_head: TierHead | str | Path | None = None) -> None:
        self.name = name
        self.cfg = cfg
        self.default_group = cfg.default
        self.min_score = float(cfg.min_score)
        self.allow_override = cfg.allow_override
        self.head: TierHead | None = None
        if cfg.preset == "tier":
            self.head = tier_head if isinstance(tier_head, TierHead) else TierHead.load(tier_head)
        self._routes: list[_Route] = [self._route(r) for r in cfg.routes]
        self._by_name = {r.name: r for r in self._routes}
        self._rules = [r for r in self._routes if r.pure_rule]
        self._semantic = [r for r in self._routes if not r.pure_rule]
        self._prepared = not any(r.texts for r in self._semantic)
        self._check()

    def _route(self, r: RouterRoute) -> _Route:
        texts = [u for u in r.utterances if u.strip()]
        if r.description and r.description.strip():
            texts.append(r.description)
        tier_index = None
        if self.head is not None and r.name in TIER_CLASSES:
            if texts:
                raise ValueError(
                    f"router {self.name!r}: route {r.name!r} is scored by the tier preset; "
                    "give it no utterances or description (or rename it)"
                )
            tier_index = self.head.classes.index(r.name)
        pure = not texts and tier_index is None
        if pure and r.when is None:
            raise ValueError(
                f"router {self.name!r}: route {r.name!r} has no utterances, description or rule "
                f"(routes named {', '.join(TIER_CLASSES)} need preset: tier)"
            )
        if r.when is not None:
            lo, hi = r.when.min_prompt_tokens, r.when.max_prompt_tokens
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"router {self.name!r}: route {r.name!r} has min_prompt_tokens > max_prompt_tokens")
        return _Route(name=r.name, group=r.to, when=r.when, pure_rule=pure, tier_index=tier_index, texts=texts)

    def _check(self) -> None:
        names = [r.name for r in self._routes]
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            raise ValueError(f"router {self.name!r}: duplicate route names {dups}")
        if DEFAULT_ROUTE in names:
            raise ValueError(f"router {self.name!r}: the route name {DEFAULT_ROUTE!r} is reserved")
        if self.head is not None and not any(r.tier_index is not None for r in self._routes):
            raise ValueError(f"router {self.name!r}: preset tier needs a route named one of {TIER_CLASSES}")

    # -- set-up ----------------------------------------------------------------------------------

    @property
    def groups(self) -> list[str]:
        """Every model group this router may send to (the default included), for config checks."""
        return list(dict.fromkeys([*(r.group for r in self._routes), self.default_group]))

    @property
    def route_names(self) -> list[str]:
        return [r.name for r in self._routes]

    def has_route(self, name: str) -> bool:
        return name == DEFAULT_ROUTE or name in self._by_name

    @property
    def prepared(self) -> bool:
        return self._prepared

    async def prepare(self, service: EmbeddingService) -> None:
        """Embed the utterances and descriptions once (at config load)."""
        for r in self._semantic:
            if r.texts:
                r.matrix = np.ascontiguousarray(await service.embed_many(r.texts), dtype=np.float32)
        self._prepared = True

    def prepare_with(self, embed: Callable[[list[str]], np.ndarray]) -> None:
        """Like :meth:`prepare` with a synchronous ``embed(texts) -> [n, 384]``, e.g. ``Embedder().embed``."""
        for r in self._semantic:
            if r.texts:
                r.matrix = np.ascontiguousarray(embed(r.texts), dtype=np.float32)
        self._prepared = True

    # -- deciding --------------------------------------------------------------------------------

    def _override(self, override: str | None) -> Decision | None:
        if not override or not self.allow_override:
            return None
        name = override.strip()
        if name == DEFAULT_ROUTE:
            return Decision(DEFAULT_ROUTE, self.default_group, 1.0, "override")
        r = self._by_name.get(name)
        return Decision(r.name, r.group, 1.0, "override") if r is not None else None

    def _rule(self, req: RouteRequest) -> Decision | None:
        for r in self._rules:
            if r.when is not None and rule_holds(r.when, req):
                return Decision(r.name, r.group, 1.0, "rule")
        return None

    def _candidates(self, req: RouteRequest) -> list[_Route]:
        return [r for r in self._semantic if r.when is None or rule_holds(r.when, req)]

    def needs_embedding(self, req: RouteRequest, override: str | None = None) -> bool:
        """False when an override or a pure rule decides, or no semantic route can apply."""
        if not req.text.strip():
            return False
        if self._override(override) is not None or self._rule(req) is not None:
            return False
        return bool(self._candidates(req))

    def decide(self, req: RouteRequest, vec: np.ndarray | None, override: str | None = None) -> Decision:
        """The route for ``req``; ``vec`` is the embedding of ``req.text`` (None: not computed)."""
        forced = self._override(override)
        if forced is not None:
            return forced
        ruled = self._rule(req)
        if ruled is not None:
            return ruled
        best: _Route | None = None
        best_score = -math.inf
        if vec is not None and req.text.strip():
            if not self._prepared:
                raise RuntimeError(f"router {self.name!r}: prepare() was not called")
            v = np.asarray(vec, dtype=np.float32).reshape(-1)
            if v.shape[0] != DIM:
                raise ValueError(f"router {self.name!r}: embedding of size {v.shape[0]}, expected {DIM}")
            probs: np.ndarray | None = None
            for r in self._candidates(req):
                if r.tier_index is not None:
                    if probs is None:
                        assert self.head is not None
                        probs = self.head.proba(tier_features(v, req.text, req.code))
                    score = float(probs[r.tier_index])
                elif r.matrix is not None:
                    score = float((r.matrix @ v).max())
                else:
                    continue
                if score > best_score:
                    best, best_score = r, score
        if best is not None and best_score >= self.min_score:
            return Decision(best.name, best.group, best_score, "tier" if best.tier_index is not None else "semantic")
        return Decision(DEFAULT_ROUTE, self.default_group, max(best_score, 0.0), "default")

    def tier_proba(self, vec: np.ndarray, text: str, code: bool) -> dict[str, float]:
        """The tier head's probabilities for one request (diagnostics; preset tier only)."""
        if self.head is None:
            raise RuntimeError(f"router {self.name!r} has no tier preset")
        p = self.head.proba(tier_features(vec, text, code))
        return {c: float(p[i]) for i, c in enumerate(self.head.classes)}
