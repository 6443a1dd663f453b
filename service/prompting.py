"""What the model reads: excerpts of the retrieved chunks around their evidence, numbered and labelled."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from index.hits import Hit
from index.navigation import NAVIGATION
from service.events import section_title
from service.grounding import Evidence
from service.readable import readable

FENCE = "```"


@dataclass(frozen=True)
class PromptSource:
    """One numbered source the model reads: an excerpt of a retrieved chunk around its evidence."""

    hit: int  # index into the hits
    heading: str
    text: str


def prompt_sources(
    hits: Sequence[Hit], evidence: Sequence[Evidence], budget: int, max_sources: int
) -> list[PromptSource]:
    """The evidence's sources, then the other hits, each cut to its share of the character budget; a chunk
    that reads the same as one already chosen is skipped (a page can repeat a block: the model read the
    same navigation links twice, as [1] and [2], and nothing else)."""
    # the evidence's sources first, then the other hits by rank: the best sentence is not always the answer
    # ... except that the link graph's best pick leads for a navigation question (index/navigation.py)
    lead = [1] if hits and NAVIGATION in hits[0].scores else []
    ranked = dict.fromkeys([*lead, *(e.n for e in evidence), *range(1, len(hits) + 1)])
    texts = {n: readable(hits[n - 1].text, section_title(hits[n - 1].heading)) for n in ranked}
    first_of: dict[str, int] = {}  # each text's first source, in the ranked order
    for n in ranked:
        first_of.setdefault(texts[n], n)
    order = list(first_of.values())[:max_sources]
    share = budget // max(1, len(order))
    out = []
    for n in order:
        anchors = [e.text for e in evidence if e.n == n]
        out.append(PromptSource(n - 1, source_label(hits[n - 1]), excerpt(texts[n], anchors, share)))
    return out


def source_label(hit: Hit) -> str:
    """A source's label: its section's heading; for the link graph's pick for a navigation question, after
    its page's file name ("core skills deep learning > Navigation": the model could not tell which page's
    next topic it read). The file name, not the title: a roadmap title is a chain of slogans, copied whole."""
    leaf = section_title(hit.heading)
    if NAVIGATION not in hit.scores:
        return leaf
    page = re.sub(r"[-_]+", " ", PurePosixPath(hit.path).stem).strip()
    return f"{page} > {leaf}" if page else leaf


def whole_sources(hits: Sequence[Hit]) -> list[PromptSource]:
    """Every hit as the prompt source of the same number (the evidence-sentence prompt numbers by hit)."""
    return [PromptSource(i, section_title(h.heading), h.text) for i, h in enumerate(hits)]


def _position(text: str, anchor: str) -> int:
    """Where an evidence sentence starts in its chunk (evidence is cleaned, so match its first words)."""
    words = re.findall(r"\w+", anchor)[:6]
    if not words:
        return 0
    m = re.search(r"\W+".join(map(re.escape, words)), text)
    return m.start() if m else 0


def excerpt(text: str, anchors: Sequence[str], budget: int) -> str:
    """The chunk's lines from the first evidence sentence's line on, within the budget; a code block is kept
    whole or left out, never cut."""
    if len(text) <= budget:
        return text.strip()
    start = min((_position(text, a) for a in anchors), default=0)
    start = text.rfind("\n", 0, start) + 1
    if len(text) - start < budget:  # room left: begin earlier so the excerpt uses its whole budget
        start = text.rfind("\n", 0, max(0, len(text) - budget)) + 1
    window = text[start : start + budget]
    cut = window.rfind("\n") if start + budget < len(text) else len(window)
    window = window[: cut if cut > budget // 3 else len(window)]
    if window.count(FENCE) % 2:  # an open code block: close it from the chunk, or stop before it
        close = text.find(FENCE, start + len(window))
        if close != -1 and close + 3 - start <= budget * 2:
            window = text[start : close + 3]
        else:
            window = window[: window.rfind(FENCE)]
    return window.strip()


def format_sources(sources: Sequence[PromptSource]) -> str:
    """The numbered excerpts; the section heading leads the text as plain words, which a small model is less
    tempted to echo than a header line."""
    return "\n\n".join(f"[{i}] {s.heading}: {s.text}" for i, s in enumerate(sources, start=1))
