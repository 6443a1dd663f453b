"""GET /v1/documents/view: an indexed document as a page with the cited span highlighted.

Citations of local files have no public URL; this gives them a link to the exact section. Only text
stored in the index is shown (never a file read from disk), so it cannot expose anything unindexed.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from service.deps import StateDep
from service.rstview import rst_to_markdown

# The page is escaped indexed text; the policy also forbids scripts, frames and outside loads.
VIEW_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}
router = APIRouter(prefix="/v1/documents", tags=["sources"])

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:15px/1.6 system-ui,sans-serif;max-width:860px;margin:30px auto;padding:0 18px;
color:#1f2937}}pre{{white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.5 ui-monospace,Menlo,monospace;
background:#f6f8fa;padding:10px;border-radius:6px}}code{{font:13px ui-monospace,Menlo,monospace}}
mark.cited{{display:block;background:#fef3c7;color:inherit;border-left:4px solid #f59e0b;padding:2px 12px;
margin:8px -16px;scroll-margin-top:20px}}.path{{color:#6b7280}}table{{border-collapse:collapse}}
td,th{{border:1px solid #d1d5db;padding:3px 8px}}</style></head>
<body><h1>{title}</h1><p class="path">{path}</p>{before}<mark id="cited" class="cited">{cited}</mark>{after}
</body></html>"""
MARKDOWN_SUFFIXES = (".md", ".mdx", ".markdown")
PLAIN_SUFFIXES = (".py", ".rst", ".txt")


def render_text(text: str, syntax: str) -> str:
    """Indexed text as HTML: markdown (and rst, converted to markdown) rendered with raw HTML escaped (never
    passed through); code and plain text as escaped preformatted text."""
    if not text.strip():
        return ""
    if syntax == "plain":
        return f"<pre>{html.escape(text)}</pre>"
    from markdown_it import MarkdownIt

    source = rst_to_markdown(text) if syntax == "rst" else text
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(source)


def text_syntax(path: str, text: str) -> str:
    """markdown | rst | plain: markdown files and pages the index holds as markdown (pydoc objects such as
    `torch.nn.Dropout`), rst files, and everything else (code, text)."""
    suffix = ("." + path.rsplit(".", 1)[-1].lower()) if "." in path else ""
    if suffix == ".rst":
        return "rst"
    markdown = suffix in MARKDOWN_SUFFIXES or (text[:2] == "# " and suffix not in PLAIN_SUFFIXES)
    return "markdown" if markdown else "plain"


@router.get("/view", response_class=HTMLResponse)
def view_document(
    state: StateDep,
    source: str = Query(min_length=1, max_length=4000),
    start: int = Query(0, ge=0),
    end: int = Query(0, ge=0),
) -> HTMLResponse:
    """The stored text of the document cited as `source` (its location or URL) as a readable page, the span
    start..end highlighted; the citation links end in `#cited`, so the browser scrolls to it."""
    catalog = state.retriever().catalog
    row = catalog.find_document(source)
    if row is None:
        raise HTTPException(404, f"no indexed document {source!r}")
    text, title, path = row
    start = min(start, len(text))
    end = min(max(end, start), len(text))
    # Chunks end at block boundaries (fences are never split), so the three parts render on their own.
    syntax = text_syntax(path, text)
    return HTMLResponse(
        headers=VIEW_HEADERS,
        content=PAGE.format(
            title=html.escape(title or path),
            path=html.escape(path),
            before=render_text(text[:start], syntax),
            cited=render_text(text[start:end], syntax),
            after=render_text(text[end:], syntax),
        ),
    )
