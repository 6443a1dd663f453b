"""The `rag` command line, composed here from every package: ingest, search, status, sources, serve, ask,
plus the bench/eval, finetune and reference command groups."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.ingest_cli import ingest
from evaluation.cli import bench_app, eval_cmd
from finetune.cli import app as finetune_app
from index.retriever import MODES, SearchFilters
from reference.cli import app as reference_app
from service.cliutil import fail, run_guarded
from service.config import get_settings

# Commands import what they run, inside the command: `rag --help` and the light commands stay quick instead of
# loading faiss, torch and transformers first (measured: 1.6 s for `import app.cli`, 3-4 s more with them).

app = typer.Typer(
    help="roadmap-rag: a retrieval-augmented learning assistant.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="List or remove registered sources.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(bench_app, name="bench")
app.add_typer(reference_app, name="reference")
app.add_typer(finetune_app, name="finetune")
app.command("eval")(eval_cmd)
app.command("ingest")(ingest)
log = logging.getLogger("rag")


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "nncf", "sentence_transformers", "transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    show_steps()
    check_settings()


def show_steps() -> None:
    """One plain line on stderr for each one-time step (model assembly, embedder export): a first run
    says what it is doing and for how long instead of going quiet or drawing a library's progress bars."""
    steps = logging.getLogger("rag.steps")
    if not steps.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        steps.addHandler(handler)
    steps.setLevel(logging.INFO)
    steps.propagate = False


def check_settings() -> None:
    """Every command reads the RAG_* settings: a bad value is one clear message per field, not a traceback."""
    from pydantic import ValidationError

    try:
        get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"RAG_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        fail(f"bad setting ({problems})")


def _hit_json(hit) -> dict:
    """A hit as `rag search --json` prints it: the operator's own CLI gives `source` as the file it read
    (outside checks open it at start..end); the public name is `name`. The HTTP API never sends the path."""
    return {**hit.to_dict(), "source": hit.location, "name": hit.source}


def _print_hits(hits, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False))
        return
    if not hits:
        typer.echo("no results")
    for n, h in enumerate(hits, start=1):
        snippet = " ".join(h.text.split())[:240]
        typer.echo(
            f"[{n}] {h.score:.4f}  {h.path} > {h.heading.rsplit(' > ', 1)[-1]}\n"
            f"    {h.url or h.source}\n    {snippet}\n"
        )


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument(help="the question")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="number of hits")] = 5,
    mode: Annotated[str, typer.Option(help="dense | bm25 | hybrid")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    queries: Annotated[
        Optional[Path], typer.Option(help="file with one question per line; one JSON line each")
    ] = None,
    source: Annotated[Optional[str], typer.Option(help="only this source (spec or file path)")] = None,
    path_prefix: Annotated[
        Optional[str], typer.Option(help="only documents whose path starts with this")
    ] = None,
    late: Annotated[
        Optional[int],
        typer.Option(
            min=0, max=50, help="reorder the best N by late interaction (default: RAG_SEARCH_LATE_RERANK)"
        ),
    ] = None,
) -> None:
    """Search the index."""
    from service.runtime import build_embedder, open_retriever

    if mode not in MODES:
        fail(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if (query is None) == (queries is None):
        fail("give either a QUERY or --queries FILE")
    if queries is not None and not queries.is_file():
        fail(f"no such file: {queries}")
    settings = get_settings()
    retriever = run_guarded(open_retriever, settings, run_guarded(build_embedder, settings))
    filters = SearchFilters(source=source, path_prefix=path_prefix)
    if queries is None:
        _print_hits(retriever.search(query, k, mode, filters, late=late), as_json)
        return
    for line in queries.read_text(encoding="utf-8").splitlines():
        if line.strip():
            typer.echo(
                json.dumps(
                    [_hit_json(h) for h in retriever.search(line.strip(), k, mode, filters, late=late)],
                    ensure_ascii=False,
                )
            )


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Sources, documents, chunks, index version and kind, device, embedder."""
    from index.embedders import resolve_device
    from index.vectors import gpu_count
    from service.ingestion import index_status

    settings = get_settings()
    info = run_guarded(index_status, settings)
    info["device"] = resolve_device(settings.device)
    info["faiss_gpus"] = gpu_count()
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo(
        f"index {info['version'] or '(none)'} in {info['home']}: {info['documents']} documents, "
        f"{info['chunks']} chunks, {info.get('index_kind', '-')} index, device {info['device']}, "
        f"embedder {info['embedder']} ({info['embedder_backend']}), "
        f"token vectors {info.get('token_vector_bytes', 0) / 2**20:.1f} MB"
    )
    for s in info["sources"]:
        typer.echo(
            f"  {s['kind']:6} {s['spec']}  priority {s['priority']}, "
            f"{s.get('documents', 0)} documents, {s.get('chunks', 0)} chunks"
        )


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Registered sources."""
    from index.registry import SourceRegistry

    reg = SourceRegistry(get_settings().home)
    rows = [
        {"spec": s.spec, "kind": s.kind, "priority": s.priority, "manifest": s.manifest} for s in reg.list()
    ]
    typer.echo(
        json.dumps(rows, indent=2)
        if as_json
        else "\n".join(f"{r['kind']:6} {r['spec']}" for r in rows) or "no sources"
    )


@sources_app.command("remove")
def sources_remove(spec: Annotated[str, typer.Argument(help="the source as listed")]) -> None:
    """Unregister a source and drop its documents from the index."""
    from service.ingestion import remove_source
    from service.runtime import build_embedder

    settings = get_settings()
    report = run_guarded(remove_source, settings, run_guarded(build_embedder, settings), spec)
    typer.echo(report.summary())


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="bind address (RAG_HOST)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="port (RAG_PORT)")] = None,
    adapter: Annotated[
        Optional[str],
        typer.Option(help="LoRA adapter (a name from `rag finetune list`, a folder, or 'none')"),
    ] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from app.api import create_app
    from service.middleware import JSONFormatter

    settings = get_settings()
    if adapter:
        settings = settings.model_copy(update={"llm_adapter": adapter})
        run_guarded(settings.adapter_path)  # an unknown adapter fails here, with its message
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JSONFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    uvicorn.run(
        create_app(settings, load_in_background=True),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,  # streaming answers get 15 s to finish, then the server exits anyway
        timeout_keep_alive=5,  # idle keep-alive connections are closed (a proxy should bound slow headers)
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    k: Annotated[
        Optional[int], typer.Option("-k", min=1, max=10, help="retrieved chunks to answer from")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the whole answer as JSON")] = False,
) -> None:
    """Answer a question, streaming to the terminal, then list the sources."""
    from app.live import LiveAnswer
    from service.events import Done, Draft, Sources, Token, section_title
    from service.state import build_state

    if not question.strip():
        fail("the question is empty")
    state = run_guarded(build_state, get_settings())
    run_guarded(state.retriever)
    live = LiveAnswer(sys.stdout, sys.stdout.isatty(), shutil.get_terminal_size().columns)
    for ev in state.pipeline.stream(question.strip(), [], k):
        if isinstance(ev, Sources) and not as_json:  # on stderr: stdout holds the answer alone
            names = ", ".join(s["heading"] or s["title"] for s in ev.sources[:3])
            typer.echo(f"(reading {names})", err=True)
        elif isinstance(ev, Draft) and not as_json:
            live.draft(ev.text)  # on a terminal only: the sentence being written, dim until it is checked
        elif isinstance(ev, Token) and not as_json:
            live.token(ev.text)
        elif isinstance(ev, Done):
            live.draft("")
            ans = ev.answer
            state.feedback.record_answer(
                ans.id, ans.question, ans.answer, ans.mode, [c.__dict__ for c in ans.citations]
            )
            if as_json:
                typer.echo(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
                return
            typer.echo(f"\n\n[{ans.mode}]")
            for c in ans.citations:
                typer.echo(f"[{c.n}] {c.title} > {section_title(c.heading)}\n    {c.url or c.source}")


if __name__ == "__main__":
    app()
