"""Which indexed documents a page shows, so a question asked from the widget on that page favours them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from index.catalog import Catalog


def normalize_url(url: str) -> str:
    """Scheme, query, fragment, 'www.', index pages and trailing slashes removed; lower case."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return ""
    path = re.sub(r"/(index\.html?)?$", "", parts.path)
    return f"{parts.netloc.lower().removeprefix('www.')}{path}".lower()


class PageContext:
    """Document keys of one index version, read once: each widget question with page context reads them."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._keys: list[tuple[str, str, str, str]] | None = None

    def documents(self, page_url: str | None, page_title: str | None = None) -> set[str]:
        """Same public URL, a URL path ending in the document's path, or else the same title."""
        key = normalize_url(page_url or "")
        title = (page_title or "").strip().lower()
        if not key and not title:
            return set()
        rows = self._doc_keys()
        if key:
            same = {d for d, _, url, _ in rows if url and url == key}
            same = same or {d for d, path, _, _ in rows if path and key.endswith("/" + path)}
            if same:
                return same
        return {d for d, _, _, t in rows if title and t == title}

    def _doc_keys(self) -> list[tuple[str, str, str, str]]:
        """(doc_id, lower-case path or '' when too short to match, normalized URL, lower-case title)."""
        if self._keys is None:
            self._keys = [
                (
                    d,
                    path.lower().lstrip("./") if len(path) > 3 else "",
                    normalize_url(url or ""),
                    (t or "").strip().lower(),
                )
                for d, path, url, t in self.catalog.document_keys()
            ]
        return self._keys
