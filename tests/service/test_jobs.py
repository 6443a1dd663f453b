"""The job registry: states, one job per kind, and a bounded history of finished jobs."""

from __future__ import annotations

import pytest

from service.jobs import JobRunner
from tests.waiting import wait_until


def wait(job, timeout: float = 5.0) -> None:
    wait_until(lambda: job.finished is not None, timeout, f"job {job.id} to finish", interval=0.01)


def test_jobs_report_success_and_failure():
    runner = JobRunner()
    ok = runner.start("a", lambda report: (report("half", 0.5, {"n": 1}), {"done": True})[1])
    wait(ok)
    assert ok.state == "succeeded" and ok.result == {"done": True} and ok.info == {"n": 1}
    bad = runner.start("a", lambda report: 1 / 0)
    wait(bad)
    assert bad.state == "failed" and "division" in bad.error


def test_one_running_job_per_kind():
    runner = JobRunner()
    gate = __import__("threading").Event()
    first = runner.start("ingest", lambda report: gate.wait(5) and {})
    with pytest.raises(RuntimeError, match="already running"):
        runner.start("ingest", lambda report: {})
    gate.set()
    wait(first)


def test_only_the_newest_finished_jobs_are_kept():
    runner = JobRunner(keep_finished=3)
    ids = []
    for _ in range(6):
        job = runner.start("x", lambda report: {})
        wait(job)
        ids.append(job.id)
    last = runner.start("x", lambda report: {})
    wait(last)
    assert [runner.get(i) is not None for i in ids] == [False, False, False, True, True, True]
    assert runner.get(last.id) is not None


def test_server_paths_in_job_errors_are_shown_by_alias():
    runner = JobRunner(aliases={"/srv/rag-home": "RAG_HOME"})

    def fail(report):
        raise OSError("cannot write /srv/rag-home/versions/v000002/dense.faiss")

    job = runner.start("ingest", fail)
    wait(job)
    assert job.error == "cannot write RAG_HOME/versions/v000002/dense.faiss"
