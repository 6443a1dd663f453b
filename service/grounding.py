"""Grounding: check that answer sentences are supported by the sources, and pick evidence sentences."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ingest.text import content_terms, split_sentences
from ingest.units import clean_heading

_CITE = re.compile(r"\[(\d{1,2})\]")


def citations_in(text: str, n_sources: int) -> list[int]:
    """Source numbers cited as [n] that exist, in order of first use."""
    nums = [int(m) for m in _CITE.findall(text)]
    return list(dict.fromkeys(n for n in nums if 1 <= n <= n_sources))


def strip_citations(text: str) -> str:
    return _CITE.sub("", text).strip()


# A number stated in a sentence ("n_clusters=2", "lr 0.3", "1e-3"), not a list item's own ("1. Install ...")
_VALUE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w]|\.\d)", re.IGNORECASE)
_LIST_MARK = re.compile(r"^\s*\d+[.)]\s+", re.MULTILINE)


def claim_terms(text: str) -> set[str]:
    """What a sentence claims: its content terms and the numbers it states ("The snippet uses n_clusters=2
    and n_init=10": the values are the answer; word terms alone had it as the question said back)."""
    return set(content_terms(text)) | set(_VALUE.findall(_LIST_MARK.sub("", _CITE.sub("", text))))


@dataclass(frozen=True)
class Support:
    """How well one answer sentence is backed by the sources."""

    sentence: str
    coverage: float  # share of its content terms found in the supporting source
    n: int  # the prompt number [n] of the best supporting source, 0 if none


def support_of(
    sentence: str,
    sources: Sequence[str],
    cited: Sequence[int] = (),
    given: frozenset[str] = frozenset(),
    weight: Callable[[str], float] | None = None,
) -> Support:
    """Best lexical support among the cited sources (all sources when none is cited); `given` terms (the
    question's) are not claims and are left out of the count. With `weight` (a term's IDF), a rare term
    counts for more than a common one: the names and values carry a claim, a paraphrasing verb less."""
    terms = claim_terms(sentence) - given
    if not terms:
        return Support(sentence, 0.0, 0)
    w = {t: weight(t) if weight else 1.0 for t in terms}
    total = sum(w.values())
    candidates = [c for c in cited if 1 <= c <= len(sources)] or range(1, len(sources) + 1)
    best = (0.0, 0)
    for c in candidates:  # on a tie the earlier candidate wins (cited first, then the higher-ranked source)
        coverage = sum(w[t] for t in terms & claim_terms(sources[c - 1])) / total
        if coverage > best[0]:
            best = (coverage, c)
    return Support(sentence, best[0], best[1])


def is_statement(sentence: str) -> bool:
    """A sentence that says something: not a heading, a label ending in ':', code or an over-long title
    run."""
    s = sentence.strip().strip("*_ ")
    if s.startswith("`") and s.endswith("`"):
        return len(s) >= 14  # a code line
    if len(s) < 25 or len(s) > 400 or s.startswith(("#", "|", ">", "[")) or s.endswith(":"):
        return False
    return len(content_terms(s)) >= 3


@dataclass(frozen=True)
class Evidence:
    """A source sentence chosen to answer the question."""

    text: str
    n: int  # the prompt number [n] of its source
    score: float
    order: int  # position in the source, to keep reading order


def select_evidence(
    question: str,
    sources: Sequence[str],
    embed,
    *,
    max_chars: int = 450,
    max_sentences: int = 3,
    headings: Sequence[str] | None = None,
    idf=None,
    source_margin: float = 1.0,
    rank_weight: float = 0.05,
    min_score_gap: float = 10.0,
) -> list[Evidence]:
    """Source sentences most similar to the question (dense + term overlap), within a character budget.

    Each sentence is embedded with its section's cleaned heading in front, as the index's units are."""
    cands = [
        (s, i + 1, j)
        for i, src in enumerate(sources)
        for j, s in enumerate(split_sentences(src))
        if is_statement(s)
    ]
    if not cands:
        return []
    hint = [clean_heading(headings[c[1] - 1]) if headings else "" for c in cands]
    vecs = embed([question] + [f"{h}: {c[0]}" if h else c[0] for h, c in zip(hint, cands)])
    q_terms = set(content_terms(question))
    weight = idf or (lambda t: 1.0)
    total = sum(weight(t) for t in q_terms) or 1.0
    overlap = np.array([sum(weight(t) for t in q_terms & set(content_terms(c[0]))) / total for c in cands])
    rank_bonus = np.array([rank_weight / c[1] for c in cands])  # earlier sources were ranked higher
    scores = vecs[1:] @ vecs[0] + 0.5 * overlap + rank_bonus
    chosen = _pick(cands, scores, _close_sources(cands, scores, source_margin), max_chars, max_sentences)
    best = chosen[0].score if chosen else 0.0
    return [e for e in chosen if e.score >= best - min_score_gap]  # most relevant first


def _close_sources(cands: list[tuple[str, int, int]], scores: np.ndarray, margin: float) -> set[int]:
    """Sources whose best sentence is nearly as good as the best one: fewer, surer citations."""
    best_by_source: dict[int, float] = {}
    for i, c in enumerate(cands):
        best_by_source[c[1]] = max(best_by_source.get(c[1], -9.0), float(scores[i]))
    top = max(best_by_source.values())
    return {src for src, sc in best_by_source.items() if sc >= top - margin}


def _pick(
    cands: list[tuple[str, int, int]],
    scores: np.ndarray,
    allowed: set[int],
    max_chars: int,
    max_sentences: int,
) -> list[Evidence]:
    """The best-scoring sentences of the allowed sources within the character budget."""
    chosen, used = [], 0
    for idx in np.argsort(-scores):
        text, src, order = cands[idx]
        if src not in allowed or (used + len(text) > max_chars and chosen):
            continue
        chosen.append(Evidence(text, src, float(scores[idx]), order))
        used += len(text)
        if len(chosen) >= max_sentences:
            break
    return chosen
