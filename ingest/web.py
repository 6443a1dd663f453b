"""Polite, bounded crawling of a docs site: within the start page's host and path prefix, breadth-first to a
page and depth cap, robots.txt and its sitemap honoured, conditional requests on a refresh."""

from __future__ import annotations

import codecs
import logging
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.fetcher import USER_AGENT, Fetched, Fetcher, FetchLimits
from ingest.htmltext import extract_page
from ingest.local import parse_file
from ingest.pagecache import CachedPage, PageCache
from ingest.spec import SourceSpec

log = logging.getLogger(__name__)
MAX_SITEMAPS = 5  # child sitemaps read from a sitemap index
_SUFFIX_KINDS = {".ipynb": "notebook", ".pdf": "pdf", ".md": "markdown", ".rst": "rst", ".txt": "text"}
_TYPE_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf"}
_TYPE_KINDS |= {"application/x-ipynb+json": "notebook", "text/markdown": "markdown", "text/plain": "text"}
_GONE = (404, 410)


def crawl_scope(start: str, prefix: str = "") -> tuple[str, str]:
    """(host, path prefix) a crawl from `start` stays within: the given prefix, else the start page's folder
    ("https://scikit-learn.org/stable" and ".../stable/index.html" both give "/stable/")."""
    parts = urlsplit(start)
    if prefix:
        return parts.netloc, prefix
    path = parts.path or "/"
    last = path.rsplit("/", 1)[-1]
    folder = path + "/" if last and "." not in last else path.rsplit("/", 1)[0] + "/"
    return parts.netloc, folder


def _kind(fetched: Fetched) -> str:
    """What to read the body as: its content type, else (for none or text/plain) its file suffix."""
    by_type = _TYPE_KINDS.get(fetched.content_type, "")
    suffix = PurePosixPath(urlsplit(fetched.url).path).suffix.lower()
    return _SUFFIX_KINDS.get(suffix, "") if by_type in ("", "text") else by_type


def _charset(res: Fetched) -> str:
    m = re.search(r"charset=([\w-]+)", res.headers.get("content-type", ""))
    try:
        return codecs.lookup(m.group(1)).name if m else "utf-8"
    except LookupError:  # a charset no codec knows: read it as UTF-8, replacing what does not decode
        return "utf-8"


def _sitemap_urls(xml: str) -> list[str]:
    return re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", xml)


@dataclass
class CrawlStats:
    """What one crawl did, for the log line and the tests."""

    fetched: int = 0
    not_modified: int = 0
    gone: int = 0
    skipped: list[str] = field(default_factory=list)


class _Crawl:
    """One crawl of one source: the scope, the queue, the previous crawl's pages and this one's."""

    def __init__(self, spec: SourceSpec, fetcher: Fetcher, cache: PageCache) -> None:
        self.spec, self.fetcher, self.cache = spec, fetcher, cache
        self.host, self.prefix = crawl_scope(spec.spec, spec.crawl.prefix)
        self.pages: dict[str, CachedPage] = {}
        self.stats = CrawlStats()
        self.robots = RobotFileParser()
        self.delay: float | None = None
        self.sitemaps: list[str] = []

    def in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        path = parts.path or "/"
        return parts.netloc == self.host and (path.startswith(self.prefix) or path + "/" == self.prefix)

    def fetch(self, url: str) -> tuple[Fetched | None, CachedPage | None]:
        """(the response, the previous crawl's copy); (None, copy) when it could not be fetched. A URL that
        redirected last time asks with the validators of the page it led to (the redirect is followed with
        the same conditional headers)."""
        old = self.cache.get(url)
        if old is not None and old.moved_to:
            old = self.cache.get(old.moved_to)
        try:
            return self.fetcher.get(url, old.validators if old else None, self.delay), old
        except (httpx.HTTPError, SourceError) as exc:
            log.debug("skipping %s: %s", url, exc)  # one warning per crawl says what was skipped
            self.stats.skipped.append(f"{url}: {exc}")
            return None, old

    def raw_text(self, url: str) -> str:
        """A small text resource (robots.txt, a sitemap), itself fetched conditionally."""
        res, old = self.fetch(url)
        if res is not None and res.status == 304 and old:
            self.pages[url] = old
            return old.text
        if res is None or res.status != 200:
            return ""
        text = res.body.decode("utf-8", "replace")
        self.pages[url] = CachedPage(*res.validators, text=text, is_document=False)
        return text

    def reanchor(self, final: str) -> None:
        """The start page moved to another host (pytorch.org/docs -> docs.pytorch.org): crawl there."""
        log.info("%s moved to %s: crawling that host", self.spec.spec, final)
        self.host, self.prefix = crawl_scope(final, self.spec.crawl.prefix)

    def read_robots(self, scheme: str) -> list[str]:
        """Parse robots.txt; the sitemaps it names (or the host's /sitemap.xml)."""
        self.robots = RobotFileParser()  # a fresh one: the start page may have moved to another host
        self.robots.parse(self.raw_text(f"{scheme}://{self.host}/robots.txt").splitlines())
        asked = self.robots.crawl_delay(USER_AGENT)
        self.delay = float(asked) if asked else None
        return list(self.robots.site_maps() or []) or [f"{scheme}://{self.host}/sitemap.xml"]

    def sitemap_pages(self, sitemaps: list[str]) -> list[str]:
        """In-scope page URLs of the sitemaps (a sitemap index followed one level)."""
        urls: list[str] = []
        for sitemap in sitemaps[:MAX_SITEMAPS]:
            xml = self.raw_text(sitemap)
            locs = _sitemap_urls(xml)
            if "<sitemapindex" in xml:
                urls += [u for child in locs[:MAX_SITEMAPS] for u in _sitemap_urls(self.raw_text(child))]
            else:
                urls += locs
        return [u for u in dict.fromkeys(urls) if self.in_scope(u)]

    def document(self, url: str, page: CachedPage) -> Document:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        anchors = tuple((h, a) for h, a in page.anchors)
        title = page.title or path
        return Document(self.spec.source_id, path, page.text, title, url, url, page.kind, anchors)

    def parse(self, res: Fetched) -> CachedPage | None:
        """The page's document fields and links; None for a type the index does not read."""
        kind = _kind(res)
        if kind == "html":
            page = extract_page(res.body.decode(_charset(res), "replace"))
            anchors = [list(a) for a in page.anchors]
            return CachedPage(*res.validators, page.title, page.text, anchors, list(page.links))
        if not kind:
            return None
        try:
            doc = parse_file(
                res.body, kind, res.url, source_id=self.spec.source_id, url=res.url, location=res.url
            )
        except (SourceError, UnicodeDecodeError) as exc:
            log.warning("skipping %s: %s", res.url, exc)
            return None
        return CachedPage(*res.validators, doc.title, doc.text, [list(a) for a in doc.anchors], kind=doc.kind)

    def visit(self, url: str) -> tuple[str, CachedPage] | None:
        """(final URL, page) of one queued URL, from the network or, on a 304, the previous crawl."""
        res, old = self.fetch(url)
        if res is None:  # a timeout or a refused hop does not delete a page the last crawl found
            return (self.cache.final_url(url), old) if old and old.is_document else None
        if res.url != url:
            self.pages[url] = CachedPage(is_document=False, moved_to=res.url)
            if url == self.spec.spec and urlsplit(res.url).netloc != self.host:
                self.reanchor(res.url)
        if res.status == 304 and old:
            self.stats.not_modified += 1
            return res.url, old
        if res.status in _GONE:
            self.stats.gone += 1
            return None
        if res.status != 200 or not self.in_scope(res.url):
            return None
        self.stats.fetched += 1
        page = self.parse(res)
        return (res.url, page) if page else None


def _visit_start(crawl: _Crawl) -> tuple[str, CachedPage] | None:
    """The start page, after its host's robots.txt; where it moved to another host, that host's rules."""
    start = crawl.spec.spec
    crawl.sitemaps = crawl.read_robots(urlsplit(start).scheme)
    host = crawl.host
    visited = crawl.visit(start) if crawl.robots.can_fetch(USER_AGENT, start) else None
    if crawl.host != host:
        crawl.sitemaps = crawl.read_robots(urlsplit(visited[0] if visited else start).scheme)
    return visited


def _run(crawl: _Crawl, max_pages: int) -> list[Document]:
    visited = _visit_start(crawl)
    sitemap = crawl.sitemap_pages(crawl.sitemaps)
    queue = deque(([(visited, 0)] if visited else []) + [(u, 1) for u in sitemap])
    seen = {crawl.spec.spec, *sitemap, *([visited[0]] if visited else [])}
    docs: list[Document] = []
    while queue and len(docs) < max_pages:
        item, depth = queue.popleft()
        if isinstance(item, str):  # a URL still to fetch (the start page came fetched)
            if not crawl.robots.can_fetch(USER_AGENT, item):
                continue
            item = crawl.visit(item)
        if item is None or item[0] in crawl.pages:
            continue
        final, page = item
        crawl.pages[final] = page
        docs.append(crawl.document(final, page))
        if depth >= crawl.spec.crawl.depth:
            continue
        for href in page.links:
            nxt = urldefrag(urljoin(final, href))[0]
            if nxt not in seen and crawl.in_scope(nxt):
                seen.add(nxt)
                queue.append((nxt, depth + 1))
    return docs


def crawl(
    spec: SourceSpec,
    max_pages: int | None = None,
    *,
    allow_private: bool = True,
    data_dir: Path | None = None,
    limits: FetchLimits = FetchLimits(),
) -> list[Document]:
    """Documents of a web source. `allow_private=False` (the API's default) refuses every hop to a private or
    local address; `data_dir` keeps the page cache that makes a refresh conditional."""
    cache = PageCache(data_dir, spec.source_id)
    with Fetcher(allow_private, limits) as fetcher:
        run = _Crawl(spec, fetcher, cache)
        docs = _run(run, max_pages or spec.crawl.max_pages)
    if not docs:
        reason = "; ".join(run.stats.skipped[:1]) or "no page in scope answered"
        raise SourceError(f"nothing could be fetched from {spec.spec} ({reason})")
    cache.save(run.pages)
    s = run.stats
    log.info(
        "%s: %d pages (%d fetched, %d unchanged, %d gone)",
        spec.spec,
        len(docs),
        s.fetched,
        s.not_modified,
        s.gone,
    )
    if s.skipped:
        more = f" and {len(s.skipped) - 3} more" if len(s.skipped) > 3 else ""
        log.warning("%s: skipped %s%s", spec.spec, "; ".join(s.skipped[:3]), more)
    return docs
