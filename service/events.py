"""What an answer is and what its stream carries: citations, the answer, and the typed stream events."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from index.hits import Hit
from ingest.units import clean_heading

AnswerMode = Literal["generated", "extractive", "abstained"]


@dataclass
class Citation:
    n: int
    title: str
    heading: str
    url: str
    source: str
    path: str
    start: int
    end: int
    snippet: str
    score: float


@dataclass
class Answer:
    id: str
    question: str
    answer: str
    mode: AnswerMode
    citations: list[Citation]
    abstained: bool
    usage: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    confidence: dict = field(default_factory=dict)
    generated: str = ""  # the model's own sentences that passed the faithfulness check

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Token:
    """Answer text that is final: the client appends it."""

    text: str


@dataclass(frozen=True)
class Draft:
    """The sentence being written, not yet checked: the client shows it in place of the previous draft,
    and drops it when the next Token (or Done) arrives; '' takes it back."""

    text: str


@dataclass(frozen=True)
class Sources:
    """The sections retrieval found, named as soon as it ends (the answer is still being written)."""

    sources: list[dict]


@dataclass(frozen=True)
class Citations:
    """The sources the answer cites, as JSON-ready dicts."""

    citations: list[dict]


@dataclass(frozen=True)
class Done:
    """The whole answer, last."""

    answer: Answer


Event = Sources | Draft | Token | Citations | Done


def source_of(hit: Hit) -> dict:
    """How the first event names a retrieved section: display title, section heading, public URL."""
    return {"title": display_title(hit.title), "heading": section_title(hit.heading), "url": hit.url}


def section_title(heading_path: str) -> str:
    """The section's own heading (the last of its path), emoji and decoration out, for display and prompts."""
    return clean_heading(heading_path.rsplit(" > ", 1)[-1], limit=80)


def display_title(title: str, limit: int = 80) -> str:
    """A document title as a learner reads it in a citation: emoji and decoration out, cut at a word.
    Display only: the indexed text keeps the title exactly."""
    clean = clean_heading(title, limit=1000)
    return clean if len(clean) <= limit else clean[: limit - 1].rsplit(" ", 1)[0].rstrip(" -:,") + "…"


def distinct_sections(hits: list[Hit], n: int) -> list[Hit]:
    """The first hit of each of the first n sections: a long section's second chunk is not a second place."""
    seen: dict[tuple[str, str], Hit] = {}
    for h in hits:
        seen.setdefault((h.doc_id, h.anchor), h)
    return list(seen.values())[:n]


def closest_sections(hits: list[Hit]) -> str:
    """The lines an abstention lists: each section a learner could read instead, by display names."""
    links = [
        f"- {display_title(h.title)} > {section_title(h.heading)}" + (f" ({h.url})" if h.url else "")
        for h in hits
    ]
    return "\n\nThe closest sections I found:\n" + "\n".join(links) if links else ""


def citation_of(n: int, hit: Hit, snippet: str = "") -> Citation:
    """The citation [n] of a retrieved chunk; its snippet is the verified evidence when given."""
    return Citation(
        n=n,
        title=display_title(hit.title),
        heading=hit.heading,
        url=hit.url,
        source=hit.source,
        path=hit.path,
        start=hit.start,
        end=hit.end,
        snippet=snippet or " ".join(hit.text.split())[:300],
        score=hit.score,
    )
