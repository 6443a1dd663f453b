"""What a registered source is: the spec string, its kind, its retrieval weight and its manifest."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSpec:
    """A registered source: what to read and how to cite it."""

    spec: str  # as given after normalization: absolute path, URL, or pydoc:NAME
    kind: str  # local | git | web | pydoc
    priority: float = 1.0  # retrieval weight of this source against others
    manifest: str = ""  # optional path -> public URL manifest

    @property
    def source_id(self) -> str:
        return self.spec
