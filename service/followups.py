"""Follow-up questions made self-contained for retrieval."""

from __future__ import annotations

import re
from collections.abc import Callable

_FOLLOW_UP = re.compile(
    r"^(and|but|so|what about|how about|why|also)\b|\b(it|its|that|this|those|these|they|them|one)\b", re.I
)
SHORT_WORDS = 6  # a question this short leans on the previous one ("what next?", "in pytorch?")


def condense(question: str, history: list[dict], names_topic: Callable[[str], bool] | None = None) -> str:
    """Make a follow-up self-contained for retrieval by joining it to the previous user turn: one that points
    back ("and how is it trained?", "what about RNNs?") always, a short one unless it names a topic of its own
    (`names_topic`: "how do I install faiss?" after "what is a CNN?" starts a new thread)."""
    previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    if not previous:
        return question
    points_back = bool(_FOLLOW_UP.search(question))
    short = len(question.split()) <= SHORT_WORDS and not (names_topic and names_topic(question))
    return _joined(previous[-1], question) if points_back or short else question


def _joined(previous: str, question: str) -> str:
    """One question, not two: "what is a CNN, and how is it trained?" is searched whole, where "what is a CNN?
    and how is it trained?" was split in two (index/decompose.py) and its second half, searched alone, found
    pages on anything "trained" (and "... git, and what comes after it?" now reaches the navigation)."""
    return f"{previous.rstrip().rstrip('?.!')}, {question}"
