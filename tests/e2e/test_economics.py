"""Economics end to end: the usage ledger, budgets, rate limits, alerts, end users and drift.

Real processes on loopback: ``tokenway serve``, ../shared/bench/fake_upstream.py (OpenAI and
Anthropic formats, ``--record``), the Gemini and Bedrock emulators, the faulty vendor. The
ledger is read straight from its SQLite file (``<ledger.path>/ledger.db``, table ``usage``),
polling until the writer thread committed the row (or after a restart replayed the journal).

Expected usage is computed independently of the gateway: the fake vendor's prompt count is
chars/4 of the message text + 3 per message (its documented formula, applied to the body it
recorded), its completion count is ``--tokens``; the emulators' counts come from their own
``plan()``; costs come from the shipped catalog file (tokenway/data/prices.yaml) read here.

Covered: exact vendor usage per dialect pair, streamed and not (and a null cost for an unpriced
model); a cut stream counted by the tokenizer; a hard budget and an rpm under 64 concurrent
clients; kill -9 under load then restart on the same data dir; examples/governed.yaml as is,
with ``tokenway usage`` checked against the ledger; soft-budget webhook alerts and their metric;
end users; prompt-estimate drift.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
import yaml

from tests.conftest import ROOT, TOKENWAY, Proc, free_port
from tests.e2e.support import Recorder, wait_for
from tests.emulators import bedrock_emulator, gemini_emulator

pytestmark = pytest.mark.timeout(90)

EMULATORS = ROOT / "tests" / "emulators"
FAKE_UPSTREAM = ROOT.parent / "shared" / "bench" / "fake_upstream.py"
PRICES = yaml.safe_load((ROOT / "src" / "tokenway" / "data" / "prices.yaml").read_text())["models"]

KEY = "sk-econ-ada-5c1e9b7a"  # ada's key (allow_end_user)
SVC_KEY = "sk-econ-svc-0d2f4e61"  # the platform team's service key (no end users)
GEMINI_KEY = "AIza-econ-gemini-4411"
AWS_AK = "AKIAECONTOKENWAY0001"
AWS_SK = "econSecretKey/K7MDENG/bPxRfiCYEXAMPLE"
REGION = "eu-west-1"
FAKE_TOKENS = 7  # fake_upstream --tokens in the shared stack

# public model -> (vendor kind, vendor model, target label)
MODELS: dict[str, tuple[str, str, str]] = {
    "gpt-4o-mini": ("openai", "gpt-4o-mini", "openai-up/gpt-4o-mini"),
    "claude-3-5-haiku": ("anthropic", "claude-3-5-haiku", "anthropic-up/claude-3-5-haiku"),
    "gemini-flash": ("gemini", "gemini-2.5-flash", "gemini/gemini-2.5-flash"),
    "bedrock-claude": ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0",
                       "bedrock/anthropic.claude-3-5-haiku-20241022-v1:0"),
}


# --------------------------------------------------------------------------- helpers
def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def fake_prompt_tokens(body: dict[str, Any]) -> int:
    """fake_upstream's prompt count (its README: chars/4 of the message text; + 3 per message)."""
    n = 0
    msgs = body.get("messages") or []
    for m in msgs:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            n += len(c)
        elif isinstance(c, list):
            n += sum(len(p["text"]) for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
    if isinstance(body.get("system"), str):
        n += len(body["system"])
    return max(1, n // 4) + 3 * len(msgs)


def catalog_cost(vendor_model: str, prompt: int, completion: int) -> float:
    p = PRICES[vendor_model]
    return (prompt * p["input"] + completion * p["output"]) / 1_000_000


def o200k() -> Any:
    import quicktok

    return quicktok.get_encoding("o200k_base")


class LedgerDB:
    """Reads ``<data>/ledger.db`` with its own short-lived connections."""

    def __init__(self, data: Path) -> None:
        self.path = data / "ledger.db"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []
            raise
        finally:
            conn.close()

    def rows(self, where: str = "1=1", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.query(f"SELECT * FROM usage WHERE {where}", params)

    def by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.rows(f"request_id IN ({marks})", tuple(chunk)):
                out[r["request_id"]] = r
        return out

    def wait_ids(self, ids: list[str], timeout: float = 15.0) -> dict[str, dict[str, Any]]:
        got: dict[str, dict[str, Any]] = {}

        def done() -> bool:
            got.update(self.by_id([i for i in ids if i not in got]))
            return len(got) == len(set(ids))

        wait_for(done, timeout)
        missing = set(ids) - set(got)
        assert not missing, f"ledger rows missing after {timeout}s: {sorted(missing)[:5]}"
        return got

    def wait_row(self, request_id: str, timeout: float = 15.0) -> dict[str, Any]:
        return self.wait_ids([request_id], timeout)[request_id]

    def wait_count(self, where: str, params: tuple[Any, ...], n: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        rows = wait_for(lambda: (lambda r: r if len(r) >= n else None)(self.rows(where, params)), timeout)
        rows = rows or self.rows(where, params)
        assert len(rows) == n, f"{len(rows)} rows where {where} {params}, expected {n}"
        return rows


def start_proc(args: list[str], tmp: Path, name: str, health: str, procs: list[Proc],
               env: dict[str, str] | None = None) -> Proc:
    port = free_port()
    p = Proc([*args, "--port", str(port)], port, tmp / f"{name}-{port}.log", env=env, health=health)
    procs.append(p)
    return p


def start_fake(tmp: Path, procs: list[Proc], *flags: str) -> Proc:
    return start_proc([sys.executable, str(FAKE_UPSTREAM), *flags], tmp, "upstream", "/health", procs)


def start_gw(tmp: Path, procs: list[Proc], cfg: str, env: dict[str, str] | None = None,
             name: str = "gateway") -> Proc:
    path = tmp / f"{name}-{len(procs)}.yaml"
    path.write_text(cfg)
    return start_proc([*TOKENWAY, "serve", "--config", str(path)], tmp, name, "/healthz", procs, env)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for p in reversed(started):
        p.stop()


BASE = """
server: {host: 127.0.0.1, reload: false}
logging: {access_log: false}
routing: {retries: 0}
"""


def fake_providers(port: int) -> str:
    return f"""
providers:
  openai-up: {{type: openai-compatible, base_url: 'http://127.0.0.1:{port}/v1', api_key: sk-up}}
  anthropic-up: {{type: anthropic, base_url: 'http://127.0.0.1:{port}', api_key: sk-up}}
models:
  gpt-4o-mini: {{targets: [{{provider: openai-up, model: gpt-4o-mini}}]}}
  claude-3-5-haiku: {{targets: [{{provider: anthropic-up, model: claude-3-5-haiku}}]}}
"""


def post_chat(client: httpx.Client, url: str, key: str, max_tokens: int = 60, model: str = "gpt-4o-mini",
              text: str = "count to three") -> httpx.Response:
    return client.post(url + "/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                       json={"model": model, "max_tokens": max_tokens,
                             "messages": [{"role": "user", "content": text}]})


def anthropic_http() -> Any:
    """The HTTP package the Anthropic SDK builds on (it refuses an ``httpx`` client when it uses
    ``httpx2``)."""
    try:
        import httpx2
    except ImportError:
        return httpx
    return httpx2


def error_of(r: httpx.Response) -> dict[str, Any]:
    return r.json()["error"]


# --------------------------------------------------------------------------- the shared stack
@dataclass
class Stack:
    gw: Proc
    db: LedgerDB
    records: dict[str, Recorder]  # vendor kind -> recorder

    def oai(self, key: str = KEY) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.gw.url + "/v1", api_key=key, max_retries=0, timeout=20)

    def ant(self, key: str = KEY) -> anthropic.Anthropic:
        return anthropic.Anthropic(base_url=self.gw.url, api_key=key, max_retries=0, timeout=20)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("economics")
    procs: list[Proc] = []
    try:
        rec = {k: Recorder(tmp / f"{k}.jsonl") for k in ("fake", "gemini", "bedrock")}
        up = start_fake(tmp, procs, "--tokens", str(FAKE_TOKENS), "--record", str(rec["fake"].path))
        gem = start_proc([sys.executable, str(EMULATORS / "gemini_emulator.py"), "--record", str(rec["gemini"].path),
                          "--api-key", GEMINI_KEY], tmp, "gemini", "/healthz", procs)
        bed = start_proc([sys.executable, str(EMULATORS / "bedrock_emulator.py"), "--record", str(rec["bedrock"].path),
                          "--access-key", AWS_AK, "--secret-key", AWS_SK, "--region", REGION],
                         tmp, "bedrock", "/healthz", procs)
        data = tmp / "data"
        cfg = BASE + f"""
providers:
  openai-up: {{type: openai-compatible, base_url: 'http://127.0.0.1:{up.port}/v1', api_key: sk-up}}
  anthropic-up: {{type: anthropic, base_url: 'http://127.0.0.1:{up.port}', api_key: sk-up}}
  gemini: {{type: gemini, base_url: 'http://127.0.0.1:{gem.port}', api_key: {GEMINI_KEY}}}
  bedrock: {{type: bedrock, base_url: 'http://127.0.0.1:{bed.port}', region: {REGION},
            access_key_id: {AWS_AK}, secret_access_key: '{AWS_SK}'}}
models:
  gpt-4o-mini: {{targets: [{{provider: openai-up, model: gpt-4o-mini}}]}}
  claude-3-5-haiku: {{targets: [{{provider: anthropic-up, model: claude-3-5-haiku}}]}}
  gemini-flash: {{targets: [{{provider: gemini, model: gemini-2.5-flash}}]}}
  bedrock-claude: {{targets: [{{provider: bedrock, model: 'anthropic.claude-3-5-haiku-20241022-v1:0'}}]}}
  house-model: {{targets: [{{provider: openai-up, model: house-llm-7}}]}}
orgs: {{acme: {{name: Acme}}}}
teams: {{platform: {{org: acme}}}}
users: {{ada: {{team: platform}}}}
keys:
  - {{name: ada-key, key: {KEY}, user: ada, allow_end_user: true}}
  - {{name: svc-key, key: {SVC_KEY}, team: platform}}
ledger: {{path: '{data}'}}
"""
        gw = start_gw(tmp, procs, cfg)
        yield Stack(gw, LedgerDB(data), rec)
    finally:
        for p in reversed(procs):
            p.stop()


def vendor_usage(kind: str, body: dict[str, Any]) -> tuple[int, int]:
    """(prompt, completion) as the vendor computed them for the request it received."""
    if kind in ("openai", "anthropic"):
        want = body.get("max_tokens") or body.get("max_completion_tokens")
        return fake_prompt_tokens(body), min(FAKE_TOKENS, want) if isinstance(want, int) else FAKE_TOKENS
    if kind == "gemini":
        u = gemini_emulator.plan(body)["usage"]
        return u["promptTokenCount"], u["candidatesTokenCount"] + u.get("thoughtsTokenCount", 0)
    u = bedrock_emulator.plan(body)["usage"]
    return u["inputTokens"], u["outputTokens"]


def recorder_of(s: Stack, kind: str) -> Recorder:
    return s.records["fake" if kind in ("openai", "anthropic") else kind]


def sdk_call(s: Stack, sdk: str, model: str, stream: bool, text: str, key: str = KEY,
             **extra: Any) -> tuple[str, str, tuple[int, int] | None]:
    """One call through an official SDK: (request id, answer text, usage the client saw or None)."""
    msgs = [{"role": "user", "content": text}]
    if sdk == "openai":
        client = s.oai(key)
        if stream:
            st = client.chat.completions.create(model=model, messages=msgs, max_tokens=50, stream=True, **extra)
            rid = st.response.headers["x-request-id"]
            chunks = list(st)
            out = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert [c for c in chunks if c.usage] == []  # the client did not ask for usage
            return rid, out, None
        r = client.chat.completions.with_raw_response.create(model=model, messages=msgs, max_tokens=50, **extra)
        c = r.parse()
        assert c.usage is not None
        return r.headers["x-request-id"], c.choices[0].message.content or "", \
            (c.usage.prompt_tokens, c.usage.completion_tokens)
    client2 = s.ant(key)
    if stream:
        with client2.messages.stream(model=model, max_tokens=50, messages=msgs, **extra) as ms:
            out = "".join(ms.text_stream)
            final = ms.get_final_message()
            rid = ms.response.headers["x-request-id"]
    else:
        r2 = client2.messages.with_raw_response.create(model=model, max_tokens=50, messages=msgs, **extra)
        final = r2.parse()
        rid = r2.headers["x-request-id"]
        out = "".join(b.text for b in final.content if b.type == "text")
    u = final.usage
    prompt = u.input_tokens + (u.cache_read_input_tokens or 0) + (u.cache_creation_input_tokens or 0)
    return rid, out, (prompt, u.output_tokens)


# --------------------------------------------------------------------------- 1. exact vendor usage
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_ledger_row_holds_the_vendor_usage(stack: Stack, sdk: str, model: str, stream: bool) -> None:
    kind, vendor_model, target = MODELS[model]
    rec = recorder_of(stack, kind)
    mark = rec.mark()
    t0 = time.time()
    rid, text, seen = sdk_call(stack, sdk, model, stream, f"ledger check {sdk} {model} stream={stream}")
    assert text
    got = rec.since(mark, n=1)
    assert len(got) == 1, got
    prompt, completion = vendor_usage(kind, got[0]["body"])
    assert prompt > 0 and completion > 0
    if seen is not None:
        assert seen == (prompt, completion)  # what the client saw is what the vendor reported

    row = stack.db.wait_row(rid)
    assert (row["prompt_tokens"], row["completion_tokens"]) == (prompt, completion)
    assert row["estimated"] == 0
    assert (row["cached_tokens"], row["cache_creation_tokens"], row["reasoning_tokens"]) == (0, 0, 0)
    assert (row["org"], row["team"], row["user"], row["key_id"]) == ("acme", "platform", "ada", key_id(KEY))
    assert row["end_user"] is None
    assert (row["model"], row["target"], row["dialect"]) == (model, target, sdk)
    assert (row["status"], row["code"], row["stream"], row["attempts"]) == (200, None, int(stream), 1)
    assert row["currency"] == "USD"
    assert row["cost"] == pytest.approx(catalog_cost(vendor_model, prompt, completion), rel=1e-9, abs=1e-15)
    assert row["cost"] > 0
    assert row["estimated_prompt_tokens"] and row["estimated_prompt_tokens"] > 0
    assert t0 - 1 <= row["ts"] <= time.time() + 1
    assert row["latency_ms"] > 0
    assert (row["ttft_ms"] is not None) == stream


def test_unpriced_model_has_null_cost_and_a_warning(stack: Stack) -> None:
    rid, text, seen = sdk_call(stack, "openai", "house-model", False, "what does this cost")
    assert text and seen is not None
    row = stack.db.wait_row(rid)
    assert (row["prompt_tokens"], row["completion_tokens"]) == seen
    assert row["target"] == "openai-up/house-llm-7"
    assert row["cost"] is None and row["currency"] is None  # unknown, never 0
    warnings = [json.loads(line) for line in stack.gw.output().splitlines()
                if line.startswith("{") and '"price_unknown"' in line]
    assert [w["model"] for w in warnings] == ["house-llm-7"]  # once, for the unpriced model only
    assert warnings[0]["level"] == "warning"


# --------------------------------------------------------------------------- 8. end users
def test_end_user_lands_in_the_ledger_only_when_the_key_allows_it(stack: Stack) -> None:
    c = stack.oai(KEY)
    r1 = c.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", user="alice@example.com", messages=[{"role": "user", "content": "for alice"}])
    r2 = c.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "for bob"}],
        extra_headers={"x-tokenway-user": "bob"})
    r3 = stack.ant(KEY).messages.with_raw_response.create(
        model="claude-3-5-haiku", max_tokens=20, messages=[{"role": "user", "content": "for carol"}],
        extra_headers={"x-tokenway-user": "carol"})
    s = stack.oai(SVC_KEY)
    r4 = s.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", user="mallory", messages=[{"role": "user", "content": "not allowed"}],
        extra_headers={"x-tokenway-user": "mallory"})
    ids = [r.headers["x-request-id"] for r in (r1, r2, r3, r4)]
    rows = stack.db.wait_ids(ids)
    assert [rows[i]["end_user"] for i in ids] == ["alice@example.com", "bob", "carol", None]
    svc = rows[ids[3]]
    assert (svc["key_id"], svc["team"], svc["org"], svc["user"]) == (key_id(SVC_KEY), "platform", "acme", None)


# --------------------------------------------------------------------------- 9. token drift
def test_estimated_prompt_tokens_is_the_exact_o200k_count(stack: Stack) -> None:
    system = "You count tokens. Antidisestablishmentarianism, 1234567890, naïve café résumé!"
    user = "Tokenization drift: " + "supercalifragilistic expialidocious 42 " * 6
    mark = stack.records["fake"].mark()
    r = stack.oai().chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "system", "content": system}, {"role": "user", "content": user}])
    rid = r.headers["x-request-id"]
    enc = o200k()
    # OpenAI's framing for gpt-4o-mini: 3 priming + per message 3 + role + content
    exact = 3 + sum(3 + enc.count(role) + enc.count(text) for role, text in (("system", system), ("user", user)))
    vendor = (len(system) + len(user)) // 4 + 3 * 2  # the fake vendor's chars/4
    body = stack.records["fake"].since(mark, n=1)[0]["body"]
    assert fake_prompt_tokens(body) == vendor
    row = stack.db.wait_row(rid)
    assert row["estimated_prompt_tokens"] == exact
    assert row["prompt_tokens"] == vendor
    assert exact != vendor  # the drift the ledger exists to show
    assert row["prompt_tokens"] - row["estimated_prompt_tokens"] == vendor - exact
    assert row["estimated"] == 0


# --------------------------------------------------------------------------- 2. a cut stream
def test_cut_stream_is_counted_by_the_tokenizer(tmp_path: Path, procs: list[Proc]) -> None:
    vendor = start_proc([sys.executable, str(EMULATORS / "faulty_vendor.py"), "--mode", "cut-stream:3",
                         "--tokens", "10"], tmp_path, "faulty", "/health", procs)
    data = tmp_path / "data"
    gw = start_gw(tmp_path, procs, BASE + f"""
providers:
  v: {{type: openai-compatible, base_url: 'http://127.0.0.1:{vendor.port}/v1', api_key: sk-up}}
models:
  gpt-4o-mini: {{targets: [{{provider: v, model: gpt-4o-mini}}]}}
keys:
  - {{name: k, key: {KEY}}}
ledger: {{path: '{data}'}}
""")
    s = Stack(gw, LedgerDB(data), {})
    msgs = [{"role": "user", "content": "stream ten tokens please"}]
    got: list[str] = []
    st = s.oai().chat.completions.create(model="gpt-4o-mini", messages=msgs, stream=True,
                                         stream_options={"include_usage": True})
    rid1 = st.response.headers["x-request-id"]
    with pytest.raises(openai.APIError):
        for c in st:
            got.append(c.choices[0].delta.content or "" if c.choices else "")
    assert "".join(got) == "tok0 tok1 tok2"
    got2: list[str] = []
    with pytest.raises(anthropic.APIError), \
            s.ant().messages.stream(model="gpt-4o-mini", max_tokens=50, messages=msgs) as ms:
        rid2 = ms.response.headers["x-request-id"]
        for t in ms.text_stream:
            got2.append(t)
    assert "".join(got2) == "tok0 tok1 tok2"

    rows = s.db.wait_ids([rid1, rid2])
    expected = o200k().count("tok0 tok1 tok2")
    for rid, dialect in ((rid1, "openai"), (rid2, "anthropic")):
        row = rows[rid]
        assert row["estimated"] == 1
        assert row["completion_tokens"] == expected > 0
        assert row["prompt_tokens"] == row["estimated_prompt_tokens"] > 0  # the pre-call count
        assert row["status"] != 200 and row["code"] == "upstream_unavailable"
        assert (row["dialect"], row["stream"], row["target"]) == (dialect, 1, "v/gpt-4o-mini")
        assert row["cost"] == pytest.approx(catalog_cost("gpt-4o-mini", row["prompt_tokens"], expected), rel=1e-9)


# --------------------------------------------------------------------------- 3. budget under concurrency
def test_hard_budget_holds_under_64_concurrent_clients(tmp_path: Path, procs: list[Proc]) -> None:
    budget, max_tokens, clients = 2000, 60, 64
    rec = Recorder(tmp_path / "vendor.jsonl")
    up = start_fake(tmp_path, procs, "--tokens", "20", "--latency-ms", "20", "--record", str(rec.path))
    data = tmp_path / "data"
    gw = start_gw(tmp_path, procs, BASE + fake_providers(up.port) + f"""
orgs: {{acme: {{}}}}
teams:
  lean:
    org: acme
    budgets: [{{tokens: {budget}, window: day, mode: hard}}]
keys:
  - {{name: lean-key, key: {KEY}, team: lean}}
ledger: {{path: '{data}'}}
""")
    db = LedgerDB(data)
    barrier = threading.Barrier(clients)
    refusals: list[httpx.Response] = []
    served: list[tuple[str, int]] = []  # (request id, total tokens the client was told)
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=30) as c:
            barrier.wait(timeout=30)
            for _ in range(40):  # each client calls until the budget refuses it
                r = post_chat(c, gw.url, KEY, max_tokens)
                with lock:
                    if r.status_code == 200:
                        served.append((r.headers["x-request-id"], r.json()["usage"]["total_tokens"]))
                    elif r.status_code == 429:
                        refusals.append(r)
                        return
                    else:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                        return

    with ThreadPoolExecutor(clients) as ex:
        for f in [ex.submit(client) for _ in range(clients)]:
            f.result(timeout=60)
    assert not errors, errors[:3]
    assert len(refusals) == clients  # every client ended on a refusal
    # nothing in flight now: spend what the concurrent phase left (each call reserves ~70)
    with httpx.Client(timeout=30) as c:
        for _ in range(30):
            r = post_chat(c, gw.url, KEY, max_tokens)
            if r.status_code != 200:
                break
            served.append((r.headers["x-request-id"], r.json()["usage"]["total_tokens"]))
        assert r.status_code == 429, "the budget never refused a sequential call"
        last = r
    for r in [*refusals, last]:
        assert r.status_code == 429
        assert error_of(r)["code"] == "budget_exceeded"
        assert r.headers["x-should-retry"] == "false"
    msg = error_of(last)["message"]
    assert "team 'lean'" in msg and f"day budget of {budget} tokens" in msg and "resets at" in msg
    assert re.search(r"resets at \d{4}-\d\d-\d\dT", msg), msg
    assert last.headers["x-tokenway-budget-reset"] in msg
    details = error_of(last)["details"]
    assert {k: details[k] for k in ("level", "id", "window", "limit", "unit")} == \
        {"level": "team", "id": "lean", "window": "day", "limit": budget, "unit": "tokens"}
    assert details["reset_at"] == last.headers["x-tokenway-budget-reset"]
    reserve = int(re.search(r"this call reserves (\d+) tokens", msg).group(1))  # type: ignore[union-attr]

    # the ledger: what was served never exceeds the budget, and nearly all of it was served
    rows = db.wait_count("team = ? AND status = 200", ("lean",), len(served))
    total = sum(r["prompt_tokens"] + r["completion_tokens"] for r in rows)
    assert total == sum(t for _, t in served)
    assert {r["request_id"] for r in rows} == {i for i, _ in served}
    assert total <= budget
    assert reserve == 10 + max_tokens  # o200k count of "count to three" with its framing, + max_tokens
    assert total > budget - reserve, f"only {total} of {budget} tokens served"  # reservations were settled
    assert len(rec.all()) == len(served)  # refused calls never reached the vendor

    # the OpenAI and Anthropic SDKs, default retries, do not retry a budget refusal
    sent: list[str] = []
    hook = {"request": [lambda req: sent.append(str(req.url))]}
    # every refusal so far has its row (the writer commits every 100 ms: wait, don't race it)
    before = len(db.wait_count("code = 'budget_exceeded'", (), len(refusals) + 1))
    with httpx.Client(event_hooks=hook, timeout=20) as hc:
        oai = openai.OpenAI(base_url=gw.url + "/v1", api_key=KEY, http_client=hc)
        assert oai.max_retries == 2
        t0 = time.monotonic()
        with pytest.raises(openai.RateLimitError) as ei:
            oai.chat.completions.create(model="gpt-4o-mini", max_tokens=max_tokens,
                                        messages=[{"role": "user", "content": "count to three"}])
        assert ei.value.code == "budget_exceeded"
        assert ei.value.response.headers["x-should-retry"] == "false"
    # the Anthropic SDK brings its own HTTP package (httpx2 in this version): hook its client
    with anthropic_http().Client(event_hooks=hook, timeout=20) as hc2:
        ant = anthropic.Anthropic(base_url=gw.url, api_key=KEY, http_client=hc2)
        assert ant.max_retries == 2
        with pytest.raises(anthropic.RateLimitError) as ai:
            ant.messages.create(model="claude-3-5-haiku", max_tokens=max_tokens,
                                messages=[{"role": "user", "content": "count to three"}])
        assert ai.value.body["error"]["code"] == "budget_exceeded"
        assert ai.value.body["error"]["details"]["level"] == "team"
        assert "budget exceeded" in ai.value.message
        assert ai.value.response.headers["x-should-retry"] == "false"
        assert time.monotonic() - t0 < 5  # no backoff happened either
    assert len(sent) == 2, sent  # one attempt each
    db.wait_count("code = 'budget_exceeded'", (), before + 2)
    assert len(rec.all()) == len(served)


# --------------------------------------------------------------------------- 4. rpm under concurrency
def test_rpm_admits_exactly_n_of_64_concurrent_calls(tmp_path: Path, procs: list[Proc]) -> None:
    rpm, calls = 20, 64
    up = start_fake(tmp_path, procs, "--tokens", "5", "--latency-ms", "10")
    data = tmp_path / "data"
    gw = start_gw(tmp_path, procs, BASE + fake_providers(up.port) + f"""
keys:
  - {{name: capped, key: {KEY}, limits: {{rpm: {rpm}}}}}
ledger: {{path: '{data}'}}
""")
    left = 60.0 - time.time() % 60.0
    if left < 12:  # the burst must fall in one calendar minute
        time.sleep(left + 0.2)
    barrier = threading.Barrier(calls)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as c:
            barrier.wait(timeout=30)
            return post_chat(c, gw.url, KEY, 20)

    t0 = time.time()
    with ThreadPoolExecutor(calls) as ex:
        results = list(ex.map(one, range(calls), timeout=60))
    assert math.floor(t0 / 60) == math.floor(time.time() / 60), "the burst crossed a minute boundary"
    ok = [r for r in results if r.status_code == 200]
    limited = [r for r in results if r.status_code == 429]
    assert len(ok) == rpm, [r.status_code for r in results]
    assert len(limited) == calls - rpm
    for r in ok:
        assert r.headers["x-ratelimit-limit-requests"] == str(rpm)
        assert re.fullmatch(r"\d+s", r.headers["x-ratelimit-reset-requests"])
    # each admitted call was counted atomically: the remainders are exactly 19, 18, ..., 0
    assert sorted(int(r.headers["x-ratelimit-remaining-requests"]) for r in ok) == list(range(rpm))
    for r in limited:
        assert error_of(r)["code"] == "rate_limit_exceeded"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.headers["x-ratelimit-limit-requests"] == str(rpm)
        assert r.headers["x-ratelimit-remaining-requests"] == "0"
        assert re.fullmatch(r"\d+s", r.headers["x-ratelimit-reset-requests"])
        assert "x-should-retry" not in r.headers
        d = error_of(r)["details"]
        assert (d["level"], d["limit"], d["value"]) == ("key", "rpm", rpm) and d["reset_at"]
    db = LedgerDB(data)
    db.wait_count("status = 200", (), rpm)
    db.wait_count("code = 'rate_limit_exceeded'", (), calls - rpm)


# --------------------------------------------------------------------------- 5. kill -9 under load
def governed_env(up: Proc, data: Path, **extra: str) -> dict[str, str]:
    # These tests are about budgets and the ledger, not the guard (tests/e2e/test_guard.py covers
    # demo-team's guard policy): the injection classifier scores some of their terse synthetic
    # prompts ("load 1 2", "count to three") above its threshold, so the guard is off here. So is
    # gpt-4o-mini's response cache (tests/e2e/test_semantic.py covers it): budgets count vendor tokens.
    return {"TOKENWAY_UPSTREAM_URL": up.url, "TOKENWAY_KEY": KEY, "TOKENWAY_DATA_DIR": str(data),
            "TOKENWAY_TEAM_GUARD": "none", "TOKENWAY_CACHE_MODE": "off", **extra}


def test_kill_9_under_load_loses_no_row_of_a_delivered_response(tmp_path: Path, procs: list[Proc]) -> None:
    up = start_fake(tmp_path, procs, "--tokens", "12", "--latency-ms", "2", "--stream-interval-ms", "1")
    data = tmp_path / "data"
    governed = (ROOT / "examples" / "governed.yaml").read_text()
    env = governed_env(up, data)
    gw = start_gw(tmp_path, procs, governed, env)
    stop = threading.Event()
    delivered: list[str] = []
    lock = threading.Lock()

    def load(n: int) -> None:
        i = 0
        with httpx.Client(timeout=5) as c:
            while not stop.is_set():
                i += 1
                model = "gpt-4o-mini" if (i + n) % 2 else "claude-3-5-haiku"
                stream = (i // 2 + n) % 2 == 0
                ant = model.startswith("claude")
                path = "/v1/messages" if ant else "/v1/chat/completions"
                body = {"model": model, "max_tokens": 30, "stream": stream,
                        "messages": [{"role": "user", "content": f"load {n} {i}"}]}
                try:
                    with c.stream("POST", gw.url + path, json=body, headers={
                            "Authorization": f"Bearer {KEY}", "anthropic-version": "2023-06-01"}) as r:
                        raw = r.read()
                except httpx.HTTPError:
                    if stop.is_set():
                        return
                    time.sleep(0.05)
                    continue
                if r.status_code != 200:
                    continue
                if stream:
                    complete = (b"event: message_stop" in raw) if ant else raw.rstrip().endswith(b"data: [DONE]")
                else:
                    try:
                        doc = json.loads(raw)
                        complete = bool(doc.get("usage"))
                    except ValueError:
                        complete = False
                if complete:
                    with lock:
                        delivered.append(r.headers["x-request-id"])

    threads = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    gw.proc.kill()  # SIGKILL mid-load
    gw.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    with lock:
        got = list(delivered)
    assert len(got) >= 10, f"only {len(got)} responses completed in 2 s of load"
    assert len(set(got)) == len(got)

    gw2 = start_gw(tmp_path, procs, governed, env)  # same data dir: the journal is replayed at start
    db = LedgerDB(data)
    rows = db.wait_ids(got, timeout=15)
    for rid in got:
        row = rows[rid]
        assert row["status"] == 200 and row["completion_tokens"] > 0 and row["prompt_tokens"] > 0
        assert (row["org"], row["team"], row["user"]) == ("demo-org", "demo-team", "demo-user")
    # the restarted gateway serves and records on the same ledger
    with httpx.Client(timeout=10) as c:
        r = post_chat(c, gw2.url, KEY, 20)
    assert r.status_code == 200
    db.wait_row(r.headers["x-request-id"])


# --------------------------------------------------------------------------- 6. the governed contract
def test_governed_example_as_is(tmp_path: Path, procs: list[Proc]) -> None:
    budget = 400
    admin_key = "adm-econ-" + os.urandom(6).hex()
    up = start_fake(tmp_path, procs, "--tokens", "20")
    data = tmp_path / "data"
    gw = start_gw(tmp_path, procs, (ROOT / "examples" / "governed.yaml").read_text(),
                  governed_env(up, data, TOKENWAY_TEAM_DAILY_TOKENS=str(budget), TOKENWAY_ADMIN_KEY=admin_key))
    db = LedgerDB(data)
    s = Stack(gw, db, {})
    rid, text, seen = sdk_call(s, "openai", "gpt-4o-mini", False, "count to three")
    assert text and seen == (6, 20)
    row = db.wait_row(rid)
    assert (row["org"], row["team"], row["user"], row["key_id"]) == ("demo-org", "demo-team", "demo-user",
                                                                      key_id(KEY))
    assert (row["prompt_tokens"], row["completion_tokens"], row["estimated"]) == (6, 20, 0)
    assert row["cost"] == pytest.approx(catalog_cost("gpt-4o-mini", 6, 20), rel=1e-9)
    rid2, text2, _ = sdk_call(s, "anthropic", "claude-3-5-haiku", True, "count to three")
    assert text2
    served = [rid, rid2]
    refusal: httpx.Response | None = None
    with httpx.Client(timeout=20) as c:
        for _ in range(20):
            r = post_chat(c, gw.url, KEY, 50)
            if r.status_code != 200:
                refusal = r
                break
            served.append(r.headers["x-request-id"])
    assert refusal is not None and refusal.status_code == 429
    assert error_of(refusal)["code"] == "budget_exceeded"
    assert refusal.headers["x-should-retry"] == "false"
    assert "team 'demo-team'" in error_of(refusal)["message"]
    rows = db.wait_ids(served)
    assert sum(r["prompt_tokens"] + r["completion_tokens"] for r in rows.values()) <= budget
    assert all(r["status"] == 200 for r in rows.values())

    # tokenway usage (the CLI over GET /admin/usage) against the ledger itself
    db.wait_count("code = 'budget_exceeded'", (), 1)

    def usage_cli(fmt: str) -> str:
        p = subprocess.run([*TOKENWAY, "usage", "--by", "team", "--since", "1d", "--format", fmt,
                            "--url", gw.url, "--admin-key", admin_key],
                           capture_output=True, text=True, timeout=30, cwd=ROOT)
        assert p.returncode == 0, p.stderr
        return p.stdout

    res = json.loads(usage_cli("json"))
    data_rows = res["data"] if isinstance(res, dict) else res
    mine = [r for r in data_rows if r["team"] == "demo-team"]
    assert mine, data_rows
    truth = db.query("SELECT COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens, "
                     "SUM(completion_tokens) AS completion_tokens, "
                     "SUM(prompt_tokens + completion_tokens) AS total_tokens, SUM(cost) AS cost, "
                     "SUM(code IS NOT NULL OR status >= 400) AS errors FROM usage WHERE team = 'demo-team'")[0]
    for k in ("requests", "prompt_tokens", "completion_tokens", "total_tokens", "errors"):
        assert sum(r[k] for r in mine) == truth[k], k
    assert sum(r["cost"] or 0 for r in mine) == pytest.approx(truth["cost"], rel=1e-9)
    assert truth["errors"] >= 1 and truth["requests"] == len(served) + truth["errors"]

    csv_out = usage_cli("csv").splitlines()
    header = csv_out[0].split(",")
    assert "team" in header and "total_tokens" in header and "cost" in header
    body = [dict(zip(header, line.split(","), strict=True)) for line in csv_out[1:] if line]
    assert sum(int(b["total_tokens"]) for b in body if b["team"] == "demo-team") == truth["total_tokens"]
    table = usage_cli("table")
    lines = table.splitlines()
    assert "team" in lines[0] and "total_tokens" in lines[0]
    assert set(lines[1]) <= {"-", " "}
    assert any("demo-team" in line and str(truth["total_tokens"]) in line for line in lines[2:]), table


# --------------------------------------------------------------------------- 7. soft budget alerts
class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n)
        self.server.received.append({"path": self.path, "body": json.loads(body)})  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_soft_budget_alerts_once_per_threshold(tmp_path: Path, procs: list[Proc]) -> None:
    limit = 400
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    hook.received = []  # type: ignore[attr-defined]
    received: list[dict[str, Any]] = hook.received  # type: ignore[attr-defined]
    threading.Thread(target=hook.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        up = start_fake(tmp_path, procs, "--tokens", "20")
        data = tmp_path / "data"
        gw = start_gw(tmp_path, procs, BASE + fake_providers(up.port) + f"""
orgs: {{acme: {{}}}}
teams:
  soft-team:
    org: acme
    budgets: [{{tokens: {limit}, window: day, mode: soft, alert_at: [0.5, 1.0]}}]
keys:
  - {{name: soft-key, key: {KEY}, team: soft-team}}
ledger: {{path: '{data}'}}
alerts: {{webhook_url: 'http://127.0.0.1:{hook.server_address[1]}/hooks/budget'}}
""")
        used = 0
        crossed: list[int] = []  # the cumulative usage when each threshold was crossed
        with httpx.Client(timeout=20) as c:
            for i in range(30):
                r = post_chat(c, gw.url, KEY, 40)
                assert r.status_code == 200, r.text  # soft: never refused
                before, used = used, used + r.json()["usage"]["total_tokens"]
                for th in (0.5, 1.0):
                    if before < th * limit <= used:
                        crossed.append(used)
                        n = len(crossed)
                        assert wait_for(lambda n=n: len(received) >= n, 5.0), f"no alert for {th}"
                        time.sleep(0.2)
                        assert len(received) == n, received  # exactly one alert per threshold crossed
                    elif used < 0.5 * limit:
                        assert received == []
                if len(crossed) == 2 and i >= 2 and used >= limit + 60:
                    break  # a few calls past 100%: still served, no more alerts
        assert len(crossed) == 2
        time.sleep(0.3)
        assert len(received) == 2, received
        for got, th, at in zip(received, (0.5, 1.0), crossed, strict=True):
            assert got["path"] == "/hooks/budget"
            ev = got["body"]
            assert (ev["type"], ev["level"], ev["id"], ev["threshold"]) == ("budget_alert", "team", "soft-team", th)
            assert (ev["window"], ev["unit"], ev["mode"], ev["limit"]) == ("day", "tokens", "soft", limit)
            assert ev["used"] == at  # sequential calls: the counter is exactly the usage so far
            assert ev["reset_at"]
        metrics = httpx.get(gw.url + "/metrics", timeout=10).text
        for lab in ("0.5", "1"):
            pat = (r'tokenway_budget_alerts_total\{(?=[^}]*id="soft-team")(?=[^}]*level="team")'
                   rf'(?=[^}}]*threshold="{re.escape(lab)}")[^}}]*\}} 1\.0')
            assert re.search(pat, metrics), metrics[-2000:]
        rows = LedgerDB(data).wait_count("team = ?", ("soft-team",), i + 1)
        assert all(r["status"] == 200 for r in rows)
        assert sum(r["prompt_tokens"] + r["completion_tokens"] for r in rows) == used > limit
    finally:
        hook.shutdown()
        hook.server_close()
