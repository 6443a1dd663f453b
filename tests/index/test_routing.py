"""Query-aware source routing on synthetic rankings: over-represented sources weigh more, each source keeps
its own candidates."""

from __future__ import annotations

import numpy as np

from index.routing import routed_fusion, source_strength, source_weights, split_by_source

# chunks 0..97 belong to a big source 0, chunks 98 and 99 to a small source 1
SOURCE_OF = np.array([0] * 98 + [1] * 2, dtype=np.int32)
SHARE = {0: 0.98, 1: 0.02}


def test_split_keeps_each_sources_order():
    parts = split_by_source(np.array([5, 98, 7, 99, 3]), SOURCE_OF, n=2)
    assert parts[0].tolist() == [5, 7] and parts[1].tolist() == [98, 99]


def test_a_small_source_over_represented_among_the_best_matches_is_stronger():
    about_small = {"dense": np.array([98, 99, 1, 2, 3]), "bm25": np.array([99, 4, 98, 5, 6])}
    about_big = {"dense": np.arange(0, 10), "bm25": np.arange(10, 20)}
    s = source_strength(about_small, SOURCE_OF, SHARE, top=5)
    assert s[1] > s[0]
    s = source_strength(about_big, SOURCE_OF, SHARE, top=5)
    assert s[0] > s[1]


def test_weights_prefer_the_strongest_source():
    w = source_weights({0: -1.0, 1: 2.0}, sharpness=1.0)
    assert w[1] == 1.0 and abs(w[0] - np.exp(-3.0)) < 1e-9


def test_the_small_sources_best_chunk_is_not_crowded_out():
    rankings = {"dense": np.array([1, 2, 3, 4, 5, 6, 98]), "bm25": np.array([2, 1, 4, 3, 98, 6, 5])}
    strength = source_strength(rankings, SOURCE_OF, SHARE, top=7)
    fused = routed_fusion(
        rankings, SOURCE_OF, strength, n=50, sharpness=0.1, rrf_k=10.0, weights={"dense": 1.0, "bm25": 1.0}
    )
    top3 = sorted(fused, key=lambda i: -fused[i])[:3]
    assert 98 in top3  # unrouted, it would rank last
