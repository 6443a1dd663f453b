"""The service's long-lived objects, built once in the app's lifespan and shared by all requests."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from index.embedders import Embedder
from index.retriever import Retriever
from index.versions import VersionStore
from service.answering import AnswerConfig, AnswerPipeline
from service.config import Settings
from service.feedback import FeedbackStore
from service.llm import Generator, create_generator
from service.runtime import build_embedder, open_retriever

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """Owns the embedder, the current retriever (swapped when a new index version appears) and the generator."""

    settings: Settings
    embedder: Embedder
    generator: Generator | None
    feedback: FeedbackStore
    pipeline: AnswerPipeline | None = None
    ready: bool = False
    _retriever: Retriever | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retriever(self) -> Retriever:
        """The retriever of the current index version; reopened when `rag ingest` published a newer one."""
        current = VersionStore(self.settings.home).current()
        if current is None:
            raise FileNotFoundError("no index yet: run `rag ingest SOURCE` (or `make run`) first")
        with self._lock:
            if self._retriever is None or self._retriever.version != current.name:
                self._retriever = open_retriever(self.settings, self.embedder)
                log.info("serving index version %s (%d chunks)", self._retriever.version, self._retriever.size)
            return self._retriever


def build_state(settings: Settings) -> AppState:
    """Load models once; the index is opened lazily so the API starts even before the first ingest."""
    embedder = build_embedder(settings)
    generator = create_generator(settings.llm_config()) if settings.answer_generate else None
    state = AppState(settings=settings, embedder=embedder, generator=generator, feedback=FeedbackStore(settings.home))
    state.pipeline = AnswerPipeline(retriever=state.retriever, generator=generator, cfg=settings.answer_config())
    try:
        state.retriever()
    except FileNotFoundError as exc:
        log.warning("%s", exc)
    state.ready = True
    return state
