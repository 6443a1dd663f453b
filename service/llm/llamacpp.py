"""A GGUF model on llama.cpp: the default generator backend on CPU, ~3x the transformers speed there; a LoRA
adapter folder is converted once to a GGUF adapter and applied at run time."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

from index import models
from service.llm.base import GenerationConfig, LLMConfig, Message, adapter_tag
from service.llm.lora_gguf import lora_gguf_for


class LlamaCppGenerator:
    """A GGUF through llama-cpp-python (a dependency, built from source once by `make setup`)."""

    def __init__(self, cfg: LLMConfig) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise RuntimeError(
                "the llamacpp backend needs llama-cpp-python: run `make setup`, or "
                "`CMAKE_ARGS=-DGGML_NATIVE=OFF pip install llama-cpp-python==0.3.36` "
                "(builds from source, ~6-10 min)"
            ) from exc
        path = models.resolve_generator_path(cfg.model, Path(cfg.cache_dir))
        lora = lora_gguf_for(Path(cfg.adapter), path, Path(cfg.cache_dir)) if cfg.adapter else None
        self.llm = Llama(
            model_path=str(path),
            n_ctx=cfg.context_window,
            n_threads=cfg.threads or os.cpu_count(),
            lora_path=str(lora) if lora else None,
            verbose=False,
        )
        tag = f"+{adapter_tag(cfg.adapter)}" if cfg.adapter else ""
        self.name, self.device, self.context_window = f"llamacpp:{cfg.model}{tag}", "cpu", cfg.context_window
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
