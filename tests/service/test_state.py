"""The server's state follows the data dir: a new version or a registry change reopens the index."""

from __future__ import annotations

from dataclasses import replace

from index.embedders import HashingEmbedder
from index.registry import SourceRegistry
from service.ingestion import SourceRequest, ingest_sources
from service.state import build_state


def test_a_priority_set_while_serving_takes_effect_next_request(hashing_settings, tiny_corpus, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.md").write_text("# My notes\n\nConvolution layers slide filters over images, I learned.\n")
    settings = hashing_settings.model_copy(update={"answer_generate": False})
    ingest_sources(settings, HashingEmbedder(), [SourceRequest(str(tiny_corpus)), SourceRequest(str(notes))])
    state = build_state(settings)
    first = state.retriever()
    assert state.retriever() is first  # nothing changed: the same retriever, no reopening per request
    registry = SourceRegistry(settings.home)
    spec = next(s for s in registry.list() if s.spec.endswith("notes"))
    registry.upsert(replace(spec, priority=3.0))
    registry.close()
    second = state.retriever()
    assert second is not first and second.version == first.version
    hits = second.search("convolution layers filters images", 3)
    assert hits[0].path == "mine.md"
