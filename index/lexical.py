"""BM25 over the same chunks as the dense index (bm25s: sparse matrices, mmap on load)."""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np

from ingest.text import stem_words

_WORD = re.compile(r"(?u)\b\w[\w+#.-]*\w\b|\b\w\b")


def lexical_text(text: str, heading: str, title: str) -> str:
    """What BM25 sees: the innermost heading and the title weigh in beside the body."""
    leaf = heading.rsplit(" > ", 1)[-1] if heading else ""
    return f"{title}\n{leaf}\n{text}"


# Bumped when tokens change: an index built with other tokens is rebuilt on the next ingest (builder.py).
TOKENS_VERSION = 2


def _tokenize(texts: list[str], *, return_ids: bool):
    """Lower-case, English stop words out, Snowball-stemmed (branches ~ branch, CNNs ~ CNN)."""
    return bm25s.tokenize(
        texts,
        lower=True,
        token_pattern=_WORD.pattern,
        stopwords="en",
        stemmer=stem_words,
        return_ids=return_ids,
        show_progress=False,
    )


class LexicalIndex:
    """Owns a bm25s retriever over chunk rows 0..n-1."""

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        if texts:
            retriever.index(_tokenize(texts, return_ids=True), show_progress=False)
        return cls(retriever, len(texts))

    def save(self, path: Path) -> None:
        self.retriever.save(str(path))
        (path / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        size = int((path / "size.txt").read_text())
        retriever = bm25s.BM25.load(str(path), mmap=True) if size else bm25s.BM25()
        return cls(retriever, size)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the best k rows with a positive score."""
        k = min(k, self.size)
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        tokens = _tokenize([query], return_ids=False)
        if not tokens or not tokens[0]:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        mask = None
        if allowed is not None:
            mask = np.zeros(self.size, dtype=np.float32)
            mask[allowed] = 1.0
        scores = (
            self.retriever.get_scores(tokens[0], weight_mask=mask)
            if mask is not None
            else self.retriever.get_scores(tokens[0])
        )
        top = np.argsort(-scores)[:k]
        top = top[scores[top] > 0]
        return top.astype(np.int64), scores[top].astype(np.float32)
