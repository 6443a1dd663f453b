"""Local folders and files: which files are read, and each one as a document."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.htmltext import extract_page
from ingest.manifest import find_manifest, load_manifest
from ingest.notebooks import notebook_to_markdown
from ingest.pdfs import pdf_to_markdown
from ingest.spec import SourceSpec
from ingest.structure import python_title

log = logging.getLogger(__name__)

KINDS = {
    ".md": "markdown",
    ".mdx": "markdown",
    ".rst": "rst",
    ".txt": "text",
    ".py": "python",
    ".html": "html",
    ".htm": "html",
    ".ipynb": "notebook",
    ".pdf": "pdf",
}
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".rag",
    ".tox",
    "build",
    "dist",
}
MAX_FILE_BYTES = 2_000_000
# Notebooks carry outputs (images) and PDFs fonts: far bigger files than the text they hold.
MAX_BYTES = {"notebook": 30_000_000, "pdf": 50_000_000}


def _title_of(text: str, kind: str, fallback: str) -> str:
    """The page title: a literate Python file's own title (a comment such as "# -*- coding: utf-8 -*-" is
    none), else an early `#` heading, else the file name. rst files keep the file name: their first title
    already leads every chunk's heading path, and as BM25's title line it scored lower (README)."""
    if kind == "python":
        return python_title(text) or fallback
    for line in text.splitlines()[:40]:
        m = re.match(r"^#{1,2}\s+(.+)", line)
        if m:
            return m.group(1).strip()
    return fallback


def read_file(path: Path, root: Path, source_id: str, url: str = "") -> Document | None:
    """One document from a local file, or None for unsupported, binary or oversized files."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None or path.stat().st_size > MAX_BYTES.get(kind, MAX_FILE_BYTES):
        return None
    try:
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix() if path != root else path.name
        return parse_file(data, kind, rel, source_id=source_id, url=url, location=str(path))
    except (UnicodeDecodeError, OSError, SourceError) as exc:
        log.warning("skipping %s: %s", path, exc)
        return None


def parse_file(data: bytes, kind: str, rel: str, *, source_id: str, url: str, location: str) -> Document:
    """A document from a file's bytes (read from disk or fetched by the crawler). Raises SourceError or
    UnicodeDecodeError when the bytes are not what `kind` says."""
    fallback = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", " ").replace("-", " ")
    anchors: tuple[tuple[str, str], ...] = ()
    if kind == "pdf":
        title, text, anchors = pdf_to_markdown(data)
        title, kind = title or fallback, "markdown"
    else:
        text = data.decode("utf-8")
        if kind == "notebook":
            _lang, text = notebook_to_markdown(text)
            kind = "markdown"
        title = _title_of(text, kind, fallback)
        if kind == "html":
            page = extract_page(text)
            title, text, anchors, kind = page.title or title, page.text, page.anchors, "markdown"
    return Document(
        source=source_id,
        path=rel,
        text=text,
        title=title,
        url=url,
        location=location,
        kind=kind,
        anchors=anchors,
    )


def iter_files(root: Path) -> list[Path]:
    """Supported files under root in a stable order, skipping VCS and build folders."""
    if root.is_file():
        return [root]
    out = []
    real_root = root.resolve()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in rel[:-1]):
            continue
        if path.is_file() and path.suffix.lower() in KINDS and _inside(path, real_root):
            out.append(path)
    return out


def _inside(path: Path, real_root: Path) -> bool:
    """A file whose real location (links followed) is under the source's folder; others are skipped, so a
    symlink cannot pull /etc/passwd into an index that anyone may search."""
    real = path.resolve()
    if real == real_root or real_root in real.parents:
        return True
    log.warning("skipping %s: it links to %s, outside %s", path, real, real_root)
    return False


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
