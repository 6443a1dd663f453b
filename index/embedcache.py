"""Embedding cache keyed by (embedder, chunk text hash): the same text is never embedded twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class EmbeddingCache:
    """Owns a SQLite file of float32 vectors (and packed token vectors, index/tokenstore.py); WAL mode so a
    killed ingest keeps what it committed."""

    def __init__(self, path: Path, embedder_name: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY(model, hash))"
        )
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS tokens (model TEXT, hash TEXT, bits BLOB, PRIMARY KEY(model, hash))"
        )
        self.model, self.dim = embedder_name, dim

    def _select(self, table: str, column: str, hashes: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        uniq = list(dict.fromkeys(hashes))
        for i in range(0, len(uniq), 500):
            part = uniq[i : i + 500]
            rows = self.conn.execute(
                f"SELECT hash, {column} FROM {table} WHERE model=? AND hash IN ({','.join('?' * len(part))})",
                [self.model, *part],
            )
            out.update(dict(rows))
        return out

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        return {
            h: np.frombuffer(v, dtype=np.float32) for h, v in self._select("vectors", "vec", hashes).items()
        }

    def get_tokens(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Packed token vectors by hash: (tokens, dim/8) uint8."""
        width = (self.dim + 7) // 8
        rows = self._select("tokens", "bits", hashes)
        return {h: np.frombuffer(v, dtype=np.uint8).reshape(-1, width) for h, v in rows.items()}

    def put(
        self, hashes: Sequence[str], vectors: np.ndarray, tokens: Sequence[np.ndarray] | None = None
    ) -> None:
        """Store vectors (and their packed token vectors) in one transaction."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
            [(self.model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)],
        )
        if tokens is not None:
            self.conn.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?,?,?)",
                [(self.model, h, np.asarray(t, dtype=np.uint8).tobytes()) for h, t in zip(hashes, tokens)],
            )
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
