"""Any OpenAI-compatible chat server (vLLM, llama.cpp server, a hosted API), streamed over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

from service.llm.base import GenerationConfig, GeneratorError, LLMConfig, Message


class OpenAIGenerator:
    """Any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, TGI) by base URL."""

    def __init__(self, cfg: LLMConfig) -> None:
        import httpx

        self.client = httpx.Client(
            base_url=cfg.base_url.rstrip("/"),
            timeout=cfg.timeout_s,
            headers={"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {},
        )
        self.model, self.name, self.device = cfg.model, f"openai:{cfg.model}", "remote"
        self.context_window = cfg.context_window

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1  # the server's tokenizer is unknown here: a safe estimate

    def stream(self, messages: list[Message], cfg: GenerationConfig) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "max_tokens": cfg.max_new_tokens,
            "temperature": cfg.temperature,
            "frequency_penalty": max(0.0, cfg.repetition_penalty - 1.0),
        }
        import httpx

        try:
            with self.client.stream("POST", "/chat/completions", json=body) as res:
                if res.status_code != 200:
                    raise GeneratorError(
                        f"generator server answered HTTP {res.status_code}: {res.read()[:200]!r}"
                    )
                for line in res.iter_lines():
                    if not line.startswith("data:") or line.strip() == "data: [DONE]":
                        continue
                    try:
                        delta = json.loads(line[5:])["choices"][0].get("delta", {}).get("content")
                    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                        raise GeneratorError(
                            f"generator server sent an unreadable event: {line[:120]!r}"
                        ) from exc
                    if delta:
                        yield delta
        except httpx.TimeoutException as exc:
            raise GeneratorError(f"generator server at {self.client.base_url} timed out", 504) from exc
        except httpx.HTTPError as exc:
            raise GeneratorError(f"generator server at {self.client.base_url} failed: {exc}") from exc
