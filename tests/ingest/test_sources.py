"""Sources: local folders with manifests, git clones, a real HTTP crawl on loopback, pydoc, bad input."""

from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path

import pytest

from ingest.errors import SourceError
from ingest.htmltext import html_to_text
from ingest.sources import load_documents, parse_source


def test_local_folder_reads_supported_files(tiny_corpus: Path, tmp_path: Path):
    docs = load_documents(parse_source(str(tiny_corpus)), tmp_path)
    assert sorted(d.path for d in docs) == ["cv.rst", "deep-learning.md", "train.py"]
    md = next(d for d in docs if d.path == "deep-learning.md")
    assert md.title == "Deep Learning" and md.location == str(tiny_corpus / "deep-learning.md")


def test_manifest_gives_public_urls(tiny_corpus: Path, tmp_path: Path):
    (tiny_corpus / "MANIFEST.tsv").write_text(
        "path\tproject\tpublic_url\ndeep-learning.md\tx\thttps://example.org/dl\n"
    )
    docs = load_documents(parse_source(str(tiny_corpus)), tmp_path)
    assert next(d for d in docs if d.path == "deep-learning.md").url == "https://example.org/dl"


@pytest.mark.parametrize("bad", ["", "/no/such/path", "pydoc:", "pydoc:1bad"])
def test_bad_sources_raise_clear_errors(bad: str):
    with pytest.raises(SourceError):
        parse_source(bad)


def test_unknown_package_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError, match="cannot import"):
        load_documents(parse_source("pydoc:no_such_package_xyz"), tmp_path)


def test_pydoc_documents_public_api(tmp_path: Path):
    docs = load_documents(parse_source("pydoc:json"), tmp_path)
    names = {d.path for d in docs}
    assert "json.dumps" in names and "json.JSONDecoder" in names
    dumps = next(d for d in docs if d.path == "json.dumps")
    assert dumps.text.startswith("# json.dumps") and "Serialize" in dumps.text


def test_local_git_clone_links_to_blob(tiny_corpus: Path, tmp_path: Path):
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(tiny_corpus)], check=True)
    subprocess.run(
        ["git", "-C", str(tiny_corpus), "remote", "add", "origin", "https://github.com/acme/notes.git"],
        check=True,
    )
    subprocess.run(["git", "-C", str(tiny_corpus), "add", "."], check=True)
    subprocess.run([*git, "-C", str(tiny_corpus), "commit", "-qm", "init"], check=True)
    docs = load_documents(parse_source(str(tiny_corpus)), tmp_path)
    url = next(d for d in docs if d.path == "deep-learning.md").url
    assert url.startswith("https://github.com/acme/notes/blob/") and url.endswith("/deep-learning.md")


def test_git_url_that_cannot_be_cloned_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError):
        load_documents(parse_source("https://127.0.0.1:9/none/repo.git"), tmp_path)


@pytest.fixture
def site(tmp_path: Path):
    """A tiny website served on loopback: two linked pages, an off-site link and a robots.txt."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><title>Home</title><body><h1>Home</h1><p>Start with "
        "<a href='/a.html'>page A</a> and <a href='https://other.example/x'>x</a>"
        "<a href='/private/p.html'>p</a></p><script>bad()</script></body></html>"
    )
    (root / "a.html").write_text("<html><body><h2>Gradient descent</h2><pre>x = 1\n</pre></body></html>")
    (root / "private").mkdir()
    (root / "private" / "p.html").write_text("<p>secret</p>")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_crawl_same_host_respects_robots(site: str, tmp_path: Path):
    docs = load_documents(parse_source(f"{site}/index.html"), tmp_path)
    paths = sorted(d.path for d in docs)
    assert paths == ["/a.html", "/index.html"]
    a = next(d for d in docs if d.path == "/a.html")
    assert "## Gradient descent" in a.text and "```" in a.text and a.url == f"{site}/a.html"


def test_unreachable_url_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError):
        load_documents(parse_source("http://127.0.0.1:9/nothing"), tmp_path)


def test_html_text_drops_scripts_and_keeps_headings():
    title, text = html_to_text("<title>T</title><h1>A</h1><script>x()</script><p>hello <b>world</b></p>")
    assert title == "T" and "# A" in text and "x()" not in text and "hello world" in text


def test_manifest_urls_other_than_http_are_dropped(tmp_path: Path):
    from ingest.manifest import load_manifest

    manifest = tmp_path / "MANIFEST.tsv"
    manifest.write_text(
        "path\tpublic_url\na.md\tjavascript:alert(1)\nb.md\t//evil.example/x\nc.md\thttps://ok.example/c\n"
    )
    assert load_manifest(manifest) == {"a.md": "", "b.md": "", "c.md": "https://ok.example/c"}


@pytest.mark.parametrize("raw", ["x://8.8.8.8/../etc", "file:///etc/passwd", "a\x00b", "\ud800x"])
def test_unknown_schemes_and_control_characters_are_refused(raw: str):
    with pytest.raises(SourceError):
        parse_source(raw)


def test_pydoc_pages_are_the_same_in_every_process():
    from ingest.pydocs import _render

    sentinel = object()

    def fetch(url: str, default=sentinel, retries: int = 3) -> None:
        """Fetch a page."""

    page = _render("pkg.fetch", fetch)
    assert "0x" not in page and "default=<object object>" in page and "= 3)" in page


def test_union_members_render_in_one_order_whatever_typing_cached():
    from ingest.pydocs import stable_unions

    a = "(x: Union[list[str], str, NoneType] = None, y: Optional[Union[str, Kind]] = None) -> Union[int, str]"
    b = "(x: Union[str, list[str], NoneType] = None, y: Optional[Union[Kind, str]] = None) -> Union[str, int]"
    assert stable_unions(a) == stable_unions(b)
    assert stable_unions(a).startswith("(x: Union[list[str], str, NoneType] = None")
    assert (
        stable_unions("(a: Dict[str, Union[int, Tuple[int, int]]])")
        == "(a: Dict[str, Union[Tuple[int, int], int]])"
    )
