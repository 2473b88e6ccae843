"""The corridor every model call walks, top to bottom.

    identify -> decode -> resolve route [-> semantic router] -> admit -> inspect -> cache lookup
             -> [canary arm] -> call provider (retries, fallbacks, breakers)
             -> answer (whole or streamed; the cache keeps it) -> settle

Stages in brackets run only when the model group asks for them. A refusal raises a
``GatewayError`` and is answered in the caller's dialect; ``settle`` always runs.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import orjson

from tokenway.dialects import canonical, sse
from tokenway.dialects.formats import VENDOR_FORMATS, ClientDialect, VendorFormat, anthropic_error_event
from tokenway.errors import (
    GatewayError,
    InvalidRequest,
    ModelNotFound,
    PermissionDenied,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from tokenway.guard.engine import GuardBlocked, GuardState
from tokenway.guard.output import OutputFilter
from tokenway.identity.keys import Identity
from tokenway.ledger.row import UsageRow
from tokenway.limits.engine import Ticket
from tokenway.metering.estimate import estimate_text
from tokenway.metering.prices import cost, worst_case
from tokenway.metering.tokenizer import completion_tokens_of_text, prompt_tokens
from tokenway.routing.breaker import HALF_OPEN
from tokenway.routing.canary import SESSION_HEADER, sticky_key
from tokenway.routing.targets import Route, Target
from tokenway.semantic import replay
from tokenway.semantic.cache_key import CacheKey, cache_key
from tokenway.semantic.features import route_request
from tokenway.upstream.client import ConnectError, Disconnected, ReadTimeout

if TYPE_CHECKING:
    from tokenway.gateway import Gateway
    from tokenway.server.http import Request, Responder


class Call:
    """What the gateway knows about one call as it walks the corridor."""

    __slots__ = (
        "arm",
        "attempts",
        "body",
        "cache",
        "cache_key",
        "cache_vec",
        "chat",
        "code",
        "cost_saved",
        "decision",
        "dialect",
        "end_user",
        "error",
        "est_prompt",
        "estimated",
        "forward",
        "guard",
        "id",
        "identity",
        "model",
        "op",
        "recorded",
        "route",
        "settled_cost",
        "settled_tokens",
        "similarity",
        "started",
        "status",
        "stream",
        "t0",
        "target",
        "ticket",
        "ts",
        "ttft",
        "usage",
    )

    def __init__(self, dialect: ClientDialect, op: str, started: float) -> None:
        self.id = "req_" + os.urandom(10).hex()
        self.dialect = dialect
        self.op = op
        self.started = started  # loop time: deadlines are loop timers
        self.t0 = time.perf_counter()  # for measurements (uvloop's clock ticks in milliseconds)
        self.model = ""
        self.stream = False
        self.identity: Identity | None = None
        self.route: Route | None = None
        self.target: Target | None = None
        self.chat: dict[str, Any] | None = None  # the canonical form, made only when translating
        self.attempts = 0
        self.status = 0
        self.code = ""
        self.error: str | None = None
        self.ttft: float | None = None
        self.usage: dict[str, Any] | None = None
        self.ts = time.time()
        self.end_user: str | None = None
        self.ticket: Ticket | None = None  # what admit() reserved; settle() releases it
        self.est_prompt: int | None = None  # the pre-call prompt estimate (drift = actual - this)
        self.estimated = False  # usage counted by the tokenizer because the vendor reported none
        self.forward: _Forwarder | None = None
        self.guard: GuardState | None = None  # the guard's decisions and what the answer still needs
        self.recorded = False  # the ledger row is written
        self.settled_tokens = 0
        self.settled_cost: float | None = None
        self.decision: Any = None  # the semantic router's Decision
        self.cache: str | None = None  # hit | miss | bypass, for groups that cache
        self.body: bytes | None = None  # the request bytes, kept only for logging.log_bodies
        self.cache_key: CacheKey | None = None  # set while the answer may be kept
        self.cache_vec: Any = None  # the last user turn's embedding (semantic caches)
        self.similarity = 0.0
        self.cost_saved: float | None = None
        self.arm: str | None = None  # canary | stable, for groups with a canary

    def headers(self) -> bytes:
        h = b"x-request-id: " + self.id.encode()
        if self.target is not None:
            h += b"\r\nx-tokenway-target: " + self.target.label.encode()
        h += b"\r\nx-tokenway-attempts: %d\r\n" % self.attempts
        if self.ticket is not None:
            h += self.ticket.headers
        if self.cache is not None:
            h += b"x-tokenway-cache: " + self.cache.encode() + b"\r\n"
            if self.cache == "hit":
                h += b"x-tokenway-cache-similarity: %.4f\r\n" % self.similarity
        if self.decision is not None:
            h += f"x-tokenway-route: {self.decision.route}\r\nx-tokenway-route-group: {self.decision.group}\r\n" \
                .encode("latin-1", "replace")
        return h


async def handle(gw: Gateway, req: Request, resp: Responder, dialect: ClientDialect, op: str = "chat") -> None:
    """One model call, from request bytes to the last response byte."""
    loop = asyncio.get_running_loop()
    call = Call(dialect, op, loop.time())
    try:
        if gw.bodies is not None:
            call.body = req.body                                       # for the access log, redacted
        call.identity = gw.keys.identify(req.headers)                 # identify
        body = decode_json(req.body)                                   # decode
        call.model, call.stream = dialect.validate(body)
        chain = resolve_route(gw, call)                                # resolve route
        if chain[0].semantic is not None:
            chain = await choose_route(gw, call, body, req.headers)   # the semantic router picks a group
        call.end_user = gw.keys.end_user(call.identity, req.headers, body)
        await admit(gw, call, body, chain)                             # admit: budgets, rate limits
        await inspect(gw, call, body, req.headers)                     # inspect: guardrails
        if call.route.cache is not None and await cached(gw, call, body, req.headers, resp):
            return                                                     # answered from the cache
        if chain[0].canary is not None:
            chain = pick_arm(gw, call, chain, req.headers)             # canary or stable arm
        up = await call_provider(gw, call, chain, body)                # call provider
        if call.stream:
            await stream_back(gw, call, body, up, resp)                # answer, streamed
        else:
            answer_whole(gw, call, body, up, resp)                     # answer, whole
    except GatewayError as e:
        fail(call, resp, e)
    except asyncio.CancelledError:
        call.status, call.code = 499, "client_disconnected"
        raise
    finally:
        await settle(gw, call)                                         # settle


# --------------------------------------------------------------------------- decode
def decode_json(raw: bytes) -> Any:
    if not raw:
        raise InvalidRequest("the request body is empty; send a JSON object")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        msg = str(e)
        if "utf-8" in msg.lower() or "surrogate" in msg.lower():
            raise InvalidRequest("the request body is not valid UTF-8") from None
        raise InvalidRequest(f"the request body is not valid JSON: {msg}") from None


# --------------------------------------------------------------------------- resolve route
def resolve_route(gw: Gateway, call: Call) -> list[Route]:
    assert call.identity is not None
    chain = routes_for(gw, call.identity, call.model)
    call.route = chain[0]
    return chain


def routes_for(gw: Gateway, identity: Identity, model: str) -> list[Route]:
    """The model group and its fallbacks, if it exists and this key may use it."""
    chain = gw.router.chain(model)
    if not chain:
        raise ModelNotFound(f"model '{model}' does not exist on this gateway", param="model")
    if not identity.may_use(model):
        raise PermissionDenied(f"this key may not use model '{model}'", param="model")
    return chain


# --------------------------------------------------------------------------- semantic router
async def choose_route(gw: Gateway, call: Call, body: dict[str, Any], headers: dict[str, str]) -> list[Route]:
    """A router group: rules, then the closest route by the last user turn's embedding, pick the
    model group that serves the call (``x-tokenway-route`` may name a route). The group's own
    targets, fallbacks, cache and canary apply from here on."""
    assert call.route is not None
    router = call.route.semantic
    if call.op != "chat":
        raise InvalidRequest(f"model '{call.model}' is a router: it serves chat calls only", param="model")
    if not gw.is_ready:
        await gw.ready()
    # a local canonical view: call.chat is made only after the guard has edited the request
    chat = call.chat if call.chat is not None else call.dialect.to_canonical(body)
    rr = route_request(chat, _prompt_estimate(chat))
    override = headers.get("x-tokenway-route")
    if override is not None and not router.has_route(override):
        raise InvalidRequest(f"x-tokenway-route: model '{call.model}' has no route '{override}' "
                             f"(routes: {', '.join(router.route_names)}, default)", param="x-tokenway-route")
    vec = None
    if rr.text and router.needs_embedding(rr, override):
        vec = await gw.shared.embedder().embed(rr.text)
    d = call.decision = router.decide(rr, vec, override)
    gw.metrics.route_decisions[(call.model, d.route)] += 1
    chain = gw.router.chain(d.group)
    call.route = chain[0]
    return chain


def _prompt_estimate(chat: dict[str, Any]) -> int:
    """A quick prompt size for routing rules (the exact count comes at admission)."""
    n = sum(estimate_text(canonical.text_of(m.get("content"))) for m in chat.get("messages") or ()
            if isinstance(m, dict))
    tools = chat.get("tools")
    return n + (estimate_text(orjson.dumps(tools).decode()) if tools else 0)


# --------------------------------------------------------------------------- admit
# the shape of the body the tokenizer and the guard read: Responses calls are read in canonical form
_SHAPE = {"openai": "openai", "responses": "openai", "anthropic": "anthropic", "embeddings": "embeddings"}


def readable_body(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """The request as the tokenizer and the guard read it (and the guard edits it): the client's
    body, or for Responses calls the canonical form the vendor request will be built from."""
    if call.dialect.name != "responses":
        return body
    if call.chat is None:
        call.chat = call.dialect.to_canonical(body)
    return call.chat


async def admit(gw: Gateway, call: Call, body: dict[str, Any], chain: list[Route]) -> None:
    """Estimate the prompt, then reserve prompt + max output tokens (and their worst-case cost)
    against every budget and rate limit that applies, in one atomic operation."""
    assert call.identity is not None
    policies = gw.keys.policies(call.identity, call.model)
    mp = gw.model_policies.get(call.route.name if call.route is not None else call.model)
    if mp is not None:
        policies = [*policies, mp]
    if not policies and not gw.ledger.enabled:
        return  # nothing meters this call: skip the tokenizer
    vendor_model = chain[0].targets[0].model
    call.est_prompt = prompt_tokens(readable_body(call, body), _SHAPE[call.dialect.name], vendor_model,
                                    gw.tokenizers)[0]
    if not policies:
        return
    m = gw.cfg.metering
    asked = body.get("max_completion_tokens") or body.get("max_tokens") or body.get("max_output_tokens")
    max_out = asked if isinstance(asked, int) and asked > 0 else m.default_max_output_tokens
    max_out = 0 if call.op == "embeddings" else min(max_out, m.max_reserved_output_tokens)
    price = gw.price(vendor_model)
    worst = worst_case(price, call.est_prompt, max_out) if price is not None else None
    call.ticket = await gw.limiter.admit(policies, call.model, call.est_prompt, max_out, worst)


# --------------------------------------------------------------------------- inspect

async def inspect(gw: Gateway, call: Call, body: dict[str, Any], headers: dict[str, str]) -> None:
    """The guard policy that applies to the caller inspects every text of the request, in place:
    block, redact, pseudonymize or log. Decisions go to the audit log and the ledger row."""
    assert call.identity is not None
    name = call.identity.guard_policy
    if name is None or gw.guard is None:
        return
    asked = headers.get("x-tokenway-guard-skip")
    skip = asked.split(",") if asked and call.identity.allow_guard_opt_out else ()
    try:
        call.guard = await gw.guard.inspect(name, readable_body(call, body), _SHAPE[call.dialect.name], skip)
    except GuardBlocked as e:
        call.guard = e.state
        raise
    finally:
        audit(gw, call)


def audit(gw: Gateway, call: Call, start: int = 0) -> None:
    """The guard decisions made since ``start``: counted in ``tokenway_guard_decisions_total`` and, with
    ``guard.audit_log``, one audit log line each (never a value: a hash of it)."""
    if call.guard is None:
        return
    policy = call.guard.policy.name
    new = call.guard.decisions[start:]
    for d in new:
        gw.metrics.guard_decisions[(policy, d["detector"], d["action"])] += 1
    if not gw.cfg.guard.audit_log:
        return
    for d in new:
        gw.log.info("guard_decision", request_id=call.id, policy=policy,
                    key=call.identity.key_id if call.identity else None, **d)


# --------------------------------------------------------------------------- cache
def _no_cache(headers: dict[str, str]) -> tuple[bool, bool]:
    """(read, write) as the client allows: ``x-tokenway-cache: bypass`` and ``Cache-Control:
    no-store`` skip the cache; ``Cache-Control: no-cache`` asks for a fresh answer (kept)."""
    if headers.get("x-tokenway-cache", "").strip().lower() == "bypass":
        return False, False
    cc = headers.get("cache-control", "").lower()
    if "no-store" in cc:
        return False, False
    if "no-cache" in cc:
        return False, True
    return True, True


def _tenant(call: Call, scope: str) -> str:
    """The tenant part of a cache entry's scope; never wider than asked (a key with no team is its own tenant)."""
    ident = call.identity
    assert ident is not None
    if scope == "org" and ident.org:
        return "org:" + ident.org
    if scope in ("org", "team") and ident.team:
        return "team:" + ident.team
    if scope == "user" and (call.end_user or ident.user):
        return "user:" + (f"{ident.key_id}/{call.end_user}" if call.end_user else str(ident.user))
    return "key:" + str(ident.key_id)


async def cached(gw: Gateway, call: Call, body: dict[str, Any], headers: dict[str, str], resp: Responder) -> bool:
    """Look the call up in its group's cache: exact first, then semantic (same scope, close last
    user turn, second-stage check). A hit answers here, streamed if asked; a miss remembers the key
    so the answer is kept."""
    rc = call.route.cache if call.route is not None else None
    store = gw.response_cache
    if rc is None or store is None or call.op != "chat":
        return False
    read, write = _no_cache(headers)
    call.cache = "bypass"
    key = None
    if read or write:
        if call.chat is None:
            call.chat = call.dialect.to_canonical(body)  # after the guard: what the vendor will see
        key = cache_key(call.chat, _tenant(call, rc.scope), call.route.name)  # None: not cacheable
    if key is None:  # asked to skip the cache, or n > 1, images, the last turn is not the user's…
        gw.metrics.cache[(call.route.name, "bypass")] += 1
        return False
    hit = store.get_exact(key) if read else None
    if hit is None and rc.mode == "semantic":
        embedder = gw.shared.embedder()
        inflight = gw.shared.embedding_for_cache.get(key.scope)
        if read and inflight:  # answers just kept in this scope are being embedded: let them land (bounded)
            await asyncio.wait(list(inflight), timeout=0.1)
        if read and store.searchable(key):  # something to compare with: the embedding is needed now
            call.cache_vec = await embedder.embed(key.text)
            hit = store.get_semantic(key, call.cache_vec, rc.min_similarity, rc.verify)
        elif write and embedder.backlog < EMBED_BACKLOG_FOR_KEEPING:
            # nothing to compare with yet: embed for keeping, beside the vendor call
            call.cache_vec = asyncio.ensure_future(embedder.embed(key.text))
            call.cache_vec.add_done_callback(_retrieved)
    if hit is None:
        call.cache = "miss" if read else "bypass"
        call.cache_key = key if write else None
        gw.metrics.cache[(call.route.name, call.cache)] += 1
        return False
    call.cache, call.similarity = "hit", hit.similarity
    gw.metrics.cache[(call.route.name, "hit")] += 1
    await answer_cached(gw, call, body, hit, resp)
    return True


async def answer_cached(gw: Gateway, call: Call, body: dict[str, Any], hit: Any, resp: Responder) -> None:
    """Replay a kept answer in the caller's dialect (as a stream when asked), through this call's
    output guard (placeholders are this call's). No vendor tokens; the cost saved is recorded."""
    chat = hit.response  # a fresh copy: the kept answer stays as the vendor gave it
    chat["id"], chat["created"] = "chatcmpl-" + call.id[4:], int(call.ts)  # this call's own
    if call.guard is not None and call.guard.needs_output:
        seen = len(call.guard.decisions)
        try:
            chat = OutputFilter(call.guard).apply(chat)
        finally:
            audit(gw, call, seen)
    price = gw.price(hit.model)
    saved = chat.get("usage")
    call.cost_saved = cost(price, saved) if price is not None and isinstance(saved, dict) else None
    call.status = 200
    call.usage = canonical.usage(0, 0)
    record(gw, call)
    if not call.stream:
        resp.send(200, orjson.dumps(call.dialect.encode_response(chat, call.model, body)), call.headers())
        return
    enc = call.dialect.stream_encoder(call.model, body)
    out = b"".join([enc.feed(c) for c in replay.to_chunks(chat)]) + enc.finish()
    resp.start(200, call.headers())
    await resp.write(out)
    resp.end()


EMBED_BACKLOG_FOR_KEEPING = 64  # a busier embedder keeps new answers for exact hits only


def _retrieved(f: asyncio.Future[Any]) -> None:
    if not f.cancelled():
        f.exception()  # a failed embedding only means no semantic entry; never "exception not retrieved"


def keep(gw: Gateway, call: Call, chat: dict[str, Any]) -> None:
    """Keep a completed answer (canonical, before the output guard) for later calls, after it is
    sent. When its embedding (started beside the vendor call) is still running, the answer is kept
    for exact hits at once and joins the semantic index when the embedding lands."""
    key, rc, store = call.cache_key, call.route.cache if call.route is not None else None, gw.response_cache
    if key is None or rc is None or store is None or call.target is None:
        return
    call.cache_key = None
    vec = call.cache_vec
    if isinstance(vec, asyncio.Future):
        if not vec.done():
            if store.put(key, None, chat, call.target.model, rc.ttl_s):
                _attach_later(gw, key, vec)
            return
        vec = vec.result() if not vec.cancelled() and vec.exception() is None else None
    store.put(key, vec, chat, call.target.model, rc.ttl_s)


def _attach_later(gw: Gateway, key: CacheKey, fut: asyncio.Future[Any]) -> None:
    inflight = gw.shared.embedding_for_cache
    inflight.setdefault(key.scope, set()).add(fut)
    store = gw.response_cache

    def landed(f: asyncio.Future[Any]) -> None:
        waiting = inflight.get(key.scope)
        if waiting is not None:
            waiting.discard(f)
            if not waiting:
                del inflight[key.scope]
        if not f.cancelled() and f.exception() is None:
            store.attach(key, f.result())

    fut.add_done_callback(landed)


# --------------------------------------------------------------------------- canary
def pick_arm(gw: Gateway, call: Call, chain: list[Route], headers: dict[str, str]) -> list[Route]:
    """A group with a canary: this caller's arm (sticky); the canary arm tries first and the
    stable arm stands behind it."""
    state = chain[0].canary
    ident = call.identity
    assert ident is not None
    who = sticky_key(state.cfg.sticky, user=ident.user, end_user=call.end_user, key_id=ident.key_id,
                     session=headers.get(SESSION_HEADER))
    if not state.choose(who):
        call.arm = "stable"
        return chain
    call.arm = "canary"
    return [chain[0].arms(True), *chain]


def observe_arm(gw: Gateway, call: Call) -> None:
    """Feed the call's outcome to its group's canary stats (and remember the arm for feedback)."""
    route = call.route
    state = route.canary if route is not None else None
    if state is None or call.arm is None or not call.attempts or call.status == 499:
        return
    key_id = call.identity.key_id if call.identity is not None else None
    gw.recent_calls.add(call.id, route.name, call.arm == "canary", key_id=key_id)
    state.observe(call.arm == "canary", call.status < 500, time.perf_counter() - call.t0, call.ttft,
                  call.settled_tokens, call.settled_cost)


# --------------------------------------------------------------------------- call provider
@dataclass(slots=True)
class Upstream:
    """A successful vendor response: whole (``body``) or the start of a stream (``first``)."""

    target: Target
    fmt: VendorFormat
    passthrough: bool
    response: Any
    body: bytes = b""
    first: bytes = b""


class AttemptFailed(Exception):
    def __init__(self, error: GatewayError, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retryable = retryable
        self.retry_after = retry_after


async def call_provider(gw: Gateway, call: Call, chain: list[Route], body: dict[str, Any]) -> Upstream:
    """Try the group's targets, then its fallback groups, with retries and backoff, honouring
    Retry-After and circuit breakers, within the call's total deadline."""
    loop = asyncio.get_running_loop()
    defaults = gw.router.defaults
    deadline = call.started + chain[0].timeout_s
    last: AttemptFailed | None = None
    canary_first = call.arm == "canary"  # chain[0] is the canary arm, chain[1] the stable group
    for gi, route in enumerate(chain):
        if canary_first and gi == 1:
            # the canary arm failed (or its circuit is open): count it against the canary; stable answers
            route.canary.observe(True, False, time.perf_counter() - call.t0, None, 0, None)
            call.arm = "stable"
        tried: set[int] = set()
        for n in range(route.retries + 1):
            idx = route.pick(tried)
            if idx is None:
                break  # every target of this group has its circuit open
            t = route.targets[idx]
            if not t.health.breaker.allow():
                continue
            tried.add(idx)
            call.attempts += 1
            if call.attempts > 1:
                gw.metrics.retries[(route.name, t.label)] += 1
            t.health.inflight += 1
            try:
                up = await attempt(call, route, t, body, deadline)
            except AttemptFailed as f:
                # a non-retryable failure is the request's fault (it could not be translated, or the
                # vendor answered 4xx): the target is healthy, and bad requests must not open its circuit
                t.health.breaker.record(not f.retryable)
                last = f
                if canary_first and gi == 0:
                    break  # whatever the canary's failure, the stable arm tries next
                if not f.retryable:
                    raise f.error from None
                if loop.time() >= deadline:
                    raise UpstreamTimeout(f"no answer within the {route.timeout_s:g}s deadline: {f.error.message}") \
                        from None
                if f.retry_after is not None and f.retry_after > defaults.max_retry_after_s:
                    break  # the vendor asks us to wait longer than we will: next group
                if n < route.retries:
                    delay = min(defaults.backoff_max_s, defaults.backoff_base_s * (2 ** n)) * random.random()
                    delay = max(delay, f.retry_after or 0.0)
                    if loop.time() + delay >= deadline:
                        break
                    if delay:
                        await asyncio.sleep(delay)
                continue
            except BaseException:
                if t.health.breaker.state == HALF_OPEN:
                    t.health.breaker.record(False)
                raise
            finally:
                t.health.inflight -= 1
            t.health.breaker.record(True)
            call.target = t
            if gi > canary_first:  # served by a fallback group (the canary's own route has the group's name)
                gw.metrics.fallbacks[chain[0].name] += 1
            return up
    if last is None:
        raise UpstreamUnavailable(f"every target of model '{call.model}' is unavailable (circuit open); "
                                  "try again later")
    raise last.error


async def attempt(call: Call, route: Route, t: Target, body: dict[str, Any], deadline: float) -> Upstream:
    """One request to one target."""
    provider = t.provider
    fmt = VENDOR_FORMATS[provider.format]
    passthrough = call.dialect.native == provider.format
    if call.op == "embeddings" and not provider.supports_embeddings:
        raise AttemptFailed(InvalidRequest(f"model '{call.model}' does not serve embeddings (its target {t.label} "
                                           "is a chat-only vendor)", param="model"), retryable=False)
    try:
        if passthrough:
            out = call.dialect.passthrough(body, t.model, call.stream)
        else:
            if call.chat is None:
                call.chat = call.dialect.to_canonical(body)
            out = fmt.encode_request(call.chat, t.model, call.stream)
        payload = orjson.dumps(out)
    except GatewayError as e:
        raise AttemptFailed(e, retryable=False) from None
    loop = asyncio.get_running_loop()
    # streams: headers and first bytes must come within first_token_timeout_s of this attempt;
    # whole answers: within attempt_timeout_s, when set (so a hung target leaves time for a fallback)
    if call.stream:
        first_by = min(deadline, loop.time() + route.first_token_timeout_s)
    elif route.attempt_timeout_s is not None:
        first_by = min(deadline, loop.time() + route.attempt_timeout_s)
    else:
        first_by = deadline
    try:
        r = await provider.send(call.op, t.model, payload, call.stream, first_by)
        if r.status >= 400:
            raw = await r.read()
            raise _vendor_failure(t, r.status, r.headers, fmt.decode_error(raw))
        if call.stream:
            first = await r.first_chunk(first_by)
            call.ttft = time.perf_counter() - call.t0
            t.health.observe_ttft(call.ttft)
            return Upstream(t, fmt, passthrough, r, first=first)
        data = await r.read()
        t.health.observe_ttft(time.perf_counter() - call.t0)
        return Upstream(t, fmt, passthrough, r, body=data)
    except ConnectError as e:
        raise AttemptFailed(UpstreamUnavailable(f"{t.label}: {e}"), retryable=True) from None
    except ReadTimeout:
        raise AttemptFailed(UpstreamTimeout(f"{t.label}: no answer in time"), retryable=True) from None
    except Disconnected as e:
        raise AttemptFailed(UpstreamUnavailable(f"{t.label}: {e}"), retryable=True) from None


def _vendor_failure(t: Target, status: int, headers: dict[str, str], message: str) -> AttemptFailed:
    msg = f"{t.label} answered {status}: {message}"
    if status == 429:
        ra = _retry_after(headers.get("retry-after"))
        hdr = {"retry-after": str(max(1, round(ra)))} if ra is not None else {}
        return AttemptFailed(RateLimited(msg, code="upstream_rate_limited", headers=hdr), True, ra)
    if status in (408, 409) or status >= 500:
        err: GatewayError = UpstreamUnavailable(msg) if status in (503, 529) else UpstreamError(msg)
        return AttemptFailed(err, True, _retry_after(headers.get("retry-after")))
    if status in (401, 403):
        # the vendor refused the gateway's own credentials: the caller can do nothing about it
        return AttemptFailed(UpstreamError(f"{t.label} refused the gateway's credentials ({status})"), True)
    return AttemptFailed(UpstreamError(msg, status=status, code="upstream_bad_request"), False)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- answer
def answer_whole(gw: Gateway, call: Call, body: dict[str, Any], up: Upstream, resp: Responder) -> None:
    try:
        vendor = orjson.loads(up.body)
    except orjson.JSONDecodeError:
        raise UpstreamError(f"{up.target.label} sent a response that is not JSON") from None
    guarded = call.guard is not None and call.guard.needs_output
    keeping = call.cache_key is not None
    kept: dict[str, Any] | None = None
    if up.passthrough and not guarded and not keeping:
        out = up.body
        call.usage = vendor.get("usage") if isinstance(vendor, dict) else None
    else:
        chat = up.fmt.decode_response(vendor)
        call.usage = chat.get("usage")
        kept = orjson.loads(orjson.dumps(chat)) if keeping else None  # before the guard or encoder edit it
        if guarded:
            assert call.guard is not None
            seen = len(call.guard.decisions)
            try:
                chat = OutputFilter(call.guard).apply(chat)
            finally:
                audit(gw, call, seen)
        out = up.body if up.passthrough and not guarded else \
            orjson.dumps(call.dialect.encode_response(chat, call.model, body))
    call.status = 200
    record(gw, call)  # the ledger row exists before the client has the answer
    resp.send(200, out, call.headers())
    if kept is not None:
        keep(gw, call, kept)  # after the answer is on its way


async def stream_back(gw: Gateway, call: Call, body: dict[str, Any], up: Upstream, resp: Responder) -> None:
    """Forward the vendor's stream chunk by chunk, translated when the dialects differ. No
    whole-response buffering. A failure after the first byte ends the stream with an error event
    in the caller's dialect."""
    call.status = 200
    resp.start(200, call.headers())
    forward = call.forward = _Forwarder(call, body, up)
    seen = len(call.guard.decisions) if call.guard is not None else 0
    try:
        await resp.write(forward.feed(up.first))
        async for raw in up.response.chunks(call.started + call.route.timeout_s if call.route else None):
            out = forward.feed(raw)
            if out:
                await resp.write(out)
        tail = forward.close()  # the closing events, held back until the ledger row is written
        call.usage = forward.usage()
        record(gw, call)
        await resp.write(tail)
        if call.cache_key is not None:
            keep(gw, call, forward.response())
    except (Disconnected, ReadTimeout, GatewayError) as e:
        err = e if isinstance(e, GatewayError) else (
            UpstreamTimeout(f"{up.target.label}: the stream stalled") if isinstance(e, ReadTimeout)
            else UpstreamUnavailable(f"{up.target.label}: the stream was cut: {e}"))
        call.status, call.code, call.error = err.status, err.code, err.message
        up.response.close()
        await resp.write(forward.error(err))
    except ConnectionResetError:
        up.response.close()
        call.status, call.code = 499, "client_disconnected"
        return
    except BaseException:
        up.response.close()  # cancelled (client gone): stop reading from the vendor now
        raise
    finally:
        audit(gw, call, seen)  # the output guard's decisions
    resp.end()


class _Forwarder:
    """Turns vendor stream bytes into client stream bytes for one call.

    The stream's closing events ([DONE], Anthropic's message_stop, an encoder's finish) are held
    back and returned by ``close`` so the caller can write the ledger row before the client gets
    the last byte. What was streamed is kept (as references) to count it if the vendor never
    reports usage."""

    __slots__ = ("_copy", "_decoder", "_encoder", "_error", "_filter", "_include_usage", "_mode", "_parser", "_seen",
                 "_tail", "_usage", "call")

    def __init__(self, call: Call, body: dict[str, Any], up: Upstream) -> None:
        self.call = call
        self._error: UpstreamError | None = None
        self._usage: dict[str, Any] | None = None
        self._encoder: Any = None
        self._parser: sse.SSEParser | None = None
        self._seen: list[Any] = []  # mode 0: raw event data; else canonical chunks
        self._tail = b""
        guard = call.guard if call.guard is not None and call.guard.needs_output else None
        self._filter = OutputFilter(guard) if guard is not None else None
        self._copy = guard is not None and call.cache_key is not None  # keep what the vendor said, unfiltered
        if up.passthrough and up.fmt.name == "openai" and guard is None:
            self._mode = 0  # re-frame events; drop the usage chunk unless the client asked for it
            self._parser = sse.SSEParser()
            self._include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._decoder = None
        elif up.passthrough and guard is None:
            self._mode = 1  # bytes as they are; a decoder on the side reads usage
            self._decoder = up.fmt.stream_decoder()
        else:
            self._mode = 2  # translate (also same-dialect calls whose answer the guard must see)
            self._decoder = up.fmt.stream_decoder()
            self._encoder = call.dialect.stream_encoder(call.model, body)

    def feed(self, raw: bytes) -> bytes:
        if self._error is not None:
            raise self._error
        if not raw:
            return b""
        if self._mode == 0:
            assert self._parser is not None
            out = []
            for _ev, data in self._parser.feed(raw):
                if data == b"[DONE]":
                    self._tail = sse.DONE
                    continue
                if b'"usage"' in data:
                    chunk = orjson.loads(data)
                    u = chunk.get("usage")
                    if u:
                        self._usage = u
                        if not chunk.get("choices") and not self._include_usage:
                            continue
                elif data.startswith(b'{"error"'):
                    chunk = orjson.loads(data)
                    e = UpstreamError(str((chunk.get("error") or {}).get("message", "vendor error")))
                    if not out:
                        raise e
                    self._error = e  # hand on what came before it first
                    break
                self._seen.append(data)
                out.append(b"data: " + data + b"\n\n")
            return b"".join(out)
        chunks = self._decoder.feed(raw)
        self._seen.extend(chunks)
        if self._mode == 1:
            if self._decoder.done:  # this read holds message_stop: it is the last one
                self._tail += raw
                return b""
            return raw
        return self._encode(chunks)

    def _encode(self, chunks: list[dict[str, Any]]) -> bytes:
        f = self._filter
        if f is None:
            return b"".join([self._encoder.feed(c) for c in chunks])
        if self._copy:  # the filter edits chunks in place; the cache keeps the originals
            chunks = orjson.loads(orjson.dumps(chunks))
        return b"".join([self._encoder.feed(o) for c in chunks for o in f.feed(c)])

    def close(self) -> bytes:
        if self._error is not None:
            raise self._error
        if self._mode == 2:
            tail = self._decoder.close()
            self._seen.extend(tail)
            return self._encode(tail) + self._encoder.finish()
        if self._mode == 1:
            self._decoder.close()
        return self._tail

    def output_text(self) -> str:
        """Everything streamed so far as text (content, reasoning, tool arguments): what the
        tokenizer counts when the vendor reported no usage."""
        parts: list[str] = []
        chunks = (orjson.loads(d) for d in self._seen) if self._mode == 0 else self._seen
        for c in chunks:
            for ch in c.get("choices") or ():
                d = ch.get("delta") or {}
                for k in ("content", "reasoning_content"):
                    if isinstance(d.get(k), str):
                        parts.append(d[k])
                for tc in d.get("tool_calls") or ():
                    fn = tc.get("function") or {}
                    parts.append(str(fn.get("name") or "") + str(fn.get("arguments") or ""))
        return "".join(parts)

    def usage(self) -> dict[str, Any] | None:
        return self._usage if self._mode == 0 else self._decoder.usage

    def response(self) -> dict[str, Any]:
        """The whole answer, as one canonical response (what the cache keeps)."""
        chunks = [orjson.loads(d) for d in self._seen] if self._mode == 0 else self._seen
        chat = replay.assemble(chunks)
        chat["usage"] = self.call.usage
        return chat

    def error(self, err: GatewayError) -> bytes:
        if self._mode == 2:
            if self.call.dialect.name == "anthropic":
                self._encoder.error(err.message)  # ends the encoder's stream
                return anthropic_error_event(err)  # with tokenway's code and details, as before the stream
            if self.call.dialect.name == "responses":  # the live encoder: same response id and sequence
                return self._encoder.error(err.message, err.code)
            return self.call.dialect.stream_error(err)
        return self.call.dialect.stream_error(err)


# --------------------------------------------------------------------------- refusals
def fail(call: Call, resp: Responder, e: GatewayError) -> None:
    call.status, call.code, call.error = e.status, e.code, e.message
    if resp.started:
        return
    extra = call.headers()
    for k, v in e.headers.items():
        extra += f"{k}: {v}\r\n".encode("latin-1")
    resp.send(e.status, call.dialect.error(e), extra)


# --------------------------------------------------------------------------- settle
def account(gw: Gateway, call: Call) -> dict[str, Any]:
    """The call's usage in canonical form: the vendor's report, or the tokenizer's count (and
    ``call.estimated``) when the vendor reported none — a stream cut short, an error after output."""
    u = canonical_usage(call.usage)
    cut = call.forward is not None and call.status != 200
    if call.target is None or (u is not None and not cut):
        return u or canonical.usage(0, 0)
    vendor_model = call.target.model
    prompt = (u or {}).get("prompt_tokens") or call.est_prompt
    if prompt is None:
        counted = call.chat if call.chat is not None else None
        prompt = prompt_tokens(counted, "openai", vendor_model, gw.tokenizers)[0] if counted else 0
    text = call.forward.output_text() if call.forward is not None else ""
    completion = completion_tokens_of_text(text, vendor_model, gw.tokenizers) if text else 0
    call.estimated = True
    return canonical.usage(int(prompt), completion)


def record(gw: Gateway, call: Call) -> None:
    """Write the call's ledger row (once). Called just before the last byte goes to the client,
    and from ``settle`` for calls that ended otherwise."""
    if call.recorded:
        return
    call.recorded = True
    u = call.usage = account(gw, call)  # canonical from here on (metrics read it too)
    call.settled_tokens = int(u.get("prompt_tokens") or 0) + int(u.get("completion_tokens") or 0)
    price = gw.price(call.target.model) if call.target is not None else None
    call.settled_cost = cost(price, u) if price is not None else (0.0 if call.cache == "hit" else None)
    if not gw.ledger.enabled or call.identity is None:
        return
    ident = call.identity
    ptd = u.get("prompt_tokens_details") or {}
    ctd = u.get("completion_tokens_details") or {}
    gw.ledger.record(UsageRow(
        request_id=call.id, ts=call.ts, org=ident.org, team=ident.team, user=ident.user, key_id=ident.key_id,
        end_user=call.end_user, model=call.model or "-", target=call.target.label if call.target else None,
        dialect=call.dialect.name, stream=call.stream, status=call.status or 500, code=call.code or None,
        prompt_tokens=int(u.get("prompt_tokens") or 0), completion_tokens=int(u.get("completion_tokens") or 0),
        cached_tokens=int(ptd.get("cached_tokens") or 0),
        cache_creation_tokens=int(ptd.get("cache_creation_tokens") or 0),
        reasoning_tokens=int(ctd.get("reasoning_tokens") or 0), estimated=call.estimated,
        estimated_prompt_tokens=call.est_prompt, cost=call.settled_cost,
        currency=price.currency if price is not None else None,
        latency_ms=round((time.perf_counter() - call.t0) * 1000, 3),
        ttft_ms=round(call.ttft * 1000, 3) if call.ttft is not None else None, attempts=call.attempts,
        guard=orjson.dumps({"policy": call.guard.policy.name, "decisions": call.guard.decisions}).decode()
        if call.guard is not None and call.guard.decisions else None,
        cache=call.cache, cost_saved=call.cost_saved,
        route=f"{call.decision.route} -> {call.decision.group}" if call.decision is not None else None))


def canonical_usage(u: Any) -> dict[str, Any] | None:
    """Usage as the canonical shape, whichever dialect's body it was read from."""
    if not isinstance(u, dict):
        return None
    if "prompt_tokens" in u:
        return u
    if "input_tokens" in u:  # an Anthropic body passed through untranslated
        cached = int(u.get("cache_read_input_tokens") or 0)
        created = int(u.get("cache_creation_input_tokens") or 0)
        return canonical.usage(int(u.get("input_tokens") or 0) + cached + created, int(u.get("output_tokens") or 0),
                               cached=cached, cache_creation=created)
    return None


async def settle(gw: Gateway, call: Call) -> None:
    """The ledger row (if the answer did not already write it), the reservation settled to the
    actual usage, metrics, the access log. Runs for every call: success, refusal, error, disconnect."""
    record(gw, call)
    if call.ticket is not None:
        await gw.limiter.settle(call.ticket, call.settled_tokens, call.settled_cost)
    if call.arm is not None:
        observe_arm(gw, call)
    latency = time.perf_counter() - call.t0
    target = call.target.label if call.target is not None else ""
    status = call.status or 500
    # label only configured model groups: a caller must not be able to mint label values (cardinality)
    model = call.model if call.model in gw.router.routes else "-"
    gw.metrics.observe_call(model, target, status, call.code, latency, call.ttft)
    u = canonical_usage(call.usage)
    if u:
        gw.metrics.observe_tokens(model, target, int(u.get("prompt_tokens") or 0),
                                  int(u.get("completion_tokens") or 0))
    if gw.log.access_log:
        gw.log.access({"request_id": call.id, "dialect": call.dialect.name, "op": call.op, "model": call.model,
                       "target": target, "status": status, "code": call.code or None,
                       "attempts": call.attempts, "stream": call.stream,
                       "latency_ms": round(latency * 1000, 2),
                       "ttft_ms": round(call.ttft * 1000, 2) if call.ttft is not None else None,
                       "key": call.identity.key_id if call.identity else None, "error": call.error}
                      | ({"body": gw.bodies(call.body)} if gw.bodies is not None and call.body else {}))
