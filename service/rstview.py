"""reStructuredText as CommonMark for the document view: titles, code, directives and roles made readable.

Display only (the index keeps the exact text). docutils is not used: the docs are Sphinx sources whose
directives and roles it does not know, and it would render each one as an error block.
"""

from __future__ import annotations

import re

_ADORNMENT = re.compile(r"^([=\-~^\"'`*+#<>:._])\1{2,}\s*$")
_DIRECTIVE = re.compile(r"^(\s*)\.\. ([\w:-]+)::\s*(.*)$")
_TARGET = re.compile(r"^\s*\.\. _[^:]*:\s*\S*\s*$|^\s*\.\. \|[^|]+\|")
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "testcode", "doctest", "ipython", "literalinclude"}
# Sphinx bookkeeping with nothing a reader needs.
_HIDDEN_DIRECTIVES = {"currentmodule", "module", "toctree", "raw", "only", "autosummary", "contents", "meta"}
_TITLED = {"rubric", "dropdown", "topic", "admonition"}  # their argument is a title, not a label's text
_ROLE_TARGET = re.compile(r":[\w:+-]+:`([^`<]*?)\s*<([^`>]+)>`")
_ROLE = re.compile(r":[\w:+-]+:`(~?)([^`]+)`")
_LINK = re.compile(r"`([^`<]+?)\s*<(https?://[^`>]+)>`__?")
_REF = re.compile(r"`([^`<]+)`__?")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def rst_inline(line: str) -> str:
    """One line's rst inline markup as markdown: roles and ``literals`` as code, `text <url>`_ as links."""
    line = re.sub(r"``([^`]+)``", r"`\1`", line)
    line = _LINK.sub(r"[\1](\2)", line)
    line = _ROLE_TARGET.sub(lambda m: f"`{m.group(1) or m.group(2)}`", line)
    # `:class:`~a.b.C`` shows as `C`, as Sphinx does.
    line = _ROLE.sub(lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", line)
    return _REF.sub(r"\1", line)


class _Converter:
    """One pass over the lines; `levels` maps each adornment style to a heading level as first seen."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.out: list[str] = []
        self.levels: dict[str, int] = {}

    def heading(self, style: str, title: str) -> None:
        level = self.levels.setdefault(style, min(len(self.levels) + 2, 6))
        self.out += ["", "#" * level + " " + rst_inline(title.strip()), ""]

    def block(self, i: int, base: int) -> tuple[list[str], int]:
        """The lines indented deeper than `base` from line i (blank lines inside kept), dedented."""
        body: list[str] = []
        while i < len(self.lines) and (not self.lines[i].strip() or _indent(self.lines[i]) > base):
            body.append(self.lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        depth = min((_indent(x) for x in body if x.strip()), default=0)
        return [x[depth:] for x in body], i

    def fence(self, body: list[str], lang: str = "") -> None:
        while body and not body[0].strip():
            body.pop(0)
        if body:
            self.out += ["", f"```{lang}", *body, "```", ""]

    def directive(self, i: int, m: re.Match[str]) -> int:
        base, name, arg = len(m.group(1)), m.group(2).lower(), m.group(3).strip()
        body, nxt = self.block(i + 1, base)
        if name in _CODE_DIRECTIVES:
            self.fence([x for x in body if not x.startswith(":")], "python" if name != "code-block" else arg)
        elif name not in _HIDDEN_DIRECTIVES:
            label = name.replace("-", " ").capitalize()
            title = f"**{rst_inline(arg)}**" if name in _TITLED and arg else f"**{label}:** {rst_inline(arg)}"
            self.out += ["", title.rstrip(), ""]
            self.out += [rst_inline(x) for x in body if not re.match(r"^:[\w-]+:", x)]
        return nxt

    def run(self) -> str:
        lines, i = self.lines, 0
        while i < len(lines):
            line = lines[i]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            after = lines[i + 2] if i + 2 < len(lines) else ""
            if _ADORNMENT.match(line) and nxt.strip() and _ADORNMENT.match(after):
                self.heading("over" + line.strip()[0], nxt)
                i += 3
            elif line.strip() and _ADORNMENT.match(nxt) and len(nxt.strip()) >= len(line.strip()) * 0.8:
                self.heading(nxt.strip()[0], line)
                i += 2
            elif _TARGET.match(line):
                i += 1
            elif m := _DIRECTIVE.match(line):
                i = self.directive(i, m)
            elif line.lstrip().startswith(">>>"):
                body, i = self.block(i, _indent(line) - 1)
                self.fence(body, "python")
            elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
                text = line.rstrip()[:-2].rstrip()
                self.out.append(rst_inline(text + ":" if text.strip() else ""))
                body, i = self.block(i + 1, _indent(line))
                self.fence(body)
            else:
                # Deep indentation is an rst block quote or continuation; in markdown it would be code.
                self.out.append(rst_inline(line.lstrip() if _indent(line) >= 4 else line))
                i += 1
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.out)).strip() + "\n"


def rst_to_markdown(text: str) -> str:
    """CommonMark that renders an rst document readably (display only; never parsed back)."""
    return _Converter(text.splitlines()).run()
