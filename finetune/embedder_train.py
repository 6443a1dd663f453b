"""Contrastive fine-tuning of the sentence-transformers embedder on (question, unit, hard negative) triples:
in-batch negatives plus one mined negative per question (multiple-negatives ranking loss), a short warm-up,
linear decay. A plain loop: a few hundred steps on CPU, no Trainer machinery needed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from finetune.embedder_data import Triple
from finetune.schedule import warmup_linear


@dataclass(frozen=True)
class EmbedderTrainConfig:
    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 2e-5  # low: the base model already matches questions to text well
    scale: float = 20.0  # cosine similarities * scale are the logits (the usual MNRL setting)
    max_seq_length: int = 128  # units are short; questions shorter
    hard_negatives: bool = True  # the mined negative joins the in-batch ones
    seed: int = 0


@dataclass(frozen=True)
class EmbedderTrainResult:
    steps: int
    first_loss: float
    last_loss: float
    seconds: float
    s_per_step: float


def _batches(triples: list[Triple], size: int, rng: random.Random) -> list[list[Triple]]:
    order = list(triples)
    rng.shuffle(order)
    return [order[i : i + size] for i in range(0, len(order), size)]


def _batch_loss(torch, model, batch: list[Triple], scale: float, hard_negatives: bool):
    def encode(texts: list[str]):
        features = model.tokenize(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    questions = encode([t.question for t in batch])
    negatives = [t.negative for t in batch if t.negative] if hard_negatives else []
    passages = encode([t.positive for t in batch] + negatives)
    logits = questions @ passages.T * scale  # row i's positive is column i; every other column a negative
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))


def train_embedder(
    triples: list[Triple],
    base: Path,
    out: Path,
    cfg: EmbedderTrainConfig = EmbedderTrainConfig(),
    on_step: Callable[[int, int, float], None] | None = None,
) -> EmbedderTrainResult:
    """Fine-tune the model in `base` and save it to `out` (a sentence-transformers folder)."""
    import torch
    from sentence_transformers import SentenceTransformer

    if len(triples) < 2:
        raise ValueError("need at least 2 training questions (in-batch negatives)")
    torch.manual_seed(cfg.seed)
    model = SentenceTransformer(str(base), device="cpu")
    model.max_seq_length = cfg.max_seq_length
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.01)
    rng = random.Random(cfg.seed)
    plan = [b for _ in range(cfg.epochs) for b in _batches(triples, cfg.batch_size, rng) if len(b) > 1]
    scheduler = warmup_linear(optimizer, max(1, len(plan) // 10), len(plan))
    model.train()
    losses, started = [], time.perf_counter()
    for step, batch in enumerate(plan, start=1):
        loss = _batch_loss(torch, model, batch, cfg.scale, cfg.hard_negatives)
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(float(loss.item()))
        if on_step:
            on_step(step, len(plan), losses[-1])
    model.save(str(out))
    seconds = time.perf_counter() - started
    return EmbedderTrainResult(len(plan), losses[0], losses[-1], seconds, seconds / max(1, len(plan)))
