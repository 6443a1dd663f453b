"""Domain errors mapped to HTTP status in one place; anything else is a 500 with the request id."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from index.versions import IndexCorruptError, NoIndexError
from ingest.errors import SourceError
from service.adapters import AdapterNotFound, AdapterUnsupported, BadAdapterName
from service.llm import GeneratorError

# Only these exceptions are the client's or the deployment's doing; a bare ValueError or FileNotFoundError
# is a bug and answers 500 (see ServiceMiddleware), so it is logged with its traceback instead of hidden.
HTTP_STATUS: dict[type[Exception], int] = {
    NoIndexError: 503,
    IndexCorruptError: 503,
    AdapterNotFound: 404,
    BadAdapterName: 400,
    AdapterUnsupported: 400,
    SourceError: 400,
}


def status_of(exc: Exception) -> int | None:
    """The HTTP status of a domain error, or None for an unexpected one."""
    if isinstance(exc, GeneratorError):
        return exc.status
    return next((code for kind, code in HTTP_STATUS.items() if isinstance(exc, kind)), None)


def add_error_handlers(app: FastAPI) -> None:
    """Validation errors as a list of field errors; domain errors as their status with the message."""

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status_of(exc) or 500)

    for kind in (GeneratorError, *HTTP_STATUS):
        app.add_exception_handler(kind, domain)
