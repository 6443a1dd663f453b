"""Answer scoring and the eval reports (JSON, markdown, PNG) on synthetic rows."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.answers import Row, key_term_recall, markdown_report, summarize, write_reports


def test_key_term_recall_counts_only_the_first_600_characters():
    assert key_term_recall("Commit and PUSH often", ["commit", "push", "pull"]) == 2 / 3
    assert key_term_recall("x" * 600 + " commit", ["commit"]) == 0.0


def test_summary_and_reports(tmp_path: Path):
    rows = [
        Row("a", "fact", True, "extractive", 1.0, 2, 1, 100.0, 200.0, 0.0, first_words_ms=50.0),
        Row("b", "list", True, "abstained", 0.0, 0, 0, 10.0, 10.0, 0.0),
        Row("c", "unanswerable", False, "abstained", None, 0, 0, 12.0, 12.0, 0.0),
        Row("d", "fact", True, "generated", 0.5, 1, 1, 900.0, 1500.0, 20.0, first_words_ms=400.0),
    ]
    s = summarize(rows)
    assert s["key_term_recall"] == 0.5 and s["citation_precision"] == round(2 / 3, 4)
    assert s["abstention_on_unanswerable"] == 1.0 and s["false_abstention"] == round(1 / 3, 4)
    assert s["first_words_p50_ms"] == 31.0 and s["ttft_p50_ms"] == 56.0  # a row without drafts: its ttft
    assert s["by_mode"]["generated"]["n"] == 1 and s["modes"] == {
        "abstained": 2,
        "extractive": 1,
        "generated": 1,
    }
    paths = write_reports(tmp_path, "eval-test", s, None, rows)
    assert json.loads(paths[0].read_text())["answers"]["questions"] == 4
    assert "| key_term_recall | 0.5 |" in paths[1].read_text()
    assert paths[2].read_bytes()[:4] == b"\x89PNG"


def test_markdown_report_names_the_k_it_was_run_with():
    retrieval = {"k": 10, **{m: {"recall@10": 0.9, "mrr": 0.8} for m in ("dense", "bm25", "hybrid")}}
    report = markdown_report({"key_term_recall": 0.5, "by_kind": {}}, retrieval)
    assert "| retrieval mode | recall@10 | MRR |" in report and "| hybrid | 0.900 | 0.800 |" in report
