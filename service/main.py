"""The FastAPI app: factory, lifespan (models load once), error handlers. OpenAPI at /docs."""
from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from index.models import ModelNotFoundError
from index.versions import IndexCorruptError
from service.config import Settings, get_settings
from service.llm import GeneratorError
from service.metrics import Metrics
from service.middleware import ServiceMiddleware
from service.schedule import RefreshSchedule
from service.routes import admin, ask, documents, finetune, health, openai_compat, reference, search, widget
from service.state import build_state

log = logging.getLogger(__name__)


def _load(app: FastAPI, settings: Settings) -> None:
    try:
        app.state.rag = build_state(settings)
        app.state.rag.metrics = app.state.metrics
    except (ModelNotFoundError, RuntimeError, ValueError) as exc:
        log.error("cannot start the assistant: %s", exc)
        app.state.load_error = str(exc)


def create_app(settings: Settings | None = None, *, load_in_background: bool = False) -> FastAPI:
    """Build the app; models load in the lifespan (in a thread when asked, so /readyz can say 'loading')."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.rag = None
        if load_in_background:
            threading.Thread(target=_load, args=(app, settings), daemon=True).start()
        else:
            _load(app, settings)
        schedule = None
        if settings.refresh_interval_s:
            schedule = RefreshSchedule(lambda: app.state.rag, settings.refresh_interval_s).start()
        yield
        if schedule is not None:
            schedule.stop()
        if app.state.rag is not None:
            app.state.rag.feedback.close()

    app = FastAPI(title="roadmap-rag", version="0.1.0", lifespan=lifespan,
                  description="Grounded answers with citations over a data-science roadmap and framework docs.")
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    for router in (health.router, search.router, ask.router, openai_compat.router, reference.router,
                   documents.router, finetune.router, admin.router, widget.router):
        app.include_router(router)
    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        return Response(metrics.render(getattr(request.app.state, "rag", None)), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(ServiceMiddleware, settings=settings, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["content-type", "authorization", "accept"], max_age=600)
    _add_error_handlers(app)
    _document_error_detail(app)
    return app


def _document_error_detail(app: FastAPI) -> None:
    """Errors carry `detail` as a message string or, for body validation, a list of field errors:
    say so in the schema, so clients (and schemathesis) can rely on it."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            err = spec.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if err:
                array = err["properties"]["detail"]
                err["properties"]["detail"] = {"anyOf": [{"type": "string"}, array], "title": "Detail"}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(GeneratorError)
    async def generator_failed(_: Request, exc: GeneratorError):
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(ValueError)
    async def bad_value(_: Request, exc: ValueError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(FileNotFoundError)
    async def no_index(_: Request, exc: FileNotFoundError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(IndexCorruptError)
    async def corrupt(_: Request, exc: IndexCorruptError):
        return JSONResponse({"detail": str(exc)}, status_code=503)
