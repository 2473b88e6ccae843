"""Token counting (tokenway.metering.tokenizer) and prices (tokenway.metering.prices)."""

# ruff: noqa: RUF001  (CJK samples carry fullwidth punctuation on purpose)

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import pytest
import quicktok

from tokenway.config.schema import Price
from tokenway.metering import prices as pr
from tokenway.metering import tokenizer as tk
from tokenway.metering.estimate import estimate_text
from tokenway.metering.prices import PriceCatalog, cost, worst_case
from tokenway.metering.tokenizer import Tokenizers, completion_tokens_of_text, prompt_tokens

ALL = ["gpt-4", "gpt-4o", "gpt-oss-20b", "llama-3.1-8b", "qwen3-8b"]


@pytest.fixture(scope="module")
def tok() -> Tokenizers:
    t = Tokenizers()
    t.preload(ALL)
    assert t.wait(30)
    assert t.loaded == {"cl100k_base", "o200k_base", "o200k_harmony", "llama3", "qwen3"}
    return t


def enc(name: str) -> Any:
    return quicktok.get_encoding(name)


def n(name: str, text: str) -> int:
    return len(enc(name).encode(text))


# ------------------------------------------------------------------------------ known counts

# Token ids published by tiktoken's tests (tests/test_encoding.py) and OpenAI's cookbook
# ("How to count tokens with tiktoken").
KNOWN_IDS = [
    ("cl100k_base", "hello world", [15339, 1917]),
    ("o200k_base", "hello world", [24912, 2375]),
    ("cl100k_base", "tiktoken is great!", [83, 1609, 5963, 374, 2294, 0]),
    ("o200k_base", "tiktoken is great!", [83, 8251, 2488, 382, 2212, 0]),
    ("cl100k_base", "antidisestablishmentarianism", [519, 85342, 34500, 479, 8997, 2191]),
    ("o200k_base", "antidisestablishmentarianism", [493, 129901, 376, 160388, 21203, 2367]),
    ("cl100k_base", "2 + 2 = 4", [17, 489, 220, 17, 284, 220, 19]),
    ("o200k_base", "2 + 2 = 4", [17, 659, 220, 17, 314, 220, 19]),
    ("cl100k_base", "お誕生日おめでとう", [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699]),
    ("o200k_base", "お誕生日おめでとう", [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669]),
    ("cl100k_base", "rer", [38149]),
    ("cl100k_base", "'rer", [2351, 81]),
    ("cl100k_base", "today\n \n", [31213, 27907]),
    ("cl100k_base", "today\n  \n", [31213, 14211]),
    ("cl100k_base", "👍", [9468, 239, 235]),
    ("cl100k_base", " \x850", [220, 126, 227, 15]),
]
MODEL_OF = {"cl100k_base": "gpt-4", "o200k_base": "gpt-4o"}


@pytest.mark.parametrize(("encoding", "text", "ids"), KNOWN_IDS)
def test_known_token_ids(tok: Tokenizers, encoding: str, text: str, ids: list[int]) -> None:
    assert enc(encoding).encode(text) == ids
    counter = tok.for_model(MODEL_OF[encoding])
    assert counter.exact and counter.encoding == encoding
    assert counter.count(text) == len(ids)


def test_special_token_text_counts_as_text(tok: Tokenizers) -> None:
    # a user who types "<|endoftext|>" sends text, not the special token
    assert tok.for_model("gpt-4").count("hello <|endoftext|>") == len(
        enc("cl100k_base").encode_ordinary("hello <|endoftext|>")
    )
    assert tok.for_model("gpt-4").count("hello <|endoftext|>") > 2


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("openai/gpt-4o-mini", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base"),
        ("gpt-4.1-nano-2025-04-14", "o200k_base"),
        ("gpt-4.5-preview", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-5-mini-2025-08-07", "o200k_base"),
        ("o1", "o200k_base"),
        ("o3-mini-2025-01-31", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("gpt-4-turbo-2024-04-09", "cl100k_base"),
        ("gpt-3.5-turbo-0125", "cl100k_base"),
        ("gpt-35-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"),
        ("gpt-oss-120b", "o200k_harmony"),
        ("openai/gpt-oss-20b", "o200k_harmony"),
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3"),
        ("llama3.1:8b", "llama3"),
        ("llama-3.3-70b-versatile", "llama3"),
        ("us.meta.llama3-1-70b-instruct-v1:0", "llama3"),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen3"),
        ("qwen3-235b-a22b", "qwen3"),
    ],
)
def test_model_encodings(tok: Tokenizers, model: str, encoding: str) -> None:
    counter = tok.for_model(model)
    assert counter.encoding == encoding
    assert counter.exact


@pytest.mark.parametrize(
    "model",
    [
        "claude-sonnet-4-5",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "gemini-2.5-pro",
        "mistral-large-latest",
        "llama-4-scout",
        "deepseek-chat",
        "my-azure-deployment",
        "o10",
        "gpt-40",
    ],
)
def test_unshipped_tokenizers_are_conservative(tok: Tokenizers, model: str) -> None:
    counter = tok.for_model(model)
    assert counter.encoding is None
    assert not counter.exact
    text = "Hello, world! 你好，世界"
    assert counter.count(text) == estimate_text(text)


# ----------------------------------------------------------------------------- CJK estimates

CJK = [
    "我们在北京的一家小餐馆吃了晚饭，然后去公园散步。",
    "人工智能正在改变我们的工作方式和生活方式。",
    "机器学习模型需要大量的数据进行训练，才能获得良好的泛化能力。",
    "这个迟来的支点意味着我们没有时间为客户交付的成果翻云覆雨。",
    "今日は天気がいいので、友達と一緒に公園へ散歩に行きました。",
    "東京都の人口は約千四百万人です。",
    "お誕生日おめでとう",
    "한국어 문장도 테스트합니다.",
    "Hello 世界, mixed 文本 with English.",
]


@pytest.mark.parametrize("text", CJK)
@pytest.mark.parametrize("encoding", ["o200k_base", "qwen3"])
def test_estimate_does_not_undercount_cjk(text: str, encoding: str) -> None:
    assert estimate_text(text) >= enc(encoding).count(text)


def test_estimate_covers_rare_hanzi() -> None:
    text = "魑魅魍魉，饕餮之徒。"  # o200k 15, qwen3 10
    assert estimate_text(text) >= enc("o200k_base").count(text)


def test_estimate_covers_cl100k_chinese() -> None:
    text = CJK[0]  # cl100k 31
    assert estimate_text(text) >= enc("cl100k_base").count(text)


# ------------------------------------------------------------------------- OpenAI chat bodies

# The cookbook's example, with the prompt_tokens the OpenAI API reported for it.
COOKBOOK = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
        "into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for "
        "increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]


@pytest.mark.parametrize(
    ("model", "expected"),
    [("gpt-3.5-turbo", 129), ("gpt-4-0613", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)],
)
def test_cookbook_example_matches_the_api(tok: Tokenizers, model: str, expected: int) -> None:
    assert prompt_tokens({"model": model, "messages": COOKBOOK}, "openai", model, tok) == (expected, True)


def test_openai_formula_by_hand(tok: Tokenizers) -> None:
    pieces = {"system": 1, "Be brief.": 3, "user": 1, "Hello there": 2, "bob": 1}
    for text, count in pieces.items():
        assert n("o200k_base", text) == count
    body = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "name": "bob", "content": [{"type": "text", "text": "Hello there"}]},
        ]
    }
    # per message 3 + role + content; name + 1; reply priming 3
    expected = (3 + 1 + 3) + (3 + 1 + 2 + 1 + 1) + 3
    assert prompt_tokens(body, "openai", "gpt-4o", tok) == (expected, True)
    assert prompt_tokens(body, "responses", "gpt-4o", tok) == (expected, True)


def test_openai_image_allowances(tok: Tokenizers) -> None:
    def body(detail: str | None) -> dict[str, Any]:
        image: dict[str, Any] = {"url": "data:image/png;base64,iVBORw0KGgo="}
        if detail:
            image["detail"] = detail
        parts = [{"type": "text", "text": "Hello there"}, {"type": "image_url", "image_url": image}]
        return {"messages": [{"role": "user", "content": parts}]}

    text = (3 + 1 + 2) + 3
    assert prompt_tokens(body(None), "openai", "gpt-4o", tok) == (text + 765, False)
    assert prompt_tokens(body("high"), "openai", "gpt-4o", tok) == (text + 765, False)
    assert prompt_tokens(body("low"), "openai", "gpt-4o", tok) == (text + 85, False)
    assert prompt_tokens(body("low"), "openai", "gpt-4o-mini", tok) == (text + 2833, False)
    assert prompt_tokens(body("high"), "openai", "gpt-4o-mini-2024-07-18", tok) == (text + 2833 + 4 * 5667, False)
    assert prompt_tokens(body(None), "openai", "gpt-4.1-mini", tok) == (text + 1659, False)
    count, exact = prompt_tokens(body(None), "openai", "claude-sonnet-4-5", tok)
    assert not exact
    assert count == 3 + estimate_text("user") + estimate_text("Hello there") + 1600 + 3


def test_openai_tool_calls_and_tools(tok: Tokenizers) -> None:
    tool = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
    body = {
        "messages": [
            {"role": "user", "content": "What time is it?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "12:00"},
        ],
        "tools": [tool],
    }
    e = enc("o200k_base")
    assert [
        n("o200k_base", s) for s in ("user", "What time is it?", "assistant", "get_time", "{}", "tool", "12:00")
    ] == [
        1,
        5,
        1,
        2,
        1,
        1,
        3,
    ]
    tool_json = e.count(orjson.dumps(tool).decode())
    expected = (3 + 1 + 5) + (3 + 1 + 2 + 1) + (3 + 1 + 3) + tool_json + 3
    assert prompt_tokens(body, "openai", "gpt-4o", tok) == (expected, False)
    # Claude adds its tool-use system prompt (346 tokens)
    claude, _ = prompt_tokens(body, "openai", "claude-sonnet-4", tok)
    assert claude - prompt_tokens({**body, "tools": []}, "openai", "claude-sonnet-4", tok)[0] == (
        estimate_text(orjson.dumps(tool).decode()) + 346
    )


COOKBOOK_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]
COOKBOOK_TOOL_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(
    ("model", "api"), [("gpt-3.5-turbo", 105), ("gpt-4", 105), ("gpt-4o", 101), ("gpt-4o-mini", 101)]
)
def test_tool_definitions_are_not_undercounted(tok: Tokenizers, model: str, api: int) -> None:
    body = {"messages": COOKBOOK_TOOL_MESSAGES, "tools": COOKBOOK_TOOLS}
    count, exact = prompt_tokens(body, "openai", model, tok)
    assert not exact
    assert api <= count <= api * 1.25  # conservative, yet close


def test_structured_output_schema_is_counted(tok: Tokenizers) -> None:
    schema = {"name": "answer", "schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": schema},
    }
    plain = prompt_tokens({"messages": body["messages"]}, "openai", "gpt-4o", tok)
    assert plain == (3 + 1 + 1 + 3, True)
    assert prompt_tokens(body, "openai", "gpt-4o", tok) == (
        plain[0] + enc("o200k_base").count(orjson.dumps(schema).decode()),
        False,
    )


def test_open_model_framing_matches_their_chat_templates(tok: Tokenizers) -> None:
    msgs = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi there, how are you?"},
        {"role": "assistant", "content": "Fine.\n\nThanks!"},
        {"role": "user", "content": "  leading spaces and\nnewlines\n"},
    ]
    llama = (
        "<|begin_of_text|>"
        + "".join(f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>" for m in msgs)
        + "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    qwen = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in msgs) + "<|im_start|>assistant\n"
    harmony = "".join(f"<|start|>{m['role']}<|message|>{m['content']}<|end|>" for m in msgs) + "<|start|>assistant"
    body = {"messages": msgs}
    # templates can inject text we do not see (default system prompts), so never "exact"
    assert prompt_tokens(body, "openai", "llama-3.1-8b-instruct", tok) == (
        len(enc("llama3").encode_with_special(llama)),
        False,
    )
    assert prompt_tokens(body, "openai", "qwen3-8b", tok) == (len(enc("qwen3").encode_with_special(qwen)), False)
    count, exact = prompt_tokens(body, "openai", "gpt-oss-20b", tok)
    assert not exact and count >= len(enc("o200k_harmony").encode_with_special(harmony))


# ------------------------------------------------------------------------ Anthropic bodies


def test_anthropic_messages_counted_directly(tok: Tokenizers) -> None:
    tool = {"name": "lookup", "description": "Look a word up", "input_schema": {"type": "object"}}
    body = {
        "model": "claude-sonnet-4-5",
        "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": "Define ephemeral."},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "I should look it up.", "signature": "c2ln"},
                    {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"},
                    {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"word": "ephemeral"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [{"type": "text", "text": "lasting a short time"}],
                    },
                    {"type": "tool_result", "tool_use_id": "toolu_2", "content": "no more"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                    {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": "Some plain text."},
                    },
                ],
            },
        ],
        "tools": [tool],
    }
    e = estimate_text
    expected = (
        3  # priming
        + 3
        + e("system")
        + e("You are terse.")
        + 3
        + e("user")
        + e("Define ephemeral.")
        + 3
        + e("assistant")
        + e("I should look it up.")
        + e("lookup")
        + e('{"word":"ephemeral"}')
        + 3
        + e("user")
        + e("lasting a short time")
        + e("no more")
        + 1600
        + e("Some plain text.")
        + e(orjson.dumps(tool).decode())
        + 346
    )
    assert expected == 3 + (3 + 2 + 4) + (3 + 1 + 5) + (3 + 3 + 5 + 2 + 5) + (3 + 1 + 5 + 2 + 1600 + 4) + 21 + 346
    assert prompt_tokens(body, "anthropic", "claude-sonnet-4-5-20250929", tok) == (expected, False)
    # a system string counts like one text block
    as_string = {**body, "system": "You are terse."}
    assert prompt_tokens(as_string, "anthropic", "claude-sonnet-4-5", tok) == (expected, False)


def test_anthropic_dialect_with_an_exact_tokenizer_is_still_not_exact(tok: Tokenizers) -> None:
    body = {"messages": [{"role": "user", "content": "hello world"}]}
    assert prompt_tokens(body, "anthropic", "gpt-4o", tok) == (3 + 1 + 2 + 3, False)


# --------------------------------------------------------------------------------- embeddings


def test_embeddings(tok: Tokenizers) -> None:
    model = "text-embedding-3-small"
    assert prompt_tokens({"input": "hello world"}, "embeddings", model, tok) == (2, True)
    assert prompt_tokens({"input": ["hello world", "tiktoken is great!"]}, "embeddings", model, tok) == (8, True)
    assert prompt_tokens({"input": [15339, 1917, 0]}, "embeddings", model, tok) == (3, True)
    assert prompt_tokens({"input": [[15339, 1917], [0]]}, "embeddings", model, tok) == (3, True)
    assert prompt_tokens({"input": "hello world"}, "embeddings", "gemini-embedding-001", tok) == (3, False)
    assert prompt_tokens({"input": [[1, 2, 3]]}, "embeddings", "mistral-embed", tok) == (3, True)


def test_unknown_dialect_is_an_error(tok: Tokenizers) -> None:
    with pytest.raises(ValueError):
        prompt_tokens({}, "gemini", "gpt-4o", tok)


def test_completion_tokens_of_text(tok: Tokenizers) -> None:
    assert completion_tokens_of_text("tiktoken is great!", "gpt-4o-2024-08-06", tok) == 6
    assert completion_tokens_of_text("tiktoken is great!", "claude-opus-4-1", tok) == estimate_text(
        "tiktoken is great!"
    )
    assert completion_tokens_of_text("", "gpt-4o", tok) == 0


def test_prompt_counting_is_fast(tok: Tokenizers) -> None:
    body = {"messages": [{"role": "user", "content": "word " * 20_000}] * 5}  # 500 KB of text
    start = time.perf_counter()
    count, exact = prompt_tokens(body, "openai", "gpt-4o", tok)
    assert time.perf_counter() - start < 0.25  # ~5 ms in practice
    assert n("o200k_base", "word " * 20_000) == 20_001  # "word", 19 999 x " word", " "
    assert exact and count == 5 * (3 + 1 + 20_001) + 3


# --------------------------------------------------------------------------- loading off-thread


def test_preload_runs_off_thread_and_counts_conservatively_until_loaded() -> None:
    gate = threading.Event()
    threads: list[int] = []

    def slow_loader(name: str) -> Any:
        threads.append(threading.get_ident())
        gate.wait(10)
        return quicktok.get_encoding(name)

    t = Tokenizers(slow_loader)
    start = time.perf_counter()
    t.preload(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4"])
    counter = t.for_model("gpt-4o")
    assert time.perf_counter() - start < 0.1
    assert not counter.exact
    assert counter.count("tiktoken is great!") == estimate_text("tiktoken is great!")
    assert not t.wait(0.05)
    gate.set()
    assert t.wait(10)
    counter = t.for_model("gpt-4o")
    assert counter.exact and counter.count("tiktoken is great!") == 6
    assert t.loaded == {"o200k_base"}
    assert threads and all(ident != threading.get_ident() for ident in threads)
    assert len(threads) == 1  # one encoding for both models, loaded once


def test_for_model_autoloads_in_the_background() -> None:
    loads: list[str] = []

    def loader(name: str) -> Any:
        loads.append(name)
        return quicktok.get_encoding(name)

    t = Tokenizers(loader)
    assert not t.for_model("qwen3-8b").exact
    assert t.wait(10)
    assert t.for_model("qwen3-8b").exact and loads == ["qwen3"]
    assert not t.for_model("claude-sonnet-4").exact and t.wait(0) and loads == ["qwen3"]
    no_auto = Tokenizers(loader, autoload=False)
    assert not no_auto.for_model("gpt-4").exact and no_auto.wait(0) and loads == ["qwen3"]


def test_a_failed_load_stays_conservative() -> None:
    def broken(name: str) -> Any:
        raise RuntimeError("no data")

    t = Tokenizers(broken)
    t.preload(["gpt-4"])
    assert t.wait(10)
    assert not t.for_model("gpt-4").exact and t.loaded == frozenset()


def test_preload_of_unknown_models_does_nothing() -> None:
    t = Tokenizers(lambda name: pytest.fail("no load expected"))
    t.preload(["claude-sonnet-4", "gemini-2.5-pro"])
    assert t.wait(0) and t.loaded == frozenset()


# ------------------------------------------------------------------------------------ prices

BRIEF_MODELS = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o1",
    "o3",
    "o3-mini",
    "o4-mini",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "claude-3-5-haiku",
    "claude-3-5-sonnet",
    "claude-3-7-sonnet",
    "claude-sonnet-4",
    "claude-opus-4",
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "claude-opus-4-1",
    "gemini-1.5-flash",
    "gemini-1.5-pro",
    "gemini-2.0-flash",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "deepseek-chat",
    "deepseek-reasoner",
    "mistral-large",
    "mistral-small",
]


def test_catalog_covers_the_common_models_with_dated_usd_prices() -> None:
    catalog = pr.shipped_catalog()
    for model in BRIEF_MODELS:
        assert model in catalog, model
    for name, price in catalog.items():
        assert price.currency == "USD", name
        assert price.effective and time.strptime(price.effective, "%Y-%m-%d"), name
        assert price.input >= 0 and price.output >= 0
        if price.cached_input is not None:
            assert price.cached_input <= price.input, name


def test_catalog_file_says_prices_must_be_checked() -> None:
    from importlib import resources

    head = resources.files("tokenway").joinpath("data/prices.yaml").read_text(encoding="utf-8")[:600]
    assert "LIST prices" in head and "CHECK THEM" in head


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("gpt-4o", "gpt-4o"),
        ("GPT-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # priced differently: its own entry wins
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("openai/gpt-4.1-mini", "gpt-4.1-mini"),
        ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
        ("gpt-4-0613", "gpt-4"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("gpt-5-pro", "gpt-5-pro"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),  # Vertex AI
        ("anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
        ("us.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"),
        ("us.meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0"),
        ("models/gemini-1.5-pro-002", "gemini-1.5-pro"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("gemini-2.5-pro-preview-06-05", "gemini-2.5-pro"),  # longest known prefix
        ("mistral-large-latest", "mistral-large"),
        ("mistral-small-2503", "mistral-small"),
        ("deepseek-chat", "deepseek-chat"),
    ],
)
def test_catalog_lookup(model: str, entry: str) -> None:
    catalog = PriceCatalog()
    hit = catalog.resolve(model)
    assert hit is not None and hit[0] == entry
    assert catalog.lookup(model) == pr.shipped_catalog()[entry]


@pytest.mark.parametrize(
    "model", ["unknown-model", "gpt-5.2", "ft:gpt-4o-mini-2024-07-18:acme::abc", "claude-9", "o10"]
)
def test_unknown_price_is_none(model: str) -> None:
    assert PriceCatalog().lookup(model) is None


def test_overrides_win() -> None:
    mine = Price(input=1.0, output=2.0)
    bedrock = Price(input=9.0, output=9.0)
    catalog = PriceCatalog({"GPT-4o": mine, "anthropic.claude-3-5-haiku-20241022-v1:0": bedrock, "house-model": mine})
    assert catalog.lookup("gpt-4o") is mine
    assert catalog.lookup("gpt-4o-2024-08-06") is mine  # an override applies to every name normalising to it
    assert catalog.lookup("us.anthropic.claude-3-5-haiku-20241022-v1:0") is bedrock
    assert catalog.lookup("house-model-2025-01-01") is mine
    assert catalog.lookup("gpt-4o-mini") == pr.shipped_catalog()["gpt-4o-mini"]


def test_cost_with_cache_reads_and_writes() -> None:
    price = PriceCatalog().lookup("claude-sonnet-4-20250514")
    assert price is not None
    usage = {
        "prompt_tokens": 10_000,
        "completion_tokens": 1_000,
        "prompt_tokens_details": {"cached_tokens": 6_000, "cache_creation_tokens": 2_000},
        "completion_tokens_details": {"reasoning_tokens": 400},
    }
    # 2000 uncached x 3 + 6000 cached x 0.30 + 2000 written x 3.75 + 1000 output x 15 (reasoning = output)
    assert cost(price, usage) == pytest.approx((6_000 + 1_800 + 7_500 + 15_000) / 1e6)
    assert PriceCatalog.cost(price, usage) == cost(price, usage)


def test_cost_openai_cached_and_defaults() -> None:
    price = PriceCatalog().lookup("gpt-4o")
    assert price is not None
    usage = {"prompt_tokens": 2_000, "completion_tokens": 100, "prompt_tokens_details": {"cached_tokens": 1_024}}
    assert cost(price, usage) == pytest.approx((976 * 2.50 + 1_024 * 1.25 + 100 * 10.0) / 1e6)
    bare = Price(input=2.0, output=8.0)  # no cached/cache_write/reasoning prices: input and output
    full = {
        "prompt_tokens": 1_000,
        "completion_tokens": 100,
        "prompt_tokens_details": {"cached_tokens": 500, "cache_creation_tokens": 200},
        "completion_tokens_details": {"reasoning_tokens": 60},
    }
    assert cost(bare, full) == pytest.approx((1_000 * 2.0 + 100 * 8.0) / 1e6)
    assert cost(bare, {"prompt_tokens": None, "completion_tokens_details": None}) == 0.0
    # details larger than the totals are clamped, never negative
    odd = {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "prompt_tokens_details": {"cached_tokens": 50},
        "completion_tokens_details": {"reasoning_tokens": 9},
    }
    assert cost(Price(input=1, output=1, cached_input=0.5, reasoning=3), odd) == pytest.approx((10 * 0.5 + 5 * 3) / 1e6)


def test_cost_with_a_reasoning_price() -> None:
    price = PriceCatalog().lookup("gemini-2.5-flash-preview-04-17")
    assert price is not None and price.reasoning == 3.50
    usage = {"prompt_tokens": 1_000, "completion_tokens": 500, "completion_tokens_details": {"reasoning_tokens": 300}}
    assert cost(price, usage) == pytest.approx((1_000 * 0.15 + 200 * 0.60 + 300 * 3.50) / 1e6)


def test_worst_case() -> None:
    claude = PriceCatalog().lookup("claude-sonnet-4")
    gpt = PriceCatalog().lookup("gpt-4o")
    assert claude is not None and gpt is not None
    assert worst_case(claude, 1_000, 500) == pytest.approx((1_000 * 3.75 + 500 * 15.0) / 1e6)  # cache write > input
    assert worst_case(gpt, 1_000, 500) == pytest.approx((1_000 * 2.50 + 500 * 10.0) / 1e6)
    assert worst_case(Price(input=1, output=2, reasoning=5), 0, 10) == pytest.approx(50 / 1e6)
    assert PriceCatalog.worst_case(gpt, 1_000, 500) == worst_case(gpt, 1_000, 500)


def test_warn_unknown_once_per_model() -> None:
    catalog = PriceCatalog()
    assert catalog.warn_unknown("mystery-1")
    assert not catalog.warn_unknown("mystery-1")
    assert catalog.warn_unknown("mystery-2")


def test_parse_catalog_converts_dates_and_applies_currency() -> None:
    parsed = pr.parse_catalog("currency: EUR\nmodels:\n  m-1: {input: 1, output: 2, effective: 2025-01-02}\n")
    assert parsed["m-1"] == Price(input=1, output=2, currency="EUR", effective="2025-01-02")


def test_framing_constants_are_the_documented_ones() -> None:
    assert tk.framing_for("o200k_base") is tk.OPENAI_FRAMING
    assert tk.framing_for("cl100k_base") == tk.Framing(per_message=3, per_name=1, priming=3, exact=True)
    assert tk.framing_for("llama3") == tk.Framing(4, 1, 5, False)
    assert tk.framing_for("qwen3") == tk.Framing(4, 1, 3, False)
    assert tk.framing_for(None) == tk.Framing(3, 1, 3, False)
