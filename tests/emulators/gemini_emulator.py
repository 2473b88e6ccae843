#!/usr/bin/env python3
"""A small, deterministic emulator of the Gemini API wire format, for end-to-end tests.

    python tests/emulators/gemini_emulator.py --port 8081 [--record FILE] [--fail-rate F]
        [--api-key KEY] [--seed N] [--delay SECONDS]

Binds 127.0.0.1 (``--port 0`` picks a free port) and prints ``listening on http://127.0.0.1:PORT``
once it accepts connections. Stdlib only; importable (``make_server``, ``plan``, ...).

Serves ``POST /v1beta/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``
(without ``alt=sse``: one JSON array, as the real API does). Checks:

* ``x-goog-api-key`` header (or ``?key=``) present and non-empty, else 403 PERMISSION_DENIED;
  with ``--api-key``, equal to it, else 400 INVALID_ARGUMENT "API key not valid";
* the body is JSON with a non-empty ``contents`` list of ``{role: user|model, parts: [...]}``
  whose parts each hold one known field, else 400 INVALID_ARGUMENT.

Answers:

* last turn holds ``functionResponse`` parts -> ``tool said: <response.content or JSON>``;
* request has ``tools`` (and ``toolConfig`` mode is not NONE) -> calls the first (allowed) function
  with ``{"q": <last user text>[:40]}``;
* otherwise ``echo: <last user text>``; a last user text starting with ``!error`` gets a 400
  (non-streaming) or an error event after the first text event (streaming).

``generationConfig.maxOutputTokens`` truncates the answer (finishReason MAX_TOKENS);
``thinkingConfig.includeThoughts`` adds a thought part. usageMetadata: promptTokenCount =
request text chars // 4, candidatesTokenCount = words answered. Streams the text a few words per SSE
event. ``--fail-rate F`` answers that fraction of requests with 503 UNAVAILABLE. ``--record FILE``
appends one JSON line per request: ``{"path", "headers" (minus auth), "body"}``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PATH_RE = re.compile(r"^/(?:v1beta|v1)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$")
PART_FIELDS = {
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
}
SECRET_HEADERS = {"x-goog-api-key", "authorization", "cookie"}
WORDS_PER_EVENT = 3


class BadRequest(Exception):
    pass


# ------------------------------------------------------------------------------------ behaviour


def _texts(parts: list[dict[str, Any]]) -> str:
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict) and not p.get("thought"))


def validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON payload received.")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise BadRequest("* GenerateContentRequest.contents: contents is not specified")
    for i, turn in enumerate(contents):
        if not isinstance(turn, dict) or turn.get("role", "user") not in ("user", "model"):
            raise BadRequest(f"* GenerateContentRequest.contents[{i}].role: must be user or model")
        parts = turn.get("parts")
        if not isinstance(parts, list) or not parts:
            raise BadRequest(f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
        for j, part in enumerate(parts):
            fields = set(part) & PART_FIELDS if isinstance(part, dict) else set()
            if len(fields) != 1:
                raise BadRequest(f"* GenerateContentRequest.contents[{i}].parts[{j}].data: required oneof field")


def _prompt_chars(body: dict[str, Any]) -> int:
    chars = 0
    system = body.get("systemInstruction") or {}
    chars += len(_texts(system.get("parts") or []))
    for turn in body.get("contents") or []:
        for part in turn.get("parts") or []:
            chars += len(part.get("text", ""))
            for key in ("functionCall", "functionResponse"):
                if key in part:
                    chars += len(json.dumps(part[key]))
    return chars


def plan(body: dict[str, Any]) -> dict[str, Any]:
    """What to answer: ``{text?, call?, thought?, finish, usage, error?}`` (deterministic)."""
    contents = body["contents"]
    last = contents[-1]
    responses = [p["functionResponse"] for p in last.get("parts", []) if "functionResponse" in p]
    user_text = ""
    for turn in reversed(contents):
        if turn.get("role", "user") == "user" and _texts(turn.get("parts") or []):
            user_text = _texts(turn["parts"])
            break
    gen = body.get("generationConfig") or {}
    fcc = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    names = [d["name"] for t in body.get("tools") or [] for d in t.get("functionDeclarations") or []]

    out: dict[str, Any] = {"finish": "STOP", "error": user_text.startswith("!error") and not responses}
    if (gen.get("thinkingConfig") or {}).get("includeThoughts"):
        out["thought"] = f"Thinking about: {user_text[:40]}"
    if responses:
        said = []
        for r in responses:
            resp = r.get("response") or {}
            content = resp.get("content") if isinstance(resp.get("content"), str) else None
            said.append(content if content is not None else json.dumps(resp, separators=(",", ":")))
        out["text"] = "tool said: " + "; ".join(said)
    elif names and fcc.get("mode", "AUTO") != "NONE":
        allowed = fcc.get("allowedFunctionNames") or names
        out["call"] = {"name": allowed[0], "args": {"q": user_text[:40]}}
    else:
        out["text"] = f"echo: {user_text}"

    if "text" in out:
        words = out["text"].split(" ")
        limit = gen.get("maxOutputTokens")
        if isinstance(limit, int) and len(words) > limit:
            words = words[:limit]
            out["text"] = " ".join(words)
            out["finish"] = "MAX_TOKENS"
        candidates = len(words)
    else:
        candidates = len(json.dumps(out["call"]).split())
    prompt = max(1, _prompt_chars(body) // 4)
    meta: dict[str, Any] = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }
    if "thought" in out:
        meta["thoughtsTokenCount"] = len(out["thought"].split())
        meta["totalTokenCount"] += meta["thoughtsTokenCount"]
    out["usage"] = meta
    return out


def _chunks(text: str) -> list[str]:
    words = text.split(" ")
    groups = [words[i : i + WORDS_PER_EVENT] for i in range(0, len(words), WORDS_PER_EVENT)]
    return [" ".join(g) + (" " if k < len(groups) - 1 else "") for k, g in enumerate(groups)]


def _response(parts: list[dict[str, Any]], model: str, rid: str, **extra: Any) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if "finishReason" in extra:
        cand["finishReason"] = extra.pop("finishReason")
    return {"candidates": [cand], **extra, "modelVersion": model, "responseId": rid}


def response_body(p: dict[str, Any], model: str, rid: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if "thought" in p:
        parts.append({"text": p["thought"], "thought": True})
    if "call" in p:
        parts.append({"functionCall": p["call"], "thoughtSignature": "c2lnbmF0dXJl"})
    else:
        parts.append({"text": p["text"]})
    return _response(parts, model, rid, finishReason=p["finish"], usageMetadata=p["usage"])


def stream_events(p: dict[str, Any], model: str, rid: str) -> list[dict[str, Any]]:
    meta = p["usage"]
    partial = {"promptTokenCount": meta["promptTokenCount"], "totalTokenCount": meta["promptTokenCount"]}
    events: list[dict[str, Any]] = []
    if "thought" in p:
        events.append(_response([{"text": p["thought"], "thought": True}], model, rid, usageMetadata=partial))
    if "call" in p:
        part = {"functionCall": p["call"], "thoughtSignature": "c2lnbmF0dXJl"}
        events.append(_response([part], model, rid, finishReason=p["finish"], usageMetadata=meta))
        return events
    pieces = _chunks(p["text"])
    for k, piece in enumerate(pieces):
        if k == len(pieces) - 1:
            events.append(_response([{"text": piece}], model, rid, finishReason=p["finish"], usageMetadata=meta))
        else:
            events.append(_response([{"text": piece}], model, rid, usageMetadata=partial))
    return events


def google_error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


# ------------------------------------------------------------------------------------------ HTTP


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        port: int,
        *,
        record: str | None = None,
        fail_rate: float = 0.0,
        api_key: str | None = None,
        seed: int = 0,
        delay: float = 0.0,
    ) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.record_path = record
        self.fail_rate = fail_rate
        self.api_key = api_key
        self.delay = delay
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def record(self, path: str, headers: dict[str, str], body: Any) -> None:
        if not self.record_path:
            return
        line = json.dumps({"path": path, "headers": headers, "body": body}, ensure_ascii=False)
        with self.lock, open(self.record_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def should_fail(self) -> bool:
        with self.lock:
            return self.fail_rate > 0 and self.rng.random() < self.fail_rate


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: int, status: str, message: str) -> None:
        self._send(code, google_error(code, status, message))

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(200, {"ok": True})
        else:
            self._error(404, "NOT_FOUND", f"Method not found: {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.server.record(
            self.path,
            {k: v for k, v in self.headers.items() if k.lower() not in SECRET_HEADERS},
            body if body is not None else raw.decode("utf-8", "replace"),
        )

        url = urlsplit(self.path)
        query = parse_qs(url.query)
        m = PATH_RE.match(url.path)
        if not m:
            self._error(404, "NOT_FOUND", f"Method not found: {url.path}")
            return
        key = self.headers.get("x-goog-api-key") or (query.get("key") or [""])[0]
        if not key:
            self._error(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API.",
            )
            return
        if self.server.api_key is not None and key != self.server.api_key:
            self._error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
            return
        if self.server.should_fail():
            self._error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
            return
        try:
            validate(body)
        except BadRequest as e:
            self._error(400, "INVALID_ARGUMENT", str(e))
            return

        model = unquote(m["model"])
        rid = uuid.uuid4().hex[:22]
        p = plan(body)
        if m["method"] == "generateContent":
            if p["error"]:
                self._error(400, "INVALID_ARGUMENT", "emulated error requested by !error")
            else:
                self._send(200, response_body(p, model, rid))
            return

        events = stream_events(p, model, rid)
        if p["error"]:
            events = [*events[:1], google_error(500, "INTERNAL", "emulated mid-stream error")]
        sse = (query.get("alt") or [""])[0] == "sse"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if sse else "application/json; charset=UTF-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for k, event in enumerate(events):
            data = json.dumps(event).encode()
            if sse:
                self._write_chunk(b"data: " + data + b"\r\n\r\n")
            else:
                self._write_chunk((b"[" if k == 0 else b",\r\n") + data)
            if self.server.delay:
                time.sleep(self.server.delay)
        if not sse:
            self._write_chunk(b"]")
        self.wfile.write(b"0\r\n\r\n")


def make_server(port: int = 0, **options: Any) -> EmulatorServer:
    return EmulatorServer(port, **options)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--record", help="append one JSON line per request to this file")
    ap.add_argument("--fail-rate", type=float, default=0.0, help="fraction of requests answered 503")
    ap.add_argument("--api-key", help="require exactly this key (default: any non-empty key)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the --fail-rate draws")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between streamed events")
    args = ap.parse_args(argv)
    server = make_server(
        args.port,
        record=args.record,
        fail_rate=args.fail_rate,
        api_key=args.api_key,
        seed=args.seed,
        delay=args.delay,
    )
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
