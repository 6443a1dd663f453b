"""Rank fusion: combine ranked id lists from several retrievers into one ranking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[int]], *, k: float = 60.0, weights: Mapping[str, float] | None = None
) -> dict[int, float]:
    """score(id) = sum over rankings of weight / (k + rank), rank starting at 1 (Cormack et al. 2009)."""
    scores: dict[int, float] = {}
    for name, ids in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for rank, idx in enumerate(ids, start=1):
            scores[int(idx)] = scores.get(int(idx), 0.0) + w / (k + rank)
    return scores


def apply_priority(scores: dict[int, float], priority_of: Mapping[int, float]) -> dict[int, float]:
    """Scale fused scores by each item's source priority (1.0 = neutral)."""
    return {i: s * priority_of.get(i, 1.0) for i, s in scores.items()}


def fuse_parts(scores: Sequence[Mapping[int, float]], *, n: int, k: float) -> dict[int, float]:
    """One ranking from the whole question's and each part's fused scores (their top n each, equal
    weights), so every part of a multi-part question has its best chunks near the top."""
    rankings = {str(i): sorted(s, key=lambda j: -s[j])[:n] for i, s in enumerate(scores)}
    return reciprocal_rank_fusion(rankings, k=k)


def one_per_section(ranked: Sequence[int], section_of: Mapping[int, tuple[str, str]], k: int) -> list[int]:
    """The best k ids with each section's best chunk ahead of its other chunks: a second chunk of a section
    already shown only fills the places no other section's chunk takes."""
    seen: set[tuple[str, str]] = set()
    first, later = [], []
    for i in ranked:
        section = section_of.get(i, ("", str(i)))
        (later if section in seen else first).append(i)
        seen.add(section)
    return (first + later)[:k]
