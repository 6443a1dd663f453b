"""A training example: chat messages ending in the assistant turn the model learns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Example:
    """Chat messages ending in the assistant's target turn, and what kind of target it is."""

    messages: list[dict]
    kind: str  # answer | decline
    question: str
