"""The service's long-lived objects, built once in the app's lifespan and shared by all requests."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.embedders import Embedder
from index.retriever import Retriever
from index.versions import IndexCorruptError, NoIndexError, VersionStore
from service.adapters import AdapterUnsupported, resolve_adapter
from service.answering import AnswerPipeline
from service.config import Settings
from service.feedback import FeedbackStore
from service.jobs import JobRunner
from service.llm import Generator, create_generator
from service.runtime import build_embedder, open_retriever

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """Owns the embedder, the current retriever (swapped when a new index version appears) and the
    generator."""

    settings: Settings
    embedder: Embedder
    generator: Generator | None
    feedback: FeedbackStore
    pipeline: AnswerPipeline | None = None
    ready: bool = False
    jobs: JobRunner = field(default_factory=JobRunner)
    active_adapter: str = ""
    metrics: object | None = None  # service.metrics.Metrics, set by the app
    _retriever: Retriever | None = None
    _opened: tuple = ()  # (index version, registry stamp) the retriever was opened for
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retriever(self) -> Retriever:
        """The current index version; reopened when `rag ingest` published a newer one, or when the source
        registry changed (`rag ingest DIR --priority N` while serving takes effect at the next request)."""
        current = VersionStore(self.settings.home).current()
        if current is None:
            raise NoIndexError("no index yet: run `rag ingest SOURCE` (or `make run`) first")
        key = (current.name, _registry_stamp(self.settings.home))
        with self._lock:
            if self._retriever is None or self._opened != key:
                self._retriever, self._opened = open_retriever(self.settings, self.embedder), key
                log.info(
                    "serving index version %s (%d chunks)", self._retriever.version, self._retriever.size
                )
            return self._retriever

    def activate_adapter(self, name: str) -> str:
        """Load a generator with adapter `name` ('none': the base model) and swap it in between requests.

        Answers in flight keep the pipeline (and weights) they started with; new ones get the new pipeline."""
        path = "" if name == "none" else resolve_adapter(name, self.settings.home)  # 404 before 400
        if self.settings.generator_backend() not in ("transformers", "llamacpp"):
            raise AdapterUnsupported(
                "adapters need an embedded generator (RAG_LLM_BACKEND=llamacpp or transformers): "
                "a remote model cannot load them"
            )
        generator = create_generator(replace(self.settings.llm_config(), adapter=path))
        cfg = self.settings.answer_config(path)
        pipeline = AnswerPipeline(retriever=self.retriever, generator=generator, cfg=cfg)
        with self._lock:
            self.generator, self.pipeline, self.active_adapter = (
                generator,
                pipeline,
                "" if name == "none" else name,
            )
        log.info("answering with adapter %s", name)
        return self.active_adapter


def _registry_stamp(home: Path) -> tuple[int, ...]:
    """Modification times of the registry's files: a stat per request, not a query."""
    paths = (home / "registry.sqlite", home / "registry.sqlite-wal")
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


def build_state(settings: Settings) -> AppState:
    """Load models once; the index is opened lazily so the API starts even before the first ingest."""
    embedder = build_embedder(settings)
    generator = create_generator(settings.llm_config()) if settings.answer_generate else None
    adapter = settings.adapter_path()
    state = AppState(
        settings=settings,
        embedder=embedder,
        generator=generator,
        feedback=FeedbackStore(settings.home),
        active_adapter=Path(adapter).parent.name if adapter else "",
        jobs=JobRunner(
            aliases={str(Path(settings.home).resolve()): "RAG_HOME", str(settings.home): "RAG_HOME"}
        ),
    )
    state.pipeline = AnswerPipeline(
        retriever=state.retriever, generator=generator, cfg=settings.answer_config()
    )
    try:
        state.retriever()
    except (FileNotFoundError, IndexCorruptError) as exc:  # serve anyway: each request says what is wrong
        log.error("%s", exc)
    state.ready = True
    return state
