"""Query-aware source routing on synthetic rankings: each source keeps its own candidates, and a source weighs
by its share of the best matches against its share of the index."""

from __future__ import annotations

import numpy as np

from index.routing import Router, source_counts, source_weights, split_by_source

# chunks 0..97 belong to a big source 0, chunks 98 and 99 to a small source 1
SOURCE_OF = np.array([0] * 98 + [1] * 2, dtype=np.int32)
WEIGHTS = {"dense": 1.0, "bm25": 1.0}


def test_split_keeps_each_sources_order():
    parts = split_by_source(np.array([5, 98, 7, 99, 3]), SOURCE_OF, n=2)
    assert parts[0].tolist() == [5, 7] and parts[1].tolist() == [98, 99]


def test_counts_and_weights():
    counts = source_counts(
        {"dense": np.array([98, 1, 2, 3]), "bm25": np.array([4, 5, 6, 7])}, SOURCE_OF, 2, top=4
    )
    assert counts.tolist() == [7.0, 1.0]
    w = source_weights(counts, np.array([0.98, 0.02]), fold=1.0)
    assert w[0] == 1.0  # 7 of 8 is over half of the matches
    assert w[1] == 0.5  # 1 of 8 is far above a 2% share, but one match is half of the two a full slot needs
    assert source_weights(np.array([6.0, 2.0]), np.array([0.98, 0.02]), fold=1.0).tolist() == [1.0, 1.0]
    assert source_weights(np.array([8.0, 0.0]), np.array([0.98, 0.02]), fold=1.0).tolist() == [1.0, 0.0]


def test_an_over_represented_small_source_is_not_crowded_out():
    rankings = {"dense": np.array([1, 2, 3, 4, 5, 6, 98]), "bm25": np.array([2, 1, 4, 3, 98, 6, 5])}
    fused = Router(SOURCE_OF, 2).fuse(rankings, n=50, fold=1.0, rrf_k=10.0, weights=WEIGHTS)
    assert 98 in sorted(fused, key=lambda i: -fused[i])[:2]  # unrouted, it would rank 5th-7th


def test_a_source_absent_from_the_best_matches_takes_no_slot():
    deep = np.concatenate([np.arange(0, 50), [98]])  # 98 is a candidate, but below the best 50
    fused = Router(SOURCE_OF, 2).fuse(
        {"dense": deep, "bm25": deep}, n=60, fold=1.0, rrf_k=10.0, weights=WEIGHTS
    )
    assert 98 not in fused and len(fused) == 50


def test_the_source_of_the_best_dense_match_takes_a_full_slot():
    rankings = {"dense": np.array([98, *range(1, 50)]), "bm25": np.arange(1, 51)}
    counts = source_counts(rankings, SOURCE_OF, 2)
    assert counts[1] == 1.0 and source_weights(counts, np.array([0.98, 0.02]), fold=1.0)[1] == 0.5
    fused = Router(SOURCE_OF, 2).fuse(rankings, n=60, fold=1.0, rrf_k=10.0, weights=WEIGHTS)
    assert fused[98] == 1.0 / (10.0 + 1)  # a full slot: its rank-1 dense score counts whole
    rankings["dense"] = np.array([*range(1, 50), 98])  # its one match last: half a slot, as before
    fused = Router(SOURCE_OF, 2).fuse(rankings, n=60, fold=1.0, rrf_k=10.0, weights=WEIGHTS)
    assert fused[98] == 0.5 * (1.0 / (10.0 + 1))
