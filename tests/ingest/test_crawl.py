"""--follow-links end to end on a loopback docs site: scope, robots, sitemap, redirects, limits, chrome-free
chunks with deep links, notebooks and PDFs, and a refresh that costs one 304 per unchanged page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docsite import serve_docsite

CHROME_TEXTS = (
    "Sidebar: all the chapters",
    "We use cookies",
    "Copyright DocSite",
    "DocSite home",
    "Internal notes",
)
INDEXED = {
    "/docs/index.html", "/docs/guide.html", "/docs/api.html", "/docs/tuning.html", "/docs/orphan.html",
    "/docs/tour.ipynb", "/docs/paper.pdf",
}  # fmt: skip


@pytest.fixture
def docsite():
    site, server = serve_docsite()
    yield site
    site.release.set()  # lets the slow page's handler finish
    server.shutdown()


@pytest.fixture
def crawl_settings(hashing_settings):
    return hashing_settings.model_copy(
        update={"crawl_delay_s": 0.0, "crawl_timeout_s": 1.0, "crawl_max_page_bytes": 1_000_000}
    )


def _ingest_notes(settings, site, tmp_path: Path):
    from service.following import FollowLinks
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder

    notes = tmp_path / "notes"
    notes.mkdir()
    # The site is named the way the roadmap names the framework docs: a URL without a scheme, in prose.
    (notes / "zebra.md").write_text(
        f"# Zebra\n\nThe docs live at 127.0.0.1:{site.port}/docs/index.html, read them.\n"
    )
    embedder = build_embedder(settings)
    follow = FollowLinks(link_domains=(f"127.0.0.1:{site.port}",), max_pages=20, depth=3)
    return embedder, ingest_sources(settings, embedder, [SourceRequest(str(notes))], follow=follow)


def _site_chunks(settings, embedder, site):
    from service.runtime import open_retriever

    retriever = open_retriever(settings, embedder)
    return retriever, [c for c in retriever.catalog.all_chunks() if c.url.startswith(site.base)]


def test_linked_site_is_crawled_within_its_bounds_without_chrome(crawl_settings, docsite, tmp_path):
    embedder, report = _ingest_notes(crawl_settings, docsite, tmp_path)
    assert report.skipped == []
    fetched = set(docsite.paths())
    assert "/docs/private/secret.html" not in fetched  # robots.txt disallows it (sidebar and sitemap list it)
    assert "/blog/post.html" not in fetched  # in the sitemap, outside the linked folder
    assert {"/robots.txt", "/sitemap.xml", "/docs/old-tuning.html", "/docs/slow.html"} <= fetched
    retriever, chunks = _site_chunks(crawl_settings, embedder, docsite)
    assert {c.path for c in chunks} == INDEXED  # slow (timeout) and big (over the cap) pages left out
    assert not [c.text for c in chunks if any(t in c.text for t in CHROME_TEXTS)]
    guide = next(c for c in chunks if "max_workers" in c.text)
    assert guide.citation_url == f"{docsite.base}/docs/guide.html#queues"
    assert "```python\nfrom zebra import Scheduler\n\nsched = Scheduler(max_workers=4)\n" in guide.text
    pdf = next(c for c in chunks if "axolotl regrows" in c.text)
    assert pdf.citation_url == f"{docsite.base}/docs/paper.pdf#page=2"
    notebook = " ".join(c.text for c in chunks if c.path == "/docs/tour.ipynb")
    assert "print(2 + 2)" in notebook and "iVBORw0KGgo" not in notebook and "97 percent" in notebook


def test_a_refresh_of_an_unchanged_site_is_all_304s_and_embeds_nothing(crawl_settings, docsite, tmp_path):
    from service.ingestion import ingest_sources

    embedder, _ = _ingest_notes(crawl_settings, docsite, tmp_path)
    docsite.requests.clear()
    report = ingest_sources(crawl_settings, embedder, [])
    assert report.embedded == 0 and not report.changed
    answered = {path: status for path, status in docsite.requests}
    cached = {p for p in docsite.pages if p != "/docs/big.html"} - {
        "/blog/post.html",
        "/docs/private/secret.html",
    }
    assert {p: answered[p] for p in cached} == {p: 304 for p in cached}


def test_a_changed_page_is_re_embedded_and_a_gone_page_removed(crawl_settings, docsite, tmp_path):
    from service.ingestion import ingest_sources

    embedder, first = _ingest_notes(crawl_settings, docsite, tmp_path)
    ctype, body = docsite.pages["/docs/tuning.html"]
    docsite.pages["/docs/tuning.html"] = (ctype, body.replace(b"heartbeat interval", b"heartbeat period"))
    del docsite.pages["/docs/api.html"]
    report = ingest_sources(crawl_settings, embedder, [])
    assert report.changed and report.deleted == 1 and 0 < report.embedded <= 3
    _, chunks = _site_chunks(crawl_settings, embedder, docsite)
    assert "/docs/api.html" not in {c.path for c in chunks}
    assert any("heartbeat period" in c.text for c in chunks)


def test_an_unreachable_linked_site_is_skipped_with_one_reason(crawl_settings, tmp_path):
    from service.following import FollowLinks
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder

    notes = tmp_path / "notes"
    notes.mkdir()
    # .invalid names never resolve (RFC 2606): they stand for "offline" whatever network the machine has.
    (notes / "a.md").write_text("# A\n\nSee docs.invalid/guide/ and api.invalid/v2/ for more.\n")
    embedder = build_embedder(crawl_settings)
    follow = FollowLinks(link_domains=("docs.invalid", "api.invalid"))
    report = ingest_sources(crawl_settings, embedder, [SourceRequest(str(notes))], follow=follow)
    assert report.documents == 1 and len(report.skipped) == 2  # the notes are indexed, both sites skipped
    assert sorted(s.split(" ")[0] for s in report.skipped) == [
        "https://api.invalid/v2/",
        "https://docs.invalid/guide/",
    ]


@pytest.mark.slow
def test_a_notebooks_and_a_pdfs_facts_are_the_top_hit(tmp_path: Path):
    """The real CLI and embedded model over the roadmap-like tiny corpus plus a notebook and a PDF."""
    import json
    import subprocess

    from tests.conftest import RAG, rag_env, write_tiny_corpus
    from tests.docsite import NOTEBOOK
    from tests.pdfmaker import make_pdf

    corpus = write_tiny_corpus(tmp_path / "corpus")
    (corpus / "tour.ipynb").write_text(json.dumps(NOTEBOOK))
    (corpus / "paper.pdf").write_bytes(
        make_pdf(
            ["Axolotl regeneration study", "Methods and animals."], ["The axolotl regrows a limb in 40 days."]
        )
    )
    env = rag_env(tmp_path / "home")
    subprocess.run([*RAG, "ingest", str(corpus), "--quiet"], env=env, check=True, timeout=600)
    tops = {}
    for question in (
        "how long does an axolotl take to regrow a leg?",
        "what accuracy does the quokka classifier get?",
    ):
        out = subprocess.run(
            [*RAG, "search", question, "-k", "1", "--json"], env=env, capture_output=True, text=True
        )
        hit = json.loads(out.stdout)[0]
        tops[question] = (hit["path"], hit["anchor"])
    assert list(tops.values()) == [("paper.pdf", "page=2"), ("tour.ipynb", "quokka-notebook")]


def test_the_cli_follows_links_and_warns_once_per_thing_skipped(docsite, tmp_path: Path):
    import subprocess

    from tests.conftest import RAG, rag_env

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "zebra.md").write_text(
        f"# Zebra\n\nDocs: 127.0.0.1:{docsite.port}/docs/index.html and docs.invalid/guide/ (gone offline).\n"
    )
    env = rag_env(
        tmp_path / "home", RAG_EMBEDDER_BACKEND="hashing", RAG_CRAWL_DELAY_S="0", RAG_CRAWL_TIMEOUT_S="1",
        RAG_CRAWL_MAX_PAGE_BYTES="1000000",
    )  # fmt: skip
    domains = f"127.0.0.1:{docsite.port},docs.invalid"
    out = subprocess.run(
        [*RAG, "ingest", str(notes), "--follow-links", "--link-domains", domains, "--quiet"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "documents 8," in out.stdout  # the note and the site's seven pages
    warnings = [line for line in out.stderr.splitlines() if "warning" in line.lower()]
    assert len(warnings) == 2, out.stderr  # the site's slow and big pages; the unreachable site
    assert "slow.html" in warnings[0] and "big.html" in warnings[0]
    assert warnings[1].startswith("warning: skipped 1 linked site(s)") and "docs.invalid" in warnings[1]
    listed = subprocess.run([*RAG, "sources", "list", "--json"], env=env, capture_output=True, text=True)
    assert f"http://127.0.0.1:{docsite.port}/docs/index.html" in listed.stdout


def test_a_start_page_that_moved_to_another_host_is_crawled_there(docsite, tmp_path: Path):
    """pytorch.org/docs/... redirects to docs.pytorch.org: the crawl follows its start page there."""
    import http.server
    import threading

    from ingest.fetcher import FetchLimits
    from ingest.spec import CrawlBounds, SourceSpec
    from ingest.web import crawl

    class Moved(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(301)
            self.send_header("Location", f"{docsite.base}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    old = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=old.serve_forever, daemon=True).start()
    try:
        spec = SourceSpec(
            f"http://127.0.0.1:{old.server_port}/docs/guide.html", "web", crawl=CrawlBounds(5, 1)
        )
        docs = crawl(spec, data_dir=tmp_path, limits=FetchLimits(delay_s=0, timeout_s=1, max_bytes=1_000_000))
    finally:
        old.shutdown()
    assert docs[0].url == f"{docsite.base}/docs/guide.html" and len(docs) == 4  # guide, its links, sitemap
    assert all(d.url.startswith(f"{docsite.base}/docs/") for d in docs)
    assert "/robots.txt" in docsite.arrived and "/docs/private/secret.html" not in docsite.arrived
