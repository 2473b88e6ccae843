"""Bad requests against the running gateway: each gets its documented status and stable ``code``,
in the caller's dialect (OpenAI shape everywhere but ``/v1/messages``, which answers in Anthropic's),
never a 500 and never a traceback — and the gateway keeps serving afterwards."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import TOKENWAY, Proc, free_port

MAX_BODY = 4096
GOOD, LIMITED = "sk-good-key", "sk-limited-key"

CONFIG = f"""
server:
  max_body_bytes: {MAX_BODY}
providers:
  demo: {{type: demo}}
models:
  demo:
    targets: [{{provider: demo, model: demo-1}}]
  secret-model:
    targets: [{{provider: demo, model: demo-2}}]
  embed:
    targets: [{{provider: demo, model: demo-embed}}]
keys:
  - {{name: good, key: {GOOD}}}
  - {{name: limited, key: {LIMITED}, models: [demo, embed]}}
"""

CHAT, RESPONSES, EMBEDDINGS, MESSAGES = "/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/messages"

# Anthropic's error type for each status (https://docs.anthropic.com/en/api/errors)
ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                   404: "not_found_error", 405: "invalid_request_error", 413: "request_too_large"}


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    d: Path = tmp_path_factory.mktemp("bad-requests")
    cfg = d / "gateway.yaml"
    cfg.write_text(CONFIG)
    port = free_port()
    p = Proc([*TOKENWAY, "serve", "--config", str(cfg), "--port", str(port)], port, d / "gateway.log")
    yield p
    p.stop()
    log = p.output()
    assert "Traceback" not in log, log
    assert '"event":"unhandled"' not in log, log


def good_body(path: str, model: str = "demo") -> dict:
    if path == CHAT:
        return {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    if path == RESPONSES:
        return {"model": model, "input": "hi"}
    if path == EMBEDDINGS:
        return {"model": model, "input": "hi"}
    return {"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


def with_(path: str, **changes: object) -> bytes:
    body = good_body(path)
    for k, v in changes.items():
        if v is _DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return json.dumps(body).encode()


_DROP = object()


@dataclass
class Case:
    name: str
    path: str
    body: bytes | None
    status: int
    code: str
    key: str | None = GOOD
    method: str = "POST"
    param: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}@{self.path}"


def _cases() -> list[Case]:
    out: list[Case] = []
    for path in (CHAT, RESPONSES, EMBEDDINGS, MESSAGES):
        ok = json.dumps(good_body(path)).encode()
        out += [
            Case("no-key", path, ok, 401, "invalid_api_key", key=None),
            Case("wrong-key", path, ok, 401, "invalid_api_key", key="sk-not-a-key"),
            Case("malformed-json", path, b'{"model": "demo", "messages": [', 400, "invalid_request"),
            Case("json-array", path, b'[{"model": "demo"}]', 400, "invalid_request"),
            Case("json-string", path, b'"hello"', 400, "invalid_request"),
            Case("empty-body", path, b"", 400, "invalid_request"),
            Case("invalid-utf8", path, b'{"model": "demo", "input": "\xff\xfe\xc3(", "messages": []}', 400,
                 "invalid_request"),
            Case("missing-model", path, with_(path, model=_DROP), 400, "invalid_request", param="model"),
            Case("model-not-a-string", path, with_(path, model=42), 400, "invalid_request", param="model"),
            Case("unknown-model", path, with_(path, model="no-such-model"), 404, "model_not_found", param="model"),
            Case("model-not-allowed", path, with_(path, model="secret-model"), 403, "model_not_allowed",
                 key=LIMITED, param="model"),
            Case("too-large", path, with_(path, pad="x" * (MAX_BODY + 100)), 413, "request_too_large"),
            Case("wrong-method", path, None, 405, "method_not_allowed", method="GET"),
            Case("wrong-method-put", path, ok, 405, "method_not_allowed", method="PUT"),
            Case("unknown-path", path + "/nope", ok, 404, "not_found"),
        ]
        if path != EMBEDDINGS:
            out.append(Case("stream-a-string", path, with_(path, stream="yes"), 400, "invalid_request",
                            param="stream"))
    # chat completions: wrong types
    out += [
        Case("messages-not-a-list", CHAT, with_(CHAT, messages="hi"), 400, "invalid_request", param="messages"),
        Case("messages-empty", CHAT, with_(CHAT, messages=[]), 400, "invalid_request", param="messages"),
        Case("message-not-an-object", CHAT, with_(CHAT, messages=["hi"]), 400, "invalid_request"),
        Case("max-tokens-a-string", CHAT, with_(CHAT, max_tokens="100"), 400, "invalid_request",
             param="max_tokens"),
        Case("role-unknown", CHAT, with_(CHAT, messages=[{"role": "wizard", "content": "hi"}]), 400,
             "invalid_request"),
        Case("content-a-number", CHAT, with_(CHAT, messages=[{"role": "user", "content": 5}]), 400,
             "invalid_request"),
        Case("temperature-a-string", CHAT, with_(CHAT, temperature="hot"), 400, "invalid_request",
             param="temperature"),
        Case("tools-not-a-list", CHAT, with_(CHAT, tools={"a": 1}), 400, "invalid_request", param="tools"),
    ]
    # Anthropic messages: wrong types
    out += [
        Case("messages-not-a-list", MESSAGES, with_(MESSAGES, messages="hi"), 400, "invalid_request",
             param="messages"),
        Case("max-tokens-a-string", MESSAGES, with_(MESSAGES, max_tokens="16"), 400, "invalid_request",
             param="max_tokens"),
        Case("max-tokens-missing", MESSAGES, with_(MESSAGES, max_tokens=_DROP), 400, "invalid_request",
             param="max_tokens"),
        Case("role-unknown", MESSAGES, with_(MESSAGES, messages=[{"role": "wizard", "content": "hi"}]), 400,
             "invalid_request"),
        Case("message-not-an-object", MESSAGES, with_(MESSAGES, messages=[1, 2]), 400, "invalid_request"),
        Case("content-a-number", MESSAGES, with_(MESSAGES, messages=[{"role": "user", "content": 5}]), 400,
             "invalid_request"),
        Case("system-a-number", MESSAGES, with_(MESSAGES, system=5), 400, "invalid_request"),
    ]
    # Responses: wrong types
    out += [
        Case("input-a-number", RESPONSES, with_(RESPONSES, input=5), 400, "invalid_request"),
        Case("input-missing", RESPONSES, with_(RESPONSES, input=_DROP), 400, "invalid_request"),
        Case("input-item-not-an-object", RESPONSES, with_(RESPONSES, input=[5]), 400, "invalid_request"),
        Case("role-unknown", RESPONSES, with_(RESPONSES, input=[{"role": "wizard", "content": "hi"}]), 400,
             "invalid_request"),
        Case("max-output-tokens-a-string", RESPONSES, with_(RESPONSES, max_output_tokens="9"), 400,
             "invalid_request"),
        Case("tools-not-a-list", RESPONSES, with_(RESPONSES, tools="all"), 400, "invalid_request"),
    ]
    # Embeddings: wrong types
    out += [
        Case("input-missing", EMBEDDINGS, with_(EMBEDDINGS, input=_DROP), 400, "invalid_request", param="input"),
        Case("input-a-number", EMBEDDINGS, with_(EMBEDDINGS, input=5), 400, "invalid_request", param="input"),
        Case("input-list-of-objects", EMBEDDINGS, with_(EMBEDDINGS, input=[{"a": 1}]), 400, "invalid_request"),
    ]
    # other routes
    out += [
        Case("unknown-path", "/nope", None, 404, "not_found", method="GET"),
        Case("unknown-path-v1", "/v1/nope", b"{}", 404, "not_found"),
        Case("wrong-method-models", "/v1/models", b"{}", 405, "method_not_allowed"),
        Case("models-no-key", "/v1/models", None, 401, "invalid_api_key", key=None, method="GET"),
        Case("count-tokens-no-key", "/v1/messages/count_tokens", b"{}", 401, "invalid_api_key", key=None),
        Case("count-tokens-array", "/v1/messages/count_tokens", b"[]", 400, "invalid_request"),
        Case("count-tokens-bad-json", "/v1/messages/count_tokens", b"{", 400, "invalid_request"),
        Case("count-tokens-unknown-model", "/v1/messages/count_tokens",
             b'{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}', 404, "model_not_found"),
        Case("count-tokens-not-allowed", "/v1/messages/count_tokens",
             b'{"model": "secret-model", "messages": [{"role": "user", "content": "hi"}]}', 403,
             "model_not_allowed", key=LIMITED),
        Case("count-tokens-wrong-types", "/v1/messages/count_tokens",
             b'{"model": "demo", "messages": [{"role": "user", "content": 5}]}', 400, "invalid_request"),
    ]
    return out


CASES = _cases()


def check_error(r: httpx.Response, case: Case) -> dict:
    """The status, the dialect's error shape, the stable code; never a traceback."""
    assert r.status_code == case.status, (case.id, r.status_code, r.text)
    assert r.status_code != 500
    assert "Traceback" not in r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    if case.path.startswith("/v1/messages"):
        assert set(body) == {"type", "error"}, body
        assert body["type"] == "error"
        err = body["error"]
        assert err["type"] == ANTHROPIC_TYPES[case.status], body
        assert isinstance(err["message"], str) and err["message"]
        assert err["code"] == case.code, body
    else:
        assert set(body) == {"error"}, body
        err = body["error"]
        assert set(err) == {"message", "type", "code", "param"}, body
        assert isinstance(err["message"], str) and err["message"]
        assert isinstance(err["type"], str) and err["type"]
        assert err["code"] == case.code, body
        if case.param is not None:
            assert err["param"] == case.param, body
    return err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_request(gw: Proc, case: Case) -> None:
    headers = dict(case.headers)
    if case.key is not None:
        headers["authorization"] = f"Bearer {case.key}"
    if case.body is not None:
        headers["content-type"] = "application/json"
    if case.path.startswith("/v1/messages"):
        headers["anthropic-version"] = "2023-06-01"
    r = httpx.request(case.method, gw.url + case.path, content=case.body, headers=headers, timeout=15)
    check_error(r, case)


def test_anthropic_key_header_too(gw: Proc) -> None:
    """x-api-key is checked like Authorization (wrong -> 401 in Anthropic's shape)."""
    r = httpx.post(gw.url + MESSAGES, json=good_body(MESSAGES), timeout=15,
                   headers={"x-api-key": "sk-wrong", "anthropic-version": "2023-06-01"})
    check_error(r, Case("x-api-key", MESSAGES, None, 401, "invalid_api_key"))
    r = httpx.post(gw.url + MESSAGES, json=good_body(MESSAGES), timeout=15,
                   headers={"x-api-key": GOOD, "anthropic-version": "2023-06-01"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path", [CHAT, RESPONSES, EMBEDDINGS, MESSAGES])
def test_good_requests_pass(gw: Proc, path: str) -> None:
    """The control: the same bodies, well formed, are served (so the refusals above are the checks')."""
    r = httpx.post(gw.url + path, json=good_body(path), headers={"authorization": f"Bearer {GOOD}"}, timeout=15)
    assert r.status_code == 200, r.text
    r = httpx.post(gw.url + path, json=good_body(path), headers={"authorization": f"Bearer {LIMITED}"},
                   timeout=15)
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------- raw sockets
def raw_exchange(gw: Proc, data: bytes | list[bytes], timeout: float = 10.0) -> tuple[bytes, bool]:
    """Send bytes (pieces with a short pause between them), read until the server closes or the
    timeout; returns (everything read, closed by the server)."""
    s = socket.create_connection(("127.0.0.1", gw.port), timeout=timeout)
    try:
        for piece in [data] if isinstance(data, bytes) else data:
            try:
                s.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.01)
        buf = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                return buf, False
            except ConnectionResetError:
                return buf, True
            if not chunk:
                return buf, True
            buf += chunk
        return buf, False
    finally:
        s.close()


def parse_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return status, headers, body


def chunked(body: bytes, size: int) -> list[bytes]:
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return [*parts, b"0\r\n\r\n"]


def request_head(path: str, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {GOOD}\r\n"
            f"Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n{extra}\r\n").encode()


@pytest.mark.parametrize("path", [CHAT, MESSAGES])
@pytest.mark.parametrize("chunk_size", [MAX_BODY * 2, 1000, 100])
def test_chunked_body_over_the_limit(gw: Proc, path: str, chunk_size: int) -> None:
    body = with_(path, pad="y" * (MAX_BODY + 500))
    pieces = [request_head(path, "Transfer-Encoding: chunked\r\n"), *chunked(body, chunk_size)]
    raw, closed = raw_exchange(gw, [b"".join(pieces)] if chunk_size > MAX_BODY else pieces)
    status, headers, rbody = parse_response(raw)
    assert status == 413, raw[:500]
    err = json.loads(rbody)
    check_error(httpx.Response(status, headers=headers, content=rbody),
                Case("chunked-too-large", path, None, 413, "request_too_large"))
    assert "max_body_bytes" in (err["error"]["message"])
    assert closed


@pytest.mark.parametrize("path", [CHAT, MESSAGES])
def test_chunked_body_under_the_limit_is_served(gw: Proc, path: str) -> None:
    body = json.dumps(good_body(path)).encode()
    raw, _ = raw_exchange(gw, [request_head(path, "Transfer-Encoding: chunked\r\nConnection: close\r\n"),
                               *chunked(body, 7)])
    status, _, rbody = parse_response(raw)
    assert status == 200, raw[:500]
    assert b"demo vendor" in rbody


def test_content_length_over_the_limit_raw(gw: Proc) -> None:
    body = with_(CHAT, pad="z" * (MAX_BODY * 3))
    raw, closed = raw_exchange(gw, request_head(CHAT, f"Content-Length: {len(body)}\r\n") + body)
    status, headers, rbody = parse_response(raw)
    assert status == 413
    check_error(httpx.Response(status, headers=headers, content=rbody),
                Case("cl-too-large", CHAT, None, 413, "request_too_large"))
    assert closed


GARBAGE = {
    "binary": bytes(range(256)) * 4,
    "words": b"HELLO THERE GATEWAY\r\n\r\n",
    "tls-client-hello": bytes.fromhex("16030100a5010000a10303") + b"\x00" * 64 + b"\r\n\r\n",
    "bad-header": b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    "bad-content-length": b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "bad-chunk-size": b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"zz\r\nhello\r\n0\r\n\r\n",
    "bad-version": b"GET /healthz HTTP/9.9\r\n\r\n",
    "nul-in-url": b"GET /he\x00llo HTTP/1.1\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_is_refused_and_the_server_lives(gw: Proc, name: str) -> None:
    raw, closed = raw_exchange(gw, GARBAGE[name])
    assert closed, raw
    assert raw.startswith(b"HTTP/1.1 400 "), raw[:300]
    _, _, body = parse_response(raw)
    err = json.loads(body)["error"]
    assert err["code"] == "invalid_request" and err["message"]
    assert b"Traceback" not in raw
    # the next client is served
    r = httpx.post(gw.url + CHAT, json=good_body(CHAT), headers={"authorization": f"Bearer {GOOD}"}, timeout=15)
    assert r.status_code == 200, r.text


HEAD_LIMIT = 64 * 1024
OVERSIZED_HEADS = {
    # sent in two pieces and then nothing more, so the server has read every byte when it refuses
    "one-huge-header": [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 60000, b"a" * 10000],
    "many-headers": [b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 90) for i in range(600)),
                     b"".join(b"X-J%d: %s\r\n" % (i, b"v" * 90) for i in range(100))],
    "huge-url": [b"GET /" + b"u" * 60000, b"u" * 10000],
}


@pytest.mark.parametrize("name", list(OVERSIZED_HEADS))
def test_oversized_request_head_is_refused(gw: Proc, name: str) -> None:
    """Headers are bounded like bodies: a client cannot make the gateway buffer an endless head."""
    raw, closed = raw_exchange(gw, OVERSIZED_HEADS[name])
    assert closed
    assert raw.startswith(b"HTTP/1.1 400 "), raw[:300]
    err = json.loads(parse_response(raw)[2])["error"]
    assert err["code"] == "invalid_request" and "headers are larger" in err["message"]
    assert httpx.get(gw.url + "/healthz", timeout=15).status_code == 200


def test_large_but_reasonable_headers_are_fine(gw: Proc) -> None:
    r = httpx.post(gw.url + CHAT, json=good_body(CHAT), timeout=15,
                   headers={"authorization": f"Bearer {GOOD}", "cookie": "c=" + "k" * 30000,
                            **{f"x-extra-{i}": "v" * 200 for i in range(50)}})
    assert r.status_code == 200, r.text


def test_half_a_request_then_hang_up(gw: Proc) -> None:
    """A client that sends half a request and disconnects does not hurt the next one."""
    for piece in (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mod",
                  b"GET /heal", b"\x16\x03\x01"):
        s = socket.create_connection(("127.0.0.1", gw.port), timeout=5)
        s.sendall(piece)
        s.close()
    r = httpx.get(gw.url + "/healthz", timeout=15)
    assert r.status_code == 200


def test_pipelined_requests_after_an_error_keep_order(gw: Proc) -> None:
    """A refused request on a keep-alive connection does not break the requests after it."""
    bad = request_head(CHAT, "Content-Length: 3\r\n") + b"{{{"
    good_b = json.dumps(good_body(CHAT)).encode()
    good = request_head(CHAT, f"Content-Length: {len(good_b)}\r\nConnection: close\r\n") + good_b
    raw, closed = raw_exchange(gw, bad + good)
    assert closed
    first, _, rest = raw.partition(b"HTTP/1.1 200")
    assert first.startswith(b"HTTP/1.1 400 "), raw[:300]
    assert b"demo vendor" in rest


def test_no_traceback_in_the_log(gw: Proc) -> None:
    """Run last in this module (pytest keeps file order): the log after every bad request above."""
    r = httpx.get(gw.url + "/healthz", timeout=15)
    assert r.status_code == 200
    log = gw.output()
    assert "Traceback" not in log, log
    assert '"event":"unhandled"' not in log, log
    assert '"status":500' not in log, log
    print(log[-2000:], file=sys.stderr)
