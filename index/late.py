"""Late interaction: the best few candidates reordered by how well each question token finds its match."""

# Each question token finds its most similar token in a candidate's text (the embedder's contextual token
# vectors: kept at ingest, index/tokenstore.py, or computed at query time); the mean of those best matches is
# the candidate's score. A candidate's new place mixes its fused rank with its late rank (reciprocal ranks),
# and candidates only trade places with others of the same source, so routing's choice of sources stands.
# Measured in README ("Retrieval"): with stored token vectors it costs a few ms, computed at query time
# ~110 ms for 10 candidates on 2 cores.

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embedders import Embedder
from index.embedders.base import token_embedder


def maxsim(query: np.ndarray, doc: np.ndarray) -> float:
    """Mean over the question's token vectors of the best cosine among the document's token vectors."""
    if not len(query) or not len(doc):
        return 0.0
    return float((query @ doc.T).max(axis=1).mean())


def late_order(scores: Sequence[float], groups: Sequence[object], weight: float, rrf_k: float) -> list[int]:
    """Positions of the candidates (given in fused order) after the late stage: each group keeps the places it
    held, filled by its own candidates in order of 1/(k + fused rank) + weight/(k + late rank)."""
    n = len(scores)
    late_rank = np.empty(n, dtype=np.int64)
    late_rank[np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")] = np.arange(n)
    mixed = [1 / (rrf_k + i + 1) + weight / (rrf_k + late_rank[i] + 1) for i in range(n)]
    places: dict[object, list[int]] = {}
    for i, g in enumerate(groups):
        places.setdefault(g, []).append(i)
    order = list(range(n))
    for members in places.values():
        for place, i in zip(members, sorted(members, key=lambda i: -mixed[i])):
            order[place] = i
    return order


def late_rerank(
    ids: list[int],
    texts: Sequence[str],
    groups: Sequence[object],
    query: str,
    embedder: Embedder,
    *,
    weight: float = 0.5,
    rrf_k: float = 10.0,
    stored: Sequence[np.ndarray] | None = None,
    question: np.ndarray | None = None,
) -> list[int]:
    """The ids (fused order; texts and source groups alike) reordered by late interaction; the candidates'
    token vectors are `stored` ones (index/tokenstore.py) or computed from the texts now, the question's given
    (`question`, from the pass that embedded it for the dense search) or computed. Unchanged when the embedder
    gives no token vectors."""
    tok = token_embedder(embedder)
    if tok is None or len(ids) < 2:
        return list(ids)
    if stored is None:
        vectors = tok.embed_tokens([query, *texts])
        question, docs = vectors[0], vectors[1:]
    else:
        question = tok.embed_tokens([query])[0] if question is None else question
        docs = list(stored)
    scores = [maxsim(question, doc) for doc in docs]
    return [ids[i] for i in late_order(scores, groups, weight, rrf_k)]
