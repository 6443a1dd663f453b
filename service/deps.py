"""FastAPI dependencies: the app state, typed for route signatures, and the admin bearer-token check."""
from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.state import AppState


def get_state(request: Request) -> AppState:
    state = getattr(request.app.state, "rag", None)
    if state is None or not state.ready:
        error = getattr(request.app.state, "load_error", None)
        raise HTTPException(status_code=503, detail=f"the assistant failed to start: {error}" if error
                            else "models are still loading; retry shortly")
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require_admin(request: Request) -> None:
    """Admin routes need `Authorization: Bearer <token>` matching RAG_ADMIN_TOKENS or RAG_ADMIN_TOKEN_HASHES."""
    settings = request.app.state.settings
    allowed = [token_hash(t) for t in settings.admin_tokens] + [h.lower() for h in settings.admin_token_hashes]
    if not allowed:
        raise HTTPException(403, "the admin API is disabled: set RAG_ADMIN_TOKENS (or RAG_ADMIN_TOKEN_HASHES)")
    token = _bearer(request)
    if not token:
        raise HTTPException(401, "admin route: send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"})
    digest = token_hash(token)
    if not any(hmac.compare_digest(digest, h) for h in allowed):
        raise HTTPException(403, "invalid admin token")


AdminDep = Depends(require_admin)
