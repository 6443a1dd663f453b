"""Learner-style Q&A generated from indexed text, so a corpus without hand-written Q&A can still be adapted.

Each pair's answer is the one sentence that answers it (a definition, a described list item, a how-to
sentence), never a heading or a section's first line: that pairing is what a naive template attempt got
wrong (see ../shared/NOTES.md). Question wording varies so that the model cannot learn the template.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from finetune.qadata import QAPair
from ingest.text import content_terms, split_at_sentences, split_sentences
from service.grounding import is_statement

_TERM = r"(?P<term>`?[A-Za-z][\w.\-+#()`]*(?: [A-Za-z][\w.\-+#()`]*){0,4})"
DEFINITION = re.compile(
    rf"^(?:The |An? )?{_TERM} (?P<verb>is|are|refers to|means|lets you|allows you to|provides|"
    r"helps you) (?P<rest>.{20,260})$"
)
BOLD_ITEM = re.compile(r"^\*\*(?P<term>[^*]{2,60}?):?\*\*:?\s*[-:–]?\s*(?P<rest>.{20,260})$")
HOW_TO = re.compile(r"^To (?P<goal>[a-z][^,]{8,90}), (?P<rest>.{10,240})$")
_SKIP_TERMS = frozenset(
    """this it that there here which what these those they you we following example default
result output one each if or and but so then also make when while note please see now all both some most such
other another its their our your my his her because since although however for in on at by with from as
more less same good better best first last next new main only former latter above below these those
""".split()
)
_FUNCTION_WORDS = frozenset(
    {
        "that",
        "this",
        "it",
        "is",
        "are",
        "be",
        "to",
        "of",
        "if",
        "than",
        "not",
        "can",
        "when",
        "a",
        "an",
        "the",
        "where",
        "how",
        "why",
        "who",
        "which",
        "you",
        "we",
        "should",
        "these",
        "those",
        "between",
        "there",
        "here",
        "them",
        "they",
    }
)
_ADVERBS = frozenset(
    """ideally usually typically generally finally additionally alternatively currently basically
essentially similarly normally optionally recently previously specifically fortunately unfortunately often
actually simply""".split()
)

WHAT_IS = [
    "What is {t}?",
    "what is {t}",
    "Can you explain what {t} is?",
    "what does {t} mean?",
    "I keep seeing {t} - what is it?",
    "What's {t} in simple terms?",
    "explain {t} to me",
]
WHAT_ARE = ["What are {t}?", "what are {t} used for?", "Can you explain {t}?"]
ITEM = [
    "What should I know about {t}?",
    "What is {t} about?",
    "why does {t} matter?",
    "tell me about {t}",
    "What does the section on {h} say about {t}?",
]
HOW = ["How do I {g}?", "how can I {g}?", "What's the way to {g}?", "how would I {g}", "How should I {g}?"]


@dataclass(frozen=True)
class Passage:
    """A chunk of indexed text with where it came from."""

    text: str
    heading: str
    path: str


def _clean(sentence: str) -> str:
    return " ".join(sentence.replace("**", "").split()).strip()


def _term_ok(term: str) -> bool:
    """A name worth asking about: no sentence fragments, conditionals or pronouns."""
    words = term.strip("`").split()
    if not words or len(term) > 50 or term.rstrip("`").endswith((".", ",", ";")):
        return False
    if (
        words[0].lower() in _SKIP_TERMS
        or words[0].lower() in _ADVERBS
        or any(w.lower() in _FUNCTION_WORDS for w in words[1:])
    ):
        return False
    return "." not in term.strip("`") or "`" in term  # "many factors. It" is a fragment; `np.array` is a name


def _starts_sentence(s: str) -> bool:
    return bool(s) and (s[0].isupper() or s[0] in "`*")


def _last_heading(heading: str) -> str:
    return re.sub(r"[^\w\s.\-+#]", "", heading.rsplit(" > ", 1)[-1]).strip() or "this topic"


def questions_for(sentence: str, heading: str, rng: random.Random) -> list[tuple[str, str]]:
    """(question, answer) pairs one source sentence can answer."""
    s = split_at_sentences(sentence.strip())[0]  # one sentence: list items may hold several
    if not _starts_sentence(s) or s.rstrip("*").endswith("?"):
        return []  # a chunk's opening fragment, or a question rather than an answer
    if m := BOLD_ITEM.match(s):
        term = m["term"].strip()
        if _term_ok(term) and len(content_terms(m["rest"])) >= 3:
            q = rng.choice(ITEM).format(t=term, h=_last_heading(heading))
            return [(q, f"{term}: {_clean(m['rest'])}")]
    s = _clean(s)
    if m := HOW_TO.match(s):
        goal = m["goal"].rstrip(".")
        return [(rng.choice(HOW).format(g=goal), s)]
    if m := DEFINITION.match(s):
        term = m["term"].strip()
        if _term_ok(term) and len(content_terms(m["rest"])) >= 3:
            pool = WHAT_ARE if m["verb"] == "are" else WHAT_IS
            return [(rng.choice(pool).format(t=term), s)]
    return []


def generate_pairs(
    passages: Iterable[Passage], *, seed: int = 0, per_passage: int = 2, limit: int | None = None
) -> list[QAPair]:
    """Q&A pairs from passages, at most `per_passage` each, de-duplicated by question."""
    rng = random.Random(seed)
    out, seen = [], set()
    for p in passages:
        found = 0
        for sentence in split_sentences(p.text):
            if found >= per_passage or not is_statement(sentence) or sentence.startswith("`"):
                continue
            for q, a in questions_for(sentence, p.heading, rng):
                key = q.lower()
                if key in seen:
                    continue
                seen.add(key)
                out.append(QAPair(q, a, context=p.text, sources=[p.path], origin="corpus"))
                found += 1
        if limit and len(out) >= limit:
            break
    rng.shuffle(out)
    return out[:limit] if limit else out
