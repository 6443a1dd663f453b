"""FastAPI dependencies: the app state, typed for route signatures."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.state import AppState


def get_state(request: Request) -> AppState:
    state = getattr(request.app.state, "rag", None)
    if state is None or not state.ready:
        raise HTTPException(status_code=503, detail="models are still loading; retry shortly")
    return state


StateDep = Annotated[AppState, Depends(get_state)]
