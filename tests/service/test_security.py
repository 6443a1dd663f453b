"""The attacks of the security review, replayed against a real `rag serve` on loopback: each is refused.

A small server (hashing embedder, extractive answers) with an admin token, RAG_INGEST_ROOTS set and a body
limit of 64 KB; `docs/reliability.md` lists each threat with its guard and the test here."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import RAG, rag_env, write_tiny_corpus
from tests.service.conftest import Server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
TOKEN = "sec-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "TOP-SECRET-zebra-credentials-42"


def env_for(root: Path, **extra: str) -> dict[str, str]:
    return {
        "RAG_EMBEDDER_BACKEND": "hashing",
        "RAG_ANSWER_GENERATE": "false",
        "RAG_ADMIN_TOKENS": json.dumps([TOKEN]),
        "RAG_MAX_BODY_BYTES": "65536",
        "RAG_INGEST_ROOTS": json.dumps([str(root / "allowed")]),
        "RAG_RATE_LIMIT": "",
        **extra,
    }


@pytest.fixture(scope="module")
def sec(tmp_path_factory):
    root = tmp_path_factory.mktemp("sec")
    corpus = write_tiny_corpus(root / "allowed" / "corpus")
    (root / "outside").mkdir()
    (root / "outside" / "secret.md").write_text(f"# Secret\n\n{SECRET} lives outside the allowed roots.\n")
    import subprocess

    env = env_for(root)
    subprocess.run([*RAG, "ingest", str(corpus), "--quiet"], env=rag_env(root / "home", **env), check=True)
    srv = Server(root / "home", **env).start()
    srv.root = root
    yield srv
    srv.stop()


def finished(srv: Server, job_id: str) -> dict:
    def done() -> dict | None:
        job = httpx.get(f"{srv.url}/v1/jobs/{job_id}", headers=ADMIN, timeout=30).json()
        return job if job["state"] in ("succeeded", "failed") else None

    return wait_until(done, timeout=120, what=f"job {job_id}")


def never_served(srv: Server, text: str) -> None:
    hits = httpx.post(f"{srv.url}/v1/search", json={"query": text, "mode": "bm25"}, timeout=30).json()["hits"]
    assert all(text not in h["text"] for h in hits)


def test_d1_unknown_scheme_cannot_reach_outside_the_roots(sec):
    depth = "../" * (len(Path.cwd().parts) + 2)
    attack = f"x://8.8.8.8/{depth}{str(sec.root / 'outside').lstrip('/')}"
    r = httpx.post(f"{sec.url}/v1/ingest", json={"sources": [attack]}, headers=ADMIN, timeout=30)
    assert r.status_code == 422 and "unknown scheme" in r.json()["detail"]
    never_served(sec, SECRET)


def test_d2_symlinks_out_of_an_allowed_root_are_skipped(sec):
    linkdir = sec.root / "allowed" / "linkdir"
    linkdir.mkdir()
    (linkdir / "passwd.md").symlink_to(sec.root / "outside" / "secret.md")
    (linkdir / "fine.md").write_text("# Fine\n\nA page that really lives in the allowed folder.\n")
    r = httpx.post(f"{sec.url}/v1/ingest", json={"sources": [str(linkdir)]}, headers=ADMIN, timeout=30)
    assert r.status_code == 202
    assert finished(sec, r.json()["id"])["state"] == "succeeded"
    never_served(sec, SECRET)
    view = httpx.get(f"{sec.url}/v1/documents/view", params={"source": "linkdir/passwd.md"}, timeout=30)
    assert view.status_code == 404
    assert httpx.get(f"{sec.url}/v1/documents/view", params={"source": "linkdir/fine.md"}).status_code == 200


def raw_request(url: str, head: str, body_chunks: int = 0) -> str:
    """Send raw HTTP/1.1 (headers the way an attacker writes them); returns the status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode())
        try:
            for _ in range(body_chunks):  # 1 MB chunks until the server hangs up
                s.sendall(b"100000\r\n" + b"x" * 0x100000 + b"\r\n")
        except OSError:
            pass
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def server_rss_mb(srv: Server) -> float:
    status = Path(f"/proc/{srv.proc.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def test_d3_a_body_with_two_framings_is_refused_unread(sec):
    before = server_rss_mb(sec)
    head = (
        "POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 20\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert raw_request(sec.url, head, body_chunks=50).split(" ")[1] == "400"
    assert server_rss_mb(sec) - before < 30  # 50 MB were offered; the server did not buffer them


def test_d5_refused_requests_do_not_grow_metrics(sec):
    def series() -> int:
        return httpx.get(f"{sec.url}/metrics", timeout=30).text.count("rag_requests_total{")

    before = series()
    for i in range(60):
        head = f"POST /card-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"
        assert raw_request(sec.url, head).split(" ")[1] == "413"
        httpx.get(f"{sec.url}/nope-{i}", timeout=30)
        httpx.request(f"X{i}", f"{sec.url}/healthz", timeout=30)  # a made-up method is client text as well
    text = httpx.get(f"{sec.url}/metrics", timeout=30).text
    assert "card-" not in text and "nope-" not in text and 'method="X1"' not in text
    # bounded, not one per path or method: (unmatched, POST, 413), (unmatched, GET, 404),
    # (/healthz, other, 405), (/metrics, GET, 200)
    assert series() - before <= 4


def test_d7_public_responses_carry_no_server_path(sec):
    ask = httpx.post(f"{sec.url}/v1/ask", json={"question": "what do convolution layers detect?"}, timeout=60)
    search = httpx.post(f"{sec.url}/v1/search", json={"query": "convolution filters"}, timeout=30)
    for body in (ask.text, search.text):
        assert str(sec.root) not in body and "/tmp/" not in body
    source = ask.json()["citations"][0]["source"]
    assert source == "corpus/deep-learning.md"
    view = httpx.get(f"{sec.url}/v1/documents/view", params={"source": source}, timeout=30)
    assert view.status_code == 200 and "<mark" in view.text
    assert "default-src 'none'" in view.headers["content-security-policy"]
    assert view.headers["x-content-type-options"] == "nosniff"


def test_api_pydoc_is_limited_to_the_documented_frameworks(sec):
    r = httpx.post(f"{sec.url}/v1/ingest", json={"sources": ["pydoc:antigravity"]}, headers=ADMIN, timeout=30)
    assert r.status_code == 422 and "documents only" in r.json()["detail"]


def test_d4_made_up_keys_do_not_escape_the_rate_limit(tmp_path):
    write_tiny_corpus(tmp_path / "allowed" / "corpus")
    srv = Server(tmp_path / "home", **env_for(tmp_path, RAG_RATE_LIMIT="20/minute")).start(
        ready=lambda r: r.status_code in (200, 503)
    )
    try:
        codes = [
            httpx.post(
                f"{srv.url}/v1/search", json={"query": "x"}, headers={"X-API-Key": f"k{i}"}
            ).status_code
            for i in range(30)
        ]
        assert 429 in codes and codes.count(429) >= 9, codes
        admin = [
            httpx.get(f"{srv.url}/v1/jobs/x", headers={"Authorization": f"Bearer guess{i}"})
            for i in range(25)
        ]
        assert admin[-1].status_code == 429  # guessing the admin token is rate-limited too
    finally:
        srv.stop()
