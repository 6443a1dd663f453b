"""Embedding cache keyed by (embedder, chunk text hash): the same text is never embedded twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class EmbeddingCache:
    """Owns a SQLite file of float32 vectors; WAL mode so a killed ingest keeps what it committed."""

    def __init__(self, path: Path, embedder_name: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY(model, hash))"
        )
        self.model, self.dim = embedder_name, dim

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        uniq = list(dict.fromkeys(hashes))
        for i in range(0, len(uniq), 500):
            part = uniq[i : i + 500]
            rows = self.conn.execute(
                f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({','.join('?' * len(part))})",
                [self.model, *part],
            )
            out.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return out

    def put(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
            [(self.model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)],
        )
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
