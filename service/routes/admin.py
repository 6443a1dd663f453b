"""Admin: re-index over the API (POST /v1/ingest) as a background job; answering continues on the old
version."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from ingest.errors import SourceError
from service.deps import AdminDep, StateDep
from service.guards import SourceNotAllowed, checked_source
from service.ingestion import SourceRequest, ingest_sources
from service.schemas import JobOut

router = APIRouter(prefix="/v1", tags=["index (admin)"], dependencies=[AdminDep])


class IngestBody(BaseModel):
    """Sources to add (URLs, git repositories, pydoc:PACKAGE, folders under RAG_INGEST_ROOTS); none =
    refresh all."""

    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(default_factory=list, max_length=50)
    priority: float = Field(1.0, ge=0.1, le=10.0)


@router.post("/ingest", status_code=202, response_model=JobOut)
def start_ingest(body: IngestBody, state: StateDep) -> JobOut:
    """Start a re-index job; GET /v1/jobs/{id} follows it; the new version is served once it is published."""
    s = state.settings
    try:
        specs = [
            checked_source(
                src, roots=s.ingest_roots, allow_private=s.ingest_allow_private_urls, priority=body.priority
            )
            for src in body.sources
        ]
    except (SourceNotAllowed, SourceError) as exc:
        raise HTTPException(422, str(exc)) from None
    requests = [SourceRequest(spec.spec, body.priority, spec.manifest) for spec in specs]

    def run(report) -> dict:
        report("ingesting", 0.05, {"sources": [r.spec for r in requests] or "all registered"})
        result = ingest_sources(s, state.embedder, requests, allow_private=s.ingest_allow_private_urls)
        return {"summary": result.summary(), "version": result.version, "changed": result.changed}

    try:
        job = state.jobs.start("ingest", run)
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from None
    return JobOut(**job.to_dict())


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: str, state: StateDep) -> JobOut:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"unknown job {job_id!r}")
    return JobOut(**job.to_dict())
