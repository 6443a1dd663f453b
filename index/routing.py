"""Query-aware source routing: which registered sources should answer, decided per question from the index.

Every source keeps its own candidate lists (so a 10 MB docs corpus cannot crowd a 24-page roadmap out of
them), and each source's fused scores are weighted by its share of the question's best dense and BM25
matches against its share of the index: full weight once it holds at least its fair share (times `fold`),
less below that, none when it is absent. A question about an API draws the API docs' chunks, a question
about the curriculum the roadmap's; nothing here knows any source's words."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from index.fusion import reciprocal_rank_fusion

TOP = 50  # best matches per text ranking that decide the weights
MIN_MATCHES = 2.0


def split_by_source(ranking: np.ndarray, source_of: np.ndarray, n: int) -> dict[int, np.ndarray]:
    """One ranked list per source (its first n), keeping the order of `ranking`."""
    if ranking.size == 0:
        return {}
    sources = source_of[ranking]
    return {int(s): ranking[sources == s][:n] for s in np.unique(sources)}


def source_counts(
    rankings: Mapping[str, np.ndarray], source_of: np.ndarray, n_sources: int, top: int = TOP
) -> np.ndarray:
    """How many of the best `top` matches of each text ranking come from each source (summed)."""
    counts = np.zeros(n_sources)
    for ranking in rankings.values():
        head = np.asarray(ranking[:top], dtype=np.int64)
        counts += np.bincount(source_of[head], minlength=n_sources)[:n_sources]
    return counts


def source_weights(counts: np.ndarray, share: np.ndarray, fold: float) -> np.ndarray:
    """min(1, count / needed): needed is `fold` times the source's share of the matches (at most half), and
    at least MIN_MATCHES, so a one-page source is not given a full slot for a single chance match."""
    total = max(float(counts.sum()), 1.0)
    needed = np.maximum(np.minimum(fold * share * total, total / 2), MIN_MATCHES)
    return np.minimum(1.0, counts / needed)


class Router:
    """Owns one index version's chunk -> source map and each source's share of the chunks."""

    def __init__(self, source_of: np.ndarray, n_sources: int) -> None:
        self.source_of, self.n_sources = source_of, n_sources
        self.share = np.bincount(source_of, minlength=n_sources) / max(len(source_of), 1)

    def fuse(
        self,
        rankings: Mapping[str, np.ndarray],
        *,
        n: int,
        fold: float,
        rrf_k: float,
        weights: Mapping[str, float],
    ) -> dict[int, float]:
        """Per-source lists fused by reciprocal rank, each scaled by its source's weight for the question."""
        text_lists = {m: rankings[m] for m in ("dense", "bm25") if m in rankings}
        w = source_weights(source_counts(text_lists, self.source_of, self.n_sources), self.share, fold)
        dense = text_lists.get("dense")
        if dense is not None and len(dense):
            # the question's best dense match is no chance match: its source takes a full slot even with one
            # match (dev sets, hybrid MRR: roadmap 0.764 -> 0.778, docs 0.562 unchanged)
            w[self.source_of[int(dense[0])]] = 1.0
        per_source: dict[int, dict[str, np.ndarray]] = {}
        for name, ranking in rankings.items():
            for s, ids in split_by_source(np.asarray(ranking, dtype=np.int64), self.source_of, n).items():
                per_source.setdefault(s, {})[name] = ids
        fused: dict[int, float] = {}
        for s, lists in per_source.items():
            if w[s] > 0:
                for chunk, score in reciprocal_rank_fusion(lists, k=rrf_k, weights=weights).items():
                    fused[chunk] = score * float(w[s])
        return fused
