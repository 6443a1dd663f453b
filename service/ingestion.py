"""Ingest operations shared by the CLI and the API: add, refresh and remove sources; report status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from index.builder import BuildRequest, IngestReport, build
from index.catalog import Catalog
from index.embedders import Embedder
from index.registry import SourceRegistry
from index.tokenstore import BITS_FILE
from index.versions import VersionStore
from ingest.documents import Document
from ingest.errors import SourceError
from ingest.fetcher import FetchLimits
from ingest.sources import SourceSpec, load_documents, parse_source
from ingest.spec import CrawlBounds
from service.config import Settings
from service.following import FollowLinks, load_linked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceRequest:
    """A source as asked for on the command line or over the API (`crawl`: a web source's bounds)."""

    spec: str
    priority: float = 1.0
    manifest: str = ""
    crawl: CrawlBounds | None = None


def _load_all(
    specs: list[SourceSpec], home: Path, allow_private: bool, limits: FetchLimits
) -> dict[str, list[Document]]:
    """Load every source before touching the index, so one bad source changes nothing."""
    fresh: dict[str, list[Document]] = {}
    for spec in specs:
        docs = load_documents(spec, home, allow_private=allow_private, limits=limits)
        if not docs and spec.kind != "local":
            raise SourceError(f"{spec.spec}: no documents found")
        fresh[spec.source_id] = docs
        log.info("loaded %d documents from %s", len(docs), spec.spec)
    return fresh


def _specs_of(registry: SourceRegistry, requests: list[SourceRequest]) -> list[SourceSpec]:
    """The requested sources, or every registered one for a refresh."""
    if requests:
        return [
            parse_source(r.spec, priority=r.priority, manifest=r.manifest, crawl=r.crawl) for r in requests
        ]
    specs = registry.list()
    if not specs:
        raise SourceError("no sources registered yet: pass a folder, file, git URL, web URL or pydoc:PACKAGE")
    return specs


def _build_registered(
    settings: Settings,
    embedder: Embedder,
    registry: SourceRegistry,
    specs: list[SourceSpec],
    fresh: dict[str, list[Document]],
    progress: bool,
) -> IngestReport:
    """Register the sources, then build and publish; a build that fails puts the registry back."""
    previous = {s.spec: s for s in registry.list()}
    # Registered before the build publishes: a kill -9 in between then leaves a source listed but not yet
    # indexed (the next `rag ingest` fills it in), never indexed documents of a source that
    # `rag sources remove` cannot find.
    for spec in specs:
        registry.upsert(spec)
    try:
        return build(
            BuildRequest(fresh),
            home=settings.home,
            embedder=embedder,
            chunking=settings.chunking_config(),
            vectors_cfg=settings.vectors_config(),
            progress=progress,
        )
    except BaseException:
        for spec in specs:
            if spec.spec in previous:
                registry.upsert(previous[spec.spec])
            else:
                registry.remove(spec.spec)
        raise


def ingest_sources(
    settings: Settings,
    embedder: Embedder,
    requests: list[SourceRequest],
    *,
    progress: bool = False,
    allow_private: bool = True,
    follow: FollowLinks | None = None,
) -> IngestReport:
    """Ingest new sources, or refresh every registered one when `requests` is empty; with `follow`, also
    the allowed docs sites the new documents link to (registered as web sources of their own).

    The CLI runs as the operator and may crawl private addresses; the API passes
    RAG_INGEST_ALLOW_PRIVATE_URLS."""
    registry = SourceRegistry(settings.home)
    try:
        specs = _specs_of(registry, requests)
        limits = settings.fetch_limits()
        fresh = _load_all(specs, settings.home, allow_private, limits)
        skipped: list[str] = []
        if follow is not None:
            known = {s.spec for s in registry.list()}
            linked = load_linked(
                fresh, follow, settings.home, allow_private=allow_private, limits=limits, known=known
            )
            specs, skipped = specs + linked.specs, linked.skipped
            fresh |= linked.docs
        report = _build_registered(settings, embedder, registry, specs, fresh, progress)
        report.skipped = skipped
        return report
    finally:
        registry.close()


def remove_source(settings: Settings, embedder: Embedder, spec: str) -> IngestReport:
    """Unregister a source and publish an index without its documents."""
    registry = SourceRegistry(settings.home)
    try:
        known = {s.spec: s for s in registry.list()}
        key = spec if spec in known else str(Path(spec).expanduser().resolve())
        if key not in known:
            raise SourceError(f"no registered source {spec!r}; see `rag sources list`")
        report = build(
            BuildRequest({}, frozenset({key})),
            home=settings.home,
            embedder=embedder,
            chunking=settings.chunking_config(),
            vectors_cfg=settings.vectors_config(),
        )
        registry.remove(key)
        return report
    finally:
        registry.close()


def index_status(settings: Settings) -> dict:
    """Sources, documents, chunks, index version and kind, embedder."""
    registry = SourceRegistry(settings.home)
    sources = [{"spec": s.spec, "kind": s.kind, "priority": s.priority} for s in registry.list()]
    registry.close()
    out = {
        "home": str(settings.home.resolve()),
        "sources": sources,
        "version": None,
        "documents": 0,
        "chunks": 0,
        "embedder": settings.embedder,
        "embedder_backend": settings.embedder_backend,
    }
    current = VersionStore(settings.home).current()
    if current:
        cat = Catalog(current / "catalog.sqlite", readonly=True)
        meta = cat.meta()
        per_source = cat.counts_by_source()
        for s in sources:
            s.update(per_source.get(s["spec"], {"documents": 0, "chunks": 0}))
        out.update(
            cat.counts(),
            version=current.name,
            index_kind=meta.get("index_kind"),
            embedder_id=meta.get("embedder"),
            dim=int(meta.get("dim", 0)),
            # the late stage's token vectors kept at ingest (0: computed per search instead)
            token_vector_bytes=(current / BITS_FILE).stat().st_size if (current / BITS_FILE).exists() else 0,
        )
        cat.close()
    return out
