"""A forgiving element tree built with the standard library's HTML parser (no lxml needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose start closes an open one of the listed tags (HTML's optional end tags).
_IMPLIED_END = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr"}}
_IMPLIED_END |= {"td": {"td", "th"}, "th": {"td", "th"}}
_BLOCKS_CLOSING_P = {"div", "ul", "ol", "pre", "table", "section", "h1", "h2", "h3", "h4", "h5", "h6", "dl"}


@dataclass
class Node:
    """An element (tag set) or a text run (tag empty, `text` set)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""
    parent: Node | None = field(default=None, repr=False)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self):
        """This node and every descendant, depth first."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find(self, pred) -> Node | None:
        return next((n for n in self.iter() if n.tag and pred(n)), None)

    def text_content(self) -> str:
        return "".join(n.text for n in self.iter() if not n.tag)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def _close(self, tags: set[str]) -> None:
        if self.stack[-1].tag in tags and len(self.stack) > 1:
            self.stack.pop()

    def handle_starttag(self, tag: str, attrs) -> None:
        self._close(_IMPLIED_END.get(tag, set()) | ({"p"} if tag in _BLOCKS_CLOSING_P else set()))
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the nearest open element of this tag; a stray end tag changes nothing.
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node("", text=data, parent=self.stack[-1]))


def parse_html(html: str) -> Node:
    """The document's element tree; never raises on malformed markup."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
