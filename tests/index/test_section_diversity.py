"""One chunk per section in the top k before a second chunk of any section."""

from __future__ import annotations

from index.fusion import one_per_section


def test_a_second_chunk_of_a_section_waits_behind_other_sections():
    section_of = {1: ("a.md", "setup"), 2: ("a.md", "setup"), 3: ("b.md", "setup"), 4: ("a.md", "usage")}
    assert one_per_section([1, 2, 3, 4], section_of, 3) == [1, 3, 4]
    assert one_per_section([1, 2, 3, 4], section_of, 4) == [1, 3, 4, 2]  # it still fills a free place
    assert one_per_section([1, 2], section_of, 5) == [1, 2]


def test_two_sections_with_the_same_heading_are_told_apart_by_their_anchor():
    # a page with two "Navigation" sections: anchors navigation and navigation-1
    section_of = {1: ("a.md", "navigation"), 2: ("a.md", "navigation-1"), 3: ("b.md", "x")}
    assert one_per_section([1, 2, 3], section_of, 2) == [1, 2]


def test_the_retriever_shows_more_sections_in_its_top_k(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    long_section = " ".join(f"Gradient clipping caps the gradient norm, step {i} of many." for i in range(40))
    (notes / "clip.md").write_text(f"# Clipping\n\n## Gradient clipping\n\n{long_section}\n")
    (notes / "norms.md").write_text(
        "# Norms\n\n## Norm caps\n\nClipping the gradient norm keeps training stable.\n"
    )
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    question = "how does gradient clipping cap the gradient norm?"
    off = open_retriever(hashing_settings.model_copy(update={"section_diversity": False}), embedder)
    assert [h.path for h in off.search(question, 2)] == ["clip.md", "clip.md"]  # one section, twice
    hits = open_retriever(hashing_settings, embedder).search(question, 2)
    assert [h.path for h in hits] == ["clip.md", "norms.md"]
    assert len(open_retriever(hashing_settings, embedder).search(question, 5)) == 5  # still k hits


def test_answers_read_a_sections_continuation_rather_than_a_weaker_section(hashing_settings, tiny_corpus):
    from index.embedders import HashingEmbedder
    from index.retriever import Retriever
    from service.answer_config import AnswerConfig
    from service.answering import AnswerPipeline
    from service.ingestion import SourceRequest, ingest_sources

    emb = HashingEmbedder()
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    r = Retriever.open(hashing_settings.home, emb)
    asked = []
    search = r.search
    r.search = lambda *a, **kw: asked.append(kw.get("diverse")) or search(*a, **kw)
    AnswerPipeline(retriever=lambda: r, generator=None, cfg=AnswerConfig(generate=False)).answer(
        "what is a CNN?"
    )
    assert asked == [False]
