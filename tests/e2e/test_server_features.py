"""Server features end to end: TLS, hot reload, graceful shutdown, metrics, check-config, the demo
command, workers, embeddings, count_tokens, the Responses API, image translation and same-dialect
pass-through. Real gateway processes, real clients."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
import trustme
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT, TOKENWAY, Proc, bench_gateway, free_port
from tests.e2e.support import wait_for

KEY = "sk-test-key"
MODELS = ["gpt-4o-mini", "claude-3-5-haiku"]  # bench.yaml: OpenAI-format vendor, Anthropic-format vendor


def log_events(gw: Proc, event: str) -> list[dict[str, Any]]:
    out = []
    for line in gw.output().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("event") == event:
            out.append(rec)
    return out


def oai(gw: Proc, key: str = KEY, **kw: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key=key, max_retries=0, timeout=20, **kw)


def ant(gw: Proc, key: str = KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url, api_key=key, max_retries=0, timeout=20)


def demo_config(models: tuple[str, ...] = ("demo",), keys: tuple[str, ...] = ("sk-a", "sk-b"),
                delay_ms: float = 0, extra: str = "") -> str:
    groups = "".join(f"  {m}:\n    targets: [{{provider: demo, model: demo-1}}]\n" for m in models)
    key_lines = "".join(f"  - {{name: {k}, key: {k}}}\n" for k in keys)
    return (f"{extra}providers:\n  demo: {{type: demo, demo_chunk_delay_ms: {delay_ms}}}\n"
            f"models:\n{groups}keys:\n{key_lines}")


def chat_status(gw: Proc, model: str, key: str) -> int:
    r = httpx.post(gw.url + "/v1/chat/completions", timeout=10, headers={"authorization": f"Bearer {key}"},
                   json={"model": model, "messages": [{"role": "user", "content": "hi"}]})
    return r.status_code


def assert_clean_log(gw: Proc) -> None:
    log = gw.output()
    assert "Traceback" not in log, log
    assert '"event":"unhandled"' not in log, log


WORDS = " ".join(f"word{i}" for i in range(24))
DEMO_ANSWER = "Hello from tokenway's demo vendor. You said: " + WORDS


def stream_text(stream: Any, on_first: Callable[[], None] | None = None) -> tuple[str, list[str]]:
    """Read a chat completion stream; ``on_first`` runs after the first content chunk."""
    text, finishes = "", []
    fired = False
    for c in stream:
        if not c.choices:
            continue
        text += c.choices[0].delta.content or ""
        if c.choices[0].finish_reason:
            finishes.append(c.choices[0].finish_reason)
        if on_first is not None and not fired and text:
            fired = True
            on_first()
    return text, finishes


# =========================================================================== TLS
@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[trustme.CA, Path, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in cert.cert_chain_pems[1:]:
        with open(cert_file, "ab") as fh:
            fh.write(extra.bytes())
    cert.private_key_pem.write_to_path(str(key_file))
    return ca, cert_file, key_file


def test_tls_with_the_openai_sdk(start_gateway: Callable[..., Proc], tls_files: Any) -> None:
    ca, cert_file, key_file = tls_files
    gw = start_gateway(demo_config(), args=["--tls-cert", str(cert_file), "--tls-key", str(key_file)],
                       scheme="https")
    assert gw.url.startswith("https://")
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    client = oai(gw, key="sk-a", http_client=openai.DefaultHttpxClient(verify=ctx))
    c = client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "over tls"}])
    assert c.choices[0].message.content == "Hello from tokenway's demo vendor. You said: over tls"
    chunks = list(client.chat.completions.create(model="demo", stream=True,
                                                 messages=[{"role": "user", "content": "streamed tls"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).endswith("streamed tls")
    assert log_events(gw, "listening")[0]["url"].startswith("https://")

    # a client that does not trust the CA refuses the certificate
    with pytest.raises(httpx.ConnectError):
        httpx.get(gw.url + "/healthz", timeout=5)
    # plain HTTP to the TLS port gets no HTTP answer
    plain = gw.url.replace("https://", "http://")
    try:
        r = httpx.get(plain + "/healthz", timeout=5)
    except httpx.HTTPError:
        pass
    else:
        assert r.status_code != 200, r.text
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(4096)
        except (ConnectionResetError, TimeoutError):
            data = b""
        assert b"200 OK" not in data and b'"status":"ok"' not in data
    # and the TLS side still serves
    c = client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "still here"}])
    assert c.choices[0].message.content.endswith("still here")
    assert_clean_log(gw)


# =========================================================================== hot reload
def test_reload_on_file_change(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config())
    cfg: Path = gw.config_path  # type: ignore[attr-defined]
    assert chat_status(gw, "demo", "sk-b") == 200
    assert chat_status(gw, "fresh", "sk-a") == 404

    # add a model group, drop key b
    cfg.write_text(demo_config(models=("demo", "fresh"), keys=("sk-a",)))
    assert wait_for(lambda: chat_status(gw, "fresh", "sk-a") == 200, timeout=6), "the new model never appeared"
    assert chat_status(gw, "demo", "sk-b") == 401
    assert chat_status(gw, "demo", "sk-a") == 200
    ids = sorted(m.id for m in oai(gw, key="sk-a").models.list())
    assert ids == ["demo", "fresh"]
    ev = log_events(gw, "config_reloaded")
    assert ev and ev[-1]["reason"] == "file changed" and ev[-1]["models"] == 2 and ev[-1]["keys"] == 1

    # an invalid file: refused, the old config keeps serving, the log says where the problem is
    lines = demo_config(models=("demo", "fresh"), keys=("sk-a",)).splitlines()
    bad_line = len(lines) + 1
    cfg.write_text("\n".join([*lines, "  - {name: c, key: sk-c, colour: blue}", ""]))
    failed = wait_for(lambda: log_events(gw, "config_reload_failed"), timeout=6)
    assert failed, gw.output()
    problems = failed[-1]["problems"]
    assert failed[-1]["path"] == str(cfg)
    assert any(p.startswith(f"{cfg}:{bad_line}: keys.1.colour:") for p in problems), problems
    assert chat_status(gw, "fresh", "sk-a") == 200
    assert chat_status(gw, "demo", "sk-c") == 401

    # broken YAML too
    cfg.write_text("models: [unclosed\n")
    assert wait_for(lambda: len(log_events(gw, "config_reload_failed")) >= 2, timeout=6), gw.output()
    assert any(p.startswith(f"{cfg}:") for p in log_events(gw, "config_reload_failed")[-1]["problems"])
    assert chat_status(gw, "fresh", "sk-a") == 200

    # a good file again is picked up
    cfg.write_text(demo_config(models=("demo",), keys=("sk-a", "sk-b")))
    assert wait_for(lambda: chat_status(gw, "fresh", "sk-a") == 404, timeout=6)
    assert chat_status(gw, "demo", "sk-b") == 200
    assert_clean_log(gw)


def test_reload_sees_a_change_within_one_mtime_tick(start_gateway: Callable[..., Proc]) -> None:
    """A rewrite that lands in the same modification-time tick (truncate-then-write on a coarse clock,
    or a tool that keeps times) is still noticed: the watcher compares size too."""
    gw = start_gateway(demo_config())
    cfg: Path = gw.config_path  # type: ignore[attr-defined]
    before = cfg.stat()
    cfg.write_text(demo_config(models=("demo", "fresh")))
    os.utime(cfg, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert wait_for(lambda: chat_status(gw, "fresh", "sk-a") == 200, timeout=6), gw.output()


def test_sighup_reloads(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config(extra="server: {reload: false}\n"))
    cfg: Path = gw.config_path  # type: ignore[attr-defined]
    cfg.write_text(demo_config(models=("demo", "fresh"), keys=("sk-a",), extra="server: {reload: false}\n"))
    time.sleep(1.5)  # the watcher is off: nothing changes by itself
    assert chat_status(gw, "fresh", "sk-a") == 404
    assert chat_status(gw, "demo", "sk-b") == 200
    gw.signal(signal.SIGHUP)
    assert wait_for(lambda: chat_status(gw, "fresh", "sk-a") == 200, timeout=4)
    assert chat_status(gw, "demo", "sk-b") == 401
    assert log_events(gw, "config_reloaded")[-1]["reason"] == "SIGHUP"
    assert gw.proc.poll() is None


def test_stream_in_flight_survives_a_reload(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config(delay_ms=60))
    cfg: Path = gw.config_path  # type: ignore[attr-defined]
    t0 = time.monotonic()

    def reload_away() -> None:
        # the new config drops the model (and the key) the stream is using
        cfg.write_text(demo_config(models=("other",), keys=("sk-b",)))
        gw.signal(signal.SIGHUP)
        assert wait_for(lambda: chat_status(gw, "other", "sk-b") == 200, timeout=3)

    stream = oai(gw, key="sk-a").chat.completions.create(
        model="demo", stream=True, messages=[{"role": "user", "content": WORDS}])
    text, finishes = stream_text(stream, reload_away)
    assert text == DEMO_ANSWER
    assert finishes == ["stop"]
    assert time.monotonic() - t0 > 1.0  # it really was in flight during the reload
    assert chat_status(gw, "demo", "sk-a") in (401, 404)
    assert log_events(gw, "config_reloaded")


@pytest.mark.parametrize("model", MODELS)
def test_vendor_stream_in_flight_survives_a_reload(start_gateway: Callable[..., Proc],
                                                   start_upstream: Callable[..., Proc], model: str) -> None:
    """The same through a real vendor connection (fake_upstream, 20 tokens 80 ms apart), translated or not."""
    up = start_upstream("--tokens", "20", "--stream-interval-ms", "80")
    gw = bench_gateway(start_gateway, up)
    cfg: Path = gw.config_path  # type: ignore[attr-defined]

    def reload_new_key() -> None:
        cfg.write_text(cfg.read_text().replace("${TOKENWAY_KEY:-sk-bench-0000}", "sk-rotated"))
        gw.signal(signal.SIGHUP)
        assert wait_for(lambda: chat_status(gw, "gpt-4o-mini", "sk-rotated") == 200, timeout=3)

    chunks = oai(gw).chat.completions.create(model=model, stream=True, stream_options={"include_usage": True},
                                             messages=[{"role": "user", "content": "long one"}])
    text, usage, finishes = "", None, []
    for c in chunks:
        if c.usage:
            usage = c.usage
        if c.choices:
            text += c.choices[0].delta.content or ""
            finishes += [c.choices[0].finish_reason] if c.choices[0].finish_reason else []
            if text and not log_events(gw, "config_reloaded"):
                reload_new_key()
    assert log_events(gw, "config_reloaded")
    assert len(text.split(" ")) == 20 and text.startswith("The quick brown fox")
    assert finishes == ["stop"] and usage is not None and usage.completion_tokens == 20
    assert chat_status(gw, model, KEY) == 401


def test_big_bodies_and_pipelined_requests_are_served(start_gateway: Callable[..., Proc]) -> None:
    """The head-size bound must not catch bodies or pipelined requests arriving in one read."""
    gw = start_gateway(demo_config())
    big = "x " * 1_000_000  # a 2 MB prompt (under the default 10 MiB limit)
    r = httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": "Bearer sk-a"}, timeout=30,
                   json={"model": "demo", "messages": [{"role": "user", "content": big}]})
    assert r.status_code == 200, r.text[:300]
    body = b'{"model":"demo","messages":[{"role":"user","content":"p"}]}'
    one = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-a\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    n = 400  # ~56 KB of pipelined requests in one write
    with socket.create_connection(("127.0.0.1", gw.port), timeout=20) as s:
        s.sendall(one * n + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == n + 1, data[-300:]


# =========================================================================== graceful shutdown
def test_sigterm_drains_the_stream_in_flight_then_exits_0(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config(delay_ms=60))
    probe = httpx.Client(base_url=gw.url, timeout=5)  # a kept-alive connection opened before the signal
    assert probe.get("/readyz").status_code == 200
    ready_while_draining: list[int] = []

    def term() -> None:
        gw.signal(signal.SIGTERM)
        ready_while_draining.append(wait_for(lambda: probe.get("/readyz").status_code == 503, timeout=3))
        # no new connections while draining
        with pytest.raises(httpx.ConnectError):
            httpx.get(gw.url + "/healthz", timeout=2)

    stream = oai(gw, key="sk-a").chat.completions.create(
        model="demo", stream=True, messages=[{"role": "user", "content": WORDS}])
    text, finishes = stream_text(stream, term)
    assert text == DEMO_ANSWER and finishes == ["stop"]
    assert ready_while_draining == [True]
    assert gw.proc.wait(10) == 0
    assert log_events(gw, "stopped")
    probe.close()
    assert_clean_log(gw)


def test_log_bodies_puts_the_request_body_in_the_access_line_redacted(start_gateway: Callable[..., Proc]) -> None:
    email, card = "jane.doe@example.com", "4539 1488 0343 6467"
    secret = "sk-proj-" + "Q7vX2mLp9RtY4wZs8KjH3nBc6FdG1aE5uI0oPq"
    text = f"Mail {email}, card {card}, key {secret}. Thanks!"
    gw = start_gateway(demo_config(extra="logging: {log_bodies: true}\n"))
    oai(gw, "sk-a").chat.completions.create(model="demo", messages=[{"role": "user", "content": text}],
                                            temperature=0.3)
    ant(gw, "sk-a").messages.create(model="demo", max_tokens=20, system=f"Customer: {email}",
                                    messages=[{"role": "user", "content": text}])
    assert wait_for(lambda: len(log_events(gw, "request")) >= 2)
    lines = log_events(gw, "request")
    chat, msgs = lines[0]["body"], lines[1]["body"]
    assert chat["temperature"] == 0.3 and chat["model"] == "demo"
    assert chat["messages"][0]["content"] == "Mail [EMAIL_1], card [CARD_1], key [SECRET_1]. Thanks!"
    assert msgs["system"] == "Customer: [EMAIL_1]" and msgs["messages"][0]["content"].startswith("Mail [EMAIL_1]")
    out = gw.output()
    for value in (email, card, card.replace(" ", ""), secret):
        assert value not in out
    # off by default: no body in the access line
    plain = start_gateway(demo_config(), name="plain.yaml")
    oai(plain, "sk-a").chat.completions.create(model="demo", messages=[{"role": "user", "content": text}])
    assert wait_for(lambda: len(log_events(plain, "request")) >= 1)
    assert "body" not in log_events(plain, "request")[0] and email not in plain.output()


def test_sigterm_when_idle_exits_promptly(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config())
    keep = httpx.Client(base_url=gw.url, timeout=5)
    assert keep.get("/healthz").status_code == 200  # an idle keep-alive connection must not hold the drain
    t0 = time.monotonic()
    gw.signal(signal.SIGTERM)
    assert gw.proc.wait(10) == 0
    assert time.monotonic() - t0 < 5
    keep.close()


# =========================================================================== metrics
def scrape(gw: Proc) -> dict[str, Any]:
    r = httpx.get(gw.url + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples: dict[str, Any] = {}
    for fam in text_string_to_metric_families(r.text):
        for s in fam.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    return sum(v for lab, v in samples.get(name, []) if all(lab.get(k) == x for k, x in labels.items()))


@pytest.fixture
def bench(start_gateway: Callable[..., Proc], start_upstream: Callable[..., Proc], tmp_path: Path) -> Proc:
    rec = tmp_path / "record.jsonl"
    up = start_upstream("--echo", "--tools", "--tokens", "7", "--record", str(rec))
    gw = bench_gateway(start_gateway, up)
    gw.record = rec  # type: ignore[attr-defined]
    return gw


def recorded(gw: Proc) -> list[dict[str, Any]]:
    path: Path = gw.record  # type: ignore[attr-defined]
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_metrics_count_calls_tokens_and_latency(bench: Proc) -> None:
    gw = bench
    client, aclient = oai(gw), ant(gw)
    used = {m: [0, 0] for m in MODELS}
    for i in range(3):
        c = client.chat.completions.create(model="gpt-4o-mini",
                                           messages=[{"role": "user", "content": f"count me {i} please"}])
        used["gpt-4o-mini"][0] += c.usage.prompt_tokens
        used["gpt-4o-mini"][1] += c.usage.completion_tokens
    for i in range(2):  # streamed, translated OpenAI -> Anthropic vendor
        chunks = list(client.chat.completions.create(
            model="claude-3-5-haiku", stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": f"stream number {i} here"}]))
        u = next(c.usage for c in chunks if c.usage)
        used["claude-3-5-haiku"][0] += u.prompt_tokens
        used["claude-3-5-haiku"][1] += u.completion_tokens
    with aclient.messages.stream(model="claude-3-5-haiku", max_tokens=50,
                                 messages=[{"role": "user", "content": "anthropic native stream"}]) as s:
        final = s.get_final_message()
    used["claude-3-5-haiku"][0] += final.usage.input_tokens
    used["claude-3-5-haiku"][1] += final.usage.output_tokens
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model-x1", messages=[{"role": "user", "content": "x"}])

    m = scrape(gw)
    assert value(m, "tokenway_requests_total", model="gpt-4o-mini", target="openai-up/gpt-4o-mini",
                 status="200") == 3
    assert value(m, "tokenway_requests_total", model="claude-3-5-haiku", target="anthropic-up/claude-3-5-haiku",
                 status="200") == 3
    assert value(m, "tokenway_requests_total", status="404", code="model_not_found") == 1
    for model, target in zip(MODELS, ["openai-up/gpt-4o-mini", "anthropic-up/claude-3-5-haiku"], strict=True):
        assert used[model][0] > 0 and used[model][1] > 0
        assert value(m, "tokenway_tokens_total", model=model, target=target, direction="input") == used[model][0]
        assert value(m, "tokenway_tokens_total", model=model, target=target, direction="output") == used[model][1]
    assert value(m, "tokenway_request_duration_seconds_count", model="gpt-4o-mini") == 3
    assert value(m, "tokenway_request_duration_seconds_count", model="claude-3-5-haiku") == 3
    assert value(m, "tokenway_request_duration_seconds_sum", model="gpt-4o-mini") > 0
    assert value(m, "tokenway_request_duration_seconds_bucket", model="gpt-4o-mini", le="+Inf") == 3
    assert value(m, "tokenway_time_to_first_token_seconds_count", model="claude-3-5-haiku") == 3
    assert value(m, "tokenway_time_to_first_token_seconds_count", model="gpt-4o-mini") == 0
    # a caller cannot mint label values: unknown model names do not become series
    assert not any(lab.get("model") == "no-such-model-x1" for lab, _ in m["tokenway_requests_total"])
    # metrics need no key and are not a model call themselves
    assert value(scrape(gw), "tokenway_requests_total") == value(m, "tokenway_requests_total")


# =========================================================================== check-config
def check_config(path: Path | str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TOKENWAY, "check-config", str(path)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.yaml")))
def test_check_config_passes_the_examples(example: str) -> None:
    r = check_config(ROOT / "examples" / example, env={"TOKENWAY_KEY": "sk-x", "OPENAI_API_KEY": "sk-x",
                                                       "ANTHROPIC_API_KEY": "sk-x"})
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout


BROKEN = {
    # name: (text, [(line, field, words in the message)])
    "unknown-key-and-wrong-type": (
        "server:\n"
        "  port: 4000\n"
        "  workerz: 2\n"
        "  max_body_bytes: lots\n"
        "providers:\n"
        "  demo: {type: demo}\n"
        "models:\n"
        "  demo:\n"
        "    targets: [{provider: demo, model: demo-1}]\n"
        "    retries: -1\n",
        [(3, "server.workerz", "unknown key"), (4, "server.max_body_bytes", "integer"),
         (10, "models.demo.retries", "greater than or equal")]),
    "unset-env": (
        "providers:\n"
        "  demo: {type: demo}\n"
        "  oa:\n"
        "    type: openai\n"
        "    api_key: ${TOKENWAY_TEST_SURELY_UNSET}\n"
        "keys:\n"
        "  - key: ${TOKENWAY_TEST_ALSO_UNSET:-sk-fine}\n",
        [(5, "providers.oa.api_key", "TOKENWAY_TEST_SURELY_UNSET is not set")]),
    "unknown-provider": (
        "providers:\n"
        "  demo: {type: demo}\n"
        "models:\n"
        "  demo:\n"
        "    targets:\n"
        "      - {provider: demo, model: demo-1}\n"
        "      - provider: dmeo\n"
        "        model: demo-2\n",
        [(7, "models.demo.targets.1.provider", "unknown provider 'dmeo'")]),
    "bad-enum": (
        "logging:\n"
        "  level: loud\n",
        [(2, "logging.level", "'debug', 'info', 'warning' or 'error'")]),
    "bad-yaml": ("models:\n  a: [1, 2\n", [(None, None, "not valid YAML")]),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_check_config_explains_problems(tmp_path: Path, name: str) -> None:
    text, expected = BROKEN[name]
    f = tmp_path / f"{name}.yaml"
    f.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENWAY_TEST_")}
    r = subprocess.run([*TOKENWAY, "check-config", str(f)], capture_output=True, text=True, timeout=60,
                       cwd=ROOT, env=env)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr
    for line_no, field, words in expected:
        prefix = f"{f}:{line_no}: {field}: " if line_no else f"{f}:"
        assert any(ln.startswith(prefix) and words in ln for ln in lines), (prefix, words, lines)
    if name == "unknown-key-and-wrong-type":
        assert len(lines) == 3, lines  # every problem, one line each


def test_serve_refuses_a_broken_config(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("server:\n  prot: 1\n")
    r = subprocess.run([*TOKENWAY, "serve", "--config", str(f), "--port", str(free_port())], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2
    assert f"{f}:2: server.prot: unknown key" in r.stderr


# =========================================================================== demo, workers
def test_demo_command(tmp_path: Path) -> None:
    port = free_port()
    p = Proc([*TOKENWAY, "demo", "--port", str(port)], port, tmp_path / "demo.log")
    try:
        client = openai.OpenAI(base_url=p.url + "/v1", api_key="sk-tokenway-demo", max_retries=0, timeout=20)
        c = client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "hi demo"}])
        assert c.choices[0].message.content == "Hello from tokenway's demo vendor. You said: hi demo"
        m = anthropic.Anthropic(base_url=p.url, api_key="sk-tokenway-demo", max_retries=0, timeout=20)
        msg = m.messages.create(model="claude-3-5-haiku", max_tokens=50, messages=[{"role": "user", "content": "yo"}])
        assert msg.content[0].text.endswith("You said: yo")
        assert "sk-tokenway-demo" in p.output()
    finally:
        p.stop()
    assert p.proc.returncode == 0


def test_two_workers_answer_and_sigterm_stops_all(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config(), args=["--workers", "2"])
    listening = wait_for(lambda: len(log_events(gw, "listening")) >= 2 and log_events(gw, "listening"), 10)
    assert listening, gw.output()
    pids = {ev["pid"] for ev in listening}
    assert len(pids) == 2 and gw.proc.pid not in pids
    ok = 0
    for i in range(40):  # a new connection each time: the kernel spreads them over the workers
        r = httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": "Bearer sk-a",
                                                                 "connection": "close"},
                       json={"model": "demo", "messages": [{"role": "user", "content": f"n{i}"}]}, timeout=10)
        ok += r.status_code == 200 and r.json()["choices"][0]["message"]["content"].endswith(f"n{i}")
    assert ok == 40
    gw.signal(signal.SIGTERM)
    assert gw.proc.wait(10) == 0
    for pid in pids:
        assert wait_for(lambda pid=pid: not _alive(pid), 5), f"worker {pid} outlived the parent"
    assert len(log_events(gw, "stopped")) == 2


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# =========================================================================== embeddings, count_tokens
def test_embeddings_through_the_demo_vendor(start_gateway: Callable[..., Proc]) -> None:
    gw = start_gateway(demo_config(models=("demo", "embed")))
    client = oai(gw, key="sk-a")
    r = client.embeddings.create(model="embed", input=["alpha", "beta", "alpha"])
    assert [d.index for d in r.data] == [0, 1, 2]
    vecs = [d.embedding for d in r.data]
    assert all(abs(sum(x * x for x in v) - 1) < 1e-6 for v in vecs)
    assert vecs[0] == vecs[2] and vecs[0] != vecs[1]
    assert r.usage.prompt_tokens > 0
    one = client.embeddings.create(model="embed", input="alpha", dimensions=16, encoding_format="float")
    assert len(one.data) == 1 and len(one.data[0].embedding) == 16
    # base64 (the SDK's default encoding when none is given is handled by the SDK itself)
    raw = httpx.post(gw.url + "/v1/embeddings", headers={"authorization": "Bearer sk-a"}, timeout=10,
                     json={"model": "embed", "input": [[1, 2, 3], [4, 5]]})
    assert raw.status_code == 200, raw.text
    assert len(raw.json()["data"]) == 2
    assert_clean_log(gw)


def test_embeddings_to_a_vendor_without_them_is_a_clean_refusal(bench: Proc) -> None:
    # an Anthropic-format target cannot embed: a 400 that says so, not a translated chat call
    r = httpx.post(bench.url + "/v1/embeddings", headers={"authorization": f"Bearer {KEY}"}, timeout=10,
                   json={"model": "claude-3-5-haiku", "input": "hello"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and err["param"] == "model" and "embeddings" in err["message"]
    assert not [x for x in recorded(bench) if x["path"] == "/v1/messages"]
    # an OpenAI-format vendor without the endpoint (fake_upstream has none): its 404 is passed on
    r = httpx.post(bench.url + "/v1/embeddings", headers={"authorization": f"Bearer {KEY}"}, timeout=10,
                   json={"model": "gpt-4o-mini", "input": "hello"})
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "upstream_bad_request"
    assert_clean_log(bench)


def test_count_tokens_estimated_for_a_non_anthropic_target(bench: Proc) -> None:
    r = ant(bench).messages.with_raw_response.count_tokens(
        model="gpt-4o-mini", system="be brief",
        messages=[{"role": "user", "content": "how many tokens is this sentence, roughly?"}])
    assert r.headers.get("x-tokenway-estimated") == "true"
    n = r.parse().input_tokens
    longer = ant(bench).messages.count_tokens(
        model="gpt-4o-mini", system="be brief",
        messages=[{"role": "user", "content": "how many tokens is this sentence, roughly? " * 20}]).input_tokens
    assert 5 <= n < longer


class _CountTokensVendor(BaseHTTPRequestHandler):
    """A minimal Anthropic vendor: count_tokens only (fake_upstream does not implement it)."""

    seen: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path == "/v1/messages/count_tokens":
            out = json.dumps({"input_tokens": 4242}).encode()
            self.send_response(200)
        else:
            out = b'{"type":"error","error":{"type":"not_found_error","message":"nope"}}'
            self.send_response(404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def count_vendor() -> Iterator[str]:
    _CountTokensVendor.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _CountTokensVendor)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_count_tokens_forwarded_to_an_anthropic_vendor(start_gateway: Callable[..., Proc], count_vendor: str) -> None:
    gw = start_gateway(f"""
providers:
  ant: {{type: anthropic, base_url: "{count_vendor}", api_key: sk-vendor}}
  down: {{type: anthropic, base_url: "http://127.0.0.1:{free_port()}", api_key: sk-vendor}}
models:
  claude: {{targets: [{{provider: ant, model: claude-real-name}}]}}
  claude-down: {{targets: [{{provider: down, model: claude-x}}]}}
keys: [{{key: {KEY}}}]
""")
    r = ant(gw).messages.with_raw_response.count_tokens(
        model="claude", messages=[{"role": "user", "content": "count me"}])
    assert r.parse().input_tokens == 4242
    assert "x-tokenway-estimated" not in r.headers
    path, headers, body = _CountTokensVendor.seen[-1]
    assert path == "/v1/messages/count_tokens"
    assert body["model"] == "claude-real-name" and body["messages"] == [{"role": "user", "content": "count me"}]
    assert headers["x-api-key"] == "sk-vendor" and KEY not in json.dumps(headers)
    # the vendor cannot be reached: the local estimate, marked as such (never a 500)
    r2 = httpx.post(gw.url + "/v1/messages/count_tokens", timeout=15,
                    headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
                    json={"model": "claude-down", "messages": [{"role": "user", "content": "count me"}]})
    assert r2.status_code == 200, r2.text
    assert r2.headers["x-tokenway-estimated"] == "true" and r2.json()["input_tokens"] > 0
    assert_clean_log(gw)


def test_count_tokens_vendor_without_the_endpoint_is_estimated(bench: Proc) -> None:
    """fake_upstream has no count_tokens (404): the gateway estimates rather than pass on a 404."""
    r = ant(bench).messages.with_raw_response.count_tokens(
        model="claude-3-5-haiku", messages=[{"role": "user", "content": "count these words for me"}])
    assert r.headers.get("x-tokenway-estimated") == "true"
    assert r.parse().input_tokens > 0


# =========================================================================== Responses API
FN_TOOL = {"type": "function", "name": "lookup", "description": "Look something up",
           "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}


@pytest.mark.parametrize("model", MODELS)
def test_responses_create(bench: Proc, model: str) -> None:
    r = oai(bench).responses.create(model=model, input="hello responses api", instructions="be brief")
    assert r.status == "completed"
    assert r.output_text == "hello responses api"
    assert r.usage is not None and r.usage.output_tokens > 0 and r.usage.input_tokens > 0
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    sent = recorded(bench)[-1]
    assert sent["path"] == ("/v1/chat/completions" if model == MODELS[0] else "/v1/messages")


@pytest.mark.parametrize("model", MODELS)
def test_responses_stream(bench: Proc, model: str) -> None:
    deltas, types = [], []
    with oai(bench).responses.stream(model=model, input=[{"role": "user", "content": "a streamed response"}]) as s:
        for ev in s:
            types.append(ev.type)
            if ev.type == "response.output_text.delta":
                deltas.append(ev.delta)
        final = s.get_final_response()
    assert "".join(deltas) == "a streamed response"
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert final.status == "completed"
    assert final.output_text == "a streamed response"
    assert final.usage is not None and final.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_responses_function_tool_round_trip(bench: Proc, model: str, stream: bool) -> None:
    client = oai(bench)
    if stream:
        with client.responses.stream(model=model, input="weather in Oslo", tools=[FN_TOOL]) as s:
            first = s.get_final_response()
    else:
        first = client.responses.create(model=model, input="weather in Oslo", tools=[FN_TOOL])
    calls = [o for o in first.output if o.type == "function_call"]
    assert len(calls) == 1, first.output
    call = calls[0]
    assert call.name == "lookup" and json.loads(call.arguments) == {"q": "weather in Oslo"}
    assert call.call_id
    items: list[Any] = [{"role": "user", "content": "weather in Oslo"},
                        {"type": "function_call", "call_id": call.call_id, "name": call.name,
                         "arguments": call.arguments},
                        {"type": "function_call_output", "call_id": call.call_id, "output": "rainy"}]
    second = client.responses.create(model=model, input=items, tools=[FN_TOOL])
    assert second.output_text == "tool said: rainy"
    # what the vendor got: the call and its result, in its own format
    sent = recorded(bench)[-1]["body"]
    if model == MODELS[0]:
        assert sent["messages"][1]["tool_calls"][0]["id"] == call.call_id
        assert sent["messages"][2] == {"role": "tool", "tool_call_id": call.call_id, "content": "rainy"}
    else:
        assert sent["messages"][1]["content"][-1]["type"] == "tool_use"
        result = sent["messages"][2]["content"][0]
        assert result["type"] == "tool_result" and result["tool_use_id"] == call.call_id


# =========================================================================== images, pass-through
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e221bc330000000049454e44ae426082")).decode()


def test_openai_image_part_reaches_an_anthropic_vendor_as_a_base64_block(bench: Proc) -> None:
    c = oai(bench).chat.completions.create(model="claude-3-5-haiku", messages=[{"role": "user", "content": [
        {"type": "text", "text": "what is in this picture"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}])
    assert c.choices[0].message.content == "what is in this picture"
    sent = recorded(bench)[-1]
    assert sent["path"] == "/v1/messages"
    parts = sent["body"]["messages"][0]["content"]
    assert {"type": "text", "text": "what is in this picture"} in parts
    img = next(p for p in parts if p["type"] == "image")
    assert img["source"] == {"type": "base64", "media_type": "image/png", "data": PNG}


def test_responses_image_input_reaches_an_anthropic_vendor(bench: Proc) -> None:
    r = oai(bench).responses.create(model="claude-3-5-haiku", input=[{"role": "user", "content": [
        {"type": "input_text", "text": "describe"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}"}]}])
    assert r.output_text == "describe"
    parts = recorded(bench)[-1]["body"]["messages"][0]["content"]
    img = next(p for p in parts if p["type"] == "image")
    assert img["source"] == {"type": "base64", "media_type": "image/png", "data": PNG}


def test_same_dialect_pass_through_keeps_unknown_fields(bench: Proc) -> None:
    client = oai(bench)
    extra = {"my_vendor_knob": {"level": 3, "tags": ["a", "b"]}, "seed": 7, "logit_bias": {"50256": -100}}
    c = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "pass me"}],
                                       extra_body=extra)
    assert c.choices[0].message.content == "pass me"
    sent = recorded(bench)[-1]
    assert sent["path"] == "/v1/chat/completions"
    for k, v in extra.items():
        assert sent["body"][k] == v
    assert sent["body"]["model"] == "gpt-4o-mini"
    assert "stream_options" not in sent["body"]

    # streamed: the gateway asks the vendor for usage, and does not hand it to a client that did not ask
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", stream=True, extra_body=extra,
                                                 messages=[{"role": "user", "content": "stream pass"}]))
    assert not any(c.usage for c in chunks)
    sent = recorded(bench)[-1]["body"]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    for k, v in extra.items():
        assert sent[k] == v
    # a client's own stream_options are kept beside it
    list(client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                        stream_options={"include_obfuscation": False},
                                        messages=[{"role": "user", "content": "x"}]))
    assert recorded(bench)[-1]["body"]["stream_options"] == {"include_obfuscation": False, "include_usage": True}
    # tokens were still counted for the stream whose client did not ask for usage
    m = scrape(bench)
    assert value(m, "tokenway_tokens_total", model="gpt-4o-mini", direction="output") == 7 * 3


def test_anthropic_pass_through_keeps_unknown_fields(bench: Proc) -> None:
    extra = {"my_vendor_knob": {"x": 1}, "metadata": {"user_id": "u-1"}, "top_k": 3}
    m = ant(bench).messages.create(model="claude-3-5-haiku", max_tokens=64, extra_body=extra,
                                   messages=[{"role": "user", "content": "native pass"}])
    assert m.content[0].text == "native pass"
    sent = recorded(bench)[-1]
    assert sent["path"] == "/v1/messages"
    for k, v in extra.items():
        assert sent["body"][k] == v
