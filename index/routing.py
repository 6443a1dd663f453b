"""Query-aware source routing: which registered source should answer, decided per question from the index.

Every source gets its own share of the candidates (so a 10 MB docs corpus cannot crowd a 24-page roadmap
out of them), and each source's fused scores are weighted by how strongly that source matches the question:
how over-represented it is among the best dense and BM25 matches, for its size. Nothing here knows any
source's words; a question about an API draws the API docs' chunks, a question about the curriculum the
roadmap's."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from index.fusion import reciprocal_rank_fusion


def split_by_source(ranking: np.ndarray, source_of: np.ndarray, n: int) -> dict[int, np.ndarray]:
    """One ranked list per source (its first n), keeping the order of `ranking`."""
    if ranking.size == 0:
        return {}
    sources = source_of[ranking]
    return {int(s): ranking[sources == s][:n] for s in np.unique(sources)}


def source_strength(
    rankings: Mapping[str, np.ndarray], source_of: np.ndarray, share: Mapping[int, float], top: int = 50
) -> dict[int, float]:
    """How over-represented each source is among the best matches, for its size: the mean over the text
    rankings of log(share of the top `top` / share of the index). A source holding 2% of the chunks and 30%
    of the best matches is what this question is about; raw similarity would favour the biggest corpus,
    which has close matches by chance alone."""
    out: dict[int, list[float]] = {s: [] for s in share}
    for ranking in rankings.values():
        head = source_of[np.asarray(ranking[:top], dtype=np.int64)]
        if head.size == 0:
            continue
        for s, frac in share.items():
            # share of the best matches, shrunk toward the source's share of the index (one pseudo-match)
            got = (float(np.sum(head == s)) + frac) / (head.size + 1.0)
            out[s].append(math.log(got / (1 - got)) - math.log(frac / (1 - frac + 1e-9) + 1e-9))
    return {s: float(np.mean(v)) if v else 0.0 for s, v in out.items()}


def source_weights(strength: Mapping[int, float], sharpness: float) -> dict[int, float]:
    """exp(sharpness * (strength - best)): the best-matching source 1.0, weaker ones less."""
    best = max(strength.values())
    return {s: math.exp(sharpness * (v - best)) for s, v in strength.items()}


def routed_fusion(
    rankings: Mapping[str, np.ndarray],
    source_of: np.ndarray,
    strength: Mapping[int, float],
    *,
    n: int,
    sharpness: float,
    rrf_k: float,
    weights: Mapping[str, float],
) -> dict[int, float]:
    """Fuse each source's own lists by reciprocal rank, scaled by the source's weight for this question."""
    per_source: dict[int, dict[str, np.ndarray]] = {}
    for name, ranking in rankings.items():
        for s, ids in split_by_source(np.asarray(ranking, dtype=np.int64), source_of, n).items():
            per_source.setdefault(s, {})[name] = ids
    if not per_source:
        return {}
    w = source_weights({s: strength[s] for s in per_source}, sharpness)
    fused: dict[int, float] = {}
    for s, lists in per_source.items():
        for chunk, score in reciprocal_rank_fusion(lists, k=rrf_k, weights=weights).items():
            fused[chunk] = score * w[s]
    return fused
