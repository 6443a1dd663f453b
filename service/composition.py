"""An answer being composed: the units written so far, and the finished answer's text, mode and citations."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.hits import Hit
from service.answer_config import NOT_COVERED
from service.events import Answer, citation_of
from service.grounding import Evidence
from service.numbering import Numbering
from service.writing import join_units


def complete_answer(ans: Answer, comp: Composition, hits: list[Hit], evidence: list[Evidence]) -> None:
    """The answer's text, mode and the citations it numbers (the first source when none); each citation's
    snippet is its verified evidence."""
    ans.mode = "generated" if comp.sentences else "extractive"
    ans.generated = join_units(comp.sentences)
    ans.answer = "\n\n".join(p for p in comp.parts if p) or NOT_COVERED
    ans.citations = []
    for d, first in enumerate(comp.numbering.order or [0], start=1):
        cited = comp.numbering.members.get(first, [first])
        c = citation_of(d, hits[first], snippet=" … ".join(e.text for e in evidence if e.n - 1 in cited))
        # one section's chunks, cited as one: the span runs from the first's start to the last's end
        c.start, c.end = min(hits[h].start for h in cited), max(hits[h].end for h in cited)
        ans.citations.append(c)


def section_keys(hits: list[Hit]) -> list[str]:
    """What makes two retrieved chunks one source to cite: the same document and section heading."""
    return [f"{h.doc_id}\x00{h.heading}" for h in hits]


@dataclass
class Composition:
    """What composing an answer has produced so far."""

    sentences: list[str] = field(default_factory=list)  # generated units: sentences and code blocks
    parts: tuple[str, str] = ("", "")  # the answer's two blocks (quotes, generated words) in the order shown
    declined: bool = False  # the model said the sources do not cover it, and retrieval agrees
    numbering: Numbering = field(default_factory=Numbering)
    started: float = 0.0  # time.perf_counter() when the question arrived
