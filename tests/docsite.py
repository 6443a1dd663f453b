"""A small docs site on loopback for the crawler's tests: navigation chrome on every page, a sitemap, a
robots.txt that disallows a folder, a redirect, a slow page, an oversized page, an off-list link, a notebook
and a PDF. Every request is recorded with its answer; pages carry ETags and answer 304 when unchanged."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from dataclasses import dataclass, field

from tests.pdfmaker import make_pdf

CHROME = """<header class="site-header"><a href="/">DocSite home</a><nav aria-label="Main">
<a href="/docs/index.html">Guide</a> <a href="/docs/api.html">API reference</a>
<a href="/blog/">Blog</a></nav></header>
<div class="sidebar"><p>Sidebar: all the chapters</p><a href="/docs/guide.html">Guide chapter</a>
<a href="/docs/private/secret.html">Internal notes</a></div>"""
FOOTER = """<footer><p>Copyright DocSite contributors. Built with a static generator.</p></footer>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve this site.
<button>Accept</button></div>"""


def page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title} | DocSite</title></head><body>{CHROME}"
        f"<main><article>{body}</article></main>{FOOTER}</body></html>"
    )


NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {"language_info": {"name": "python"}},
    "cells": [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Quokka notebook\n", "\n",
         "The quokka classifier reaches 97 percent accuracy on the marsupial test set."]},
        {"cell_type": "code", "id": "a2", "metadata": {}, "execution_count": 1, "source": ["print(2 + 2)"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["4\n"]},
                     {"output_type": "display_data", "metadata": {},
                      "data": {"image/png": "iVBORw0KGgo" + "A" * 4000, "text/plain": ["<Figure>"]}}]},
    ],
}  # fmt: skip


def site_pages(port: int) -> dict[str, tuple[str, bytes]]:
    """path -> (content type, body)."""
    html = "text/html; charset=utf-8"
    index = page(
        "Welcome",
        '<h1 id="welcome">Welcome to DocSite</h1><p>DocSite documents the zebra scheduler, a job queue for '
        'training runs.</p><p>Read the <a href="guide.html">guide</a>, the <a href="api.html">API</a>, the '
        '<a href="/docs/old-tuning.html">tuning page</a>, the <a href="slow.html">slow page</a>, the '
        '<a href="big.html">big page</a>, the <a href="tour.ipynb">notebook</a>, the '
        '<a href="paper.pdf">paper</a>, and <a href="http://offlist.test/elsewhere.html">another site</a>.'
        "</p>",
    )
    guide = page(
        "Guide",
        '<h1 id="guide">Guide</h1><h2 id="queues">Configuring queues</h2><p>Set <code>max_workers</code> to '
        "bound how many training runs the zebra scheduler starts at once.</p>"
        '<pre><code class="language-python">from zebra import Scheduler\n\nsched = Scheduler(max_workers=4)\n'
        "sched.submit(train, epochs=3)\n</code></pre>",
    )
    api = page(
        "API", '<h1 id="api">API reference</h1><h2 id="submit">Scheduler.submit</h2><p>Queues one run.</p>'
    )
    tuning = page("Tuning", '<h1 id="tuning">Tuning</h1><p>Raise the heartbeat interval on slow disks.</p>')
    orphan = page(
        "Orphan", '<h1 id="orphan">Orphan page</h1><p>Only the sitemap lists the capybara mode.</p>'
    )
    secret = page("Secret", "<h1>Secret</h1><p>never fetch this</p>")
    big = page("Big", "<h1>Big</h1><p>" + "padding " * 800_000 + "</p>")
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<url><loc>http://127.0.0.1:{port}{p}</loc></url>"
            for p in ("/docs/index.html", "/docs/orphan.html", "/docs/private/secret.html", "/blog/post.html")
        )
        + "</urlset>"
    )
    robots = f"User-agent: *\nDisallow: /docs/private/\nSitemap: http://127.0.0.1:{port}/sitemap.xml\n"
    return {
        "/docs/index.html": (html, index.encode()),
        "/docs/guide.html": (html, guide.encode()),
        "/docs/api.html": (html, api.encode()),
        "/docs/tuning.html": (html, tuning.encode()),
        "/docs/orphan.html": (html, orphan.encode()),
        "/docs/private/secret.html": (html, secret.encode()),
        "/docs/big.html": (html, big.encode()),
        "/docs/tour.ipynb": ("application/x-ipynb+json", json.dumps(NOTEBOOK).encode()),
        "/docs/paper.pdf": ("application/pdf", make_pdf(["Axolotl regeneration study", "Page one intro."],
                                                         ["The axolotl regrows a limb in about 40 days."])),
        "/blog/post.html": (html, page("Post", "<h1>Blog post</h1><p>off the docs path</p>").encode()),
        "/robots.txt": ("text/plain", robots.encode()),
        "/sitemap.xml": ("application/xml", sitemap.encode()),
    }  # fmt: skip


@dataclass
class DocSite:
    """The running site: its base URL, what was requested (path, status), and the pages (editable)."""

    port: int
    pages: dict[str, tuple[str, bytes]]
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status) as answered
    arrived: list[str] = field(default_factory=list)  # paths as asked (a timed-out request too)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return list(self.arrived)


def _handler(site: DocSite):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            site.requests.append((self.path, status))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the crawler gave up (timeout, size cap)
                pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            site.arrived.append(self.path)
            if self.path == "/docs/old-tuning.html":
                return self._send(301, {"Location": "/docs/tuning.html"})
            if self.path == "/docs/slow.html":
                site.release.wait(5)  # longer than the crawler's timeout; the test's end releases it
                return self._send(200, {"Content-Type": "text/html"}, page("Slow", "<p>late</p>").encode())
            if self.path not in site.pages:
                return self._send(404, {"Content-Type": "text/plain"}, b"not found")
            ctype, body = site.pages[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, {"ETag": etag})
            return self._send(200, {"Content-Type": ctype, "ETag": etag}, body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def serve_docsite() -> tuple[DocSite, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    site = DocSite(server.server_port, {})
    site.pages = site_pages(site.port)
    server.RequestHandlerClass = _handler(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site, server
