"""How well an HTML extractor keeps a docs page's content and drops its chrome, on labelled saved pages.

Each page is labelled by hand (`labels.json` beside the pages): the chrome texts that must not be indexed
and content sentences that must be. Code blocks are checked against the page's own `<pre>` text, read
with a regular expression, so the check does not trust the extractor's parser.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

Extractor = Callable[[str], str]


@dataclass
class PageScore:
    """One page: the share of indexed characters that are chrome, and what content or code was lost."""

    page: str
    chars: int
    chrome_share: float
    chrome_found: list[str]
    content_missing: list[str]
    code_blocks: int
    code_broken: int


def code_blocks(page_html: str) -> list[str]:
    """Text of every `<pre>` element, tags stripped and entities decoded."""
    blocks = re.findall(r"<pre\b[^>]*>(.*?)</pre>", page_html, flags=re.S | re.I)
    return [htmllib.unescape(re.sub(r"<[^>]*>", "", b)).strip("\n") for b in blocks]


def _code_intact(block: str, text: str) -> bool:
    """The block's lines appear in order, whole, as consecutive lines of the extracted text."""
    lines = [ln.rstrip() for ln in block.splitlines()]
    return "\n".join(lines) in "\n".join(ln.rstrip() for ln in text.splitlines())


def score_page(name: str, page_html: str, label: dict, extract: Extractor) -> PageScore:
    text = extract(page_html)
    found = [c for c in label["chrome"] if c in text]
    chrome_chars = sum(len(c) * text.count(c) for c in found)
    blocks = code_blocks(page_html)
    return PageScore(
        page=name,
        chars=len(text),
        chrome_share=round(chrome_chars / max(len(text), 1), 4),
        chrome_found=found,
        content_missing=[c for c in label["content"] if c not in text],
        code_blocks=len(blocks),
        code_broken=sum(1 for b in blocks if not _code_intact(b, text)),
    )


def score_pages(folder: Path, extract: Extractor) -> dict:
    """Every labelled page of a folder; `chrome_share` over all pages: chrome characters / all characters."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    pages = [
        score_page(name, (folder / name).read_text(encoding="utf-8"), label, extract)
        for name, label in labels.items()
    ]
    total = sum(p.chars for p in pages)
    chrome = sum(p.chrome_share * p.chars for p in pages)
    return {
        "chrome_share": round(chrome / max(total, 1), 4),
        "content_missing": sum(len(p.content_missing) for p in pages),
        "code_blocks": sum(p.code_blocks for p in pages),
        "code_broken": sum(p.code_broken for p in pages),
        "pages": [asdict(p) for p in pages],
    }


def _trafilatura(page_html: str) -> str:
    import trafilatura

    return (
        trafilatura.extract(page_html, output_format="markdown", include_tables=True, favor_recall=True) or ""
    )


def bench_extraction(folder: Path) -> dict:
    """The project's extractor beside trafilatura (when installed) on the same labelled pages."""
    import time

    from ingest.htmltext import html_to_text

    extractors: dict[str, Extractor] = {"project": lambda h: html_to_text(h)[1]}
    try:
        import trafilatura  # noqa: F401 - optional, measured only where installed
    except ImportError:
        pass
    else:
        extractors["trafilatura"] = _trafilatura
    out = {}
    for name, extract in extractors.items():
        t0 = time.perf_counter()
        out[name] = score_pages(folder, extract)
        out[name]["seconds"] = round(time.perf_counter() - t0, 3)
    return out
