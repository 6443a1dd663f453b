"""Adapters on disk: `adapters/NAME/` under the data dir (or shipped with the package), with metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.atomic import publish_dir

# The shipped adapters are data files that `rag finetune` produced; they live beside the fine-tuning code
# (installed as package data) and are only read here, so this is a path, not an import.
SHIPPED = Path(__file__).resolve().parents[1] / "finetune" / "adapters"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class BadAdapterName(ValueError):
    """An adapter name that could not be a folder name."""


class AdapterNotFound(FileNotFoundError):
    """No adapter of that name, trained or shipped."""


class AdapterUnsupported(ValueError):
    """The configured generator backend cannot load LoRA adapters."""


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise BadAdapterName(f"bad adapter name {name!r}: letters, digits, '.', '_' and '-', at most 64")
    return name


class AdapterStore:
    """Adapters trained into the data dir, plus the ones shipped with the project."""

    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "adapters"

    def folders(self) -> dict[str, Path]:
        found = {}
        for base in (SHIPPED, self.root):  # a data-dir adapter of the same name wins over a shipped one
            if base.is_dir():
                found.update(
                    {
                        p.name: p
                        for p in sorted(base.iterdir())
                        if (p / "adapter" / "adapter_config.json").exists()
                    }
                )
        return found

    def path(self, name: str) -> Path:
        """The adapter weights folder of `name` (what peft loads)."""
        folder = self.folders().get(check_name(name))
        if folder is None:
            known = ", ".join(self.folders()) or "none yet"
            raise AdapterNotFound(
                f"no adapter {name!r} (known: {known}); train one with `rag finetune train`"
            )
        return folder / "adapter"

    def metadata(self, name: str) -> dict:
        meta = self.path(name).parent / "metadata.json"
        return json.loads(meta.read_text()) if meta.exists() else {}

    def list(self) -> list[dict]:
        out = []
        for name, folder in self.folders().items():
            meta = self.metadata(name)
            out.append(
                {
                    "name": name,
                    "path": str(folder),
                    "shipped": folder.parent == SHIPPED,
                    "base_model": meta.get("base_model"),
                    "created": meta.get("created"),
                    "data_hash": meta.get("data_hash"),
                    "metrics": meta.get("metrics", {}),
                }
            )
        return out

    def staging(self, name: str) -> Path:
        tmp = self.root / f".staging-{check_name(name)}"
        return tmp

    def publish(self, name: str, staging: Path) -> Path:
        """Move a finished training folder into place, replacing an older adapter of the same name."""
        return publish_dir(staging, self.root / name)


def resolve_adapter(value: str, home: Path) -> str:
    """An adapter setting (a folder path or a stored name) -> the folder peft loads; '' stays ''."""
    if not value:
        return ""
    path = Path(value)
    if (path / "adapter_config.json").exists():
        return str(path)
    if (path / "adapter" / "adapter_config.json").exists():
        return str(path / "adapter")
    return str(AdapterStore(home).path(value))
