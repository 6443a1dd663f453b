"""A/B evaluation of a generator with and without an adapter, on held-out Q&A pairs (and a question set)."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from evaluation.answers import key_term_recall
from finetune.qadata import QAPair
from finetune.raft import is_oracle
from ingest.text import STOP, WORD, split_sentences
from service.answering import AnswerPipeline
from service.grounding import citations_in, support_of


def key_terms(answer: str, limit: int = 8) -> list[str]:
    """The reference answer's distinct content words, longest first: what a good answer repeats. Scored with
    the dev sets' own metric (`evaluation.answers.key_term_recall`), as words found in the answer."""
    words = {w.lower().strip(".-") for w in WORD.findall(answer)}
    return sorted((w for w in words if len(w) > 1 and w not in STOP), key=lambda t: (-len(t), t))[:limit]


def _mean(xs: list[float]) -> float | None:
    return round(statistics.fmean(xs), 3) if xs else None


def score_pairs(
    pipeline: AnswerPipeline,
    pairs: list[QAPair],
    progress: Callable[[int], None] | None = None,
    text_of: Callable[[str], str] | None = None,
) -> dict:
    """Key-term recall (whole answer and generated part), citation precision, support of generated sentences
    (checked against the cited chunks' full text when `text_of` maps a citation's source to its document)."""
    rows = []
    for i, pair in enumerate(pairs):
        ans = pipeline.answer(pair.question)
        terms = key_terms(pair.answer)
        cited_ok = [is_oracle_like(c, pair) for c in ans.citations] if not ans.abstained else []
        gen = [s for s in split_sentences(ans.generated) if s.strip()]
        sources = [
            (text_of(c.source) or "")[c.start : c.end] or c.snippet if text_of else c.snippet
            for c in ans.citations
        ]
        supported = [support_of(s, sources, citations_in(s, len(sources))).coverage >= 0.7 for s in gen]
        rows.append(
            {
                "mode": ans.mode,
                "key_term_recall": key_term_recall(ans.answer, terms),
                "generated_key_term_recall": key_term_recall(ans.generated, terms) if ans.generated else None,
                "citation_precision": (sum(cited_ok) / len(cited_ok)) if cited_ok else None,
                "supported": supported,
            }
        )
        if progress:
            progress(i + 1)
    gen_rows = [r for r in rows if r["mode"] == "generated"]
    sentences = [s for r in rows for s in r["supported"]]
    return {
        "questions": len(rows),
        "key_term_recall": _mean([r["key_term_recall"] for r in rows]),
        "generated_share": _mean([float(r["mode"] == "generated") for r in rows]),
        "generated_key_term_recall": _mean([r["generated_key_term_recall"] for r in gen_rows]),
        "citation_precision": _mean(
            [r["citation_precision"] for r in rows if r["citation_precision"] is not None]
        ),
        "abstained_share": _mean([float(r["mode"] == "abstained") for r in rows]),
        "generated_sentences_supported": _mean([float(s) for s in sentences]),
    }


def is_oracle_like(citation, pair: QAPair) -> bool:
    """A cited source that holds the reference answer (same test as the oracle of a training example)."""
    return is_oracle(citation.snippet, citation.path, pair) or (
        bool(pair.sources) and citation.path in pair.sources
    )


def markdown_table(results: dict[str, dict[str, dict]]) -> str:
    """results[set_name][variant] = metrics -> one table per question set, variants side by side."""
    lines = []
    for set_name, variants in results.items():
        names = list(variants)
        metrics = [
            m for m in next(iter(variants.values())) if not isinstance(next(iter(variants.values()))[m], dict)
        ]
        lines += [
            f"### {set_name}",
            "",
            "| metric | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
        ]
        for m in metrics:
            lines.append(f"| {m} | " + " | ".join(_fmt(variants[n].get(m)) for n in names) + " |")
        lines.append("")
    return "\n".join(lines)


def _fmt(v) -> str:
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
