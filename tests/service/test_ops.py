"""A re-index job over real HTTP while clients search: answering continues and the version swaps once
(a small server: hashing embedder, extractive answers). Route-level checks are in test_routes.py."""

from __future__ import annotations

import concurrent.futures as cf
import json
import subprocess
import time

import httpx
import pytest

from tests.conftest import RAG, rag_env, write_tiny_corpus
from tests.service.conftest import Server

TOKEN = "s3cret-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    root = tmp_path_factory.mktemp("ops")
    corpus = write_tiny_corpus(root / "corpus")
    extra = root / "allowed"
    extra.mkdir()
    (extra / "new.md").write_text(
        "# Gradient clipping\n\nGradient clipping caps the norm of gradients so that "
        "training of recurrent networks stays stable.\n"
    )
    env = {
        "RAG_EMBEDDER_BACKEND": "hashing",
        "RAG_ANSWER_GENERATE": "false",
        "RAG_ADMIN_TOKENS": json.dumps([TOKEN]),
        "RAG_RATE_LIMIT": "",  # 50+ searches a minute from one address; limits are tested in test_routes.py
        "RAG_MAX_BODY_BYTES": "65536",
        "RAG_INGEST_ROOTS": json.dumps([str(extra)]),
        "RAG_CORS_ORIGINS": json.dumps(["https://course.example"]),
    }
    subprocess.run(
        [*RAG, "ingest", str(corpus), "--quiet"], env=rag_env(root / "home", **env), check=True, timeout=300
    )
    srv = Server(root / "home", **env)
    srv.root, srv.extra = root, extra
    srv.start()
    yield srv
    srv.stop()


def test_reindex_while_clients_ask(ops):
    before = httpx.get(f"{ops.url}/readyz", timeout=30).json()

    def ask(i: int) -> tuple[int, str, float, float]:
        t0 = time.monotonic()
        r = httpx.post(
            f"{ops.url}/v1/search",
            json={"query": f"gradient clipping recurrent {i}", "k": 3},
            timeout=60,
            headers={"X-API-Key": f"client-{i % 10}"},
        )
        return r.status_code, r.json().get("index_version", ""), t0, time.monotonic()

    pool = cf.ThreadPoolExecutor(10)
    results = list(pool.map(ask, range(10)))  # on the old version
    running = [pool.submit(ask, i) for i in range(10)]  # in flight while the job starts
    job = httpx.post(
        f"{ops.url}/v1/ingest", json={"sources": [str(ops.extra)]}, headers=ADMIN, timeout=30
    ).json()
    results += [f.result() for f in running]
    with pool:
        deadline = time.time() + 120
        while time.time() < deadline:
            results += list(pool.map(ask, range(10)))
            state = httpx.get(f"{ops.url}/v1/jobs/{job['id']}", headers=ADMIN, timeout=30).json()
            if state["state"] in ("succeeded", "failed"):
                break
    assert state["state"] == "succeeded", state
    results += list(cf.ThreadPoolExecutor(10).map(ask, range(10)))
    assert all(code == 200 for code, *_ in results), [c for c, *_ in results if c != 200]
    old, new = before["version"], results[-1][1]
    assert {v for _, v, *_ in results} == {old, new} and new != old
    # The swap happens once: after any answer from the new version has come back, no request that starts
    # later is served by the old one.
    first_new_end = min(end for _, v, _, end in results if v == new)
    assert all(v == new for _, v, start, _ in results if start > first_new_end)
    hits = httpx.post(f"{ops.url}/v1/search", json={"query": "gradient clipping"}, timeout=30).json()["hits"]
    assert hits[0]["path"] == "new.md"
