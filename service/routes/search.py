"""POST /v1/search: hybrid retrieval over the index."""

from __future__ import annotations

from fastapi import APIRouter

from index.retriever import SearchFilters
from service.deps import StateDep
from service.schemas import HitOut, SearchRequest, SearchResponse

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, state: StateDep) -> SearchResponse:
    r = state.retriever()
    f = body.filters or None
    hits = r.search(body.query, body.k, body.mode, SearchFilters(f.source, f.path_prefix) if f else None)
    return SearchResponse(
        hits=[HitOut(**{k: getattr(h, k) for k in HitOut.model_fields}) for h in hits],
        index_version=r.version,
    )
