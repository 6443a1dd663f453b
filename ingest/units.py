"""Split a chunk into short retrieval units (sentences, list items, code blocks) for dense search.

One vector per chunk averages many facts; one vector per sentence or bullet lets a question match the
fact that answers it. Measured on the dev set (roadmap only, hybrid): chunk vectors 0.85 recall@5,
sentence units 0.93.
"""

from __future__ import annotations

import re

from ingest.text import FENCE, fence_roles, iter_lines, split_at_sentences

MIN_UNIT_CHARS = 25  # shorter pieces join their neighbour
MAX_UNIT_CHARS = 600  # longer prose is split at sentence ends
_BREAKS = re.compile(r"\n\s*\n|\n(?=\s*(?:[*+\-]|\d+[.)])\s)")
_NOISE = re.compile(r"[^\w\s:&,.'()/+#-]")
_RST_ROLE = re.compile(r":(?:py:)?[a-z]+:(?=`)")  # ":meth:`Series.map`" reads as "Series.map"


def clean_heading(heading: str, limit: int = 60) -> str:
    """The innermost heading without emoji and decoration, shortened: a light hint of topic."""
    leaf = _RST_ROLE.sub("", heading.rsplit(" > ", 1)[-1])
    return re.sub(r"\s+", " ", _NOISE.sub(" ", leaf)).strip()[:limit]


def _pieces(text: str) -> list[str]:
    """Paragraphs and list items, with fenced code blocks kept whole."""
    lines = iter_lines(text)
    out, buf, in_fence = [], [], False
    for (_, line), role in zip(lines, fence_roles(lines)):
        if role == "open" and buf:
            out += _BREAKS.split("\n".join(buf))
            buf = []
        buf.append(line)
        in_fence = role in ("open", "code")
        if role == "close":
            out.append("\n".join(buf))
            buf = []
    if buf:
        out += ["\n".join(buf)] if in_fence else _BREAKS.split("\n".join(buf))
    return [p.strip() for p in out if p and p.strip()]


def _split_prose(piece: str) -> list[str]:
    if len(piece) <= MAX_UNIT_CHARS or FENCE.match(piece):
        return [piece]
    return [s for s in split_at_sentences(piece) if s.strip()]


def split_units(text: str) -> list[str]:
    """Short, self-contained pieces of a chunk; never empty for a non-empty chunk."""
    units: list[str] = []
    for piece in _pieces(text):
        for part in _split_prose(piece):
            if units and (len(part) < MIN_UNIT_CHARS or len(units[-1]) < MIN_UNIT_CHARS):
                units[-1] = f"{units[-1]}\n{part}"
            else:
                units.append(part)
    return units or ([text.strip()] if text.strip() else [])


def unit_texts(chunk_text: str, heading: str) -> list[str]:
    """What the dense model reads for a chunk: each unit prefixed by the cleaned innermost heading."""
    hint = clean_heading(heading)
    return [f"{hint}: {u}" if hint else u for u in split_units(chunk_text)]
