"""Domain errors. Each carries the HTTP status and machine code the API answers with,
so services can refuse bad input without knowing about HTTP."""

from __future__ import annotations


class SightlineError(Exception):
    status_code = 400
    code = "bad_request"
    # Sent as Retry-After: the refusal is temporary (a 503 the client may retry).
    retry_after_seconds: int | None = None

    def __init__(self, detail: str, *, code: str | None = None, status_code: int | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class InvalidImage(SightlineError):
    status_code = 415
    code = "unsupported_image"


class TooLarge(SightlineError):
    status_code = 413
    code = "too_large"


class NotFound(SightlineError):
    status_code = 404
    code = "not_found"


class Conflict(SightlineError):
    status_code = 409
    code = "conflict"


class InvalidField(SightlineError):
    status_code = 422
    code = "invalid_field"


class Unauthorized(SightlineError):
    status_code = 401
    code = "unauthorized"


class Forbidden(SightlineError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(SightlineError):
    status_code = 429
    code = "rate_limited"


class ModelUnavailable(SightlineError):
    status_code = 503
    code = "model_unavailable"
