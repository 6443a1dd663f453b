"""Distributed embedding on Ray Data: a pool of embedder actors on a Ray cluster (local or remote) embeds
large batches of unit texts; short calls (queries) stay in this process."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from index.embedders import EmbedderConfig, create_embedder

log = logging.getLogger(__name__)


class _EmbedActor:
    """One model per Ray actor, built from the same config as the local embedder."""

    def __init__(self, cfg: EmbedderConfig) -> None:
        self.embedder = create_embedder(cfg)

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.embed(list(batch["text"]))
        return {"i": batch["i"], "vector": list(vectors)}


class RayEmbedder:
    """An Embedder whose bulk calls run on Ray Data; same model name, so caches and indexes stay
    compatible."""

    bulk_batch = 8192  # texts per Ray job: the actor pool starts once per job, so jobs should be big

    def __init__(
        self,
        cfg: EmbedderConfig,
        *,
        actors: int = 2,
        address: str | None = None,
        min_remote: int = 64,
        batch_size: int = 128,
    ) -> None:
        self.cfg, self.actors, self.address = cfg, actors, address
        self.min_remote, self.batch_size = min_remote, batch_size
        self.local = create_embedder(cfg)
        self.name, self.dim, self.device = self.local.name, self.local.dim, self.local.device

    def count_tokens(self, text: str) -> int:
        return self.local.count_tokens(text)

    def _ensure_ray(self):
        import ray

        if not ray.is_initialized():
            ray.init(
                address=self.address,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
                configure_logging=False,
            )
        return ray

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if len(texts) < self.min_remote:
            return self.local.embed(texts)
        ray = self._ensure_ray()
        ds = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
        out = ds.map_batches(
            _EmbedActor,
            fn_constructor_kwargs={"cfg": self.cfg},
            concurrency=self.actors,
            batch_size=self.batch_size,
            num_cpus=1,
        )
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row in out.iter_rows():
            vectors[int(row["i"])] = np.asarray(row["vector"], dtype=np.float32)
        log.info("embedded %d texts on Ray with %d actors", len(texts), self.actors)
        return vectors
