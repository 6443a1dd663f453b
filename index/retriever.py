"""Hybrid retrieval over one published index version: dense (FAISS) + BM25, fused by rank."""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from index.catalog import Catalog, ChunkRecord
from index.embedders import Embedder
from index.fusion import apply_priority, reciprocal_rank_fusion
from index.lexical import LexicalIndex
from index.navigation import NAV_INTENT, build_link_graph, navigation_ranking, title_similarities
from index.vectors import VectorIndex, VectorIndexConfig
from index.versions import IndexCorruptError, VersionStore, verify_version

log = logging.getLogger(__name__)
MODES = ("dense", "bm25", "hybrid")


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunable retrieval settings (defaults measured on the dev set)."""

    mode: str = "hybrid"
    rrf_k: float = 10.0  # small k trusts the top ranks of each list more (dev set: 0.93 vs 0.92 at 60)
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    candidates: int = 50  # chunks per retriever, before fusion
    navigation_weight: float = 2.0  # the link graph outweighs one text ranking for "what comes after X?"
    page_weight: float = 1.0  # the asking page's own chunks count as one more ranked list


@dataclass(frozen=True)
class SearchFilters:
    """Restrict results to one source and/or a path prefix."""

    source: str | None = None
    path_prefix: str | None = None


@dataclass
class Hit:
    """One retrieved chunk with everything needed to cite it."""

    id: int
    text: str
    score: float
    source: str  # absolute path of a local file, else the page URL / pydoc name
    source_id: str
    path: str
    title: str
    heading: str
    url: str
    anchor: str
    start: int
    end: int
    doc_id: str
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def normalize_url(url: str) -> str:
    """Scheme, query, fragment, 'www.', index pages and trailing slashes removed; lower case."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return ""
    path = re.sub(r"/(index\.html?)?$", "", parts.path)
    return f"{parts.netloc.lower().removeprefix('www.')}{path}".lower()


def _hit(rec: ChunkRecord, score: float, parts: dict[str, float]) -> Hit:
    return Hit(id=rec.id, text=rec.text, score=float(score), source=rec.location or rec.source, source_id=rec.source,
               path=rec.path, title=rec.title, heading=rec.heading, url=rec.citation_url, anchor=rec.anchor,
               start=rec.start, end=rec.end, doc_id=rec.doc_id, scores=parts)


class Retriever:
    """Owns the loaded indexes of one version; thread-safe for concurrent searches."""

    def __init__(self, *, version_dir: Path, embedder: Embedder, cfg: RetrievalConfig = RetrievalConfig(),
                 vectors_cfg: VectorIndexConfig = VectorIndexConfig(), priorities: dict[str, float] | None = None) -> None:
        verify_version(version_dir)
        try:
            self.catalog = Catalog(version_dir / "catalog.sqlite", readonly=True)
            meta = self.catalog.meta()
            self.dense = VectorIndex.load(version_dir / "dense.faiss", vectors_cfg)
            self.lexical = LexicalIndex.load(version_dir / "bm25")
            self.unit_chunk = self.catalog.unit_chunks()
        except Exception as exc:  # noqa: BLE001 - any unreadable file means a corrupt version
            raise IndexCorruptError(f"index version {version_dir.name} is unreadable ({exc}); "
                                    "rebuild it with `rag ingest`") from exc
        if meta.get("embedder") != embedder.name:
            raise IndexCorruptError(f"index was built with embedder {meta.get('embedder')!r} but {embedder.name!r} "
                                    "is configured: re-run `rag ingest` to rebuild, or set RAG_EMBEDDER back")
        self.version = version_dir.name
        self.meta = meta
        self.embedder, self.cfg = embedder, cfg
        self._priority_of = self._chunk_priorities(priorities or {})
        self._pages = None  # link graph, built on the first navigation question
        self._doc_keys: list[tuple[str, str, str, str]] | None = None  # page-context lookup, built on first use
        self._title_vecs: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, home: Path, embedder: Embedder, **kwargs) -> "Retriever":
        current = VersionStore(home).current()
        if current is None:
            raise FileNotFoundError(f"no index in {home}: run `rag ingest SOURCE` first")
        return cls(version_dir=current, embedder=embedder, **kwargs)

    def _chunk_priorities(self, priorities: dict[str, float]) -> dict[int, float]:
        """Per-chunk source priority, or {} when every indexed source has the same one."""
        rows = self.catalog.conn.execute("SELECT c.id, d.source FROM chunks c JOIN documents d USING(doc_id)").fetchall()
        if len({priorities.get(src, 1.0) for _, src in rows}) <= 1:
            return {}
        return {i: priorities.get(src, 1.0) for i, src in rows}

    def _page_ranking(self, rankings: dict[str, np.ndarray], docs: set[str]) -> np.ndarray:
        """The page's chunks among the candidates, in the order the text rankings put them."""
        ids = list(dict.fromkeys(int(i) for name in ("dense", "bm25") if name in rankings for i in rankings[name]))
        if not ids:
            return np.empty(0, dtype=np.int64)
        recs = self.catalog.chunks(ids)
        return np.array([i for i in ids if i in recs and recs[i].doc_id in docs], dtype=np.int64)

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        if not filters or not (filters.source or filters.path_prefix):
            return None
        q, args = "SELECT c.id FROM chunks c JOIN documents d USING(doc_id) WHERE 1=1", []
        if filters.source:
            q += " AND (d.source = ? OR d.location = ?)"
            args += [filters.source, filters.source]
        if filters.path_prefix:
            q += " AND d.path LIKE ? ESCAPE '\\'"
            args.append(filters.path_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        return np.array([r[0] for r in self.catalog.conn.execute(q, args)], dtype=np.int64)

    def _navigation(self, query: str, query_vec: np.ndarray | None) -> np.ndarray:
        """Chunks that answer "what comes after X?" from the links between ingested pages."""
        if not NAV_INTENT.search(query):
            return np.empty(0, dtype=np.int64)
        if self._pages is None:
            rows = self.catalog.conn.execute("SELECT c.id, c.doc_id, d.source, d.path, d.title, c.text FROM chunks c "
                                             "JOIN documents d USING(doc_id) WHERE c.text LIKE '%](%' ORDER BY c.id")
            pages = build_link_graph(rows.fetchall())
            firsts = dict(self.catalog.conn.execute("SELECT doc_id, MIN(id) FROM chunks GROUP BY doc_id"))
            for p in pages.values():
                p.first_chunk = firsts.get(p.doc_id, p.first_chunk)
            docs = list(pages)
            labels = [f"{pages[d].title} ({self.catalog.document(d).path})" for d in docs]
            self._title_vecs = dict(zip(docs, self.embedder.embed(labels))) if docs else {}
            self._pages = pages
        if query_vec is None:
            query_vec = self.embedder.embed([query])[0]
        sims = title_similarities(query_vec, self._title_vecs)
        return np.array(navigation_ranking(query, self._pages, sims), dtype=np.int64)

    @property
    def size(self) -> int:
        return self.lexical.size

    def _dense_chunks(self, query: str, n: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Chunks ranked by their best-matching unit (sentence, list item, code block)."""
        units = None if allowed is None else np.nonzero(np.isin(self.unit_chunk, allowed))[0]
        ids, scores = self.dense.search(self.embedder.embed([query])[0], n * 4, units)
        chunk_ids, first = np.unique(self.unit_chunk[ids], return_index=True) if ids.size else (ids, ids)
        order = np.sort(first)[:n]
        return self.unit_chunk[ids][order], scores[order]

    def page_documents(self, page_url: str | None, page_title: str | None = None) -> set[str]:
        """Documents the asking page shows: same public URL, a URL path ending in the document's path,
        or else the same title."""
        key = normalize_url(page_url or "")
        title = (page_title or "").strip().lower()
        if not key and not title:
            return set()
        rows = self._page_keys()
        if key:
            same = {d for d, _, url, _ in rows if url and url == key}
            same = same or {d for d, path, _, _ in rows if path and key.endswith("/" + path)}
            if same:
                return same
        return {d for d, _, _, t in rows if title and t == title}

    def _page_keys(self) -> list[tuple[str, str, str, str]]:
        """(doc_id, lower-case path or '' when too short to match, normalized URL, lower-case title) of every
        document, read once per version: every widget question with page context consults them."""
        if self._doc_keys is None:
            rows = self.catalog.conn.execute("SELECT doc_id, path, url, title FROM documents").fetchall()
            self._doc_keys = [(d, path.lower().lstrip("./") if len(path) > 3 else "", normalize_url(url or ""),
                               (t or "").strip().lower()) for d, path, url, t in rows]
        return self._doc_keys

    def search(self, query: str, k: int = 5, mode: str | None = None, filters: SearchFilters | None = None,
               page_url: str | None = None, page_title: str | None = None) -> list[Hit]:
        """The best k chunks for a query; chunks of the page the question was asked on rank higher."""
        mode = mode or self.cfg.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        allowed = self._allowed(filters)
        if allowed is not None and allowed.size == 0:
            return []
        n = max(k, self.cfg.candidates)
        deep = n * 8 if self._priority_of else n  # dig deeper so preferred sources get their own shortlist
        rankings, raw = {}, {}
        if mode in ("dense", "hybrid"):
            ids, scores = self._dense_chunks(query, deep, allowed)
            rankings["dense"], raw["dense"] = ids, dict(zip(ids.tolist(), scores.tolist()))
        if mode in ("bm25", "hybrid"):
            ids, scores = self.lexical.search(query, deep, allowed)
            rankings["bm25"], raw["bm25"] = ids, dict(zip(ids.tolist(), scores.tolist()))
        nav = self._navigation(query, None) if mode == "hybrid" and allowed is None else np.empty(0)
        if nav.size:
            rankings["navigation"] = nav
        page_docs = self.page_documents(page_url, page_title) if mode == "hybrid" else set()
        if page_docs:
            rankings["page"] = self._page_ranking(rankings, page_docs)
        if self._priority_of:
            # A quota for preferred sources: their best chunks form extra ranked lists, so a large
            # secondary corpus cannot crowd the curriculum out of the candidates (dev set with docs: see README).
            top = max(self._priority_of.values())
            for name in [m for m in ("dense", "bm25") if m in rankings]:
                rankings[f"{name}_preferred"] = np.array([i for i in rankings[name] if self._priority_of[int(i)] >= top][:n])
                rankings[name] = rankings[name][:n]
        if mode == "hybrid":
            w = {"dense": self.cfg.dense_weight, "bm25": self.cfg.bm25_weight}
            fused = reciprocal_rank_fusion(rankings, k=self.cfg.rrf_k,
                                           weights={**w, **{f"{m}_preferred": v for m, v in w.items()},
                                                    "navigation": self.cfg.navigation_weight,
                                                    "page": self.cfg.page_weight})
        else:
            fused = raw[mode]
        fused = apply_priority(fused, self._priority_of)
        top = sorted(fused, key=lambda i: -fused[i])[:k]
        recs = self.catalog.chunks(top)
        return [_hit(recs[i], fused[i], {m: raw[m][i] for m in raw if i in raw[m]}) for i in top if i in recs]
