"""`rag finetune train`: Q&A -> RAFT examples -> LoRA -> A/B report -> adapters/NAME, one call."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from evaluation.answers import evaluate_answers
from evaluation.bench import catalog_reader
from finetune.abtest import markdown_table, score_pairs
from finetune.corpus_qa import Passage, generate_pairs
from finetune.qadata import QAPair, QAStore, data_hash
from finetune.raft import ExampleBuilder
from finetune.train import LoRAConfig, Progress, train_lora
from index.embedders import Embedder
from index.retriever import Retriever
from service.adapters import AdapterStore, check_name
from service.answering import AnswerPipeline
from service.config import Settings
from service.llm import LLMConfig, base_model_dir, create_generator
from service.runtime import build_embedder, open_retriever

log = logging.getLogger(__name__)


@dataclass
class FinetuneRequest:
    """What to train: the stored Q&A, optionally Q&A generated from the index, and the LoRA settings."""

    name: str = "custom"
    corpus_pairs: int = 0  # > 0: add this many Q&A generated from the indexed text
    held_out_share: float = 0.15
    decline_share: float = 0.12
    ab_questions: int = 40  # held-out questions answered by base and adapter (0: skip the A/B)
    dev_set: str = ""  # a question set in roadmap_qa_dev format, also scored A/B when given
    resume: bool = False  # continue an interrupted training of the same name from its last checkpoint
    lora: LoRAConfig = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_name(self.name)
        self.lora = self.lora or LoRAConfig()


def _held_out(pair: QAPair, share: float) -> bool:
    """A stable split by question text, so a question never moves between train and held-out."""
    return int(hashlib.sha256(pair.key.encode()).hexdigest()[:8], 16) % 1000 < share * 1000


def corpus_passages(retriever) -> list[Passage]:
    return [Passage(c.text, c.heading, c.path) for c in retriever.catalog.all_chunks()]


def collect_pairs(home: Path, retriever, req: FinetuneRequest) -> list[QAPair]:
    pairs = QAStore(home).all()
    if req.corpus_pairs:
        pairs += generate_pairs(corpus_passages(retriever), seed=req.lora.seed, limit=req.corpus_pairs)
    if not pairs:
        raise ValueError("no Q&A to train on: `rag finetune data add FILE`, or pass --corpus-pairs N")
    return pairs


def run_finetune(
    settings: Settings,
    req: FinetuneRequest,
    *,
    on_progress: Callable[[str, float, dict], None] | None = None,
    show_bar: bool = True,
    embedder: Embedder | None = None,
) -> dict:
    """Build examples, train, A/B and publish adapters/NAME; returns the adapter's metadata.

    A running server passes its own `embedder`, so a job does not load a second copy of the model."""
    report = on_progress or (lambda stage, frac, info: None)
    retriever = open_retriever(settings, embedder or build_embedder(settings))
    pairs = collect_pairs(Path(settings.home), retriever, req)
    held = [p for p in pairs if _held_out(p, req.held_out_share)]
    train, evals = build_examples(settings, retriever, req, pairs, held, report)
    store = AdapterStore(Path(settings.home))
    staging = _prepare_staging(store, req)
    (staging / "train_examples.jsonl").write_text("\n".join(json.dumps(asdict(e)) for e in train[:2000]))
    llm_cfg = settings.llm_config()
    training = train_lora(
        base_model_dir(llm_cfg),
        train,
        evals,
        req.lora,
        staging,
        resume=req.resume,
        on_progress=_training_reporter(report),
        show_bar=show_bar,
    )
    metrics: dict = {"training": {k: v for k, v in training.items() if k not in ("history", "config")}}
    if req.ab_questions and held:
        report("evaluating", 0.0, {})
        metrics["ab"] = _ab_report(settings, retriever, req, staging, held)
    meta = _metadata(req, llm_cfg.model, pairs, train, held, metrics)
    dest = _publish(store, staging, req.name, meta, training["history"])
    report("done", 1.0, {"adapter": str(dest)})
    return meta


def _ab_report(
    settings: Settings, retriever: Retriever, req: FinetuneRequest, staging: Path, held: list[QAPair]
) -> dict:
    """Base model vs the new adapter on held-out pairs (and the dev set when given), also as ab_report.md."""
    # both variants on the backend that serves answers (llama.cpp on CPU applies the adapter as a GGUF LoRA);
    # a remote model cannot load one, so the A/B then runs on transformers
    backend = settings.generator_backend()
    llm_cfg = replace(settings.llm_config(), backend="transformers" if backend == "openai" else backend)
    ab = ab_compare(settings, retriever, llm_cfg, staging / "adapter", held[: req.ab_questions], req.dev_set)
    (staging / "ab_report.md").write_text(f"# A/B: base vs adapter `{req.name}`\n\n" + markdown_table(ab))
    return ab


def _publish(store: AdapterStore, staging: Path, name: str, meta: dict, history: list) -> Path:
    """Metadata and loss history beside the adapter, checkpoints dropped, the folder swapped into place."""
    (staging / "metadata.json").write_text(json.dumps(meta, indent=2))
    (staging / "training_history.json").write_text(json.dumps(history))
    shutil.rmtree(staging / "checkpoint", ignore_errors=True)
    return store.publish(name, staging)


def _training_reporter(report: Callable[[str, float, dict], None]) -> Callable[[Progress], None]:
    """Training progress as the job's ("training", fraction, info) reports."""

    def progress(p: Progress) -> None:
        info = {"step": p.step, "total_steps": p.total_steps, "loss": p.loss, "eval_loss": p.eval_loss}
        report("training", p.step / p.total_steps, info)

    return progress


def build_examples(
    settings: Settings,
    retriever: Retriever,
    req: FinetuneRequest,
    pairs: list[QAPair],
    held: list[QAPair],
    report: Callable[[str, float, dict], None],
) -> tuple[list, list]:
    """RAFT examples for the training pairs and, with another seed, for the held-out pairs."""
    train_pairs = [p for p in pairs if not _held_out(p, req.held_out_share)]
    pipeline = AnswerPipeline(retriever=lambda: retriever, generator=None, cfg=settings.answer_config())
    builder = ExampleBuilder(retriever, pipeline, decline_share=req.decline_share, seed=req.lora.seed)
    report("examples", 0.0, {"pairs": len(pairs)})
    train = builder.build_all(train_pairs, lambda i: report("examples", i / len(train_pairs), {}))
    evals = ExampleBuilder(
        retriever, pipeline, decline_share=req.decline_share, seed=req.lora.seed + 1
    ).build_all(held)
    if not train:
        raise ValueError(
            "none of the Q&A pairs could be matched to indexed text; ingest the sources they come from"
        )
    return train, evals


def _prepare_staging(store: AdapterStore, req: FinetuneRequest) -> Path:
    """The staging folder, kept only when resuming from one of its checkpoints."""
    staging = store.staging(req.name)
    if not (req.resume and (staging / "checkpoint" / "state.json").exists()):
        shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    return staging


def _metadata(
    req: FinetuneRequest, base_model: str, pairs: list[QAPair], train: list, held: list[QAPair], metrics: dict
) -> dict:
    return {
        "name": req.name,
        "base_model": base_model,
        "data_hash": data_hash(pairs),
        "pairs": len(pairs),
        "train_examples": len(train),
        "decline_examples": sum(e.kind == "decline" for e in train),
        "held_out_pairs": len(held),
        "config": asdict(req.lora),
        "metrics": metrics,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def ab_compare(
    settings: Settings,
    retriever: Retriever,
    llm_cfg: LLMConfig,
    adapter_dir: Path,
    held: list[QAPair],
    dev_set: str = "",
) -> dict:
    """Every metric for the base model and the adapter, on held-out pairs (and a dev set when given)."""
    results: dict[str, dict] = {"held-out Q&A": {}}
    text_of = document_text(retriever)  # every document's text, read once for both variants
    gold_reader = catalog_reader(retriever) if dev_set else None
    if dev_set:
        results["dev set"] = {}
    for variant, adapter in (("base", ""), ("adapter", str(adapter_dir))):
        gen = create_generator(replace(llm_cfg, adapter=adapter))
        # Each variant as the service runs it, by the one lead-with rule (an adapter leads with its own
        # words).
        pipeline = AnswerPipeline(
            retriever=lambda: retriever, generator=gen, cfg=settings.answer_config(adapter)
        )
        results["held-out Q&A"][variant] = score_pairs(pipeline, held, text_of=text_of)
        if dev_set:
            summary, _ = evaluate_answers(pipeline, Path(dev_set), None, gold_reader)
            results["dev set"][variant] = {k: v for k, v in summary.items() if not isinstance(v, dict)}
        del gen
    return results


def document_text(retriever) -> Callable[[str], str]:
    """A citation's source (its public name or URL) -> the indexed document text."""
    by_key = {k: t for name, url, _, t in retriever.catalog.document_texts() for k in (name, url) if k}
    return lambda source: by_key.get(source, "")
