"""A real `rag serve` on a free port over the roadmap, with the real embedded models (once per session)."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import RAG, rag_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, home: Path, **env: str) -> None:
        self.home, self.port, self.env = home, free_port(), env
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, ready=lambda r: r.status_code == 200) -> "Server":
        """Start `rag serve` and wait until /readyz answers as `ready` says (default: 200, models and index up)."""
        self.proc = subprocess.Popen([*RAG, "serve", "--port", str(self.port)], env=rag_env(self.home, **self.env),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                res = httpx.get(f"{self.url}/readyz", timeout=2)
                if ready(res):
                    return self
                if res.json().get("status") == "failed":
                    raise RuntimeError(f"rag serve failed to start: {res.json().get('detail')}")
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("rag serve exited during start-up")
            time.sleep(0.5)
        raise RuntimeError("rag serve did not become ready")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server(roadmap_home: Path):
    srv = Server(roadmap_home).start()
    yield srv
    srv.stop()
