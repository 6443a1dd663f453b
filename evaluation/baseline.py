"""The LangChain textbook pipeline - RecursiveCharacterTextSplitter(1000, 200), the project's embedder, exact
inner-product FAISS search - as the baseline row of `rag eval` (over the indexed documents, vectors cached
by text hash so a second run embeds nothing) and of `rag bench ingest` (over the sources, timed)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.questions import Question, gold_spans, score_retrieval
from index.builder import embed_missing
from index.embedcache import EmbeddingCache
from ingest.documents import hash_text


@dataclass(frozen=True)
class TextbookChunk:
    """A 1,000-character window, shaped like a hit for scoring."""

    location: str
    path: str
    start: int
    end: int
    text: str


def split_textbook(docs: Iterable[tuple[str, str, str]]) -> list[TextbookChunk]:
    """Overlapping windows of each (location, path, text) document."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    chunks = []
    for location, path, text in docs:
        for part in splitter.create_documents([text]):
            start = part.metadata["start_index"]
            chunks.append(
                TextbookChunk(location, path, start, start + len(part.page_content), part.page_content)
            )
    return chunks


def flat_index(vectors: np.ndarray):
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors.astype("float32"))
    return index


def score_textbook(
    index, chunks: list[TextbookChunk], embedder, questions: list[Question], gold_of: Callable, k: int
) -> dict:
    """recall@k and MRR of the top 10 windows per question (`gold_of(q)` gives its gold spans)."""
    recalls, rrs = [], []
    for q in questions:
        _, ids = index.search(embedder.embed([q.question]).astype("float32"), 10)
        r, rr = score_retrieval([chunks[i] for i in ids[0] if i >= 0], gold_of(q), k)
        recalls.append(r)
        rrs.append(rr)
    return {
        f"recall@{k}": float(np.mean(recalls)) if recalls else None,
        "mrr": float(np.mean(rrs)) if rrs else None,
    }


def langchain_baseline(
    retriever, embedder, sets: dict[str, list[Question]], text_of, cache_path: Path, k: int = 5
) -> dict:
    """recall@k and MRR per question set for the textbook pipeline on the index's documents."""
    t0 = time.perf_counter()
    docs = (("", path, text) for _source, _url, path, text in retriever.catalog.document_texts())
    chunks = split_textbook(docs)
    texts = [c.text for c in chunks]
    cache = EmbeddingCache(cache_path, embedder.name, embedder.dim)
    try:
        vectors, _ = embed_missing(texts, [hash_text(t) for t in texts], embedder, cache, progress=False)
    finally:
        cache.close()
    index = flat_index(vectors)
    out: dict = {"chunks": len(chunks), "build_s": round(time.perf_counter() - t0, 1)}
    for name, questions in sets.items():
        out[name] = score_textbook(index, chunks, embedder, questions, lambda q: gold_spans(q, text_of), k)
    return out
