"""`rag eval`: retrieval and answer quality on a question set, with JSON, markdown and a PNG plot."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.questions import GoldSpan, Question, corpus_reader, gold_spans, hit_matches, load_questions
from service.answering import AnswerPipeline
from service.events import Answer
from service.grounding import citations_in, support_of
from service.writing import FENCE, split_units

ANSWER_WINDOW = 600  # characters of the answer in which key terms are counted
# A generated sentence counts as supported when its cited source holds this share of its content words
# (question words included): a check apart from the pipeline's own, which discounts the question's words.
SUPPORTED = 0.5


@dataclass
class Row:
    """One question's outcome."""

    id: str
    kind: str
    answerable: bool
    mode: str
    key_term_recall: float | None
    cited: int
    cited_correct: int
    ttft_ms: float
    total_ms: float
    tokens_per_s: float
    sentences: int = 0  # generated sentences (code blocks apart)
    supported: int = 0  # of them, supported by the source they cite
    answer: str = ""
    first_words_ms: float = 0.0  # the first answer words on screen: a draft, or else the first checked text


def key_term_recall(answer: str, terms: list[str]) -> float:
    window = answer[:ANSWER_WINDOW].lower()
    return sum(t.lower() in window for t in terms) / len(terms) if terms else 0.0


def generated_support(ans: Answer, text_of) -> tuple[int, int]:
    """(generated sentences, those supported by the text of the citation they name)."""
    units, rest = split_units(ans.generated + " ")
    sentences = [u for u in [*units, rest.strip()] if u and not u.startswith(FENCE)]
    cited_text = {}
    for c in ans.citations:
        doc = text_of(c.path) or ""
        cited_text[c.n] = doc[c.start : c.end] or c.snippet
    supported = 0
    for sentence in sentences:
        sources = [cited_text.get(n, "") for n in citations_in(sentence, 99)]
        supported += bool(sources) and support_of(sentence, sources).coverage >= SUPPORTED
    return len(sentences), supported


def score_answer(q: Question, ans: Answer, spans: list[GoldSpan], text_of=lambda _: None) -> Row:
    correct = sum(any(hit_matches(c, s) for s in spans) for c in ans.citations) if spans else 0
    sentences, supported = generated_support(ans, text_of) if ans.mode == "generated" else (0, 0)
    return Row(
        q.id,
        q.kind,
        q.answerable,
        ans.mode,
        key_term_recall(ans.answer, q.must_include) if q.answerable and q.must_include else None,
        len(ans.citations) if q.answerable and not ans.abstained else 0,
        correct if not ans.abstained else 0,
        ans.timings.get("ttft_ms", 0.0),
        ans.timings.get("total_ms", 0.0),
        ans.timings.get("tokens_per_s", 0.0),
        sentences,
        supported,
        ans.answer,
        min((t for t in (ans.timings.get("first_draft_ms"), ans.timings.get("ttft_ms")) if t), default=0.0),
    )


def _pct(xs: list[float], q: int) -> float | None:
    return round(float(np.percentile(xs, q)), 1) if xs else None


def _mean(xs: list[float]) -> float | None:
    return round(statistics.fmean(xs), 4) if xs else None


def summarize(rows: list[Row]) -> dict:
    """Headline metrics, and the same per answer mode and per question kind."""
    ans = [r for r in rows if r.answerable]
    un = [r for r in rows if not r.answerable]
    cited = sum(r.cited for r in ans)
    out = {
        "questions": len(rows),
        "key_term_recall": _mean([r.key_term_recall for r in ans if r.key_term_recall is not None]),
        "citation_precision": round(sum(r.cited_correct for r in ans) / cited, 4) if cited else None,
        "abstention_on_unanswerable": _mean([float(r.mode == "abstained") for r in un]),
        "false_abstention": _mean([float(r.mode == "abstained") for r in ans]),
        "generated_share": _mean([float(r.mode == "generated") for r in ans]),
        "supported_share": round(sum(r.supported for r in rows) / n, 4)
        if (n := sum(r.sentences for r in rows))
        else None,
        "ttft_p50_ms": _pct([r.ttft_ms for r in rows], 50),
        "ttft_p95_ms": _pct([r.ttft_ms for r in rows], 95),
        "first_words_p50_ms": _pct([r.first_words_ms or r.ttft_ms for r in rows], 50),
        "total_p50_ms": _pct([r.total_ms for r in rows], 50),
        "total_p95_ms": _pct([r.total_ms for r in rows], 95),
        "tokens_per_s_p50": statistics.median([r.tokens_per_s for r in rows if r.tokens_per_s] or [0.0]),
        "modes": dict(
            sorted(
                defaultdict(int, {m: sum(r.mode == m for r in rows) for m in {r.mode for r in rows}}).items()
            )
        ),
    }
    for group, key in (("by_mode", "mode"), ("by_kind", "kind")):
        out[group] = {}
        for value in sorted({getattr(r, key) for r in rows}):
            sub = [r for r in rows if getattr(r, key) == value]
            out[group][value] = {
                "n": len(sub),
                "key_term_recall": _mean([r.key_term_recall for r in sub if r.key_term_recall is not None]),
                "ttft_p50_ms": statistics.median([r.ttft_ms for r in sub]),
            }
    return out


def evaluate_answers(
    pipeline: AnswerPipeline, questions_file: Path, corpus_root: Path | None, text_of
) -> tuple[dict, list[Row]]:
    questions = load_questions(questions_file)
    reader = corpus_reader(corpus_root) if corpus_root else text_of
    rows = []
    for q in questions:
        ans = pipeline.answer(q.question)
        rows.append(score_answer(q, ans, gold_spans(q, reader, corpus_root), text_of))
    return summarize(rows), rows


# The answer metrics a report and `rag eval` lead with.
HEADLINE = (
    "key_term_recall",
    "generated_share",
    "supported_share",
    "citation_precision",
    "abstention_on_unanswerable",
    "false_abstention",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "first_words_p50_ms",
    "total_p50_ms",
    "total_p95_ms",
    "tokens_per_s_p50",
    "modes",
)


def markdown_report(summary: dict, retrieval: dict | None) -> str:
    lines = ["# rag eval", ""]
    if retrieval:
        k = retrieval.get("k", 5)
        lines += [f"| retrieval mode | recall@{k} | MRR |", "|---|---|---|"]
        lines += [
            f"| {m} | {retrieval[m][f'recall@{k}']:.3f} | {retrieval[m]['mrr']:.3f} |"
            for m in ("dense", "bm25", "hybrid")
        ]
        lines.append("")
    lines += ["| answer metric | value |", "|---|---|"]
    lines += [f"| {key} | {summary[key]} |" for key in ("questions", *HEADLINE) if key in summary]
    lines += ["", "| kind | n | key-term recall | TTFT p50 ms |", "|---|---|---|---|"]
    lines += [
        f"| {k} | {v['n']} | {v['key_term_recall']} | {v['ttft_p50_ms']:.0f} |"
        for k, v in summary["by_kind"].items()
    ]
    return "\n".join(lines) + "\n"


def plot_report(summary: dict, path: Path) -> None:
    """Key-term recall and time to first token per question kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(summary["by_kind"])
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.bar(kinds, [summary["by_kind"][k]["key_term_recall"] or 0 for k in kinds], color="#3b82f6")
    a.set_title("key-term recall by question kind")
    a.set_ylim(0, 1)
    b.bar(kinds, [summary["by_kind"][k]["ttft_p50_ms"] for k in kinds], color="#f59e0b")
    b.set_title("time to first token p50 (ms)")
    for ax in (a, b):
        ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_reports(
    out_dir: Path, stem: str, summary: dict, retrieval: dict | None, rows: list[Row]
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"retrieval": retrieval, "answers": summary, "rows": [r.__dict__ for r in rows]}
    paths = [out_dir / f"{stem}.json", out_dir / f"{stem}.md", out_dir / f"{stem}.png"]
    paths[0].write_text(json.dumps(data, indent=2))
    paths[1].write_text(markdown_report(summary, retrieval))
    plot_report(summary, paths[2])
    return paths
