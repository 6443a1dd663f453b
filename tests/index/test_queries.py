"""The question is encoded once per search: pooled and token vectors from one pass, remembered a while."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embedders.hashing import HashingEmbedder
from index.queries import QueryEncoder


class CountingEmbedder(HashingEmbedder):
    """The tiny hashing model, counting its encoder passes."""

    def __init__(self) -> None:
        super().__init__(64)
        self.passes = 0

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.passes += 1
        return super().embed(texts)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        self.passes += 1
        return super().embed_with_tokens(texts)


class PooledOnly:
    """An embedder without token vectors (a remote one)."""

    name, dim, device = "pooled", 64, "cpu"

    def __init__(self) -> None:
        self.inner = HashingEmbedder(64)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self.inner.embed(texts)

    def count_tokens(self, text: str) -> int:
        return 1


def test_one_pass_gives_the_pooled_vector_and_the_token_vectors() -> None:
    emb = CountingEmbedder()
    got = QueryEncoder(emb).encode("how do I freeze layers?")
    assert emb.passes == 1
    np.testing.assert_allclose(got.pooled, HashingEmbedder(64).embed(["how do I freeze layers?"])[0])
    assert got.tokens is not None and got.tokens.shape == (5, 64)  # a token vector per word


def test_a_question_asked_again_is_not_encoded_again_until_it_is_forgotten() -> None:
    emb = CountingEmbedder()
    enc = QueryEncoder(emb, size=2)
    enc.encode("a b")
    enc.encode("a b")
    assert emb.passes == 1
    enc.encode("c d")
    enc.encode("e f")  # "a b" is now the oldest of three: forgotten
    enc.encode("a b")
    assert emb.passes == 4


def test_an_embedder_without_token_vectors_gives_the_pooled_vector_only() -> None:
    got = QueryEncoder(PooledOnly()).encode("what is dropout?")
    assert got.tokens is None and got.pooled.shape == (64,)
