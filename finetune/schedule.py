"""The learning-rate schedule both trainers use: linear warm-up, then linear decay to a floor."""

from __future__ import annotations


def warmup_linear(optimizer, warmup: int, total: int, floor: float = 0.0):
    """A LambdaLR: the rate rises over `warmup` steps, then falls linearly, never below `floor` x the rate."""
    import torch

    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / max(warmup, 1)) * max(floor, 1.0 - s / total)
    )
