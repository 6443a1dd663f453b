"""Source specs (folder, file, git, web, pydoc) and loading them into documents."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.htmltext import html_to_text
from ingest.manifest import find_manifest, load_manifest

log = logging.getLogger(__name__)

KINDS = {".md": "markdown", ".mdx": "markdown", ".rst": "rst", ".txt": "text", ".py": "python", ".html": "html", ".htm": "html"}
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".rag", ".tox", "build", "dist"}
MAX_FILE_BYTES = 2_000_000
_GIT_URL = re.compile(r"^(https?://|git@|ssh://)[^\s]+?(\.git)?/?$")


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
        kind = "git" if raw.endswith(".git") or re.match(r"^https?://(github\.com|gitlab\.com)/[^/]+/[^/]+/?$", raw) else "web"
        return SourceSpec(raw.rstrip("/") if kind == "git" else raw, kind, priority, manifest)
    if _GIT_URL.match(raw):
        return SourceSpec(raw, "git", priority, manifest)
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise SourceError(f"source path does not exist: {path}")
    if manifest:
        manifest = str(Path(manifest).expanduser().resolve())
    return SourceSpec(str(path), "local", priority, manifest)


def _title_of(text: str, fallback: str) -> str:
    for line in text.splitlines()[:40]:
        m = re.match(r"^#{1,2}\s+(.+)", line)
        if m:
            return m.group(1).strip()
    return fallback


def read_file(path: Path, root: Path, source_id: str, url: str = "") -> Document | None:
    """One document from a local file, or None for unsupported, binary or oversized files."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None or path.stat().st_size > MAX_FILE_BYTES:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        log.warning("skipping %s: %s", path, exc)
        return None
    rel = path.relative_to(root).as_posix() if path != root else path.name
    title = _title_of(text, path.stem.replace("_", " ").replace("-", " "))
    if kind == "html":
        html_title, text = html_to_text(text)
        title, kind = html_title or title, "markdown"
    return Document(source=source_id, path=rel, text=text, title=title, url=url, location=str(path), kind=kind)


def iter_files(root: Path) -> list[Path]:
    """Supported files under root in a stable order, skipping VCS and build folders."""
    if root.is_file():
        return [root]
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in rel[:-1]):
            continue
        if path.is_file() and path.suffix.lower() in KINDS:
            out.append(path)
    return out


def load_folder(root: Path, source_id: str, manifest: dict[str, str], url_for=None) -> list[Document]:
    """Documents of every supported file in a folder (or a single file)."""
    base = root.parent if root.is_file() else root
    docs = []
    for path in iter_files(root):
        rel = path.relative_to(base).as_posix()
        url = manifest.get(rel, "") or (url_for(rel) if url_for else "")
        doc = read_file(path, base, source_id, url)
        if doc is not None:
            docs.append(doc)
    return docs


def load_local(spec: SourceSpec) -> list[Document]:
    root = Path(spec.spec)
    if not root.exists():
        raise SourceError(f"source path does not exist: {root}")
    mpath = Path(spec.manifest) if spec.manifest else find_manifest(root if root.is_dir() else root.parent)
    manifest = load_manifest(mpath) if mpath else {}
    return load_folder(root, spec.source_id, manifest)


def load_documents(spec: SourceSpec, data_dir: Path) -> list[Document]:
    """All documents of a source. Raises SourceError when the source cannot be read."""
    if spec.kind == "git" or (spec.kind == "local" and (Path(spec.spec) / ".git").exists()):
        from ingest.gitsource import load_git

        return load_git(spec, data_dir)
    if spec.kind == "local":
        return load_local(spec)
    if spec.kind == "web":
        from ingest.web import crawl

        return crawl(spec)
    if spec.kind == "pydoc":
        from ingest.pydocs import load_pydoc

        return load_pydoc(spec)
    raise SourceError(f"unknown source kind {spec.kind!r}")
