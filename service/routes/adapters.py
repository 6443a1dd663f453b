"""Admin API for LoRA adapters: list them, hot-swap the one answering."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from service.adapters import AdapterStore
from service.deps import AdminDep, StateDep

router = APIRouter(prefix="/v1", tags=["fine-tuning (admin)"], dependencies=[AdminDep])


@router.get("/adapters")
def list_adapters(state: StateDep) -> dict:
    rows = AdapterStore(state.settings.home).list()
    for r in rows:
        r["active"] = r["name"] == state.active_adapter
    return {"active": state.active_adapter or None, "adapters": rows}


@router.post("/adapters/{name}/activate")
async def activate_adapter(name: str, state: StateDep) -> dict:
    """Answer with adapter `name` from the next request on ('none': the base model); no restart."""
    active = await run_in_threadpool(state.activate_adapter, name)  # AdapterNotFound: 404 (service/errors.py)
    return {"active": active or None}
