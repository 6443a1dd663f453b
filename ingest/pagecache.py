"""What the last crawl of a web source fetched: each URL's validators and its document, so a refresh asks
"changed since?" (ETag / Last-Modified) and reuses the stored page on a 304."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.atomic import write_text_atomic

log = logging.getLogger(__name__)


@dataclass
class CachedPage:
    """One fetched URL: validators, then either a document's fields or a raw text (robots.txt, sitemaps)."""

    etag: str = ""
    last_modified: str = ""
    title: str = ""
    text: str = ""
    anchors: list[list[str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    is_document: bool = True
    kind: str = "markdown"  # the document's text kind (markdown, rst, text)
    moved_to: str = ""  # the URL this one redirected to

    @property
    def validators(self) -> dict[str, str]:
        return {"etag": self.etag, "last_modified": self.last_modified}


class PageCache:
    """`data_dir/web/<hash of the source>.json`; written whole at the end of a crawl."""

    def __init__(self, data_dir: Path | None, source_id: str) -> None:
        name = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:24] + ".json"
        self.path = data_dir / "web" / name if data_dir else None
        self.pages: dict[str, CachedPage] = {}
        if self.path and self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self.pages = {url: CachedPage(**page) for url, page in raw.items()}
            except (ValueError, TypeError) as exc:  # a damaged cache costs one full crawl, nothing else
                log.warning("ignoring the page cache %s: %s", self.path, exc)

    def get(self, url: str) -> CachedPage | None:
        return self.pages.get(url)

    def final_url(self, url: str) -> str:
        """Where the URL led last time (itself unless it redirected)."""
        page = self.pages.get(url)
        return page.moved_to if page is not None and page.moved_to else url

    def save(self, pages: dict[str, CachedPage]) -> None:
        """Keep exactly the URLs of this crawl (a page gone is forgotten)."""
        self.pages = pages
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {url: asdict(page) for url, page in sorted(pages.items())}
            write_text_atomic(self.path, json.dumps(data, ensure_ascii=False))
