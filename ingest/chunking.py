"""Structure-aware chunking: heading paths, whole code fences, spans bounded in embedder tokens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.anchors import AnchorNamer
from ingest.documents import Chunk, Document
from ingest.structure import Section, find_sections
from ingest.text import fence_roles, iter_lines, sentence_ends

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkingConfig:
    """Bounds on chunk size; both must hold unless a code fence alone exceeds them."""

    max_tokens: int = 200  # MiniLM reads 256 word-pieces; leave room for special tokens
    max_chars: int = 800  # keeps five chunks within a 4,000-character context
    min_chars: int = 200  # smaller pieces are merged with their neighbour


def approx_tokens(text: str) -> int:
    """Cheap word-piece estimate for tests and when no tokenizer is at hand."""
    return int(len(re.findall(r"\w+|[^\w\s]", text)) * 1.25) + 1


def _blocks(text: str, start: int, end: int, kind: str) -> list[tuple[int, int, bool]]:
    """Split text[start:end] at blank lines into (start, end, atomic) units; fences are atomic."""
    lines = [(o + start, line) for o, line in iter_lines(text[start:end])]
    roles = fence_roles(lines) if kind == "markdown" else [""] * len(lines)
    units: list[list] = []
    for (offset, line), role in zip(lines, roles):
        fenced = role != ""
        line_end = offset + len(line)
        blank = not line.strip() and not fenced
        glue = kind == "rst" and line[:1] in (" ", "\t") and units and units[-1][3]
        if blank:
            if units:
                units[-1][3] = False  # a blank line ends the current unit
            continue
        if units and (units[-1][3] or glue or (fenced and units[-1][2])):
            units[-1][1] = line_end
            units[-1][2] = units[-1][2] or fenced
            units[-1][3] = True
        else:
            units.append([offset, line_end, fenced, True])
        if role == "close":
            units[-1][3] = False  # a fenced unit is complete once its fence closes
    return [(s, e, f) for s, e, f, _ in units]


def _split_long(
    text: str, start: int, end: int, cfg: ChunkingConfig, count: TokenCounter
) -> Iterator[tuple[int, int]]:
    """Split an over-long prose unit at sentence ends, then at whitespace."""
    pieces, pos = [], start
    for sentence_end, next_start in sentence_ends(text, start, end):
        pieces.append((pos, sentence_end))
        pos = next_start
    pieces.append((pos, end))
    for s, e in pieces:
        while e - s > cfg.max_chars or count(text[s:e]) > cfg.max_tokens:
            cut = text.rfind(" ", s, s + cfg.max_chars)
            cut = cut if cut > s + cfg.max_chars // 4 else s + cfg.max_chars
            # shrink until the token bound holds too
            while count(text[s:cut]) > cfg.max_tokens and cut - s > 40:
                cut = s + (cut - s) * 3 // 4
            yield s, cut
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            yield s, e


def _pack(
    text: str, units: list[tuple[int, int, bool]], cfg: ChunkingConfig, count: TokenCounter
) -> list[tuple[int, int]]:
    """Greedily pack consecutive units into spans that respect the bounds."""
    spans: list[tuple[int, int]] = []
    cur: list[int] | None = None
    for s, e, atomic in units:
        pieces = [(s, e)]
        if not atomic and (e - s > cfg.max_chars or count(text[s:e]) > cfg.max_tokens):
            pieces = list(_split_long(text, s, e, cfg, count))
        for ps, pe in pieces:
            if cur and pe - cur[0] <= cfg.max_chars and count(text[cur[0] : pe]) <= cfg.max_tokens:
                cur[1] = pe
            else:
                if cur:
                    spans.append((cur[0], cur[1]))
                cur = [ps, pe]
    if cur:
        spans.append((cur[0], cur[1]))
    return spans


def _heading_paths(sections: list[Section], doc: Document) -> list[tuple[str, str]]:
    """(heading path, anchor) for each section: the page's own heading id where it gave one."""
    namer, stack, out = AnchorNamer(), [], []
    given: dict[str, list[str]] = {}
    for heading, anchor in doc.anchors:
        given.setdefault(heading, []).append(anchor)
    for sec in sections:
        if sec.level == 0:
            out.append((doc.title, ""))
            continue
        while stack and stack[-1][0] >= sec.level:
            stack.pop()
        stack.append((sec.level, sec.title))
        own = given[sec.title].pop(0) if given.get(sec.title) else ""
        out.append((" > ".join(t for _, t in stack), own or namer.name(sec.title)))
    return out


def _merge_small(chunks: list[Chunk], text: str, cfg: ChunkingConfig, count: TokenCounter) -> list[Chunk]:
    """Merge a too-small chunk (a lone heading, a one-liner) into its next neighbour, else its previous
    one."""

    def fits(start: int, end: int) -> bool:
        return end - start <= cfg.max_chars and count(text[start:end]) <= cfg.max_tokens

    out: list[Chunk] = []
    for ch in chunks:
        prev = out[-1] if out else None
        if prev and prev.end - prev.start < cfg.min_chars and fits(prev.start, ch.end):
            out[-1] = Chunk(ch.doc_id, prev.start, ch.end, text[prev.start : ch.end], ch.heading, ch.anchor)
        elif prev and ch.end - ch.start < cfg.min_chars and fits(prev.start, ch.end):
            out[-1] = Chunk(
                prev.doc_id, prev.start, ch.end, text[prev.start : ch.end], prev.heading, prev.anchor
            )
        else:
            out.append(ch)
    return out


def chunk_document(
    doc: Document, cfg: ChunkingConfig = ChunkingConfig(), count: TokenCounter = approx_tokens
) -> list[Chunk]:
    """Chunks of a document in reading order, each an exact span of its text."""
    text = doc.text
    sections = find_sections(text, doc.kind)
    chunks: list[Chunk] = []
    for sec, (path, anchor) in zip(sections, _heading_paths(sections, doc)):
        for s, e in _pack(text, _blocks(text, sec.start, sec.end, doc.kind), cfg, count):
            chunks.append(Chunk(doc.doc_id, s, e, text[s:e], path, anchor))
    chunks = _merge_small(chunks, text, cfg, count)
    return [Chunk(c.doc_id, c.start, c.end, c.text, c.heading, c.anchor, i) for i, c in enumerate(chunks)]
