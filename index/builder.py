"""Incremental, crash-safe index builds: reuse unchanged chunks and cached vectors, publish atomically."""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.catalog import Catalog
from index.embedcache import EmbeddingCache
from index.embedders import Embedder
from index.embedders.base import token_embedder
from index.lexical import TOKENS_VERSION, LexicalIndex, lexical_text
from index.spelling import save_vocab, word_counts
from index.tokenstore import pack_signs, write_token_store
from index.vectors import VectorIndexConfig, build_index, index_kind, save_index
from index.versions import VersionStore
from ingest.chunking import ChunkingConfig, chunk_document
from ingest.documents import Chunk, Document, hash_text
from ingest.structure import STRUCTURE_VERSION
from ingest.units import unit_texts

log = logging.getLogger(__name__)
EMBED_BATCH = 256  # chunks embedded and committed to the cache per step (a kill loses at most one step)


@dataclass
class IngestReport:
    """What one ingest did."""

    documents: int = 0
    chunks: int = 0
    units: int = 0  # sentence-sized pieces that get a vector each
    embedded: int = 0
    reused: int = 0
    deleted: int = 0
    seconds: float = 0.0
    version: str = ""
    changed: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # linked sites that could not be crawled, with why

    def summary(self) -> str:
        return (
            f"documents {self.documents}, chunks {self.chunks}, units {self.units}, "
            f"embedded {self.embedded}, "
            f"reused {self.reused}, "
            f"deleted {self.deleted}, {self.seconds:.1f} s"
            + (f", version {self.version}" if self.version else ", index unchanged")
        )


@dataclass
class _Plan:
    docs: list[tuple[Document, list[Chunk]]]
    deleted: int
    changed_docs: int


def _config_key(embedder: Embedder, chunking: ChunkingConfig) -> str:
    """What an index's chunks and tokens depend on besides the documents: any change rebuilds it."""
    config = {
        "embedder": embedder.name,
        "chunking": asdict(chunking),
        "tokens": TOKENS_VERSION,
        "structure": STRUCTURE_VERSION,
        "late_tokens": token_embedder(embedder) is not None,  # index/tokenstore.py
    }
    return json.dumps(config, sort_keys=True)


def _plan(
    catalog: Catalog | None,
    fresh: dict[str, list[Document]],
    dropped: set[str],
    chunking: ChunkingConfig,
    count,
    same_config: bool,
) -> _Plan:
    """Decide every document of the new version: carried over, reused or re-chunked."""
    plan = _Plan([], 0, 0)
    old = {row[0]: row for row in catalog.documents()} if catalog else {}
    for doc_id, source, _path, _hash in old.values():
        if source not in fresh and source not in dropped:
            doc = catalog.document(doc_id)
            chunks = catalog.document_chunks(doc_id) if same_config else chunk_document(doc, chunking, count)
            plan.docs.append((doc, chunks))
    seen: set[str] = set()
    for docs in fresh.values():
        for doc in docs:
            if doc.doc_id in seen:
                continue
            seen.add(doc.doc_id)
            prev = old.get(doc.doc_id)
            if prev and prev[3] == doc.content_hash and same_config:
                plan.docs.append((doc, catalog.document_chunks(doc.doc_id)))
            else:
                plan.changed_docs += 1
                plan.docs.append((doc, chunk_document(doc, chunking, count)))
    plan.deleted = sum(1 for d, s, _, _ in old.values() if (s in fresh or s in dropped) and d not in seen)
    return plan


def embed_missing(
    texts: list[str], hashes: list[str], embedder: Embedder, cache: EmbeddingCache, progress: bool
) -> tuple[np.ndarray, int]:
    """Vectors for all texts, embedding only hashes the cache lacks; returns (vectors, embedded count)."""
    vectors, _, count = embed_cached(texts, hashes, embedder, cache, progress, with_tokens=False)
    return vectors, count


def embed_cached(
    texts: list[str],
    hashes: list[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    progress: bool,
    *,
    with_tokens: bool,
) -> tuple[np.ndarray, list[np.ndarray] | None, int]:
    """Vectors (and, when asked and the embedder gives them, packed token vectors) for all texts, from one
    encoder pass over the texts the cache lacks; returns (vectors, tokens or None, embedded count)."""
    from tqdm import tqdm

    tok = token_embedder(embedder) if with_tokens else None
    have, have_tokens = cache.get(hashes), cache.get_tokens(hashes) if tok else {}
    todo = {h: t for h, t in zip(hashes, texts) if h not in have or (tok and h not in have_tokens)}
    items = list(todo.items())
    step = getattr(embedder, "bulk_batch", EMBED_BATCH)  # distributed embedders want bigger jobs
    with tqdm(total=len(items), desc="embedding", unit="unit", disable=not progress or not items) as bar:
        for i in range(0, len(items), step):
            part, packed = items[i : i + step], None
            if tok:
                vecs, token_vecs = tok.embed_with_tokens([t for _, t in part])
                packed = [pack_signs(v) for v in token_vecs]
                have_tokens.update({h: p for (h, _), p in zip(part, packed)})
            else:
                vecs = embedder.embed([t for _, t in part])
            cache.put([h for h, _ in part], vecs, packed)
            have.update({h: v for (h, _), v in zip(part, vecs)})
            bar.update(len(part))
    dim = embedder.dim
    out = np.stack([have[h] for h in hashes]) if hashes else np.zeros((0, dim), dtype=np.float32)
    tokens = [have_tokens[h] for h in hashes] if tok else None
    return out.astype(np.float32), tokens, len(items)


def _write_version(
    staging: Path,
    plan: _Plan,
    unit_chunks: list[int],
    vectors: np.ndarray,
    meta: dict,
    vcfg: VectorIndexConfig,
    tokens: list[np.ndarray] | None,
) -> None:
    catalog = Catalog(staging / "catalog.sqlite")
    row, lex = 0, []
    for doc, chunks in plan.docs:
        catalog.add_document(doc, [(row + i, c) for i, c in enumerate(chunks)])
        lex += [lexical_text(c.text, c.heading, doc.title) for c in chunks]
        row += len(chunks)
    catalog.add_units(unit_chunks)
    index = build_index(vectors, vcfg)
    catalog.set_meta({**meta, "index_kind": index_kind(index), "chunks": str(row)})
    catalog.commit()
    catalog.close()
    save_index(index, staging / "dense.faiss")
    LexicalIndex.build(lex).save(staging / "bm25")
    save_vocab(word_counts(lex), staging)
    if tokens is not None:
        write_token_store(staging, tokens, vectors.shape[1])


@dataclass(frozen=True)
class BuildRequest:
    """Documents freshly loaded per source id, and source ids to drop from the index."""

    fresh: dict[str, list[Document]]
    dropped: frozenset[str] = frozenset()


def _embed_units(
    texts: list[str], home: Path, embedder: Embedder, report: IngestReport, progress: bool
) -> tuple[np.ndarray, list[np.ndarray] | None]:
    """Vectors (and packed token vectors) of every unit text: cached ones reused, the rest embedded (and
    cached)."""
    t1 = time.perf_counter()
    cache = EmbeddingCache(home / "cache" / "embeddings.sqlite", embedder.name, embedder.dim)
    try:
        vectors, tokens, report.embedded = embed_cached(
            texts, [hash_text(t) for t in texts], embedder, cache, progress, with_tokens=True
        )
    finally:
        cache.close()
    report.timings["embed"] = time.perf_counter() - t1
    report.units = len(texts)
    report.reused = report.units - report.embedded
    return vectors, tokens


def _publish(
    store: VersionStore,
    plan: _Plan,
    unit_rows: list[int],
    embedded: tuple[np.ndarray, list[np.ndarray] | None],
    meta: dict[str, str],
    vectors_cfg: VectorIndexConfig,
) -> str:
    """Write a staging version and swap it in; a failure (a full disk) leaves no half version behind."""
    staging = store.staging()
    try:
        _write_version(staging, plan, unit_rows, embedded[0], meta, vectors_cfg, embedded[1])
        version = store.publish(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    store.prune()
    return version


def build(
    request: BuildRequest,
    *,
    home: Path,
    embedder: Embedder,
    chunking: ChunkingConfig = ChunkingConfig(),
    vectors_cfg: VectorIndexConfig = VectorIndexConfig(),
    progress: bool = False,
) -> IngestReport:
    """Build and publish a new index version when anything changed; the old one stays until the swap."""
    t0 = time.perf_counter()
    store = VersionStore(home)
    with store.writer_lock():
        current = store.current()
        catalog = Catalog(current / "catalog.sqlite", readonly=True) if current else None
        config_key = _config_key(embedder, chunking)
        same = bool(catalog) and catalog.meta().get("config") == config_key
        plan = _plan(catalog, request.fresh, set(request.dropped), chunking, embedder.count_tokens, same)
        if catalog:
            catalog.close()
        report = IngestReport(
            documents=len(plan.docs), chunks=sum(len(c) for _, c in plan.docs), deleted=plan.deleted
        )
        report.timings["plan"] = time.perf_counter() - t0
        if same and plan.changed_docs == 0 and plan.deleted == 0 and not request.dropped:
            report.seconds = time.perf_counter() - t0
            return report
        units = [
            (row, t)
            for row, c in enumerate(c for _, cs in plan.docs for c in cs)
            for t in unit_texts(c.text, c.heading)
        ]
        embedded = _embed_units([t for _, t in units], home, embedder, report, progress)
        t2 = time.perf_counter()
        meta = {
            "config": config_key,
            "embedder": embedder.name,
            "dim": str(embedder.dim),
            "created": str(time.time()),
        }
        report.version = _publish(store, plan, [row for row, _ in units], embedded, meta, vectors_cfg)
        report.timings["write"] = time.perf_counter() - t2
        report.changed = True
        report.seconds = time.perf_counter() - t0
        return report
