"""Adapters on disk: `adapters/NAME/` under the data dir (or shipped with the package), with metadata."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "adapters"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ValueError(f"bad adapter name {name!r}: letters, digits, '.', '_' and '-', at most 64")
    return name


class AdapterStore:
    """Adapters trained into the data dir, plus the ones shipped with the project."""

    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "adapters"

    def folders(self) -> dict[str, Path]:
        found = {}
        for base in (SHIPPED, self.root):  # a data-dir adapter of the same name wins over a shipped one
            if base.is_dir():
                found.update({p.name: p for p in sorted(base.iterdir()) if (p / "adapter" / "adapter_config.json").exists()})
        return found

    def path(self, name: str) -> Path:
        """The adapter weights folder of `name` (what peft loads)."""
        folder = self.folders().get(check_name(name))
        if folder is None:
            known = ", ".join(self.folders()) or "none yet"
            raise FileNotFoundError(f"no adapter {name!r} (known: {known}); train one with `rag finetune train`")
        return folder / "adapter"

    def metadata(self, name: str) -> dict:
        meta = self.path(name).parent / "metadata.json"
        return json.loads(meta.read_text()) if meta.exists() else {}

    def list(self) -> list[dict]:
        out = []
        for name, folder in self.folders().items():
            meta = self.metadata(name)
            out.append({"name": name, "path": str(folder), "shipped": folder.parent == SHIPPED,
                        "base_model": meta.get("base_model"), "created": meta.get("created"),
                        "data_hash": meta.get("data_hash"), "metrics": meta.get("metrics", {})})
        return out

    def staging(self, name: str) -> Path:
        tmp = self.root / f".staging-{check_name(name)}"
        return tmp

    def publish(self, name: str, staging: Path) -> Path:
        """Move a finished training folder into place, replacing an older adapter of the same name."""
        dest = self.root / name
        old = self.root / f".old-{name}"
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
        return dest


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
