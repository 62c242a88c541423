"""Errors a service raises; transport turns each into a clear HTTP status or error frame."""

from __future__ import annotations

from typing import Any


class FrontdeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(FrontdeskError):
    status = 422
    code = "invalid"


class NotAuthenticated(FrontdeskError):
    status = 401
    code = "not_authenticated"


class Forbidden(FrontdeskError):
    status = 403
    code = "forbidden"


class NotFound(FrontdeskError):
    status = 404
    code = "not_found"


class Conflict(FrontdeskError):
    status = 409
    code = "conflict"


class RateLimited(FrontdeskError):
    status = 429
    code = "rate_limited"


class UnsupportedMediaType(FrontdeskError):
    status = 415
    code = "unsupported_media_type"


class RequestTimeout(FrontdeskError):
    status = 408
    code = "request_timeout"


class TooLarge(FrontdeskError):
    status = 413
    code = "too_large"


class Unavailable(FrontdeskError):
    """The server cannot do this right now (busy); the client may try again shortly."""

    status = 503
    code = "unavailable"
