"""Polite crawling of an http(s) page or sitemap: same host, robots.txt, page cap, timeouts."""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.htmltext import html_to_text
from ingest.netguard import public_address
from ingest.spec import SourceSpec

log = logging.getLogger(__name__)
USER_AGENT = "roadmap-rag/0.1 (+https://github.com/roadmap-rag)"
MAX_PAGES = 200
TIMEOUT_S = 10.0
DELAY_S = 0.2  # pause between requests to one host
MAX_REDIRECTS = 5


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


class _Fetcher:
    """GETs whose every redirect hop is checked by the address guard, each connection made to the address
    that was checked (a second DNS answer cannot point it elsewhere)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.client = httpx.Client(
            timeout=TIMEOUT_S, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )

    def __enter__(self) -> _Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str) -> httpx.Response:
        for _ in range(MAX_REDIRECTS + 1):
            res = self._pinned_get(url)
            if not (res.is_redirect and "location" in res.headers):
                return res
            url = urldefrag(urljoin(url, res.headers["location"]))[0]
            if not url.startswith(("http://", "https://")):
                raise SourceError(f"redirect to a non-http(s) URL: {url[:100]}")
        raise SourceError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _pinned_get(self, url: str) -> httpx.Response:
        parts = urlsplit(url)
        ip = public_address(url, self.allow_private)  # raises AddressNotAllowed (a SourceError)
        netloc = (f"[{ip}]" if ":" in ip else ip) + (f":{parts.port}" if parts.port else "")
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        tls = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}  # the certificate's name
        return self.client.get(pinned, headers={"Host": parts.netloc}, extensions=tls)


def _robots(client: _Fetcher, start: str) -> RobotFileParser:
    parsed = urlparse(start)
    rp = RobotFileParser()
    try:
        res = client.get(f"{parsed.scheme}://{parsed.netloc}/robots.txt")
        rp.parse(res.text.splitlines() if res.status_code == 200 else [])
    except (httpx.HTTPError, SourceError):
        rp.parse([])
    return rp


def _sitemap_urls(xml: str) -> list[str]:
    return re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", xml)


def _fetch(client: _Fetcher, url: str) -> httpx.Response | None:
    try:
        res = client.get(url)
    except (httpx.HTTPError, SourceError) as exc:
        log.warning("skipping %s: %s", url, exc)
        return None
    return res if res.status_code == 200 else None


def crawl(spec: SourceSpec, max_pages: int = MAX_PAGES, *, allow_private: bool = True) -> list[Document]:
    """Breadth-first crawl from a page (or every page of a sitemap) on the same host.

    `allow_private=False` (the API's default) refuses every hop to a private or local address."""
    start = spec.spec
    host = urlparse(start).netloc
    with _Fetcher(allow_private) as client:
        try:
            first = client.get(start)
        except httpx.HTTPError as exc:
            raise SourceError(f"cannot reach {start}: {exc}") from exc
        if first.status_code != 200:
            raise SourceError(f"{start} answered HTTP {first.status_code}")
        robots = _robots(client, start)
        is_sitemap = "xml" in first.headers.get("content-type", "") or start.endswith(".xml")
        queue = deque(_sitemap_urls(first.text) if is_sitemap else [start])
        seen, docs = set(queue), []
        while queue and len(docs) < max_pages:
            url = queue.popleft()
            if urlparse(url).netloc != host or not robots.can_fetch(USER_AGENT, url):
                continue
            res = first if url == start and not is_sitemap else _fetch(client, url)
            time.sleep(DELAY_S)
            if res is None or "html" not in res.headers.get("content-type", "html"):
                continue
            title, text = html_to_text(res.text)
            path = urlparse(url).path or "/"
            docs.append(
                Document(
                    source=spec.source_id, path=path, text=text, title=title or path, url=url, location=url
                )
            )
            if not is_sitemap:
                links = _Links()
                links.feed(res.text)
                for href in links.hrefs:
                    nxt = urldefrag(urljoin(url, href))[0]
                    if (
                        nxt not in seen
                        and urlparse(nxt).netloc == host
                        and nxt.startswith(("http://", "https://"))
                    ):
                        seen.add(nxt)
                        queue.append(nxt)
    return docs
