#!/usr/bin/env python3
"""A small, deterministic emulator of the Bedrock Runtime Converse wire format, for end-to-end tests.

    python tests/emulators/bedrock_emulator.py --port 8082 [--record FILE] [--fail-rate F]
        [--access-key AK --secret-key SK] [--region R] [--seed N] [--delay SECONDS]

Binds 127.0.0.1 (``--port 0`` picks a free port) and prints ``listening on http://127.0.0.1:PORT``
once it accepts connections. Stdlib only, plus botocore to verify signatures when keys are given;
importable (``make_server``, ``check_sigv4``, ``encode_frame``, ...).

Serves ``POST /model/{modelId}/converse`` and ``/model/{modelId}/converse-stream``. Checks:

* a SigV4 ``Authorization`` header, well formed: ``AWS4-HMAC-SHA256 Credential=AK/YYYYMMDD/REGION/
  bedrock/aws4_request, SignedHeaders=...;host;...;x-amz-date..., Signature=<64 hex>``, an
  ``X-Amz-Date`` of the credential's day within 15 minutes of now, every signed header present,
  ``X-Amz-Content-SHA256`` (if sent) matching the body; else 403 with AWS's error types;
* with ``--access-key``/``--secret-key``: that access key, and the signature recomputed with
  botocore over the request as received (403 InvalidSignatureException when it differs);
  with ``--region``: that region;
* the body is JSON with a non-empty ``messages`` list, else 400 ValidationException.

Answers as the Gemini emulator does: ``tool said: ...`` after ``toolResult`` blocks, a call of the
first (or ``toolChoice``) tool with ``{"q": <last user text>[:40]}`` when tools are given, else
``echo: <last user text>``; ``!error`` -> 400 ValidationException (streaming: an exception frame
after the first text delta). ``inferenceConfig.maxTokens`` truncates (stopReason max_tokens);
``additionalModelRequestFields.thinking.type == "enabled"`` adds a signed reasoning block. Usage:
inputTokens = request text chars // 4, outputTokens = words answered. Streams real
``application/vnd.amazon.eventstream`` frames (with both CRCs), a few words per delta.
``--fail-rate`` / ``--record`` as in the Gemini emulator.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import re
import struct
import sys
import threading
import time
import uuid
import zlib
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

PATH_RE = re.compile(r"^/model/(?P<model>[^/]+)/(?P<op>converse|converse-stream)$")
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<ak>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;._-]+), ?"
    r"Signature=(?P<sig>[0-9a-f]{64})$"
)
SECRET_HEADERS = {"authorization", "x-amz-security-token", "cookie"}
WORDS_PER_EVENT = 3
MAX_SKEW = 15 * 60
CORAL = ":http://internal.amazon.com/coral/com.amazon.coral.service/"
PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class AuthFailure(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class BadRequest(Exception):
    pass


# ------------------------------------------------------------------------------------- SigV4


def check_sigv4(
    method: str,
    raw_path: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    region: str | None = None,
    now: float | None = None,
) -> None:
    """Raise ``AuthFailure`` unless the request carries a valid SigV4 signature for ``bedrock``.

    ``headers`` maps lower-cased names to values as received. Without ``secret_key`` only the
    form is checked; with it the signature is recomputed with botocore and compared.
    """
    auth = headers.get("authorization")
    if not auth:
        raise AuthFailure("MissingAuthenticationTokenException", "Missing Authentication Token")
    m = AUTH_RE.match(auth.strip())
    if not m:
        raise AuthFailure(
            "IncompleteSignatureException",
            f"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            f"parameters (AWS4-HMAC-SHA256). Authorization={auth}",
        )
    if m["service"] != "bedrock":
        raise AuthFailure(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: 'bedrock'. (got {m['service']!r})",
        )
    if region is not None and m["region"] != region:
        raise AuthFailure(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not {m['region']!r}.",
        )
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise AuthFailure("IncompleteSignatureException", "Missing or malformed X-Amz-Date header.") from None
    if amz_date[:8] != m["date"]:
        raise AuthFailure("InvalidSignatureException", "Credential date does not match X-Amz-Date.")
    if abs((now if now is not None else time.time()) - signed_at.timestamp()) > MAX_SKEW:
        raise AuthFailure("InvalidSignatureException", "Signature expired: X-Amz-Date is too far from now.")
    signed = m["signed"].split(";")
    if signed != sorted(signed) or "host" not in signed or "x-amz-date" not in signed:
        raise AuthFailure("InvalidSignatureException", "SignedHeaders must be sorted and include host and x-amz-date.")
    missing = [h for h in signed if h not in headers]
    if missing:
        raise AuthFailure("InvalidSignatureException", f"Signed headers missing from the request: {missing}")
    content_sha = headers.get("x-amz-content-sha256")
    if content_sha and content_sha != "UNSIGNED-PAYLOAD" and content_sha != hashlib.sha256(body).hexdigest():
        raise AuthFailure("InvalidSignatureException", "The provided x-amz-content-sha256 does not match the body.")
    if secret_key is None:
        return
    if access_key is not None and m["ak"] != access_key:
        raise AuthFailure("UnrecognizedClientException", "The security token included in the request is invalid.")

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method=method.upper(),
        url=f"http://{headers['host']}{raw_path}",
        data=body,
        headers={name: headers[name] for name in signed},
    )
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(m["ak"], secret_key), "bedrock", m["region"])
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, m["sig"]):
        raise AuthFailure(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your "
            "AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )


# ------------------------------------------------------------------------------- event stream


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One ``application/vnd.amazon.eventstream`` message: prelude (total length, headers length,
    prelude CRC32), string-typed headers, payload, message CRC32."""
    hbytes = b""
    for name, value in headers.items():
        n, v = name.encode(), value.encode()
        hbytes += struct.pack(">B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v
    total = 12 + len(hbytes) + len(payload) + 4
    prelude = struct.pack(">II", total, len(hbytes))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + hbytes + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event_frame(event_type: str, payload: dict[str, Any], seq: int = 0) -> bytes:
    body = {**payload, "p": PAD[: 8 + (seq * 7) % (len(PAD) - 8)]}  # Bedrock pads events
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode_frame(headers, json.dumps(body, separators=(",", ":")).encode())


def exception_frame(exception_type: str, message: str) -> bytes:
    headers = {
        ":exception-type": exception_type,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_frame(headers, json.dumps({"message": message}).encode())


# ------------------------------------------------------------------------------------ behaviour


def _texts(blocks: list[dict[str, Any]]) -> str:
    return "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and "text" in b)


def validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise BadRequest("Malformed input request, please reformat your input and try again.")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("The messages field is required and must not be empty.")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ("user", "assistant"):
            raise BadRequest(f"messages.{i}.role: must be user or assistant")
        content = msg.get("content")
        if not isinstance(content, list) or not content:
            raise BadRequest(f"messages.{i}.content: must not be empty")
        for j, block in enumerate(content):
            if not isinstance(block, dict) or len(block) != 1:
                raise BadRequest(f"messages.{i}.content.{j}: a content block must have exactly one member")
            for item in (block.get("toolResult") or {}).get("content") or []:
                if "text" in item and not str(item["text"]).strip():
                    raise BadRequest(f"messages.{i}.content.{j}: text content blocks must be non-empty")
            if "text" in block and not block["text"].strip():
                raise BadRequest(f"The text field in the ContentBlock object at messages.{i}.content.{j} is blank.")
        if i > 0 and messages[i - 1].get("role") == msg.get("role"):
            raise BadRequest("A conversation must alternate between user and assistant roles.")
    if messages[0].get("role") != "user":
        raise BadRequest("A conversation must start with a user message.")
    uses_tools = any("toolUse" in b or "toolResult" in b for m in messages for b in m["content"])
    if uses_tools and not (body.get("toolConfig") or {}).get("tools"):
        raise BadRequest("The toolConfig field must be defined when using toolUse and toolResult content blocks.")


def _prompt_chars(body: dict[str, Any]) -> int:
    chars = len(_texts(body.get("system") or []))
    for msg in body.get("messages") or []:
        for block in msg.get("content") or []:
            chars += len(block.get("text", ""))
            for key in ("toolUse", "toolResult"):
                if key in block:
                    chars += len(json.dumps(block[key]))
    return chars


def plan(body: dict[str, Any]) -> dict[str, Any]:
    """What to answer: ``{text?, call?, reasoning?, stop, usage, error}`` (deterministic)."""
    messages = body["messages"]
    results = [b["toolResult"] for b in messages[-1]["content"] if "toolResult" in b]
    user_text = ""
    for msg in reversed(messages):
        if msg["role"] == "user" and _texts(msg["content"]):
            user_text = _texts(msg["content"])
            break
    config = body.get("toolConfig") or {}
    names = [t["toolSpec"]["name"] for t in config.get("tools") or [] if "toolSpec" in t]
    forced = ((config.get("toolChoice") or {}).get("tool") or {}).get("name")
    thinking = (body.get("additionalModelRequestFields") or {}).get("thinking") or {}

    out: dict[str, Any] = {"stop": "end_turn", "error": user_text.startswith("!error") and not results}
    if thinking.get("type") == "enabled":
        out["reasoning"] = f"Thinking about: {user_text[:40]}"
    if results:
        said = []
        for r in results:
            for item in r.get("content") or []:
                if "text" in item:
                    said.append(item["text"])
                elif "json" in item:
                    said.append(json.dumps(item["json"], separators=(",", ":")))
        out["text"] = "tool said: " + "; ".join(said)
    elif names:
        out["call"] = {
            "toolUseId": "tooluse_" + hashlib.sha1(user_text.encode()).hexdigest()[:22],
            "name": forced or names[0],
            "input": {"q": user_text[:40]},
        }
        out["stop"] = "tool_use"
    else:
        out["text"] = f"echo: {user_text}"

    if "text" in out:
        words = out["text"].split(" ")
        limit = (body.get("inferenceConfig") or {}).get("maxTokens")
        if isinstance(limit, int) and len(words) > limit:
            words = words[:limit]
            out["text"] = " ".join(words)
            out["stop"] = "max_tokens"
        output = len(words)
    else:
        output = len(json.dumps(out["call"]["input"]).split()) + 1
    if "reasoning" in out:
        output += len(out["reasoning"].split())
    prompt = max(1, _prompt_chars(body) // 4)
    out["usage"] = {"inputTokens": prompt, "outputTokens": output, "totalTokens": prompt + output}
    return out


def _signature(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def response_body(p: dict[str, Any]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if "reasoning" in p:
        content.append(
            {"reasoningContent": {"reasoningText": {"text": p["reasoning"], "signature": _signature(p["reasoning"])}}}
        )
    if "call" in p:
        content.append({"toolUse": p["call"]})
    else:
        content.append({"text": p["text"]})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": p["stop"],
        "usage": p["usage"],
        "metrics": {"latencyMs": 42},
    }


def _chunks(text: str) -> list[str]:
    words = text.split(" ")
    groups = [words[i : i + WORDS_PER_EVENT] for i in range(0, len(words), WORDS_PER_EVENT)]
    return [" ".join(g) + (" " if k < len(groups) - 1 else "") for k, g in enumerate(groups)]


def stream_frames(p: dict[str, Any]) -> list[bytes]:
    events: list[tuple[str, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    index = 0
    if "reasoning" in p:
        for piece in _chunks(p["reasoning"]):
            events.append(
                (
                    "contentBlockDelta",
                    {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": piece}}},
                )
            )
        sig = {"reasoningContent": {"signature": _signature(p["reasoning"])}}
        events.append(("contentBlockDelta", {"contentBlockIndex": 0, "delta": sig}))
        events.append(("contentBlockStop", {"contentBlockIndex": 0}))
        index = 1
    if "call" in p:
        call = p["call"]
        start = {"toolUse": {"toolUseId": call["toolUseId"], "name": call["name"]}}
        events.append(("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        args = json.dumps(call["input"])
        half = len(args) // 2
        for piece in (args[:half], args[half:]):
            events.append(("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}))
    else:
        for piece in _chunks(p["text"]):
            events.append(("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}}))
    events.append(("contentBlockStop", {"contentBlockIndex": index}))
    events.append(("messageStop", {"stopReason": p["stop"]}))
    events.append(("metadata", {"usage": p["usage"], "metrics": {"latencyMs": 42}}))
    frames = [event_frame(kind, payload, seq) for seq, (kind, payload) in enumerate(events)]
    if p["error"]:
        first_text = next(i for i, (kind, _) in enumerate(events) if kind == "contentBlockDelta")
        error = exception_frame("throttlingException", "Too many requests, please wait before trying again.")
        frames = [*frames[: first_text + 1], error]
    return frames


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
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        seed: int = 0,
        delay: float = 0.0,
    ) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.record_path = record
        self.fail_rate = fail_rate
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
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

    def _send(self, status: int, body: Any, error_type: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type + CORAL)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self._send(status, {"message": message}, error_type)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(200, {"ok": True})
        else:
            self._error(404, "UnknownOperationException", "Unknown operation")

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

        m = PATH_RE.match(urlsplit(self.path).path)
        if not m:
            self._error(404, "UnknownOperationException", "Unknown operation")
            return
        headers = {k.lower(): ",".join(self.headers.get_all(k) or []) for k in set(self.headers.keys())}
        try:
            check_sigv4(
                "POST",
                self.path,
                headers,
                raw,
                access_key=self.server.access_key,
                secret_key=self.server.secret_key,
                region=self.server.region,
            )
        except AuthFailure as e:
            self._error(403, e.error_type, e.message)
            return
        if self.server.should_fail():
            self._error(503, "ServiceUnavailableException", "Bedrock is unable to process your request.")
            return
        try:
            validate(body)
        except BadRequest as e:
            self._error(400, "ValidationException", str(e))
            return

        _model = unquote(m["model"])
        p = plan(body)
        if m["op"] == "converse":
            if p["error"]:
                self._error(400, "ValidationException", "emulated error requested by !error")
            else:
                self._send(200, response_body(p))
            return

        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        for frame in stream_frames(p):
            self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
            if self.server.delay:
                time.sleep(self.server.delay)
        self.wfile.write(b"0\r\n\r\n")


def make_server(port: int = 0, **options: Any) -> EmulatorServer:
    return EmulatorServer(port, **options)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--record", help="append one JSON line per request to this file")
    ap.add_argument("--fail-rate", type=float, default=0.0, help="fraction of requests answered 503")
    ap.add_argument("--access-key", help="accept only this access key (with --secret-key)")
    ap.add_argument("--secret-key", help="verify the signature with this secret key")
    ap.add_argument("--region", help="accept only this region in the credential scope")
    ap.add_argument("--seed", type=int, default=0, help="seed of the --fail-rate draws")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between streamed frames")
    args = ap.parse_args(argv)
    if args.access_key and not args.secret_key:
        ap.error("--access-key needs --secret-key")
    server = make_server(
        args.port,
        record=args.record,
        fail_rate=args.fail_rate,
        access_key=args.access_key,
        secret_key=args.secret_key,
        region=args.region,
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
