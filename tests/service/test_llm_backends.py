"""Generator backends: the OpenAI-compatible client against a real local HTTP server, and config errors."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.llm import GenerationConfig, LLMConfig, create_generator


class FakeOpenAI(BaseHTTPRequestHandler):
    """Streams a fixed reply in OpenAI's SSE format and records the request body."""

    bodies: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        FakeOpenAI.bodies.append({**body, "auth": self.headers.get("authorization")})
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        for piece in ("Gradient ", "descent ", "[1]."):
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_backend_streams_from_a_compatible_server(fake_server):
    gen = create_generator(LLMConfig(backend="openai", model="big-model", base_url=fake_server, api_key="k"))
    text = "".join(gen.stream([{"role": "user", "content": "hi"}], GenerationConfig(max_new_tokens=7)))
    assert text == "Gradient descent [1]."
    sent = FakeOpenAI.bodies[-1]
    assert sent["model"] == "big-model" and sent["stream"] is True and sent["max_tokens"] == 7
    assert sent["auth"] == "Bearer k"


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown generator backend"):
        create_generator(LLMConfig(backend="nope"))


def test_llamacpp_streams_the_small_builtin_model(tmp_path):
    from index.models import SMOLLM2

    gen = create_generator(LLMConfig(backend="llamacpp", model=SMOLLM2, cache_dir=tmp_path, threads=1))
    pieces = list(gen.stream([{"role": "user", "content": "Say hello."}], GenerationConfig(max_new_tokens=5)))
    assert pieces and len(pieces) <= 5 and gen.count_tokens("hello world") >= 2
    assert gen.name.startswith("llamacpp:")


def test_llamacpp_answers_a_prompt_the_same_whatever_was_asked_before(tmp_path):
    from index.models import SMOLLM2

    gen = create_generator(LLMConfig(backend="llamacpp", model=SMOLLM2, cache_dir=tmp_path, threads=1))
    system = {"role": "system", "content": "You answer in one short sentence about Python."}
    ask = [system, {"role": "user", "content": "What is a list?"}]
    other = [system, {"role": "user", "content": "What is a dict comprehension in Python 3?"}]
    cfg = GenerationConfig(max_new_tokens=12)
    keep = gen.count_tokens(system["content"])
    gen._reuse_system_only(ask)  # cold: the system message is read on its own first
    assert gen.llm.n_tokens == keep
    first = "".join(gen.stream(ask, cfg))
    assert gen.llm.n_tokens > keep
    "".join(gen.stream(other, cfg))
    assert "".join(gen.stream(ask, cfg)) == first
    gen._reuse_system_only(ask)
    assert gen.llm.n_tokens == keep  # only the system message is reused, so the split never moves
