"""Source strings classified into specs, and each kind of source loaded into documents."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.fetcher import FetchLimits
from ingest.gitsource import load_git
from ingest.local import load_local
from ingest.pydocs import load_pydoc
from ingest.spec import CrawlBounds, SourceSpec
from ingest.web import crawl

__all__ = ["SourceSpec", "load_documents", "parse_source", "source_kind"]
_GIT_URL = re.compile(r"^(https?://|git@|ssh://)[^\s]+?(\.git)?/?$")
_FORGE_REPO = re.compile(r"^https?://(github\.com|gitlab\.com)/[^/]+/[^/]+/?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # "x://host/..", "file:///etc"


def _unencodable(raw: str) -> bool:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no file name or URL has one
        return True
    return False


def source_kind(raw: str) -> str:
    """pydoc | git | web | local, from the string alone (nothing is read or resolved).

    Every caller classifies a source here, once: a string with an unknown scheme ("x://host/../dir") is
    refused rather than taken for a relative path, so the class decides the one check it gets."""
    raw = raw.strip()
    if not raw:
        raise SourceError("empty source")
    if not raw.isprintable() or _unencodable(raw):  # control characters (NUL, C0, C1) are not printable
        raise SourceError(f"control or unencodable characters in source {raw[:80]!r}")
    if raw.startswith("pydoc:"):
        if not re.fullmatch(r"pydoc:[A-Za-z_][\w.]*", raw):
            raise SourceError(f"bad pydoc source {raw!r}: use pydoc:PACKAGE[.MODULE]")
        return "pydoc"
    if raw.startswith(("http://", "https://")):
        repo = raw.endswith(".git") or _FORGE_REPO.match(raw)
        return "git" if repo else "web"
    if _GIT_URL.match(raw):
        return "git"
    if _SCHEME.match(raw):
        raise SourceError(
            f"unknown scheme in {raw[:80]!r}: use http(s)://, ssh://, git@host:repo, pydoc: or a path"
        )
    return "local"


def parse_source(
    raw: str, *, priority: float = 1.0, manifest: str = "", crawl: CrawlBounds | None = None
) -> SourceSpec:
    """Classify a source string; local paths become absolute. Raises SourceError if unusable.
    `crawl` bounds a web source's crawl (other kinds ignore it)."""
    raw = raw.strip()
    kind = source_kind(raw)
    if kind == "web":
        return SourceSpec(raw, kind, priority, manifest, crawl or CrawlBounds())
    if kind == "git":
        return SourceSpec(raw.rstrip("/") if raw.startswith("http") else raw, kind, priority, manifest)
    if kind != "local":
        return SourceSpec(raw, kind, priority, manifest)
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise SourceError(f"source path does not exist: {path}")
    if manifest:
        manifest = str(Path(manifest).expanduser().resolve())
    return SourceSpec(str(path), "local", priority, manifest)


def load_documents(
    spec: SourceSpec, data_dir: Path, *, allow_private: bool = True, limits: FetchLimits = FetchLimits()
) -> list[Document]:
    """All documents of a source. Raises SourceError when the source cannot be read.

    `allow_private=False` keeps a crawl off private and local addresses on every hop (the API's guard);
    a crawl keeps its page cache under `data_dir` and keeps to `limits` (delay, timeout, size)."""
    if spec.kind == "git" or (spec.kind == "local" and (Path(spec.spec) / ".git").exists()):
        return load_git(spec, data_dir)
    if spec.kind == "local":
        return load_local(spec)
    if spec.kind == "web":
        return crawl(spec, allow_private=allow_private, data_dir=data_dir, limits=limits)
    if spec.kind == "pydoc":
        return load_pydoc(spec)
    raise SourceError(f"unknown source kind {spec.kind!r}")
