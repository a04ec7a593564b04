"""One JSON error shape for every answer that is not a success: ``{"error": {status, code, message}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from botwarden.errors import BotwardenError, ConfigError, InputError
from botwarden.store import DatabaseError
from botwarden.store.db import PoolExhausted

log = logging.getLogger("botwarden.web")

CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}
#: Seconds a client is asked to wait when the database is busy or away.
RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code or CODES.get(status, "error")
        self.headers = headers

    def answer(self) -> JSONResponse:
        return error_answer(self.status, self.message, self.code, headers=self.headers)


def error_answer(
    status: int,
    message: str,
    code: str | None = None,
    detail: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "status": status,
            "code": code or CODES.get(status, "error"),
            "message": message,
            "detail": detail or [],
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else exc.headers
        return error_answer(exc.status, exc.message, exc.code, headers=headers)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error_answer(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"where": ".".join(str(p) for p in e["loc"]), "problem": str(e["msg"])} for e in exc.errors()
        ]
        first = detail[0] if detail else {"where": "body", "problem": "invalid"}
        return error_answer(422, f"{first['where']}: {first['problem']}", detail=detail)

    @app.exception_handler(BotwardenError)
    async def _ours(request: Request, exc: BotwardenError) -> JSONResponse:
        status = 400 if isinstance(exc, InputError | ConfigError) else 409
        return error_answer(status, str(exc))

    @app.exception_handler(DatabaseError)
    async def _database(request: Request, exc: DatabaseError) -> JSONResponse:
        log.warning("database error answering %s %s: %s", request.method, request.url.path, exc.orig or exc)
        return error_answer(
            503,
            "the database is unavailable; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(PoolExhausted)
    async def _busy(request: Request, exc: PoolExhausted) -> JSONResponse:
        log.warning("no database connection free for %s %s", request.method, request.url.path)
        return busy().answer()

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return error_answer(500, "botwarden failed to answer this request; the error is in its log")


def busy() -> ApiError:
    """The answer when every database connection is taken and stays taken for the whole wait."""
    return ApiError(
        503,
        "the service is busy (every database connection is taken); try again shortly",
        headers={"Retry-After": "1"},
    )
