"""Notebooks, PDFs and docs-site HTML as indexed text; the links that --follow-links finds in prose."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ingest.errors import SourceError
from ingest.links import find_urls, linked_sites, load_policy, named_seeds
from ingest.local import read_file
from ingest.notebooks import notebook_to_markdown
from ingest.pdfs import pdf_to_markdown
from tests.docsite import NOTEBOOK
from tests.pdfmaker import make_pdf

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"


def test_a_notebook_keeps_cells_in_order_and_short_text_outputs_only():
    nb = json.loads(json.dumps(NOTEBOOK))
    nb["cells"].append(
        {"cell_type": "code", "source": "df", "metadata": {}, "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": "row\n" * 40}, "metadata": {}}]}
    )  # fmt: skip
    lang, text = notebook_to_markdown(json.dumps(nb))
    assert lang == "python" and text.startswith("# Quokka notebook")
    assert "```python\nprint(2 + 2)\n```\n\nOutput:\n\n```text\n4\n```" in text
    assert "iVBORw0KGgo" not in text and "<Figure>" not in text and "row\nrow" not in text
    assert text.index("97 percent") < text.index("print(2 + 2)") < text.index("```python\ndf\n```")


def test_a_version_3_notebook_and_a_broken_one():
    v3 = {"nbformat": 3, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1"}]}]}
    assert "```python\nx = 1\n```" in notebook_to_markdown(json.dumps(v3))[1]
    with pytest.raises(SourceError, match="not a Jupyter notebook"):
        notebook_to_markdown("{not json")


def test_a_pdf_is_text_by_page_with_page_anchors():
    title, text, anchors = pdf_to_markdown(
        make_pdf(["First page."], [], ["Third (last) page."], title="Study")
    )
    assert title == "Study" and anchors == (("Page 1", "page=1"), ("Page 3", "page=3"))  # page 2 has no text
    assert text == "## Page 1\n\nFirst page.\n\n## Page 3\n\nThird (last) page.\n"
    with pytest.raises(SourceError, match="unreadable PDF"):
        pdf_to_markdown(b"%PDF-1.4 garbage")


def test_local_notebooks_and_pdfs_are_documents(tmp_path: Path):
    (tmp_path / "tour.ipynb").write_text(json.dumps(NOTEBOOK))
    (tmp_path / "paper.pdf").write_bytes(make_pdf(["Axolotl"], ["The axolotl regrows a limb."]))
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    nb = read_file(tmp_path / "tour.ipynb", tmp_path, "src")
    pdf = read_file(tmp_path / "paper.pdf", tmp_path, "src")
    assert nb.kind == pdf.kind == "markdown" and nb.title == "Quokka notebook" and pdf.title == "paper"
    assert pdf.anchors[1] == ("Page 2", "page=2")
    assert read_file(tmp_path / "broken.pdf", tmp_path, "src") is None  # skipped with a warning


def test_docs_site_pages_lose_their_chrome_and_keep_code_and_anchors():
    from evaluation.extraction import score_pages
    from ingest.htmltext import extract_page, html_to_text

    scores = score_pages(SITES, lambda html: html_to_text(html)[1])
    assert scores["chrome_share"] <= 0.02 and scores["content_missing"] == 0, scores
    assert scores["code_blocks"] == 7 and scores["code_broken"] == 0
    labels = json.loads((SITES / "labels.json").read_text())
    for name, label in labels.items():
        anchors = dict(
            (heading.split(". ", 1)[-1], a) for heading, a in extract_page((SITES / name).read_text()).anchors
        )
        assert {h: anchors.get(h) for h in label["anchors"]} == label["anchors"], name


def test_urls_are_found_in_prose_with_and_without_a_scheme():
    text = (
        "Docs (scikit-learn.org/stable/) and [PyTorch](https://pytorch.org/docs/stable/nn.html#dropout). "
        "Mail me@example.org, use sklearn.model_selection, see www.tensorflow.org/api_docs."
    )
    found = find_urls(text)
    assert ("https://scikit-learn.org/stable/", False) in found
    assert ("https://pytorch.org/docs/stable/nn.html", True) in found
    assert ("https://www.tensorflow.org/api_docs", False) in found
    assert not [u for u, _ in found if "example.org" in u]


def test_linked_sites_keep_to_the_allow_list_and_merge_by_folder():
    policy = load_policy(["docs.example:8080"])
    texts = [
        "scikit-learn.org/stable/ and scikit-learn.org/stable/auto_examples/index.html, "
        "pytorch.org/mobile/home/ (not a docs path), http://docs.example:8080/guide/a.html, evil.example/x"
    ]
    sites = {s.start: s.prefix for s in linked_sites(texts, policy)}
    assert sites == {
        "https://scikit-learn.org/stable/": "/stable/",
        "http://docs.example:8080/guide/a.html": "/guide/",
    }
    starts = {s.start: s.starts() for s in linked_sites(texts, policy)}
    assert starts["https://scikit-learn.org/stable/"] == [
        "https://scikit-learn.org/stable/",
        "http://scikit-learn.org/stable/",
    ]
    assert starts["http://docs.example:8080/guide/a.html"] == ["http://docs.example:8080/guide/a.html"]
    seeds = named_seeds(["We use FAISS for search."], policy)
    assert [s.url for s in seeds] == ["https://faiss.ai/"]
    assert not named_seeds(["a faithful answer"], policy)


def test_a_registry_from_before_crawl_bounds_still_opens(tmp_path: Path):
    from index.registry import SourceRegistry
    from ingest.spec import CrawlBounds, SourceSpec

    conn = sqlite3.connect(tmp_path / "registry.sqlite")
    conn.execute(
        "CREATE TABLE sources (spec TEXT PRIMARY KEY, kind TEXT, priority REAL, manifest TEXT, added REAL, "
        "ingested REAL)"
    )
    conn.execute("INSERT INTO sources VALUES ('https://a.example/docs/', 'web', 1.0, '', 0, 0)")
    conn.commit()
    conn.close()
    registry = SourceRegistry(tmp_path)
    assert registry.list() == [SourceSpec("https://a.example/docs/", "web")]
    registry.upsert(SourceSpec("https://b.example/x/", "web", crawl=CrawlBounds(7, 2, "/x/")))
    assert registry.list()[1].crawl == CrawlBounds(7, 2, "/x/")
    registry.close()
