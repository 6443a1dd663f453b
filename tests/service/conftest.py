"""A real `rag serve` on a free port over the roadmap, with the real embedded models (once per session)."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import RAG, rag_env
from tests.waiting import wait_until


def parse_sse(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        out.append((lines.get("event", ""), json.loads(lines["data"])))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, home: Path, **env: str) -> None:
        self.home, self.port, self.env = home, free_port(), env
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, ready=lambda r: r.status_code == 200) -> Server:
        """Start `rag serve` and wait until /readyz answers as `ready` says (default: 200, models and
        index up)."""
        self.proc = subprocess.Popen(
            [*RAG, "serve", "--port", str(self.port)],
            env=rag_env(self.home, **self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def is_ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError("rag serve exited during start-up")
            try:
                res = httpx.get(f"{self.url}/readyz", timeout=2)
            except httpx.HTTPError:
                return False
            if res.json().get("status") == "failed":
                raise RuntimeError(f"rag serve failed to start: {res.json().get('detail')}")
            return ready(res)

        wait_until(is_ready, timeout=600, what="rag serve to become ready", interval=0.5)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server(roadmap_home: Path):
    # The default generator, with answers capped short: 20 concurrent asks queue on one model.
    srv = Server(roadmap_home, RAG_LLM_MAX_NEW_TOKENS="64").start()
    yield srv
    srv.stop()
