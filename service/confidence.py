"""Retrieval confidence: does the retrieved text cover the question's rare terms, and how closely?"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from service.grounding import content_terms


class TermStats:
    """Document frequencies of stemmed content terms over the indexed chunks."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        for text in texts:
            self.df.update(set(content_terms(text)))
            self.n += 1

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))


def term_coverage(question: str, passages: Sequence[str], stats: TermStats) -> float:
    """IDF-weighted share of the question's content terms that occur in the passages (0..1)."""
    q_terms = set(content_terms(question))
    if not q_terms:
        return 0.0
    seen = set()
    for p in passages:
        seen.update(content_terms(p))
    total = sum(stats.idf(t) for t in q_terms)
    return sum(stats.idf(t) for t in q_terms & seen) / total if total else 0.0


def confidence(question: str, passages: Sequence[str], top_dense: float, stats: TermStats) -> float:
    """One score in 0..1: term coverage, tempered by the best dense similarity."""
    return 0.7 * term_coverage(question, passages, stats) + 0.3 * max(0.0, top_dense)
