"""Generators behind one small Protocol (transformers, llama.cpp, any OpenAI-compatible server)."""

from __future__ import annotations

from service.llm.base import (
    GenerationConfig,
    Generator,
    GeneratorError,
    LLMBackend,
    LLMConfig,
    Message,
    resolve_backend,
)
from service.llm.hf import TransformersGenerator, base_model_dir, convert_gguf
from service.llm.llamacpp import LlamaCppGenerator
from service.llm.openai_server import OpenAIGenerator

__all__ = [
    "GenerationConfig",
    "Generator",
    "GeneratorError",
    "LLMBackend",
    "LLMConfig",
    "Message",
    "base_model_dir",
    "convert_gguf",
    "create_generator",
    "resolve_backend",
]


def create_generator(cfg: LLMConfig) -> Generator:
    """Build the generator named by the config."""
    factories = {
        "transformers": TransformersGenerator,
        "llamacpp": LlamaCppGenerator,
        "openai": OpenAIGenerator,
    }
    backend = resolve_backend(cfg.backend, cfg.device)
    if backend not in factories:
        raise ValueError(f"unknown generator backend {cfg.backend!r}: use auto, {', '.join(factories)}")
    return factories[backend](cfg)
