"""GET /widget.js (the embeddable chat widget) and GET / (a demo page that embeds it)."""

from __future__ import annotations

import hashlib
import html
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(tags=["widget"])


@lru_cache
def widget_bundle() -> tuple[bytes, str, str]:
    """The committed bundle, its version (from the banner) and an ETag."""
    data = (STATIC / "widget.js").read_bytes()
    m = re.match(rb"/\* roadmap-rag widget ([\w.+-]+) \*/", data)
    version = m.group(1).decode() if m else "0"
    return data, version, '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


@router.get(
    "/widget.js", response_class=Response, responses={200: {"content": {"application/javascript": {}}}}
)
def widget_js(request: Request) -> Response:
    """The widget bundle; `?v=VERSION` URLs may be cached for a year, the bare URL for an hour."""
    data, version, etag = widget_bundle()
    immutable = request.query_params.get("v") == version
    headers = {
        "ETag": etag,
        "X-Widget-Version": version,
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "public, max-age=3600",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/javascript; charset=utf-8", headers=headers)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page(request: Request) -> HTMLResponse:
    """A page that explains how to embed the widget, and embeds it."""
    _, version, _ = widget_bundle()
    base = str(request.base_url).rstrip("/")
    page = (STATIC / "demo.html").read_text(encoding="utf-8")
    return HTMLResponse(
        page.replace("{{BASE}}", html.escape(base)).replace("{{VERSION}}", html.escape(version))
    )
