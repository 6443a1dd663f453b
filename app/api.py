"""The FastAPI app, composed: the service's routes plus fine-tuning and reference-model routes."""

from __future__ import annotations

from fastapi import FastAPI

from finetune.api import router as finetune_router
from reference.api import router as reference_router
from service.config import Settings
from service.main import create_app as create_service_app


def create_app(settings: Settings | None = None, *, load_in_background: bool = False) -> FastAPI:
    """The whole API: what `rag serve` runs and what the route tests drive with TestClient."""
    return create_service_app(
        settings, load_in_background=load_in_background, extra_routers=(reference_router, finetune_router)
    )
