"""Schemathesis against the service's own OpenAPI schema over real HTTP: no 5xx, responses match the schema.

The request count and the status codes come from the server's own /metrics, so the test measures what the
server saw. `make fuzz` runs the same with many more examples (FUZZ_EXAMPLES)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import RAG, rag_env, write_tiny_corpus
from tests.service.conftest import Server

pytestmark = pytest.mark.slow
TOKEN = "fuzz-admin"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
# Valid calls to these start minutes of training or load a second LLM; they are fuzzed by
# test_admin_routes_reject_bad_input below instead of by random valid bodies.
EXCLUDED = r"^/v1/(finetune|adapters/\{name\}/activate)$"


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    env = {
        "RAG_EMBEDDER_BACKEND": "hashing",
        "RAG_ANSWER_GENERATE": "false",
        "RAG_ADMIN_TOKENS": json.dumps([TOKEN]),
        "RAG_RATE_LIMIT": "",
        "RAG_INGEST_ROOTS": json.dumps([str(root / "corpus")]),
    }
    corpus = write_tiny_corpus(root / "corpus")
    (corpus / "hostile.md").write_text(
        "# Notes\n\nRTL \u202e text, emoji 🧠, zero\u200bwidth and <script>alert(1)</script>.\n"
    )
    subprocess.run(
        [*RAG, "ingest", str(corpus), "--quiet"], env=rag_env(root / "home", **env), check=True, timeout=300
    )
    srv = Server(root / "home", **env).start()
    yield srv
    srv.stop()


def requests_by_status(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    out: dict[str, float] = {}
    for m in re.finditer(r'^rag_requests_total\{[^}]*status="(\d+)"[^}]*\} ([0-9.e+]+)$', text, re.M):
        out[m[1]] = out.get(m[1], 0) + float(m[2])
    return out


def test_schemathesis_finds_no_server_errors(fuzz_server, tmp_path):
    before = requests_by_status(fuzz_server.url)
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{fuzz_server.url}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "7",
        "--exclude-path-regex",
        EXCLUDED,
        "-H",
        f"Authorization: Bearer {TOKEN}",
        "--request-timeout",
        "60",
        "--no-color",
        "--workers",
        "2",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
    after = requests_by_status(fuzz_server.url)
    sent = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    total = sum(sent.values()) - 1  # minus the /metrics call that read `before`
    server_errors = sum(v for k, v in sent.items() if k.startswith("5"))
    report = {
        "requests": total,
        "by_status": sent,
        "examples_per_operation": EXAMPLES,
        "exit": out.returncode,
    }
    Path(os.environ.get("FUZZ_REPORT", tmp_path / "fuzz.json")).write_text(json.dumps(report, indent=2))
    Path(os.environ.get("FUZZ_REPORT", tmp_path / "fuzz.json")).with_suffix(".log").write_text(out.stdout)
    assert server_errors == 0, out.stdout[-4000:]
    # Check failures, not the exit code alone: schemathesis also exits 1 on its own generator errors.
    assert "Failures:" not in out.stdout and re.search(r"\d+ generated", out.stdout), out.stdout[-4000:]
    assert total >= 10 * EXAMPLES  # every operation was exercised


@pytest.mark.parametrize(
    "path,body",
    [
        ("/v1/finetune", {"name": "../etc"}),
        ("/v1/finetune", {"max_steps": -1}),
        ("/v1/finetune", {"epochs": "x"}),
        ("/v1/finetune", {"unknown": 1}),
        ("/v1/adapters/..%2F..%2Fetc/activate", None),
        ("/v1/adapters/missing/activate", None),
    ],
)
def test_admin_routes_reject_bad_input(fuzz_server, path, body):
    r = httpx.post(
        f"{fuzz_server.url}{path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    assert 400 <= r.status_code < 500 and r.json()["detail"]
