"""A sentence-transformers model on torch (CPU or CUDA)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import models
from index.devices import resolve_device
from index.embedders.base import EmbedderConfig, embed_in_batches, embed_with_tokens_in_batches, token_vectors


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
        self.dim = int(
            self.model.get_embedding_dimension()
            if hasattr(self.model, "get_embedding_dimension")
            else self.model.get_sentence_embedding_dimension()
        )
        self.name = f"st:{Path(path).name if cfg.model != models.DEFAULT_EMBEDDER else cfg.model}"
        self.batch_size = cfg.batch_size
        self._lock = threading.Lock()

    def _encode(self, batch: list[str]) -> np.ndarray:
        with self._lock:  # the fast tokenizer is not thread-safe
            return self.model.encode(
                batch, batch_size=len(batch), convert_to_numpy=True, show_progress_bar=False
            )

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return embed_in_batches(self._encode, texts, self.dim, self.batch_size, progress, "embedding")

    def embed_tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's contextual token vectors (special tokens left out), L2-normalized."""
        with self._lock:
            out = self.model.encode(
                list(texts), output_value="token_embeddings", convert_to_numpy=False, show_progress_bar=False
            )
        return [token_vectors(t.float().cpu().numpy(), np.ones(len(t))) for t in out]

    def _encode_both(self, batch: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        with self._lock:
            out = self.model.encode(
                batch,
                batch_size=len(batch),
                output_value=None,
                convert_to_numpy=False,
                show_progress_bar=False,
            )
        pooled = np.stack([o["sentence_embedding"].float().cpu().numpy() for o in out])
        tokens = [o["token_embeddings"].float().cpu().numpy() for o in out]
        masks = [o["attention_mask"].cpu().numpy() for o in out]
        return pooled, [token_vectors(t, m) for t, m in zip(tokens, masks)]

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The pooled vectors and the token vectors of one encoder pass."""
        return embed_with_tokens_in_batches(self._encode_both, texts, self.dim, self.batch_size)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
