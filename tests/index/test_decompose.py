"""Multi-part questions are searched part by part, so each part's best sections reach the top."""

from __future__ import annotations

import pytest

from index.decompose import split_question
from index.fusion import fuse_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("DDP vs FSDP in pytorch, whats the actual difference?", ["DDP in pytorch", "FSDP in pytorch"]),
        ("LoRA-FA vs. LoRA+ in peft?", ["LoRA-FA in peft", "LoRA+ in peft"]),
        (
            "iterrows() versus itertuples() for looping",
            ["iterrows() for looping", "itertuples() for looping"],
        ),
        ("Keras Sequential vs Functional API", ["Keras Sequential API", "Keras Functional API"]),
        ("kubeflow or mlflow?", ["kubeflow", "mlflow"]),
        (
            "what's the actual difference between supervised and unsupervised learning?",
            ["supervised learning", "unsupervised learning"],
        ),
        (
            "how do I seed numpy? and is torch.manual_seed enough?",
            ["how do I seed numpy?", "and is torch.manual_seed enough?"],
        ),
    ],
)
def test_multi_part_questions_split_into_parts_with_their_context(question, parts):
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "what is dropout?",
        "cuda vs CUDA?",  # the same term twice is no comparison
        "how do I pick k in kmeans? I need it on sparse data",  # a remark after the ask is context
        "how? why?",  # too short to be questions of their own
        "should I use fp16 or bf16 weights when fine tuning?",  # "or" inside a question: often one choice
    ],
)
def test_single_questions_are_not_split(question):
    assert split_question(question) == []


def test_a_part_best_chunk_rises_from_deep_in_the_whole_question_ranking():
    whole = {i: 1.0 / i for i in range(1, 21)}  # chunks 1..20, chunk 1 best
    part_a = {1: 1.0, 2: 0.5}
    part_b = {15: 1.0, 3: 0.5}  # chunk 15: the other side of the comparison, 15th for the whole question
    fused = fuse_parts([whole, part_a, part_b], n=20, k=10.0)
    assert sorted(fused, key=lambda i: -fused[i])[:4] == [1, 2, 3, 15]


def test_the_retriever_finds_both_sides_of_a_comparison(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    sections = [
        f"## Pandas loops {i}\n\nLooping over rows with iterrows is slow, loop {i}.\n" for i in range(6)
    ]
    (notes / "loops.md").write_text("# Loops\n\n" + "\n".join(sections))
    (notes / "tuples.md").write_text("# Tuples\n\nitertuples yields namedtuples and keeps dtypes.\n")
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    asked = []
    encode = embedder.embed_with_tokens  # the question's one encoder pass (index/queries.py)
    embedder.embed_with_tokens = lambda texts: asked.extend(texts) or encode(texts)
    question = "iterrows vs itertuples for looping over rows with pandas, which loop is slow?"
    hits = open_retriever(hashing_settings, embedder).search(question, 2)
    assert {h.path for h in hits} == {"loops.md", "tuples.md"}
    assert asked == [
        question,
        "iterrows for looping over rows with pandas",
        "itertuples for looping over rows with pandas",
    ]
    asked.clear()
    off = open_retriever(hashing_settings.model_copy(update={"split_questions": False}), embedder)
    off.search(question, 2)
    assert asked == [question]
