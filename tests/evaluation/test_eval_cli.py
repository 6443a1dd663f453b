"""`rag eval` over one index: several question sets in one run, per question kind, the LangChain baseline."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import RAG, rag_env, write_tiny_corpus


def _questions(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"q{i}",
                    "question": q,
                    "kind": kind,
                    "answerable": True,
                    "gold": [{"file": file, "heading": heading}],
                    "must_include": [],
                }
            )
            for i, (q, kind, file, heading) in enumerate(rows)
        )  # fmt: skip
        + "\n"
    )
    return path


def test_eval_scores_each_set_and_kind_beside_the_baseline(tmp_path: Path):
    env = rag_env(tmp_path / "home", RAG_EMBEDDER_BACKEND="hashing")
    corpus = write_tiny_corpus(tmp_path / "corpus")
    subprocess.run([*RAG, "ingest", str(corpus), "--quiet"], env=env, check=True, timeout=300)
    md = _questions(
        tmp_path / "md.jsonl",
        [("which optimizers are the usual choices?", "fact", "deep-learning.md", "Optimizers"),
         ("what do CNNs slide over images?", "definition", "deep-learning.md", "Essential Skills")],
    )  # fmt: skip
    rst = _questions(
        tmp_path / "rst.jsonl", [("how do I split data into k folds?", "howto", "cv.rst", "K-fold")]
    )
    both = ["--questions", str(md), "--questions", str(rst)]
    out = subprocess.run(
        [*RAG, "eval", *both, "--no-answers", "--baseline", "--json"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {"md", "rst", "langchain_baseline"}
    assert set(report["md"]["retrieval"]["by_kind"]) == {"fact", "definition"}
    assert report["md"]["retrieval"]["hybrid"]["recall@5"] == 1.0  # two chunks' worth of corpus: both found
    assert (
        report["langchain_baseline"]["rst"]["recall@5"] == 1.0 and report["langchain_baseline"]["chunks"] >= 3
    )
    table = subprocess.run(
        [*RAG, "eval", "--questions", str(rst), "--no-answers"], env=env, capture_output=True, text=True
    )
    assert "rst (1 answerable questions)" in table.stdout and "howto" in table.stdout
    missing = subprocess.run(
        [*RAG, "eval", "--questions", str(tmp_path / "nope.jsonl")], env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0 and "no such file" in missing.stderr
