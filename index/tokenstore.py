"""Token vectors kept at ingest for the late stage: one sign bit per dimension, read back per chunk."""

# The late stage (index/late.py) needs every candidate's contextual token vectors. Computing them at
# query time costs ~104 ms for 10 candidates on 2 cores; ingest already runs the encoder over every unit,
# so it keeps the token vectors it computes anyway. One sign bit per dimension (48 bytes a token for
# MiniLM's 384) keeps the dev-set ranking of float vectors (README "Retrieval"): the question's tokens stay
# float, each document token becomes a +-1 vector, and the cosine of the two is what maxsim takes.

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

BITS_FILE, OFFSETS_FILE = "tokens.npy", "token_offsets.npy"


def pack_signs(vectors: np.ndarray) -> np.ndarray:
    """(n, dim) float token vectors -> (n, dim/8) uint8: the sign of each dimension as one bit."""
    return np.packbits(np.asarray(vectors) > 0, axis=1)


def unpack_signs(bits: np.ndarray, dim: int) -> np.ndarray:
    """(n, dim/8) uint8 -> (n, dim) float32 unit vectors of +-1/sqrt(dim)."""
    signs = np.unpackbits(np.asarray(bits, dtype=np.uint8), axis=1, count=dim).astype(np.float32)
    return (signs * 2.0 - 1.0) / np.sqrt(np.float32(dim))


def write_token_store(folder: Path, packed: Sequence[np.ndarray], dim: int) -> None:
    """Each unit's packed token vectors, concatenated, and where each unit's rows start and end."""
    counts = np.array([len(p) for p in packed], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    width = (dim + 7) // 8
    rows = [np.asarray(p, dtype=np.uint8).reshape(-1, width) for p in packed]
    bits = np.concatenate(rows) if rows else np.zeros((0, width), dtype=np.uint8)
    np.save(folder / BITS_FILE, bits)
    np.save(folder / OFFSETS_FILE, offsets)


class TokenStore:
    """Owns the memory-mapped token bits of one index version; units of a chunk are consecutive rows."""

    def __init__(self, bits: np.ndarray, offsets: np.ndarray, unit_chunk: np.ndarray, dim: int) -> None:
        if len(offsets) != len(unit_chunk) + 1:
            raise ValueError(f"token store holds {len(offsets) - 1} units, the index {len(unit_chunk)}")
        self.bits, self.offsets, self.dim = bits, offsets, dim
        chunks = np.arange(int(unit_chunk.max()) + 2 if len(unit_chunk) else 1)
        # the index's units are written in chunk order, so a chunk's units are one slice
        self._first_unit = np.searchsorted(unit_chunk, chunks, side="left")

    @classmethod
    def load(cls, folder: Path, unit_chunk: np.ndarray, dim: int) -> TokenStore | None:
        """The version's store, or None when it was built without token vectors."""
        if not (folder / BITS_FILE).exists():
            return None
        bits = np.load(folder / BITS_FILE, mmap_mode="r")
        return cls(bits, np.load(folder / OFFSETS_FILE), unit_chunk, dim)

    def chunk_vectors(self, chunk_id: int) -> np.ndarray:
        """The chunk's token vectors (all its units'), as float32 unit vectors."""
        if chunk_id + 1 >= len(self._first_unit):
            return np.zeros((0, self.dim), dtype=np.float32)
        lo, hi = self._first_unit[chunk_id], self._first_unit[chunk_id + 1]
        return unpack_signs(self.bits[self.offsets[lo] : self.offsets[hi]], self.dim)
