"""Route tests in-process with FastAPI's TestClient: health, search, ask (JSON and SSE), bad input, admin
auth, body limits, SSRF and path guards, /metrics, request ids, rate limits, CORS, the widget bundle, errors.

A small app: the hashing embedder over the tiny corpus, extractive answers (no generator loaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from index.embedders import HashingEmbedder
from service.config import Settings
from service.ingestion import SourceRequest, ingest_sources
from tests.conftest import write_tiny_corpus
from tests.service.conftest import parse_sse

TOKEN = "s3cret-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def app_settings(root: Path, **extra) -> Settings:
    allowed = root / "allowed"
    allowed.mkdir(exist_ok=True)
    (allowed / "new.md").write_text("# Gradient clipping\n\nGradient clipping caps the norm of gradients.\n")
    base = dict(
        home=root / "home",
        embedder_backend="hashing",
        answer_generate=False,
        admin_tokens=[TOKEN],
        rate_limit="",  # test_rate_limit_answers_429 has an app of its own
        max_body_bytes=65536,
        ingest_roots=[allowed],
        cors_origins=["https://course.example"],
    )
    return Settings(**{**base, **extra})


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("routes")
    settings = app_settings(root)
    ingest_sources(settings, HashingEmbedder(), [SourceRequest(str(write_tiny_corpus(root / "corpus")))])
    return root


@pytest.fixture(scope="module")
def client(root: Path):
    with TestClient(create_app(app_settings(root))) as c:
        yield c


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["chunks"] > 0


def test_search_hits_carry_offsets_into_the_document(client, root):
    hits = client.post("/v1/search", json={"query": "convolution filters images", "k": 2}).json()["hits"]
    assert hits and hits[0]["path"] == "deep-learning.md"
    assert hits[0]["source"] == "corpus/deep-learning.md"  # the source's name and the path, no server path
    text = (root / "corpus" / hits[0]["path"]).read_text(encoding="utf-8")
    assert text[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]


def test_ask_json_and_sse_give_the_same_answer(client):
    question = {"question": "what do convolution layers detect in images?"}
    body = client.post("/v1/ask", json=question).json()
    assert body["mode"] == "extractive" and body["citations"][0]["path"] == "deep-learning.md"
    res = client.post("/v1/ask", json={**question, "stream": True})
    events = parse_sse(res.text)
    assert res.headers["content-type"].startswith("text/event-stream")
    assert [e for e, _ in events[-2:]] == ["citations", "done"]
    assert "".join(d["text"] for e, d in events if e == "token") == events[-1][1]["answer"] == body["answer"]


@pytest.mark.parametrize(
    "path,body",
    [
        ("/v1/ask", {"question": ""}),
        ("/v1/ask", {"question": "   "}),
        ("/v1/ask", {"question": "x" * 5000}),
        ("/v1/ask", {"question": 42}),
        ("/v1/ask", {"question": "ok?", "k": 0}),
        ("/v1/ask", {"question": "ok?", "k": 1000}),
        ("/v1/ask", {"question": "ok?", "history": "nope"}),
        ("/v1/search", {"query": "ok", "mode": "fuzzy"}),
        ("/v1/search", {"query": "ok", "k": -1}),
        ("/v1/search", {}),
        ("/v1/feedback", {"answer_id": "abc", "rating": "meh"}),
        ("/v1/chat/completions", {"messages": []}),
        ("/v1/chat/completions", {"messages": [{"role": "assistant", "content": "hi"}]}),
    ],
)
def test_bad_input_is_4xx_with_detail(client, path, body):
    res = client.post(path, json=body)
    assert 400 <= res.status_code < 500 and "detail" in res.json(), res.text


def test_malformed_json_is_422(client):
    res = client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert res.status_code == 422 and "detail" in res.json()


def test_admin_routes_need_a_token(client):
    for method, path, body in (
        ("GET", "/v1/adapters", None),
        ("POST", "/v1/ingest", {"sources": []}),
        ("POST", "/v1/finetune", {"max_steps": 1}),
        ("GET", "/v1/jobs/nope", None),
        ("POST", "/v1/adapters/x/activate", None),
    ):
        r = client.request(method, path, json=body)
        assert r.status_code == 401 and r.json()["detail"], (path, r.text)
        assert (
            client.request(method, path, json=body, headers={"Authorization": "Bearer wrong"}).status_code
            == 403
        )
    r = client.get("/v1/adapters", headers=ADMIN)
    assert r.status_code == 200 and "adapters" in r.json()


def test_unknown_adapter_and_job_are_404(client):
    missing = client.post("/v1/adapters/nope/activate", headers=ADMIN)
    assert missing.status_code == 404 and "no adapter" in missing.json()["detail"]
    assert client.get("/v1/jobs/nope", headers=ADMIN).status_code == 404


def test_a_remote_generator_cannot_take_an_adapter(root):
    with TestClient(create_app(app_settings(root, llm_backend="openai"))) as c:
        r = c.post("/v1/adapters/grounded/activate", headers=ADMIN)  # the shipped adapter exists
    assert r.status_code == 400 and "remote model cannot load" in r.json()["detail"]


def test_oversized_and_chunked_bodies(client):
    r = client.post("/v1/search", content=b"x" * 70_000, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks():
        yield b'{"query": "cnn"}'

    assert (
        client.post("/v1/search", content=chunks(), headers={"content-type": "application/json"}).status_code
        == 411
    )


def test_ssrf_and_path_escapes_are_refused(client, root):
    for src in (
        "http://127.0.0.1:8000/",
        "http://localhost/admin",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/docs",
        "https://[::1]/x",
        str(root / "corpus"),
        str(root / "allowed" / ".." / "corpus"),
        "/etc/passwd",
    ):
        r = client.post("/v1/ingest", json={"sources": [src]}, headers=ADMIN)
        assert r.status_code == 422, (src, r.text)
        assert "private or local" in r.json()["detail"] or "outside the folders" in r.json()["detail"]


def test_metrics_expose_the_named_series(client):
    client.post("/v1/ask", json={"question": "what do CNNs detect in images?"})
    text = client.get("/metrics").text
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


def test_request_ids_come_back(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc123"}).headers["x-request-id"] == "abc123"
    assert client.get("/healthz").headers["x-request-id"]


@pytest.fixture
def limited(root: Path):
    """An app of its own, limited to 40 requests a minute, so its buckets start empty."""
    with TestClient(create_app(app_settings(root, rate_limit="40/minute"))) as c:
        yield c


def test_rate_limit_answers_429(limited):
    key = {"X-API-Key": "one-busy-client"}
    codes = [limited.post("/v1/search", json={"query": "cnn"}, headers=key).status_code for _ in range(45)]
    assert codes.count(429) >= 5 and codes[0] == 200
    r = limited.post("/v1/search", json={"query": "cnn"}, headers=key)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "rate limit" in r.json()["detail"]


def test_cors_allows_only_configured_origins(client):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = client.options("/v1/ask", headers={"Origin": "https://course.example", **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://course.example"
    bad = client.options("/v1/ask", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_widget_bundle_is_cacheable_and_versioned(client):
    r = client.get("/widget.js")
    version = r.headers["x-widget-version"]
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "max-age=3600" in r.headers["cache-control"]
    assert "immutable" in client.get("/widget.js", params={"v": version}).headers["cache-control"]
    assert client.get("/widget.js", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert f"widget.js?v={version}" in client.get("/").text


def test_an_unexpected_error_is_a_500_naming_the_request_id(root, caplog):
    app = create_app(app_settings(root))

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("a bug, not a client error")

    with TestClient(app) as c:
        r = c.get("/boom", headers={"X-Request-ID": "req-42"})
    assert r.status_code == 500 and r.json()["request_id"] == "req-42" and "req-42" in r.json()["detail"]
    assert "a bug" not in r.text  # the message stays in the log, with its traceback
    assert any(rec.exc_info and "a bug" in str(rec.exc_info[1]) for rec in caplog.records)


def test_no_index_is_503(tmp_path):
    with TestClient(create_app(app_settings(tmp_path))) as c:
        r = c.post("/v1/search", json={"query": "cnn"})
    assert r.status_code == 503 and "rag ingest" in r.json()["detail"]


def test_feedback_on_one_answer_keeps_one_row(client):
    res = client.post("/v1/ask", json={"question": "what do convolution layers detect?"})
    assert res.status_code == 200, res.text
    answer = res.json()
    for rating in ("up", "down", "down"):
        assert (
            client.post("/v1/feedback", json={"answer_id": answer["id"], "rating": rating}).status_code == 200
        )
    rows = [r for r in client.app.state.rag.feedback.feedback() if r["answer_id"] == answer["id"]]
    assert [r["rating"] for r in rows] == ["down"]


async def test_the_body_limit_counts_received_bytes_not_headers():
    from service.middleware import BodyTooLarge, _limit_body

    chunks = iter([{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 3)

    async def receive() -> dict:
        return next(chunks)

    limited = _limit_body(receive, 1000)
    await limited()
    with pytest.raises(BodyTooLarge):
        await limited()


def test_a_streamed_chat_completion_keeps_one_id(client):
    body = {"messages": [{"role": "user", "content": "what do convolution layers detect?"}], "stream": True}
    lines = [
        x[6:]
        for x in client.post("/v1/chat/completions", json=body).text.splitlines()
        if x.startswith("data: ")
    ]
    chunks = [json.loads(x) for x in lines if x != "[DONE]"]
    assert len({c["id"] for c in chunks}) == 1 and chunks[-1]["rag_answer_id"]
    citations = chunks[-1]["citations"]
    assert citations and all(len(c["title"]) <= 80 for c in citations)


def test_api_docs_load_nothing_from_another_host(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "roadmap-rag" in html and "cdn." not in html and "https://" not in html, page
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_document_view_renders_markdown_with_the_cited_span_marked(client):
    hit = client.post("/v1/search", json={"query": "convolution filters images", "k": 1}).json()["hits"][0]
    assert hit["path"] == "deep-learning.md"
    view = client.get(
        "/v1/documents/view", params={"source": hit["source"], "start": hit["start"], "end": hit["end"]}
    )
    page = view.text
    assert view.status_code == 200 and "<h1>" in page and '<mark id="cited" class="cited">' in page
    cited = page.split('<mark id="cited" class="cited">', 1)[1].split("</mark>", 1)[0]
    assert "onvolution" in cited and ("<h" in cited or "<p>" in cited)  # rendered blocks, not raw markdown
    rst = client.get(
        "/v1/documents/view", params={"source": hit["source"].replace("deep-learning.md", "cv.rst")}
    )
    assert rst.status_code == 200 and "<h2>" in rst.text and "=====" not in rst.text  # rst rendered too


def test_markdown_in_the_document_view_cannot_inject_html():
    from service.routes.documents import render_text

    out = render_text("# T\n\n<script>alert(1)</script> [x](javascript:alert(1)) **bold**\n", "markdown")
    assert "<script>" not in out and "&lt;script&gt;" in out and 'href="javascript' not in out
    assert "<strong>bold</strong>" in out


def test_which_syntax_each_document_renders_as():
    from service.routes.documents import text_syntax

    assert (
        text_syntax("notes/a.md", "x")
        == text_syntax("torch.nn.Dropout", "# torch.nn.Dropout\n")
        == "markdown"
    )
    assert text_syntax("docs/cv.rst", "# not a heading in rst\n") == "rst"
    assert text_syntax("train.py", "# comment") == text_syntax("notes.txt", "# x") == "plain"


RST = """.. _grid:

=====================
Tuning hyper-parameters
=====================

.. currentmodule:: sklearn.model_selection

Use :class:`~sklearn.model_selection.GridSearchCV` or ``RandomizedSearchCV``; see
`the guide <https://example.org/guide>`_. The grid::

  param_grid = {"C": [1, 10]}

Exhaustive search
-----------------

.. code-block:: python

   search = GridSearchCV(svc, param_grid)
   search.fit(X, y)

.. note::
   Fitting <every> candidate is slow.

>>> search.best_params_
{'C': 10}
"""


def test_rst_renders_as_readable_escaped_html():
    from service.routes.documents import render_text

    out = render_text(RST, "rst")
    assert "<h2>Tuning hyper-parameters</h2>" in out and "<h3>Exhaustive search</h3>" in out
    assert "<code>GridSearchCV</code>" in out and "<code>RandomizedSearchCV</code>" in out
    assert '<a href="https://example.org/guide">the guide</a>' in out and "The grid:</p>" in out
    assert out.count("<pre><code") == 3 and 'class="language-python"' in out
    assert "search.fit(X, y)\n</code>" in out and "param_grid = {&quot;C&quot;: [1, 10]}" in out
    assert "<strong>Note:</strong>" in out and "&lt;every&gt;" in out
    assert ".. " not in out and "currentmodule" not in out and ":class:" not in out and "====" not in out


def test_links_followed_over_the_api_keep_to_the_address_guard(client, root):
    """The note links a loopback docs site: the API's crawl refuses the private address on its first hop, the
    note itself is indexed, and the job says which site was skipped and why."""
    from tests.docsite import serve_docsite
    from tests.waiting import wait_until

    site, server = serve_docsite()
    try:
        note = root / "allowed" / "zebra-notes.md"
        note.write_text(f"# Zebra notes\n\nDocs at http://127.0.0.1:{site.port}/docs/index.html for later.\n")
        r = client.post(
            "/v1/ingest",
            json={"sources": [str(note)], "follow_links": True, "link_domains": [f"127.0.0.1:{site.port}"]},
            headers=ADMIN,
        )
        assert r.status_code == 202, r.text

        def finished():
            job = client.get(f"/v1/jobs/{r.json()['id']}", headers=ADMIN).json()
            return job if job["state"] in ("succeeded", "failed") else None

        job = wait_until(finished, 60, "the ingest job")
        assert job["state"] == "succeeded", job
        skipped = job["result"]["skipped"]
        assert len(skipped) == 1 and "private or local" in skipped[0] and site.arrived == []
    finally:
        site.release.set()
        server.shutdown()
