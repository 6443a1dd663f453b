"""Find the heading tree of markdown, reStructuredText and Python text as character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import fenced_line_mask, iter_lines

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_RST_ADORN = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_PY_TOP = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)")
# Part of the index config: an index built under another version re-reads every document on the next ingest.
# 2: literate Python files (tutorials, guides) by their prose headings, with their own titles. 3: no heading
# from a `#####` block separator, a quote underline taken for a string, or a comment in a fenced example.
# 4: a unit's heading hint without rst roles (":meth:`Series.map`" -> "Series.map").
STRUCTURE_VERSION = 4
_TITLE_FIELD = re.compile(r"^Title:\s*(\S.*)$")


@dataclass(frozen=True)
class Section:
    """A heading and its body: text[start:end], where start is the heading line."""

    level: int  # 1 = top; 0 for the preamble before any heading
    title: str
    start: int
    end: int


def _close(marks: list[tuple[int, str, int]], length: int) -> list[Section]:
    """Turn (start, title, level) heading marks into sections covering the whole text."""
    sections: list[Section] = []
    if not marks or marks[0][0] > 0:
        first = marks[0][0] if marks else length
        sections.append(Section(0, "", 0, first))
    for i, (start, title, level) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else length
        sections.append(Section(level, title, start, end))
    return [s for s in sections if s.end > s.start]


def markdown_sections(text: str) -> list[Section]:
    """ATX headings (`#`..`######`) outside fenced code."""
    lines = iter_lines(text)
    mask = fenced_line_mask(lines)
    marks = []
    for (offset, line), fenced in zip(lines, mask):
        m = None if fenced else _ATX.match(line)
        if m:
            marks.append((offset, m.group(2).strip(), len(m.group(1))))
    return _close(marks, len(text))


def rst_sections(text: str) -> list[Section]:
    """Underlined (optionally overlined) titles; levels in order of first appearance."""
    lines = iter_lines(text)
    styles: list[tuple[str, bool]] = []
    marks = []
    i = 0
    while i + 1 < len(lines):
        over = bool(_RST_ADORN.match(lines[i][1]))
        t_idx = i + 1 if over else i
        u_idx = t_idx + 1
        if u_idx >= len(lines):
            break
        title, under = lines[t_idx][1], lines[u_idx][1]
        m = _RST_ADORN.match(under)
        ok = (
            m
            and title.strip()
            and not _RST_ADORN.match(title)
            and not title.startswith((" ", "\t", ".."))
            and len(under.rstrip()) >= len(title.rstrip())
            and (not over or lines[i][1].strip()[0] == m.group(1))
        )
        if ok:
            style = (m.group(1), over)
            if style not in styles:
                styles.append(style)
            marks.append((lines[i][0], title.strip(), styles.index(style) + 1))
            i = u_idx + 1
        else:
            i += 1
    return _close(marks, len(text))


def _adorned_titles(
    lines: list[tuple[int, str]], bare: list[str | None], *, strict: bool = False
) -> list[tuple[int, int, str]]:
    """(offset, level, title) of rst titles in `bare` (each line's rst text, None outside rst): a title over
    an adornment line, optionally overlined; levels in order of first appearance. `strict`, as Sphinx
    wants: the adornment at least as long as the title."""
    styles: list[tuple[str, bool]] = []
    out = []
    for i in range(len(lines) - 1):
        title, under = bare[i], bare[i + 1]
        if not title or under is None or _RST_ADORN.match(title) or not _RST_ADORN.match(under):
            continue
        if strict and len(under) < len(title):
            continue
        over = i > 0 and bare[i - 1] is not None and bare[i - 1] == under
        style = (under[0], over)
        if style not in styles:
            styles.append(style)
        out.append((lines[i - 1][0] if over else lines[i][0], styles.index(style) + 1, title))
    return out


def comment_titles(lines: list[tuple[int, str]], prefix: str = "#") -> list[tuple[int, int, str]]:
    """rst titles written in comment lines (sphinx-gallery tutorials); with no prefix, in plain lines."""
    return _adorned_titles(lines, [_comment_text(line, prefix) for _, line in lines])


def _comment_text(line: str, prefix: str = "#") -> str | None:
    """The text of a comment line, None for any other line."""
    return line.strip().removeprefix(prefix).strip() if line.strip().startswith(prefix) else None


def _in_docstring(lines: list[tuple[int, str]], *, strict: bool = False) -> list[bool]:
    """Whether each line lies inside a triple-quoted string (its opening and closing lines excluded).
    `strict`: a comment line outside one never opens one (an rst underline of double quotes is no string)."""
    out, inside = [], False
    for _, line in lines:
        toggles = (line.count('"""') + line.count("'''")) % 2 == 1
        if strict and not inside and line.lstrip().startswith("#"):
            toggles = False
        out.append(inside and not toggles)
        inside = inside != toggles
    return out


def _docstring_headings(lines: list[tuple[int, str]], inside: list[bool]) -> list[tuple[int, int, str]]:
    """(offset, level, title) of markdown headings on the lines inside triple-quoted strings (keras-io guides
    and examples keep their prose there)."""
    fenced = fenced_line_mask(lines)  # a comment in a fenced example is no heading (eval README too)
    return [
        (off, len(m.group(1)), m.group(2).strip())
        for (off, line), doc, fence in zip(lines, inside, fenced)
        if doc and not fence and (m := _ATX.match(line))
    ]


def literate_headings(text: str, *, docstring_rst: bool = False) -> list[tuple[int, int, str]]:
    """The prose headings of a literate Python file in order: markdown in docstrings (keras-io) and rst
    titles in comments (sphinx-gallery); with docstring_rst, also rst titles in docstrings, as
    sphinx-gallery renders them (the dev sets' section rule leaves those out) and a `#####` line taken for
    the block separator it is there, not a title's underline (it made "for every parameter ..." a heading)."""
    lines = iter_lines(text)
    inside = _in_docstring(lines, strict=docstring_rst)
    bare = [_comment_text(line) for _, line in lines]
    if docstring_rst:
        bare = [
            line if doc else (None if b and not b.strip("#") else b)
            for (_, line), b, doc in zip(lines, bare, inside)
        ]
    prose = _docstring_headings(lines, inside)
    return sorted(_adorned_titles(lines, bare, strict=docstring_rst) + prose)


def python_title(text: str) -> str:
    """A literate Python file's page title: keras-io's `Title:` field or the docstring's first rst title
    (sphinx-gallery); "" for plain code."""
    lines = iter_lines(text)[:60]
    inside = _in_docstring(lines, strict=True)
    for (_, line), doc in zip(lines, inside):
        if doc and (m := _TITLE_FIELD.match(line)):
            return m.group(1).strip()
    titles = _adorned_titles(
        lines, [line if doc else None for (_, line), doc in zip(lines, inside)], strict=True
    )
    return titles[0][2] if titles else ""


def python_sections(text: str) -> list[Section]:
    """A literate file (a tutorial or guide written as Python) by its prose headings, as the docs site
    renders it; plain code by its top-level def/class, each with its decorators and the comments above."""
    prose = literate_headings(text, docstring_rst=True)
    if prose:
        return _close([(off, title, level) for off, level, title in prose], len(text))
    lines = iter_lines(text)
    marks = []
    for idx, (_offset, line) in enumerate(lines):
        m = _PY_TOP.match(line)
        if not m:
            continue
        j = idx
        while j > 0 and lines[j - 1][1].startswith(("@", "#")):
            j -= 1
        kind = "class" if line.startswith("class") else "def"
        marks.append((lines[j][0], f"{kind} {m.group(1)}", 1))
    marks = [m for i, m in enumerate(marks) if i == 0 or m[0] > marks[i - 1][0]]
    return _close(marks, len(text))


def find_sections(text: str, kind: str) -> list[Section]:
    """Sections for a document of the given kind (markdown, rst, python, text)."""
    if kind == "markdown":
        return markdown_sections(text)
    if kind == "rst":
        return rst_sections(text)
    if kind == "python":
        return python_sections(text)
    return [Section(0, "", 0, len(text))] if text else []
