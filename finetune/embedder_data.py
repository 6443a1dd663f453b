"""Training data for adapting the embedder to the corpus: synthetic learner questions written by the
generator for sampled chunks, each paired with the unit of its chunk that answers it and a hard negative
(the best-ranked chunk of another section), so the embedder learns this corpus's sections apart."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from index.catalog import ChunkRecord
from index.hits import Hit
from index.retriever import Retriever
from ingest.units import unit_texts
from service.llm.base import GenerationConfig, Generator

# Several wordings, so the questions are not one template: learners ask how, why, whether, casually.
STYLES = (
    "one short question a learner could ask",
    "one how-do-I question a learner could ask",
    "one casual, lower-case question a beginner could type",
    "one why-question a learner could ask",
    "one question a learner could ask before choosing this",
)
_GENERATION = GenerationConfig(max_new_tokens=40, temperature=0.0, repetition_penalty=1.1)
_ECHO = re.compile(r"\b(?:this passage|the passage|this section|something)\b", re.IGNORECASE)
MIN_CHUNK_CHARS = 200  # shorter chunks are headings, link lists or code stubs: no question to ask of them


@dataclass(frozen=True)
class SyntheticQuestion:
    question: str
    chunk_id: int


@dataclass(frozen=True)
class Triple:
    """A question, the unit that answers it, and a unit from another section that does not."""

    question: str
    positive: str
    negative: str | None


def sample_chunks(chunks: Iterable[ChunkRecord], n: int, seed: int = 0) -> list[ChunkRecord]:
    """n chunks, each source's share growing with the square root of its size, so a 300-chunk roadmap is
    not drowned by 20,000 chunks of docs (nor the docs under-sampled)."""
    by_source: dict[str, list[ChunkRecord]] = {}
    for c in chunks:
        if len(c.text) >= MIN_CHUNK_CHARS:
            by_source.setdefault(c.source_id, []).append(c)
    weight = {src: math.sqrt(len(cs)) for src, cs in by_source.items()}
    total = sum(weight.values()) or 1.0
    rng = random.Random(seed)
    picked = []
    for src in sorted(by_source):
        cs = sorted(by_source[src], key=lambda c: c.id)
        picked += rng.sample(cs, min(len(cs), round(n * weight[src] / total)))
    rng.shuffle(picked)
    return picked


def _prompt(chunk: ChunkRecord, style: str) -> list[dict[str, str]]:
    leaf = chunk.heading.rsplit(" > ", 1)[-1]
    return [
        {"role": "system", "content": "You write the questions that learners type into a search box."},
        {
            "role": "user",
            "content": f'Passage (from "{chunk.title}", section "{leaf}"):\n{chunk.text[:700]}\n\n'
            f"Write {style} that this passage answers. Use your own words; do not copy the section "
            "title. Reply with the question only.",
        },
    ]


def clean_question(reply: str) -> str | None:
    """The generated question, or None when the reply is not a usable one."""
    line = reply.strip().split("\n", 1)[0].strip().strip('"').strip()
    if not line.endswith("?") or not 4 <= len(line.split()) <= 30 or _ECHO.search(line):
        return None
    return line


def write_questions(
    generator: Generator, chunks: list[ChunkRecord], seed: int = 0, on_chunk: Callable[[], None] | None = None
) -> Iterator[SyntheticQuestion]:
    """A generated question per chunk where the reply is usable (about 4 in 5); on_chunk after each chunk."""
    rng = random.Random(seed)
    for chunk in chunks:
        reply = "".join(generator.stream(_prompt(chunk, rng.choice(STYLES)), _GENERATION))
        if on_chunk:
            on_chunk()
        if question := clean_question(reply):
            yield SyntheticQuestion(question, chunk.id)


def _best_unit(
    embed: Callable[[list[str]], np.ndarray], query_vec: np.ndarray, chunk: ChunkRecord | Hit
) -> str:
    units = unit_texts(chunk.text, chunk.heading)
    return units[int(np.argmax(embed(units) @ query_vec))]


def mine_triples(
    retriever: Retriever, questions: Iterable[SyntheticQuestion], depth: int = 10
) -> list[Triple]:
    """Pair each question with its chunk's best unit (what the dense index matches) and the best unit of
    the first retrieved chunk from another section."""
    embed = retriever.embedder.embed
    out = []
    for q in questions:
        source = retriever.catalog.chunks([q.chunk_id]).get(q.chunk_id)
        if source is None:
            continue
        query_vec = embed([q.question])[0]
        hits = retriever.search(q.question, depth)
        other = next((h for h in hits if (h.doc_id, h.heading) != (source.doc_id, source.heading)), None)
        negative = _best_unit(embed, query_vec, other) if other is not None else None
        out.append(Triple(q.question, _best_unit(embed, query_vec, source), negative))
    return out
