"""FastAPI dependencies: the app state, typed for route signatures, and the admin bearer-token check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.state import AppState
from service.tokens import bearer_token, token_hash, token_matches


def get_state(request: Request) -> AppState:
    state = getattr(request.app.state, "rag", None)
    if state is None or not state.ready:
        error = getattr(request.app.state, "load_error", None)
        raise HTTPException(
            status_code=503,
            detail=f"the assistant failed to start: {error}"
            if error
            else "models are still loading; retry shortly",
        )
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def require_admin(request: Request) -> None:
    """Admin routes need `Authorization: Bearer <token>` matching RAG_ADMIN_TOKENS or
    RAG_ADMIN_TOKEN_HASHES."""
    settings = request.app.state.settings
    allowed = [token_hash(t) for t in settings.admin_tokens] + [
        h.lower() for h in settings.admin_token_hashes
    ]
    if not allowed:
        raise HTTPException(
            403, "the admin API is disabled: set RAG_ADMIN_TOKENS (or RAG_ADMIN_TOKEN_HASHES)"
        )
    token = bearer_token(request.headers.get("authorization", ""))
    if not token:
        raise HTTPException(
            401, "admin route: send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
        )
    if not token_matches(token, allowed):
        raise HTTPException(403, "invalid admin token")


AdminDep = Depends(require_admin)
