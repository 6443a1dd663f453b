"""A tiny in-code embedder for fast tests: hashed word and word-bigram counts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from index.embedders.base import normalize


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
        return self._hashed(texts)

    def _hashed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for feat in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) else -1.0
        return normalize(out)

    def embed_tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One hashed vector per word: the tiny model's token vectors."""
        out = []
        for text in texts:
            words = re.findall(r"\w+", text.lower())
            out.append(self._hashed(words) if words else np.zeros((0, self.dim), dtype=np.float32))
        return out

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._hashed(texts), self.embed_tokens(texts)

    def count_tokens(self, text: str) -> int:
        return len(self._features(text)) // 2 + 1
