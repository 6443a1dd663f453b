"""Page-context boost: the document of the page a question is asked on ranks higher in hybrid search."""

from __future__ import annotations

import json

import pytest

from index.embedders import EmbedderConfig, create_embedder
from index.page_context import normalize_url
from index.retriever import Retriever
from service.ingestion import SourceRequest, ingest_sources

TOPIC = "Learning rate schedules decay the step size of gradient descent during training. {}\n"


@pytest.fixture
def two_pages(hashing_settings, tmp_path):
    corpus = tmp_path / "site"
    (corpus / "guide").mkdir(parents=True)
    (corpus / "optim.md").write_text(
        "# Optimizers\n\n" + TOPIC.format("Cosine and step schedules are common.") * 2
    )
    (corpus / "guide" / "training.md").write_text(
        "# Training\n\n" + TOPIC.format("Warm-up helps big batches.")
    )
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"optim.md": "https://docs.example.org/optim.html"}))
    emb = create_embedder(EmbedderConfig(backend="hashing"))
    ingest_sources(hashing_settings, emb, [SourceRequest(str(corpus), manifest=str(manifest))])
    return Retriever.open(hashing_settings.home, emb)


def test_normalize_url():
    assert normalize_url("HTTPS://www.Example.org/a/b/?q=1#x") == "example.org/a/b"
    assert normalize_url("https://example.org/docs/index.html") == "example.org/docs"
    assert normalize_url("not a url") == ""


def test_page_document_is_preferred(two_pages):
    r = two_pages
    q = "how do learning rate schedules decay the step size?"
    plain = r.search(q, k=2)
    assert plain[0].path == "optim.md"  # the richer page wins without context
    on_training = r.search(q, k=2, page_url="https://github.com/me/site/blob/main/guide/training.md#top")
    assert on_training[0].path == "guide/training.md"
    by_url = r.search(q, k=2, page_url="http://docs.example.org/optim.html?ref=nav")
    assert by_url[0].path == "optim.md"
    by_title = r.search(q, k=2, page_title="Training")
    assert by_title[0].path == "guide/training.md"
    unknown = r.search(q, k=2, page_url="https://elsewhere.example.com/page")
    assert [h.id for h in unknown] == [h.id for h in plain]
