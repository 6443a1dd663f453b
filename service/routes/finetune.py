"""Admin API for fine-tuning: start a job, follow it, list adapters, hot-swap the active one."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from finetune.adapters import AdapterStore
from service.deps import AdminDep, StateDep

router = APIRouter(prefix="/v1", tags=["fine-tuning (admin)"], dependencies=[AdminDep])


class FinetuneBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("custom", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    max_steps: int = Field(0, ge=0, le=100_000)
    epochs: float = Field(1.0, gt=0, le=100)
    corpus_pairs: int = Field(0, ge=0, le=100_000)
    ab_questions: int = Field(20, ge=0, le=1000)
    batch_size: int = Field(4, ge=1, le=256)


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    stage: str
    progress: float
    info: dict
    result: dict | None
    error: str | None
    created: float
    finished: float | None


@router.post("/finetune", status_code=202, response_model=JobOut)
def start_finetune(body: FinetuneBody, state: StateDep) -> JobOut:
    """Start a background fine-tuning job (answering goes on); follow it at GET /v1/jobs/{id}."""
    from finetune.pipeline import FinetuneRequest, run_finetune
    from finetune.train import LoRAConfig

    req = FinetuneRequest(name=body.name, corpus_pairs=body.corpus_pairs, ab_questions=body.ab_questions,
                          lora=LoRAConfig(max_steps=body.max_steps, epochs=body.epochs, batch_size=body.batch_size))
    try:
        job = state.jobs.start("finetune", lambda report: run_finetune(state.settings, req, on_progress=report,
                                                                        show_bar=False, embedder=state.embedder))
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return JobOut(**job.to_dict())


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: str, state: StateDep) -> JobOut:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"unknown job {job_id!r}")
    return JobOut(**job.to_dict())


@router.get("/adapters")
def list_adapters(state: StateDep) -> dict:
    rows = AdapterStore(state.settings.home).list()
    for r in rows:
        r["active"] = r["name"] == state.active_adapter
    return {"active": state.active_adapter or None, "adapters": rows}


@router.post("/adapters/{name}/activate")
async def activate_adapter(name: str, state: StateDep) -> dict:
    """Answer with adapter `name` from the next request on ('none': the base model); no restart."""
    try:
        active = await run_in_threadpool(state.activate_adapter, name)
    except FileNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return {"active": active or None}
