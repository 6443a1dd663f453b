"""Code lines the model wrote as sentences, shown together as one code block."""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.grounding import strip_citations
from service.writing import FENCE, Checker

# The shapes of a Python line: an assignment, a call (chained or not), an import, a for ... in / with ... as
# header, a return. A sentence ends in a full stop or reads as words; these do not.
_CODE_LINE = re.compile(
    r"^(?:[\w.\[\]'\"]+(?:\s*,\s*[\w.\[\]'\"]+)*\s*[+\-*/]?=(?!=)\s*\S.*"
    r"|[\w.]+(?:\[[^\]]*\])?\(.*\)(?:\.\w+\(.*\))*"
    r"|import\s+[\w.]+.*|from\s+[\w.]+\s+import\s.+"
    r"|for\s+[\w, ()]+\s+in\s+\S.*:.*"
    r"|with\s+.+\bas\s+\w+\s*:.*"
    r"|return\s.+)$"
)


def code_line(unit: str, checker: Checker) -> str:
    """The unit as a line of code when it has the shape of one and a source holds it verbatim, else ''
    ("s.rolling(window=5, center=True).mean() [1]" is code to run, not a sentence)."""
    line = strip_citations(unit).strip()
    if unit.startswith(FENCE) or line.endswith(".") or not _CODE_LINE.match(line):
        return ""
    return line if checker.code_source(f"{FENCE}\n{line}\n{FENCE}") else ""


def fence_code_runs(
    units: Iterator[tuple[str, str, int]], checker: Checker
) -> Iterator[tuple[str, str, int]]:
    """The checked units (service/writing.py: checked_units) with each run of kept code lines shown as one
    code block; a run the sources do not hold together (60% of its lines in one source) stays as it was."""
    run: list[tuple[str, str, int]] = []
    for item in units:
        verdict, unit, n = item
        if verdict == "draft" and run:
            continue  # a draft would show while the run waits: the block replaces it
        if verdict == "ok" and (line := code_line(unit, checker)):
            run.append((verdict, line, n))
            continue
        yield from _flush(run, checker)
        run = []
        yield item
    yield from _flush(run, checker)


def _flush(run: list[tuple[str, str, int]], checker: Checker) -> Iterator[tuple[str, str, int]]:
    """A run of code lines as one block, or line by line as inline code."""
    if not run:
        return
    block = "\n".join([FENCE, *(line for _, line, _ in run), FENCE])
    n = checker.code_source(block)
    if n and len(run) > 1:
        yield "ok", block, n
    else:  # one line alone reads as well inline; kept as the sentence it was, with its source
        yield from ((v, f"`{line}` [{m}]", m) for v, line, m in run)
