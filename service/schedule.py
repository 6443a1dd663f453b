"""Periodic refresh of remote sources (git repositories, web pages) as ingest jobs, when configured."""

from __future__ import annotations

import logging
import threading

from index.registry import SourceRegistry
from service.ingestion import SourceRequest, ingest_sources

log = logging.getLogger(__name__)
REMOTE_KINDS = ("git", "web")


def refresh_remote_sources(state) -> dict:
    """Re-ingest every registered git and web source (unchanged content embeds nothing)."""
    registry = SourceRegistry(state.settings.home)
    try:
        remote = [s for s in registry.list() if s.kind in REMOTE_KINDS]
    finally:
        registry.close()
    if not remote:
        return {"summary": "no remote sources registered"}
    requests = [SourceRequest(s.spec, s.priority, s.manifest) for s in remote]
    allow = (
        state.settings.ingest_allow_private_urls
    )  # a scheduled refresh is the server's, not the operator's
    report = ingest_sources(state.settings, state.embedder, requests, allow_private=allow)
    return {"summary": report.summary(), "version": report.version, "changed": report.changed}


class RefreshSchedule:
    """Starts a refresh job every `interval_s` seconds (skipped while another ingest job runs)."""

    def __init__(self, get_state, interval_s: float) -> None:
        self.get_state, self.interval_s = get_state, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="refresh-schedule", daemon=True)

    def start(self) -> RefreshSchedule:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            state = self.get_state()
            if state is None or not state.ready:
                continue
            try:
                state.jobs.start("ingest", lambda report, state=state: refresh_remote_sources(state))
            except RuntimeError as exc:  # an ingest job is already running: try at the next tick
                log.info("scheduled refresh skipped: %s", exc)
