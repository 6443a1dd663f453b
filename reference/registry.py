"""One entry per bundled reference model: what it does, how to train, load, evaluate and run it."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from reference.common import CARDS, NAMES, recorded_metrics


@dataclass(frozen=True)
class ReferenceModel:
    """A bundled model: the module that defines it, and what its predict step reads."""

    name: str
    task: str
    topic: str
    input_kind: str  # "image" | "text"

    @property
    def module(self) -> ModuleType:
        # Imported on use so that listing the models never pays for torch start-up twice.
        return importlib.import_module(f"reference.{self.name}")

    @property
    def card_path(self) -> str:
        return str(CARDS / f"{self.name}.md")

    def config(self, **overrides: Any):
        cls = next(v for k, v in vars(self.module).items() if k.endswith("Config") and isinstance(v, type))
        return cls(**{k: v for k, v in overrides.items() if v is not None})

    def describe(self) -> dict:
        return {
            "name": self.name,
            "task": self.task,
            "topic": self.topic,
            "input": self.input_kind,
            "card": self.card_path,
            "metrics": recorded_metrics(self.name),
        }


MODELS: dict[str, ReferenceModel] = {
    "cnn": ReferenceModel(
        "cnn",
        "handwritten digit classification (8x8 scikit-learn digits)",
        "Convolutional neural networks",
        "image",
    ),
    "rnn": ReferenceModel(
        "rnn",
        "next-character language modelling with a GRU (scikit-learn dataset descriptions)",
        "Recurrent neural networks",
        "text",
    ),
    "vision": ReferenceModel(
        "vision",
        "semantic segmentation of generated shape scenes (tiny U-Net)",
        "Computer vision: segmentation",
        "image",
    ),
}
assert tuple(MODELS) == NAMES


def get_model(name: str) -> ReferenceModel:
    """The model called `name`, or a ValueError that lists the known names."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown reference model {name!r}: choose one of {', '.join(MODELS)}") from None
