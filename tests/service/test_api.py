"""The HTTP API against a real server: OpenAI client, SSE, bad input, concurrency, abstention, feedback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from evaluation.questions import load_questions
from tests.conftest import DEV_SET, ROADMAP
from tests.service.conftest import Server, parse_sse

pytestmark = pytest.mark.slow


def test_health_and_ready(server):
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["chunks"] > 100 and "qwen2.5-coder-0.5b" in ready["generator"]


def test_search_returns_hits_with_offsets(server):
    res = httpx.post(
        f"{server.url}/v1/search", json={"query": "git commit push pull branch", "k": 3}, timeout=30
    )
    hits = res.json()["hits"]
    assert res.status_code == 200 and len(hits) == 3
    assert hits[0]["path"] == "foundations-programming.md"
    assert all(not h["source"].startswith("/") for h in hits)  # no server path in a public response
    text = (ROADMAP / hits[0]["path"]).read_text(encoding="utf-8")
    assert text[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]


def test_ask_json_has_citations(server):
    res = httpx.post(
        f"{server.url}/v1/ask", json={"question": "what git basics should I learn first?"}, timeout=120
    )
    body = res.json()
    assert res.status_code == 200 and body["mode"] in ("generated", "extractive")
    assert body["citations"] and body["citations"][0]["path"] == "foundations-programming.md"
    # the git basics are in the answer or in the verified snippet of the section it cites (greedy output can
    # shift with llama.cpp's reused prompt cache, so the exact sentences are not fixed)
    cited = " ".join(c["snippet"] for c in body["citations"])
    assert "git" in body["answer"].lower() and "commit" in (body["answer"] + cited).lower()


# questions the default model answers in its own words on the roadmap; the first one it does is checked
GENERATED = ["what git basics should I learn first?", "how does a GAN learn to make realistic fakes?"]


def ask_streamed(server, question: str) -> list[tuple[str, dict]]:
    with httpx.stream(
        "POST", f"{server.url}/v1/ask", json={"question": question, "stream": True}, timeout=120
    ) as res:
        assert res.headers["content-type"].startswith("text/event-stream")
        return parse_sse(res.read().decode())


def test_ask_sse_with_plain_http_client(server):
    for question in GENERATED:
        events = ask_streamed(server, question)
        if events[-1][1]["mode"] == "generated":
            break
    kinds = [k for k, _ in events]
    first_token = kinds.index("token")
    assert kinds[0] == "sources" and kinds[-2:] == ["citations", "done"]
    assert events[0][1]["sources"] and not events[0][1]["sources"][0]["url"].startswith("/")
    assert "".join(d["text"] for k, d in events if k == "token") == events[-1][1]["answer"]
    # the model's first sentence shows word by word as drafts before it passes the check
    assert events[-1][1]["mode"] == "generated"
    drafts = [d["text"] for k, d in events[:first_token] if k == "draft"]
    assert set(kinds[1:first_token]) == {"draft"} and drafts[0] and "[" not in "".join(drafts)
    assert events[-1][1]["timings"]["first_draft_ms"] < events[-1][1]["timings"]["ttft_ms"]


def test_openai_client_non_streamed_and_streamed(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.url}/v1", api_key="unused", timeout=120)
    assert [m.id for m in client.models.list()] == ["roadmap-rag"]
    q = [{"role": "user", "content": "what does the roadmap say about convolutional neural networks?"}]
    done = client.chat.completions.create(model="roadmap-rag", messages=q)
    assert "Sources:" in done.choices[0].message.content
    assert done.model_extra["citations"]
    chunks = list(client.chat.completions.create(model="roadmap-rag", messages=q, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "Sources:" in text and chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"]


def test_unanswerable_dev_questions_abstain(server):
    questions = [q for q in load_questions(DEV_SET) if not q.answerable]
    abstained = [
        httpx.post(f"{server.url}/v1/ask", json={"question": q.question}, timeout=120).json()["abstained"]
        for q in questions
    ]
    assert sum(abstained) / len(questions) >= 0.6  # measured 4/6 on this set; README tracks the figure


def test_questions_about_something_else_altogether_are_refused(server):
    # over roadmap + docs, the vLLM page's code holds "The capital of France is": the coverage gate passed it
    for question in ["What is the capital of France?", "give me a recipe for pancakes"]:
        body = httpx.post(f"{server.url}/v1/ask", json={"question": question}, timeout=120).json()
        assert body["abstained"], (question, body["answer"])


def test_twenty_concurrent_asks_all_succeed(server):
    qs = ["what is overfitting?", "how do I tune hyperparameters?", "what is a CNN?", "what is MLOps?"] * 5

    def one(q: str) -> int:
        return httpx.post(f"{server.url}/v1/ask", json={"question": q}, timeout=600).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(one, qs)) == [200] * 20


def test_feedback_is_stored_and_survives_restart(roadmap_home):
    srv = Server(roadmap_home).start()
    try:
        ans = httpx.post(
            f"{srv.url}/v1/ask", json={"question": "what is feature scaling?"}, timeout=120
        ).json()
        res = httpx.post(
            f"{srv.url}/v1/feedback", json={"answer_id": ans["id"], "rating": "up", "comment": "clear"}
        )
        assert res.status_code == 200
        assert (
            httpx.post(f"{srv.url}/v1/feedback", json={"answer_id": "nope", "rating": "up"}).status_code
            == 404
        )
    finally:
        srv.stop()
    from service.feedback import FeedbackStore

    store = FeedbackStore(roadmap_home)
    rows = [r for r in store.feedback("up") if r["answer_id"] == ans["id"]]
    store.close()
    assert rows and rows[0]["question"] == "what is feature scaling?" and rows[0]["comment"] == "clear"
