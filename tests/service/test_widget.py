"""The chat widget in a real browser (Debian's Chromium driven by Playwright) against real `rag serve`
servers."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEV_SET, RAG, ROOT, rag_env
from tests.service.conftest import Server

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS = '<img src=x onerror="window.__xss = 1">'
HOSTILE_PAGE = """<!doctype html><html><head><title>Hostile host</title>
<style>body * { display: none !important; color: red !important; font-size: 40px !important; }
button { visibility: hidden !important; }</style></head>
<body><p>host content</p><script src="/widget.js" data-title="Hostile test"></script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does this)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def first_dev_question() -> dict:
    for line in DEV_SET.read_text().splitlines():
        q = json.loads(line)
        if q["answerable"] and q["gold"][0]["file"] == "foundations-programming.md":
            return q
    raise AssertionError("dev set has no question on foundations-programming.md")


def ask(page, question: str) -> None:
    box = page.locator("#roadmap-rag-widget textarea")
    box.fill(question)
    box.press("Enter")


def answers(page):
    return page.locator("#roadmap-rag-widget .msg.bot:not(.typing) .meta")


def test_widget_answers_with_sources_feedback_and_history(server, page):
    q = first_dev_question()
    page.goto(f"{server.url}/")
    launcher = page.locator("#roadmap-rag-widget .launcher")
    assert launcher.get_attribute("aria-label") == "Open Roadmap assistant"
    launcher.click()
    panel = page.locator("#roadmap-rag-widget .panel")
    assert panel.is_visible() and launcher.get_attribute("aria-expanded") == "true"
    assert (
        page.evaluate("document.activeElement.id") == "roadmap-rag-widget"
    )  # focus moved into the shadow root

    sent = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data)) if r.url.endswith("/v1/ask") else None)
    ask(page, q["question"])
    answers(page).first.wait_for(timeout=120_000)
    bot = page.locator("#roadmap-rag-widget .msg.bot").nth(1)
    assert len(bot.locator(".body").inner_text()) > 40
    links = [a.get_attribute("href") for a in bot.locator(".sources a.source-link").all()]
    assert any(q["gold"][0]["file"] in h for h in links), links
    assert sent[0]["page_url"].startswith(server.url) and sent[0]["page_title"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-open.png"))

    # A cited roadmap page links to its public GitHub page (the roadmap's MANIFEST.tsv); a source without a
    # public URL opens as the indexed text with the span marked.
    public = [h for h in links if not h.startswith(server.url)]
    assert all(h.startswith("https://github.com/3XCeptional/Data-Science-Roadmap/") for h in public), links
    view = httpx.get(f"{server.url}/v1/documents/view", params={"source": f"roadmap/{q['gold'][0]['file']}"})
    assert view.status_code == 200 and "<mark" in view.text

    bot.locator("button[data-rating=down]").click()
    page.locator("#roadmap-rag-widget .meta span", has_text="Thanks").wait_for(timeout=30_000)
    with sqlite3.connect(server.home / "feedback.sqlite") as db:
        rows = db.execute("SELECT rating, question FROM feedback WHERE rating='down'").fetchall()
    assert ("down", q["question"]) in rows

    ask(page, "and which platform should I host it on?")
    answers(page).nth(1).wait_for(timeout=120_000)
    follow_up = sent[1]
    assert [t["role"] for t in follow_up["history"]] == ["user", "assistant"]
    assert follow_up["history"][0]["content"] == q["question"]

    # The conversation survives a reload (sessionStorage) and "New chat" clears it.
    page.reload()
    page.locator("#roadmap-rag-widget .launcher").click()
    assert page.locator("#roadmap-rag-widget .msg.user").count() == 2
    page.locator("#roadmap-rag-widget button", has_text="New chat").click()
    assert page.locator("#roadmap-rag-widget .msg.user").count() == 0

    page.locator("#roadmap-rag-widget textarea").press("Escape")
    assert not panel.is_visible() and launcher.get_attribute("aria-expanded") == "false"


RECORD_DRAFTS = """() => {
  window.__drafts = [];
  const root = document.querySelector("#roadmap-rag-widget").shadowRoot;
  new MutationObserver(() => {
    for (const d of root.querySelectorAll(".draft")) window.__drafts.push(d.textContent);
  }).observe(root, { childList: true, subtree: true, characterData: true });
}"""


def test_the_sentence_being_written_shows_muted_until_it_is_checked(server, page):
    page.goto(f"{server.url}/")
    page.locator("#roadmap-rag-widget .launcher").click()
    page.evaluate(RECORD_DRAFTS)
    ask(page, "what git basics should I learn first?")  # the default model answers it in its own words
    answers(page).first.wait_for(timeout=120_000)
    drafts = page.evaluate("window.__drafts")
    bot = page.locator("#roadmap-rag-widget .msg.bot").nth(1)
    assert drafts and bot.locator(".draft").count() == 0  # shown while written, gone once answered
    color = page.evaluate(
        """() => {
          const root = document.querySelector("#roadmap-rag-widget").shadowRoot;
          const body = root.querySelector(".msg.bot .body"), s = document.createElement("span");
          s.className = "draft";
          body.append(s);
          const c = getComputedStyle(s).color;
          s.remove();
          return [c, getComputedStyle(body).color];
        }"""
    )
    assert color[0] != color[1]  # muted against the answer's own text
    assert any(d in bot.locator(".body").inner_text() for d in drafts)  # the checked sentence replaced it


def test_shift_enter_adds_a_line_and_errors_are_shown(server, page):
    page.goto(f"{server.url}/")
    page.locator("#roadmap-rag-widget .launcher").click()
    box = page.locator("#roadmap-rag-widget textarea")
    box.type("line one")
    box.press("Shift+Enter")
    box.type("line two")
    assert box.input_value() == "line one\nline two"
    page.route("**/v1/ask", lambda route: route.abort())  # the API becomes unreachable
    box.press("Enter")
    err = page.locator("#roadmap-rag-widget .msg.error")
    err.wait_for(timeout=30_000)
    assert "Cannot reach the assistant" in err.inner_text()


def test_host_page_css_cannot_hide_the_widget(server, page):
    page.route("**/hostile.html", lambda route: route.fulfill(body=HOSTILE_PAGE, content_type="text/html"))
    page.goto(f"{server.url}/hostile.html")
    assert not page.locator("p", has_text="host content").is_visible()  # the rule really applies to the page
    launcher = page.locator("#roadmap-rag-widget .launcher")
    assert launcher.is_visible()
    launcher.click()
    panel = page.locator("#roadmap-rag-widget .panel")
    assert panel.is_visible()
    title = page.locator("#roadmap-rag-widget h2")
    assert title.inner_text() == "Hostile test"
    assert title.evaluate("e => getComputedStyle(e).fontSize") == "15px"


def test_theme_and_phone_width(server, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 700}, color_scheme="dark")
    pg = ctx.new_page()
    pg.goto(f"{server.url}/")
    pg.locator("#roadmap-rag-widget .launcher").click()
    panel = pg.locator("#roadmap-rag-widget .panel")
    box = panel.bounding_box()
    assert box["width"] == 375 and box["height"] == 700
    assert panel.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(17, 24, 39)"
    ctx.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A small server (in-code hashing embedder, extractive answers) over a document carrying HTML."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "plotting.md").write_text(
        f"# Plotting histograms\n\nTo plot a histogram of values use the hist "
        f"function {XSS} and choose the number of bins.\n"
    )
    env = {"RAG_EMBEDDER_BACKEND": "hashing", "RAG_ANSWER_GENERATE": "false"}
    subprocess.run(
        [*RAG, "ingest", str(corpus), "--quiet"], env=rag_env(root / "home", **env), check=True, timeout=300
    )
    srv = Server(root / "home", **env).start()
    yield srv
    srv.stop()


def test_html_in_sources_stays_inert(hostile_server, page):
    page.goto(f"{hostile_server.url}/")
    page.locator("#roadmap-rag-widget .launcher").click()
    ask(page, "how do I plot a histogram of values with bins?")
    answers(page).first.wait_for(timeout=60_000)
    bot = page.locator("#roadmap-rag-widget .msg.bot").nth(1)
    bot.locator("details summary").first.click()
    text = bot.inner_text()
    assert "<img src=x onerror=" in text  # shown as text ...
    assert bot.locator("img").count() == 0  # ... never as an element
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and page.dialogs == []
