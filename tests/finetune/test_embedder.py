"""Adapting the embedder to the corpus: synthetic questions, mined triples, contrastive training."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from finetune.embedder_data import (
    SyntheticQuestion,
    Triple,
    clean_question,
    mine_triples,
    sample_chunks,
    write_questions,
)
from index.catalog import ChunkRecord

BASE = ChunkRecord(0, "x" * 300, 0, 300, "Guide > Section", "", "", "doc", "A", "a.md", "Guide", "", "")


def test_generated_replies_become_questions_only_when_they_are_questions():
    assert (
        clean_question(' "How do I freeze layers in PyTorch?"\nExtra') == "How do I freeze layers in PyTorch?"
    )
    for reply in ("Freeze the layers.", "Why?", "What does this passage explain about tensors?", ""):
        assert clean_question(reply) is None


def test_sources_are_sampled_by_the_square_root_of_their_size():
    big = [replace(BASE, id=i, source_id="docs") for i in range(400)]
    small = [replace(BASE, id=1000 + i, source_id="roadmap") for i in range(25)]
    stubs = [replace(BASE, id=2000 + i, source_id="roadmap", text="short") for i in range(50)]
    picked = sample_chunks(big + small + stubs, 50)
    by_source = [c.source_id for c in picked]
    assert by_source.count("docs") == 40 and by_source.count("roadmap") == 10  # sqrt 400 : sqrt 25 = 4 : 1
    assert all(len(c.text) >= 200 for c in picked)
    assert [c.id for c in sample_chunks(big + small, 50)] == [c.id for c in sample_chunks(big + small, 50)]


class _ScriptedGenerator:
    name, device, context_window = "scripted", "cpu", 2048

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.prompts = list(replies), []

    def stream(self, messages, cfg):
        self.prompts.append(messages[-1]["content"])
        yield self.replies.pop(0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_one_question_is_written_per_chunk_and_unusable_replies_are_dropped():
    chunks = [replace(BASE, id=i, text=f"Chunk {i} text. " * 20) for i in range(3)]
    gen = _ScriptedGenerator(
        ["How do I use chunk zero here?", "Not a question.", "why does chunk two matter?"]
    )
    done = []
    assert list(write_questions(gen, chunks, on_chunk=lambda: done.append(1))) == [
        SyntheticQuestion("How do I use chunk zero here?", 0),
        SyntheticQuestion("why does chunk two matter?", 2),
    ]
    assert len(done) == 3  # progress counts chunks, the unusable reply's too
    assert "Chunk 1 text." in gen.prompts[1] and 'section "Section"' in gen.prompts[1]


def test_triples_pair_a_question_with_its_own_unit_and_another_section(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    filler = " ".join(f"Filler sentence number {i} about frames." for i in range(12))
    (notes / "a.md").write_text(
        f"# Loops\n\n## Iterrows\n\nIterrows yields index and Series pairs for each row.\n\n{filler}\n\n"
        f"## Itertuples\n\nItertuples yields namedtuples and keeps the column dtypes.\n\n{filler}\n"
    )
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    retriever = open_retriever(hashing_settings, embedder)
    source = next(c for c in retriever.catalog.all_chunks() if "namedtuples" in c.text)
    [triple] = mine_triples(
        retriever, [SyntheticQuestion("which loop keeps column dtypes for each row?", source.id)]
    )
    assert "namedtuples" in triple.positive and triple.positive.startswith("Itertuples:")
    assert triple.negative is not None and "Series pairs" in triple.negative


@pytest.mark.slow
def test_training_lowers_the_loss_and_saves_a_loadable_model(tmp_path):
    from sentence_transformers import SentenceTransformer

    from finetune.embedder_train import EmbedderTrainConfig, train_embedder
    from index.models import DEFAULT_EMBEDDER, resolve_embedder_path

    triples = [
        Triple(
            "how do I stop gradient updates to early layers?", "Freezing: set requires_grad to False.", None
        ),
        Triple(
            "what keeps dtypes when looping rows?",
            "Itertuples keeps the column dtypes.",
            "Iterrows gives Series.",
        ),
        Triple("how do I pick k for kmeans?", "The elbow method plots inertia against k.", None),
        Triple("why scale features first?", "Scaling puts features on one range for gradient descent.", None),
    ]
    cfg = EmbedderTrainConfig(epochs=6, batch_size=4, learning_rate=1e-4)
    seen = []
    result = train_embedder(
        triples, resolve_embedder_path(DEFAULT_EMBEDDER), tmp_path / "m", cfg, lambda *a: seen.append(a)
    )
    assert result.steps == 6 and len(seen) == 6 and result.last_loss < result.first_loss
    vecs = SentenceTransformer(str(tmp_path / "m"), device="cpu").encode(["a question"])
    assert vecs.shape == (1, 384)
    with pytest.raises(ValueError, match="at least 2"):
        train_embedder(triples[:1], resolve_embedder_path(DEFAULT_EMBEDDER), tmp_path / "n", cfg)


@pytest.mark.slow
def test_the_pipeline_trains_on_saved_questions_and_the_model_embeds(hashing_settings, tmp_path):
    import json

    from finetune.embedder_pipeline import EmbedderRequest, adapt_embedder
    from finetune.embedder_train import EmbedderTrainConfig
    from index.embedders import EmbedderConfig, create_embedder
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder

    notes = tmp_path / "notes"
    notes.mkdir()
    filler = " ".join(f"Sentence {i} about this topic." for i in range(12))
    topics = ("Dropout", "Batch norm", "Early stopping")
    (notes / "a.md").write_text(
        "".join(f"# {t}\n\n{t} helps a network generalise.\n\n{filler}\n\n" for t in topics)
    )
    ingest_sources(hashing_settings, build_embedder(hashing_settings), [SourceRequest(str(notes))])
    from service.runtime import open_retriever

    chunks = open_retriever(hashing_settings, build_embedder(hashing_settings)).catalog.all_chunks()
    saved = hashing_settings.home / "embedders" / "t" / "questions.jsonl"
    saved.parent.mkdir(parents=True)
    saved.write_text(
        "".join(
            json.dumps({"question": f"what does {c.heading} do?", "chunk_id": c.id}) + "\n" for c in chunks
        )
    )
    meta = adapt_embedder(hashing_settings, EmbedderRequest("t", train=EmbedderTrainConfig(batch_size=2)))
    assert meta["questions"] == len(chunks) == 3 and meta["questions_reused"]
    assert meta["result"]["steps"] == 1 and (tmp_path / "home" / "models").is_dir()
    model = create_embedder(EmbedderConfig(model=meta["path"], backend="torch"))
    assert model.embed(["dropout"]).shape == (1, 384)
    # what an ingest with this model keeps for the late stage: one pass gives the vectors and token vectors
    texts = ["dropout", "early stopping halts training when the loss stops improving"]
    vectors, tokens = model.embed_with_tokens(texts)
    assert np.allclose(vectors, model.embed(texts), atol=1e-5)
    assert [len(t) for t in tokens] == [len(t) for t in model.embed_tokens(texts)] and len(tokens[1]) > 5


def test_the_cli_says_plainly_when_there_is_no_index(tmp_path):
    import subprocess

    from tests.conftest import RAG, rag_env

    run = subprocess.run(
        [*RAG, "finetune", "embedder", "--questions", "5"],
        env=rag_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "no index" in run.stderr and "Traceback" not in run.stderr
