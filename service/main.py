"""The FastAPI app: factory, lifespan (models load once), error handlers. OpenAPI at /docs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST

from index.models import ModelNotFoundError
from service.config import Settings, get_settings
from service.errors import add_error_handlers
from service.metrics import Metrics
from service.middleware import ServiceMiddleware
from service.routes import adapters, admin, ask, documents, health, openai_compat, search, widget
from service.schedule import RefreshSchedule
from service.state import build_state

log = logging.getLogger(__name__)


def _load(app: FastAPI, settings: Settings) -> None:
    try:
        app.state.rag = build_state(settings)
        app.state.rag.metrics = app.state.metrics
    except (ModelNotFoundError, RuntimeError, ValueError) as exc:
        log.error("cannot start the assistant: %s", exc)
        app.state.load_error = str(exc)


def create_app(
    settings: Settings | None = None,
    *,
    load_in_background: bool = False,
    extra_routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """Build the app; models load in the lifespan (in a thread when asked, so /readyz can say 'loading').

    `extra_routers` are the routes of the packages beside the service (fine-tuning, reference models),
    added by the composition in app/api.py."""
    settings = settings or get_settings()
    # /docs and /redoc with their scripts served by the app itself: everything runs offline, no CDN
    app = FastAPIOffline(
        title="roadmap-rag",
        version="0.1.0",
        lifespan=_lifespan(settings, load_in_background),
        description="Grounded answers with citations over a data-science roadmap and framework docs.",
    )
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    routers = (health, search, ask, openai_compat)
    for router in [r.router for r in routers] + list(extra_routers):
        app.include_router(router)
    for module in (documents, adapters, admin, widget):
        app.include_router(module.router)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        rag = getattr(request.app.state, "rag", None)
        return Response(metrics.render(rag), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(ServiceMiddleware, settings=settings, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "authorization", "accept"],
            max_age=600,
        )
    add_error_handlers(app)
    _document_error_detail(app)
    return app


def _lifespan(settings: Settings, load_in_background: bool):
    """Models load once per process (in a thread when asked); the refresh schedule runs while serving."""

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

    return lifespan


def _document_error_detail(app: FastAPI) -> None:
    """Errors carry `detail` as a message string or, for body validation, a list of field errors:
    say so in the schema, so clients (and schemathesis) can rely on it."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            err = spec.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if err:
                array = err["properties"]["detail"]
                err["properties"]["detail"] = {"anyOf": [{"type": "string"}, array], "title": "Detail"}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema
