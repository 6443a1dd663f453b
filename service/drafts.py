"""The sentence being written, shown before its check: only while every word so far is backed by a source."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.text import content_terms
from service.answer_config import DECLINE_PATTERN
from service.grounding import strip_citations, support_of
from service.prompting import FENCE

_OPEN_MARK = re.compile(r"\s*\[\d{0,2}$")  # a source marker still being written: "... the index [1"
MIN_TERMS = 2  # fewer new words than this say nothing a learner could be misled by yet


def draft_text(
    rest: str, sources: Sequence[str], min_support: float, given: frozenset[str], labels: Sequence[str] = ()
) -> str:
    """What the client may show of the unfinished unit `rest` ('' for nothing), its sentence-wrapping line
    breaks already joined: the line being written, prose only (a code block is checked whole), with no source
    markers (their numbers are given when the unit is kept), and only while the words written so far pass
    the same lexical support check as a finished sentence. A section label from the prompt (`labels`) that
    the model echoes at the start is left out, as it is from the units."""
    lines = [ln for ln in rest.split("\n") if ln.strip()]  # a list item or heading line starts a new one
    text = " ".join(lines[-1].split()) if lines and FENCE not in rest else ""
    if not text or "`" * 2 in text or text.startswith(("#", "|", "<", "..", ":")):
        return ""
    text = _OPEN_MARK.sub("", strip_citations(text)).lstrip("*-+> ").replace("**", "").strip()
    if any(lb.startswith(text) for lb in labels if lb):
        return ""  # maybe the start of an echoed label: wait and see
    label = next((f"{lb}:" for lb in labels if lb and text.startswith(f"{lb}:")), "")
    text = text[len(label) :].lstrip("*-+ ")  # the prompt's section label, echoed (dropped from units too)
    if not rest[-1:].isspace() and " " in text:
        text = text.rsplit(" ", 1)[0]  # the last word may still be growing
    if DECLINE_PATTERN.search(text) or len(set(content_terms(text)) - given) < MIN_TERMS:
        return ""
    return text if support_of(text, sources, (), given).coverage >= min_support else ""
