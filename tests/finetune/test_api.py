"""Fine-tuning over the admin API: a job reports progress then success; hot swap under 5 concurrent asks."""

from __future__ import annotations

import concurrent.futures as cf
import json
import subprocess
import threading

import httpx
import pytest

from tests.conftest import QA_ROWS, RAG, rag_env, write_tiny_corpus
from tests.service.conftest import Server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": "Bearer ft-admin"}


@pytest.fixture(scope="module")
def ft_server(tmp_path_factory, models_dir):
    root = tmp_path_factory.mktemp("ftapi")
    env = {
        "RAG_EMBEDDER_BACKEND": "hashing",
        "RAG_MODELS_DIR": str(models_dir),
        "RAG_LLM_ADAPTER": "none",
        "RAG_LLM_MODEL": "builtin:smollm2-135m-instruct",  # LoRA on the 135M model keeps the test quick
        "RAG_LLM_BACKEND": "transformers",
        "RAG_ADMIN_TOKENS": json.dumps(["ft-admin"]),
        "RAG_LLM_MAX_NEW_TOKENS": "24",
    }
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
    r = httpx.post(
        f"{url}/v1/finetune",
        headers=ADMIN,
        timeout=30,
        json={"name": "api-tiny", "max_steps": 4, "ab_questions": 0, "batch_size": 2},
    )
    assert r.status_code == 202
    job_id = r.json()["id"]
    again = httpx.post(
        f"{url}/v1/finetune", headers=ADMIN, json={"name": "other", "max_steps": 1}, timeout=30
    )
    assert again.status_code == 409  # one fine-tuning job at a time
    seen = []

    def finished_job() -> dict | None:
        # answering keeps working while the job trains
        assert httpx.post(f"{url}/v1/search", json={"query": "optimizers"}, timeout=60).status_code == 200
        job = httpx.get(f"{url}/v1/jobs/{job_id}", headers=ADMIN, timeout=30).json()
        seen.append((job["state"], job["stage"], job["progress"]))
        return job if job["state"] in ("succeeded", "failed") else None

    job = wait_until(finished_job, timeout=600, what="the fine-tuning job", interval=1.0)
    assert job["state"] == "succeeded", job
    assert any(state == "running" and 0 < progress < 1 for state, _, progress in seen), seen
    assert job["result"]["metrics"]["training"]["steps"] == 4
    names = [a["name"] for a in httpx.get(f"{url}/v1/adapters", headers=ADMIN, timeout=30).json()["adapters"]]
    assert "api-tiny" in names

    started = [threading.Event() for _ in range(5)]

    def ask(i: int) -> tuple[int, str]:
        """A streamed answer; the swap happens once every one has sent its first event."""
        body = {"question": f"which optimizers are usual choices? ({i})", "stream": True}
        with httpx.stream("POST", f"{url}/v1/ask", json=body, timeout=300) as r:
            lines = r.iter_lines()
            first = next(lines, "")
            started[i].set()
            last = [first, *lines][-3:]
        return r.status_code, "\n".join(last)

    with cf.ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(ask, i) for i in range(5)]
        wait_until(lambda: all(e.is_set() for e in started), timeout=300, what="five answers in flight")
        swap = httpx.post(f"{url}/v1/adapters/api-tiny/activate", headers=ADMIN, timeout=300)
        results = [f.result() for f in futures]
    assert swap.status_code == 200 and swap.json()["active"] == "api-tiny"
    assert [code for code, _ in results] == [200] * 5
    assert all("event: done" in tail for _, tail in results)  # answers in flight finished on the old weights
    ready = httpx.get(f"{url}/readyz", timeout=30).json()
    assert ready["adapter"] == "api-tiny" and ready["generator"].endswith("+api-tiny")
    assert (
        httpx.post(f"{url}/v1/ask", json={"question": "what are RNNs for?"}, timeout=300).status_code == 200
    )
    missing = httpx.post(f"{url}/v1/adapters/nope/activate", headers=ADMIN, timeout=60)
    assert missing.status_code == 404 and "no adapter" in missing.json()["detail"]
