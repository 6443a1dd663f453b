"""The crawler checks every redirect hop and connects to the address it checked (attack D6)."""

from __future__ import annotations

import http.server
import threading

import pytest

from ingest import fetcher, netguard, web
from ingest.errors import SourceError
from ingest.spec import SourceSpec


class Site(http.server.BaseHTTPRequestHandler):
    """docs.test: a page that redirects to the server's own private /metrics, and one that does not."""

    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        Site.paths.append(self.path)
        if self.path == "/start":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/metrics")
            self.end_headers()
            return
        body = (
            b"<html><head><title>Page</title></head><body><h1>Page</h1><p>Plain text here.</p></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Site.paths = []
    real = netguard.public_address

    def resolve(url: str, allow_private: bool = False) -> str:
        # docs.test stands for a public host: it passes the check and is reached on loopback
        return "127.0.0.1" if netguard.url_host(url) == "docs.test" else real(url, allow_private)

    monkeypatch.setattr(fetcher, "public_address", resolve)
    yield server.server_port
    server.shutdown()


def test_a_redirect_to_a_private_address_is_refused(site):
    spec = SourceSpec(f"http://docs.test:{site}/start", "web")
    with pytest.raises(SourceError, match="private or local"):
        web.crawl(spec, allow_private=False)
    assert "/metrics" not in Site.paths  # the redirect target was never requested


def test_pages_are_fetched_from_the_checked_address_with_their_host_name(site):
    docs = web.crawl(SourceSpec(f"http://docs.test:{site}/page", "web"), max_pages=1, allow_private=False)
    assert [d.title for d in docs] == ["Page"] and docs[0].url == f"http://docs.test:{site}/page"


def test_the_operator_may_crawl_private_addresses(site):
    docs = web.crawl(SourceSpec(f"http://127.0.0.1:{site}/page", "web"), max_pages=1, allow_private=True)
    assert docs and docs[0].title == "Page"


def test_requests_to_one_host_are_spaced_by_the_larger_of_our_delay_and_robots(monkeypatch):
    from ingest.fetcher import Politeness

    pauses: list[float] = []
    monkeypatch.setattr(fetcher.time, "sleep", pauses.append)  # record the pauses instead of taking them
    polite = Politeness(0.5)
    polite.wait("docs.test")
    polite.wait("other.test")
    assert pauses == []  # the first request to each host goes at once
    polite.wait("docs.test")
    polite.wait("docs.test", delay_s=2.0)  # robots.txt Crawl-delay: 2
    polite.wait("other.test", delay_s=0.1)  # a smaller Crawl-delay does not speed us up
    assert [round(p, 1) for p in pauses] == [0.5, 2.5, 0.5]
