"""POST /v1/feedback: a caller's score for one earlier call, counted on its canary arm.

Body: ``{"request_id": "req_...", "score": number in [-1, 1]}`` (the request id is the call's
``x-request-id`` response header). Authenticated by the virtual key that made the call. One score
per call; a call that is unknown, too old (past the recent-calls memory), made with another key or
already scored answers 404. Answers ``{"ok": true}``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import orjson

from tokenway.errors import InvalidRequest, NotFound
from tokenway.routing.canary import FEEDBACK_MAX, FEEDBACK_MIN

if TYPE_CHECKING:
    from tokenway.gateway import Gateway
    from tokenway.server.http import Request, Responder

FIELDS = ("request_id", "score")


def parse_feedback(raw: bytes) -> tuple[str, float]:
    """The request id and score of a feedback body, or an InvalidRequest saying what is wrong."""
    if not raw.strip():
        raise InvalidRequest("the request body is empty; send {\"request_id\": ..., \"score\": ...}")
    try:
        body: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise InvalidRequest(f"the request body is not valid JSON: {e}") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the request body is a JSON object: {\"request_id\": ..., \"score\": ...}")
    unknown = [k for k in body if k not in FIELDS]
    if unknown:
        raise InvalidRequest(f"{unknown[0]}: unknown field (send request_id and score)", param=unknown[0])
    rid = body.get("request_id")
    if not isinstance(rid, str) or not rid.strip() or len(rid) > 256:
        raise InvalidRequest("request_id: a call's id (its x-request-id response header) is required",
                             param="request_id")
    score = body.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score) \
            or not FEEDBACK_MIN <= score <= FEEDBACK_MAX:
        raise InvalidRequest(f"score: a number from {FEEDBACK_MIN:g} (bad) to {FEEDBACK_MAX:g} (good) is required",
                             param="score")
    return rid.strip(), float(score)


async def feedback(gw: Gateway, req: Request, resp: Responder) -> None:
    ident = gw.keys.identify(req.headers)
    rid, score = parse_feedback(req.body)
    recent = gw.recent_calls
    hit = recent.pop(rid, ident.key_id)
    if hit is None or not ident.may_use(hit[0]):
        raise NotFound(f"no recent call {rid!r} to score: calls to a model group with a canary are kept "
                       f"(the last {recent.max_entries:,} per worker) for the key that made them, and scored once",
                       param="request_id")
    group, canary = hit
    state = gw.canaries.get(group)
    if state is None:
        raise NotFound(f"model group {group!r} no longer has a canary", param="request_id")
    state.feedback(canary, score)
    resp.send(200, b'{"ok":true}')
