"""The sentence being written, shown before its check: only while every word so far is backed by a source."""

from __future__ import annotations

import re

from ingest.text import content_terms
from service.answer_config import DECLINE_PATTERN
from service.grounding import strip_citations, support_of
from service.prompting import FENCE

_OPEN_MARK = re.compile(r"\s*\[\d{0,2}$")  # a source marker still being written: "... the index [1"
MIN_TERMS = 2  # fewer new words than this say nothing a learner could be misled by yet


def draft_text(rest: str, sources: list[str], min_support: float, given: frozenset[str]) -> str:
    """What the client may show of the unfinished unit `rest` ('' for nothing): prose only (a code block is
    checked whole), with no source markers (their numbers are given when the unit is kept), and only while
    the words written so far pass the same lexical support check as a finished sentence."""
    text = " ".join(rest.split())
    if not text or "`" * 2 in text or text.startswith(("#", "|", "<", "..", ":")) or FENCE in text:
        return ""
    text = _OPEN_MARK.sub("", strip_citations(text)).lstrip("*-+> ").strip()
    if not rest[-1:].isspace() and " " in text:
        text = text.rsplit(" ", 1)[0]  # the last word may still be growing
    if DECLINE_PATTERN.search(text) or len(set(content_terms(text)) - given) < MIN_TERMS:
        return ""
    return text if support_of(text, sources, (), given).coverage >= min_support else ""
