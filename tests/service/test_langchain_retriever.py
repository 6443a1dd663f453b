"""The LangChain retriever passes the standard retriever suite of langchain-tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from index.embedders import HashingEmbedder
from index.retriever import Retriever
from service.config import Settings
from service.ingestion import SourceRequest, ingest_sources
from service.langchain import RoadmapRetriever
from tests.conftest import write_tiny_corpus


@pytest.fixture(scope="module")
def tiny_retriever(tmp_path_factory) -> Retriever:
    root = tmp_path_factory.mktemp("lc")
    corpus = write_tiny_corpus(root / "corpus")
    for i in range(8):  # enough chunks for k up to 5 and beyond
        (corpus / f"extra{i}.md").write_text(f"# Topic {i}\n\nNotes on neural networks, part {i}.\n")
    emb = HashingEmbedder()
    ingest_sources(
        Settings(home=root / "home", embedder_backend="hashing"), emb, [SourceRequest(str(corpus))]
    )
    return Retriever.open(root / "home", emb)


class TestRoadmapRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _inject(self, tiny_retriever):
        type(self)._r = tiny_retriever

    @property
    def retriever_constructor(self) -> type[RoadmapRetriever]:
        return RoadmapRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"retriever": type(self)._r}

    @property
    def retriever_query_example(self) -> str:
        return "neural networks"


def test_metadata_carries_citation_fields(tiny_retriever):
    docs = RoadmapRetriever(retriever=tiny_retriever, k=2).invoke("convolution filters")
    assert len(docs) == 2 and {"url", "path", "heading", "start", "end", "score"} <= set(docs[0].metadata)
    meta = docs[0].metadata
    # a local document is named by its source folder and path; its location is the file that was read
    assert meta["source"] == f"corpus/{meta['path']}" and Path(meta["location"]).is_file()
