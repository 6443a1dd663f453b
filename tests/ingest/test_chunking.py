"""Chunking: exact offsets, whole code fences, heading paths and anchors, bounded size."""

from __future__ import annotations

import pytest

from ingest.anchors import AnchorNamer, slugify
from ingest.chunking import ChunkingConfig, approx_tokens, chunk_document
from ingest.documents import Document
from ingest.structure import markdown_sections, python_sections, rst_sections
from tests.conftest import ROADMAP, TINY_MD, TINY_PY, TINY_RST


def doc(text: str, kind: str = "markdown") -> Document:
    return Document(source="s", path="p", text=text, title="T", kind=kind)


def test_offsets_map_back_exactly():
    for text, kind in [(TINY_MD, "markdown"), (TINY_RST, "rst"), (TINY_PY, "python")]:
        for c in chunk_document(doc(text, kind)):
            assert text[c.start : c.end] == c.text


def test_heading_inside_fence_is_not_a_heading():
    titles = [s.title for s in markdown_sections(TINY_MD)]
    assert "a heading-like comment inside a fence is not a heading" not in titles
    assert titles == ["Deep Learning", "Essential Skills", "Optimizers", "Navigation"]


def test_heading_path_and_anchor():
    chunks = chunk_document(doc(TINY_MD), ChunkingConfig(max_chars=300, min_chars=0))
    opt = next(c for c in chunks if "Adam and SGD" in c.text)
    assert opt.heading == "Deep Learning > Essential Skills > Optimizers"
    assert opt.anchor == "optimizers"


def test_fence_never_split_even_when_small_budget():
    chunks = chunk_document(doc(TINY_MD), ChunkingConfig(max_chars=60, max_tokens=20, min_chars=0))
    fence = [c for c in chunks if "```" in c.text]
    assert len(fence) == 1 and fence[0].text.count("```") == 2


def test_chunks_respect_bounds_on_prose():
    text = "# Title\n\n" + " ".join(f"Sentence number {i} talks about gradients." for i in range(200))
    cfg = ChunkingConfig(max_chars=300, max_tokens=80, min_chars=50)
    chunks = chunk_document(doc(text), cfg)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 and approx_tokens(c.text) <= 80 for c in chunks)


def test_rst_sections_by_adornment():
    secs = rst_sections(TINY_RST)
    assert [(s.level, s.title) for s in secs] == [(1, "Cross-validation"), (2, "K-fold")]


def test_rst_literal_block_stays_with_lead_in():
    chunks = chunk_document(doc(TINY_RST, "rst"), ChunkingConfig(min_chars=0))
    kf = next(c for c in chunks if "KFold(n_splits=5)" in c.text)
    assert "Use :func:`KFold`" in kf.text


def test_python_split_at_top_level_defs():
    titles = [s.title for s in python_sections(TINY_PY)]
    assert titles == ["", "def learning_rate", "class Trainer"] or titles == [
        "def learning_rate",
        "class Trainer",
    ]


def test_anchors_follow_github_rules():
    assert (
        slugify("Essential Skills - Programming Basics You Need 🦸‍♂️")
        == "essential-skills---programming-basics-you-need-"
    )
    namer = AnchorNamer()
    assert [namer.name("Navigation"), namer.name("Navigation")] == ["navigation", "navigation-1"]


@pytest.mark.skipif(not ROADMAP.exists(), reason="shared corpus not present")
def test_roadmap_offsets_and_fences():
    for path in sorted(ROADMAP.glob("*.md")):
        text = path.read_text()
        for c in chunk_document(Document(source="r", path=path.name, text=text, kind="markdown")):
            assert text[c.start : c.end] == c.text
            assert c.text.count("```") % 2 == 0, f"{path.name}: fence split at {c.start}"


def test_unit_hints_read_rst_roles_as_their_names():
    from ingest.units import clean_heading, unit_texts

    assert (
        clean_heading("Merging > :meth:`Series.map` and :meth:`DataFrame.map`")
        == "Series.map and DataFrame.map"
    )
    assert clean_heading(":func:`~pandas.concat`") == "pandas.concat"
    assert unit_texts("Concatenate frames along an axis.", ":func:`~pandas.concat`") == [
        "pandas.concat: Concatenate frames along an axis."
    ]
