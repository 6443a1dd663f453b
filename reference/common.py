"""Shared plumbing for the reference models: seeding, devices, weights on disk, a registry."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from index.devices import resolve_device

WEIGHTS = Path(__file__).resolve().parent / "weights"
CARDS = Path(__file__).resolve().parent / "cards"
NAMES = ("cnn", "rnn", "vision")


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def pick_device(device: str = "auto") -> torch.device:
    """The torch device for a --device choice (auto | cpu | cuda)."""
    return torch.device(resolve_device(device))


def save_weights(name: str, model: torch.nn.Module, cfg, metrics: dict, out_dir: Path = WEIGHTS) -> Path:
    """fp32 state dict plus a JSON with the config and the measured metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.pt"
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, path)
    (out_dir / f"{name}.json").write_text(json.dumps({"config": asdict(cfg), "metrics": metrics}, indent=2))
    return path


def load_weights(name: str, model: torch.nn.Module, out_dir: Path = WEIGHTS) -> torch.nn.Module:
    path = out_dir / f"{name}.pt"
    if not path.exists():
        raise FileNotFoundError(f"no weights for {name!r} at {path}: run `rag reference train {name}`")
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.eval()


def recorded_metrics(name: str, out_dir: Path = WEIGHTS) -> dict:
    path = out_dir / f"{name}.json"
    return json.loads(path.read_text())["metrics"] if path.exists() else {}
