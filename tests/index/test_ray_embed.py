"""Distributed embedding on a local Ray cluster gives the same vectors and the same index as local
embedding."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from index.embedders import EmbedderConfig, HashingEmbedder
from tests.conftest import RAG, rag_env

pytestmark = pytest.mark.slow


def test_ray_actor_pool_matches_local_embedding():
    pytest.importorskip("ray")
    from index.embedders.ray import RayEmbedder

    texts = [f"unit {i} about tensors, gradients and batch {i % 7}" for i in range(300)]
    ray_emb = RayEmbedder(EmbedderConfig(backend="hashing"), actors=2, batch_size=64)
    assert ray_emb.name == HashingEmbedder().name
    assert np.allclose(ray_emb.embed(texts), HashingEmbedder().embed(texts), atol=1e-6)
    assert np.allclose(ray_emb.embed(texts[:3]), HashingEmbedder().embed(texts[:3]))  # short calls stay local


def test_ingest_with_ray_engine_builds_the_same_index(tmp_path):
    pytest.importorskip("ray")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(150):
        (corpus / f"p{i}.md").write_text(
            f"# Page {i}\n\n" + " ".join(f"Fact {i}.{j} about optimizers." for j in range(12))
        )
    hits, embedded = {}, {}
    for engine in ("local", "ray"):
        env = rag_env(tmp_path / engine, RAG_EMBEDDER_BACKEND="hashing", RAG_EMBED_ENGINE=engine)
        out = subprocess.run(
            [*RAG, "ingest", str(corpus), "--quiet"], env=env, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, out.stderr
        embedded[engine] = int(re.search(r"embedded (\d+)", out.stdout)[1])
        res = subprocess.run(
            [*RAG, "search", "fact 17.3 optimizers", "--json", "--mode", "dense"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        hits[engine] = [(h["path"], round(h["score"], 5)) for h in json.loads(res.stdout)]
    assert (
        embedded["ray"] == embedded["local"] >= 150
    )  # every unit once, by the local model or the Ray actors
    assert hits["ray"] == hits["local"]
