"""Admin API for fine-tuning: start a training job (followed at GET /v1/jobs/{id})."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from service.deps import AdminDep, StateDep
from service.schemas import JobOut

router = APIRouter(prefix="/v1", tags=["fine-tuning (admin)"], dependencies=[AdminDep])


class FinetuneBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("custom", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    max_steps: int = Field(0, ge=0, le=100_000)
    epochs: float = Field(1.0, gt=0, le=100)
    corpus_pairs: int = Field(0, ge=0, le=100_000)
    ab_questions: int = Field(20, ge=0, le=1000)
    batch_size: int = Field(4, ge=1, le=256)


@router.post("/finetune", status_code=202, response_model=JobOut)
def start_finetune(body: FinetuneBody, state: StateDep) -> JobOut:
    """Start a background fine-tuning job (answering goes on); follow it at GET /v1/jobs/{id}."""
    # deferred: training pulls in torch, transformers and peft, which the API needs only for this route
    from finetune.pipeline import FinetuneRequest, run_finetune
    from finetune.train import LoRAConfig

    req = FinetuneRequest(
        name=body.name,
        corpus_pairs=body.corpus_pairs,
        ab_questions=body.ab_questions,
        lora=LoRAConfig(max_steps=body.max_steps, epochs=body.epochs, batch_size=body.batch_size),
    )
    try:
        job = state.jobs.start(
            "finetune",
            lambda report: run_finetune(
                state.settings, req, on_progress=report, show_bar=False, embedder=state.embedder
            ),
        )
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return JobOut(**job.to_dict())
