"""The semantic layer through the running gateway, with the official SDKs and the fake vendor.

Cache: paraphrases hit (with the first answer: the vendor echoes the prompt it was asked), near-misses
miss, the conversation, the system prompt and the tenant are part of the scope, a hit replays as a
stream in either dialect, bypass headers work, hits land in the ledger as hits with the cost saved,
and with examples/governed.yaml a kept answer never carries another caller's pseudonymized values.
Router: examples/routing.yaml's `auto` sends each class where configured. Canary: the split holds,
is sticky, and rolls back when the canary's vendor fails (``fake_upstream.py --fail-rate``).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.conftest import FAKE_UPSTREAM, ROOT, Proc, free_port
from tests.e2e.support import Recorder, ledger_row, wait_for

pytestmark = pytest.mark.timeout(180)

RED1, RED2, BLUE = "sk-sem-red-1a", "sk-sem-red-2b", "sk-sem-blue-3c"


def cache_config(fake: int, data: Path) -> str:
    return f"""
server: {{host: 127.0.0.1, reload: false}}
logging: {{access_log: false}}
routing: {{retries: 0}}
providers:
  up: {{type: openai-compatible, base_url: 'http://127.0.0.1:{fake}/v1', api_key: sk-up}}
models:
  cached: {{targets: [{{provider: up, model: gpt-4o-mini}}], cache: {{mode: semantic, scope: team}}}}
  exact: {{targets: [{{provider: up, model: gpt-4o-mini}}], cache: {{mode: exact}}}}
  plain: {{targets: [{{provider: up, model: gpt-4o-mini}}]}}
orgs: {{acme: {{}}}}
teams: {{red: {{org: acme}}, blue: {{org: acme}}}}
keys:
  - {{name: red1, key: {RED1}, team: red}}
  - {{name: red2, key: {RED2}, team: red}}
  - {{name: blue, key: {BLUE}, team: blue}}
ledger: {{path: '{data}'}}
"""


def start_proc(tmp: Path, procs: list[Proc], args: list[str], name: str, env: dict[str, str] | None = None) -> Proc:
    port = free_port()
    p = Proc([*args, "--port", str(port)], port, tmp / f"{name}.log", env=env)
    procs.append(p)
    return p


def start_fake(tmp: Path, procs: list[Proc], name: str, *flags: str) -> tuple[Proc, Recorder]:
    rec = Recorder(tmp / f"{name}.jsonl")
    p = start_proc(tmp, procs, [sys.executable, str(FAKE_UPSTREAM), "--record", str(rec.path), *flags], name)
    return p, rec


def start_gw(tmp: Path, procs: list[Proc], text: str, env: dict[str, str] | None = None, name: str = "gw") -> Proc:
    cfg = tmp / f"{name}.yaml"
    cfg.write_text(text)
    return start_proc(tmp, procs, [sys.executable, "-m", "tokenway.cli", "serve", "--config", str(cfg)], name,
                      env)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    out: list[Proc] = []
    yield out
    for p in reversed(out):
        p.stop()


@dataclass
class Stack:
    gw: Proc
    rec: Recorder
    data: Path

    def oai(self, key: str = RED1) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.gw.url + "/v1", api_key=key, max_retries=0, timeout=30)

    def ant(self, key: str = RED1) -> anthropic.Anthropic:
        return anthropic.Anthropic(base_url=self.gw.url, api_key=key, max_retries=0, timeout=30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("semantic")
    out: list[Proc] = []
    try:
        _, rec = start_fake(tmp, out, "fake", "--echo")
        gw = start_gw(tmp, out, cache_config(out[0].port, tmp / "data"))
        yield Stack(gw, rec, tmp / "data")
    finally:
        for p in reversed(out):
            p.stop()


@dataclass
class Answer:
    text: str
    cache: str | None
    similarity: float | None
    request_id: str
    vendor_calls: int  # requests the vendor received for this call


def ask(s: Stack, text: str | list[dict[str, Any]], *, key: str = RED1, model: str = "cached",
        system: str | None = None, stream: bool = False, headers: dict[str, str] | None = None,
        sdk: str = "openai", **extra: Any) -> Answer:
    """One call through an official SDK; what came back and whether the vendor was asked."""
    msgs = [{"role": "user", "content": text}] if isinstance(text, str) else text
    mark = s.rec.mark()
    if sdk == "openai":
        full = ([{"role": "system", "content": system}] if system else []) + msgs
        client = s.oai(key)
        if stream:
            st = client.chat.completions.create(model=model, messages=full, max_tokens=100, stream=True,
                                                extra_headers=headers, **extra)
            out = "".join(c.choices[0].delta.content or "" for c in st if c.choices)
            h = st.response.headers
        else:
            r = client.chat.completions.with_raw_response.create(model=model, messages=full, max_tokens=100,
                                                                 extra_headers=headers, **extra)
            out, h = r.parse().choices[0].message.content or "", r.headers
    else:
        kw: dict[str, Any] = {"system": system} if system else {}
        client2 = s.ant(key)
        if stream:
            with client2.messages.stream(model=model, max_tokens=100, messages=msgs, extra_headers=headers,
                                         **kw) as ms:
                out = "".join(ms.text_stream)
                h = ms.response.headers
        else:
            r2 = client2.messages.with_raw_response.create(model=model, max_tokens=100, messages=msgs,
                                                           extra_headers=headers, **kw)
            out, h = "".join(b.text for b in r2.parse().content if b.type == "text"), r2.headers
    sim = h.get("x-tokenway-cache-similarity")
    calls = len(s.rec.all()) - mark
    if h.get("x-tokenway-cache") != "hit":
        calls = len(s.rec.since(mark)) if calls == 0 else calls  # the record line may trail the answer
    return Answer(out, h.get("x-tokenway-cache"), float(sim) if sim else None, h["x-request-id"], calls)


# --------------------------------------------------------------------------- cache: hits and misses
PARAPHRASES = [
    ("What is the capital of France?", "what's the capital city of France?"),
    ("How do I make a cup of green tea?", "How can I make a cup of green tea?"),
    ("Explain what photosynthesis is.", "Can you explain what photosynthesis is?"),
]


@pytest.mark.parametrize(("first", "again"), PARAPHRASES, ids=["capital", "tea", "photosynthesis"])
def test_a_paraphrase_hits_and_gets_the_first_answer(stack: Stack, first: str, again: str) -> None:
    a = ask(stack, first)
    assert (a.cache, a.vendor_calls, a.text) == ("miss", 1, first)
    b = ask(stack, again)
    assert b.cache == "hit" and b.vendor_calls == 0
    assert b.text == first  # the kept answer (the echo vendor answered the first wording)
    assert b.similarity is not None and 0 < b.similarity <= 1


NEAR_MISSES = [
    ("entity", "How many calories are in a banana?", "How many calories are in an avocado?"),
    ("number", "Convert 5 miles to kilometers.", "Convert 8 miles to kilometers."),
    ("unit", "Convert 12 miles to kilometers.", "Convert 12 miles to meters."),
    ("date", "What happened in Europe on July 4, 1776?", "What happened in Europe on July 4, 1976?"),
    ("negation", "Which foods should I eat before a marathon?", "Which foods should I not eat before a marathon?"),
    ("language", "How do I reverse a list in Python?", "How do I reverse a list in Rust?"),
]


@pytest.mark.parametrize(("kind", "first", "other"), NEAR_MISSES, ids=[n[0] for n in NEAR_MISSES])
def test_a_near_miss_does_not_hit(stack: Stack, kind: str, first: str, other: str) -> None:
    assert ask(stack, first).cache == "miss"
    b = ask(stack, other)
    assert (b.cache, b.vendor_calls, b.text) == ("miss", 1, other), kind


def test_the_conversation_before_the_last_turn_is_part_of_the_scope(stack: Stack) -> None:
    def convo(city: str) -> list[dict[str, Any]]:
        return [{"role": "user", "content": f"Tell me about {city}."},
                {"role": "assistant", "content": f"{city} is a large city."},
                {"role": "user", "content": "How many people live there?"}]

    assert ask(stack, convo("Lagos")).cache == "miss"
    other = ask(stack, convo("Osaka"))
    assert (other.cache, other.vendor_calls) == ("miss", 1)  # same last message, another conversation
    same = ask(stack, convo("Lagos"))
    assert (same.cache, same.vendor_calls) == ("hit", 0)


def test_the_system_prompt_is_part_of_the_scope(stack: Stack) -> None:
    q = "Describe the weather in autumn."
    assert ask(stack, q, system="You are a pirate.").cache == "miss"
    assert ask(stack, q, system="You are a lawyer.").cache == "miss"
    assert ask(stack, q, system="You are a pirate.").cache == "hit"


def test_sampling_parameters_are_part_of_the_scope(stack: Stack) -> None:
    q = "Suggest a name for a bakery."
    assert ask(stack, q, temperature=0.2).cache == "miss"
    assert ask(stack, q, temperature=1.5).cache == "miss"
    assert ask(stack, q, temperature=0.2).cache == "hit"


def test_no_hit_across_teams_but_within_a_team(stack: Stack) -> None:
    q = "What is the boiling point of water at sea level?"
    assert ask(stack, q, key=RED1).cache == "miss"
    blue = ask(stack, q, key=BLUE)
    assert (blue.cache, blue.vendor_calls) == ("miss", 1)  # another team: never the red team's answer
    red2 = ask(stack, q, key=RED2)
    assert (red2.cache, red2.vendor_calls) == ("hit", 0)  # the same team shares (scope: team)


def test_exact_mode_hits_only_the_same_question(stack: Stack) -> None:
    assert ask(stack, "Name a prime number above 100.", model="exact").cache == "miss"
    assert ask(stack, "name a  prime number above 100.", model="exact").cache == "hit"  # case and spaces fold
    assert ask(stack, "Give a prime number above 100.", model="exact").cache == "miss"


def test_a_group_without_a_cache_says_nothing(stack: Stack) -> None:
    a = ask(stack, "Hello from the plain group.", model="plain")
    b = ask(stack, "Hello from the plain group.", model="plain")
    assert (a.cache, b.cache, b.vendor_calls) == (None, None, 1)


# --------------------------------------------------------------------------- cache: streams, dialects, headers
@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_a_hit_replays_as_a_stream(stack: Stack, sdk: str) -> None:
    q = f"List the three primary colors ({sdk})."
    assert ask(stack, q).cache == "miss"  # kept from a whole answer
    b = ask(stack, q, stream=True, sdk=sdk)
    assert (b.cache, b.vendor_calls, b.text) == ("hit", 0, q)


def test_a_streamed_answer_is_kept(stack: Stack) -> None:
    q = "Name the planets of the solar system."
    assert ask(stack, q, stream=True).cache == "miss"
    b = ask(stack, q)
    assert (b.cache, b.vendor_calls, b.text) == ("hit", 0, q)


def test_bypass_headers(stack: Stack) -> None:
    q = "How long should I boil an egg?"
    assert ask(stack, q).cache == "miss"
    for h in ({"x-tokenway-cache": "bypass"}, {"cache-control": "no-store"}, {"cache-control": "no-cache"}):
        a = ask(stack, q, headers=h)
        assert (a.cache, a.vendor_calls) == ("bypass", 1), h
    assert ask(stack, q).cache == "hit"


def test_ledger_rows_say_hit_and_miss_and_the_cost_saved(stack: Stack) -> None:
    q = "Translate 'good morning' into Italian."
    miss = ask(stack, q)
    hit = ask(stack, q)
    m, h = ledger_row(stack.data, miss.request_id), ledger_row(stack.data, hit.request_id)
    assert m["cache"] == "miss" and m["prompt_tokens"] > 0 and m["cost"] > 0
    assert h["cache"] == "hit" and h["target"] is None
    assert (h["prompt_tokens"], h["completion_tokens"], h["cost"]) == (0, 0, 0)
    assert h["cost_saved"] == pytest.approx(m["cost"])


def cache_lookups(stack: Stack, result: str) -> int:
    text = httpx.get(stack.gw.url + "/metrics").text
    m = re.search(rf'tokenway_cache_lookups_total\{{model="cached",result="{result}"\}} (\S+)', text)
    return int(float(m.group(1))) if m else 0


def test_cache_metrics(stack: Stack) -> None:
    hits, misses, bypassed = (cache_lookups(stack, r) for r in ("hit", "miss", "bypass"))
    q = "Which metric counts the cache's lookups?"
    assert ask(stack, q).cache == "miss" and ask(stack, q).cache == "hit"
    assert ask(stack, q, headers={"x-tokenway-cache": "bypass"}).cache == "bypass"
    assert (cache_lookups(stack, "hit"), cache_lookups(stack, "miss"), cache_lookups(stack, "bypass")) \
        == (hits + 1, misses + 1, bypassed + 1)


# --------------------------------------------------------------------------- examples/governed.yaml
def test_governed_example_keeps_answers_without_anyones_pseudonymized_values(tmp_path: Path,
                                                                                procs: list[Proc]) -> None:
    """Two users of demo-team send the same request with their own e-mail address: the vendor sees
    [EMAIL_1] both times, so the second is a hit — and gets its own address back, never the first's."""
    fake, rec = start_fake(tmp_path, procs, "fake", "--echo")
    env = {"TOKENWAY_UPSTREAM_URL": fake.url, "TOKENWAY_KEY": "sk-governed-cache", "TOKENWAY_DATA_DIR":
           str(tmp_path / "data")}
    gw = start_gw(tmp_path, procs, (ROOT / "examples" / "governed.yaml").read_text(), env)
    s = Stack(gw, rec, tmp_path / "data")
    a = ask(s, "Draft a short thank-you note to alice@example.com for the flowers.", key="sk-governed-cache",
            model="gpt-4o-mini")
    assert a.cache == "miss" and "alice@example.com" in a.text
    assert "[EMAIL_1]" in json.dumps(rec.all()[-1]["body"]) and "alice@" not in json.dumps(rec.all()[-1]["body"])
    b = ask(s, "Draft a short thank-you note to bob@example.org for the flowers.", key="sk-governed-cache",
            model="gpt-4o-mini")
    assert (b.cache, b.vendor_calls) == ("hit", 0)
    assert "bob@example.org" in b.text and "alice" not in b.text
    c = ask(s, "Draft a short thank-you note to carol@example.net for the flowers.", key="sk-governed-cache",
            model="gpt-4o-mini", stream=True)
    assert c.cache == "hit" and "carol@example.net" in c.text and "alice" not in c.text
    row = ledger_row(s.data, b.request_id)
    assert row["cache"] == "hit" and json.loads(row["guard"])["policy"] == "demo-team-guard"

    # one embedding per request: the guard's classifier and the cache share the model and its LRU
    def embedded() -> int:
        m = re.search(r"^tokenway_embeddings_total (\S+)$", httpx.get(gw.url + "/metrics").text, re.M)
        assert m is not None
        return int(float(m.group(1)))

    before = embedded()
    d = ask(s, "Which houseplants are easy to keep alive in a dark flat?", key="sk-governed-cache",
            model="gpt-4o-mini")
    assert d.cache == "miss" and embedded() == before + 1


# --------------------------------------------------------------------------- router: examples/routing.yaml
ROUTING_KEY = "sk-routing-test-0001"
# written for this test (not in the router's training data)
OLYMPIAD = ("A snail climbs 3 m up a 20 m well each day and slips back 2 m each night. Prove on which day it "
            "first reaches the top, and generalise the answer to a well of height h.")
CODE = ("Write a Python function that parses an ISO 8601 duration like 'P3DT4H' into seconds, with unit "
        "tests.\n```python\ndef parse_duration(s: str) -> int:\n    ...\n```")


@pytest.fixture(scope="module")
def routing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, Recorder, Path]]:
    tmp = tmp_path_factory.mktemp("routing")
    out: list[Proc] = []
    try:
        fake, rec = start_fake(tmp, out, "fake", "--echo")
        env = {"TOKENWAY_UPSTREAM_URL": fake.url, "TOKENWAY_CANARY_URL": fake.url, "TOKENWAY_KEY": ROUTING_KEY,
               "TOKENWAY_DATA_DIR": str(tmp / "data"), "TOKENWAY_ADMIN_KEY": "sk-admin-routing"}
        gw = start_gw(tmp, out, (ROOT / "examples" / "routing.yaml").read_text(), env)
        yield gw, rec, tmp / "data"
    finally:
        for p in reversed(out):
            p.stop()


def route_of(gw: Proc, text: str, headers: dict[str, str] | None = None, sdk: str = "openai") -> dict[str, str]:
    if sdk == "openai":
        client = openai.OpenAI(base_url=gw.url + "/v1", api_key=ROUTING_KEY, max_retries=0, timeout=30)
        r = client.chat.completions.with_raw_response.create(
            model="auto", messages=[{"role": "user", "content": text}], max_tokens=50, extra_headers=headers)
        r.parse()
    else:
        c2 = anthropic.Anthropic(base_url=gw.url, api_key=ROUTING_KEY, max_retries=0, timeout=30)
        r = c2.messages.with_raw_response.create(model="auto", max_tokens=50, extra_headers=headers,
                                                 messages=[{"role": "user", "content": text}])
        r.parse()
    return dict(r.headers)


@pytest.mark.parametrize(("text", "route", "group"), [
    ("hi there, how are you today?", "simple", "gpt-4o-mini"),
    ("What's the capital of Japan?", "simple", "gpt-4o-mini"),
    (OLYMPIAD, "reasoning", "o3"),
    (CODE, "code", "gpt-4.1"),
    ("Summarise this contract for me. " + "The party of the first part shall indemnify the other. " * 3000,
     "long", "claude-sonnet-4"),
], ids=["greeting", "simple-fact", "olympiad", "code", "long"])
def test_auto_routes_each_class_where_configured(routing: tuple[Proc, Recorder, Path], text: str, route: str,
                                                 group: str) -> None:
    gw, _, _ = routing
    h = route_of(gw, text)
    assert (h["x-tokenway-route"], h["x-tokenway-route-group"]) == (route, group)


def test_auto_from_the_anthropic_sdk_and_the_route_in_the_ledger(routing: tuple[Proc, Recorder, Path]) -> None:
    gw, rec, data = routing
    mark = rec.mark()
    h = route_of(gw, OLYMPIAD, sdk="anthropic")
    assert h["x-tokenway-route"] == "reasoning"
    assert rec.since(mark)[0]["body"]["model"] == "o3"  # the vendor was asked for the routed group's model
    assert ledger_row(data, h["x-request-id"])["route"] == "reasoning -> o3"


def test_a_request_may_pick_its_route(routing: tuple[Proc, Recorder, Path]) -> None:
    gw, _, _ = routing
    h = route_of(gw, "hi!", headers={"x-tokenway-route": "reasoning"})
    assert (h["x-tokenway-route"], h["x-tokenway-route-group"]) == ("reasoning", "o3")
    r = httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": f"Bearer {ROUTING_KEY}",
                                                             "x-tokenway-route": "nonsense"},
                   json={"model": "auto", "messages": [{"role": "user", "content": "hi"}]}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["param"] == "x-tokenway-route"


# --------------------------------------------------------------------------- canary
CANARY_KEY = "sk-canary-test-77"
ADMIN = "sk-canary-admin-1"


def canary_config(stable: int, canary: int, percent: int, min_requests: int = 10) -> str:
    return f"""
server: {{host: 127.0.0.1, reload: false}}
logging: {{access_log: false}}
routing: {{retries: 0}}
providers:
  stable-up: {{type: openai-compatible, base_url: 'http://127.0.0.1:{stable}/v1', api_key: sk-up}}
  canary-up: {{type: anthropic, base_url: 'http://127.0.0.1:{canary}', api_key: sk-up}}
models:
  g:
    targets: [{{provider: stable-up, model: gpt-4o-mini}}]
    canary:
      target: {{provider: canary-up, model: claude-haiku-4-5}}
      percent: {percent}
      sticky: user
      guards: {{min_requests: {min_requests}, window: 50, max_error_rate: 0.3}}
keys:
  - {{name: c, key: {CANARY_KEY}, allow_end_user: true}}
admin: {{keys: [{ADMIN}]}}
ledger: {{enabled: false}}
"""


def call_as(gw: Proc, user: str) -> httpx.Response:
    return httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": f"Bearer {CANARY_KEY}"},
                      json={"model": "g", "user": user, "max_tokens": 20,
                            "messages": [{"role": "user", "content": "hello"}]}, timeout=30)


def canaries(gw: Proc) -> dict[str, Any]:
    r = httpx.get(gw.url + "/admin/canaries", headers={"authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert r.status_code == 200, r.text
    return {c["group"]: c for c in r.json()["data"]}


def test_canary_split_is_within_tolerance_and_sticky(tmp_path: Path, procs: list[Proc]) -> None:
    stable, _ = start_fake(tmp_path, procs, "stable")
    canary, _ = start_fake(tmp_path, procs, "canary")
    gw = start_gw(tmp_path, procs, canary_config(stable.port, canary.port, 30))
    arms = {}
    for i in range(300):
        r = call_as(gw, f"user-{i}")
        assert r.status_code == 200, r.text
        arms[f"user-{i}"] = r.headers["x-tokenway-target"]
    share = sum(1 for t in arms.values() if t == "canary-up/claude-haiku-4-5") / len(arms)
    assert 0.22 <= share <= 0.38, share
    for u in ("user-1", "user-2", "user-3", "user-4"):
        for _ in range(5):
            assert call_as(gw, u).headers["x-tokenway-target"] == arms[u]  # sticky per user
    snap = canaries(gw)["g"]
    assert snap["state"] == "active"
    assert snap["canary"]["requests"] + snap["stable"]["requests"] == 320
    assert snap["canary"]["errors"] == 0 and snap["canary"]["p95_latency_ms"] is not None


def test_canary_rolls_back_when_its_vendor_fails(tmp_path: Path, procs: list[Proc]) -> None:
    stable, _ = start_fake(tmp_path, procs, "stable")
    canary, canary_rec = start_fake(tmp_path, procs, "canary", "--fail-rate", "1.0")
    gw = start_gw(tmp_path, procs, canary_config(stable.port, canary.port, 50, min_requests=8))
    for i in range(60):
        r = call_as(gw, f"u{i}")
        assert r.status_code == 200, r.text  # the stable arm answers what the canary failed
    snap = canaries(gw)["g"]
    assert snap["state"] == "rolled_back" and snap["rollback"]["guard"] == "max_error_rate"
    # every canary call failed (at the vendor, or short-circuited once its breaker opened); rolled back
    # as soon as the minimum sample was in
    assert snap["canary"]["errors"] == snap["canary"]["requests"] == 8
    seen = len(canary_rec.all())
    assert 1 <= seen <= 8
    for i in range(60, 100):
        r = call_as(gw, f"u{i}")
        assert r.headers["x-tokenway-target"] == "stable-up/gpt-4o-mini"
    assert len(canary_rec.all()) == seen  # nothing more went to the canary
    metrics = httpx.get(gw.url + "/metrics").text
    assert re.search(r'tokenway_canary_rollbacks_total\{model="g"\} 1\.0', metrics), metrics[-2000:]
    assert wait_for(lambda: '"canary_rollback"' in gw.output(), 5)
    r = httpx.post(gw.url + "/admin/canaries/g/reset", headers={"authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "active"


def test_feedback_reaches_the_arm_stats(tmp_path: Path, procs: list[Proc]) -> None:
    stable, _ = start_fake(tmp_path, procs, "stable")
    canary, _ = start_fake(tmp_path, procs, "canary")
    gw = start_gw(tmp_path, procs, canary_config(stable.port, canary.port, 50))
    r = call_as(gw, "rater")
    fb = httpx.post(gw.url + "/v1/feedback", headers={"authorization": f"Bearer {CANARY_KEY}"},
                    json={"request_id": r.headers["x-request-id"], "score": 0.5}, timeout=10)
    assert fb.status_code == 200 and fb.json()["ok"] is True
    arm = "canary" if r.headers["x-tokenway-target"].startswith("canary-up") else "stable"
    snap = canaries(gw)["g"]
    assert snap[arm]["feedback_count"] == 1 and snap[arm]["feedback_mean"] == pytest.approx(0.5)
    bad = httpx.post(gw.url + "/v1/feedback", headers={"authorization": f"Bearer {CANARY_KEY}"},
                     json={"request_id": r.headers["x-request-id"], "score": 7}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["code"]


def test_routing_example_serves_the_canary_stats(routing: tuple[Proc, Recorder, Path]) -> None:
    gw, _, _ = routing
    r = httpx.get(gw.url + "/admin/canaries", headers={"authorization": "Bearer sk-admin-routing"}, timeout=10)
    assert r.status_code == 200
    (snap,) = r.json()["data"]
    assert snap["group"] == "gpt-4o-mini" and snap["canary"]["label"] == "canary-up/claude-haiku-4-5"
    assert snap["canary"]["percent"] == 10


# --------------------------------------------------------------------------- hot reload
def reload_config(stable: int, canary: int, percent: int, router: bool) -> str:
    text = canary_config(stable, canary, percent, min_requests=5).replace("reload: false", "reload: true")
    if router:
        text = text.replace("models:\n", """models:
  helpdesk:
    router:
      routes:
        - {name: refunds, to: g, utterances: ["I want my money back", "how do I get a refund for my order?"]}
        - {name: shouting, to: g, when: {max_prompt_tokens: 3}}
      default: g
""")
    return text


def test_reload_adds_a_router_and_keeps_an_unchanged_canarys_rollback(tmp_path: Path, procs: list[Proc]) -> None:
    stable, _ = start_fake(tmp_path, procs, "stable")
    canary, _ = start_fake(tmp_path, procs, "canary", "--fail-rate", "1.0")
    cfg_text = reload_config(stable.port, canary.port, 50, router=False)
    gw = start_gw(tmp_path, procs, cfg_text)
    for i in range(40):
        assert call_as(gw, f"r{i}").status_code == 200
    assert canaries(gw)["g"]["state"] == "rolled_back"

    # a router appears; the canary is the same: its rollback stays
    (tmp_path / "gw.yaml").write_text(reload_config(stable.port, canary.port, 50, router=True))

    def routed() -> dict[str, str] | None:
        r = httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": f"Bearer {CANARY_KEY}"},
                       json={"model": "helpdesk", "messages": [{"role": "user",
                                                                "content": "Can I get a refund for my order?"}]},
                       timeout=30)
        return dict(r.headers) if r.status_code == 200 else None

    h = wait_for(routed, 15)
    assert h is not None, gw.output()[-2000:]
    assert (h["x-tokenway-route"], h["x-tokenway-route-group"]) == ("refunds", "g")
    assert canaries(gw)["g"]["state"] == "rolled_back"

    # another percent is another canary: it starts afresh
    (tmp_path / "gw.yaml").write_text(reload_config(stable.port, canary.port, 40, router=True))
    assert wait_for(lambda: canaries(gw)["g"]["state"] == "active", 15)
    assert canaries(gw)["g"]["canary"]["percent"] == 40
