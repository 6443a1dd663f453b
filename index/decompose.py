"""Multi-part questions ("X vs Y", "difference between A and B", two questions in one) as sub-queries.

One embedding of "DDP vs FSDP" lands between the two topics and one side's sections crowd out the other's;
each part searched on its own, with the rest of the question kept as context, finds both.
"""

from __future__ import annotations

import re

# A compared term: one token such as `iterrows()`, `LoRA+`, `tf.data`, `FSDP2` or `C++`.
_TERM = r"[\w][\w.+#()\-]*"
_VERSUS = re.compile(rf"(?<![\w.+#()\-])({_TERM})\s+(?:vs\.?|versus)\s+({_TERM})", re.IGNORECASE)
_BETWEEN = re.compile(
    rf"\b(?:between|compare|comparing)\s+({_TERM})\s+(?:and|with|to)\s+({_TERM})", re.IGNORECASE
)
# "kubeflow or mlflow?" alone; "or" inside a longer question is often one choice ("fp16 or bf16 weights")
_EITHER = re.compile(rf"^\s*({_TERM})\s+or\s+({_TERM})\s*\??\s*$", re.IGNORECASE)
_QUESTION_END = re.compile(r"(?<=\?)\s+(?=\S)")
_CLAUSE_MARKS = ",;:?!"  # not "." nor "-": they occur inside terms (tf.data, LoRA-FA)
MIN_PART_WORDS = 3  # "and why?" is not a question of its own
MAX_PARTS = 3


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the previous to the next punctuation mark."""
    left = max((text.rfind(c, 0, start) for c in _CLAUSE_MARKS), default=-1) + 1
    rights = [i for c in _CLAUSE_MARKS if (i := text.find(c, end)) >= 0]
    return left, min(rights, default=len(text))


def _part(question: str, match: re.Match, keep: int, lead: bool) -> str:
    """One side of a comparison in its clause: "DDP vs FSDP in pytorch, ..." -> "FSDP in pytorch"; the lead
    ("Keras " in "Keras Sequential vs Functional API") stays only where it is not the question's own words."""
    left, right = _clause_bounds(question, match.start(), match.end())
    head = question[left : match.start()] if lead else ""
    return f"{head}{match.group(keep)}{question[match.end() : right]}".strip()


def _compared(question: str) -> list[str]:
    for pattern, lead in ((_VERSUS, True), (_BETWEEN, False), (_EITHER, False)):
        m = pattern.search(question)
        if m and m.group(1).lower() != m.group(2).lower():
            return [_part(question, m, 1, lead), _part(question, m, 2, lead)]
    return []


def _questions(question: str) -> list[str]:
    """Two or more questions in one, each ending with "?" (a trailing remark is context, not a part)."""
    parts = [p.strip() for p in _QUESTION_END.split(question.strip())]
    asks = [p for p in parts if p.endswith("?") and len(re.findall(r"\w+", p)) >= MIN_PART_WORDS]
    return asks if len(asks) > 1 and len(asks) == len(parts) else []


def split_question(question: str) -> list[str]:
    """Sub-queries of a multi-part question (each part with its context); [] for a single ask."""
    parts = _compared(question) or _questions(question)
    return parts[:MAX_PARTS]
