"""The refresh schedule re-ingests remote (git, web) sources as background ingest jobs."""

from __future__ import annotations

from types import SimpleNamespace

from service.jobs import JobRunner
from service.schedule import RefreshSchedule, refresh_remote_sources
from tests.waiting import wait_until


def test_schedule_starts_refresh_jobs(hashing_settings):
    state = SimpleNamespace(ready=True, jobs=JobRunner(), settings=hashing_settings, embedder=None)
    schedule = RefreshSchedule(lambda: state, 0.05).start()

    def two_finished_jobs() -> list:
        jobs = list(state.jobs.jobs.values())
        return jobs if len(jobs) >= 2 and all(j.finished is not None for j in jobs) else []

    wait_until(two_finished_jobs, timeout=30, what="two refresh jobs")
    schedule.stop()
    jobs = [j for j in state.jobs.jobs.values() if j.finished is not None]
    assert jobs and all(j.kind == "ingest" for j in jobs)
    assert all(j.state == "succeeded" and j.result["summary"] == "no remote sources registered" for j in jobs)


def test_refresh_ignores_local_sources(hashing_settings, tiny_corpus):
    from index.embedders import EmbedderConfig, create_embedder
    from service.ingestion import SourceRequest, ingest_sources

    emb = create_embedder(EmbedderConfig(backend="hashing"))
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    state = SimpleNamespace(settings=hashing_settings, embedder=emb)
    assert refresh_remote_sources(state) == {"summary": "no remote sources registered"}
