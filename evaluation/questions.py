"""Question sets with gold sections, and retrieval scoring by gold-section overlap."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.structure import comment_titles, literate_headings
from ingest.text import fenced_line_mask, iter_lines

CONTEXT_CAP = 4000  # characters of context the top k may use in total
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Question:
    """One evaluation question in the format of roadmap_qa_dev.jsonl."""

    id: str
    question: str
    answerable: bool
    kind: str = ""
    gold: list[dict] = field(default_factory=list)
    must_include: list[str] = field(default_factory=list)
    reference_answer: str = ""


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question set; raises ValueError naming the bad line."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                Question(
                    id=str(row.get("id", n)),
                    question=row["question"],
                    answerable=bool(row.get("answerable", True)),
                    kind=row.get("kind", ""),
                    gold=row.get("gold", []),
                    must_include=row.get("must_include", []),
                    reference_answer=row.get("reference_answer", ""),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question record ({exc})") from exc
    return out


def section_span(text: str, heading: str, file: str = "") -> tuple[int, int] | None:
    """(start, end) of the section with this heading text, to the next heading of the same or a higher level,
    by the dev sets' rules (eval README): markdown `#` headings outside fences; rst titles above their
    underline, levels in the order underline styles first appear; in `.py` files the same rst rule inside
    `#` comments (sphinx-gallery) and markdown headings inside docstrings (keras-io)."""
    heads = _headings(text, file)
    for i, (off, level, title) in enumerate(heads):
        if title == heading.strip():
            end = next((o for o, lv, _ in heads[i + 1 :] if lv <= level), len(text))
            return off, end
    return None


def _headings(text: str, file: str) -> list[tuple[int, int, str]]:
    lines = iter_lines(text)
    if file.endswith(".rst"):
        return comment_titles(lines, prefix="")
    if file.endswith(".py"):
        return literate_headings(text)
    mask = fenced_line_mask(lines)
    return [
        (off, len(m.group(1)), m.group(2).strip())
        for (off, line), f in zip(lines, mask)
        if not f and (m := _ATX.match(line))
    ]


@dataclass(frozen=True)
class GoldSpan:
    file: str
    start: int
    end: int
    location: str = ""  # absolute path of the gold file when known: then only hits from it count


def path_matches(path: str, gold_file: str) -> bool:
    return path == gold_file or path.endswith("/" + gold_file)


def gold_spans(q: Question, text_of: Callable[[str], str | None], root: Path | None = None) -> list[GoldSpan]:
    """Resolve each gold {file, heading} to a span; text_of(file) returns the file's text."""
    spans = []
    for g in q.gold:
        text = text_of(g["file"])
        span = section_span(text, g["heading"], g["file"]) if text is not None else None
        if span:
            spans.append(
                GoldSpan(g["file"], *span, location=str((root / g["file"]).resolve()) if root else "")
            )
    return spans


def corpus_reader(root: Path) -> Callable[[str], str | None]:
    """text_of for gold files that live under a corpus folder."""

    def text_of(name: str) -> str | None:
        path = root / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return text_of


def cap_context(hits: Sequence, cap: int = CONTEXT_CAP) -> list:
    """The leading hits whose texts fit in `cap` characters together."""
    out, used = [], 0
    for h in hits:
        if used + len(h.text) > cap:
            break
        out.append(h)
        used += len(h.text)
    return out


def hit_matches(hit, span: GoldSpan) -> bool:
    same_file = hit.location == span.location if span.location else path_matches(hit.path, span.file)
    return same_file and hit.start < span.end and hit.end > span.start


def score_retrieval(hits: Sequence, spans: list[GoldSpan], k: int) -> tuple[float, float]:
    """(recall@k within the context cap, reciprocal rank of the first matching hit)."""
    top = cap_context(list(hits)[:k])
    recall = sum(any(hit_matches(h, s) for h in top) for s in spans) / len(spans) if spans else 0.0
    rr = next((1.0 / r for r, h in enumerate(hits, start=1) if any(hit_matches(h, s) for s in spans)), 0.0)
    return recall, rr
