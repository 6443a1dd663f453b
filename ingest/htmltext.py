"""Docs-site HTML as structured markdown: the main content only, headings with their own ids, code whole.

Docs sites wrap a page's content in navigation, sidebars, tables of contents, footers, cookie banners and
"edit this page" links; indexed, that text matches every question and cites nothing. The content container
is chosen first (`main`, an `article`, a role or a known content class), boilerplate inside it dropped by
tag, ARIA role and class words, and what is left written as markdown the chunker splits by heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.htmltree import Node, parse_html

_DROP_TAGS = {"script", "style", "noscript", "svg", "form", "button", "nav", "footer", "aside", "template"}
_DROP_TAGS |= {"iframe", "select", "input", "dialog", "canvas", "object"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
# Words of class names, ids and custom tag names (split at - and _) that mark chrome, not content.
_DROP_WORDS = {"sidebar", "toc", "breadcrumb", "breadcrumbs", "cookie", "cookies", "consent", "nav", "navbar"}
_DROP_WORDS |= {"navigation", "pagination", "footer", "headerlink", "feedback", "announcement", "banner"}
_DROP_WORDS |= {"skip", "edit", "editthispage", "copybutton", "rating", "prev", "next", "share", "social"}
_DROP_WORDS |= {"searchbox", "linkboxes", "bookmark", "rellinks", "sphinxsidebar", "linenos", "menu"}
_DROP_WORDS |= {"viewcode"}
# An id is often a heading's slug ("next-steps", "search"): only these words mark one as chrome.
_DROP_ID_WORDS = {"sidebar", "toc", "breadcrumbs", "cookie", "cookies", "consent", "navbar", "footer"}
_DROP_ID_WORDS |= {"banner"}
# Whole-block texts of docs-site widgets that carry no class worth matching.
_CHROME_TEXTS = {"edit on github", "edit this page", "update on github", "show source", "view page source"}
_CHROME_TEXTS |= {"was this helpful?", "send feedback", "on this page", "table of contents", "copied"}
_CONTENT_CLASSES = ("prose-doc", "md-content", "rst-content", "devsite-article-body", "k-content", "document")
_BLOCK = {"p", "div", "section", "article", "main", "blockquote", "figure", "figcaption", "dl", "dd"}
_BLOCK |= {"table", "ul", "ol", "details", "summary", "header", "center"}
_TITLE_SEPARATORS = re.compile(r"\s+(?:—|–|\||·|::)\s+")
_HEADING = re.compile(r"h[1-6]")
_STRUCTURE = {"pre", "li", "tr", "dt"}  # rendered by their own rules, never inline
_NESTED = {"pre", "ul", "ol", "table", "li", "dl"}  # a list item holding these is rendered block by block


@dataclass(frozen=True)
class Page:
    """What a page gives the index: its title, its content as markdown, the `id` of each heading in
    order (for deep-link citations), and every link on it (navigation included: the crawler follows them)."""

    title: str
    text: str
    anchors: tuple[tuple[str, str], ...] = ()
    links: tuple[str, ...] = ()


def _words(names: list[str]) -> set[str]:
    return {w for name in names for w in re.split(r"[-_\s]+", name.lower()) if w}


def _link_only(node: Node) -> bool:
    """A div whose text is all in two or more links: a prev/next bar or a link strip, not prose."""
    links = [n for n in node.iter() if n.tag == "a"]
    inside = sum(len(a.text_content().strip()) for a in links)
    return len(links) >= 2 and inside >= len(re.sub(r"\s+", "", node.text_content())) - 4


def is_chrome(node: Node, keep_header: bool = True) -> bool:
    """Navigation, sidebars, footers, banners and widgets: never indexed."""
    if node.tag in _DROP_TAGS or (node.tag == "header" and not keep_header):
        return True
    if node.attrs.get("role", "").lower() in _DROP_ROLES or "hidden" in node.attrs:
        return True
    if node.attrs.get("aria-hidden") == "true":
        return True
    if _words(node.classes + ([node.tag] if "-" in node.tag else [])) & _DROP_WORDS:
        return True
    if node.tag not in ("section", "dt") and _words([node.attrs.get("id", "")]) & _DROP_ID_WORDS:
        return True
    short = node.tag in ("div", "p", "a", "span") and len(node.text_content()) < 40
    if short and re.sub(r"\s+", " ", node.text_content()).strip().lower() in _CHROME_TEXTS:
        return True
    return node.tag == "div" and _link_only(node)


def _content_root(root: Node) -> tuple[Node, bool]:
    """(the element holding the page's content, whether it is a real content container)."""
    # The most specific container first: `main` often holds the sidebars and breadcrumbs too.
    tests = (
        lambda n: n.attrs.get("itemprop") == "articleBody",
        lambda n: n.tag == "article",
        lambda n: any(c in _CONTENT_CLASSES for c in n.classes),
        lambda n: n.tag == "main" or n.attrs.get("role") == "main" or n.attrs.get("id") == "main-content",
    )
    for test in tests:
        found = root.find(test)
        if found is not None:
            return found, True
    return root.find(lambda n: n.tag == "body") or root, False


def _heading_id(h: Node) -> str:
    """A heading's own id, an id on an element inside it (Hugging Face's anchor links), or its section's."""
    for n in h.iter():
        if n.tag and (n.attrs.get("id") or (n.tag == "a" and n.attrs.get("name"))):
            return n.attrs.get("id") or n.attrs["name"]
    parent = h.parent
    if parent is not None and parent.attrs.get("id") and parent.tag in ("section", "div"):
        first = next((c for c in parent.children if _HEADING.fullmatch(c.tag)), None)
        return parent.attrs["id"] if first is h else ""
    return ""


def _code_language(pre: Node) -> str:
    nodes = [pre, *(c for c in pre.children if c.tag == "code")]
    up = pre.parent
    for _ in range(2):
        if up is not None:
            nodes.append(up)
            up = up.parent
    for n in nodes:
        for c in n.classes:
            m = re.match(r"(?:language|lang|highlight|sourceCode)-([\w+#.-]+)$", c)
            if m and m.group(1) not in ("default", "none", "text"):
                return m.group(1)
    return ""


class _Writer:
    """Renders the content tree as markdown; `anchors` collects (heading text, id) in reading order."""

    def __init__(self, keep_header: bool) -> None:
        self.parts: list[str] = []
        self.anchors: list[tuple[str, str]] = []
        self.keep_header = keep_header
        self.level = 1

    def inline(self, node: Node) -> str:
        if not node.tag:
            return node.text
        if is_chrome(node, self.keep_header):
            return ""
        inner = "".join(self.inline(c) for c in node.children)
        if node.tag == "code" and inner.strip():
            return f"`{inner.strip()}`"
        return "\n" if node.tag == "br" else inner

    def raw(self, node: Node) -> str:
        """Text of a code block exactly as shown (line-number gutters and buttons left out)."""
        if not node.tag:
            return node.text
        return "" if is_chrome(node, self.keep_header) else "".join(self.raw(c) for c in node.children)

    def heading(self, text: str, level: int, anchor: str) -> None:
        text = re.sub(r"\s+", " ", text).strip().rstrip("¶#§").strip()
        if text:
            self.level = level
            self.parts.append("\n\n" + "#" * level + " " + text + "\n\n")
            self.anchors.append((text, anchor))

    def block(self, node: Node) -> None:
        tag = node.tag
        if not tag:
            self.parts.append(re.sub(r"\s+", " ", node.text))
        elif is_chrome(node, self.keep_header):
            return
        elif _HEADING.fullmatch(tag):
            self.heading(self.inline(node), int(tag[1]), _heading_id(node))
        elif tag == "pre":
            lang, code = _code_language(node), self.raw(node).strip("\n")
            self.parts.append(f"\n\n```{lang}\n{code}\n```\n\n")
        elif tag == "dt" and node.attrs.get("id"):  # an API object (Sphinx): a section to cite
            self.heading(node.attrs["id"], min(self.level + 1, 6), node.attrs["id"])
            self.parts.append(re.sub(r"\s+", " ", self.inline(node)).strip() + "\n\n")
        elif tag == "li" and not any(n.tag in _NESTED for n in list(node.iter())[1:]):
            self.parts.append("\n* " + re.sub(r"\s+", " ", self.inline(node)).strip() + "\n")
        elif tag in ("li", "tr", "dt"):
            marker = {"li": "* ", "tr": "", "dt": ""}[tag]
            cells = [c for c in node.children if c.tag in ("td", "th")]
            line = " | ".join(self.inline(c).strip() for c in cells) if cells else None
            self.parts.append("\n" + marker)
            if line is not None:
                self.parts.append(re.sub(r"\s+", " ", line))
            else:
                self.children(node)
            self.parts.append("\n")
        else:
            self.children(node, tag in _BLOCK)

    def children(self, node: Node, is_block: bool = False) -> None:
        if is_block:
            self.parts.append("\n\n")
        for child in node.children:
            if child.tag == "code" or (child.tag and not _has_blocks(child)):
                self.parts.append(self.inline(child))
            else:
                self.block(child)
        if is_block:
            self.parts.append("\n\n")


def _has_blocks(node: Node) -> bool:
    tags = (n.tag for n in node.iter() if n.tag)
    return any(t in _BLOCK or t in _STRUCTURE or _HEADING.fullmatch(t) for t in tags)


def _title(root: Node) -> str:
    node = root.find(lambda n: n.tag == "title")
    title = re.sub(r"\s+", " ", node.text_content()).strip() if node else ""
    return _TITLE_SEPARATORS.split(title)[0].strip() if title else ""


def _tidy(text: str) -> str:
    lines = [ln.rstrip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def extract_page(html: str) -> Page:
    """The page's title, content markdown, heading anchors and links."""
    root = parse_html(html)
    container, found = _content_root(root)
    writer = _Writer(keep_header=found)
    writer.block(container) if container.tag else writer.children(container)
    title = _title(root) or next((t for t, _ in writer.anchors), "")
    links = tuple(n.attrs["href"] for n in root.iter() if n.tag == "a" and n.attrs.get("href"))
    return Page(title, _tidy("".join(writer.parts)), tuple(writer.anchors), links)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, markdown) of an HTML document: its main content only."""
    page = extract_page(html)
    return page.title, page.text
