"""A LangChain `BaseRetriever` over the roadmap-rag index, for use in anyone's own chains.

from service.langchain import RoadmapRetriever
retriever = RoadmapRetriever.from_home(".rag", k=5)
docs = retriever.invoke("what is overfitting?")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from index.retriever import Retriever
from service.config import Settings
from service.runtime import build_embedder, open_retriever


class RoadmapRetriever(BaseRetriever):
    """Hybrid (dense + BM25) retrieval; each Document carries the hit's citation fields as metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any = Field(exclude=True)
    k: int = 5
    mode: str = "hybrid"

    @classmethod
    def from_home(cls, home: str | Path = ".rag", **kwargs: Any) -> RoadmapRetriever:
        """Open the current index in a data dir with the configured embedder."""
        settings = Settings(home=Path(home))
        return cls(retriever=open_retriever(settings, build_embedder(settings)), **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        r: Retriever = self.retriever
        hits = r.search(query, kwargs.get("k", self.k), kwargs.get("mode", self.mode))
        return [
            Document(page_content=h.text, metadata={k: v for k, v in h.to_dict().items() if k != "text"})
            for h in hits
        ]
