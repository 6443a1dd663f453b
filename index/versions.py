"""Index versions on disk: built in a staging folder, published by an atomic pointer swap."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from ingest.atomic import publish_dir, write_text_atomic

COMPLETE = "COMPLETE"  # written last into a version folder: its presence means the folder is whole
_NAME = re.compile(r"^v(\d{6})$")


class NoIndexError(FileNotFoundError):
    """Nothing has been ingested into this data dir yet."""


class IndexCorruptError(RuntimeError):
    """The published index cannot be read; the message says how to rebuild."""


def _file_sums(root: Path) -> dict[str, dict]:
    """Size and SHA-256 of every file of a version folder (the COMPLETE marker aside)."""
    sums = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != COMPLETE):
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        sums[str(path.relative_to(root))] = {"size": path.stat().st_size, "sha256": h.hexdigest()}
    return sums


def verify_version(path: Path) -> None:
    """Raise IndexCorruptError if a file of the version was truncated, changed or removed since publishing.

    Catches damage before FAISS or SQLite read a broken file (a corrupt FAISS file can crash the process)."""
    try:
        recorded = json.loads((path / COMPLETE).read_text())
    except ValueError:
        return  # a version published before checksums were recorded
    found = _file_sums(path)
    for name, want in recorded.get("files", {}).items():
        got = found.get(name)
        if got != want:
            what = "missing" if got is None else ("truncated" if got["size"] < want["size"] else "changed")
            raise IndexCorruptError(
                f"index version {path.name} is corrupt: {name} is {what} since it was published; "
                "rebuild it with `rag ingest` (or remove RAG_HOME/CURRENT and ingest again)"
            )


class VersionStore:
    """Owns RAG_HOME/versions and the CURRENT pointer file."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.root = home / "versions"
        self.pointer = home / "CURRENT"

    def current(self) -> Path | None:
        """The published version folder, or None before the first ingest."""
        if not self.pointer.exists():
            return None
        path = self.root / self.pointer.read_text().strip()
        if not (path / COMPLETE).exists():
            raise IndexCorruptError(
                f"index version {path} is incomplete or missing: run `rag ingest` to rebuild it"
            )
        return path

    def staging(self) -> Path:
        path = self.root / f".staging-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def _next_name(self) -> str:
        nums = (
            [int(m.group(1)) for p in self.root.iterdir() if (m := _NAME.match(p.name))]
            if self.root.exists()
            else []
        )
        return f"v{max(nums, default=0) + 1:06d}"

    def publish(self, staging: Path) -> str:
        """Make a complete staging folder the current version, atomically; returns its name."""
        (staging / COMPLETE).write_text(json.dumps({"files": _file_sums(staging)}))
        name = self._next_name()
        publish_dir(staging, self.root / name)
        write_text_atomic(self.pointer, name + "\n")
        return name

    def prune(self, keep: int = 2) -> None:
        """Remove staging leftovers and all but the newest `keep` versions (never the current one)."""
        if not self.root.exists():
            return
        current = self.pointer.read_text().strip() if self.pointer.exists() else ""
        for path in self.root.glob(".staging-*"):
            shutil.rmtree(path, ignore_errors=True)
        names = sorted(p.name for p in self.root.iterdir() if _NAME.match(p.name))
        for name in names[:-keep]:
            if name != current:
                shutil.rmtree(self.root / name, ignore_errors=True)

    @contextmanager
    def writer_lock(self):
        """One writer at a time; a second ingest fails fast instead of racing."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / "ingest.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RuntimeError("another ingest is running on this index; wait for it to finish") from exc
            yield
