"""The dialect tables the pipeline dispatches on.

``CLIENT_DIALECTS``: what callers speak (by route). ``VENDOR_FORMATS``: what providers speak.
When a client dialect's ``native`` format equals the provider's format the call passes through
with the client's body and the vendor's bytes untouched but for the model name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from tokenway.dialects import anthropic, bedrock, gemini, openai_chat, openai_responses, sse
from tokenway.errors import GatewayError, InvalidRequest

Body = dict[str, Any]


# ---------------------------------------------------------------- vendor formats
@dataclass(frozen=True, slots=True)
class VendorFormat:
    name: str
    encode_request: Callable[[Body, str, bool], Body]  # (canonical, target model, stream)
    decode_response: Callable[[Body], Body]  # vendor body -> canonical chat.completion
    stream_decoder: Callable[[], Any]  # object with feed(raw) -> [chunk], close() -> [chunk], usage
    decode_error: Callable[[bytes], str]


def _anthropic_request(chat: Body, model: str, stream: bool) -> Body:
    body = anthropic.encode_request(chat, model)
    if stream:
        body["stream"] = True
    return body


def _no_stream_flag(encode: Callable[[Body, str], Body]) -> Callable[[Body, str, bool], Body]:
    def enc(chat: Body, model: str, stream: bool) -> Body:  # stream is in the URL for these vendors
        return encode(chat, model)

    return enc


def _identity(body: Body) -> Body:
    return body


VENDOR_FORMATS: dict[str, VendorFormat] = {
    "openai": VendorFormat("openai", openai_chat.encode_request, _identity, openai_chat.StreamDecoder,
                           openai_chat.decode_error),
    "anthropic": VendorFormat("anthropic", _anthropic_request, anthropic.decode_response,
                              anthropic.StreamDecoder, anthropic.decode_error),
    "gemini": VendorFormat("gemini", _no_stream_flag(gemini.encode_request), gemini.decode_response,
                           gemini.StreamDecoder, gemini.decode_error),
    "bedrock": VendorFormat("bedrock", _no_stream_flag(bedrock.encode_request), bedrock.decode_response,
                            bedrock.StreamDecoder, bedrock.decode_error),
}


# ---------------------------------------------------------------- client dialects
def _model_and_stream(body: Any, model_msg: str, stream_msg: str) -> tuple[str, bool]:
    """The checks every dialect makes: a JSON object, a model name, a boolean ``stream``."""
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest(model_msg, param="model")
    stream = body.get("stream", False)
    if not isinstance(stream, bool) and stream is not None:
        raise InvalidRequest(stream_msg or "'stream' must be a boolean", param="stream")
    return model, bool(stream)


class ClientDialect:
    """How one inbound API is validated, translated and answered."""

    name = ""
    native: str | None = None  # the vendor format it passes through to untranslated

    def validate(self, body: Any) -> tuple[str, bool]:
        """(model, stream) after the checks the gateway relies on."""
        raise NotImplementedError

    def to_canonical(self, body: Body) -> Body:
        raise NotImplementedError

    def passthrough(self, body: Body, model: str, stream: bool) -> Body:
        out = dict(body)
        out["model"] = model
        return out

    def encode_response(self, chat: Body, model: str, body: Body) -> Body:
        raise NotImplementedError

    def stream_encoder(self, model: str, body: Body) -> Any:
        raise NotImplementedError

    def stream_error(self, err: GatewayError) -> bytes:
        raise NotImplementedError

    def error(self, err: GatewayError) -> bytes:
        raise NotImplementedError


class OpenAIChat(ClientDialect):
    name = "openai"
    native = "openai"

    def validate(self, body: Any) -> tuple[str, bool]:
        return openai_chat.validate_request(body)

    def to_canonical(self, body: Body) -> Body:
        return body

    def passthrough(self, body: Body, model: str, stream: bool) -> Body:
        return openai_chat.passthrough_request(body, model, stream)

    def encode_response(self, chat: Body, model: str, body: Body) -> Body:
        if not chat.get("model"):  # the vendor named no model (Bedrock): the one the client asked for
            chat["model"] = model
        return chat

    def stream_encoder(self, model: str, body: Body) -> Any:
        return openai_chat.StreamEncoder(model, openai_chat.client_wants_usage(body))

    def stream_error(self, err: GatewayError) -> bytes:
        return openai_chat.StreamEncoder.error(err.message, err.type, err.code)

    def error(self, err: GatewayError) -> bytes:
        body = openai_chat.error_body(err.message, err.type, err.code, err.param)
        details = getattr(err, "details", None)
        if details:
            body["error"]["details"] = details
        return orjson.dumps(body)


class OpenAIResponses(OpenAIChat):
    name = "responses"
    native = None  # always translated to chat completions

    def validate(self, body: Any) -> tuple[str, bool]:
        return _model_and_stream(body, "'model' is required and must be a non-empty string",
                                 "'stream' must be a boolean")

    def to_canonical(self, body: Body) -> Body:
        return openai_responses.decode_request(body)

    def encode_response(self, chat: Body, model: str, body: Body) -> Body:
        return openai_responses.encode_response(chat, model, request=body)

    def stream_encoder(self, model: str, body: Body) -> Any:
        return openai_responses.StreamEncoder(model, request=body)

    def stream_error(self, err: GatewayError) -> bytes:
        return openai_responses.StreamEncoder("").error(err.message, err.code)


class AnthropicMessages(ClientDialect):
    name = "anthropic"
    native = "anthropic"

    def validate(self, body: Any) -> tuple[str, bool]:
        model, stream = _model_and_stream(body, "model: Field required (a non-empty string)",
                                          "stream: must be a boolean")
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise InvalidRequest("messages: must be a non-empty array", param="messages")
        mt = body.get("max_tokens")
        if not isinstance(mt, int) or isinstance(mt, bool) or mt < 1:
            raise InvalidRequest("max_tokens: Field required (a positive integer)", param="max_tokens")
        return model, stream

    def to_canonical(self, body: Body) -> Body:
        return anthropic.decode_request(body)

    def encode_response(self, chat: Body, model: str, body: Body) -> Body:
        return anthropic.encode_response(chat, model)

    def stream_encoder(self, model: str, body: Body) -> Any:
        return anthropic.StreamEncoder(model)

    def stream_error(self, err: GatewayError) -> bytes:
        return anthropic_error_event(err)

    def error(self, err: GatewayError) -> bytes:
        return orjson.dumps(anthropic_error(err))


def anthropic_error(err: GatewayError) -> Body:
    """Anthropic's error shape, plus tokenway's stable ``code`` beside ``type`` and ``message``."""
    body = anthropic.error_body(err.status, err.message)
    body["error"]["code"] = err.code
    details = getattr(err, "details", None)
    if details:
        body["error"]["details"] = details
    return body


def anthropic_error_event(err: GatewayError) -> bytes:
    return sse.encode(anthropic_error(err), "error")


class OpenAIEmbeddings(OpenAIChat):
    name = "embeddings"

    def validate(self, body: Any) -> tuple[str, bool]:
        model, _ = _model_and_stream(body, "'model' is required and must be a non-empty string", "")
        inp = body.get("input")
        if not (isinstance(inp, str) and inp) and not (isinstance(inp, list) and inp):
            raise InvalidRequest("'input' must be a non-empty string or array", param="input")
        if isinstance(inp, list) and not all(_embedding_item(x) for x in inp):
            raise InvalidRequest("'input' items must be strings, token ids or arrays of token ids", param="input")
        return model, False

    def passthrough(self, body: Body, model: str, stream: bool) -> Body:
        out = dict(body)
        out["model"] = model
        return out


def _embedding_item(x: Any) -> bool:
    """One element of an embeddings ``input`` array: text, a token id, or a list of token ids."""
    if isinstance(x, str) or (isinstance(x, int) and not isinstance(x, bool)):
        return True
    return isinstance(x, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in x)


OPENAI_CHAT = OpenAIChat()
OPENAI_RESPONSES = OpenAIResponses()
ANTHROPIC = AnthropicMessages()
OPENAI_EMBEDDINGS = OpenAIEmbeddings()
