"""Every error is JSON {"detail": "<sentence>", "code": "<snake_case>"}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sightline.errors import SightlineError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_field",
    429: "rate_limited",
}


def error_response(status: int, detail: str, code: str, **extra: object) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "Invalid request. " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SightlineError)
    async def _domain(_request: Request, exc: SightlineError) -> JSONResponse:
        response = error_response(exc.status_code, exc.detail, exc.code)
        if exc.retry_after_seconds is not None:
            response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        missing_file = any(
            e.get("type") == "missing" and e.get("loc", [None])[-1] in ("file", "files")
            for e in exc.errors()
        )
        if missing_file:
            return error_response(
                422,
                "No image was sent: upload it as multipart form "
                "field 'file' (or 'files' for several).",
                "missing_file",
            )
        return error_response(
            422,
            _describe_validation(exc),
            "invalid_field",
            errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()],
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # An HTTPException may carry its own code (api/security.py's RequestTooLarge).
        code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is no such endpoint. See /docs for the API."
        return error_response(exc.status_code, detail, code)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(
            500, "Sightline hit an internal error; it has been logged.", "internal_error"
        )
