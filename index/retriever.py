"""Hybrid retrieval over one published index version: dense (FAISS) + BM25, fused by rank."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.catalog import Catalog
from index.decompose import split_question
from index.embedders import Embedder
from index.fusion import apply_priority, fuse_parts, one_per_section, reciprocal_rank_fusion
from index.hits import Hit, hit_from_record
from index.late import late_rerank
from index.lexical import LexicalIndex
from index.libraries import LibraryNames, folder_of
from index.navigation import NAVIGATION, Navigator
from index.page_context import PageContext
from index.queries import QueryEncoder
from index.retrieval_config import MODES, RetrievalConfig
from index.routing import Router
from index.spelling import Speller
from index.tokenstore import TokenStore
from index.vectors import VectorIndex, VectorIndexConfig
from index.versions import IndexCorruptError, NoIndexError, VersionStore, verify_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchFilters:
    """Restrict results to one source and/or a path prefix."""

    source: str | None = None
    path_prefix: str | None = None


class Retriever:
    """Owns the loaded indexes of one version; thread-safe for concurrent searches."""

    def __init__(
        self,
        *,
        version_dir: Path,
        embedder: Embedder,
        cfg: RetrievalConfig = RetrievalConfig(),
        vectors_cfg: VectorIndexConfig = VectorIndexConfig(),
        priorities: dict[str, float] | None = None,
    ) -> None:
        verify_version(version_dir)
        try:
            self.catalog = Catalog(version_dir / "catalog.sqlite", readonly=True)
            meta = self.catalog.meta()
            self.dense = VectorIndex.load(version_dir / "dense.faiss", vectors_cfg)
            self.lexical = LexicalIndex.load(version_dir / "bm25")
            self.unit_chunk = self.catalog.unit_chunks()
            self.tokens = TokenStore.load(version_dir, self.unit_chunk, embedder.dim)
        except Exception as exc:  # noqa: BLE001 - any unreadable file means a corrupt version
            raise IndexCorruptError(
                f"index version {version_dir.name} is unreadable ({exc}); rebuild it with `rag ingest`"
            ) from exc
        if meta.get("embedder") != embedder.name:
            raise IndexCorruptError(
                f"index was built with embedder {meta.get('embedder')!r} but {embedder.name!r} "
                "is configured: re-run `rag ingest` to rebuild, or set RAG_EMBEDDER back"
            )
        self.version = version_dir.name
        self.meta = meta
        self.embedder, self.cfg = embedder, cfg
        self.queries = QueryEncoder(embedder)
        self._priority_of = self._chunk_priorities(priorities or {})
        self._router = self._build_router()
        self._navigator = Navigator(self.catalog, embedder.embed, cfg.navigation_min_title)  # "what next?"
        self._libraries: LibraryNames | None = None  # built on the first search
        self._page_context = PageContext(self.catalog)
        self._speller = Speller.load(version_dir) if cfg.spell_correct else None

    def corrected(self, query: str) -> str:
        """The query with words the index never uses corrected to index words (unchanged when off)."""
        return self._speller.correct(query) if self._speller else query

    @classmethod
    def open(cls, home: Path, embedder: Embedder, **kwargs) -> Retriever:
        current = VersionStore(home).current()
        if current is None:
            raise NoIndexError(f"no index in {home}: run `rag ingest SOURCE` first")
        return cls(version_dir=current, embedder=embedder, **kwargs)

    def _build_router(self) -> Router:
        """Chunk id -> a small integer per source id, for routing."""
        rows = self.catalog.chunk_sources()
        names = {src: i for i, src in enumerate(sorted({src for _, src in rows}))}
        source_of = np.zeros(max((i for i, _ in rows), default=-1) + 1, dtype=np.int32)
        for i, src in rows:
            source_of[i] = names[src]
        return Router(source_of, len(names))

    def _chunk_priorities(self, priorities: dict[str, float]) -> dict[int, float]:
        """Per-chunk source priority, or {} when every indexed source has the same one."""
        rows = self.catalog.chunk_sources()
        if len({priorities.get(src, 1.0) for _, src in rows}) <= 1:
            return {}
        return {i: priorities.get(src, 1.0) for i, src in rows}

    def _page_ranking(self, rankings: dict[str, np.ndarray], docs: set[str]) -> np.ndarray:
        """The page's chunks among the candidates, in the order the text rankings put them."""
        ids = list(
            dict.fromkeys(int(i) for name in ("dense", "bm25") if name in rankings for i in rankings[name])
        )
        if not ids:
            return np.empty(0, dtype=np.int64)
        recs = self.catalog.chunks(ids)
        return np.array([i for i in ids if i in recs and recs[i].doc_id in docs], dtype=np.int64)

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        if not filters or not (filters.source or filters.path_prefix):
            return None
        return np.array(self.catalog.chunk_ids_where(filters.source, filters.path_prefix), dtype=np.int64)

    @property
    def size(self) -> int:
        return self.lexical.size

    def _dense_chunks(
        self, query_vec: np.ndarray, n: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunks ranked by their best-matching unit (sentence, list item, code block)."""
        units = None if allowed is None else np.nonzero(np.isin(self.unit_chunk, allowed))[0]
        ids, scores = self.dense.search(query_vec, n * 4, units)
        chunk_ids, first = np.unique(self.unit_chunk[ids], return_index=True) if ids.size else (ids, ids)
        order = np.sort(first)[:n]
        return self.unit_chunk[ids][order], scores[order]

    def page_documents(self, page_url: str | None, page_title: str | None = None) -> set[str]:
        """Documents the asking page shows (see index/page_context.py)."""
        return self._page_context.documents(page_url, page_title)

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str | None = None,
        filters: SearchFilters | None = None,
        page_url: str | None = None,
        page_title: str | None = None,
        diverse: bool | None = None,
        late: int | None = None,
    ) -> list[Hit]:
        """The best k chunks for a query; chunks of the page the question was asked on rank higher. `diverse`
        (default: the config's section_diversity) puts each section's best chunk before any second one; `late`
        (default: the config's late_rerank) candidates are reordered by late interaction first."""
        mode = mode or self.cfg.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        allowed = self._allowed(filters)
        if allowed is not None and allowed.size == 0:
            return []
        n = max(k, self.cfg.candidates)
        query = self.corrected(query)
        fused, raw = self._ranked(query, mode, n, allowed, page_url, page_title)
        parts = split_question(query) if mode == "hybrid" and self.cfg.split_questions else []
        if parts:
            fused = fuse_parts(
                [fused] + [self._ranked(p, mode, n, allowed, page_url, page_title)[0] for p in parts],
                n=n,
                k=self.cfg.rrf_k,
            )
        diverse = self.cfg.section_diversity if diverse is None else diverse
        late = self.cfg.late_rerank if late is None else late
        ranked = sorted(fused, key=lambda i: -fused[i])
        focus = self._library_focus(query, ranked) if mode == "hybrid" and self.cfg.library_focus else None
        top = (focus(ranked) if focus else ranked)[: max(k * 4 if diverse else k, late)]
        recs = self.catalog.chunks(top)
        if late > 1 and mode == "hybrid":  # reordered within a source, then the focus again
            top = self._late(top, recs, query, late, frozenset(raw.get(NAVIGATION, ())))
            top = focus(top) if focus else top
        sections = {i: (r.doc_id, r.anchor) for i, r in recs.items()}
        top = one_per_section(top, sections, k) if diverse else top[:k]
        return [
            hit_from_record(recs[i], fused[i], {m: raw[m][i] for m in raw if i in raw[m]})
            for i in top
            if i in recs
        ]

    def _library_focus(self, query: str, ids: list[int]) -> Callable[[list[int]], list[int]] | None:
        """What puts the candidates (any order of `ids`) of library folders the question does not name behind
        the others (index/libraries.py); None when it names none."""
        if self._libraries is None:
            rows = ((c.source_id, c.path, c.text) for c in self.catalog.all_chunks())
            self._libraries = LibraryNames(rows)
        libraries, named = self._libraries, self._libraries.named(query)
        if not named:
            return None
        folders = {i: folder_of(r.source_id, r.path) for i, r in self.catalog.chunks(ids).items()}
        return lambda order: libraries.demote(order, folders, named)

    def _late(self, top: list[int], recs: dict, query: str, late: int, pinned: frozenset) -> list[int]:
        """The first `late` candidates reordered by late interaction, within each source (index/late.py); the
        `pinned` ones (the link graph's picks, README "Answers" stop 27) keep their places."""
        order = [i for i in top[:late] if i in recs]
        head = [i for i in order if i not in pinned]
        texts, groups = [recs[i].text for i in head], [recs[i].source_id for i in head]
        kept = {}  # without stored token vectors, they are computed for the question and each candidate
        if self.tokens is not None:
            kept = {"stored": [self.tokens.chunk_vectors(i) for i in head]}
            kept["question"] = self.queries.encode(query).tokens
        w = self.cfg.late_weight
        moved = iter(late_rerank(head, texts, groups, query, self.embedder, weight=w, **kept))
        return [i if i in pinned else next(moved) for i in order] + top[late:]

    def _ranked(
        self,
        query: str,
        mode: str,
        n: int,
        allowed: np.ndarray | None,
        page_url: str | None,
        page_title: str | None,
    ) -> tuple[dict[int, float], dict[str, dict[int, float]]]:
        """Fused scores by chunk id for one query, and each text ranking's raw scores."""
        query_vec = self.queries.encode(query).pooled if mode in ("dense", "hybrid") else None
        rankings, raw = self._text_rankings(query, query_vec, mode, n, allowed)
        if mode == "hybrid":
            rankings.update(self._context_rankings(query, query_vec, rankings, allowed, page_url, page_title))
            if NAVIGATION in rankings:  # the link graph's picks, marked on their hits (kept in place below)
                raw[NAVIGATION] = {int(c): 1.0 / (r + 1) for r, c in enumerate(rankings[NAVIGATION])}
        self._add_preferred(rankings, n)
        if mode == "hybrid" and self._routed():
            fused = self._router.fuse(
                rankings, n=n, fold=self.cfg.route_fold, rrf_k=self.cfg.rrf_k, weights=self._list_weights()
            )
        else:
            fused = self._fuse(rankings) if mode == "hybrid" else raw[mode]
        return apply_priority(fused, self._priority_of), raw

    def _text_rankings(
        self, query: str, query_vec: np.ndarray | None, mode: str, n: int, allowed: np.ndarray | None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[int, float]]]:
        """The dense and BM25 ranked lists, and each list's raw scores by chunk id."""
        # dig deeper so preferred (or, when routing, all) sources get their own shortlist
        deep = n * 8 if self._priority_of or self._routed() else n
        rankings, raw = {}, {}
        if query_vec is not None:
            ids, scores = self._dense_chunks(query_vec, deep, allowed)
            rankings["dense"], raw["dense"] = ids, dict(zip(ids.tolist(), scores.tolist()))
        if mode in ("bm25", "hybrid"):
            ids, scores = self.lexical.search(query, deep, allowed)
            rankings["bm25"], raw["bm25"] = ids, dict(zip(ids.tolist(), scores.tolist()))
        return rankings, raw

    def _context_rankings(
        self,
        query: str,
        query_vec: np.ndarray,
        rankings: dict[str, np.ndarray],
        allowed: np.ndarray | None,
        page_url: str | None,
        page_title: str | None,
    ) -> dict[str, np.ndarray]:
        """Extra ranked lists from the link graph (navigation questions) and the page the question came
        from."""
        extra = {}
        nav = self._navigator.ranking(query, query_vec) if allowed is None else np.empty(0)
        if nav.size:
            extra[NAVIGATION] = nav
        page_docs = self.page_documents(page_url, page_title)
        if page_docs:
            extra["page"] = self._page_ranking(rankings, page_docs)
        return extra

    def _add_preferred(self, rankings: dict[str, np.ndarray], n: int) -> None:
        """A quota for preferred sources: their best chunks form extra ranked lists, so a large secondary
        corpus cannot crowd the curriculum out of the candidates (dev set with docs: see README)."""
        if not self._priority_of:
            return
        top = max(self._priority_of.values())
        for name in [m for m in ("dense", "bm25") if m in rankings]:
            rankings[f"{name}_preferred"] = np.array(
                [i for i in rankings[name] if self._priority_of[int(i)] >= top][:n]
            )
            rankings[name] = rankings[name][:n]

    def _routed(self) -> bool:
        return self.cfg.route_fold > 0 and self._router.n_sources > 1 and not self._priority_of

    def _list_weights(self) -> dict[str, float]:
        return {
            "dense": self.cfg.dense_weight,
            "bm25": self.cfg.bm25_weight,
            NAVIGATION: self.cfg.navigation_weight,
            "page": self.cfg.page_weight,
        }

    def _fuse(self, rankings: dict[str, np.ndarray]) -> dict[int, float]:
        weights = self._list_weights()
        weights.update({f"{m}_preferred": weights[m] for m in ("dense", "bm25")})
        return reciprocal_rank_fusion(rankings, k=self.cfg.rrf_k, weights=weights)
