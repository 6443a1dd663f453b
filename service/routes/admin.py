"""Admin: re-index over the API (POST /v1/ingest) as a background job; answering continues on the old
version."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from ingest.errors import SourceError
from ingest.spec import CrawlBounds
from service.deps import AdminDep, StateDep
from service.following import FollowLinks
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
    follow_links: bool = Field(False, description="also crawl the allowed docs sites the sources link to")
    link_domains: list[str] = Field(
        default_factory=list, max_length=20, description="hosts beyond the allow list"
    )
    max_pages: int = Field(50, ge=1, le=1000, description="pages per crawled site")
    depth: int = Field(3, ge=0, le=10, description="link depth from a site's start page")

    def follow(self) -> FollowLinks | None:
        wanted = self.follow_links or self.link_domains
        return FollowLinks(tuple(self.link_domains), self.max_pages, self.depth) if wanted else None


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
    bounds = CrawlBounds(body.max_pages, body.depth)
    requests = [SourceRequest(spec.spec, body.priority, spec.manifest, bounds) for spec in specs]

    def run(report) -> dict:
        report("ingesting", 0.05, {"sources": [r.spec for r in requests] or "all registered"})
        result = ingest_sources(
            s, state.embedder, requests, allow_private=s.ingest_allow_private_urls, follow=body.follow()
        )
        return {
            "summary": result.summary(),
            "version": result.version,
            "changed": result.changed,
            "skipped": result.skipped,
        }

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
