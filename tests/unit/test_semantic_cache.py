"""The semantic response cache: key/scope, exact and semantic hits, verify, TTL, LRU, size, replay."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pytest

from tokenway.semantic import cache as cache_mod
from tokenway.semantic.cache import ResponseCache, cacheable
from tokenway.semantic.cache_key import CacheKey, cache_key
from tokenway.semantic.replay import assemble, to_chunks
from tokenway.semantic.verify import compatible, features, mismatch

SYSTEM = "You are a helpful assistant."


def chat(text: str, *, system: str = SYSTEM, prior: list[dict[str, Any]] | None = None, **params: Any) -> dict:
    msgs = [{"role": "system", "content": system}, *(prior or []), {"role": "user", "content": text}]
    return {"model": "smart", "messages": msgs, **params}


def answer(text: str = "Paris.", finish: str = "stop", **msg: Any) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-x",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, **msg},
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15,
                      "prompt_tokens_details": {"cached_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0}}}


def key(text: str, tenant: str = "team-a", group: str = "smart", **kw: Any) -> CacheKey:
    k = cache_key(chat(text, **kw), tenant, group)
    assert k is not None
    return k


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture(scope="module")
def embedder() -> Iterator[Any]:
    from tokenway.embed.model import Embedder

    yield Embedder()


def vec(embedder: Any, text: str) -> np.ndarray:
    return embedder.embed([text])[0]


# -- cache_key -------------------------------------------------------------------------------------


def test_key_text_is_the_last_user_turn_as_sent() -> None:
    k = key("  What is the  capital of FRANCE? ")
    assert k.text == "  What is the  capital of FRANCE? "
    assert k.exact == key("what is the capital of france?").exact  # NFKC, case-fold, whitespace
    assert k.exact != key("what is the capital of spain?").exact


@pytest.mark.parametrize("change", [
    {"tenant": "team-b"},
    {"group": "fast"},
    {"system": "You are a pirate."},
    {"tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]},
    {"tool_choice": "none"},
    {"temperature": 0.2},
    {"top_p": 0.5},
    {"seed": 7},
    {"max_tokens": 10},
    {"stop": ["\n"]},
    {"response_format": {"type": "json_object"}},
    {"reasoning_effort": "high"},
    {"prior": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
])
def test_scope_changes(change: dict[str, Any]) -> None:
    base = key("What is the capital of France?")
    tenant = change.pop("tenant", "team-a")
    group = change.pop("group", "smart")
    other = key("What is the capital of France?", tenant=tenant, group=group, **change)
    assert other.scope != base.scope
    assert other.exact != base.exact


def test_scope_ignores_stream_user_metadata_model_and_equivalent_forms() -> None:
    base = key("What is the capital of France?", max_tokens=50, stop="x")
    same = cache_key({**chat("What is the capital of France?", max_completion_tokens=50, stop=["x"]),
                      "stream": True, "stream_options": {"include_usage": True}, "user": "u1",
                      "metadata": {"a": 1}, "model": "other-alias", "n": 1}, "team-a", "smart")
    assert same is not None
    assert same.scope == base.scope and same.exact == base.exact
    parts = chat("What is the capital of France?", max_tokens=50, stop="x")
    parts["messages"][0]["content"] = [{"type": "text", "text": SYSTEM}]
    assert cache_key(parts, "team-a", "smart") == base


@pytest.mark.parametrize("body", [
    {"messages": []},
    {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
    {"messages": [{"role": "user", "content": "hi"}], "n": 3},
    {"messages": [{"role": "user", "content": "   "}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "what is this?"},
                                               {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]},
    {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "c1", "content": "{}"}]},
])
def test_not_cacheable_requests(body: dict[str, Any]) -> None:
    assert cache_key(body, "t", "g") is None


def test_text_parts_last_turn_is_cacheable() -> None:
    k = cache_key({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello "},
                                                             {"type": "text", "text": "there"}]}]}, "t", "g")
    assert k is not None and k.text == "Hello there"


# -- exact -----------------------------------------------------------------------------------------


def test_exact_hit_returns_a_copy() -> None:
    rc = ResponseCache()
    k = key("What is the capital of France?")
    assert rc.get_exact(k) is None
    assert rc.put(k, None, answer(), "gpt-x", 60)
    hit = rc.get_exact(key("what is the capital of  france?"))
    assert hit is not None and hit.kind == "exact" and hit.similarity == 1.0 and hit.model == "gpt-x"
    assert hit.response == answer()
    hit.response["choices"][0]["message"]["content"] = "changed"
    again = rc.get_exact(k)
    assert again is not None and again.response == answer()
    assert rc.get_exact(key("What is the capital of France?", tenant="team-b")) is None
    s = rc.stats()
    assert s["hits_exact"] == 2 and s["misses_exact"] == 2 and s["entries"] == 1


def test_reput_replaces() -> None:
    rc = ResponseCache()
    k = key("What is the capital of France?")
    rc.put(k, unit(1), answer("Paris."), "a", 60)
    rc.put(k, unit(2), answer("Paris, France."), "b", 60)
    assert len(rc) == 1
    hit = rc.get_exact(k)
    assert hit is not None and hit.model == "b"
    assert hit.response["choices"][0]["message"]["content"] == "Paris, France."
    assert rc.get_semantic(k, unit(1), 0.8) is None  # the old vector is gone from the index
    assert rc.get_semantic(k, unit(2), 0.8) is not None


# -- semantic --------------------------------------------------------------------------------------


def test_semantic_hit_on_paraphrase(embedder: Any) -> None:
    rc = ResponseCache()
    cached = "What is the capital of France?"
    rc.put(key(cached), vec(embedder, cached), answer(), "gpt-x", 60)
    q = "Which city is the capital of France?"
    hit = rc.get_semantic(key(q), vec(embedder, q), 0.80)
    assert hit is not None and hit.kind == "semantic" and 0.8 <= hit.similarity < 1.0
    assert hit.response == answer()
    assert rc.stats()["hits_semantic"] == 1


def test_an_entry_kept_without_its_embedding_hits_exactly_then_semantically_once_attached(embedder: Any) -> None:
    rc = ResponseCache()
    cached, q = "What is the capital of France?", "Which city is the capital of France?"
    assert rc.put(key(cached), None, answer(), "gpt-x", 60)
    assert rc.get_exact(key(cached)) is not None
    assert not rc.searchable(key(q)) and rc.get_semantic(key(q), vec(embedder, q), 0.80) is None
    assert rc.attach(key(cached), vec(embedder, cached))
    assert rc.searchable(key(q))
    hit = rc.get_semantic(key(q), vec(embedder, q), 0.80)
    assert hit is not None and hit.kind == "semantic"
    assert not rc.attach(key(cached), vec(embedder, cached))  # once
    assert not rc.attach(key("Something never kept."), vec(embedder, cached))


@pytest.mark.parametrize("cached,new", [
    ("What is the capital of France?", "What is the capital of Spain?"),  # entity
    ("Convert 5 kilometers to miles.", "Convert 50 kilometers to miles."),  # number
    ("How do I reverse a string in Python?", "How do I reverse a string in Rust?"),  # language
    ("Suggest a three day itinerary for Rome in July.", "Suggest a three day itinerary for Rome in August."),
    ("Can dogs eat grapes?", "Can dogs not eat grapes?"),  # negation
    ("What is 40 degrees Celsius in Fahrenheit?", "What is 40 degrees Celsius in Kelvin?"),  # unit
])
def test_near_miss_rejected_by_verify(embedder: Any, cached: str, new: str) -> None:
    rc = ResponseCache()
    rc.put(key(cached), vec(embedder, cached), answer(), "gpt-x", 60)
    assert not compatible(cached, new)
    assert rc.get_semantic(key(new), vec(embedder, new), 0.0) is None  # even with no similarity floor
    assert rc.stats()["rejected_by_verify"] >= 1 or float(vec(embedder, cached) @ vec(embedder, new)) < 0.81


def test_semantic_search_is_within_scope(embedder: Any) -> None:
    rc = ResponseCache()
    text = "What is the capital of France?"
    v = vec(embedder, text)
    rc.put(key(text), v, answer(), "gpt-x", 60)
    assert rc.get_semantic(key(text, tenant="team-b"), v, 0.5) is None
    assert rc.get_semantic(key(text, temperature=1.5), v, 0.5) is None
    assert rc.get_semantic(key(text, system="Answer in French."), v, 0.5) is None
    assert rc.get_semantic(key(text), v, 0.5) is not None


def test_min_similarity_is_a_floor() -> None:
    rc = ResponseCache()
    v = unit(1)
    w = (0.9 * v + np.sqrt(1 - 0.81) * unit(2)).astype(np.float32)
    w /= np.linalg.norm(w)
    rc.put(key("What is the capital of France?"), v, answer(), "m", 60)
    q = key("Tell me the capital of France.")
    assert rc.get_semantic(q, w, 0.95) is None
    assert rc.get_semantic(q, w, 0.80) is not None
    assert rc.get_semantic(q, w, 0.80, verify=False) is None  # unverified needs THRESHOLD_UNVERIFIED


def test_verify_pairs() -> None:
    assert compatible("What is 5 km in miles?", "How many miles are 5 kilometers?")
    assert compatible("Plan a 3-day trip to Rome", "Suggest a three day itinerary for Rome")
    assert compatible("What is 15% of 80?", "Calculate 15 percent of 80.")
    assert not compatible("What is 15% of 80?", "What is 15% of 90?")
    assert not compatible("Sort a list in ascending order", "Sort a list in descending order")
    assert not compatible("What does `os.path.join` do?", "What does `os.path.split` do?")
    assert not compatible("When does the museum open tomorrow?", "When does the museum open today?")
    assert not compatible("Meet at 3pm", "Meet at 4pm")
    assert not compatible("Distance from Oslo to Rome in miles?", "Distance from Oslo to Rome in nautical miles?")
    assert mismatch(features("Who was Ada Lovelace?"), features("Who was Alan Turing?")) == "entity"


# -- TTL, LRU, size, what is cacheable ---------------------------------------------------------------


def test_ttl_expiry() -> None:
    clock = Clock()
    rc = ResponseCache(clock=clock)
    k = key("What is the capital of France?")
    v = unit(1)
    rc.put(k, v, answer(), "m", 10)
    clock.t += 5
    hit = rc.get_exact(k)
    assert hit is not None and hit.age_s == pytest.approx(5)
    assert rc.get_semantic(k, v, 0.8) is not None
    clock.t += 6
    assert rc.get_exact(k) is None
    assert rc.get_semantic(k, v, 0.8) is None
    assert len(rc) == 0 and rc.stats()["expired"] == 1


def test_expired_semantic_entry_is_dropped() -> None:
    clock = Clock()
    rc = ResponseCache(clock=clock)
    k = key("What is the capital of France?")
    rc.put(k, unit(1), answer(), "m", 10)
    clock.t += 11
    assert rc.get_semantic(k, unit(1), 0.8) is None
    assert len(rc) == 0 and rc.stats()["expired"] == 1


def test_lru_eviction() -> None:
    rc = ResponseCache(max_entries=3)
    keys = [key(f"Question {c}?") for c in "ABCD"]
    for i, k in enumerate(keys[:3]):
        rc.put(k, unit(i), answer(), "m", 60)
    assert rc.get_exact(keys[0]) is not None  # A is now the most recently used
    rc.put(keys[3], unit(3), answer(), "m", 60)
    assert len(rc) == 3 and rc.stats()["evictions"] == 1
    assert rc.get_exact(keys[1]) is None  # B was the least recently used
    assert rc.get_semantic(keys[1], unit(1), 0.8) is None
    assert all(rc.get_exact(k) is not None for k in (keys[0], keys[2], keys[3]))


def test_size_limit() -> None:
    rc = ResponseCache(max_entry_bytes=1000)
    k = key("Write me an essay.")
    assert not rc.put(k, unit(1), answer("x" * 2000), "m", 60)
    assert rc.get_exact(k) is None and rc.stats()["too_large"] == 1
    assert rc.put(k, unit(1), answer("short"), "m", 60)


@pytest.mark.parametrize("resp,ok", [
    (answer(), True),
    (answer(finish="length"), True),
    (answer(None, finish="tool_calls",
            tool_calls=[{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]), True),
    (answer(finish="content_filter"), False),
    (answer(""), False),
    (answer("  "), False),
    (answer(finish=None), False),  # type: ignore[arg-type]
    ({**answer(), "choices": answer()["choices"] * 2}, False),
    ({"error": "x"}, False),
])
def test_cacheable(resp: dict[str, Any], ok: bool) -> None:
    assert cacheable(resp) is ok
    assert ResponseCache().put(key("q?"), None, resp, "m", 60) is ok


def test_large_scope_uses_graph_and_still_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    if cache_mod.hnswlib is None:
        pytest.skip("hnswlib not installed")
    monkeypatch.setattr(cache_mod, "SMALL_MAX", 16)
    rc = ResponseCache()
    keys = [key(f"Question number {i}?") for i in range(64)]
    vecs = [unit(100 + i) for i in range(64)]
    for k, v in zip(keys, vecs, strict=True):
        rc.put(k, v, answer(), "m", 60)
    scope = rc._scopes[keys[0].scope]
    assert scope.n == 16 and len(scope.graph_ids) == 48
    for i in (3, 40, 63):
        hit = rc.get_semantic(keys[i], vecs[i], 0.8)
        assert hit is not None and hit.similarity == pytest.approx(1.0, abs=1e-5)
    rc.put(keys[40], None, answer("new"), "m", 60)  # replaced: no vector any more
    assert rc.get_semantic(keys[40], vecs[40], 0.8) is None
    assert len(scope.graph_ids) == 47
    for i in range(16, 62):  # nearly empty the graph: lookups must still work
        rc.put(keys[i], None, answer("new"), "m", 60)
    assert len(scope.graph_ids) == 2
    assert rc.get_semantic(keys[63], vecs[63], 0.8) is not None
    assert rc.get_semantic(keys[20], vecs[20], 0.8) is None
    rc.put(keys[20], vecs[20], answer(), "m", 60)  # reuses a deleted graph slot
    assert len(scope.graph_ids) == 3 and rc.get_semantic(keys[20], vecs[20], 0.8) is not None


# -- replay ----------------------------------------------------------------------------------------


def tool_answer() -> dict[str, Any]:
    resp = answer("Let me look that up.", finish="tool_calls", reasoning_content="The user wants weather.",
                  tool_calls=[
                      {"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}},
                      {"id": "call_2", "type": "function",
                       "function": {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'}},
                  ])
    return resp


def test_replay_round_trip_with_tool_calls() -> None:
    resp = tool_answer()
    chunks = to_chunks(resp, chunk_chars=5)
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == "chatcmpl-1" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == resp["usage"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert max(len(c["choices"][0]["delta"].get("content") or "") for c in chunks[:-1]) <= 5
    assert assemble(chunks) == resp


def test_replay_round_trip_plain_and_thinking() -> None:
    resp = answer("A fairly long answer " * 5)
    assert assemble(to_chunks(resp)) == resp
    thinking = answer("Answer.", reasoning_content="step one step two",
                      thinking_blocks=[{"type": "thinking", "thinking": "step one step two", "signature": "sig=="}])
    assert assemble(to_chunks(thinking, 4)) == thinking


def test_assemble_merges_interleaved_tool_call_deltas() -> None:
    def c(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [
        c({"role": "assistant", "content": ""}),
        c({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]}),
        c({"tool_calls": [{"index": 1, "id": "b", "type": "function", "function": {"name": "g", "arguments": "{"}}]}),
        c({"tool_calls": [{"index": 0, "function": {"arguments": '{"x"'}}]}),
        c({"tool_calls": [{"index": 1, "function": {"arguments": "}"}}]}),
        c({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
        c({}, "tool_calls"),
        {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
         "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
    ]
    out = assemble(copy.deepcopy(chunks))
    msg = out["choices"][0]["message"]
    assert out["object"] == "chat.completion" and out["choices"][0]["finish_reason"] == "tool_calls"
    assert msg["content"] is None
    assert [t["function"]["arguments"] for t in msg["tool_calls"]] == ['{"x": 1}', "{}"]
    assert [t["id"] for t in msg["tool_calls"]] == ["a", "b"]
    assert out["usage"]["total_tokens"] == 3
    assert cacheable(out)
    assert orjson.loads(orjson.dumps(out)) == out
