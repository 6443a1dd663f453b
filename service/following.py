"""--follow-links: the allowed docs sites ingested documents point to, crawled as sources of their own."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.fetcher import FetchLimits
from ingest.links import LinkedSite, linked_sites, load_policy, named_seeds
from ingest.sources import load_documents
from ingest.spec import SourceSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowLinks:
    """Which linked sites to crawl and how far: hosts beyond the shipped allow list, pages and link depth per
    site; `all_seeds` adds every framework seed (the --defaults content), named in the text or not."""

    link_domains: tuple[str, ...] = ()
    max_pages: int = 50
    depth: int = 3
    all_seeds: bool = False


@dataclass
class LinkedLoad:
    """The followed sites that answered, their documents, and why the others were skipped."""

    specs: list[SourceSpec]
    docs: dict[str, list[Document]]
    skipped: list[str]


def _crawl_site(site: LinkedSite, follow: FollowLinks, home: Path, allow_private: bool, limits: FetchLimits):
    """(spec, documents) of one site from the first of its start URLs that answers (the last error else)."""
    *first, last = site.starts()
    for start in first:
        try:
            return _crawl_start(site, start, follow, home, allow_private, limits)
        except SourceError:
            continue
    return _crawl_start(site, last, follow, home, allow_private, limits)


def _crawl_start(site: LinkedSite, start: str, follow: FollowLinks, home: Path, allow_private: bool, limits):
    spec = site.spec(start, follow.max_pages, follow.depth)
    return spec, load_documents(spec, home, allow_private=allow_private, limits=limits)


def load_linked(
    fresh: dict[str, list[Document]],
    follow: FollowLinks,
    home: Path,
    *,
    allow_private: bool,
    limits: FetchLimits,
    known: set[str] = frozenset(),
) -> LinkedLoad:
    """Crawl every allowed site the documents link to (and the seeds); a site that cannot be reached is
    skipped with its reason, never failing the ingest of the sources that were asked for."""
    policy = load_policy(follow.link_domains)
    texts = [d.text for docs in fresh.values() for d in docs]
    seeds = list(policy.seeds) if follow.all_seeds else named_seeds(texts, policy)
    out = LinkedLoad([], {}, [])
    for site in linked_sites(texts, policy, seeds):
        if any(start in known or start in fresh for start in site.starts()):
            continue  # followed before (maybe over http): `rag ingest` refreshes it
        try:
            spec, docs = _crawl_site(site, follow, home, allow_private, limits)
        except SourceError as exc:
            out.skipped.append(f"{site.start} ({exc})")
            continue
        out.specs.append(spec)
        out.docs[spec.source_id] = docs
        log.info("followed %s: %d pages", spec.spec, len(docs))
    return out
