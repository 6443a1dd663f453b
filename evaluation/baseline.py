"""The LangChain textbook pipeline over the same index contents: the baseline row of `rag eval`.

RecursiveCharacterTextSplitter(1000, 200) over every indexed document, the project's embedder, exact
inner-product FAISS search. Vectors are cached by text hash beside the index's own, so a second run embeds
nothing."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from evaluation.questions import Question, gold_spans, score_retrieval
from index.embedcache import EmbeddingCache
from ingest.documents import hash_text

log = logging.getLogger(__name__)


class _Span:
    """A baseline chunk, shaped like a hit for scoring."""

    def __init__(self, path: str, start: int, text: str) -> None:
        self.location, self.path, self.start, self.end, self.text = "", path, start, start + len(text), text


def _split(retriever) -> list[_Span]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    spans = []
    for _source, _url, path, text in retriever.catalog.document_texts():
        for part in splitter.create_documents([text]):
            spans.append(_Span(path, part.metadata["start_index"], part.page_content))
    return spans


def _vectors(texts: list[str], embedder, cache_path: Path) -> np.ndarray:
    cache = EmbeddingCache(cache_path, embedder.name, embedder.dim)
    try:
        hashes = [hash_text(t) for t in texts]
        known = cache.get(hashes)
        missing = [i for i, h in enumerate(hashes) if h not in known]
        if missing:
            log.info("baseline: embedding %d of %d chunks", len(missing), len(texts))
            fresh = embedder.embed([texts[i] for i in missing])
            cache.put([hashes[i] for i in missing], fresh)
            known |= dict(zip((hashes[i] for i in missing), fresh))
        return np.stack([known[h] for h in hashes]).astype("float32")
    finally:
        cache.close()


def langchain_baseline(
    retriever, embedder, sets: dict[str, list[Question]], text_of, cache_path: Path, k: int = 5
):
    """recall@k and MRR per question set for the textbook pipeline on the index's documents."""
    import faiss

    t0 = time.perf_counter()
    spans = _split(retriever)
    vecs = _vectors([s.text for s in spans], embedder, cache_path)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    out: dict = {"chunks": len(spans), "build_s": round(time.perf_counter() - t0, 1)}
    for name, questions in sets.items():
        recalls, rrs = [], []
        for q in questions:
            _, ids = index.search(embedder.embed([q.question]).astype("float32"), 10)
            r, rr = score_retrieval([spans[i] for i in ids[0] if i >= 0], gold_spans(q, text_of), k)
            recalls.append(r)
            rrs.append(rr)
        out[name] = {f"recall@{k}": float(np.mean(recalls)), "mrr": float(np.mean(rrs))}
    return out
