"""Shared fixtures: tiny corpora, settings on a temp data dir, the real embedder once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ROADMAP = SHARED / "corpus" / "roadmap"
DEV_SET = SHARED / "eval" / "roadmap_qa_dev.jsonl"

TINY_MD = """# Deep Learning

Intro to neural networks and why depth matters for representation learning.

## Essential Skills

* **CNNs:** convolution layers slide filters over images to detect edges and textures.
* **RNNs:** recurrent networks process sequences such as text or time series.

```python
# a heading-like comment inside a fence is not a heading
import torch
model = torch.nn.Conv2d(1, 8, 3)
```

### Optimizers

Adam and SGD with momentum are the usual choices; tune the learning rate first.

## Navigation

Next: [Machine Learning](ml.md)
"""

TINY_RST = """Cross-validation
================

Cross-validation estimates how a model generalizes to unseen data by splitting it into folds.

K-fold
------

Use :func:`KFold` to split data into k consecutive folds; each fold is used once as a validation set::

    from sklearn.model_selection import KFold
    kf = KFold(n_splits=5)
"""

TINY_PY = '''"""Tiny module docstring about gradient descent."""

import math


def learning_rate(step):
    """Cosine schedule for the learning rate."""
    return 0.5 * (1 + math.cos(step))


class Trainer:
    """Runs the training loop with early stopping."""

    def fit(self):
        return None
'''


def write_tiny_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "deep-learning.md").write_text(TINY_MD)
    (root / "cv.rst").write_text(TINY_RST)
    (root / "train.py").write_text(TINY_PY)
    (root / "ignored.bin").write_bytes(b"\x00\x01")
    return root


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_tiny_corpus(tmp_path / "corpus")


@pytest.fixture
def hashing_settings(tmp_path: Path, monkeypatch):
    """Settings on a fresh data dir with the tiny in-code hashing embedder."""
    from service.config import Settings, get_settings

    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_EMBEDDER_BACKEND", "hashing")
    get_settings.cache_clear()
    yield Settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def real_embedder(tmp_path_factory):
    """The default embedded model (OpenVINO int8 export of all-MiniLM-L6-v2), built once."""
    from index.embedders import create_embedder
    from service.config import Settings

    cache = tmp_path_factory.mktemp("models")
    return create_embedder(Settings(home=cache).embedder_config())


def rag_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for running the `rag` CLI in a subprocess on a given data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({"RAG_HOME": str(home), **extra})
    return env


RAG = [sys.executable, "-m", "app.cli"]


@pytest.fixture(scope="session")
def roadmap_home(tmp_path_factory) -> Path:
    """A data dir with the roadmap ingested by the real embedder."""
    if not ROADMAP.exists():
        pytest.skip("../shared/corpus/roadmap is not present")
    home = tmp_path_factory.mktemp("served")
    subprocess.run([*RAG, "ingest", str(ROADMAP), "--quiet"], env=rag_env(home), check=True, timeout=900)
    return home


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """One converted copy of the small embedded generator (GGUF -> safetensors, ~20 s) for the LoRA tests."""
    from index.models import SMOLLM2
    from service.config import Settings
    from service.llm import base_model_dir

    path = tmp_path_factory.mktemp("llm-models")
    base_model_dir(Settings(home=path, models_dir=path, llm_model=SMOLLM2).llm_config())
    return path


QA_ROWS = [
    {
        "question": "What do convolution layers detect?",
        "answer": "Convolution layers slide filters over images to detect edges and textures.",
    },
    {
        "question": "what are RNNs for?",
        "answer": "Recurrent networks process sequences such as text or time series.",
    },
    {
        "question": "Which optimizers are usual?",
        "answer": "Adam and SGD with momentum are the usual choices.",
    },
    {"question": "What should I tune first?", "answer": "Tune the learning rate first."},
    {
        "question": "What does cross-validation estimate?",
        "answer": "Cross-validation estimates how a model generalizes to unseen data.",
    },
    {
        "question": "How does K-fold split data?",
        "answer": "KFold splits data into k consecutive folds; each fold is used once as a validation set.",
    },
    {
        "question": "What does the cosine schedule do?",
        "answer": "It is a cosine schedule for the learning rate.",
    },
    {
        "question": "What does the Trainer class run?",
        "answer": "The Trainer runs the training loop with early stopping.",
    },
]
