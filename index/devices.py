"""The one device resolver: which device embedding, FAISS, the generator, LoRA and the reference models
use."""

from __future__ import annotations

from typing import Literal, get_args

Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[str, ...] = get_args(Device)


def resolve_device(device: str) -> str:
    """'auto' means CUDA when torch sees a GPU; an explicit 'cuda' without one is a clear error."""
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}: use auto, cpu or cuda")
    try:
        import torch  # deferred: torch is heavy and absent from a FAISS-only install
    except ImportError:
        if device == "cuda":
            raise ValueError("device cuda asked for, but torch is not installed") from None
        return "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device cuda asked for, but torch sees no GPU (use auto or cpu)")
    return (
        "cuda" if device == "auto" and torch.cuda.is_available() else ("cpu" if device == "auto" else device)
    )
