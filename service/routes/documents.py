"""GET /v1/documents/view: an indexed document as a page with the cited span highlighted.

Citations of local files have no public URL; this gives them a link to the exact section. Only text
stored in the index is shown (never a file read from disk), so it cannot expose anything unindexed.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from service.deps import StateDep

# The page is escaped indexed text; the policy also forbids scripts, frames and outside loads.
VIEW_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}
router = APIRouter(prefix="/v1/documents", tags=["sources"])

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:15px/1.55 system-ui,sans-serif;max-width:860px;margin:30px auto;padding:0 18px}}
pre{{white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.5 ui-monospace,Menlo,monospace}}
mark{{background:#fde68a;color:inherit}}.path{{color:#6b7280}}</style></head>
<body><h1>{title}</h1><p class="path">{path}</p><pre>{before}<mark id="cited">{cited}</mark>{after}</pre>
</body></html>"""


@router.get("/view", response_class=HTMLResponse)
def view_document(
    state: StateDep,
    source: str = Query(min_length=1, max_length=4000),
    start: int = Query(0, ge=0),
    end: int = Query(0, ge=0),
) -> HTMLResponse:
    """The stored text of the document cited as `source` (its location or URL), span start..end marked."""
    catalog = state.retriever().catalog
    row = catalog.find_document(source)
    if row is None:
        raise HTTPException(404, f"no indexed document {source!r}")
    text, title, path = row
    start = min(start, len(text))
    end = min(max(end, start), len(text))
    e = html.escape
    return HTMLResponse(
        headers=VIEW_HEADERS,
        content=PAGE.format(
            title=e(title or path),
            path=e(path),
            before=e(text[:start]),
            cited=e(text[start:end]),
            after=e(text[end:]),
        ),
    )
