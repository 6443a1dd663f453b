"""A faster CPU embedder: the shipped sentence-transformers model exported to OpenVINO, int8."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import models
from index.embedders.base import EmbedderConfig, embed_in_batches, embed_with_tokens_in_batches, token_vectors
from ingest.atomic import publish_file

steps = logging.getLogger("rag.steps")  # one-time steps, one line each: the CLI shows them (app/cli.py)

MAX_LENGTH = 256  # all-MiniLM-L6-v2 reads at most 256 word-pieces
# Calibration text for static int8: generic technical prose, so the export needs no corpus.
_CALIBRATION = [
    "A neural network learns weights by gradient descent on a loss function.",
    "Use cross-validation to estimate how a model generalizes to unseen data.",
    "pandas DataFrame.groupby splits the data, applies a function and combines the results.",
    "Convolutional layers slide learned filters over an image to detect edges and textures.",
    "LoRA freezes the base model and trains low-rank update matrices in the attention layers.",
    "FAISS builds indexes for similarity search over dense vectors, on CPU or GPU.",
    "Regularization such as dropout and weight decay fights overfitting.",
    "import torch\nmodel = torch.nn.Linear(10, 2)\nloss = torch.nn.functional.cross_entropy(model(x), y)",
    "Precision, recall and the F1 score evaluate a classifier on imbalanced classes.",
    "The transformer architecture relies on self-attention instead of recurrence.",
    "Learn Git basics: commit, push, pull and branch, and share your work on GitHub.",
    "Hyperparameter tuning with grid search or Bayesian optimization finds better settings.",
]


def calibration_texts(limit: int = 300) -> list[str]:
    """Docstrings of installed ML libraries: local, deterministic text for int8 calibration."""
    import inspect

    texts = list(_CALIBRATION)
    for modname in (
        "torch.nn",
        "torch.optim",
        "sklearn.model_selection",
        "sklearn.metrics",
        "sklearn.ensemble",
        "sklearn.linear_model",
        "sklearn.preprocessing",
        "sklearn.cluster",
    ):
        try:
            mod = __import__(modname, fromlist=["_"])
        except ImportError:
            continue
        for name in sorted(dir(mod)):
            doc = inspect.getdoc(getattr(mod, name, None)) if not name.startswith("_") else None
            if doc and len(doc) > 200:
                texts.append(doc[:1000])
    return texts[:limit]


def _import_openvino():
    try:
        import openvino as ov
    except ImportError as exc:
        raise RuntimeError("the openvino backend needs `pip install openvino nncf`") from exc
    return ov


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of token vectors over the attention mask: (B, T, C) -> (B, C)."""
    m = mask[..., None].astype(np.float32)
    return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


class OpenVinoEmbedder:
    """Mean-pooled transformer encoder run by OpenVINO; exported once and cached on disk."""

    def __init__(self, cfg: EmbedderConfig, quantize: str = "int8-static") -> None:
        from transformers import AutoTokenizer

        ov = _import_openvino()
        src = models.resolve_embedder_path(cfg.model)
        cache = Path(cfg.cache_dir or Path.home() / ".cache" / "roadmap-rag") / "openvino"
        self.tokenizer = AutoTokenizer.from_pretrained(str(src))
        xml = cache / f"{Path(src).name}-{quantize}" / "model.xml"
        if not xml.exists():
            self._export(src, xml, quantize)
        core = ov.Core()
        self.compiled = core.compile_model(str(xml), "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
        self.input_names = {p.get_any_name() for p in self.compiled.inputs}
        self.dim = int(self.compiled.outputs[0].get_partial_shape()[-1].get_length())
        self.name = f"ov-{quantize}:{cfg.model}"
        self.device = "cpu"
        self.batch_size = cfg.batch_size
        self._lock = threading.Lock()

    def _tokenize(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        enc = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np"
        )
        return {k: v.astype(np.int64) for k, v in enc.items()}

    def _export(self, src: Path, xml: Path, quantize: str) -> None:
        """Trace the HF encoder, convert to OpenVINO IR, and quantize it to int8."""
        import torch
        from transformers import AutoModel

        ov = _import_openvino()
        steps.info(
            "one-time step: preparing the embedder for this CPU (OpenVINO export, %s calibration, ~1-2 min)",
            quantize,
        )
        model = AutoModel.from_pretrained(str(src)).eval()
        example = {k: torch.from_numpy(v) for k, v in self._tokenize(_CALIBRATION[:2]).items()}
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # tracer warnings about shape-dependent branches are expected here
            ov_model = ov.convert_model(model, example_input=example)
        ov_model = self._quantize(ov_model, quantize)
        xml.parent.mkdir(parents=True, exist_ok=True)
        tmp = xml.with_name("tmp-model.xml")
        ov.save_model(ov_model, str(tmp))
        publish_file(tmp.with_suffix(".bin"), xml.with_suffix(".bin"))
        publish_file(tmp, xml)  # the .xml appears last: its presence means a complete export

    def _quantize(self, ov_model, quantize: str):
        import nncf
        import rich

        # NNCF draws progress bars for its internal passes ("Statistics collection", "Applying Smooth
        # Quant"); the step's own line above says what happens, so its console stays quiet meanwhile.
        console = rich.get_console()
        quiet, console.quiet = console.quiet, True
        try:
            return self._run_quantization(nncf, ov_model, quantize)
        finally:
            console.quiet = quiet

    def _run_quantization(self, nncf, ov_model, quantize: str):
        if quantize == "int8-weights":
            return nncf.compress_weights(ov_model)
        if quantize == "int8-static":
            samples = [self._tokenize([t]) for t in calibration_texts()]
            names = [p.get_any_name() for p in ov_model.inputs]
            data = nncf.Dataset(samples, lambda s: {n: s[n] for n in names if n in s})
            return nncf.quantize(
                ov_model, data, model_type=nncf.ModelType.TRANSFORMER, subset_size=len(samples)
            )
        return ov_model

    def _hidden(self, batch: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The encoder's last hidden states and the attention mask of one padded batch."""
        # One caller at a time: the compiled model's infer request and the fast tokenizer are not thread-safe.
        with self._lock:
            enc = self._tokenize(list(batch))
            out = self.compiled({k: v for k, v in enc.items() if k in self.input_names})
            return out[self.compiled.outputs[0]], enc["attention_mask"]

    def _encode(self, batch: list[str]) -> np.ndarray:
        return _mean_pool(*self._hidden(batch))

    def _encode_both(self, batch: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        hidden, mask = self._hidden(batch)
        return _mean_pool(hidden, mask), [token_vectors(h, m) for h, m in zip(hidden, mask)]

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return embed_in_batches(self._encode, texts, self.dim, self.batch_size, progress, "embedding")

    def embed_tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's contextual token vectors (special tokens left out), L2-normalized."""
        hidden, mask = self._hidden(texts)
        return [token_vectors(h, m) for h, m in zip(hidden, mask)]

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The pooled vectors and the token vectors of one encoder pass."""
        return embed_with_tokens_in_batches(self._encode_both, texts, self.dim, self.batch_size)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
