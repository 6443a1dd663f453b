"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request):
    state = getattr(request.app.state, "rag", None)
    if state is None or not state.ready:
        error = getattr(request.app.state, "load_error", None)
        if error:
            return JSONResponse({"status": "failed", "detail": error}, status_code=503)
        return JSONResponse({"status": "loading"}, status_code=503)
    try:
        r = state.retriever()
        index = {
            "version": r.version,
            "chunks": r.size,
            "index_kind": r.dense.kind,
            "index_device": r.dense.device,
        }
    except (FileNotFoundError, RuntimeError) as exc:
        return JSONResponse({"status": "no index", "detail": str(exc)}, status_code=503)
    gen = state.generator
    return {
        "status": "ready",
        **index,
        "embedder": state.embedder.name,
        "device": state.embedder.device,
        "generator": gen.name if gen else "none (extractive only)",
        "generator_device": gen.device if gen else None,
        "adapter": state.active_adapter or None,
    }
