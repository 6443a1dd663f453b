"""What a registered source is: the spec string, its kind, its retrieval weight, manifest and crawl bounds."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CrawlBounds:
    """How far a web source is crawled: pages, link depth from the start page, and the path prefix the crawl
    stays under ("" = the start page's folder)."""

    max_pages: int = 200
    depth: int = 5
    prefix: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | None) -> CrawlBounds:
        if not raw:
            return cls()
        known = {k: v for k, v in json.loads(raw).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class SourceSpec:
    """A registered source: what to read and how to cite it."""

    spec: str  # as given after normalization: absolute path, URL, or pydoc:NAME
    kind: str  # local | git | web | pydoc
    priority: float = 1.0  # retrieval weight of this source against others
    manifest: str = ""  # optional path -> public URL manifest
    crawl: CrawlBounds = CrawlBounds()  # web sources only

    @property
    def source_id(self) -> str:
        return self.spec
