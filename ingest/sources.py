"""Source strings classified into specs, and each kind of source loaded into documents."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.gitsource import load_git
from ingest.local import load_local
from ingest.pydocs import load_pydoc
from ingest.spec import SourceSpec
from ingest.web import crawl

__all__ = ["SourceSpec", "load_documents", "parse_source"]
_GIT_URL = re.compile(r"^(https?://|git@|ssh://)[^\s]+?(\.git)?/?$")


def parse_source(raw: str, *, priority: float = 1.0, manifest: str = "") -> SourceSpec:
    """Classify a source string; local paths become absolute. Raises SourceError if unusable."""
    raw = raw.strip()
    if not raw:
        raise SourceError("empty source")
    if raw.startswith("pydoc:"):
        if not re.fullmatch(r"pydoc:[A-Za-z_][\w.]*", raw):
            raise SourceError(f"bad pydoc source {raw!r}: use pydoc:PACKAGE[.MODULE]")
        return SourceSpec(raw, "pydoc", priority, manifest)
    if raw.startswith(("http://", "https://")):
        kind = (
            "git"
            if raw.endswith(".git") or re.match(r"^https?://(github\.com|gitlab\.com)/[^/]+/[^/]+/?$", raw)
            else "web"
        )
        return SourceSpec(raw.rstrip("/") if kind == "git" else raw, kind, priority, manifest)
    if _GIT_URL.match(raw):
        return SourceSpec(raw, "git", priority, manifest)
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise SourceError(f"source path does not exist: {path}")
    if manifest:
        manifest = str(Path(manifest).expanduser().resolve())
    return SourceSpec(str(path), "local", priority, manifest)


def load_documents(spec: SourceSpec, data_dir: Path) -> list[Document]:
    """All documents of a source. Raises SourceError when the source cannot be read."""
    if spec.kind == "git" or (spec.kind == "local" and (Path(spec.spec) / ".git").exists()):
        return load_git(spec, data_dir)
    if spec.kind == "local":
        return load_local(spec)
    if spec.kind == "web":
        return crawl(spec)
    if spec.kind == "pydoc":
        return load_pydoc(spec)
    raise SourceError(f"unknown source kind {spec.kind!r}")
