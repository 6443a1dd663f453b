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


def test_a_question_of_common_words_names_no_topic_for_the_coverage_gate():
    from service.confidence import names_a_topic

    texts = [f"Step {i}: first learn the basics, then practise on a project." for i in range(40)]
    stats = TermStats([*texts, "Kubeflow runs pipelines on Kubernetes."])

    def names(question: str) -> bool:
        return names_a_topic(set(content_terms(question)), stats, 0.01)

    assert not names("what should I learn first?")  # "first" is in 40 of 41 chunks
    assert names("how do I use kubeflow?")  # in one chunk: a topic
    assert names("what is TPOT?")  # in none: a topic the sources lack
