"""Fine-tuning over the admin API: a job reports progress then success; hot swap under 5 concurrent asks."""
from __future__ import annotations

import concurrent.futures as cf
import json
import subprocess
import time

import httpx
import pytest

from tests.conftest import QA_ROWS, RAG, rag_env, write_tiny_corpus
from tests.service.conftest import Server

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": "Bearer ft-admin"}


@pytest.fixture(scope="module")
def ft_server(tmp_path_factory, models_dir):
    root = tmp_path_factory.mktemp("ftapi")
    env = {"RAG_EMBEDDER_BACKEND": "hashing", "RAG_MODELS_DIR": str(models_dir), "RAG_LLM_ADAPTER": "none",
           "RAG_ADMIN_TOKENS": json.dumps(["ft-admin"]), "RAG_LLM_MAX_NEW_TOKENS": "24"}
    corpus = write_tiny_corpus(root / "corpus")
    home_env = rag_env(root / "home", **env)
    subprocess.run([*RAG, "ingest", str(corpus), "--quiet"], env=home_env, check=True, timeout=300)
    qa = root / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(r) for r in QA_ROWS))
    subprocess.run([*RAG, "finetune", "data", "add", str(qa)], env=home_env, check=True, timeout=120)
    srv = Server(root / "home", **env).start()
    yield srv
    srv.stop()


def test_job_reports_progress_then_success_and_hot_swap_loses_nothing(ft_server):
    url = ft_server.url
    r = httpx.post(f"{url}/v1/finetune", headers=ADMIN, timeout=30,
                   json={"name": "api-tiny", "max_steps": 4, "ab_questions": 0, "batch_size": 2})
    assert r.status_code == 202
    job_id = r.json()["id"]
    again = httpx.post(f"{url}/v1/finetune", headers=ADMIN, json={"name": "other", "max_steps": 1}, timeout=30)
    assert again.status_code == 409  # one fine-tuning job at a time
    seen, deadline = [], time.time() + 600
    while time.time() < deadline:
        # answering keeps working while the job trains
        assert httpx.post(f"{url}/v1/search", json={"query": "optimizers"}, timeout=60).status_code == 200
        job = httpx.get(f"{url}/v1/jobs/{job_id}", headers=ADMIN, timeout=30).json()
        seen.append((job["state"], job["stage"], job["progress"]))
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(1)
    assert job["state"] == "succeeded", job
    assert any(state == "running" and 0 < progress < 1 for state, _, progress in seen), seen
    assert job["result"]["metrics"]["training"]["steps"] == 4
    names = [a["name"] for a in httpx.get(f"{url}/v1/adapters", headers=ADMIN, timeout=30).json()["adapters"]]
    assert "api-tiny" in names

    def ask(i: int) -> int:
        return httpx.post(f"{url}/v1/ask", json={"question": f"which optimizers are usual choices? ({i})"},
                          timeout=300).status_code

    with cf.ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(ask, i) for i in range(5)]
        time.sleep(0.5)
        swap = httpx.post(f"{url}/v1/adapters/api-tiny/activate", headers=ADMIN, timeout=300)
        codes = [f.result() for f in futures]
    assert swap.status_code == 200 and swap.json()["active"] == "api-tiny"
    assert codes == [200] * 5
    ready = httpx.get(f"{url}/readyz", timeout=30).json()
    assert ready["adapter"] == "api-tiny" and ready["generator"].endswith("+api-tiny")
    assert httpx.post(f"{url}/v1/ask", json={"question": "what are RNNs for?"}, timeout=300).status_code == 200
    missing = httpx.post(f"{url}/v1/adapters/nope/activate", headers=ADMIN, timeout=60)
    assert missing.status_code == 404 and "no adapter" in missing.json()["detail"]
