"""Late interaction: token-level scores reorder the best few candidates, each source keeping its places."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import HashingEmbedder
from index.late import late_order, late_rerank, maxsim


def test_maxsim_averages_each_question_tokens_best_match():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    doc = np.array([[1.0, 0.0], [0.6, 0.8]])
    assert maxsim(q, doc) == pytest.approx((1.0 + 0.8) / 2)
    assert maxsim(q, np.zeros((0, 2))) == 0.0


def test_late_order_moves_candidates_only_within_their_source():
    # fused order: roadmap, docs, docs, roadmap; the late scores favour the last of each source
    order = late_order([0.1, 0.2, 0.9, 0.8], ["road", "docs", "docs", "road"], weight=3.0, rrf_k=1.0)
    assert [["road", "docs", "docs", "road"][i] for i in order] == ["road", "docs", "docs", "road"]
    assert order == [3, 2, 1, 0]


def test_late_order_keeps_the_fused_order_when_the_late_weight_is_small():
    assert late_order([0.1, 0.9, 0.5], ["a"] * 3, weight=0.01, rrf_k=10.0) == [0, 1, 2]


def test_late_rerank_puts_the_text_that_holds_the_question_words_first():
    emb = HashingEmbedder(dim=512)
    texts = [
        "Callbacks run code at the end of each epoch during training.",
        "Set the class_weight argument of fit to weigh the rare class more.",
    ]
    ids = late_rerank([7, 9], texts, ["docs", "docs"], "class_weight rare class in fit", emb, weight=2.0)
    assert ids == [9, 7]


def test_an_embedder_without_token_vectors_leaves_the_order_alone():
    class MeanOnly:
        name, dim, device = "mean-only", 4, "cpu"

    assert late_rerank([1, 2, 3], ["a", "b", "c"], ["s"] * 3, "q", MeanOnly()) == [1, 2, 3]


def test_search_with_the_late_stage_returns_k_hits_and_the_settings_reach_it(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(6):
        (notes / f"n{i}.md").write_text(
            f"# Note {i}\n\n## Topic {i}\n\nGradient clipping note {i} on training.\n"
        )
    (notes / "w.md").write_text(
        "# Weights\n\n## Class weights\n\nPass class_weight to fit for the rare class.\n"
    )
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    r = open_retriever(hashing_settings, embedder)
    question = "how do I pass class_weight to fit for a rare class?"
    plain, late = r.search(question, 3, late=0), r.search(question, 3, late=7)
    assert len(plain) == len(late) == 3 and late[0].path == "w.md"
    # on for search, off for answers by default (README "Retrieval")
    assert r.cfg.late_rerank == 10 and hashing_settings.answer_config().late_rerank == 0
    on = hashing_settings.model_copy(update={"search_late_rerank": 0, "answer_late_rerank": 10})
    assert on.retrieval_config().late_rerank == 0 and on.answer_config().late_rerank == 10
