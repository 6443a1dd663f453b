"""Follow-up questions made self-contained for retrieval."""

from __future__ import annotations

import re

_FOLLOW_UP = re.compile(
    r"^(and|but|so|what about|how about|why|also)\b|\b(it|its|that|this|those|these|they|them|one)\b", re.I
)


def condense(question: str, history: list[dict]) -> str:
    """Make a follow-up self-contained for retrieval by joining it to the previous user turn."""
    previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    if previous and (len(question.split()) <= 6 or _FOLLOW_UP.search(question)):
        return f"{previous[-1]} {question}"
    return question
