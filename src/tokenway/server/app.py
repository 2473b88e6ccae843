"""Routes: which handler serves which path, and errors rendered in the path's dialect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import orjson

from tokenway import pipeline
from tokenway.dialects import anthropic as anthropic_dialect
from tokenway.dialects.formats import (
    ANTHROPIC,
    OPENAI_CHAT,
    OPENAI_EMBEDDINGS,
    OPENAI_RESPONSES,
    ClientDialect,
)
from tokenway.errors import (
    GatewayError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    RequestTooLarge,
    UpstreamError,
)
from tokenway.gateway import Gateway, Shared
from tokenway.metering.tokenizer import prompt_tokens
from tokenway.server.admin import admin_routes
from tokenway.server.feedback import feedback
from tokenway.server.http import BadHttp, Request, Responder, TooLarge
from tokenway.upstream.client import ConnectError, Disconnected, ReadTimeout

Route = Callable[[Gateway, Request, Responder], Awaitable[None]]


def _model_call(dialect: ClientDialect, op: str = "chat") -> Route:
    async def route(gw: Gateway, req: Request, resp: Responder) -> None:
        await pipeline.handle(gw, req, resp, dialect, op)

    return route


async def _count_tokens(gw: Gateway, req: Request, resp: Responder) -> None:
    """Anthropic's count_tokens: asked of the vendor when the group's first target is Anthropic,
    estimated locally otherwise."""
    ident = gw.keys.identify(req.headers)
    body = pipeline.decode_json(req.body)
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise InvalidRequest("model: Field required", param="model")
    if not isinstance(body.get("messages"), list):
        raise InvalidRequest("messages: Field required", param="messages")
    ANTHROPIC.to_canonical({**body, "max_tokens": 1})  # the same shape checks as /v1/messages
    route = pipeline.routes_for(gw, ident, body["model"])[0]
    if route.semantic is not None:  # a router: count as its default group would
        route = gw.router.routes[gw.cfg.models[body["model"]].router.default]
    target = route.targets[0]
    if target.provider.format == "anthropic":
        payload = orjson.dumps({**body, "model": target.model})
        loop = asyncio.get_running_loop()
        try:
            r = await target.provider.send("count_tokens", target.model, payload, False, loop.time() + 30)
            raw = await r.read()
        except (ConnectError, Disconnected, ReadTimeout):
            r, raw = None, b""  # the vendor cannot count now: estimate instead (the header says so)
        if r is not None and r.status == 200:
            resp.send(200, raw)
            return
        if r is not None and 400 <= r.status < 500 and r.status not in (401, 403, 404, 408, 429):
            raise UpstreamError(f"{target.label} answered {r.status}: {anthropic_dialect.decode_error(raw)}",
                                status=r.status, code="upstream_bad_request")
    n = prompt_tokens(body, "anthropic", target.model, gw.tokenizers)[0]
    resp.send(200, orjson.dumps({"input_tokens": n}), b"x-tokenway-estimated: true\r\n")


async def _models(gw: Gateway, req: Request, resp: Responder) -> None:
    ident = gw.keys.identify(req.headers)
    names = [m for m in gw.router.routes if ident.may_use(m)]
    if "anthropic-version" in req.headers:
        data = [{"type": "model", "id": m, "display_name": m, "created_at": "2024-01-01T00:00:00Z"}
                for m in names]
        body = {"data": data, "has_more": False, "first_id": names[0] if names else None,
                "last_id": names[-1] if names else None}
    else:
        body = {"object": "list",
                "data": [{"id": m, "object": "model", "created": 0, "owned_by": "tokenway"} for m in names]}
    resp.send(200, orjson.dumps(body))


async def _healthz(gw: Gateway, req: Request, resp: Responder) -> None:
    resp.send(200, b'{"status":"ok"}')


class App:
    """The HTTP application: current gateway, routes, in-flight tracking."""

    def __init__(self, gateway: Gateway, shared: Shared) -> None:
        self.gateway = gateway
        self.shared = shared
        self.inflight = 0
        self.draining = False
        self.started = time.time()
        chat, responses = _model_call(OPENAI_CHAT), _model_call(OPENAI_RESPONSES)
        messages, embeddings = _model_call(ANTHROPIC), _model_call(OPENAI_EMBEDDINGS, "embeddings")
        self.post: dict[str, Route] = {
            "/v1/chat/completions": chat, "/chat/completions": chat,
            "/v1/responses": responses, "/responses": responses,
            "/v1/messages": messages,
            "/v1/messages/count_tokens": _count_tokens,
            "/v1/embeddings": embeddings, "/embeddings": embeddings,
            "/v1/feedback": feedback,
        }
        self.get: dict[str, Route] = {
            "/v1/models": _models, "/models": _models,
            "/healthz": _healthz, "/readyz": self._readyz,
        }
        self.admin = admin_routes(self.post, self.get)  # /admin/ paths with an id go through self.admin
        self.metrics_path = gateway.cfg.metrics.path
        self.metrics_enabled = gateway.cfg.metrics.enabled

    async def _readyz(self, gw: Gateway, req: Request, resp: Responder) -> None:
        if self.draining:
            resp.send(503, b'{"status":"draining"}')
        else:
            resp.send(200, orjson.dumps({"status": "ready", "models": len(gw.router.routes)}))

    async def handle(self, req: Request, resp: Responder) -> None:
        gw = self.gateway
        self.inflight += 1
        try:
            route = (self.post if req.method == "POST" else self.get if req.method in ("GET", "HEAD") else {}).get(
                req.path)
            if route is None and req.path.startswith("/admin/"):
                route = self.admin
            if route is not None:
                try:
                    await route(gw, req, resp)
                except GatewayError as e:
                    if not resp.started:
                        status, body = self.render_error(req.path, e)
                        resp.send(status, body)
                return
            if req.method == "GET" and self.metrics_enabled and req.path == self.metrics_path:
                resp.send(200, gw.metrics.render(), content_type=b"text/plain; version=0.0.4; charset=utf-8")
                return
            if req.path in self.post or req.path in self.get:
                err: GatewayError = MethodNotAllowed(f"{req.method} is not allowed on {req.path}")
            else:
                err = NotFound(f"no route for {req.method} {req.path}")
            status, body = self.render_error(req.path, err)
            resp.send(status, body)
        finally:
            self.inflight -= 1

    def render_error(self, path: str, exc: BaseException) -> tuple[int, bytes]:
        """An error body in the dialect the path implies (Anthropic under /v1/messages)."""
        if isinstance(exc, GatewayError):
            err = exc
        elif isinstance(exc, TooLarge):
            err = RequestTooLarge("the request body is larger than the configured limit "
                                  f"(server.max_body_bytes = {self.gateway.cfg.server.max_body_bytes})")
        elif isinstance(exc, BadHttp):
            err = InvalidRequest(str(exc))
        else:
            self.gateway.log.error("unhandled", path=path, error=repr(exc))
            err = GatewayError("internal error; see the gateway log")
        dialect = ANTHROPIC if path.startswith("/v1/messages") else OPENAI_CHAT
        return err.status, dialect.error(err)
