"""Benchmarks behind `rag bench`: ingest throughput against the embedder-only limit and the LangChain
textbook pipeline, and search latency per mode. Results are JSON files in bench/results/."""

from __future__ import annotations

import json
import logging
import platform
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from evaluation.baseline import flat_index, score_textbook, split_textbook
from evaluation.questions import corpus_reader, gold_spans, load_questions, path_matches, score_retrieval
from index.embedders import create_embedder
from index.retriever import MODES
from ingest.chunking import chunk_document
from ingest.sources import load_documents, parse_source
from ingest.units import unit_texts
from service.answering import load_prompt
from service.config import Settings
from service.ingestion import SourceRequest, ingest_sources
from service.llm import create_generator
from service.runtime import PROJECT_ROOT, build_embedder, open_retriever

log = logging.getLogger(__name__)
RESULTS = PROJECT_ROOT / "bench" / "results"


def write_result(name: str, data: dict) -> Path:
    """Write a timestamped JSON result and a `<name>-latest.json` copy."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": platform.machine(), **data}
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2))
    shutil.copyfile(path, RESULTS / f"{name}-latest.json")
    return path


def langchain_pipeline(sources: list[str], embedder, questions, corpus_root: Path | None, k: int = 5) -> dict:
    """The textbook pipeline (evaluation/baseline.py) over the sources, timed from loading to the index."""
    t0 = time.perf_counter()
    docs = (
        (doc.location, doc.path, doc.text)
        for src in sources
        for doc in load_documents(parse_source(src), Path(tempfile.gettempdir()))
    )
    chunks = split_textbook(docs)
    t_split = time.perf_counter() - t0
    index = flat_index(embedder.embed([c.text for c in chunks]))
    build_s = time.perf_counter() - t0
    reader = corpus_reader(corpus_root) if corpus_root else None
    scores = score_textbook(
        index, chunks, embedder, questions, lambda q: gold_spans(q, reader, corpus_root) if reader else [], k
    )
    return {
        "chunks": len(chunks),
        "split_s": t_split,
        "build_s": build_s,
        "embedder": embedder.name,
        **scores,
    }


def bench_ingest(
    settings: Settings,
    sources: list[str],
    questions_file: Path | None,
    corpus_root: Path | None,
    langchain: bool = True,
) -> dict:
    """Full ingest into a fresh data dir, embedder-only time on the same unit texts, LangChain side by
    side."""
    home = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    try:
        s = replace_settings(settings, home)
        emb = create_embedder(s.embedder_config())
        full = ingest_sources(
            s, emb, [SourceRequest(x, 2.0 if i == 0 else 1.0) for i, x in enumerate(sources)]
        )
        t0 = time.perf_counter()
        again = ingest_sources(s, emb, [])
        noop_s = time.perf_counter() - t0
        texts = _unit_texts(sources, s, emb)
        t0 = time.perf_counter()
        emb.embed(texts)
        embed_only_s = time.perf_counter() - t0
        out = {
            "sources": sources,
            "embedder": emb.name,
            "documents": full.documents,
            "chunks": full.chunks,
            "units": full.units,
            "ingest_s": full.seconds,
            "timings": full.timings,
            "embed_only_s": embed_only_s,
            "ingest_over_embed_only": full.seconds / embed_only_s,
            "noop_reingest_s": noop_s,
            "noop_embedded": again.embedded,
            "noop_share_of_full": noop_s / full.seconds,
        }
        if langchain:
            questions = [q for q in load_questions(questions_file) if q.answerable] if questions_file else []
            for backend in dict.fromkeys(["torch", settings.embedder_backend]):
                lc_emb = create_embedder(replace(s.embedder_config(), backend=backend))
                res = langchain_pipeline(sources, lc_emb, questions, corpus_root)
                out[f"langchain_{backend}"] = res
                out[f"speedup_vs_langchain_{backend}"] = res["build_s"] / full.seconds
        return out
    finally:
        shutil.rmtree(home, ignore_errors=True)


def replace_settings(settings: Settings, home: Path) -> Settings:
    return settings.model_copy(update={"home": home})


def _unit_texts(sources: list[str], settings: Settings, emb) -> list[str]:
    texts = []
    for src in sources:
        for doc in load_documents(parse_source(src), settings.home):
            for c in chunk_document(doc, settings.chunking_config(), emb.count_tokens):
                texts += unit_texts(c.text, c.heading)
    return list(dict.fromkeys(texts))


def _latencies(search, queries: list[str], repeats: int, forget=lambda: None) -> dict:
    """p50/p95/mean milliseconds of `search(query)` over the queries, after a warm-up on five of them;
    `forget()` before each one makes it a question never seen (the retriever remembers recent questions'
    vectors, index/queries.py)."""
    for q in queries[:5]:
        search(q)
    times = []
    for _ in range(repeats):
        for q in queries:
            forget()
            t0 = time.perf_counter()
            search(q)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "mean_ms": statistics.fmean(times),
    }


def _late_latencies(retriever, queries: list[str], repeats: int) -> dict:
    """Hybrid search without the late stage, with it on stored token vectors, and with them computed at
    query time (the candidates encoded per search), in one run so the ratios compare."""
    late, forget = retriever.cfg.late_rerank or 10, retriever.queries.clear
    off = _latencies(lambda q: retriever.search(q, 5, late=0), queries, repeats, forget)
    out = {"candidates": late, "off": off}
    stored = retriever.tokens
    if stored is not None:
        out["stored"] = _latencies(lambda q: retriever.search(q, 5, late=late), queries, repeats, forget)
    retriever.tokens = None
    try:
        out["computed"] = _latencies(lambda q: retriever.search(q, 5, late=late), queries, repeats, forget)
    finally:
        retriever.tokens = stored
    return out


def bench_search(settings: Settings, questions_file: Path, repeats: int = 3) -> dict:
    """Search latency p50/p95 per mode (default settings) over the question set, after a warm-up, on the
    current index; and the late stage's cost."""
    retriever = open_retriever(settings, build_embedder(settings))
    queries = [q.question for q in load_questions(questions_file)]
    out = {"index_version": retriever.version, "chunks": retriever.size, "queries": len(queries)}
    for mode in MODES:
        search = lambda q, mode=mode: retriever.search(q, 5, mode)  # noqa: E731
        out[mode] = _latencies(search, queries, repeats, retriever.queries.clear)
    out["hybrid_late"] = _late_latencies(retriever, queries, repeats)
    return out


def eval_retrieval(settings: Settings, questions_file: Path, corpus_root: Path | None, k: int = 5) -> dict:
    """Recall@k (within the 4,000-character context cap) and MRR per mode on the current index, and per
    question kind for the default mode."""
    retriever = open_retriever(settings, build_embedder(settings))
    questions = [q for q in load_questions(questions_file) if q.answerable]
    text_of = corpus_reader(corpus_root) if corpus_root else catalog_reader(retriever)
    out = {"index_version": retriever.version, "questions": len(questions), "k": k}
    for mode in MODES:
        scores = [
            score_retrieval(
                retriever.search(q.question, max(k, 10), mode), gold_spans(q, text_of, corpus_root), k
            )
            for q in questions
        ]
        out[mode] = {
            f"recall@{k}": float(np.mean([r for r, _ in scores])),
            "mrr": float(np.mean([rr for _, rr in scores])),
        }
        if mode == settings.search_mode:
            out["by_kind"] = _by_kind(questions, scores, k)
    return out


def _by_kind(questions: list, scores: list[tuple[float, float]], k: int) -> dict:
    kinds: dict[str, list[tuple[float, float]]] = {}
    for q, score in zip(questions, scores):
        kinds.setdefault(q.kind or "?", []).append(score)
    return {
        kind: {
            "n": len(v),
            f"recall@{k}": float(np.mean([r for r, _ in v])),
            "mrr": float(np.mean([rr for _, rr in v])),
        }
        for kind, v in sorted(kinds.items())
    }


def catalog_reader(retriever):
    """Gold files looked up in the index itself (by relative path)."""
    rows = [(path, text) for _, _, path, text in retriever.catalog.document_texts()]

    def text_of(name: str) -> str | None:
        return next((t for p, t in rows if path_matches(p, name)), None)

    return text_of


BENCH_PROMPTS = (
    "Sources:\n[1] Learn the basics of Git (commit, push, pull, branch) and platforms like GitHub.\n\n"
    "Question: what git basics should I learn first?",
    "Sources:\n[1] Dropout randomly zeroes activations during training to fight overfitting.\n\n"
    "Question: what does dropout do?",
)


def bench_generate(settings: Settings, backends: list[str], repeats: int = 3) -> dict:
    """Time to first token and tokens/s per generator backend, on answer-style prompts, after a warm-up."""
    system = load_prompt("answer.txt")
    cfg = settings.answer_config().generation
    out: dict = {"max_new_tokens": cfg.max_new_tokens}
    for backend in backends:
        gen = create_generator(replace(settings.llm_config(), backend=backend))
        messages = [
            [{"role": "system", "content": system}, {"role": "user", "content": p}] for p in BENCH_PROMPTS
        ]
        "".join(gen.stream(messages[0], cfg))
        ttft, tps = [], []
        for msgs in messages * repeats:
            t0, first, n = time.perf_counter(), None, 0
            for _ in gen.stream(msgs, cfg):
                first, n = first or time.perf_counter(), n + 1
            end = time.perf_counter()
            ttft.append((first - t0) * 1000 if first else 0.0)
            tps.append(n / (end - first) if first and end > first else 0.0)
        out[backend] = {
            "name": gen.name,
            "device": gen.device,
            "ttft_p50_ms": statistics.median(ttft),
            "tokens_per_s_p50": statistics.median(tps),
        }
    return out
