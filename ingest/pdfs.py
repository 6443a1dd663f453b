"""PDF files as text by page: each page a section, so a citation opens the PDF at `#page=N`."""

from __future__ import annotations

import io
import logging
import re

from ingest.errors import SourceError

log = logging.getLogger(__name__)


def pdf_to_markdown(data: bytes) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(title, markdown with a `## Page N` heading per page, heading anchors `page=N`).

    Raises SourceError for an unreadable or encrypted file; a page without a text layer is skipped."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SourceError("the PDF is encrypted")
        title = str((reader.metadata or {}).get("/Title") or "").strip()
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"unreadable PDF: {exc}") from exc
    parts, anchors = [], []
    for n, text in enumerate(pages, start=1):
        text = re.sub(r"[ \t]+\n", "\n", text).strip()
        if not text:
            log.debug("page %d has no text layer (a scan?): skipped", n)
            continue
        parts.append(f"## Page {n}\n\n{text}")
        anchors.append((f"Page {n}", f"page={n}"))
    return title, "\n\n".join(parts) + "\n", tuple(anchors)
