"""`rag ingest`: add or refresh sources, follow their links to docs sites, the --defaults content."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ingest.errors import SourceError
from service.cliutil import run_guarded
from service.config import get_settings


def ingest(
    sources: Annotated[
        Optional[list[str]], typer.Argument(help="folder, file, git URL, http(s) URL or pydoc:PACKAGE")
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option(help="add the default content (roadmap and its linked docs, project docs, API docs)"),
    ] = False,
    api_docs: Annotated[
        bool,
        typer.Option(help="with --defaults: the pydoc API pages too (not wanted beside the framework docs)"),
    ] = True,
    priority: Annotated[
        float, typer.Option(min=0.1, max=10.0, help="retrieval weight of these sources")
    ] = 1.0,
    manifest: Annotated[str, typer.Option(help="TSV/JSON manifest: path -> public URL")] = "",
    follow_links: Annotated[
        bool, typer.Option(help="also crawl the allowed docs sites these sources link to")
    ] = False,
    link_domains: Annotated[
        str, typer.Option(help="more hosts --follow-links may crawl: HOST[:PORT],...")
    ] = "",
    max_pages: Annotated[int, typer.Option(min=1, max=10000, help="pages per crawled site")] = 50,
    depth: Annotated[int, typer.Option(min=0, max=20, help="link depth from a site's start page")] = 3,
    quiet: Annotated[bool, typer.Option(help="no progress bars")] = False,
) -> None:
    """Add sources to the index, or refresh every registered source when none is given."""
    from ingest.spec import CrawlBounds
    from service.following import FollowLinks
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, default_sources

    settings = get_settings()
    bounds = CrawlBounds(max_pages, depth)
    reqs = [SourceRequest(s, priority, manifest, bounds) for s in (sources or [])]
    domains = tuple(d for d in link_domains.split(",") if d.strip())
    follow = FollowLinks(domains, max_pages, depth) if follow_links or domains else None
    if defaults:
        reqs += [SourceRequest(s) for s in default_sources(api_docs)]
    embedder = run_guarded(build_embedder, settings)
    if defaults:
        _ingest_roadmap(settings, embedder, FollowLinks(domains, max_pages, depth, all_seeds=True), quiet)
    report = run_guarded(ingest_sources, settings, embedder, reqs, progress=not quiet, follow=follow)
    _echo_report(report)


def _ingest_roadmap(settings, embedder, follow, quiet: bool) -> None:
    """The roadmap repository and the docs sites it links to; offline, one warning and nothing else."""
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import ROADMAP_REPO

    try:
        report = ingest_sources(
            settings, embedder, [SourceRequest(ROADMAP_REPO, 2.0)], progress=not quiet, follow=follow
        )
    except SourceError as exc:
        reason = str(exc).strip().splitlines()[-1]  # git's last line says why (e.g. no network)
        typer.echo(
            f"warning: skipped the roadmap repository {ROADMAP_REPO} and its linked docs ({reason})", err=True
        )
        return
    typer.echo("roadmap repository and linked docs: ", nl=False)
    _echo_report(report)


def _echo_report(report) -> None:
    typer.echo(report.summary())
    if report.skipped:  # one line, however many sites: offline, every one of them fails the same way
        typer.echo(
            f"warning: skipped {len(report.skipped)} linked site(s) that could not be crawled: "
            + "; ".join(report.skipped[:3])
            + (" ..." if len(report.skipped) > 3 else ""),
            err=True,
        )
