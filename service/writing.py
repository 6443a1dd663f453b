"""The model's own answer: its output cut into checked sentences and whole code blocks, and citation numbers
given in order of first use (what it reads is service/prompting.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ingest.text import complete_sentences
from service.answer_config import DECLINE_PATTERN
from service.drafts import draft_text
from service.grounding import Evidence, citations_in, claim_terms, strip_citations, support_of
from service.numbering import MARK, Numbering
from service.prompting import FENCE
from service.rstview import rst_inline

log = logging.getLogger(__name__)

_LEAD_MARKS = re.compile(r"^(?:\s*\[(\d{1,2})\])+\s*")
_STRAY_BRACKET = re.compile(r"^\[(?![^\]]*\]\()[^\]\n:]+:")  # "[Heading: text", not "[link](url)"
_DECORATION = re.compile(r"^\s*(?:#{1,6}\s+|[*+\-]\s+|\d+[.)]\s+)|\*\*|__")
# a line break inside a sentence copied from a wrapped source; not before a line of code (an assignment or a
# method call: "s.rolling(window=5).mean()"), which service/codelines.py shows as code
_WRAPPED = re.compile(r"\n(?=[a-z(`])(?![\w.\[\]'\"]+\s*[+\-*/]?=[^=]|[a-z_]\w*\.[\w.]*\w\()")


def clean_unit(unit: str, headings: Sequence[str] = ()) -> str:
    """A prose unit as plain text: markdown decoration out, a leading source marker moved to its end, an
    echoed "<section heading>:" label (the prompt's, copied by a small model) dropped."""
    m = _LEAD_MARKS.match(unit)
    text = unit[m.end() :] if m else unit
    if _STRAY_BRACKET.match(text):  # "[How Faiss works: ..." - a source label echoed without its number
        text = text[1:]
    for heading in headings:
        if heading and text.startswith(heading + ":") and len(text) > len(heading) + 12:
            text = text[len(heading) + 1 :]
            break
    text = text.strip() if FENCE in text else rst_inline(text.strip())  # `` inside a fence is not rst
    text = _DECORATION.sub("", text).strip()
    if m and not re.search(r"\[\d{1,2}\]\W*$", text):
        text = f"{text} [{m.group(1)}]"
    return text


_CLOSE_FENCE = re.compile(r"\n[ \t]*```")


def split_units(buf: str) -> tuple[list[str], str]:
    """Finished units of streamed model output (sentences, whole fenced code blocks) and the unfinished
    rest. A line break at the very end waits for the next piece: it may only wrap a sentence."""
    units: list[str] = []
    while True:
        fence = buf.find(FENCE)
        if fence == -1:
            body = buf.rstrip("\n")
            *done, rest = complete_sentences(_WRAPPED.sub(" ", body))
            return units + done, rest + buf[len(body) :]
        *done, rest = complete_sentences(
            _WRAPPED.sub(" ", buf[:fence])
        )  # the prose before a block is complete
        units += done + ([rest.strip()] if rest.strip() else [])
        close = _CLOSE_FENCE.search(buf, fence + 3)
        if close is None:
            return units, buf[fence:]
        units.append(_dedent_block(buf[fence : close.end()]))
        buf = buf[close.end() :]


def _dedent_block(block: str) -> str:
    """A fenced block with its fences at the margin (a model sometimes indents a block under a list item)."""
    lines = block.strip().splitlines()
    return "\n".join([lines[0].strip(), *lines[1:-1], lines[-1].strip()])


@dataclass(frozen=True)
class Checker:
    """The faithfulness check of one unit of the model's output against the sources it was shown."""

    sources: Sequence[str]
    min_support: float
    given: frozenset[str] = frozenset()  # the question's terms: restating them claims nothing
    headings: Sequence[str] = ()  # the prompt's section labels, which a small model sometimes echoes
    # Whether a unit after the first still answers the question: (unit, whether it cites a new source).
    on_topic: Callable[[str, bool], bool] | None = None
    weight: Callable[[str], float] | None = None  # a term's weight in the support share (its IDF)

    def check(self, unit: str, prefer: tuple[int, ...] = ()) -> tuple[str, str, int]:
        """(ok | declined | unsupported, the unit as kept, its source's prompt number)."""
        if unit.startswith(FENCE):
            n = self.code_source(unit)
            return ("ok", unit, n) if n else ("unsupported", unit, 0)
        if DECLINE_PATTERN.search(unit):
            return "declined", unit, 0
        plain = strip_citations(unit)
        if len(claim_terms(plain) - self.given) < 2:
            return "unsupported", unit, 0  # a fragment, or the question said back
        cited = citations_in(unit, len(self.sources))
        support = support_of(unit, self.sources, cited, self.given, self.weight) if cited else None
        if support is None or support.coverage < self.min_support:
            # the previous unit's source first: an answer's next sentence usually goes on from the same one
            order = [*prefer, *range(1, len(self.sources) + 1)]
            support = support_of(plain, self.sources, order, self.given, self.weight)
        if support.coverage < self.min_support:
            return "unsupported", unit, 0
        if prefer and self.on_topic is not None and not self.on_topic(plain, support.n not in prefer):
            return "unsupported", unit, 0  # true to its source, but the answer has wandered off
        if cited == [support.n]:
            return "ok", unit, support.n
        return "ok", f"{plain.rstrip()} [{support.n}]", support.n

    def draft(self, rest: str) -> str:
        """What may be shown of an unfinished unit before its check (service/drafts.py)."""
        joined = _WRAPPED.sub(" ", rest)  # as split_units reads it: a wrapping line break is not a new line
        return draft_text(joined, self.sources, self.min_support, self.given, self.headings)

    def code_source(self, block: str) -> int:
        """The source holding most of a code block's lines (at least 60% of them), 0 if none."""
        lines = [" ".join(ln.split()) for ln in block.splitlines()[1:-1] if ln.strip()]
        if not lines:
            return 0
        best, n_best = 0.0, 0
        for n, src in enumerate(self.sources, start=1):
            flat = " ".join(src.split())
            share = sum(ln in flat for ln in lines) / len(lines)
            if share > best:
                best, n_best = share, n
        return n_best if best >= 0.6 else 0


# Source markup a small model copies into its answer: rst directives ("ipython:: python"), doc-builder and
# HTML tags ("<hfoption id=...>", "[[autodoc]]"), an example file's header fields, an inline heading.
_MARKUP = re.compile(
    r"^(\.\.\s)?[\w-]+::|^</?[A-Za-z][\w-]*(\s[^>]*)?>|^\[+/?(autodoc|hfoption)|"
    r"^(authors?|date created|last modified|description|accelerator)\s*:|(^|\s)#{2,}\s|^:[\w-]+:(\s|$)",
    re.IGNORECASE,
)
# Links with nothing said ("[MLOps](advanced-topics-mlops.md)"), and a chain of page headings copied as one
# sentence ("Edge AI: AI Closer to the Action - Emerging Trends: Edge AI - Bringing AI to the Edge!"): three
# or more " - " joins; dev-set answers with two were real sentences ("Optimizers - ...: Adam, SGD - ...").
_LINKS_ONLY = re.compile(r"(?:\[[^\]]+\]\([^)]*\)[\s,;|-]*)+")
_CHAIN = re.compile(r"\s[-–]\s")
_LATEX = re.compile(r"\\[a-zA-Z]+\{")  # math markup read out of its rst role: \frac{tp}{tp + fp}
# a table row copied out of a source: aligned columns (rst simple tables) or pipes (markdown tables)
_TABLE_GAP = re.compile(r"\S {3,}(?=\S)")
# A sentence cut off mid-way ("While this function can"): it ends on a word that cannot end one.
_DANGLING = {"a", "an", "the", "of", "to", "and", "or", "with", "for", "can", "then", "in", "on", "by", "as"}
_DANGLING |= {"at", "from", "into", "than", "is", "are", "was", "were", "be"}


def on_topic_check(
    question: str, embed: Callable[[list[str]], np.ndarray], floor: float, new_source_floor: float
) -> Callable[[str, bool], bool] | None:
    """A unit is on topic when its embedding's cosine to the question's reaches `floor`, or the higher
    `new_source_floor` when it turns to a source the answer had not used yet (None: no check).

    Measured on the dev-set answers: below 0.05 were copied page furniture; a unit turning to another source
    below 0.15 was mostly drift ("Track Datasets: which data version ..." in an answer on git basics, a
    Raspberry Pi benchmark after Occam's razor), at the cost of a few true but marginal sentences."""
    if floor <= 0 and new_source_floor <= 0:
        return None
    q = embed([question])[0]
    return lambda unit, new: float(embed([unit])[0] @ q) >= (new_source_floor if new else floor)


def _is_noise(unit: str) -> bool:
    """Output that is neither claim nor code: a markdown heading, a doctest line, an echoed source marker, a
    bare marker, copied source markup, links alone, a chain of headings, a table row, or a fragment (under
    three words, or cut off after a function word or an opening bracket)."""
    plain = unit.strip().strip("*_ ")
    text = strip_citations(plain).strip()
    if plain.startswith(("#", ">>>")) or ">>> " in text or re.match(r"^\[\d+\]\s*(\(|$)", plain) or not text:
        return True  # a heading, a doctest line copied out of its example (or run on after "For example::")
    prose = re.sub(r"`[^`]*`", "", text)  # what is not inline code
    if (
        _MARKUP.search(text)
        or _LINKS_ONLY.fullmatch(text)
        or _LATEX.search(prose)
        or len(_CHAIN.findall(prose)) >= 3
    ):
        return True
    if not text.startswith(FENCE) and (len(_TABLE_GAP.findall(text)) >= 3 or text.count("|") >= 3):
        return True
    words = re.findall(r"[\w'-]+", text)
    ending = not text.endswith((".", "!", "?")) and bool(words)
    cut = ending and (words[-1].lower() in _DANGLING or text.endswith((",", ";", "(", "[", "{", "=")))
    short = len(words) < 3 and not text.endswith(":")  # "Two choices:" introduces a list; "method." is cut
    return not text.startswith(FENCE) and (short or cut)


def _said_key(unit: str) -> str:
    """A unit's words, for spotting a repeat ("For example: <the same sentence>")."""
    words = re.sub(r"\W+", " ", strip_citations(unit).lower()).strip()
    return re.sub(r"^(for example|for instance|e g|i e|in short|again) ", "", words)


def _cut_or_said(rest: str, said: set[str]) -> bool:
    """The output's last words, when generation stopped mid-sentence (no end mark nor source marker) or they
    begin a sentence already said."""
    key = _said_key(rest)
    return not re.search(r"[.!?)\]`*]$", rest) or any(k.startswith(key) for k in said)


def checked_units(
    pieces: Iterator[str], checker: Checker, max_units: int, max_dropped: int = 2, drafts: bool = False
) -> Iterator[tuple[str, str, int]]:
    """(ok | declined, unit, prompt number) for the units of the streamed output worth keeping.

    An unsupported unit is dropped; the model has left the evidence after max_dropped in a row. A line that
    introduces a list (ending in ':') is held until an item after it passes. With `drafts`, also ("draft",
    text, 0) whenever what may be shown of the unfinished unit changes ('' takes a shown draft back)."""
    buf, kept, dropped, last, intro, said, shown = "", 0, 0, (), "", set(), ""
    for piece in pieces:
        done, buf = split_units(buf + piece)
        for unit in done:
            if _is_noise(unit):
                continue
            unit = unit if unit.startswith(FENCE) else clean_unit(unit, checker.headings)
            if _said_key(unit) in said:  # a small model sometimes says a sentence twice (compared as shown)
                continue
            if unit.endswith(":") and not unit.startswith(FENCE):
                intro = unit
                continue
            verdict, unit, n = checker.check(unit, last)
            if verdict == "declined":
                log.debug("the model declined: %r", unit)
                yield verdict, unit, n
                return
            if verdict == "unsupported":
                log.debug("dropped an unsupported unit: %r", unit)
                dropped += 1
                if dropped >= max_dropped:
                    return
                continue
            if intro:
                yield "ok", intro, n
                intro = ""
            yield verdict, unit, n
            kept, dropped, last, shown = kept + 1, 0, (n,), ""  # the kept unit replaces its draft
            said.add(_said_key(unit))
            if kept >= max_units:
                return
        if drafts and (text := checker.draft(buf)) != shown:
            yield "draft", text, 0
            shown = text
    rest = clean_unit(buf.strip(), checker.headings)
    if rest and not rest.startswith(FENCE) and not _is_noise(rest) and not _cut_or_said(rest, said):
        verdict, unit, n = checker.check(rest, last)
        # A decline left at the output's end ("[1] The sources do not cover this.") is not acted on: the
        # answer falls back to the verified quotes. Counted as a decline, false abstention rose 0.037 / 0.023
        # -> 0.056 / 0.070 on the dev sets and no more unanswerable questions were refused (README, stop 25).
        if verdict == "ok":
            yield verdict, unit, n


def labels_only(output: str) -> bool:
    """Whether the model's output is source labels and nothing else ("[1] [2]")."""
    return bool(MARK.search(output)) and not re.sub(r"\[\d{1,2}\]|[\W_]", "", output)


def quote_block(evidence: Sequence[Evidence], numbering: Numbering) -> str:
    """Verified evidence as quote lines, each with its display number; a line quoted once (a page that repeats
    its navigation block had the same line quoted twice)."""
    lines: dict[str, str] = {}  # each text's first quote line
    for e in evidence:
        if e.text not in lines:
            lines[e.text] = f"> {e.text} [{numbering.number(e.n - 1)}]"
    return "\n".join(lines.values())


def join_units(units: Sequence[str]) -> str:
    """The kept units as one text: sentences run on, code blocks stand apart."""
    out = ""
    for unit in units:
        out += joiner([out] if out else [], unit) + unit
    return out


def joiner(before: Sequence[str], unit: str, first: str = "") -> str:
    """What goes between answer units: a blank line around code blocks, a space between sentences."""
    if not before:
        return first
    return "\n\n" if unit.startswith("```") or before[-1].rstrip().endswith("```") else " "
