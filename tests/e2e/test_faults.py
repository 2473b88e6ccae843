"""Reliability end to end: the real gateway process in front of misbehaving vendors, seen through
the official SDKs (and raw httpx where the SDKs hide what matters).

Vendors: tests/emulators/faulty_vendor.py (modes: status, flaky, hang, slow-first-byte,
slow-first-token, cut-stream, slow-stream; ``/_stats`` counts calls and client-closed connections)
and a port with nothing listening. Every wait is bounded; time tolerances are generous because the
box has 2 cores shared with other suites.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.conftest import ROOT, Proc, free_port
from tests.e2e.support import wait_for

FAULTY_VENDOR = ROOT / "tests" / "emulators" / "faulty_vendor.py"
CLIENT_KEY = "sk-client-secret-7f3a9c21e5"
UPSTREAM_KEY = "sk-upstream-secret-b81d44e0aa"
AUTH = {"Authorization": f"Bearer {CLIENT_KEY}"}
MSG = [{"role": "user", "content": "hello"}]
FULL = "tok0 tok1 tok2 tok3 tok4"  # what an ok faulty_vendor answers with --tokens 5

pytestmark = pytest.mark.timeout(40)


# --------------------------------------------------------------------------- fixtures & helpers
@pytest.fixture
def start_vendor(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start faulty_vendor.py in a mode (optionally on a given port, e.g. to restart it)."""
    procs: list[Proc] = []

    def start(mode: str, port: int | None = None, tokens: int = 5) -> Proc:
        port = port or free_port()
        p = Proc([sys.executable, str(FAULTY_VENDOR), "--port", str(port), "--mode", mode, "--tokens", str(tokens)],
                 port, tmp_path / f"vendor-{port}-{len(procs)}.log", health="/health")
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.stop()


def stats(vendor: Proc) -> dict[str, Any]:
    return httpx.get(vendor.url + "/_stats", timeout=2).json()


def config(providers: dict[str, str], models: str, routing: str = "", access_log: bool = False) -> str:
    """A gateway config: ``providers`` name -> port (openai-compatible on loopback), ``models`` and
    ``routing`` as YAML blocks (indented two spaces)."""
    provs = "\n".join(f"  {name}: {{type: openai-compatible, base_url: 'http://127.0.0.1:{port}/v1', "
                      f"api_key: {UPSTREAM_KEY}}}" for name, port in providers.items())
    return f"""
server: {{host: 127.0.0.1, reload: false}}
logging: {{access_log: {str(access_log).lower()}}}
routing:
  backoff_base_s: 0.01
  backoff_max_s: 0.05
{routing}
providers:
{provs}
models:
{models}
keys:
  - {{name: tests, key: {CLIENT_KEY}}}
"""


def oai(gw: Proc, timeout: float = 15.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key=CLIENT_KEY, max_retries=0, timeout=timeout)


def ant(gw: Proc, timeout: float = 15.0) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url, api_key=CLIENT_KEY, max_retries=0, timeout=timeout)


def chat_raw(gw: Proc, model: str = "m", **kw: Any) -> Any:
    return oai(gw).chat.completions.with_raw_response.create(model=model, messages=MSG, **kw)


def circuit_state(gw: Proc, target: str) -> float | None:
    text = httpx.get(gw.url + "/metrics", timeout=2).text
    m = re.search(rf'^tokenway_circuit_state\{{target="{re.escape(target)}"\}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


# --------------------------------------------------------------------------- 1. 500 then success
@pytest.mark.parametrize("stream", [False, True])
def test_vendor_500_then_success_is_retried_on_same_target(start_gateway, start_vendor, stream: bool) -> None:
    v = start_vendor("flaky:1")
    gw = start_gateway(config({"flaky": v.port}, "  m: {targets: [{provider: flaky, model: gpt-x}]}"))
    r = chat_raw(gw, stream=stream)
    assert r.http_response.status_code == 200
    assert r.headers["x-tokenway-attempts"] == "2"
    assert r.headers["x-tokenway-target"] == "flaky/gpt-x"
    out = r.parse()
    text = "".join(c.choices[0].delta.content or "" for c in out if c.choices) if stream \
        else out.choices[0].message.content
    assert text == FULL
    assert stats(v)["requests"] == 2


# --------------------------------------------------------------------------- 2. 429 + Retry-After
def test_429_retry_after_is_waited_before_the_retry(start_gateway, start_vendor) -> None:
    v = start_vendor("flaky:1:429:retry-after=1")
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}"))
    t0 = time.monotonic()
    r = chat_raw(gw)
    elapsed = time.monotonic() - t0
    assert r.http_response.status_code == 200
    assert r.headers["x-tokenway-attempts"] == "2"
    assert r.parse().choices[0].message.content == FULL
    assert elapsed >= 0.95, f"retried after {elapsed:.2f}s, before the vendor's Retry-After: 1"
    assert elapsed < 5


def test_429_retry_after_over_the_cap_goes_straight_to_fallback(start_gateway, start_vendor) -> None:
    limited = start_vendor("status:429:retry-after=30")
    backup = start_vendor("ok")
    models = """\
  m:
    targets: [{provider: limited, model: gpt-x}]
    fallbacks: [backup]
  solo: {targets: [{provider: limited, model: gpt-x}]}
  backup: {targets: [{provider: backup, model: gpt-y}]}"""
    gw = start_gateway(config({"limited": limited.port, "backup": backup.port}, models,
                              routing="  max_retry_after_s: 5"))
    t0 = time.monotonic()
    r = chat_raw(gw)
    elapsed = time.monotonic() - t0
    assert r.http_response.status_code == 200
    assert r.headers["x-tokenway-target"] == "backup/gpt-y"
    assert r.headers["x-tokenway-attempts"] == "2"
    assert r.parse().choices[0].message.content == FULL
    assert elapsed < 2.5, f"waited {elapsed:.2f}s for a Retry-After over the cap"
    assert stats(limited)["requests"] == 1  # no second try on the rate-limited target

    # no fallback: the caller gets the 429 at once, with the vendor's Retry-After passed on
    t0 = time.monotonic()
    with pytest.raises(openai.RateLimitError) as ei:
        chat_raw(gw, model="solo")
    assert time.monotonic() - t0 < 2.5
    assert ei.value.status_code == 429
    assert ei.value.code == "upstream_rate_limited"
    assert ei.value.response.headers["retry-after"] == "30"
    assert stats(limited)["requests"] == 2


# --------------------------------------------------------------------------- 3. connection refused
def test_connection_refused_falls_back(start_gateway, start_vendor) -> None:
    backup = start_vendor("ok")
    models = """\
  m:
    targets: [{provider: dead, model: gpt-x}]
    fallbacks: [backup]
    retries: 1
  backup: {targets: [{provider: backup, model: gpt-y}]}"""
    gw = start_gateway(config({"dead": free_port(), "backup": backup.port}, models))
    for stream in (False, True):
        r = chat_raw(gw, stream=stream)
        assert r.http_response.status_code == 200
        assert r.headers["x-tokenway-target"] == "backup/gpt-y"
        assert r.headers["x-tokenway-attempts"] == "3"  # dead twice (1 retry), then the fallback
        out = r.parse()
        text = "".join(c.choices[0].delta.content or "" for c in out if c.choices) if stream \
            else out.choices[0].message.content
        assert text == FULL


def test_connection_refused_without_fallback_is_503_in_the_callers_dialect(start_gateway) -> None:
    gw = start_gateway(config({"dead": free_port()}, "  m: {targets: [{provider: dead, model: gpt-x}]}"))
    with pytest.raises(openai.InternalServerError) as ei:
        chat_raw(gw)
    e = ei.value
    assert e.status_code == 503
    assert e.code == "upstream_unavailable"
    body = e.response.json()
    assert set(body) == {"error"} and body["error"]["type"] == "api_error" and body["error"]["message"]
    assert e.response.headers["x-tokenway-attempts"] == "3"  # default retries: 2

    with pytest.raises(openai.InternalServerError) as ei:  # streaming: refused before the first byte
        oai(gw).chat.completions.create(model="m", messages=MSG, stream=True)
    assert ei.value.status_code == 503 and ei.value.code == "upstream_unavailable"

    with pytest.raises(anthropic.InternalServerError) as ai:
        ant(gw).messages.create(model="m", max_tokens=50, messages=MSG)
    a = ai.value
    assert a.status_code == 503
    body = a.response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "api_error"
    assert body["error"]["code"] == "upstream_unavailable"


# --------------------------------------------------------------------------- 4. timeouts
@pytest.mark.parametrize("mode", ["hang", "slow-first-byte:10", "slow-first-token:10"])
def test_first_token_timeout_on_a_stream_moves_to_fallback(start_gateway, start_vendor, mode: str) -> None:
    slow = start_vendor(mode)
    backup = start_vendor("ok")
    models = """\
  m:
    targets: [{provider: slow, model: gpt-x}]
    fallbacks: [backup]
    retries: 0
    first_token_timeout_s: 0.5
  backup: {targets: [{provider: backup, model: gpt-y}]}"""
    gw = start_gateway(config({"slow": slow.port, "backup": backup.port}, models))
    t0 = time.monotonic()
    r = chat_raw(gw, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in r.parse() if c.choices)
    elapsed = time.monotonic() - t0
    assert r.headers["x-tokenway-target"] == "backup/gpt-y"
    assert r.headers["x-tokenway-attempts"] == "2"
    assert text == FULL
    assert 0.4 < elapsed < 3.0, f"fallback after {elapsed:.2f}s with first_token_timeout_s 0.5"
    # the abandoned attempt's connection was closed, not left waiting
    assert wait_for(lambda: stats(slow)["client_closed"] == 1, 2.0), stats(slow)


@pytest.mark.parametrize("mode", ["hang", "slow-first-byte:10"])
def test_total_timeout_without_fallback_is_504_at_the_deadline(start_gateway, start_vendor, mode: str) -> None:
    v = start_vendor(mode)
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}], timeout_s: 1}"))
    t0 = time.monotonic()
    with pytest.raises(openai.APIStatusError) as ei:
        chat_raw(gw)
    elapsed = time.monotonic() - t0
    assert ei.value.status_code == 504
    assert ei.value.code == "upstream_timeout"
    assert 0.9 < elapsed < 2.5, f"504 after {elapsed:.2f}s with timeout_s 1"
    assert stats(v)["requests"] == 1  # no retry past the deadline


# --------------------------------------------------------------------------- 5. stream cut mid-way
def test_stream_cut_midway_ends_with_an_openai_error_event(start_gateway, start_vendor) -> None:
    v = start_vendor("cut-stream:3", tokens=10)
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}"))
    got = []
    t0 = time.monotonic()
    with pytest.raises(openai.APIError) as ei:  # the error comes while iterating
        for c in oai(gw, timeout=10).chat.completions.create(model="m", messages=MSG, stream=True):
            got.append(c.choices[0].delta.content or "" if c.choices else "")
    assert time.monotonic() - t0 < 5
    assert "".join(got) == "tok0 tok1 tok2"
    assert "cut" in ei.value.message or "closed" in ei.value.message
    assert stats(v)["requests"] == 1  # a stream that has started is never retried

    # on the wire: the chunks, then an OpenAI error event, no [DONE], a properly ended response
    with httpx.stream("POST", gw.url + "/v1/chat/completions", headers=AUTH, timeout=10,
                      json={"model": "m", "messages": MSG, "stream": True}) as r:
        raw = r.read()
    assert r.status_code == 200
    events = [json.loads(line[6:]) for line in raw.decode().split("\n") if line.startswith("data: {")]
    assert [e["choices"][0]["delta"]["content"] for e in events[:-1]] == ["tok0", " tok1", " tok2"]
    assert events[-1]["error"]["code"] == "upstream_unavailable"
    assert b"[DONE]" not in raw


def test_stream_cut_midway_ends_with_an_anthropic_error_event(start_gateway, start_vendor) -> None:
    v = start_vendor("cut-stream:3", tokens=10)
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}"))
    got = []
    t0 = time.monotonic()
    with pytest.raises(anthropic.APIError) as ei, \
            ant(gw, timeout=10).messages.stream(model="m", max_tokens=50, messages=MSG) as s:
        for t in s.text_stream:
            got.append(t)
    assert time.monotonic() - t0 < 5
    assert "".join(got) == "tok0 tok1 tok2"
    assert "cut" in str(ei.value) or "closed" in str(ei.value)


# --------------------------------------------------------------------------- 6. slow stream
def test_very_slow_stream_completes_intact(start_gateway, start_vendor) -> None:
    v = start_vendor("slow-stream:0.2", tokens=5)
    models = "  m: {targets: [{provider: v, model: gpt-x}], first_token_timeout_s: 0.6, timeout_s: 10}"
    gw = start_gateway(config({"v": v.port}, models))
    arrivals, text, finish = [], "", []
    for c in oai(gw).chat.completions.create(model="m", messages=MSG, stream=True,
                                             stream_options={"include_usage": True}):
        if c.choices:
            if c.choices[0].delta.content:
                arrivals.append(time.monotonic())
                text += c.choices[0].delta.content
            if c.choices[0].finish_reason:
                finish.append(c.choices[0].finish_reason)
        usage = c.usage or None
    assert text == FULL
    assert finish == ["stop"]
    assert usage is not None and usage.completion_tokens == 5
    # chunks were forwarded as they came (0.2 s apart), not buffered to the end
    assert arrivals[-1] - arrivals[0] > 0.5


# --------------------------------------------------------------------------- 7. circuit breaker
def test_circuit_breaker_opens_fails_fast_probes_and_closes(start_gateway, start_vendor) -> None:
    v = start_vendor("status:500")
    cooldown = 2.0  # long enough that the fail-fast calls below land inside it on a busy box
    routing = f"  retries: 0\n  circuit_breaker: {{consecutive_failures: 3, cooldown_s: {cooldown}}}"
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}", routing=routing))
    target = "v/gpt-x"
    assert circuit_state(gw, target) == 0

    for _ in range(3):
        with pytest.raises(openai.APIStatusError) as ei:
            chat_raw(gw)
        assert ei.value.status_code == 502 and ei.value.code == "upstream_error"
    opened = time.monotonic()
    assert stats(v)["requests"] == 3

    # open: fast 503s that never reach the vendor (as many as fit well inside the cooldown)
    fast = 0
    while fast < 10 and (fast == 0 or time.monotonic() < opened + cooldown * 0.6):
        t0 = time.monotonic()
        with pytest.raises(openai.InternalServerError) as ei:
            chat_raw(gw)
        assert ei.value.status_code == 503 and ei.value.code == "upstream_unavailable"
        assert time.monotonic() - t0 < 1.0
        fast += 1
    assert circuit_state(gw, target) == 1
    assert stats(v)["requests"] == 3, "calls reached the vendor while the circuit was open"

    # after the cooldown one probe goes through; the vendor still fails, so it opens again
    time.sleep(max(0.0, opened + cooldown + 0.15 - time.monotonic()))
    with pytest.raises(openai.APIStatusError) as ei:
        chat_raw(gw)
    assert ei.value.status_code == 502
    reopened = time.monotonic()
    with pytest.raises(openai.InternalServerError) as ei:
        chat_raw(gw)
    assert ei.value.status_code == 503
    assert stats(v)["requests"] == 4
    assert circuit_state(gw, target) == 1

    # the vendor recovers (restarted on the same port): the next probe closes the breaker
    v.stop()
    v2 = start_vendor("ok", port=v.port)
    time.sleep(max(0.0, reopened + cooldown + 0.15 - time.monotonic()))
    r = chat_raw(gw)
    assert r.http_response.status_code == 200 and r.parse().choices[0].message.content == FULL
    assert circuit_state(gw, target) == 0
    for _ in range(3):
        assert chat_raw(gw).http_response.status_code == 200
    assert stats(v2)["requests"] == 4


# --------------------------------------------------------------------------- 8. client disconnect
def test_client_disconnect_mid_stream_cancels_the_upstream_call(start_gateway, start_vendor) -> None:
    v = start_vendor("slow-stream:0.3", tokens=20)
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}", access_log=True))
    with httpx.Client(timeout=5) as client, client.stream(
            "POST", gw.url + "/v1/chat/completions", headers=AUTH,
            json={"model": "m", "messages": MSG, "stream": True}) as r:
        assert r.status_code == 200
        first = next(r.iter_raw())
        assert b"tok0" in first
    closed_at = time.monotonic()
    assert wait_for(lambda: stats(v)["client_closed"] == 1, 1.5), stats(v)
    assert time.monotonic() - closed_at < 1.5
    s = stats(v)
    assert s["requests"] == 1 and s["completed"] == 0
    assert wait_for(lambda: '"status":499' in gw.output(), 2.0), gw.output()[-2000:]


def test_client_disconnect_while_waiting_cancels_the_upstream_call(start_gateway, start_vendor) -> None:
    v = start_vendor("hang")
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}"))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(gw.url + "/v1/chat/completions", headers=AUTH, timeout=0.5,
                   json={"model": "m", "messages": MSG})
    closed_at = time.monotonic()
    assert wait_for(lambda: stats(v)["client_closed"] == 1, 1.5), stats(v)
    assert time.monotonic() - closed_at < 1.5
    assert stats(v)["requests"] == 1  # and no retry was started for a caller that left


# --------------------------------------------------------------------------- 9. balancing
def test_weighted_balancing_follows_the_weights(start_gateway, start_upstream) -> None:
    v = start_upstream("--tokens", "4")
    models = """\
  m:
    targets:
      - {provider: v, model: heavy, weight: 3}
      - {provider: v, model: light, weight: 1}"""
    gw = start_gateway(config({"v": v.port}, models))
    seen: Counter[str] = Counter()
    with httpx.Client(timeout=5, headers=AUTH) as c:
        for _ in range(200):
            r = c.post(gw.url + "/v1/chat/completions", json={"model": "m", "messages": MSG})
            assert r.status_code == 200
            seen[r.headers["x-tokenway-target"]] += 1
    assert set(seen) == {"v/heavy", "v/light"}
    assert 130 <= seen["v/heavy"] <= 170, seen  # 75 % expected; 65-85 % accepted


def test_least_latency_prefers_the_fast_target(start_gateway, start_upstream) -> None:
    slow = start_upstream("--latency-ms", "300")
    fast = start_upstream()
    models = """\
  m:
    balance: least-latency
    targets:
      - {provider: slow, model: gpt-x}
      - {provider: fast, model: gpt-x}"""
    gw = start_gateway(config({"slow": slow.port, "fast": fast.port}, models))
    warm: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    with httpx.Client(timeout=5, headers=AUTH) as c:
        for i in range(24):
            r = c.post(gw.url + "/v1/chat/completions", json={"model": "m", "messages": MSG})
            assert r.status_code == 200
            (warm if i < 4 else seen)[r.headers["x-tokenway-target"]] += 1
    assert warm["slow/gpt-x"] >= 1, warm  # both were measured during the warm-up
    assert seen["fast/gpt-x"] >= 18, seen


# --------------------------------------------------------------------------- 10. access log
def test_access_log_shows_attempts_and_never_the_keys(start_gateway, start_vendor) -> None:
    v = start_vendor("flaky:1")
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}", access_log=True))
    r = chat_raw(gw)
    assert r.headers["x-tokenway-attempts"] == "2"
    rid = r.headers["x-request-id"]
    wrong = "sk-wrong-secret-0c9e1d77"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=gw.url + "/v1", api_key=wrong, max_retries=0).chat.completions.create(
            model="m", messages=MSG)

    def line() -> dict[str, Any] | None:
        for ln in gw.output().splitlines():
            if rid in ln:
                return json.loads(ln)
        return None

    assert wait_for(lambda: line() is not None, 2.0), gw.output()[-2000:]
    rec = line()
    assert rec is not None
    assert rec["event"] == "request" and rec["status"] == 200
    assert rec["attempts"] == 2
    assert rec["target"] == "v/gpt-x"
    assert re.fullmatch(r"[0-9a-f]{12}", rec["key"])
    out = gw.output()
    for secret in (CLIENT_KEY, UPSTREAM_KEY, wrong, CLIENT_KEY[3:], UPSTREAM_KEY[3:], wrong[3:]):
        assert secret not in out


# --------------------------------------------------------------------------- extra: edges of the above
def test_stream_stalling_past_the_deadline_ends_with_a_timeout_error_event(start_gateway, start_vendor) -> None:
    v = start_vendor("slow-stream:5", tokens=3)
    models = "  m: {targets: [{provider: v, model: gpt-x}], first_token_timeout_s: 1, timeout_s: 1.5}"
    gw = start_gateway(config({"v": v.port}, models))
    got = []
    t0 = time.monotonic()
    with pytest.raises(openai.APIError) as ei:
        for c in oai(gw, timeout=10).chat.completions.create(model="m", messages=MSG, stream=True):
            got.append(c.choices[0].delta.content or "" if c.choices else "")
    elapsed = time.monotonic() - t0
    assert "".join(got) == "tok0"
    assert ei.value.code == "upstream_timeout"
    assert 1.3 < elapsed < 3.5, f"stream ended after {elapsed:.2f}s with timeout_s 1.5"
    assert wait_for(lambda: stats(v)["client_closed"] == 1, 2.0), stats(v)  # the vendor stream was dropped


def test_stream_cut_midway_ends_with_a_responses_error_event(start_gateway, start_vendor) -> None:
    """The Responses SDK does not raise on stream errors: the caller sees an ``error`` event and
    ``response.failed``, continuing the same response (same id, increasing sequence numbers)."""
    v = start_vendor("cut-stream:3", tokens=10)
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}"))
    t0 = time.monotonic()
    events = list(oai(gw, timeout=10).responses.create(model="m", input="hello", stream=True))
    assert time.monotonic() - t0 < 5
    types = [e.type for e in events]
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "tok0 tok1 tok2"
    assert types.count("response.created") == 1
    assert types[-2:] == ["error", "response.failed"], types
    assert events[-2].code == "upstream_unavailable"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    failed = events[-1].response
    assert failed.id == events[0].response.id and failed.model == "m" and failed.status == "failed"
    assert "response.completed" not in types


def test_half_open_lets_exactly_one_probe_through(start_gateway, start_vendor) -> None:
    v = start_vendor("status:500")
    routing = "  retries: 0\n  circuit_breaker: {consecutive_failures: 2, cooldown_s: 1}"
    gw = start_gateway(config({"v": v.port}, "  m: {targets: [{provider: v, model: gpt-x}]}", routing=routing))
    for _ in range(2):
        with pytest.raises(openai.APIStatusError):
            chat_raw(gw)
    opened = time.monotonic()
    httpx.post(v.url + "/_mode", json={"mode": "slow-first-byte:1.5"}, timeout=2).raise_for_status()
    time.sleep(max(0.0, opened + 1.15 - time.monotonic()))

    import concurrent.futures as cf

    def call(_: int) -> int:
        return httpx.post(gw.url + "/v1/chat/completions", headers=AUTH, timeout=10,
                          json={"model": "m", "messages": MSG}).status_code

    with cf.ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(call, range(6)))
    assert codes == [200, 503, 503, 503, 503, 503], codes
    assert stats(v)["requests"] == 3  # 2 failures + 1 probe, nothing else while half-open
    assert circuit_state(gw, "v/gpt-x") == 0
