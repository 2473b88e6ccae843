"""The official SDKs against the running gateway, both client dialects against both vendor formats."""

from __future__ import annotations

import json
from collections.abc import Callable

import anthropic
import openai
import pytest

from tests.conftest import Proc, bench_gateway

MODELS = ["gpt-4o-mini", "claude-3-5-haiku"]  # OpenAI-format vendor, Anthropic-format vendor
TOOL = {"type": "function", "function": {"name": "lookup", "description": "Look something up",
                                         "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}


@pytest.fixture
def gw(start_gateway: Callable[..., Proc], start_upstream: Callable[..., Proc]) -> Proc:
    up = start_upstream("--echo", "--tools", "--tokens", "12")
    return bench_gateway(start_gateway, up)


def oai(gw: Proc) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key="sk-test-key", max_retries=0)


def ant(gw: Proc) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url, api_key="sk-test-key", max_retries=0)


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_non_stream(gw: Proc, model: str) -> None:
    r = oai(gw).chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "ping pong"}])
    c = r.parse()
    assert c.choices[0].message.content == "ping pong"
    assert c.choices[0].finish_reason == "stop"
    assert c.usage is not None and c.usage.completion_tokens == 12
    assert r.headers["x-tokenway-target"] == ("openai-up/gpt-4o-mini" if model == MODELS[0]
                                              else "anthropic-up/claude-3-5-haiku")
    assert r.headers["x-tokenway-attempts"] == "1"
    assert r.headers["x-request-id"].startswith("req_")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("include_usage", [True, False])
def test_openai_sdk_stream(gw: Proc, model: str, include_usage: bool) -> None:
    kw = {"stream_options": {"include_usage": True}} if include_usage else {}
    chunks = list(oai(gw).chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": "stream me please"}], **kw))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "stream me please"
    usage = [c.usage for c in chunks if c.usage]
    # the gateway always asks the vendor for usage, but hands it on only when the client asked
    assert len(usage) == (1 if include_usage else 0)
    if include_usage:
        assert usage[0].completion_tokens == 12
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_tool_loop(gw: Proc, model: str) -> None:
    client = oai(gw)
    msgs: list[dict] = [{"role": "user", "content": "weather in Paris"}]
    first = client.chat.completions.create(model=model, messages=msgs, tools=[TOOL])
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "lookup" and json.loads(call.function.arguments) == {"q": "weather in Paris"}
    msgs += [first.choices[0].message.model_dump(exclude_none=True),
             {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    second = client.chat.completions.create(model=model, messages=msgs, tools=[TOOL])
    assert second.choices[0].message.content == "tool said: sunny"


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_streamed_tool_call(gw: Proc, model: str) -> None:
    stream = oai(gw).chat.completions.create(
        model=model, stream=True, tools=[TOOL], messages=[{"role": "user", "content": "find tokenway"}])
    name, args = "", ""
    for c in stream:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            name += tc.function.name or "" if tc.function else ""
            args += tc.function.arguments or "" if tc.function else ""
    assert name == "lookup"
    assert json.loads(args) == {"q": "find tokenway"}


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_non_stream(gw: Proc, model: str) -> None:
    m = ant(gw).messages.create(model=model, max_tokens=100, system="be brief",
                                messages=[{"role": "user", "content": "hello anthropic"}])
    assert m.content[0].type == "text" and m.content[0].text == "hello anthropic"
    assert m.stop_reason == "end_turn"
    assert m.usage.output_tokens == 12


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_stream(gw: Proc, model: str) -> None:
    with ant(gw).messages.stream(model=model, max_tokens=100,
                                 messages=[{"role": "user", "content": "a streamed hello"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "a streamed hello"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 12


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_tool_loop_streamed(gw: Proc, model: str) -> None:
    client = ant(gw)
    tools = [{"name": "lookup", "description": "Look up", "input_schema": {"type": "object",
                                                                             "properties": {"q": {"type": "string"}}}}]
    msgs: list[dict] = [{"role": "user", "content": "capital of France"}]
    with client.messages.stream(model=model, max_tokens=100, tools=tools, messages=msgs) as s:
        first = s.get_final_message()
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.name == "lookup" and use.input == {"q": "capital of France"}
    msgs += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Paris"}]}]
    second = client.messages.create(model=model, max_tokens=100, tools=tools, messages=msgs)
    assert second.content[0].text == "tool said: Paris"


def test_models_lists_what_the_key_may_use(gw: Proc) -> None:
    ids = sorted(m.id for m in oai(gw).models.list())
    assert ids == sorted(MODELS)
    assert sorted(m.id for m in ant(gw).models.list()) == sorted(MODELS)
