"""`rag finetune ...`: import Q&A, train a LoRA adapter with an A/B report, list and export adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from finetune.qadata import QADataError, QAStore, load_qa_file, pairs_from_feedback
from service.adapters import AdapterStore
from service.cliutil import fail, run_guarded
from service.config import get_settings
from service.feedback import FeedbackStore

# Commands import what they run, inside the command: `rag --help` and the light commands stay quick instead of
# loading faiss, torch and transformers first (measured: 1.6 s for `import app.cli`, 3-4 s more with them).

app = typer.Typer(help="LoRA fine-tuning of the generator on your own Q&A.", no_args_is_help=True)
data_app = typer.Typer(help="The Q&A that training uses.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("add")
def data_add(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV with question, answer[, context, sources]")],
) -> None:
    """Validate a file and add its Q&A; any problem rejects the whole file (with line numbers)."""
    try:
        pairs = load_qa_file(file)
    except QADataError as exc:
        fail(str(exc))
    added, skipped = QAStore(get_settings().home).add(pairs)
    typer.echo(f"added {added} Q&A pairs ({skipped} already stored)")


@data_app.command("from-feedback")
def data_from_feedback() -> None:
    """Add every thumbs-up answer from /v1/feedback as a Q&A pair."""
    home = get_settings().home
    store = FeedbackStore(home)
    try:
        pairs = pairs_from_feedback(store.feedback("up"))
    finally:
        store.close()
    added, skipped = QAStore(home).add(pairs)
    typer.echo(f"added {added} Q&A pairs from thumbs-up feedback ({skipped} already stored)")


@data_app.command("list")
def data_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The stored Q&A."""
    from dataclasses import asdict

    pairs = QAStore(get_settings().home).all()
    if as_json:
        typer.echo(json.dumps([asdict(p) for p in pairs], ensure_ascii=False))
        return
    for p in pairs:
        typer.echo(f"- {p.question}\n  {p.answer[:100]}")
    typer.echo(f"{len(pairs)} pairs")


@data_app.command("clear")
def data_clear() -> None:
    """Remove the stored Q&A."""
    QAStore(get_settings().home).clear()
    typer.echo("cleared")


@app.command("train")
def train_cmd(
    name: Annotated[str, typer.Option(help="adapter name (saved under RAG_HOME/adapters/NAME)")] = "custom",
    max_steps: Annotated[int, typer.Option(min=0, help="stop after this many steps (0: by epochs)")] = 0,
    epochs: Annotated[float, typer.Option(min=0.01, max=100)] = 1.0,
    corpus_pairs: Annotated[int, typer.Option(min=0, help="add N Q&A generated from the indexed text")] = 0,
    batch_size: Annotated[int, typer.Option(min=1, max=256)] = 4,
    lr: Annotated[float, typer.Option(min=1e-6, max=1e-1)] = 4e-4,
    rank: Annotated[int, typer.Option(min=1, max=256, help="LoRA rank r (lora_alpha = 2r)")] = 8,
    max_length: Annotated[int, typer.Option(min=64, max=4096)] = 640,
    ab_questions: Annotated[int, typer.Option(min=0, help="held-out questions for the A/B (0: skip)")] = 40,
    decline_share: Annotated[
        float, typer.Option(min=0.0, max=0.9, help="share of examples without the oracle")
    ] = 0.12,
    dev_set: Annotated[
        Optional[Path], typer.Option(help="also A/B on this question set (roadmap_qa_dev format)")
    ] = None,
    resume: Annotated[bool, typer.Option(help="continue from the last checkpoint of NAME")] = False,
    seed: Annotated[int, typer.Option()] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda")] = "auto",
) -> None:
    """Build RAFT-style examples, train a LoRA adapter, A/B it against the base model, save it."""
    from finetune.pipeline import FinetuneRequest, run_finetune
    from finetune.train import LoRAConfig

    if dev_set and not dev_set.is_file():
        fail(f"no such file: {dev_set}")
    lora = LoRAConfig(
        rank=rank,
        alpha=2 * rank,
        lr=lr,
        epochs=epochs,
        max_steps=max_steps,
        batch_size=batch_size,
        max_length=max_length,
        seed=seed,
        device=device,
    )
    req = run_guarded(
        FinetuneRequest,
        name=name,
        corpus_pairs=corpus_pairs,
        ab_questions=ab_questions,
        decline_share=decline_share,
        dev_set=str(dev_set or ""),
        resume=resume,
        lora=lora,
    )
    meta = run_guarded(run_finetune, get_settings(), req)
    summary = {k: meta[k] for k in ("name", "train_examples", "held_out_pairs", "metrics")}
    typer.echo(json.dumps(summary, indent=2))


@app.command("list")
def list_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Adapters in the data dir and shipped with the project."""
    rows = AdapterStore(get_settings().home).list()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(
            f"{r['name']:20} {'shipped' if r['shipped'] else 'trained'}  {r['created'] or ''}  {r['path']}"
        )
    if not rows:
        typer.echo("no adapters yet: `rag finetune train`")


@app.command("export")
def export_cmd(
    name: Annotated[str, typer.Argument(help="adapter name")],
    out: Annotated[Path, typer.Argument(help="folder for the merged HF model")],
) -> None:
    """Merge the adapter into the base model and save a standalone HF model folder."""
    from finetune.export import export_merged

    try:
        path = export_merged(get_settings(), name, out)
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        fail(str(exc))
    typer.echo(f"merged model written to {path}")


@app.command("embedder")
def embedder_cmd(
    name: Annotated[str, typer.Option(help="saved as RAG_HOME/models/embedder-NAME-TIME")] = "corpus",
    questions: Annotated[int, typer.Option(min=2, max=100000, help="synthetic questions to write")] = 800,
    epochs: Annotated[int, typer.Option(min=1, max=20)] = 1,
    lr: Annotated[float, typer.Option(min=1e-7, max=1e-2)] = 2e-5,
    reuse_questions: Annotated[bool, typer.Option(help="train on NAME's questions from a run before")] = True,
    hard_negatives: Annotated[bool, typer.Option(help="add each question's mined negative")] = True,
) -> None:
    """Adapt the embedder to the indexed corpus: the generator writes learner questions for sampled chunks,
    the retriever mines hard negatives, and the embedder is fine-tuned on them."""
    from finetune.embedder_pipeline import EmbedderRequest, adapt_embedder
    from finetune.embedder_train import EmbedderTrainConfig

    req = EmbedderRequest(
        name,
        questions,
        reuse_questions,
        EmbedderTrainConfig(epochs=epochs, learning_rate=lr, hard_negatives=hard_negatives),
    )
    meta = run_guarded(adapt_embedder, get_settings(), req)
    typer.echo(json.dumps(meta, indent=2))
    typer.echo(f"to use it: RAG_EMBEDDER={meta['path']} rag ingest  (rebuilds the index with it)")
