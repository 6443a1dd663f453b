"""Roadmap awareness: a link graph between ingested pages, used for "what comes after X?" questions.

Nothing here knows this roadmap: pages are linked when a chunk of one holds a relative markdown link to
another document of the same source, and a link counts as "next" or "previous" by the words around it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# The link graph's ranked list, and its mark on a hit's scores (index/retriever.py, service/prompting.py)
NAVIGATION = "navigation"

NAV_INTENT = re.compile(
    r"\b(next|after|afterwards|follow(s|ing)?|previous|before|prerequisites?|finished|"
    r"done with|where (do|should) i (go|start)|which page|start(ing)? point|comes? after)\b",
    re.I,
)
_HUB = re.compile(r"\b(main (index|page)|index page|home ?page|table of contents|overview page)\b", re.I)
# "what should I learn first?", "where do I begin?": the whole question asks where a curriculum starts, so the
# hub page (the one that links to the most others: a table of contents) answers it
_START = re.compile(
    r"^\W*(i'?m (new|a (complete |total )?beginner)\W+)?(what|where|how) (should|do|can) i (start|begin|"
    r"(learn|study|read|do) first|(start|begin) (learning|with|from))\W*$",
    re.I,
)


_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)")
_NEXT = re.compile(r"\b(next|continue|then|ending point|forward|onward)\b|→|»", re.I)
_PREV = re.compile(r"\b(previous|prev|back|starting point|before)\b|←|«", re.I)


def is_navigation(query: str) -> bool:
    """Whether the question asks where to go in the curriculum (next, previous, start, the main index)."""
    return bool(NAV_INTENT.search(query) or _START.search(query))


@dataclass
class PageLinks:
    """Outgoing links of one page: the chunks that hold them and where they point."""

    doc_id: str
    title: str
    first_chunk: int
    link_chunks: dict[int, int] = field(default_factory=dict)  # chunk id -> number of page links in it
    next_docs: list[str] = field(default_factory=list)
    prev_docs: list[str] = field(default_factory=list)


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)]


def build_link_graph(rows: list[tuple[int, str, str, str, str, str]]) -> dict[str, PageLinks]:
    """rows: (chunk id, doc id, source, path, title, chunk text) in reading order."""
    by_path = {(src, path): doc for _, doc, src, path, _, _ in rows}
    pages: dict[str, PageLinks] = {}
    for cid, doc, src, path, title, text in rows:
        page = pages.setdefault(doc, PageLinks(doc, title, cid))
        for m in _LINK.finditer(text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(2)))
            tdoc = by_path.get((src, target))
            if tdoc is None or tdoc == doc:
                continue
            page.link_chunks[cid] = page.link_chunks.get(cid, 0) + 1
            line = _line_of(text, m.start())
            if _NEXT.search(line):
                page.next_docs.append(tdoc)
            elif _PREV.search(line):
                page.prev_docs.append(tdoc)
    return {d: p for d, p in pages.items() if p.link_chunks}


def navigation_ranking(
    query: str,
    pages: dict[str, PageLinks],
    title_sims: dict[str, float],
    first_chunks: dict[str, int] | None = None,
    n: int = 5,
    min_title: float = 0.0,
) -> list[int]:
    """For a navigation question: the best-matching page's link chunks, then the first chunk of its next
    pages (`first_chunks`: every document's, as a page it points to may link nowhere itself); nothing when
    no page title is as close to the question as `min_title`."""
    if not pages or not is_navigation(query):
        return []
    if _HUB.search(query) or _START.search(query):  # the page that links to the most others
        best = max(
            pages.values(), key=lambda p: len(set(p.next_docs + p.prev_docs)) + sum(p.link_chunks.values())
        )
    else:
        best = max(pages.values(), key=lambda p: title_sims.get(p.doc_id, -1.0))
        if title_sims.get(best.doc_id, -1.0) < min_title:
            return []  # no page is named: "after loss.backward() ..." asks about code, not the curriculum
    ranked = sorted(best.link_chunks, key=lambda c: (-best.link_chunks[c] * (c - best.first_chunk + 1), c))
    # Pages with dedicated navigation links put them last; the densest late chunk is the navigation block.
    out = ranked[:2]
    targets = (
        best.next_docs
        if re.search(r"\b(before|previous|prerequisites?)\b", query, re.I) is None
        else best.prev_docs
    )
    firsts = {**(first_chunks or {}), **{d: p.first_chunk for d, p in pages.items()}}
    out += [firsts[d] for d in dict.fromkeys(targets) if d in firsts]
    return out[:n]


def title_similarities(query_vec: np.ndarray, title_vecs: dict[str, np.ndarray]) -> dict[str, float]:
    return {d: float(v @ query_vec) for d, v in title_vecs.items()}


class Navigator:
    """Answers navigation questions from the link graph of an index's pages, built on the first one."""

    def __init__(self, catalog, embed: Callable[[list[str]], np.ndarray], min_title: float = 0.0) -> None:
        self.catalog, self.embed, self.min_title = catalog, embed, min_title
        self._pages: dict[str, PageLinks] | None = None
        self._title_vecs: dict[str, np.ndarray] = {}
        self._firsts: dict[str, int] = {}

    def ranking(self, query: str, query_vec: np.ndarray) -> np.ndarray:
        """Chunks that answer "what comes after X?" from the links between ingested pages."""
        if not is_navigation(query):
            return np.empty(0, dtype=np.int64)
        if self._pages is None:
            pages = build_link_graph(self.catalog.linking_chunks())
            firsts = self.catalog.first_chunks()
            for p in pages.values():
                p.first_chunk = firsts.get(p.doc_id, p.first_chunk)
            docs = list(pages)
            labels = [f"{pages[d].title} ({self.catalog.document(d).path})" for d in docs]
            self._title_vecs = dict(zip(docs, self.embed(labels))) if docs else {}
            self._pages, self._firsts = pages, firsts
        sims = title_similarities(query_vec, self._title_vecs)
        return np.array(
            navigation_ranking(query, self._pages, sims, self._firsts, min_title=self.min_title),
            dtype=np.int64,
        )
