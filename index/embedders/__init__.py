"""Text embedders behind one small Protocol, chosen by name through `create_embedder`."""

from __future__ import annotations

from index.devices import resolve_device
from index.embedders.base import Embedder, EmbedderConfig, embed_in_batches, normalize
from index.embedders.hashing import HashingEmbedder

__all__ = [
    "Embedder",
    "EmbedderConfig",
    "HashingEmbedder",
    "create_embedder",
    "embed_in_batches",
    "normalize",
    "resolve_device",
]

OPENVINO_BACKENDS = {"openvino": "int8-static", "openvino-int8w": "int8-weights", "openvino-fp32": "fp32"}


def create_embedder(cfg: EmbedderConfig) -> Embedder:
    """Build the embedder named by the config."""
    if cfg.backend == "hashing":
        return HashingEmbedder()
    if cfg.backend == "torch":
        # sentence-transformers and OpenVINO take seconds to import: only the backend asked for is loaded
        from index.embedders.sentence_transformer import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(cfg)
    if cfg.backend in OPENVINO_BACKENDS:
        from index.embedders.openvino import OpenVinoEmbedder

        return OpenVinoEmbedder(cfg, quantize=OPENVINO_BACKENDS[cfg.backend])
    raise ValueError(
        f"unknown embedder backend {cfg.backend!r}: use torch, {', '.join(OPENVINO_BACKENDS)} or hashing"
    )
