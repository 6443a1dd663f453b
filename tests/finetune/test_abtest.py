"""The A/B scores answers with the dev sets' own key-term metric, on terms taken from the reference answer."""

from __future__ import annotations

from evaluation.answers import key_term_recall
from finetune.abtest import key_terms


def test_key_terms_are_the_reference_answers_longest_content_words():
    terms = key_terms("LoRA trains small low-rank matrices beside the frozen weights.")
    assert terms[:4] == ["matrices", "weights", "beside", "frozen"] and "the" not in terms
    assert key_term_recall("It keeps the weights frozen and trains low-rank matrices.", terms[:4]) == 0.75
