"""Documents and chunks: the records that flow from ingestion into the index."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def hash_text(text: str) -> str:
    """Stable content hash used for documents, chunks and the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Document:
    """One file, page or API object as loaded from a source, with its full text."""

    source: str  # source id as registered (absolute path, URL, pydoc:...)
    path: str  # path relative to the source root (or a stable name)
    text: str
    title: str = ""
    url: str = ""  # public URL of the page, without anchor
    location: str = ""  # absolute path of a local file, else the URL
    kind: str = "markdown"  # markdown | rst | python | text
    # (heading text, id) in order, where the page gives its headings their own ids (docs-site HTML);
    # other documents get GitHub-style anchors from their heading text.
    anchors: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def doc_id(self) -> str:
        return hash_text(f"{self.source}\x00{self.path}")

    @property
    def content_hash(self) -> str:
        return hash_text(self.text)


@dataclass(frozen=True)
class Chunk:
    """A span of a document: `document.text[start:end] == text`."""

    doc_id: str
    start: int
    end: int
    text: str
    heading: str = ""  # heading path, e.g. "Deep Learning > Essential Skills"
    anchor: str = ""  # GitHub-style anchor of the innermost heading
    ordinal: int = 0
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def text_hash(self) -> str:
        return hash_text(self.text)
