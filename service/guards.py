"""What the API may ingest: no URLs that resolve to private networks (SSRF), no files outside allowed
roots."""

from __future__ import annotations

from pathlib import Path

from ingest.netguard import AddressNotAllowed, public_address
from ingest.sources import SourceSpec, parse_source, source_kind

PYDOC_ALLOWED = frozenset(
    {"torch", "sklearn", "transformers", "peft", "faiss", "pandas", "numpy", "keras", "sentence_transformers"}
)


class SourceNotAllowed(ValueError):
    """A source the API refuses to fetch or read."""


def check_url(url: str, allow_private: bool = False) -> None:
    """Refuse URLs whose host resolves to loopback, link-local, private or reserved addresses."""
    try:
        public_address(url, allow_private)
    except AddressNotAllowed as exc:
        raise SourceNotAllowed(str(exc)) from None


def check_path(path: str, roots: list[Path]) -> None:
    """Refuse paths that are not inside one of the allowed roots (after resolving links and '..')."""
    real = Path(path).resolve()
    for root in roots:
        if real == root.resolve() or root.resolve() in real.parents:
            return
    allowed = ", ".join(str(r) for r in roots) or "none configured (RAG_INGEST_ROOTS)"
    raise SourceNotAllowed(f"{path}: outside the folders the API may ingest from ({allowed})")


def checked_source(raw: str, *, roots: list[Path], allow_private: bool, priority: float = 1.0) -> SourceSpec:
    """Classify a source given over the API once, apply the one guard its class gets, then parse it."""
    kind = source_kind(raw)
    if kind in ("git", "web"):
        check_url(raw.strip(), allow_private)
    elif kind == "pydoc":
        check_pydoc(raw.strip())
    else:
        check_path(raw, roots)  # before parse_source, which would reveal whether the path exists
    return parse_source(raw, priority=priority)


def check_pydoc(raw: str) -> None:
    """Importing a module runs its code: over the API only the documented frameworks' packages."""
    top = raw.removeprefix("pydoc:").split(".")[0]
    if top not in PYDOC_ALLOWED:
        raise SourceNotAllowed(f"{raw}: the API documents only {', '.join(sorted(PYDOC_ALLOWED))} (pydoc:)")
