"""Background jobs (fine-tuning, re-indexing): one thread each, their state readable at any time."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A job's public state: queued -> running -> succeeded | failed."""

    id: str
    kind: str
    state: str = "queued"
    stage: str = ""
    progress: float = 0.0
    info: dict = field(default_factory=dict)
    result: dict | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class JobRunner:
    """Runs jobs in daemon threads; at most one job of a kind at a time (a second one is refused).

    Finished jobs are kept for `GET /v1/jobs/{id}` up to `keep_finished`, oldest dropped first, so a server
    that re-indexes on a schedule for months does not grow without bound."""

    def __init__(self, keep_finished: int = 100, aliases: dict[str, str] | None = None) -> None:
        self.jobs: dict[str, Job] = {}
        self.keep_finished = keep_finished
        # Server paths in a job's error are shown by their alias ("RAG_HOME"); the log keeps the full text.
        self.aliases = sorted((aliases or {}).items(), key=lambda kv: -len(kv[0]))
        self._lock = threading.Lock()

    def _alias(self, text: str) -> str:
        for path, alias in self.aliases:
            text = text.replace(path, alias)
        return text

    def _prune(self) -> None:
        finished = [j for j in self.jobs.values() if j.finished is not None]
        for job in sorted(finished, key=lambda j: j.finished)[: max(0, len(finished) - self.keep_finished)]:
            del self.jobs[job.id]

    def running(self, kind: str) -> Job | None:
        return next(
            (j for j in self.jobs.values() if j.kind == kind and j.state in ("queued", "running")), None
        )

    def start(self, kind: str, fn: Callable[[Callable[[str, float, dict], None]], dict]) -> Job:
        with self._lock:
            busy = self.running(kind)
            if busy:
                raise RuntimeError(f"a {kind} job is already running ({busy.id})")
            self._prune()
            job = Job(id=uuid.uuid4().hex[:12], kind=kind)
            self.jobs[job.id] = job

        def report(stage: str, fraction: float, info: dict) -> None:
            job.stage, job.progress = stage, round(max(0.0, min(1.0, fraction)), 4)
            job.info.update(info)

        def run() -> None:
            job.state = "running"
            try:
                job.result = fn(report)
                job.state, job.progress = "succeeded", 1.0
            except Exception as exc:  # noqa: BLE001 - a failed job reports its error instead of dying silently
                log.exception("%s job %s failed", kind, job.id)
                job.state, job.error = "failed", self._alias(str(exc) or type(exc).__name__)
            finally:
                job.finished = time.time()

        threading.Thread(target=run, name=f"job-{kind}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)
