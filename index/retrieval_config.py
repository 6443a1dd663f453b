"""Retrieval settings: fusion, routing, question handling and the late stage, measured on the dev sets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

SearchMode = Literal["dense", "bm25", "hybrid"]
MODES: tuple[str, ...] = get_args(SearchMode)


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunable retrieval settings (defaults measured on the dev set)."""

    mode: SearchMode = "hybrid"
    rrf_k: float = 10.0  # small k trusts the top ranks of each list more (dev set: 0.93 vs 0.92 at 60)
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    candidates: int = 50  # chunks per retriever, before fusion
    navigation_weight: float = 2.0  # the link graph outweighs one text ranking for "what comes after X?"
    # ... when a page's title is this close to the question (dev sets: the roadmap's navigation questions
    # 0.39-0.51, docs questions that say "after" or "next" 0.24 at most)
    navigation_min_title: float = 0.3
    page_weight: float = 1.0  # the asking page's own chunks count as one more ranked list
    # Query-aware routing (index/routing.py) when more than one source is indexed; 0 turns it off.
    # Dev sets over one roadmap + docs index, hybrid recall@5 / MRR (roadmap; docs): off 0.694 / 0.592;
    # 0.814 / 0.556. fold 1: 0.880 / 0.733; 0.791 / 0.557. fold 2: 0.843 / 0.693; 0.802 / 0.581.
    route_fold: float = 1.0
    # unknown question words -> the closest frequent index word (index/spelling.py)
    spell_correct: bool = True
    # "X vs Y" and two-questions-in-one also searched part by part (index/decompose.py); dev sets, hybrid
    # recall@5 / MRR (roadmap; docs): off 0.880 / 0.735; 0.814 / 0.565. on 0.889 / 0.756;
    # 0.802 / 0.556 (comparisons: roadmap 0.955 / 0.780 -> 1.0 / 0.894, docs 0.60 / 0.48 -> 0.50 / 0.31).
    split_questions: bool = True
    # one chunk per section (document + heading anchor) before any second one in the top k: recall@5 / MRR
    # roadmap 0.889 / 0.756 -> 0.898 / 0.764, docs 0.802 / 0.556 -> 0.837 / 0.562. Answers ask without it.
    section_diversity: bool = True
    # candidates a late-interaction stage reorders (index/late.py), 0: off. 10 candidates lift recall@5 / MRR
    # (roadmap 0.926 / 0.785 -> 0.926 / 0.805, docs 0.814 / 0.548 -> 0.860 / 0.562) for ~9 ms p50 on 2 cores
    # with the token vectors kept at ingest (index/tokenstore.py); ~110 ms when an index has none (README).
    late_rerank: int = 10
    late_weight: float = 0.5  # the late rank's weight beside the fused rank's (dev sets: 0.35-1.0 tried)
    # a question that names a library (a docs folder's name or the module its code imports) is not answered
    # from another library's docs: their candidates step back behind the rest (index/libraries.py)
    library_focus: bool = True
