"""CNN: handwritten digit classification on scikit-learn's bundled 8x8 digits (offline)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from reference.common import load_weights, pick_device, save_weights, seed_everything

NAME = "cnn"


@dataclass
class CNNConfig:
    channels: int = 32
    hidden: int = 64
    dropout: float = 0.25
    epochs: int = 40
    batch_size: int = 64
    lr: float = 2e-3
    test_size: float = 0.2
    seed: int = 0


class DigitsCNN(nn.Module):
    """Two 3x3 conv layers, max-pool, and a small classifier head."""

    def __init__(self, cfg: CNNConfig) -> None:
        super().__init__()
        c = cfg.channels
        self.conv1 = nn.Conv2d(1, c // 2, 3, padding=1)  # (B, 1, 8, 8) -> (B, c/2, 8, 8)
        self.conv2 = nn.Conv2d(c // 2, c, 3, padding=1)  # -> (B, c, 8, 8)
        self.pool = nn.MaxPool2d(2)  # -> (B, c, 4, 4)
        self.drop = nn.Dropout(cfg.dropout)
        self.fc1 = nn.Linear(c * 4 * 4, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.drop(x.flatten(1))  # (B, c*16)
        return self.fc2(self.drop(F.relu(self.fc1(x))))  # (B, 10) logits


def load_data(cfg: CNNConfig) -> tuple[torch.Tensor, ...]:
    """Stratified train/test split of the 1,797 digits; pixels scaled from 0..16 to 0..1."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.images.astype(np.float32)[:, None] / 16.0  # (N, 1, 8, 8)
    xtr, xte, ytr, yte = train_test_split(
        x, digits.target, test_size=cfg.test_size, random_state=cfg.seed, stratify=digits.target
    )
    return torch.from_numpy(xtr), torch.from_numpy(ytr), torch.from_numpy(xte), torch.from_numpy(yte)


def train(
    cfg: CNNConfig = CNNConfig(), device: str = "auto", progress: bool = True, save: bool = True
) -> tuple[DigitsCNN, dict]:
    gen = seed_everything(cfg.seed)
    dev = pick_device(device)
    xtr, ytr, xte, yte = load_data(cfg)
    model = DigitsCNN(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    for _ in tqdm(range(cfg.epochs), desc="cnn", disable=not progress):
        model.train()
        for idx in torch.randperm(len(xtr), generator=gen).split(cfg.batch_size):
            loss = F.cross_entropy(model(xtr[idx].to(dev)), ytr[idx].to(dev))
            opt.zero_grad()
            loss.backward()
            opt.step()
    metrics = evaluate(model.cpu(), cfg)
    if save:
        save_weights(NAME, model, cfg, metrics)
    return model, metrics


@torch.no_grad()
def evaluate(model: DigitsCNN, cfg: CNNConfig = CNNConfig()) -> dict:
    _, _, xte, yte = load_data(cfg)
    acc = (model.eval()(xte).argmax(1) == yte).float().mean().item()
    return {
        "metric": "test_accuracy",
        "value": round(acc, 4),
        "higher_is_better": True,
        "test_size": len(yte),
    }


def load(cfg: CNNConfig = CNNConfig()) -> DigitsCNN:
    return load_weights(NAME, DigitsCNN(cfg))


def image_to_input(image) -> torch.Tensor:
    """Any PIL image -> the 8x8, 0..1, dark-ink-on-light-paper-inverted tensor the model reads."""
    gray = image.convert("L").resize((8, 8))
    arr = np.asarray(gray, dtype=np.float32) / 255.0
    if arr.mean() > 0.5:  # dark digit on a light background: invert to the dataset's light-on-dark
        arr = 1.0 - arr
    return torch.from_numpy(arr)[None, None]  # (1, 1, 8, 8)


@torch.no_grad()
def predict(model: DigitsCNN, image) -> dict:
    probs = F.softmax(model.eval()(image_to_input(image)), dim=1)[0]
    return {"label": int(probs.argmax()), "probabilities": [round(float(p), 4) for p in probs]}
