"""Answering settings, the one lead-with rule, and the sentences an answer declines with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from service.llm import GenerationConfig

# What the assistant says when it abstains, and the sentence the model is asked to decline with (the prompt's
# `{decline}`, the fine-tuning targets); DECLINE_PATTERN also catches the model's own variants of it.
NOT_COVERED = "The roadmap and docs I have indexed do not cover this."
MODEL_DECLINE = "The sources do not cover this."
DECLINE_PATTERN = re.compile(
    r"(do(es)? not|don't|doesn't) (cover|contain|mention|answer)|not (covered|mentioned)|no information", re.I
)


LeadWith = Literal["quotes", "generated"]


def lead_with_for(setting: str, *, generate: bool, writes: bool) -> LeadWith:
    """The one lead-with rule: an explicit setting wins; 'auto' leads with generated words when the model
    writes grounded sentences (any but the 135M one, or that one with its adapter), else with verified
    quotes."""
    if setting in ("quotes", "generated"):
        return setting  # type: ignore[return-value]
    return "generated" if generate and writes else "quotes"


@dataclass(frozen=True)
class AnswerConfig:
    """Answering settings; the abstention thresholds were calibrated on the dev set (see README)."""

    # retrieved chunks that evidence sentences are picked from; the model reads the evidence's best two:
    # against 4 chunks / 3 excerpts, key-term recall 0.50 / 0.40 -> 0.51 / 0.42, citation precision
    # 0.49 / 0.36 -> 0.54 / 0.40 and the first sentence 0.1-0.4 s sooner (a shorter prompt; README)
    k: int = 5
    # the best this-many retrieved chunks reordered by late interaction before the k are taken (index/late.py;
    # 0: off). Off: with 10, retrieval improves but the answers did not (key-term recall 0.52 / 0.42 -> 0.47 /
    # 0.44, docs abstention 0.29 -> 0.14; README), and it costs ~110 ms.
    late_rerank: int = 0
    abstain_min_coverage: float = 0.15  # IDF-weighted share of question terms found in the top sources
    abstain_unseen_terms: int = 2  # this many question terms that occur nowhere in the index -> not covered
    # the coverage gate weighs only questions with a term in fewer than this share of the chunks (or 5): none
    # of the 110 dev questions changes; "what should I learn first?" is no longer refused (README)
    topic_df: float = 0.01
    # a question about something else altogether: the best retrieved unit's cosine to it plus the best
    # retrieved chunk's under this, the first alone under it less 0.28 (0: off). Cosines are the embedder's
    # own scale, so the floor is set for the builtin one only (service/config.py: OFF_DOMAIN_FLOORS)
    off_domain_floor: float = 0.0
    min_support: float = 0.6  # share of a generated sentence's content words its source must contain
    min_relevance: float = 0.05  # cosine to the question a unit after the first needs (service/writing.py)
    min_relevance_new_source: float = 0.15  # ... and one that turns to a source not cited yet
    max_sentences: int = 5  # generated units (sentences, code blocks) kept at most
    prompt_chars: int = 1500  # excerpt characters the model reads: the prompt, not the answer, sets latency
    prompt_sources: int = 2  # sources (the evidence's chunks) the model reads at most
    max_quotes: int = 4
    quote_chars: int = 520  # the quotes fit the first 600 characters of the answer, with their markers
    # "quotes": verified source sentences first, then a generated summary if it passes the faithfulness check.
    # The embedded 135M model rarely passes it (see README), so leading with quotes keeps the answer grounded
    # and the first token fast; switch to "generated" once a fine-tuned adapter grounds its answers.
    lead_with: LeadWith = "quotes"
    idf_overlap: bool = True
    # Evidence trades key-term recall against citation precision (dev set: margin 1.0 -> 0.69 / 0.50,
    # 0.5 -> 0.68 / 0.54, 0.1 -> 0.58 / 0.65); the retrieval rank weighs in so quotes favour top sources.
    evidence_source_margin: float = 0.5
    evidence_rank_weight: float = 0.3
    evidence_min_score_gap: float = (
        0.4  # drop quotes scoring this far below the best one (0.70/0.55 -> 0.68/0.57)
    )
    generate: bool = True  # False: extractive answers only (no LLM)
    # After a generated answer, quote the evidence of no source (the citations' snippets carry it), of the
    # sources it cites, or of all.
    quotes_after_answer: Literal["none", "cited", "all"] = "none"
    # What the model reads: the evidence sentences (what the 135M model's adapter was trained on) or excerpts
    # of their chunks (a model that writes can explain from them and keep code whole).
    prompt_style: Literal["evidence", "excerpts"] = "excerpts"
    trust_decline_below: float = 0.5  # a model's "not covered" abstains only when coverage is also below this
    generation: GenerationConfig = GenerationConfig()
