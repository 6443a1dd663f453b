"""Text embedders behind one small Protocol, chosen by name through `create_embedder`."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index import models

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Maps texts to L2-normalized float32 vectors."""

    name: str  # identity used in cache keys: change it when the vectors change
    dim: int
    device: str

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class EmbedderConfig:
    """Which embedder to build and how."""

    model: str = models.DEFAULT_EMBEDDER
    backend: str = "torch"  # torch | openvino | hashing
    device: str = "auto"  # auto | cpu | cuda
    batch_size: int = 32
    cache_dir: Path | None = None  # where exported (OpenVINO) models are kept


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalization in float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def resolve_device(device: str) -> str:
    """'auto' means CUDA when torch sees a GPU."""
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


class HashingEmbedder:
    """A tiny in-code model: hashed word and word-bigram counts. For fast tests only."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.device = "cpu"

    def _features(self, text: str) -> list[str]:
        words = re.findall(r"\w+", text.lower())
        return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for feat in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) else -1.0
        return normalize(out)

    def count_tokens(self, text: str) -> int:
        return len(self._features(text)) // 2 + 1


def _batches_by_length(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indices grouped so each batch holds texts of similar length (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def embed_in_batches(encode, texts: Sequence[str], dim: int, batch_size: int, progress: bool, label: str) -> np.ndarray:
    """Run `encode(list[str]) -> array` over length-sorted batches, with a progress bar."""
    from tqdm import tqdm

    out = np.zeros((len(texts), dim), dtype=np.float32)
    with tqdm(total=len(texts), desc=label, unit="text", disable=not progress, leave=False) as bar:
        for idx in _batches_by_length(texts, batch_size):
            out[idx] = encode([texts[i] for i in idx])
            bar.update(len(idx))
    return normalize(out)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on torch (CPU or CUDA)."""

    def __init__(self, cfg: EmbedderConfig) -> None:
        from sentence_transformers import SentenceTransformer

        path = models.resolve_embedder_path(cfg.model)
        self.device = resolve_device(cfg.device)
        self.model = SentenceTransformer(str(path), device=self.device)
        # fp16 on the GPU (tensor cores); fp32 on the CPU, where half precision is slow.
        self.model = self.model.half() if self.device == "cuda" else self.model.float()
        self.tokenizer = self.model.tokenizer
        self.dim = int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                       else self.model.get_sentence_embedding_dimension())
        self.name = f"st:{Path(path).name if cfg.model != models.DEFAULT_EMBEDDER else cfg.model}"
        self.batch_size = cfg.batch_size
        self._lock = threading.Lock()

    def _encode(self, batch: list[str]) -> np.ndarray:
        with self._lock:  # the fast tokenizer is not thread-safe
            return self.model.encode(batch, batch_size=len(batch), convert_to_numpy=True, show_progress_bar=False)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return embed_in_batches(self._encode, texts, self.dim, self.batch_size, progress, "embedding")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


OPENVINO_BACKENDS = {"openvino": "int8-static", "openvino-int8w": "int8-weights", "openvino-fp32": "fp32"}


def create_embedder(cfg: EmbedderConfig) -> Embedder:
    """Build the embedder named by the config."""
    if cfg.backend == "hashing":
        return HashingEmbedder()
    if cfg.backend == "torch":
        return SentenceTransformerEmbedder(cfg)
    if cfg.backend in OPENVINO_BACKENDS:
        from index.openvino_embedder import OpenVinoEmbedder

        return OpenVinoEmbedder(cfg, quantize=OPENVINO_BACKENDS[cfg.backend])
    raise ValueError(f"unknown embedder backend {cfg.backend!r}: use torch, {', '.join(OPENVINO_BACKENDS)} or hashing")
