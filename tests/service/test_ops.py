"""Operations over real HTTP: admin auth, rate limits, body limits, SSRF and path guards, /metrics, JSON logs,
a re-index job while clients ask, and fine-tuning jobs (a small server: hashing embedder, extractive
answers)."""

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
        "RAG_RATE_LIMIT": "40/minute",
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


def test_admin_routes_need_a_token(ops):
    for method, path, body in (
        ("GET", "/v1/adapters", None),
        ("POST", "/v1/ingest", {"sources": []}),
        ("POST", "/v1/finetune", {"max_steps": 1}),
        ("GET", "/v1/jobs/nope", None),
        ("POST", "/v1/adapters/x/activate", None),
    ):
        r = httpx.request(method, f"{ops.url}{path}", json=body, timeout=30)
        assert r.status_code == 401 and r.json()["detail"], (path, r.text)
        r = httpx.request(
            method, f"{ops.url}{path}", json=body, timeout=30, headers={"Authorization": "Bearer wrong"}
        )
        assert r.status_code == 403
    r = httpx.get(f"{ops.url}/v1/adapters", headers=ADMIN, timeout=30)
    assert r.status_code == 200 and "adapters" in r.json()


def test_oversized_and_chunked_bodies(ops):
    r = httpx.post(
        f"{ops.url}/v1/search", content=b"x" * 70_000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks():
        yield b'{"query": "cnn"}'

    r = httpx.post(f"{ops.url}/v1/search", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 411


def test_ssrf_and_path_escapes_are_refused(ops):
    for src in (
        "http://127.0.0.1:8000/",
        "http://localhost/admin",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/docs",
        "https://[::1]/x",
        str(ops.root / "corpus"),
        str(ops.extra / ".." / "corpus"),
        "/etc/passwd",
    ):
        r = httpx.post(f"{ops.url}/v1/ingest", json={"sources": [src]}, headers=ADMIN, timeout=30)
        assert r.status_code == 422, (src, r.text)
        assert "private or local" in r.json()["detail"] or "outside the folders" in r.json()["detail"]


def test_metrics_expose_the_named_series(ops):
    httpx.post(f"{ops.url}/v1/ask", json={"question": "what do CNNs detect in images?"}, timeout=60)
    text = httpx.get(f"{ops.url}/metrics", timeout=30).text
    for series in (
        "rag_requests_total",
        "rag_request_seconds_bucket",
        "rag_time_to_first_token_seconds",
        "rag_retrieval_seconds",
        "rag_generated_tokens_total",
        "rag_index_chunks",
        "rag_index_version_info",
        "rag_answers_total",
        "rag_jobs",
    ):
        assert series in text, series
    assert 'route="/v1/ask"' in text


def test_request_ids_come_back(ops):
    r = httpx.get(f"{ops.url}/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert httpx.get(f"{ops.url}/healthz").headers["x-request-id"]


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


def test_rate_limit_answers_429(ops):
    codes = [
        httpx.post(
            f"{ops.url}/v1/search",
            json={"query": "cnn"},
            timeout=30,
            headers={"X-API-Key": "one-busy-client"},
        ).status_code
        for _ in range(45)
    ]
    assert codes.count(429) >= 5 and codes[0] == 200
    r = httpx.post(f"{ops.url}/v1/search", json={"query": "cnn"}, headers={"X-API-Key": "one-busy-client"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "rate limit" in r.json()["detail"]


def test_cors_allows_only_configured_origins(ops):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = httpx.options(f"{ops.url}/v1/ask", headers={"Origin": "https://course.example", **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://course.example"
    bad = httpx.options(f"{ops.url}/v1/ask", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_widget_bundle_is_cacheable_and_versioned(ops):
    r = httpx.get(f"{ops.url}/widget.js")
    version = r.headers["x-widget-version"]
    assert (
        r.status_code == 200
        and "javascript" in r.headers["content-type"]
        and "max-age=3600" in r.headers["cache-control"]
    )
    pinned = httpx.get(f"{ops.url}/widget.js", params={"v": version})
    assert "immutable" in pinned.headers["cache-control"]
    assert httpx.get(f"{ops.url}/widget.js", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert f"widget.js?v={version}" in httpx.get(f"{ops.url}/").text
