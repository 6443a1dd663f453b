"""FAISS inner-product indexes over normalized vectors: flat when small, HNSW when large, GPU when present."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.devices import Device

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VectorIndexConfig:
    """How the dense index is built and searched."""

    hnsw_threshold: int = (
        50_000  # flat below this many vectors (exact; ~19 ms at 57k units, too slow for p50 20 ms)
    )
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    device: Device = "auto"


def gpu_count() -> int:
    """GPUs usable by this faiss build (0 for faiss-cpu)."""
    return faiss.get_num_gpus() if hasattr(faiss, "get_num_gpus") else 0


def build_index(vectors: np.ndarray, cfg: VectorIndexConfig) -> faiss.Index:
    """A CPU index holding `vectors` as rows 0..n-1."""
    n, dim = vectors.shape
    if n >= cfg.hnsw_threshold:
        index = faiss.IndexHNSWFlat(dim, cfg.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_kind(index: faiss.Index) -> str:
    return "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"


class VectorIndex:
    """Owns a loaded FAISS index, moved to the GPU when one is present and asked for."""

    def __init__(self, index: faiss.Index, cfg: VectorIndexConfig) -> None:
        self.kind = index_kind(index)
        self.device = "cpu"
        if self.kind == "hnsw":
            index.hnsw.efSearch = cfg.hnsw_ef_search
        elif cfg.device in ("auto", "cuda") and gpu_count() > 0:
            self._res = faiss.StandardGpuResources()
            index = faiss.index_cpu_to_gpu(self._res, 0, index)
            self.device = "cuda"
        elif cfg.device == "cuda":
            raise RuntimeError(
                "RAG_DEVICE=cuda but this faiss build sees no GPU: install the [gpu] extra (faiss-gpu)"
            )
        self.index = index

    @classmethod
    def load(cls, path: Path, cfg: VectorIndexConfig) -> VectorIndex:
        return cls(faiss.read_index(str(path)), cfg)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the k nearest rows, optionally restricted to `allowed` ids."""
        k = min(k, self.size)
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None and self.device == "cpu":
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
            scores, ids = self.index.search(q, k, params=params)
        elif allowed is not None:  # GPU indexes take no selector: over-fetch, then filter
            scores, ids = self.index.search(q, self.size)
            keep = np.isin(ids[0], allowed)
            return ids[0][keep][:k], scores[0][keep][:k]
        else:
            scores, ids = self.index.search(q, k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]


def save_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))
