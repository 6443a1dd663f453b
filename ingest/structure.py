"""Find the heading tree of markdown, reStructuredText and Python text as character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import fenced_line_mask, iter_lines

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_RST_ADORN = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_PY_TOP = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)")


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


def python_sections(text: str) -> list[Section]:
    """Top-level def/class, each with its decorators and the comments just above it."""
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
