"""RNN: a character-level GRU language model on text a PyPI package ships (scikit-learn's dataset
descriptions), measured in bits per character against a smoothed bigram baseline."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from reference.common import load_weights, pick_device, save_weights, seed_everything

NAME = "rnn"
VOCAB = [chr(i) for i in range(32, 127)] + ["\n"]  # printable ASCII; anything else maps to "?"
STOI = {c: i for i, c in enumerate(VOCAB)}


@dataclass
class RNNConfig:
    embed: int = 48
    hidden: int = 192
    layers: int = 1
    seq_len: int = 96
    batch_size: int = 48
    steps: int = 1500
    lr: float = 3e-3
    test_share: float = 0.1
    seed: int = 0


class CharGRU(nn.Module):
    """Embedding -> GRU -> linear over the vocabulary, predicting the next character."""

    def __init__(self, cfg: RNNConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), cfg.embed)
        self.gru = nn.GRU(cfg.embed, cfg.hidden, cfg.layers, batch_first=True)
        self.head = nn.Linear(cfg.hidden, len(VOCAB))

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        out, h = self.gru(self.embed(x), h)  # (B, T, C): the hidden state carries what was read so far
        return self.head(out), h  # (B, T, V) logits


def encode(text: str) -> torch.Tensor:
    return torch.tensor([STOI.get(c, STOI["?"]) for c in text], dtype=torch.long)


def load_text() -> str:
    """The .rst dataset descriptions inside scikit-learn, in a fixed order."""
    from importlib import resources

    files = sorted(p for p in resources.files("sklearn.datasets.descr").iterdir() if p.name.endswith(".rst"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def split(cfg: RNNConfig, block: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """Every k-th block of 1,000 characters is held out, so test text comes from every document."""
    ids = encode(load_text())
    every = round(1 / cfg.test_share)
    blocks = list(ids.split(block))
    test = [b for i, b in enumerate(blocks) if i % every == every - 1]
    train = [b for i, b in enumerate(blocks) if i % every != every - 1]
    return torch.cat(train), torch.cat(test)


def bigram_bpc(train_ids: torch.Tensor, test_ids: torch.Tensor) -> float:
    """Bits per character of an add-one smoothed bigram model: the naive baseline."""
    v = len(VOCAB)
    counts = np.ones((v, v))
    np.add.at(counts, (train_ids[:-1].numpy(), train_ids[1:].numpy()), 1)
    probs = counts / counts.sum(1, keepdims=True)
    return float(-np.log2(probs[test_ids[:-1].numpy(), test_ids[1:].numpy()]).mean())


def train(
    cfg: RNNConfig = RNNConfig(), device: str = "auto", progress: bool = True, save: bool = True
) -> tuple[CharGRU, dict]:
    gen = seed_everything(cfg.seed)
    dev = pick_device(device)
    train_ids, _ = split(cfg)
    model = CharGRU(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.steps)
    for _ in tqdm(range(cfg.steps), desc="rnn", disable=not progress):
        starts = torch.randint(0, len(train_ids) - cfg.seq_len - 1, (cfg.batch_size,), generator=gen)
        x = torch.stack([train_ids[s : s + cfg.seq_len] for s in starts]).to(dev)  # (B, T)
        y = torch.stack([train_ids[s + 1 : s + cfg.seq_len + 1] for s in starts]).to(dev)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    metrics = evaluate(model.cpu(), cfg)
    if save:
        save_weights(NAME, model, cfg, metrics)
    return model, metrics


@torch.no_grad()
def evaluate(model: CharGRU, cfg: RNNConfig = RNNConfig()) -> dict:
    """Held-out bits per character, reading the test text in one pass."""
    train_ids, test_ids = split(cfg)
    logits, _ = model.eval()(test_ids[None, :-1])
    nll = F.cross_entropy(logits[0], test_ids[1:]).item()
    return {
        "metric": "test_bits_per_char",
        "value": round(nll / math.log(2), 4),
        "higher_is_better": False,
        "baseline": "add-one smoothed bigram",
        "baseline_value": round(bigram_bpc(train_ids, test_ids), 4),
    }


def load(cfg: RNNConfig = RNNConfig()) -> CharGRU:
    return load_weights(NAME, CharGRU(cfg))


@torch.no_grad()
def predict(model: CharGRU, prompt: str, length: int = 120) -> dict:
    """Greedy continuation of a text prompt."""
    ids = encode(prompt or "\n")[None]
    logits, h = model.eval()(ids)
    out = []
    nxt = logits[0, -1].argmax()
    for _ in range(length):
        out.append(VOCAB[int(nxt)])
        logits, h = model(nxt.view(1, 1), h)
        nxt = logits[0, -1].argmax()
    return {"prompt": prompt, "continuation": "".join(out)}
