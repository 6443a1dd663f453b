"""`rag finetune embedder`: synthetic questions from the current index, mined triples, a fine-tuned embedder
saved under RAG_HOME/models/embedder-NAME-TIME, and the setting that switches to it."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from finetune.embedder_data import SyntheticQuestion, mine_triples, sample_chunks, write_questions
from finetune.embedder_train import EmbedderTrainConfig, train_embedder
from index import models
from service.config import Settings
from service.llm import create_generator
from service.runtime import build_embedder, open_retriever


@dataclass(frozen=True)
class EmbedderRequest:
    name: str = "corpus"
    questions: int = 800  # ~1.5-2 s each with the default generator on 2 cores
    reuse_questions: bool = True  # a second run with the same name trains on the questions already written
    train: EmbedderTrainConfig = EmbedderTrainConfig()


def _questions_file(settings: Settings, name: str) -> Path:
    return settings.home / "embedders" / name / "questions.jsonl"


def _load(path: Path) -> list[SyntheticQuestion]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [SyntheticQuestion(r["question"], int(r["chunk_id"])) for r in rows]


def _generate(settings: Settings, retriever, req: EmbedderRequest, path: Path) -> list[SyntheticQuestion]:
    chunks = sample_chunks(retriever.catalog.all_chunks(), req.questions, req.train.seed)
    generator = create_generator(settings.llm_config())
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with path.open("w", encoding="utf-8") as f, tqdm(total=len(chunks), desc="writing questions") as bar:
        for q in write_questions(generator, chunks, req.train.seed, on_chunk=lambda: bar.update(1)):
            f.write(json.dumps({"question": q.question, "chunk_id": q.chunk_id}) + "\n")
            out.append(q)
    return out


def adapt_embedder(settings: Settings, req: EmbedderRequest) -> dict:
    """Write (or reuse) synthetic questions, mine triples, train; returns what was done and where."""
    retriever = open_retriever(settings, build_embedder(settings))
    path = _questions_file(settings, req.name)
    reuse = req.reuse_questions and path.is_file()
    questions = _load(path) if reuse else _generate(settings, retriever, req, path)
    triples = mine_triples(retriever, tqdm(questions, desc="mining negatives"))
    # A new folder per run: the embedding cache and the OpenVINO export are keyed by the model's path, so a
    # retrained model under an old path would be served its predecessor's vectors.
    out = settings.home / "models" / f"embedder-{req.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    with tqdm(total=0, desc="training") as bar:

        def on_step(step: int, total: int, loss: float) -> None:
            bar.total = total
            bar.set_postfix(loss=f"{loss:.3f}")
            bar.update(1)

        result = train_embedder(
            triples, models.resolve_embedder_path(settings.embedder), out, req.train, on_step
        )
    meta = {
        "name": req.name,
        "base": settings.embedder,
        "questions": len(questions),
        "questions_reused": reuse,
        "triples_with_negative": sum(t.negative is not None for t in triples),
        "train": asdict(req.train),
        "result": asdict(result),
        "path": str(out.resolve()),
    }
    (out / "roadmap_rag.json").write_text(json.dumps(meta, indent=2))
    return meta
