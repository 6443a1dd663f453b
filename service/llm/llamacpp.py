"""A GGUF model on llama.cpp (the optional `llamacpp` extra): 3x the transformers speed on CPU."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

from index import models
from service.llm.base import GenerationConfig, LLMConfig, Message


class LlamaCppGenerator:
    """The same GGUF through llama.cpp (~3x faster on CPU); needs the [llamacpp] extra."""

    def __init__(self, cfg: LLMConfig) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise RuntimeError(
                "the llamacpp backend needs `pip install 'roadmap-rag[llamacpp]'` "
                "(builds llama-cpp-python from source, ~5 min)"
            ) from exc
        path = models.resolve_generator_path(cfg.model)
        self.llm = Llama(
            model_path=str(path),
            n_ctx=cfg.context_window,
            n_threads=cfg.threads or os.cpu_count(),
            verbose=False,
        )
        self.name, self.device, self.context_window = f"llamacpp:{cfg.model}", "cpu", cfg.context_window
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))

    def stream(self, messages: list[Message], cfg: GenerationConfig) -> Iterator[str]:
        with self._lock:
            for part in self.llm.create_chat_completion(
                messages=messages,
                stream=True,
                max_tokens=cfg.max_new_tokens,
                temperature=cfg.temperature,
                repeat_penalty=cfg.repetition_penalty,
            ):
                piece = part["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
