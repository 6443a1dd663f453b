"""What a generator is: its configs, the streaming Protocol and the one error a backend raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from index import models
from index.devices import Device, resolve_device

LLMBackend = Literal["auto", "transformers", "llamacpp", "openai"]
Message = dict[str, str]


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings: greedy with repetition control and a token budget."""

    max_new_tokens: int = 200  # 2-5 sentences, or a short code block; the sentence cap usually stops first
    temperature: float = 0.0  # 0 = greedy
    repetition_penalty: float = 1.15
    no_repeat_ngram_size: int = 0  # 6 cost 15% of tokens/s here; repetition_penalty already curbs loops
    # llama.cpp: reuse all of the last prompt that this one repeats (the writer's second pass on one source);
    # otherwise only the system message, so that an answer does not depend on the question asked before it
    reuse_prompt: bool = False


@dataclass(frozen=True)
class LLMConfig:
    """Which generator to build."""

    backend: LLMBackend = "auto"  # llama.cpp on CPU, transformers on CUDA (see resolve_backend)
    model: str = models.DEFAULT_GENERATOR
    device: Device = "auto"
    adapter: str = ""  # LoRA adapter folder (merged on transformers, a GGUF adapter on llama.cpp)
    cache_dir: Path = Path(".rag/models")
    base_url: str = "http://localhost:8001/v1"
    api_key: str = ""
    threads: int = 0  # llama.cpp threads; 0 = all cores
    context_window: int = 2048
    timeout_s: float = 120.0  # remote (openai) backend: per request


def adapter_tag(adapter: str) -> str:
    """An adapter folder's name for the generator's name ('grounded' for .../grounded/adapter)."""
    path = Path(adapter)
    return path.parent.name if path.name == "adapter" else path.name


def resolve_backend(backend: LLMBackend, device: Device) -> LLMBackend:
    """'auto' is llama.cpp on CPU (measured ~3x the tokens/s of transformers there, README) and transformers
    on CUDA, where LoRA adapters load too; any other choice stands."""
    if backend != "auto":
        return backend
    return "transformers" if resolve_device(device) == "cuda" else "llamacpp"


class GeneratorError(RuntimeError):
    """The generator backend failed: `status` is 504 for a timeout, 502 for a bad or failed answer."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


class Generator(Protocol):
    """Streams the assistant's reply to a chat, piece by piece."""

    name: str
    device: str
    context_window: int

    def stream(self, messages: list[Message], cfg: GenerationConfig) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...
