"""`rag bench ...` and `rag eval`: benchmarks and dev-set scores, written to bench/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from index.retriever import MODES
from service.cliutil import fail, run_guarded
from service.config import get_settings

# Commands import what they run, inside the command: `rag --help` and the light commands stay quick instead of
# loading faiss, torch and transformers first (measured: 1.6 s for `import app.cli`, 3-4 s more with them).

bench_app = typer.Typer(help="Benchmarks; results go to bench/results/.", no_args_is_help=True)


_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEV_SETS = [_EVAL / "roadmap_qa_dev.jsonl", _EVAL / "docs_qa_dev.jsonl"]
DEV_SET = DEV_SETS[0]
DEV_CORPUS = DEV_SET.parents[1] / "corpus" / "roadmap"


@bench_app.command("ingest")
def bench_ingest_cmd(
    sources: Annotated[
        Optional[list[str]], typer.Argument(help="sources; the first one is scored by the question set")
    ] = None,
    questions: Annotated[
        Path, typer.Option(help="question set (JSONL) for the LangChain comparison")
    ] = DEV_SET,
    corpus_root: Annotated[Path, typer.Option(help="folder holding the gold files")] = DEV_CORPUS,
    langchain: Annotated[bool, typer.Option(help="run the LangChain textbook pipeline too")] = True,
) -> None:
    """Ingest throughput vs the embedder-only limit and vs the LangChain textbook pipeline."""
    from evaluation.bench import bench_ingest, write_result

    sources = sources or [str(DEV_CORPUS)]
    qfile = questions if questions.is_file() else None
    result = run_guarded(bench_ingest, get_settings(), sources, qfile, corpus_root, langchain)
    typer.echo(json.dumps(result, indent=2))
    typer.echo(f"written to {write_result('ingest', result)}")


@bench_app.command("search")
def bench_search_cmd(
    questions: Annotated[Path, typer.Option(help="question set (JSONL) used as queries")] = DEV_SET,
) -> None:
    """Search latency p50/p95 per mode on the current index."""
    from evaluation.bench import bench_search, write_result

    if not questions.is_file():
        fail(f"no such file: {questions}")
    result = run_guarded(bench_search, get_settings(), questions)
    typer.echo(json.dumps(result, indent=2))
    typer.echo(f"written to {write_result('search', result)}")


@bench_app.command("generate")
def bench_generate_cmd(
    backends: Annotated[Optional[list[str]], typer.Argument(help="transformers, llamacpp, openai")] = None,
) -> None:
    """Generation speed per backend: time to first token and tokens/s."""
    from evaluation.bench import bench_generate, write_result

    result = run_guarded(bench_generate, get_settings(), backends or [get_settings().llm_backend])
    typer.echo(json.dumps(result, indent=2))
    typer.echo(f"written to {write_result('generate', result)}")


@bench_app.command("extract")
def bench_extract_cmd(
    pages: Annotated[Path, typer.Argument(help="folder of saved pages with labels.json")] = Path(
        "tests/fixtures/sites"
    ),
) -> None:
    """HTML extraction on labelled docs pages: chrome share of the indexed text, content and code kept."""
    from evaluation.bench import write_result
    from evaluation.extraction import bench_extraction

    if not (pages / "labels.json").is_file():
        fail(f"no labels.json in {pages}")
    result = bench_extraction(pages)
    summary = {name: {k: v for k, v in r.items() if k != "pages"} for name, r in result.items()}
    typer.echo(json.dumps(summary, indent=2))
    typer.echo(f"written to {write_result('extract', result)}")


@bench_app.command("load")
def bench_load_cmd(
    url: Annotated[str, typer.Option(help="a running `rag serve`")] = "http://127.0.0.1:8000",
    seconds: Annotated[int, typer.Option(min=5, max=3600)] = 60,
    searchers: Annotated[int, typer.Option(min=0, max=1000, help="clients on /v1/search")] = 20,
    askers: Annotated[int, typer.Option(min=0, max=1000, help="clients on /v1/ask")] = 4,
    questions: Annotated[
        Path, typer.Option(help="questions to send (JSONL with a question field)")
    ] = DEV_SET,
) -> None:
    """Loopback load test (locust, headless): throughput, p50/p95/p99 and errors per route, server memory."""
    import tempfile

    import httpx

    from evaluation.bench import write_result
    from evaluation.load import run_load

    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = run_load(
                url, questions, seconds=seconds, searchers=searchers, askers=askers, out_dir=Path(tmp)
            )
        except (httpx.HTTPError, FileNotFoundError) as exc:
            fail(f"load test against {url} failed: {exc}")
    typer.echo(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=2))
    typer.echo(f"written to {write_result('load', result)}")


def eval_cmd(
    questions: Annotated[
        Optional[list[Path]], typer.Option(help="question sets (JSONL, dev-set format); repeat for several")
    ] = None,
    corpus_root: Annotated[
        Optional[Path], typer.Option(help="folder of the gold files (default: look them up in the index)")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50)] = 5,
    answers: Annotated[bool, typer.Option(help="also answer every question and score the answers")] = True,
    baseline: Annotated[
        bool, typer.Option(help="add the LangChain textbook pipeline over the same index contents")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score retrieval (recall@k within 4,000 characters, MRR; per set and question kind) and answers (key
    terms, citations, abstention, latency) on one index; both dev sets by default."""
    sets = questions or [p for p in DEV_SETS if p.is_file()]
    missing = [str(p) for p in sets if not p.is_file()]
    if missing or not sets:
        fail(f"no such file: {', '.join(missing) or DEV_SETS[0]}")
    settings = get_settings()
    report = {p.stem: _eval_set(settings, p, corpus_root, k, answers) for p in sets}
    if baseline:
        report["langchain_baseline"] = run_guarded(_baseline, settings, sets, k)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    for line in _table(report, k):
        typer.echo(line)


def _eval_set(settings, questions: Path, corpus_root: Path | None, k: int, answers: bool) -> dict:
    from evaluation.answers import evaluate_answers, write_reports
    from evaluation.bench import RESULTS, catalog_reader, eval_retrieval
    from service.state import build_state

    retrieval = run_guarded(eval_retrieval, settings, questions, corpus_root, k)
    if not answers:
        return {"retrieval": retrieval, "answers": {}}
    state = run_guarded(build_state, settings)
    reader = catalog_reader(run_guarded(state.retriever))
    summary, rows = evaluate_answers(state.pipeline, questions, corpus_root, reader)
    paths = write_reports(RESULTS, f"eval-{questions.stem}", summary, retrieval, rows)
    return {"retrieval": retrieval, "answers": summary, "reports": [str(p) for p in paths]}


def _baseline(settings, sets: list[Path], k: int) -> dict:
    from evaluation.baseline import langchain_baseline
    from evaluation.bench import catalog_reader
    from evaluation.questions import load_questions
    from service.runtime import build_embedder, open_retriever

    embedder = build_embedder(settings)
    retriever = open_retriever(settings, embedder)
    questions = {p.stem: [q for q in load_questions(p) if q.answerable] for p in sets}
    cache = settings.home / "cache" / "baseline-embeddings.sqlite"
    return langchain_baseline(retriever, embedder, questions, catalog_reader(retriever), cache, k)


def _table(report: dict, k: int) -> list[str]:
    from evaluation.answers import HEADLINE

    lines = []
    for name, result in report.items():
        if name == "langchain_baseline":
            continue
        retrieval, summary = result["retrieval"], result["answers"]
        lines.append(f"{name} ({retrieval['questions']} answerable questions)")
        rows = [(mode, retrieval[mode]) for mode in MODES]
        base = report.get("langchain_baseline", {}).get(name)
        rows += [("langchain", base)] if base else []  # the textbook baseline on the same documents
        lines += [f"  {row:9} recall@{k} {v[f'recall@{k}']:.3f}  MRR {v['mrr']:.3f}" for row, v in rows]
        for kind, v in retrieval.get("by_kind", {}).items():
            lines.append(f"    {kind:12} n={v['n']:<3} recall@{k} {v[f'recall@{k}']:.3f}  MRR {v['mrr']:.3f}")
        lines += [f"  {key}: {summary[key]}" for key in HEADLINE if key in summary]
        lines += [f"  written to {p}" for p in result.get("reports", [])]
    return lines
