"""The official SDKs against the running gateway in front of the Gemini and Bedrock emulators.

Processes: tests/emulators/gemini_emulator.py (``--api-key``), tests/emulators/bedrock_emulator.py
(``--access-key/--secret-key/--region``: it recomputes every SigV4 signature with botocore), and
``tokenway serve`` on a config whose vendor secrets come from the environment. Both emulators
``--record`` what they receive, so usage can be checked against the emulator's own computation
(``plan(recorded body)``) and the translated requests can be inspected.

One gateway and one pair of emulators serve the whole module (a few seconds per test at most);
the wrong-secret test starts a second gateway on the same Bedrock emulator.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.conftest import ROOT, TOKENWAY, Proc, free_port
from tests.e2e.support import Recorder
from tests.emulators import bedrock_emulator, gemini_emulator

pytestmark = pytest.mark.timeout(60)

EMULATORS = ROOT / "tests" / "emulators"
CLIENT_KEY = "sk-client-gb-31c4d2"
GEMINI_KEY = "AIza-test-gemini-key-9d1e"
AWS_AK = "AKIATESTTOKENWAY0001"
AWS_SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET"
REGION = "eu-west-3"

GEMINI = "gemini-flash"  # public model names on the gateway
BEDROCK = "bedrock-claude"
MODELS = [GEMINI, BEDROCK]
VENDOR_MODEL = {GEMINI: "gemini-2.5-flash", BEDROCK: "anthropic.claude-3-5-haiku-20241022-v1:0"}
TARGET = {GEMINI: "gemini/gemini-2.5-flash", BEDROCK: "bedrock/anthropic.claude-3-5-haiku-20241022-v1:0"}

OAI_TOOL = {"type": "function", "function": {"name": "lookup", "description": "Look something up",
                                             "parameters": {"type": "object",
                                                            "properties": {"q": {"type": "string"}},
                                                            "required": ["q"]}}}
ANT_TOOL = {"name": "lookup", "description": "Look something up",
            "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 24).decode()


def config(gemini_port: int, bedrock_port: int, retries: int = 2) -> str:
    return f"""
server: {{host: 127.0.0.1, reload: false}}
logging: {{access_log: false}}
routing: {{retries: {retries}, backoff_base_s: 0.01, backoff_max_s: 0.05}}
providers:
  gemini:
    type: gemini
    base_url: http://127.0.0.1:{gemini_port}
    api_key: ${{TW_TEST_GEMINI_KEY}}
  bedrock:
    type: bedrock
    base_url: http://127.0.0.1:{bedrock_port}
    region: {REGION}
    access_key_id: ${{TW_TEST_AWS_AK}}
    secret_access_key: ${{TW_TEST_AWS_SK}}
models:
  {GEMINI}: {{targets: [{{provider: gemini, model: {VENDOR_MODEL[GEMINI]}}}]}}
  {BEDROCK}: {{targets: [{{provider: bedrock, model: '{VENDOR_MODEL[BEDROCK]}'}}]}}
keys:
  - name: tests
    key: ${{TW_TEST_CLIENT_KEY}}
"""


def gateway_env(secret: str = AWS_SK) -> dict[str, str]:
    return {"TW_TEST_GEMINI_KEY": GEMINI_KEY, "TW_TEST_AWS_AK": AWS_AK, "TW_TEST_AWS_SK": secret,
            "TW_TEST_CLIENT_KEY": CLIENT_KEY}


@dataclass
class Stack:
    gw: Proc
    gemini: Proc
    bedrock: Proc
    records: dict[str, Recorder]
    start_gateway: Callable[[str], Proc]


def _start_gateway(tmp: Path, procs: list[Proc], cfg: str, env: dict[str, str]) -> Proc:
    port = free_port()
    path = tmp / f"gateway-{port}.yaml"
    path.write_text(cfg)
    p = Proc([*TOKENWAY, "serve", "--config", str(path), "--port", str(port)], port,
             tmp / f"gateway-{port}.log", env=env)
    procs.append(p)
    return p


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("gemini_bedrock")
    procs: list[Proc] = []
    try:
        gport, bport = free_port(), free_port()
        grec, brec = tmp / "gemini.jsonl", tmp / "bedrock.jsonl"
        gemini = Proc([sys.executable, str(EMULATORS / "gemini_emulator.py"), "--port", str(gport),
                       "--record", str(grec), "--api-key", GEMINI_KEY], gport, tmp / "gemini.log")
        procs.append(gemini)
        bedrock = Proc([sys.executable, str(EMULATORS / "bedrock_emulator.py"), "--port", str(bport),
                        "--record", str(brec), "--access-key", AWS_AK, "--secret-key", AWS_SK,
                        "--region", REGION], bport, tmp / "bedrock.log")
        procs.append(bedrock)
        gw = _start_gateway(tmp, procs, config(gport, bport), gateway_env())
        yield Stack(gw, gemini, bedrock, {GEMINI: Recorder(grec), BEDROCK: Recorder(brec)},
                    lambda cfg_secret: _start_gateway(tmp, procs, config(gport, bport, retries=1),
                                                      gateway_env(cfg_secret)))
    finally:
        for p in procs:
            p.stop()


# --------------------------------------------------------------------------- helpers
def oai(s: Stack, timeout: float = 20.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=s.gw.url + "/v1", api_key=CLIENT_KEY, max_retries=0, timeout=timeout)


def ant(s: Stack, timeout: float = 20.0) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=s.gw.url, api_key=CLIENT_KEY, max_retries=0, timeout=timeout)


def expected_usage(model: str, body: dict[str, Any]) -> tuple[int, int]:
    """(prompt, completion) tokens as the emulator computed them for the request it received."""
    if model == GEMINI:
        meta = gemini_emulator.plan(body)["usage"]
        return meta["promptTokenCount"], meta["candidatesTokenCount"] + meta.get("thoughtsTokenCount", 0)
    u = bedrock_emulator.plan(body)["usage"]
    return u["inputTokens"], u["outputTokens"]


def one_request(s: Stack, model: str, mark: int) -> dict[str, Any]:
    recs = s.records[model].since(mark, n=0)
    assert len(recs) == 1, recs
    return recs[0]


def vendor_path(model: str, stream: bool) -> str:
    if model == GEMINI:
        return f"/v1beta/models/{VENDOR_MODEL[GEMINI]}:" + (
            "streamGenerateContent?alt=sse" if stream else "generateContent")
    return "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/" + ("converse-stream" if stream else "converse")


def user_texts(model: str, body: dict[str, Any]) -> list[str]:
    """The text of each user turn of a translated request."""
    if model == GEMINI:
        turns = [t for t in body["contents"] if t["role"] == "user"]
        return ["".join(p.get("text", "") for p in t["parts"]) for t in turns]
    turns = [m for m in body["messages"] if m["role"] == "user"]
    return ["".join(b.get("text", "") for b in m["content"]) for m in turns]


def system_text(model: str, body: dict[str, Any]) -> str:
    if model == GEMINI:
        return "".join(p["text"] for p in body["systemInstruction"]["parts"])
    return "".join(b["text"] for b in body["system"])


HISTORY = [{"role": "user", "content": "first question"},
           {"role": "assistant", "content": "first answer"},
           {"role": "user", "content": "second question now"}]


# --------------------------------------------------------------------------- OpenAI SDK
@pytest.mark.parametrize("model", MODELS)
def test_openai_non_stream_multi_turn_with_system(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    r = oai(stack).chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "system", "content": "be brief"}, *HISTORY])
    c = r.parse()
    assert r.headers["x-tokenway-target"] == TARGET[model]
    assert r.headers["x-tokenway-attempts"] == "1"
    assert c.choices[0].message.content == "echo: second question now"
    assert c.choices[0].finish_reason == "stop"
    # Gemini names its model version; Bedrock names none, so the client sees the model it asked for
    assert c.model == (VENDOR_MODEL[GEMINI] if model == GEMINI else BEDROCK)
    rec = one_request(stack, model, mark)
    assert rec["path"] == vendor_path(model, False)
    assert system_text(model, rec["body"]) == "be brief"
    assert user_texts(model, rec["body"]) == ["first question", "second question now"]
    prompt, completion = expected_usage(model, rec["body"])
    assert c.usage is not None
    assert (c.usage.prompt_tokens, c.usage.completion_tokens, c.usage.total_tokens) == \
        (prompt, completion, prompt + completion)
    assert completion == 4  # "echo: second question now"
    # the vendor secrets never reach a recorded header (and the client key never reaches the vendor)
    headers = json.dumps(rec["headers"])
    assert CLIENT_KEY not in headers and GEMINI_KEY not in headers and AWS_SK not in headers


@pytest.mark.parametrize("model", MODELS)
def test_openai_stream_with_usage(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    chunks = list(oai(stack).chat.completions.create(
        model=model, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "system", "content": "answer in words"},
                  {"role": "user", "content": "one two three four five six seven"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: one two three four five six seven"
    # the text came in several deltas, not as one piece
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert {c.model for c in chunks} == {VENDOR_MODEL[GEMINI] if model == GEMINI else BEDROCK}
    assert len({c.id for c in chunks}) == 1
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and not chunks[-1].choices  # the usage chunk comes last, alone
    rec = one_request(stack, model, mark)
    assert rec["path"] == vendor_path(model, True)
    prompt, completion = expected_usage(model, rec["body"])
    assert (usage[0].prompt_tokens, usage[0].completion_tokens) == (prompt, completion)
    assert completion == 8


@pytest.mark.parametrize("model", MODELS)
def test_openai_stream_without_usage_hides_it(stack: Stack, model: str) -> None:
    chunks = list(oai(stack).chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": "quiet please"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: quiet please"
    assert [c for c in chunks if c.usage] == []


@pytest.mark.parametrize("model", MODELS)
def test_openai_tool_loop(stack: Stack, model: str) -> None:
    client = oai(stack)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "use tools"},
                                  {"role": "user", "content": "weather in Paris"}]
    first = client.chat.completions.create(model=model, messages=msgs, tools=[OAI_TOOL])
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.type == "function" and call.id
    assert call.function.name == "lookup" and json.loads(call.function.arguments) == {"q": "weather in Paris"}
    mark = stack.records[model].mark()
    msgs += [first.choices[0].message.model_dump(exclude_none=True),
             {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    second = client.chat.completions.create(model=model, messages=msgs, tools=[OAI_TOOL])
    assert second.choices[0].message.content == "tool said: sunny"
    assert second.choices[0].finish_reason == "stop"
    body = one_request(stack, model, mark)["body"]
    if model == GEMINI:
        # the call went back with Gemini's thought signature (carried by the client as extra_content)
        fc = body["contents"][1]["parts"][0]
        assert fc == {"functionCall": {"name": "lookup", "args": {"q": "weather in Paris"}},
                      "thoughtSignature": "c2lnbmF0dXJl"}
        assert body["contents"][2] == {"role": "user", "parts": [
            {"functionResponse": {"name": "lookup", "response": {"content": "sunny"}}}]}
    else:
        assert body["messages"][1]["content"][0]["toolUse"]["toolUseId"] == call.id
        assert body["messages"][2]["content"] == [
            {"toolResult": {"toolUseId": call.id, "content": [{"text": "sunny"}], "status": "success"}}]


@pytest.mark.parametrize("model", MODELS)
def test_openai_streamed_tool_call(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    chunks = list(oai(stack).chat.completions.create(
        model=model, stream=True, stream_options={"include_usage": True}, tools=[OAI_TOOL],
        messages=[{"role": "user", "content": "find tokenway"}]))
    name, args, ids, pieces = "", "", set(), 0
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            assert tc.index == 0
            if tc.id:
                ids.add(tc.id)
            if tc.function and tc.function.name:
                name += tc.function.name
            if tc.function and tc.function.arguments:
                args += tc.function.arguments
                pieces += 1
    assert name == "lookup"
    assert json.loads(args) == {"q": "find tokenway"}
    assert len(ids) == 1
    if model == BEDROCK:
        assert pieces == 2  # Bedrock streams the input JSON in pieces; they are forwarded as they come
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]
    prompt, completion = expected_usage(model, one_request(stack, model, mark)["body"])
    usage = next(c.usage for c in chunks if c.usage)
    assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion)


@pytest.mark.parametrize("model", MODELS)
def test_openai_image_part(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    c = oai(stack).chat.completions.create(model=model, messages=[{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}])
    assert c.choices[0].message.content == "echo: what is this"
    body = one_request(stack, model, mark)["body"]
    if model == GEMINI:
        assert body["contents"] == [{"role": "user", "parts": [
            {"text": "what is this"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]}]
    else:
        assert body["messages"] == [{"role": "user", "content": [
            {"text": "what is this"}, {"image": {"format": "png", "source": {"bytes": PNG}}}]}]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_openai_max_tokens_truncation(stack: Stack, model: str, stream: bool) -> None:
    mark = stack.records[model].mark()
    kw: dict[str, Any] = dict(model=model, max_tokens=3, messages=[{"role": "user", "content": "a b c d e f"}])
    if stream:
        chunks = list(oai(stack).chat.completions.create(stream=True, **kw))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    else:
        c = oai(stack).chat.completions.create(**kw)
        text, finish = c.choices[0].message.content, [c.choices[0].finish_reason]
    assert text == "echo: a b"
    assert finish == ["length"]
    body = one_request(stack, model, mark)["body"]
    limit = body["generationConfig"]["maxOutputTokens"] if model == GEMINI else body["inferenceConfig"]["maxTokens"]
    assert limit == 3


@pytest.mark.parametrize("model", MODELS)
def test_openai_vendor_error_mid_stream(stack: Stack, model: str) -> None:
    stream = oai(stack).chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": "!error now please"}])
    got: list[str] = []
    with pytest.raises(openai.APIError) as ei:
        for c in stream:
            if c.choices and c.choices[0].delta.content:
                got.append(c.choices[0].delta.content)
    assert "".join(got) == "echo: !error now "  # the first event went out before the vendor failed
    err = ei.value.body
    assert isinstance(err, dict) and err["code"] == "upstream_error"
    expected = "emulated mid-stream error" if model == GEMINI else "Too many requests"
    assert expected in err["message"]


def test_openai_vendor_error_mid_stream_raw(stack: Stack) -> None:
    """The OpenAI error event is the last one: no [DONE] after it."""
    with httpx.stream("POST", stack.gw.url + "/v1/chat/completions", timeout=20,
                      headers={"Authorization": f"Bearer {CLIENT_KEY}"},
                      json={"model": BEDROCK, "stream": True,
                            "messages": [{"role": "user", "content": "!error raw"}]}) as r:
        assert r.status_code == 200
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] != "[DONE]"
    last = json.loads(events[-1])
    assert last["error"]["code"] == "upstream_error"
    assert last["error"]["type"] == "api_error"


@pytest.mark.parametrize("model", MODELS)
def test_openai_vendor_error_non_stream(stack: Stack, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as ei:
        oai(stack).chat.completions.create(model=model, messages=[{"role": "user", "content": "!error"}])
    assert ei.value.status_code == 400
    assert ei.value.body["code"] == "upstream_bad_request"
    assert "emulated error requested by !error" in ei.value.body["message"]


# --------------------------------------------------------------------------- Anthropic SDK
@pytest.mark.parametrize("model", MODELS)
def test_anthropic_non_stream_multi_turn_with_system(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    m = ant(stack).messages.create(model=model, max_tokens=100, system="be brief", messages=HISTORY)
    assert [b.type for b in m.content] == ["text"]
    assert m.content[0].text == "echo: second question now"
    assert m.stop_reason == "end_turn"
    assert m.model == model
    rec = one_request(stack, model, mark)
    assert system_text(model, rec["body"]) == "be brief"
    assert user_texts(model, rec["body"]) == ["first question", "second question now"]
    prompt, completion = expected_usage(model, rec["body"])
    assert (m.usage.input_tokens, m.usage.output_tokens) == (prompt, completion)


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_stream(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    with ant(stack).messages.stream(model=model, max_tokens=100, system="stream it",
                                    messages=[{"role": "user", "content": "a streamed hello to you"}]) as s:
        pieces = list(s.text_stream)
        final = s.get_final_message()
    assert "".join(pieces) == "echo: a streamed hello to you"
    assert len(pieces) >= 2
    assert final.stop_reason == "end_turn"
    prompt, completion = expected_usage(model, one_request(stack, model, mark)["body"])
    assert (final.usage.input_tokens, final.usage.output_tokens) == (prompt, completion)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_tool_loop(stack: Stack, model: str, stream: bool) -> None:
    client = ant(stack)
    msgs: list[dict[str, Any]] = [{"role": "user", "content": "capital of France"}]
    mark = stack.records[model].mark()
    if stream:
        with client.messages.stream(model=model, max_tokens=100, tools=[ANT_TOOL], messages=msgs) as s:
            partial = "".join(e.partial_json for e in s if e.type == "input_json")
            first = s.get_final_message()
        assert json.loads(partial) == {"q": "capital of France"}
    else:
        first = client.messages.create(model=model, max_tokens=100, tools=[ANT_TOOL], messages=msgs)
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.name == "lookup" and use.input == {"q": "capital of France"}
    prompt, completion = expected_usage(model, one_request(stack, model, mark)["body"])
    assert (first.usage.input_tokens, first.usage.output_tokens) == (prompt, completion)
    msgs += [{"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Paris"}]}]
    if stream:
        with client.messages.stream(model=model, max_tokens=100, tools=[ANT_TOOL], messages=msgs) as s:
            text = "".join(s.text_stream)
            second = s.get_final_message()
        assert text == "tool said: Paris"
    else:
        second = client.messages.create(model=model, max_tokens=100, tools=[ANT_TOOL], messages=msgs)
    assert second.content[0].type == "text" and second.content[0].text == "tool said: Paris"
    assert second.stop_reason == "end_turn"


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_image_part(stack: Stack, model: str) -> None:
    mark = stack.records[model].mark()
    m = ant(stack).messages.create(model=model, max_tokens=50, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "text", "text": "describe it"}]}])
    assert m.content[0].text == "echo: describe it"
    body = one_request(stack, model, mark)["body"]
    if model == GEMINI:
        assert body["contents"][0]["parts"] == [{"inlineData": {"mimeType": "image/png", "data": PNG}},
                                                {"text": "describe it"}]
    else:
        assert body["messages"][0]["content"] == [{"image": {"format": "png", "source": {"bytes": PNG}}},
                                                  {"text": "describe it"}]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_max_tokens_truncation(stack: Stack, model: str, stream: bool) -> None:
    kw: dict[str, Any] = dict(model=model, max_tokens=2, messages=[{"role": "user", "content": "x y z w"}])
    if stream:
        with ant(stack).messages.stream(**kw) as s:
            text = "".join(s.text_stream)
            m = s.get_final_message()
    else:
        m = ant(stack).messages.create(**kw)
        text = m.content[0].text
    assert text == "echo: x"
    assert m.stop_reason == "max_tokens"
    assert m.usage.output_tokens == 2


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_vendor_error_mid_stream(stack: Stack, model: str) -> None:
    got: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as ei, ant(stack).messages.stream(model=model, max_tokens=100,
                                    messages=[{"role": "user", "content": "!error midway here"}]) as s:
        for piece in s.text_stream:
            got.append(piece)
    assert "".join(got) == "echo: !error midway "
    body = ei.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    # the error type follows the vendor's status: Bedrock's throttlingException is a 429
    assert body["error"]["type"] == ("api_error" if model == GEMINI else "rate_limit_error")
    expected = "emulated mid-stream error" if model == GEMINI else "Too many requests"
    assert expected in body["error"]["message"]


def test_anthropic_vendor_error_mid_stream_raw(stack: Stack) -> None:
    """The Anthropic ``error`` event is the last one: no message_delta / message_stop after it."""
    with httpx.stream("POST", stack.gw.url + "/v1/messages", timeout=20,
                      headers={"x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01"},
                      json={"model": GEMINI, "stream": True, "max_tokens": 50,
                            "messages": [{"role": "user", "content": "!error raw anthropic"}]}) as r:
        assert r.status_code == 200
        names = [line[7:] for line in r.iter_lines() if line.startswith("event: ")]
    assert names[0] == "message_start"
    assert names[-1] == "error"
    assert "message_stop" not in names


# --------------------------------------------------------------------------- OpenAI Responses API
def test_responses_create_against_gemini(stack: Stack) -> None:
    mark = stack.records[GEMINI].mark()
    r = oai(stack).responses.create(model=GEMINI, instructions="be brief", input="hello responses")
    assert r.status == "completed"
    assert r.output_text == "echo: hello responses"
    rec = one_request(stack, GEMINI, mark)
    assert system_text(GEMINI, rec["body"]) == "be brief"
    prompt, completion = expected_usage(GEMINI, rec["body"])
    assert r.usage is not None
    assert (r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens) == \
        (prompt, completion, prompt + completion)


def test_responses_stream_against_gemini(stack: Stack) -> None:
    mark = stack.records[GEMINI].mark()
    with oai(stack).responses.stream(model=GEMINI, input="stream the responses api now") as s:
        deltas = [e.delta for e in s if e.type == "response.output_text.delta"]
        final = s.get_final_response()
    assert "".join(deltas) == "echo: stream the responses api now"
    assert len(deltas) >= 2
    assert final.status == "completed"
    assert final.output_text == "echo: stream the responses api now"
    prompt, completion = expected_usage(GEMINI, one_request(stack, GEMINI, mark)["body"])
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (prompt, completion)


def test_responses_tool_call_against_gemini(stack: Stack) -> None:
    tool = {"type": "function", "name": "lookup", "description": "Look something up",
            "parameters": OAI_TOOL["function"]["parameters"]}
    client = oai(stack)
    first = client.responses.create(model=GEMINI, input="weather in Lyon", tools=[tool])
    call = next(o for o in first.output if o.type == "function_call")
    assert call.name == "lookup" and json.loads(call.arguments) == {"q": "weather in Lyon"}
    second = client.responses.create(model=GEMINI, tools=[tool], input=[
        {"role": "user", "content": "weather in Lyon"},
        {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": "rainy"}])
    assert second.output_text == "tool said: rainy"


def test_responses_max_output_tokens_incomplete(stack: Stack) -> None:
    r = oai(stack).responses.create(model=GEMINI, input="one two three four", max_output_tokens=2)
    assert r.status == "incomplete"
    assert r.incomplete_details is not None and r.incomplete_details.reason == "max_output_tokens"
    assert r.output_text == "echo: one"


# --------------------------------------------------------------------------- credentials
def test_wrong_bedrock_secret_is_refused_by_the_vendor(stack: Stack) -> None:
    gw = stack.start_gateway(AWS_SK[:-4] + "XXXX")
    mark = stack.records[BEDROCK].mark()
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key=CLIENT_KEY, max_retries=0, timeout=20)
    with pytest.raises(openai.APIStatusError) as ei:
        client.chat.completions.create(model=BEDROCK, messages=[{"role": "user", "content": "hi"}])
    assert ei.value.status_code == 502
    assert ei.value.body["code"] == "upstream_error"
    assert "refused the gateway's credentials (403)" in ei.value.body["message"]
    # the emulator saw the (well formed, wrongly signed) requests: one plus the configured retry
    recs = stack.records[BEDROCK].since(mark, n=0)
    assert len(recs) == 2
    assert all(r["headers"].get("X-Amz-Date") for r in recs)
    # the same failure in the Anthropic dialect
    with pytest.raises(anthropic.APIStatusError) as ai:
        anthropic.Anthropic(base_url=gw.url, api_key=CLIENT_KEY, max_retries=0, timeout=20).messages.create(
            model=BEDROCK, max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert ai.value.status_code == 502
    assert ai.value.body["error"]["code"] == "upstream_error"
    assert ai.value.body["error"]["type"] == "api_error"
    # and the right secret, on the other gateway, still works against the same emulator
    ok = oai(stack).chat.completions.create(model=BEDROCK, messages=[{"role": "user", "content": "hi"}])
    assert ok.choices[0].message.content == "echo: hi"


def test_emulator_checks_signature_directly(stack: Stack) -> None:
    """The emulator really verifies signatures: an unsigned request and a request signed with a
    wrong secret are both refused, one signed with the right secret is answered."""
    from tokenway.dialects import bedrock

    url = stack.bedrock.url + vendor_path(BEDROCK, False)
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "direct"}]}]}).encode()
    host = f"127.0.0.1:{stack.bedrock.port}"
    assert httpx.post(url, content=body, timeout=10).status_code == 403
    for secret, status in ((AWS_SK + "x", 403), (AWS_SK, 200)):
        headers = bedrock.sign("POST", url, {"Content-Type": "application/json", "Host": host}, body,
                               REGION, AWS_AK, secret)
        r = httpx.post(url, content=body, headers=headers, timeout=10)
        assert r.status_code == status, r.text
    assert r.json()["output"]["message"]["content"] == [{"text": "echo: direct"}]
