"""Azure OpenAI: deployments in the path, api-version in the query, the api-key header."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from tests.conftest import Proc


class _Azure(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Azure.seen.append({"path": self.path, "api-key": self.headers.get("api-key"),
                            "authorization": self.headers.get("authorization"), "body": body})
        if self.headers.get("api-key") != "azure-secret":
            return self._send(401, {"error": {"code": "401", "message": "Access denied due to invalid key"}})
        usage = {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for ev in ({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "hi "}}]},
                       {"choices": [{"index": 0, "delta": {"content": "azure"}, "finish_reason": "stop"}]},
                       {"choices": [], "usage": usage}):
                ev.update({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"})
                data = b"data: " + json.dumps(ev).encode() + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            done = b"data: [DONE]\n\n"
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))
            return None
        return self._send(200, {"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                                "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi azure"},
                                             "finish_reason": "stop"}], "usage": usage})

    def _send(self, status: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def azure() -> Iterator[str]:
    _Azure.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Azure)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_azure_deployment_path_query_and_key(start_gateway: Callable[..., Proc], azure: str) -> None:
    gw = start_gateway(f"""
providers:
  az: {{type: azure-openai, base_url: "{azure}", api_key: "${{AZ_KEY}}", api_version: "2024-10-21"}}
models:
  gpt-4o: {{targets: [{{provider: az, model: my-4o-deployment}}]}}
keys: [{{key: sk-client}}]
""", env={"AZ_KEY": "azure-secret"})
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key="sk-client", max_retries=0)
    r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hello"}])
    assert r.choices[0].message.content == "hi azure"
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="gpt-4o", stream=True, messages=[{"role": "user", "content": "hello"}]) if c.choices)
    assert text == "hi azure"
    first, second = _Azure.seen
    assert first["path"] == "/openai/deployments/my-4o-deployment/chat/completions?api-version=2024-10-21"
    assert first["api-key"] == "azure-secret" and first["authorization"] is None  # never the client's key
    assert first["body"]["model"] == "my-4o-deployment"
    assert second["body"]["stream_options"] == {"include_usage": True}


def test_azure_refused_key_is_an_upstream_error(start_gateway: Callable[..., Proc], azure: str) -> None:
    gw = start_gateway(f"""
providers:
  az: {{type: azure-openai, base_url: "{azure}", api_key: wrong, api_version: "2024-10-21"}}
models:
  gpt-4o: {{targets: [{{provider: az, model: d}}], retries: 0}}
keys: [{{key: sk-client}}]
""")
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key="sk-client", max_retries=0)
    with pytest.raises(openai.APIStatusError) as ei:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hello"}])
    assert ei.value.status_code == 502
    assert ei.value.body["code"] == "upstream_error"
