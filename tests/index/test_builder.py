"""Incremental, crash-safe builds with the tiny hashing embedder."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from index.embedders import HashingEmbedder
from index.retriever import Retriever
from index.versions import VersionStore
from ingest.errors import SourceError
from service.ingestion import SourceRequest, index_status, ingest_sources, remove_source
from tests.conftest import RAG, rag_env, write_tiny_corpus


@pytest.fixture
def emb() -> HashingEmbedder:
    return HashingEmbedder()


def test_reingest_unchanged_embeds_nothing(hashing_settings, tiny_corpus, emb):
    first = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    assert first.changed and first.embedded > 0 and first.documents == 3
    again = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    assert not again.changed and again.embedded == 0
    assert VersionStore(hashing_settings.home).current().name == first.version


@pytest.mark.parametrize("version", ["TOKENS_VERSION", "STRUCTURE_VERSION"])
def test_an_index_with_older_tokens_or_structure_is_rebuilt_on_the_next_ingest(
    hashing_settings, tiny_corpus, emb, monkeypatch, version
):
    import index.builder

    first = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    monkeypatch.setattr(index.builder, version, getattr(index.builder, version) + 1)
    again = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    assert again.changed and again.embedded == 0 and again.version != first.version  # vectors reused


def test_edit_reembeds_only_changed_chunks(hashing_settings, tiny_corpus, emb):
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    path = tiny_corpus / "deep-learning.md"
    path.write_text(path.read_text().replace("tune the learning rate first", "tune the batch size first"))
    report = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    assert report.changed and 1 <= report.embedded <= 2 and report.reused > report.embedded
    hits = Retriever.open(hashing_settings.home, emb).search("batch size first", k=1, mode="bm25")
    assert "batch size" in hits[0].text


def test_deleted_file_chunks_go_away(hashing_settings, tiny_corpus, emb):
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    (tiny_corpus / "cv.rst").unlink()
    report = ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    assert report.deleted == 1
    r = Retriever.open(hashing_settings.home, emb)
    assert all(h.path != "cv.rst" for h in r.search("cross-validation folds", k=10))


def test_bad_source_leaves_index_intact(hashing_settings, tiny_corpus, emb):
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    before = index_status(hashing_settings)
    with pytest.raises(SourceError):
        ingest_sources(
            hashing_settings, emb, [SourceRequest(str(tiny_corpus)), SourceRequest("pydoc:no_such_pkg_q")]
        )
    assert index_status(hashing_settings) == before


class FailingEmbedder(HashingEmbedder):
    """Fails while the build embeds, after the sources were loaded (and registered)."""

    def embed(self, texts):
        raise RuntimeError("embedder exploded")

    def embed_with_tokens(self, texts):  # what a build calls when it keeps token vectors
        raise RuntimeError("embedder exploded")


def test_failed_build_puts_the_registry_back(hashing_settings, tiny_corpus, tmp_path, emb):
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus), priority=2.0)])
    before = index_status(hashing_settings)
    other = write_tiny_corpus(tmp_path / "other")
    (other / "extra.md").write_text("# Extra\n\nQuantum machine learning uses qubits.\n")
    with pytest.raises(RuntimeError, match="exploded"):
        ingest_sources(
            hashing_settings,
            FailingEmbedder(),
            [SourceRequest(str(tiny_corpus), priority=1.0), SourceRequest(str(other))],
        )
    assert index_status(hashing_settings) == before  # same sources, same priority, same index


def test_remove_source_and_refresh_all(hashing_settings, tiny_corpus, tmp_path, emb):
    other = write_tiny_corpus(tmp_path / "other")
    (other / "extra.md").write_text("# Extra\n\nQuantum machine learning uses qubits.\n")
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus)), SourceRequest(str(other))])
    assert index_status(hashing_settings)["documents"] == 7
    remove_source(hashing_settings, emb, str(other))
    status = index_status(hashing_settings)
    assert status["documents"] == 3 and [s["spec"] for s in status["sources"]] == [str(tiny_corpus)]
    assert ingest_sources(hashing_settings, emb, []).embedded == 0  # refresh of registered sources


def test_filters_and_modes(hashing_settings, tiny_corpus, emb):
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    r = Retriever.open(hashing_settings.home, emb)
    for mode in ("dense", "bm25", "hybrid"):
        assert r.search("convolution filters images", k=3, mode=mode)
    only_rst = r.search(
        "folds", k=5, filters=__import__("index.retriever").retriever.SearchFilters(path_prefix="cv")
    )
    assert only_rst and all(h.path == "cv.rst" for h in only_rst)
    with pytest.raises(ValueError):
        r.search("x", mode="fuzzy")


def _integrity_ok(home: Path) -> bool:
    current = VersionStore(home).current()
    conn = sqlite3.connect(current / "catalog.sqlite")
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_kill_9_during_ingest_keeps_previous_version(tmp_path: Path, tiny_corpus: Path):
    """Kill an ingest at seeded random moments: the old version stays whole and searchable."""
    home = tmp_path / "home"
    env = rag_env(home, RAG_EMBEDDER_BACKEND="hashing")
    subprocess.run([*RAG, "ingest", str(tiny_corpus), "--quiet"], env=env, check=True, capture_output=True)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(800):
        (big / f"page{i}.md").write_text(
            f"# Page {i}\n\n" + " ".join(f"Topic {i}.{j} covers tensors." for j in range(60))
        )
    # Time one full ingest of the big corpus elsewhere, then kill at seeded random points inside that span.
    t0 = time.perf_counter()
    subprocess.run(
        [*RAG, "ingest", str(big), "--quiet"],
        env=rag_env(tmp_path / "timing", RAG_EMBEDDER_BACKEND="hashing"),
        check=True,
        capture_output=True,
    )
    full_s = time.perf_counter() - t0
    rng = random.Random(7)
    for _ in range(3):
        shutil.rmtree(
            home / "cache", ignore_errors=True
        )  # each attempt re-embeds, so each takes the full time
        proc = subprocess.Popen(
            [*RAG, "ingest", str(big), "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Not a wait for a condition: a seeded random moment to kill at, part-way through the ingest.
        time.sleep(rng.uniform(0.3, 0.8) * full_s)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL, "ingest finished before the kill: make the corpus bigger"
        out = subprocess.run(
            [*RAG, "search", "convolution filters", "--json"], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert _integrity_ok(home)
    done = subprocess.run([*RAG, "ingest", str(big), "--quiet"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    status = subprocess.run([*RAG, "status", "--json"], env=env, capture_output=True, text=True)
    assert '"documents": 803' in status.stdout
