"""Canary releases: the split, stickiness, per-arm stats, guards and rollback, and the admin/feedback routes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from tokenway.config.schema import Canary
from tokenway.errors import InvalidApiKey, InvalidRequest, MethodNotAllowed, NotFound
from tokenway.identity.keys import Identity
from tokenway.routing.canary import CanaryState, RecentCalls, percentile, sticky_key
from tokenway.server import admin
from tokenway.server.feedback import feedback, parse_feedback
from tokenway.server.http import Request
from tokenway.telemetry.metrics import Metrics


class FakeLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append(("warning", event, fields))

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append(("info", event, fields))


def make(percent: float = 10, sticky: str = "user", group: str = "chat", **guards: Any,
         ) -> tuple[CanaryState, Metrics, FakeLog]:
    cfg = Canary.model_validate({"target": {"provider": "b", "model": "m2"}, "percent": percent, "sticky": sticky,
                                 "guards": guards})
    metrics, log = Metrics(), FakeLog()
    return CanaryState(group, "a/m1", "b/m2", cfg, metrics, log), metrics, log  # type: ignore[arg-type]


# --------------------------------------------------------------------------- split and stickiness
@pytest.mark.parametrize("percent", [10, 50])
def test_sticky_split_within_tolerance(percent: float) -> None:
    st, _, _ = make(percent)
    n = 10_000
    hits = sum(st.choose(f"user-{i}") for i in range(n))
    # binomial sd at 50% over 10k is 0.5 points; 1.5 points is > 3 sd
    assert abs(hits / n * 100 - percent) < 1.5


@pytest.mark.parametrize("percent", [10, 50])
def test_random_split_within_tolerance(percent: float) -> None:
    st, _, _ = make(percent, sticky="none")
    n = 10_000
    hits = sum(st.choose(None) for _ in range(n))
    assert abs(hits / n * 100 - percent) < 2.0  # 4 sd at 50%: a false alarm about once in 15,000 runs


def test_sticky_same_key_same_arm_always() -> None:
    st, _, _ = make(50)
    first = {f"k{i}": st.choose(f"k{i}") for i in range(500)}
    for _ in range(5):
        assert {k: st.choose(k) for k in first} == first
    # a new state (another worker, a reload) maps the same keys the same way
    st2, _, _ = make(50)
    assert {k: st2.choose(k) for k in first} == first
    assert any(first.values()) and not all(first.values())


def test_sticky_depends_on_group() -> None:
    a, _, _ = make(50, group="g1")
    b, _, _ = make(50, group="g2")
    keys = [f"u{i}" for i in range(400)]
    assert [a.choose(k) for k in keys] != [b.choose(k) for k in keys]


def test_raising_percent_keeps_canary_users_on_canary() -> None:
    lo, _, _ = make(10)
    hi, _, _ = make(30)
    keys = [f"u{i}" for i in range(2000)]
    assert all(hi.choose(k) for k in keys if lo.choose(k))


def test_percent_100_is_all_canary() -> None:
    st, _, _ = make(100)
    assert all(st.choose(f"u{i}") for i in range(1000))
    assert all(st.choose(None) for _ in range(1000))


def test_sticky_none_is_random_for_the_same_call_shape() -> None:
    st, _, _ = make(50, sticky="none")
    picks = {st.choose(None) for _ in range(200)}
    assert picks == {True, False}


# --------------------------------------------------------------------------- rollback
def test_rollback_on_error_rate_after_min_requests_not_before() -> None:
    st, metrics, log = make(50, min_requests=20, max_error_rate=0.2)
    for _ in range(19):
        st.observe(True, False, 0.1, None, 0, None)  # every canary call fails
    assert not st.rolled_back and st.snapshot()["state"] == "active"
    assert metrics.canary_rollbacks["chat"] == 0
    st.observe(True, False, 0.1, None, 0, None)
    assert st.rolled_back
    snap = st.snapshot()
    assert snap["state"] == "rolled_back"
    assert snap["rollback"]["guard"] == "max_error_rate" and "error rate" in snap["rollback"]["reason"]
    assert snap["rollback"]["at"] > 0
    assert metrics.canary_rollbacks["chat"] == 1
    warn = [f for lvl, ev, f in log.lines if lvl == "warning" and ev == "canary_rollback"]
    assert len(warn) == 1 and warn[0]["group"] == "chat" and warn[0]["reason"] == snap["rollback"]["reason"]


def test_error_rate_under_the_limit_does_not_roll_back() -> None:
    st, _, _ = make(50, min_requests=20, max_error_rate=0.2)
    for i in range(200):
        st.observe(True, i % 10 != 0, 0.1, None, 5, None)  # 10% errors
    assert not st.rolled_back


def test_stable_arm_failures_never_roll_back() -> None:
    st, metrics, _ = make(50, min_requests=5, max_error_rate=0.1)
    for _ in range(100):
        st.observe(False, False, 9.0, None, 0, None)
    assert not st.rolled_back and metrics.canary_rollbacks["chat"] == 0


def test_window_forgets_old_errors() -> None:
    st, _, _ = make(50, min_requests=10, window=20, max_error_rate=0.95)
    for _ in range(9):
        st.observe(True, False, 0.1, None, 0, None)  # 9 failures, below min_requests
    for _ in range(20):
        st.observe(True, True, 0.1, None, 0, None)  # pushes them out of the window
    snap = st.snapshot()["canary"]
    assert snap["window_requests"] == 20 and snap["window_errors"] == 0 and snap["errors"] == 9
    assert snap["requests"] == 29 and not st.rolled_back


def test_rollback_on_p95_latency() -> None:
    st, metrics, _ = make(50, min_requests=20, max_error_rate=None, max_p95_latency_ms=1000)
    for _ in range(20):
        st.observe(True, True, 0.5, None, 10, None)
    assert not st.rolled_back
    for _ in range(2):  # 2 of 22 slow: p95 (rank 21) is slow
        st.observe(True, True, 3.0, None, 10, None)
    assert st.rolled_back and st.rollback is not None
    assert st.rollback["guard"] == "max_p95_latency_ms" and st.rollback["value"] == pytest.approx(3000)
    assert metrics.canary_rollbacks["chat"] == 1


def test_rollback_on_p95_ttft() -> None:
    st, _, _ = make(50, min_requests=20, max_error_rate=None, max_p95_ttft_ms=500)
    for _ in range(30):
        st.observe(True, True, 0.5, None, 10, None)  # non-streamed: no ttft samples
    assert not st.rolled_back
    for _ in range(20):
        st.observe(True, True, 2.0, 0.9, 10, None)
    assert st.rolled_back and st.rollback is not None and st.rollback["guard"] == "max_p95_ttft_ms"


def test_rollback_on_cost_per_call() -> None:
    st, _, _ = make(50, min_requests=20, max_cost_per_call=0.01)
    for _ in range(19):
        st.observe(True, True, 0.1, None, 100, 0.02)
    assert not st.rolled_back
    st.observe(True, True, 0.1, None, 100, 0.02)
    assert st.rolled_back and st.rollback is not None and st.rollback["guard"] == "max_cost_per_call"


def test_cheap_canary_does_not_roll_back_on_cost() -> None:
    st, _, _ = make(50, min_requests=20, max_cost_per_call=0.01)
    for _ in range(100):
        st.observe(True, True, 0.1, None, 100, 0.005)
    assert not st.rolled_back


def test_rollback_on_feedback() -> None:
    st, _, _ = make(50, min_requests=5, min_feedback=0.0)
    for _ in range(4):
        st.feedback(True, -1.0)
    assert not st.rolled_back
    st.feedback(False, -1.0)  # stable feedback never rolls back
    assert not st.rolled_back
    st.feedback(True, -0.5)
    assert st.rolled_back and st.rollback is not None and st.rollback["guard"] == "min_feedback"


def test_after_rollback_choose_is_always_false() -> None:
    st, _, _ = make(100, min_requests=1, max_error_rate=0.0)
    assert st.choose("u1")
    st.observe(True, False, 0.1, None, 0, None)
    assert st.rolled_back
    assert not any(st.choose(f"u{i}") for i in range(1000))
    assert not any(st.choose(None) for _ in range(1000))


def test_rollback_happens_once() -> None:
    st, metrics, log = make(50, min_requests=2, max_error_rate=0.1)
    for _ in range(50):
        st.observe(True, False, 0.1, None, 0, None)  # in-flight canary calls finishing after the rollback
    assert metrics.canary_rollbacks["chat"] == 1
    assert sum(1 for _, ev, _ in log.lines if ev == "canary_rollback") == 1
    assert st.snapshot()["canary"]["requests"] == 50


def test_min_requests_larger_than_window_still_trips() -> None:
    st, _, _ = make(50, min_requests=500, window=50, max_error_rate=0.5)
    for _ in range(50):
        st.observe(True, False, 0.1, None, 0, None)
    assert st.rolled_back


def test_canary_that_starts_failing_rolls_back() -> None:
    """The vendor behind the canary fails midway: traffic goes back to stable."""
    st, _, _ = make(20, min_requests=20, window=100, max_error_rate=0.2)
    served = {"stable": 0, "canary": 0}
    for i in range(5000):
        canary = st.choose(f"user-{i}")
        failing = i >= 2000
        st.observe(canary, not (canary and failing), 0.2, None, 50, 0.001)
        served["canary" if canary else "stable"] += 1
    assert st.rolled_back
    assert 300 < served["canary"] < 650  # ~20% of the first 2000 plus the few failures before the trip
    assert not any(st.choose(f"user-{i}") for i in range(5000))


# --------------------------------------------------------------------------- stats and snapshot
def test_percentile_nearest_rank() -> None:
    vals = [float(v) for v in range(1, 101)]
    assert percentile(vals, 50) == 50.0 and percentile(vals, 95) == 95.0 and percentile(vals, 100) == 100.0
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0


def test_snapshot_fields_and_numbers() -> None:
    st, metrics, _ = make(25, sticky="session", min_requests=1000, window=1000, max_p95_latency_ms=5000)
    for i in range(1, 101):  # canary: latency 1..100 ms, ttft 0.5..50 ms, every 10th fails
        ok = i % 10 != 0
        st.observe(True, ok, i / 1000, i / 2000, 10, 0.002 if ok else 0.0)
    st.observe(False, True, 0.2, None, 7, None)  # stable: one unpriced call
    st.feedback(True, 1.0)
    st.feedback(True, 0.0)
    snap = st.snapshot()
    assert snap["group"] == "chat" and snap["sticky"] == "session" and snap["state"] == "active"
    assert snap["rollback"] is None
    assert snap["guards"]["max_p95_latency_ms"] == 5000 and snap["guards"]["window"] == 1000
    c, s = snap["canary"], snap["stable"]
    want = {"label", "requests", "errors", "error_rate", "p50_latency_ms", "p95_latency_ms", "p50_ttft_ms",
            "p95_ttft_ms", "tokens", "cost", "cost_per_call", "feedback_mean", "feedback_count",
            "window_requests", "window_errors"}
    assert want <= set(s) and want | {"percent"} <= set(c)
    assert c["label"] == "b/m2" and s["label"] == "a/m1" and c["percent"] == 25
    assert c["requests"] == 100 and c["errors"] == 10 and c["error_rate"] == pytest.approx(0.1)
    assert c["p50_latency_ms"] == pytest.approx(50) and c["p95_latency_ms"] == pytest.approx(95)
    assert c["p50_ttft_ms"] == pytest.approx(25) and c["p95_ttft_ms"] == pytest.approx(47.5)
    assert c["tokens"] == 1000 and c["cost"] == pytest.approx(0.18)
    assert c["cost_per_call"] == pytest.approx(0.002)  # failed calls do not count toward cost per call
    assert c["feedback_mean"] == pytest.approx(0.5) and c["feedback_count"] == 2
    assert s["requests"] == 1 and s["errors"] == 0 and s["error_rate"] == 0
    assert s["tokens"] == 7 and s["cost"] == 0 and s["cost_per_call"] is None
    assert s["p50_ttft_ms"] is None and s["feedback_mean"] is None and s["feedback_count"] == 0
    orjson.dumps(snap)  # JSON-serialisable as is
    assert metrics.canary_requests[("chat", "canary")] == 100 and metrics.canary_requests[("chat", "stable")] == 1


def test_reset_clears_stats_and_rollback() -> None:
    st, metrics, log = make(100, min_requests=1, max_error_rate=0.0)
    st.observe(True, False, 0.1, None, 3, None)
    st.observe(False, True, 0.1, None, 3, None)
    assert st.rolled_back and not st.choose("u")
    st.reset()
    snap = st.snapshot()
    assert snap["state"] == "active" and snap["rollback"] is None
    assert snap["canary"]["requests"] == 0 and snap["stable"]["requests"] == 0
    assert snap["canary"]["error_rate"] is None and snap["canary"]["p95_latency_ms"] is None
    assert st.choose("u")
    assert metrics.canary_rollbacks["chat"] == 1  # the counter is lifetime
    assert any(ev == "canary_reset" for _, ev, _ in log.lines)


def test_matches() -> None:
    st, _, _ = make(10, max_error_rate=0.2)
    same = Canary.model_validate({"target": {"provider": "b", "model": "m2"}, "percent": 10,
                                  "guards": {"max_error_rate": 0.2}})
    assert st.matches(same, "b/m2")
    assert not st.matches(same, "c/m3")
    assert not st.matches(same.model_copy(update={"percent": 20}), "b/m2")
    other_guards = Canary.model_validate({"target": {"provider": "b", "model": "m2"}, "percent": 10,
                                          "guards": {"max_error_rate": 0.3}})
    assert not st.matches(other_guards, "b/m2")


def test_rollback_metric_is_exposed() -> None:
    st, metrics, _ = make(50, min_requests=1, max_error_rate=0.0)
    st.observe(False, True, 0.1, None, 0, None)
    st.observe(True, False, 0.1, None, 0, None)
    text = metrics.render().decode()
    assert 'tokenway_canary_rollbacks_total{model="chat"} 1.0' in text
    assert 'tokenway_canary_requests_total{arm="canary",model="chat"} 1.0' in text
    assert 'tokenway_canary_requests_total{arm="stable",model="chat"} 1.0' in text


# --------------------------------------------------------------------------- sticky keys and recent calls
def test_sticky_key_modes() -> None:
    kw: dict[str, Any] = {"user": "alice", "key_id": "abc123", "session": "s-1"}
    assert sticky_key("user", **kw) == "alice"
    assert sticky_key("user", **kw, end_user="bob") == "bob"
    assert sticky_key("user", user=None, key_id="abc123", session=None) == "abc123"
    assert sticky_key("session", **kw) == "s-1"
    assert sticky_key("session", user="alice", key_id="abc123", session=None) == "alice"
    assert sticky_key("session", user=None, key_id="abc123", session="") == "abc123"
    assert sticky_key("key", **kw) == "abc123"
    assert sticky_key("none", **kw) is None


def test_recent_calls_bounded_lru() -> None:
    rc = RecentCalls(max_entries=100)
    for i in range(250):
        rc.add(f"req_{i}", "chat", i % 2 == 0)
    assert len(rc) == 100
    assert rc.get("req_0") is None and rc.get("req_149") is None
    assert rc.get("req_150") == ("chat", True) and rc.get("req_249") == ("chat", False)
    rc.get("req_150")  # recently used: survives the next add
    rc.add("req_new", "chat", True)
    assert rc.get("req_150") is not None and rc.get("req_151") is None


def test_recent_calls_pop_once_and_by_key() -> None:
    rc = RecentCalls()
    rc.add("r1", "chat", True, key_id="k1")
    assert rc.pop("r1", "k2") is None  # another key's call
    assert rc.pop("r1", "k1") == ("chat", True)
    assert rc.pop("r1", "k1") is None  # once
    rc.add("r2", "chat", False)
    assert rc.pop("r2", "anything") == ("chat", False)


def test_recent_calls_default_bound() -> None:
    rc = RecentCalls()
    for i in range(10_050):
        rc.add(str(i), "g", False)
    assert len(rc) == 10_000


# --------------------------------------------------------------------------- admin and feedback routes
class FakeResp:
    def __init__(self) -> None:
        self.status = 0
        self.body = b""
        self.started = False

    def send(self, status: int, body: bytes, headers: bytes = b"", content_type: bytes = b"") -> None:
        self.status, self.body, self.started = status, body, True


class FakeKeys:
    def identify(self, headers: dict[str, str]) -> Identity:
        if headers.get("authorization") == "Bearer sk-1":
            return Identity(key_id="k1")
        if headers.get("authorization") == "Bearer sk-2":
            return Identity(key_id="k2", models=frozenset({"other"}))
        raise InvalidApiKey("invalid API key")


def fake_gw(*states: CanaryState) -> Any:
    cfg = SimpleNamespace(admin=SimpleNamespace(keys=["admin-secret"]))
    return SimpleNamespace(cfg=cfg, canaries={s.group: s for s in states}, recent_calls=RecentCalls(),
                           keys=FakeKeys())


def call(route: Any, gw: Any, method: str, path: str, body: bytes = b"", auth: str = "Bearer admin-secret",
         ) -> FakeResp:
    resp = FakeResp()
    req = Request(method, path.encode(), {"authorization": auth}, body, "127.0.0.1")
    asyncio.run(route(gw, req, resp))
    return resp


def admin_router() -> tuple[Any, dict[str, Any]]:
    post: dict[str, Any] = {}
    get: dict[str, Any] = {}
    return admin.admin_routes(post, get), get


def test_admin_lists_canaries() -> None:
    a, _, _ = make(10, group="chat")
    b, _, _ = make(30, group="code", min_requests=1, max_error_rate=0.0)
    b.observe(True, False, 0.1, None, 0, None)
    gw = fake_gw(a, b)
    _, get = admin_router()
    resp = call(get["/admin/canaries"], gw, "GET", "/admin/canaries")
    assert resp.status == 200
    data = orjson.loads(resp.body)["data"]
    assert [d["group"] for d in data] == ["chat", "code"]
    assert data[0]["state"] == "active" and data[1]["state"] == "rolled_back"
    assert data[1]["canary"]["percent"] == 30 and data[1]["rollback"]["guard"] == "max_error_rate"
    with pytest.raises(InvalidApiKey):
        call(get["/admin/canaries"], gw, "GET", "/admin/canaries", auth="Bearer nope")


def test_admin_reset_and_one_canary() -> None:
    st, _, _ = make(30, group="code", min_requests=1, max_error_rate=0.0)
    st.observe(True, False, 0.1, None, 0, None)
    gw = fake_gw(st)
    dispatch, _ = admin_router()
    one = call(dispatch, gw, "GET", "/admin/canaries/code")
    assert one.status == 200 and orjson.loads(one.body)["state"] == "rolled_back"
    with pytest.raises(MethodNotAllowed):
        call(dispatch, gw, "GET", "/admin/canaries/code/reset")
    resp = call(dispatch, gw, "POST", "/admin/canaries/code/reset")
    assert resp.status == 200 and orjson.loads(resp.body)["state"] == "active"
    assert not st.rolled_back
    with pytest.raises(NotFound):
        call(dispatch, gw, "POST", "/admin/canaries/nope/reset")
    with pytest.raises(NotFound):
        call(dispatch, gw, "POST", "/admin/canaries/code/other")
    with pytest.raises(MethodNotAllowed):
        call(dispatch, gw, "POST", "/admin/canaries")
    with pytest.raises(InvalidApiKey):
        call(dispatch, gw, "POST", "/admin/canaries/code/reset", auth="Bearer nope")


def test_feedback_route() -> None:
    st, _, _ = make(50, min_requests=2, min_feedback=0.0)
    gw = fake_gw(st)
    gw.recent_calls.add("req_1", "chat", True, key_id="k1")
    gw.recent_calls.add("req_2", "chat", True, key_id="k1")
    gw.recent_calls.add("req_3", "chat", False, key_id="k1")
    body = orjson.dumps({"request_id": "req_1", "score": -1})
    with pytest.raises(NotFound):  # another key's call
        call(feedback, gw, "POST", "/v1/feedback", body, auth="Bearer sk-2")
    resp = call(feedback, gw, "POST", "/v1/feedback", body, auth="Bearer sk-1")
    assert resp.status == 200 and orjson.loads(resp.body) == {"ok": True}
    with pytest.raises(NotFound):  # once per call
        call(feedback, gw, "POST", "/v1/feedback", body, auth="Bearer sk-1")
    call(feedback, gw, "POST", "/v1/feedback", orjson.dumps({"request_id": "req_3", "score": 1}), auth="Bearer sk-1")
    assert st.snapshot()["stable"]["feedback_mean"] == 1.0 and not st.rolled_back
    call(feedback, gw, "POST", "/v1/feedback", orjson.dumps({"request_id": "req_2", "score": -0.5}),
         auth="Bearer sk-1")
    assert st.rolled_back and st.snapshot()["canary"]["feedback_count"] == 2
    with pytest.raises(InvalidApiKey):
        call(feedback, gw, "POST", "/v1/feedback", body, auth="Bearer bad")


@pytest.mark.parametrize("raw", [b"", b"[]", b"{", b'{"score": 1}', b'{"request_id": "r", "score": 2}',
                                 b'{"request_id": "r", "score": true}', b'{"request_id": "r", "score": "1"}',
                                 b'{"request_id": "r", "score": 1, "x": 1}', b'{"request_id": "", "score": 0}'])
def test_feedback_body_validation(raw: bytes) -> None:
    with pytest.raises(InvalidRequest):
        parse_feedback(raw)


def test_feedback_body_ok() -> None:
    assert parse_feedback(b'{"request_id": "req_1", "score": 0.5}') == ("req_1", 0.5)
    assert parse_feedback(b'{"request_id": "req_1", "score": -1}') == ("req_1", -1.0)
