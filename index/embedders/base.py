"""What every embedder is: the Protocol, its config, and the batching and normalization they share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from index import models
from index.devices import Device

EmbedderBackend = Literal["torch", "openvino", "openvino-int8w", "openvino-fp32", "hashing"]


class Embedder(Protocol):
    """Maps texts to L2-normalized float32 vectors."""

    name: str  # identity used in cache keys: change it when the vectors change
    dim: int
    device: str

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


@runtime_checkable
class TokenEmbedder(Protocol):
    """An embedder that also gives each text's contextual token vectors (special tokens left out), as the
    late stage (index/late.py) reads them; one encoder pass can give both the pooled vectors and these."""

    def embed_tokens(self, texts: Sequence[str]) -> list[np.ndarray]: ...

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]: ...


def token_embedder(embedder: object) -> TokenEmbedder | None:
    """The embedder as a TokenEmbedder, or None when it gives no token vectors (a remote one)."""
    return embedder if isinstance(embedder, TokenEmbedder) else None


@dataclass(frozen=True)
class EmbedderConfig:
    """Which embedder to build and how."""

    model: str = models.DEFAULT_EMBEDDER
    backend: EmbedderBackend = "openvino"  # int8 static OpenVINO: 3x torch on this CPU (README)
    device: Device = "auto"
    batch_size: int = 32
    cache_dir: Path | None = None  # where exported (OpenVINO) models are kept


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalization in float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def token_vectors(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """One text's token vectors from an encoder's padded output: the attended positions without the first and
    last (the [CLS] and [SEP] specials), L2-normalized."""
    kept = np.asarray(hidden, dtype=np.float32)[np.asarray(mask).astype(bool)][1:-1]
    return normalize(kept) if len(kept) else np.zeros((0, hidden.shape[-1]), dtype=np.float32)


def _batches_by_length(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indices grouped so each batch holds texts of similar length (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def embed_in_batches(
    encode, texts: Sequence[str], dim: int, batch_size: int, progress: bool, label: str
) -> np.ndarray:
    """Run `encode(list[str]) -> array` over length-sorted batches, with a progress bar."""
    from tqdm import tqdm

    out = np.zeros((len(texts), dim), dtype=np.float32)
    with tqdm(total=len(texts), desc=label, unit="text", disable=not progress, leave=False) as bar:
        for idx in _batches_by_length(texts, batch_size):
            out[idx] = encode([texts[i] for i in idx])
            bar.update(len(idx))
    return normalize(out)


def embed_with_tokens_in_batches(
    encode, texts: Sequence[str], dim: int, batch_size: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Run `encode(list[str]) -> (pooled array, token vector arrays)` over length-sorted batches."""
    pooled = np.zeros((len(texts), dim), dtype=np.float32)
    tokens: list[np.ndarray] = [np.zeros((0, dim), dtype=np.float32)] * len(texts)
    for idx in _batches_by_length(texts, batch_size):
        vecs, toks = encode([texts[i] for i in idx])
        pooled[idx] = vecs
        for i, t in zip(idx, toks):
            tokens[i] = t
    return normalize(pooled), tokens
