"""Gateway errors with a stable code, rendered in the caller's dialect by ``server``."""

from __future__ import annotations


class GatewayError(Exception):
    """A refusal or failure with an HTTP status and a stable ``code``.

    ``type`` is the OpenAI-style error type; the Anthropic rendering maps the status to its own
    error types.
    """

    status = 500
    code = "internal_error"
    type = "server_error"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        status: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers = headers or {}


class InvalidRequest(GatewayError):
    status = 400
    code = "invalid_request"
    type = "invalid_request_error"


class RequestTooLarge(GatewayError):
    status = 413
    code = "request_too_large"
    type = "invalid_request_error"


class InvalidApiKey(GatewayError):
    status = 401
    code = "invalid_api_key"
    type = "authentication_error"


class PermissionDenied(GatewayError):
    status = 403
    code = "model_not_allowed"
    type = "permission_error"


class ModelNotFound(GatewayError):
    status = 404
    code = "model_not_found"
    type = "invalid_request_error"


class NotFound(GatewayError):
    status = 404
    code = "not_found"
    type = "invalid_request_error"


class MethodNotAllowed(GatewayError):
    status = 405
    code = "method_not_allowed"
    type = "invalid_request_error"


class UpstreamError(GatewayError):
    """The vendor answered with an error we pass on (its status, its message)."""

    status = 502
    code = "upstream_error"
    type = "api_error"


class UpstreamUnavailable(GatewayError):
    status = 503
    code = "upstream_unavailable"
    type = "api_error"


class UpstreamTimeout(GatewayError):
    status = 504
    code = "upstream_timeout"
    type = "api_error"


class RateLimited(GatewayError):
    status = 429
    code = "rate_limit_exceeded"
    type = "rate_limit_error"
