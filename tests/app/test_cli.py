"""The `rag` CLI end to end with the hashing embedder: ingest, search, --queries, status, sources, bad
input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import RAG, rag_env


def rag(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RAG, *args],
        env=rag_env(home, RAG_EMBEDDER_BACKEND="hashing"),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_round_trip(tmp_path: Path, tiny_corpus: Path):
    home = tmp_path / "home"
    out = rag(home, "ingest", str(tiny_corpus), "--quiet")
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout.startswith("documents 3, chunks")
        and "embedded" in out.stdout
        and "deleted 0" in out.stdout
    )
    hits = json.loads(rag(home, "search", "convolution filters", "--json", "-k", "2").stdout)
    assert len(hits) == 2 and hits[0]["source"].startswith(str(tiny_corpus))  # the operator's CLI: the file
    assert hits[0]["name"] == f"{tiny_corpus.name}/{hits[0]['path']}"
    qfile = tmp_path / "q.txt"
    qfile.write_text("convolution filters\n\nk-fold cross-validation\n")
    lines = rag(home, "search", "--queries", str(qfile), "--json").stdout.strip().splitlines()
    assert len(lines) == 2 and all(isinstance(json.loads(x), list) for x in lines)
    status = json.loads(rag(home, "status", "--json").stdout)
    assert status["documents"] == 3 and status["version"] == "v000001" and status["index_kind"] == "flat"
    assert status["sources"][0]["documents"] == 3 and status["sources"][0]["chunks"] == status["chunks"]
    assert json.loads(rag(home, "sources", "list", "--json").stdout)[0]["spec"] == str(tiny_corpus)


def test_cli_bad_input_exits_non_zero_without_traceback(tmp_path: Path, tiny_corpus: Path):
    home = tmp_path / "home"
    rag(home, "ingest", str(tiny_corpus), "--quiet")
    for args in (
        ["ingest", "/no/such/dir"],
        ["ingest", "pydoc:no_such_pkg_zz"],
        ["search", "x", "--mode", "fuzzy"],
        ["search"],
        ["search", "--queries", "/no/file"],
        ["search", "x", "--late", "-1"],
        ["sources", "remove", "/not/registered"],
    ):
        out = rag(home, *args)
        assert out.returncode != 0, args
        assert "Traceback" not in out.stderr and out.stderr.strip(), args
    assert json.loads(rag(home, "status", "--json").stdout)["version"] == "v000001"  # old index intact


def test_search_late_option_reorders_and_keeps_the_json_shape(tmp_path: Path, tiny_corpus: Path):
    home = tmp_path / "home"
    rag(home, "ingest", str(tiny_corpus), "--quiet")
    out = rag(home, "search", "how do I tune the learning rate?", "-k", "2", "--json", "--late", "5")
    hits = json.loads(out.stdout)
    assert out.returncode == 0 and len(hits) == 2 and {"source", "start", "end"} <= set(hits[0])


def test_search_before_any_ingest_is_a_clear_error(tmp_path: Path):
    out = rag(tmp_path / "empty", "search", "anything")
    assert out.returncode == 2 and "rag ingest" in out.stderr


def test_bad_settings_are_one_line_per_field_not_a_traceback(tmp_path: Path):
    env = rag_env(
        tmp_path / "home", RAG_EMBEDDER_BACKEND="hashing", RAG_ANSWER_QUOTES_AFTER="some", RAG_ANSWER_K="99"
    )
    for args in (["status"], ["finetune", "list"]):
        out = subprocess.run([*RAG, *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 2 and "Traceback" not in out.stderr, args
        assert "RAG_ANSWER_QUOTES_AFTER" in out.stderr and "RAG_ANSWER_K" in out.stderr, out.stderr


def test_verbose_shows_the_traceback_of_an_expected_error(tmp_path: Path):
    quiet = rag(tmp_path / "empty", "search", "anything")
    loud = rag(tmp_path / "empty", "--verbose", "search", "anything")
    assert quiet.returncode == loud.returncode == 2 and "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr and "NoIndexError" in loud.stderr and "rag ingest" in loud.stderr


def test_every_choice_setting_is_checked(tmp_path: Path):
    for name, value in (
        ("RAG_DEVICE", "tpu"),
        ("RAG_EMBEDDER_BACKEND", "onnx"),
        ("RAG_LLM_BACKEND", "vllm"),
        ("RAG_SEARCH_MODE", "fuzzy"),
        ("RAG_LOG_FORMAT", "xml"),
        ("RAG_ANSWER_LEAD_WITH", "x"),
    ):
        env = rag_env(tmp_path / "home", **{name: value})
        out = subprocess.run([*RAG, "status"], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 2 and name in out.stderr and "Traceback" not in out.stderr, (
            name,
            out.stderr,
        )


def test_the_default_content_leaves_the_readme_out():
    """The README quotes dev questions and answers in its measurements: it must not answer learners."""
    from service.runtime import default_sources

    sources = default_sources()
    assert not any(s.endswith("README.md") for s in sources)
    assert any(s.endswith("docs") for s in sources) and "pydoc:torch.nn" in sources
    # the reference models by their cards (prose), not their code (import lines answered "what is a CNN?")
    assert any(s.endswith("cards") for s in sources) and not any(s.endswith("reference") for s in sources)
    assert not any(s.startswith("pydoc:") for s in default_sources(api_docs=False))
