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

    def _reuse_system_only(self, messages: list[Message]) -> None:
        """Keep of the cached prompt only the system message's first tokens, read once on their own.

        llama.cpp re-reads only what a prompt does not share with the last one, and the numbers of a cached
        prefix differ slightly from those of one read with the rest: enough for the 0.5B model's greedy
        choice to flip, so the same question gave another answer when asked again, or after another
        question. With the split always at the same token, a prompt always gets the same answer."""
        if not messages or messages[0].get("role") != "system":
            return
        keep = self.count_tokens(messages[0]["content"])  # inside the rendered system block (header first)
        if self.llm.n_tokens < keep:  # cold: read the system block alone, as every later prompt will find it
            for _ in self.llm.create_chat_completion(messages=messages[:1], max_tokens=1, stream=True):
                pass
        self.llm.n_tokens = min(self.llm.n_tokens, keep)

    def stream(self, messages: list[Message], cfg: GenerationConfig) -> Iterator[str]:
        with self._lock:
            if not cfg.reuse_prompt:
                self._reuse_system_only(messages)
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
