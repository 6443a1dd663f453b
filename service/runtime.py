"""Build the long-lived parts (embedder, retriever) from settings, once per process."""

from __future__ import annotations

import logging
from pathlib import Path

from index.embedders import Embedder, create_embedder
from index.registry import SourceRegistry
from index.retriever import Retriever
from service.config import Settings

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
ROADMAP_REPO = "https://github.com/3XCeptional/Data-Science-Roadmap"
DEFAULT_PYDOC = (
    "pydoc:torch.nn",
    "pydoc:sklearn",
    "pydoc:transformers.trainer",
    "pydoc:transformers.pipelines",
    "pydoc:peft",
    "pydoc:faiss",
)


def default_sources(api_docs: bool = True) -> list[str]:
    """The project's own docs, the bundled reference models' cards, API docs of the named frameworks.

    Not the README: its measurement sections quote dev-set questions and answers, so "what is a CNN?" was
    answered from the project's eval notes instead of the roadmap. Not the reference models' code either:
    "what is a CNN?" was answered with cnn.py's import lines, "CNN vs RNN?" with the API's request schema;
    the cards say in prose what each model is, how it is trained and where its code is.

    `api_docs=False` leaves out the pydoc pages, for an index that holds the framework docs themselves:
    beside them, the pages' short API entries crowd out the guides (docs questions 0.860 -> 0.651 recall@5,
    README)."""
    local = [PROJECT_ROOT / "docs", PROJECT_ROOT / "reference" / "cards"]
    return [str(p) for p in local if p.exists()] + (list(DEFAULT_PYDOC) if api_docs else [])


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder; with RAG_EMBED_ENGINE=ray, bulk embedding runs on a Ray cluster."""
    if settings.embed_engine == "ray":
        from index.embedders.ray import RayEmbedder

        return RayEmbedder(
            settings.embedder_config(), actors=settings.ray_actors, address=settings.ray_address or None
        )
    return create_embedder(settings.embedder_config())


def open_retriever(settings: Settings, embedder: Embedder) -> Retriever:
    """The current index version with source priorities from the registry."""
    registry = SourceRegistry(settings.home)
    priorities = registry.priorities()
    registry.close()
    return Retriever.open(
        settings.home,
        embedder,
        cfg=settings.retrieval_config(),
        vectors_cfg=settings.vectors_config(),
        priorities=priorities,
    )
