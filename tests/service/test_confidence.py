"""Retrieval confidence: the coverage gate reads the question's rare terms the way BM25 does."""

from __future__ import annotations

from ingest.text import content_terms
from service.confidence import TermStats, term_coverage


def test_an_acronym_question_is_covered_by_text_on_its_plural():
    # "CNN vs RNN?" was refused: Snowball keeps "cnns" and "rnns", so the question's terms met nothing
    texts = [
        "CNNs slide filters over images; RNNs carry a state through sequences.",
        "Tables of monthly sales.",
    ]
    stats = TermStats(texts)
    assert term_coverage("what are a CNN and an RNN?", texts[:1], stats) == 1.0
    assert term_coverage("what are a CNN and an RNN?", texts[1:], stats) == 0.0


def test_plural_rule_keeps_ordinary_stems_apart():
    assert content_terms("branches status class GPUs") == ["branch", "statu", "class", "gpu"]
