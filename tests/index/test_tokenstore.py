"""Token vectors kept at ingest: sign bits packed, read back per chunk, cached, used by the late stage."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedcache import EmbeddingCache
from index.embedders import HashingEmbedder
from index.tokenstore import TokenStore, pack_signs, unpack_signs, write_token_store


def test_signs_round_trip_as_unit_vectors():
    v = np.array([[0.3, -0.2, 0.0, 5.0, -1.0, 0.1, 0.2, -0.4, 0.9]], dtype=np.float32)
    bits = pack_signs(v)
    assert bits.shape == (1, 2) and bits.dtype == np.uint8
    back = unpack_signs(bits, 9)
    assert np.array_equal(np.sign(back[0]), [1, -1, -1, 1, -1, 1, 1, -1, 1])  # 0.0 counts as negative
    assert np.linalg.norm(back[0]) == pytest.approx(1.0)


def test_sign_vectors_keep_which_token_matches_best():
    rng = np.random.default_rng(0)
    docs = rng.normal(size=(50, 384)).astype(np.float32)
    queries = docs[:10] + 0.3 * rng.normal(size=(10, 384)).astype(np.float32)
    signs = unpack_signs(pack_signs(docs), 384)
    assert ((queries @ signs.T).argmax(axis=1) == np.arange(10)).all()


def test_a_chunk_reads_back_the_tokens_of_all_its_units(tmp_path):
    units = [np.full((2, 16), 1.0), np.full((3, 16), -1.0), np.full((1, 16), 1.0), np.zeros((0, 16))]
    write_token_store(tmp_path, [pack_signs(u) for u in units], 16)
    unit_chunk = np.array([0, 0, 2, 3])  # chunk 1 has no units
    store = TokenStore.load(tmp_path, unit_chunk, 16)
    assert store.chunk_vectors(0).shape == (5, 16)
    assert (store.chunk_vectors(0)[:2] > 0).all() and (store.chunk_vectors(0)[2:] < 0).all()
    assert store.chunk_vectors(1).shape == (0, 16) and store.chunk_vectors(3).shape == (0, 16)
    assert store.chunk_vectors(2).shape == (1, 16) and store.chunk_vectors(99).shape == (0, 16)
    with pytest.raises(ValueError, match="holds 4 units"):
        TokenStore.load(tmp_path, np.array([0, 1]), 16)
    assert TokenStore.load(tmp_path / "missing", unit_chunk, 16) is None


def test_the_cache_keeps_token_bits_beside_the_vectors(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite", "m", 16)
    bits = pack_signs(np.ones((3, 16)))
    cache.put(["a", "b"], np.ones((2, 16)), [bits, bits[:1]])
    cache.put(["c"], np.ones((1, 16)))
    got = cache.get_tokens(["a", "b", "c"])
    assert set(got) == {"a", "b"} and got["a"].shape == (3, 2) and got["b"].shape == (1, 2)
    assert set(cache.get(["a", "b", "c"])) == {"a", "b", "c"}
    cache.close()


def test_units_cached_without_tokens_are_embedded_again_once(tmp_path):
    from index.builder import embed_cached

    emb = HashingEmbedder(dim=64)
    cache = EmbeddingCache(tmp_path / "c.sqlite", emb.name, emb.dim)
    texts = ["alpha beta gamma", "delta epsilon"]
    hashes = ["h1", "h2"]
    embed_cached(texts, hashes, emb, cache, False, with_tokens=False)  # an older cache: vectors only
    vectors, tokens, count = embed_cached(texts, hashes, emb, cache, False, with_tokens=True)
    assert count == 2 and [t.shape for t in tokens] == [(3, 8), (2, 8)]
    assert np.allclose(vectors, emb.embed(texts))
    _, again, count = embed_cached(texts, hashes, emb, cache, False, with_tokens=True)
    assert count == 0 and all(np.array_equal(a, b) for a, b in zip(tokens, again))
    cache.close()


def test_search_reads_candidates_token_vectors_from_the_index(hashing_settings, tmp_path, monkeypatch):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(6):
        (notes / f"n{i}.md").write_text(f"# Note {i}\n\n## Topic {i}\n\nGradient clipping note {i}.\n")
    (notes / "w.md").write_text(
        "# Weights\n\n## Class weights\n\nPass class_weight to fit for a rare class.\n"
    )
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    r = open_retriever(hashing_settings, embedder)
    from service.ingestion import index_status

    assert r.tokens is not None and index_status(hashing_settings)["token_vector_bytes"] > 0
    seen: list[int] = []
    real = type(embedder).embed_tokens
    monkeypatch.setattr(
        type(embedder), "embed_tokens", lambda self, texts: seen.append(len(texts)) or real(self, texts)
    )
    hits = r.search("how do I pass class_weight to fit for a rare class?", 3, late=7)
    assert hits[0].path == "w.md" and seen == [1]  # only the question is encoded at query time


def test_bench_search_times_the_late_stage_on_stored_and_computed_vectors(hashing_settings, tmp_path):
    import json

    from evaluation.bench import bench_search
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder
    from tests.conftest import write_tiny_corpus

    corpus = write_tiny_corpus(tmp_path / "corpus")
    ingest_sources(hashing_settings, build_embedder(hashing_settings), [SourceRequest(str(corpus))])
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(
        "".join(json.dumps({"id": str(i), "question": q, "answerable": True}) + "\n" for i, q in enumerate(
            ["which optimizers are usual?", "what do CNNs slide over images?"]))
    )  # fmt: skip
    out = bench_search(hashing_settings, qfile, repeats=1)
    assert {"dense", "bm25", "hybrid"} <= set(out) and out["queries"] == 2
    late = out["hybrid_late"]
    assert set(late) == {"candidates", "off", "stored", "computed"}
    assert all(late[k]["p50_ms"] > 0 for k in ("off", "stored", "computed"))
