"""Retrieval confidence: does the retrieved text hold the question's rare terms and its answer type?"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence

import numpy as np

from index.hits import Hit
from index.spelling import english_words
from ingest.text import content_terms


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

    def claim_weight(self, term: str) -> float:
        """A claimed term's weight in the support check (service/grounding.py): its IDF, so a name or a rare
        word counts for more than a paraphrasing verb; a number weighs as a word in 1% of the chunks."""
        return self.idf(term) if term[:1].isalpha() else math.log(1 + 100)


def names_a_topic(terms: set[str], stats: TermStats, topic_df: float) -> bool:
    """Whether a question term is in fewer than `topic_df` of the chunks (or 5). A question of common words
    only ("what should I learn first?", "what next?") names no topic the sources could lack: the coverage
    gate, which asks whether the retrieved text holds the question's terms, has nothing to weigh."""
    rare = max(topic_df * stats.n, 5)
    return any(stats.df.get(t, 0) < rare for t in terms)


_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{2,}s?\b")
_LONG_WORD = re.compile(r"\b[A-Za-z]{5,}\b")


def unseen_names(
    question: str, stats: TermStats, known: Callable[[], Container[str]] = english_words
) -> list[str]:
    """Names in the question that no chunk holds: a word written in capitals (an acronym or a name: "ARIMA",
    "PMML"), or one of 5+ letters that is no English word ("diarization", "streamlit") and holds none of the
    question's other terms ("libfaiss" beside "import faiss" is a form of a word the index knows). A casual
    word the index lacks says little ("clashing", "coworker": 12 answerable dev questions have one; "noob" is
    short), but a named method, tool or format it never mentions is a topic it does not cover."""
    terms, english = [t for t in content_terms(question) if len(t) >= 4], known()
    words = _CAPITALS.findall(question)
    for w in _LONG_WORD.findall(question):
        own = set(content_terms(w))
        if w.lower() not in english and not any(t in w.lower() for t in terms if t not in own):
            words.append(w)
    return [w for w in dict.fromkeys(words) if _never_held(w, stats)]


def _never_held(word: str, stats: TermStats) -> bool:
    stems = content_terms(word)
    return bool(stems) and all(stats.df.get(t, 0) == 0 for t in stems)


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


def off_domain(
    question: np.ndarray,
    hits: Sequence[Hit],
    embed: Callable[[list[str]], np.ndarray],
    floor: float,
    unit_margin: float = 0.28,
) -> bool:
    """Whether the question (its pooled vector) is about something else altogether ("what is the capital of
    France?"): the best retrieved unit's cosine to it (its dense score) under `floor - unit_margin`, and that
    plus the best retrieved chunk's cosine as a whole under `floor`. The first test spares most questions
    the second one's encoder pass over the chunks (~75 ms on 2 cores); it gives up "what is 2+2?" (0.475 +
    0.179)."""
    best_unit = max((h.scores.get("dense", 0.0) for h in hits), default=1.0)
    if best_unit >= floor - unit_margin:
        return False
    return best_unit + float((embed([h.text for h in hits]) @ question).max()) < floor


# Expected answer types: a question that asks for a date or a price is only answered by text holding one.
_ASKS_DATE = re.compile(
    r"^\s*when (is|was|will|are|were) (the |an? )?[A-Z]|\bwhat (year|date|day|month)\b|"
    r"\bwhen does .* (start|begin|happen|take place)\b",
    re.I,
)
_ASKS_PRICE = re.compile(
    r"\b(cost|costs|price|priced|fee|fees|tuition|salary|salaries)\b|\bhow much (does|do|is|are) "
    r".*\b(pay|charge|earn|cost)\b",
    re.I,
)
_HAS_DATE = re.compile(
    r"\b(1[89]|20)\d{2}\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d", re.I
)
_HAS_PRICE = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(usd|eur|gbp|dollars?|euros?|k)\b|\bfree of charge\b|\bfor free\b", re.I
)


def missing_answer_type(question: str, evidence: Sequence[str]) -> str:
    """'a date' or 'a price' when the question asks for one and no evidence sentence states one, else ''."""
    text = " ".join(evidence)
    if _ASKS_DATE.search(question) and not _HAS_DATE.search(text):
        return "a date"
    if _ASKS_PRICE.search(question) and not _HAS_PRICE.search(text):
        return "a price"
    return ""
