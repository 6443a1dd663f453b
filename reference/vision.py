"""Vision: semantic segmentation of procedurally generated scenes of shapes (exact labels), mean IoU."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from reference.common import load_weights, pick_device, save_weights, seed_everything

NAME = "vision"
CLASSES = ("background", "circle", "square", "triangle")


@dataclass
class VisionConfig:
    size: int = 32
    width: int = 24
    train_scenes: int = 3000
    test_scenes: int = 500
    epochs: int = 12
    batch_size: int = 32
    lr: float = 3e-3
    seed: int = 0


def _shape_mask(kind: int, size: int, cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    if kind == 1:
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r**2
    if kind == 2:
        return (abs(xx - cx) <= r * 0.85) & (abs(yy - cy) <= r * 0.85)
    # an upward triangle: below the two slanted edges, above the base
    return (yy <= cy + r * 0.8) & (yy >= cy - r) & (abs(xx - cx) <= (yy - (cy - r)) * 0.6)


def make_scenes(n: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n RGB scenes (n, 3, H, W) with 1-3 shapes each, and their per-pixel labels (n, H, W)."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 3, size, size), dtype=np.float32)
    labels = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        bg = rng.uniform(0.0, 0.4, 3)
        img = np.broadcast_to(bg[:, None, None], (3, size, size)).copy()
        for _ in range(rng.integers(1, 4)):
            kind = int(rng.integers(1, 4))
            r = rng.uniform(size * 0.12, size * 0.25)
            cx, cy = rng.uniform(r, size - r, 2)
            mask = _shape_mask(kind, size, cx, cy, r)
            img[:, mask] = rng.uniform(0.5, 1.0, 3)[:, None]
            labels[i][mask] = kind  # later shapes cover earlier ones, in the image and in the labels
        images[i] = img + rng.normal(0, 0.05, img.shape)
    return torch.from_numpy(images), torch.from_numpy(labels)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1),
        nn.BatchNorm2d(cout),
        nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1),
        nn.BatchNorm2d(cout),
        nn.ReLU(),
    )


class TinyUNet(nn.Module):
    """A two-level U-Net: encoder, bottleneck, decoder with a skip connection, per-pixel logits."""

    def __init__(self, cfg: VisionConfig) -> None:
        super().__init__()
        w = cfg.width
        self.enc = _block(3, w)  # (B, w, H, W)
        self.mid = _block(w, 2 * w)  # (B, 2w, H/2, W/2)
        self.up = nn.ConvTranspose2d(2 * w, w, 2, stride=2)  # -> (B, w, H, W)
        self.dec = _block(2 * w, w)  # skip + upsampled
        self.head = nn.Conv2d(w, len(CLASSES), 1)  # (B, classes, H, W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e = self.enc(x)
        m = self.mid(F.max_pool2d(e, 2))
        return self.head(self.dec(torch.cat([e, self.up(m)], dim=1)))


def train(
    cfg: VisionConfig = VisionConfig(), device: str = "auto", progress: bool = True, save: bool = True
) -> tuple[TinyUNet, dict]:
    gen = seed_everything(cfg.seed)
    dev = pick_device(device)
    x, y = make_scenes(cfg.train_scenes, cfg.size, cfg.seed)
    model = TinyUNet(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    steps = cfg.epochs * -(-len(x) // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=steps)
    for _ in tqdm(range(cfg.epochs), desc="vision", disable=not progress):
        model.train()
        for idx in torch.randperm(len(x), generator=gen).split(cfg.batch_size):
            loss = F.cross_entropy(model(x[idx].to(dev)), y[idx].to(dev))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    metrics = evaluate(model.cpu(), cfg)
    if save:
        save_weights(NAME, model, cfg, metrics)
    return model, metrics


def mean_iou(
    pred: torch.Tensor, target: torch.Tensor, classes: int = len(CLASSES)
) -> tuple[float, list[float]]:
    ious = []
    for c in range(classes):
        inter = ((pred == c) & (target == c)).sum().item()
        union = ((pred == c) | (target == c)).sum().item()
        ious.append(inter / union if union else 1.0)
    return float(np.mean(ious)), ious


@torch.no_grad()
def evaluate(model: TinyUNet, cfg: VisionConfig = VisionConfig()) -> dict:
    """Mean IoU on scenes drawn with a different seed than training."""
    x, y = make_scenes(cfg.test_scenes, cfg.size, cfg.seed + 10_000)
    miou, per_class = mean_iou(model.eval()(x).argmax(1), y)
    return {
        "metric": "test_mean_iou",
        "value": round(miou, 4),
        "higher_is_better": True,
        "per_class_iou": dict(zip(CLASSES, (round(v, 4) for v in per_class))),
    }


def load(cfg: VisionConfig = VisionConfig()) -> TinyUNet:
    return load_weights(NAME, TinyUNet(cfg))


@torch.no_grad()
def predict(model: TinyUNet, image, cfg: VisionConfig = VisionConfig()) -> dict:
    """Per-pixel classes of an image resized to the model's input size, with pixel counts per class."""
    rgb = image.convert("RGB").resize((cfg.size, cfg.size))
    x = torch.from_numpy(np.asarray(rgb, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]  # (1, 3, H, W)
    mask = model.eval()(x).argmax(1)[0]
    counts = {name: int((mask == i).sum()) for i, name in enumerate(CLASSES)}
    return {"size": cfg.size, "pixels_per_class": counts, "mask": mask.tolist()}
