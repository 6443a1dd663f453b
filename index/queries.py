"""The question's vectors for one search: its pooled vector and its token vectors from one encoder pass."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from index.embedders import Embedder
from index.embedders.base import token_embedder


@dataclass(frozen=True)
class QueryVectors:
    """A question as the dense index and the late stage read it (tokens None: the embedder gives none)."""

    pooled: np.ndarray
    tokens: np.ndarray | None


class QueryEncoder:
    """Encodes each question once for the dense search and the late stage, and remembers the last few: a
    search embeds the question for several rankings, and the answer path searches the same question again."""

    def __init__(self, embedder: Embedder, size: int = 64) -> None:
        self.embedder, self.size = embedder, size
        self._tokens = token_embedder(embedder)
        self._seen: OrderedDict[str, QueryVectors] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, query: str) -> QueryVectors:
        with self._lock:
            if query in self._seen:
                self._seen.move_to_end(query)
                return self._seen[query]
        vectors = self._encode(query)
        with self._lock:
            self._seen[query] = vectors
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return vectors

    def clear(self) -> None:
        """Forget every question (a benchmark times questions never seen)."""
        with self._lock:
            self._seen.clear()

    def _encode(self, query: str) -> QueryVectors:
        if self._tokens is None:
            return QueryVectors(self.embedder.embed([query])[0], None)
        pooled, tokens = self._tokens.embed_with_tokens([query])
        return QueryVectors(pooled[0], tokens[0])
