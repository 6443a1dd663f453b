"""Typed settings at the edge: `RAG_*` environment variables and `.env`, turned into internal dataclasses."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index import models
from index.devices import Device
from index.embedders import EmbedderConfig
from index.embedders.base import EmbedderBackend
from index.retrieval_config import RetrievalConfig, SearchMode
from index.vectors import VectorIndexConfig
from ingest.chunking import ChunkingConfig
from ingest.fetcher import FetchLimits
from service.adapters import SHIPPED, resolve_adapter
from service.answer_config import AnswerConfig, lead_with_for
from service.llm import GenerationConfig, LLMBackend, LLMConfig, resolve_backend

DEFAULT_ADAPTER = (
    "grounded"  # shipped in finetune/adapters/, trained on framework docs only (never the roadmap)
)

# The off-domain gate's floor (service/confidence.py) per embedder, on its own cosine scale: the builtin
# MiniLM's refuses 14 of 20 off-domain questions tried and none of the 110 dev questions (README, "Answers")
OFF_DOMAIN_FLOORS = {models.DEFAULT_EMBEDDER: 0.73}


class Settings(BaseSettings):
    """Everything a deployment can set; defaults run the embedded models on CPU."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    home: Path = Field(Path(".rag"), description="data dir: index versions, caches, registry, feedback")
    models_dir: Path | None = Field(
        None,
        description="converted/exported models (default: RAG_HOME/models); "
        "the Docker image bakes them in here",
    )
    embedder: str = models.DEFAULT_EMBEDDER
    embedder_backend: EmbedderBackend = Field(EmbedderConfig.backend)
    device: Device = Field("auto", description="for embedding, FAISS, the generator and LoRA training")
    embed_batch_size: int = Field(EmbedderConfig.batch_size, ge=1, le=1024)
    embed_engine: Literal["local", "ray"] = Field("local", description="ray: bulk embedding on Ray Data")
    ray_address: str = Field("", description="Ray cluster address ('' starts a local cluster)")
    ray_actors: int = Field(2, ge=1, le=4096, description="embedder actors in the Ray pool")
    chunk_max_tokens: int = Field(ChunkingConfig.max_tokens, ge=32, le=512)
    chunk_max_chars: int = Field(ChunkingConfig.max_chars, ge=200, le=8000)
    chunk_min_chars: int = Field(ChunkingConfig.min_chars, ge=0, le=2000)
    hnsw_threshold: int = Field(
        VectorIndexConfig.hnsw_threshold,
        ge=1,
        description="dense units above which HNSW replaces flat search",
    )
    search_mode: SearchMode = RetrievalConfig.mode
    rrf_k: float = Field(RetrievalConfig.rrf_k, gt=0)
    route_fold: float = Field(
        RetrievalConfig.route_fold,
        ge=0,
        le=1000,
        description="query-aware source routing: a source weighs fully once it holds this many times its "
        "share of the index among a question's best matches (0: off)",
    )
    spell_correct: bool = Field(
        RetrievalConfig.spell_correct,
        description="correct question words the index never uses to index words",
    )
    split_questions: bool = Field(
        RetrievalConfig.split_questions,
        description='also search each part of a multi-part question ("X vs Y", two questions in one)',
    )
    section_diversity: bool = Field(
        RetrievalConfig.section_diversity,
        description="one chunk per section before a second chunk of any section in the top k",
    )
    search_late_rerank: int = Field(
        RetrievalConfig.late_rerank,
        ge=0,
        le=50,
        description="search: this many best candidates reordered by late interaction (0: off; ~1 ms each on "
        "token vectors kept at ingest, ~11 ms each without)",
    )
    answer_late_rerank: int = Field(
        AnswerConfig.late_rerank, ge=0, le=50, description="answers: the same, before the answer's k chunks"
    )
    dense_weight: float = Field(RetrievalConfig.dense_weight, ge=0)
    bm25_weight: float = Field(RetrievalConfig.bm25_weight, ge=0)
    candidates: int = Field(RetrievalConfig.candidates, ge=1, le=1000)
    llm_backend: LLMBackend = LLMConfig.backend
    llm_model: str = Field(
        models.DEFAULT_GENERATOR, description="builtin name, GGUF file, HF model dir, or server model name"
    )
    llm_adapter: str = Field(
        "auto",
        description="LoRA adapter: a folder, a name under adapters/, 'auto' (the shipped "
        "grounded-answering adapter with the embedded model) or '' (none)",
    )
    llm_base_url: str = "http://localhost:8001/v1"
    llm_api_key: str = ""
    llm_threads: int = Field(0, ge=0, le=256)
    llm_timeout_s: float = Field(
        LLMConfig.timeout_s, gt=0, le=3600, description="per request to an OpenAI-compatible server"
    )
    llm_max_new_tokens: int = Field(GenerationConfig.max_new_tokens, ge=8, le=2048)
    llm_repetition_penalty: float = Field(GenerationConfig.repetition_penalty, ge=1.0, le=2.0)
    answer_lead_with: Literal["auto", "quotes", "generated"] = Field(
        "auto", description="auto: generated, except for the 135M SmolLM2 without an adapter (quotes first)"
    )
    answer_generate: bool = Field(True, description="false: extractive answers only, no generator loaded")
    answer_quotes_after: Literal["none", "cited", "all"] = Field(
        AnswerConfig.quotes_after_answer,
        description="after a generated answer, quote the evidence of no source (the citations carry it), "
        "of the cited ones, or of every source",
    )
    answer_k: int = Field(AnswerConfig.k, ge=1, le=10)
    answer_prompt_sources: int = Field(
        AnswerConfig.prompt_sources, ge=1, le=10, description="excerpts the model reads (of the k chunks)"
    )
    abstain_min_coverage: float = Field(
        AnswerConfig.abstain_min_coverage, ge=0, le=1, description="calibrated on the dev set"
    )
    abstain_unseen_terms: int = Field(
        AnswerConfig.abstain_unseen_terms, ge=1, le=20, description="calibrated on the dev set"
    )
    min_support: float = Field(AnswerConfig.min_support, ge=0, le=1)
    abstain_off_domain_floor: float | None = Field(
        None, ge=0, le=2, description="unset: calibrated for the builtin embedder, off for any other"
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="origins allowed to call the API from a "
        'browser (the widget on another site); [] = same origin only, ["*"] = any',
    )
    admin_tokens: list[str] = Field(
        default_factory=list,
        description="bearer tokens for admin routes (ingest, "
        "finetune, adapters, jobs); none set = admin API disabled",
    )
    admin_token_hashes: list[str] = Field(
        default_factory=list,
        description="the same as SHA-256 hex digests, so no plain token needs to be stored",
    )
    public_api_keys: list[str] = Field(
        default_factory=list,
        description="if set, public routes (ask, search, chat, feedback) need one of these keys",
    )
    rate_limit: str = Field(
        "120/minute", description="per client (key or IP) on public routes, e.g. '60/minute'; '' disables"
    )
    max_body_bytes: int = Field(25 * 1024 * 1024, ge=1024, description="larger request bodies answer 413")
    ingest_roots: list[Path] = Field(
        default_factory=list, description="folders POST /v1/ingest may read from"
    )
    ingest_allow_private_urls: bool = Field(
        False, description="let POST /v1/ingest fetch private/loopback URLs"
    )
    crawl_delay_s: float = Field(
        0.5, ge=0, le=60, description="pause between two requests to one web host (robots.txt may ask more)"
    )
    crawl_timeout_s: float = Field(10.0, gt=0, le=120, description="per request of a crawl")
    crawl_max_page_bytes: int = Field(5_000_000, ge=10_000, description="a larger page is skipped")
    refresh_interval_s: float = Field(
        0, ge=0, description="re-ingest registered git/web sources every N seconds while serving (0: never)"
    )
    log_format: Literal["json", "text"] = Field("json", description="the server's log lines")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    @field_validator("rate_limit")
    @classmethod
    def _valid_limit(cls, v: str) -> str:
        if v:
            from limits import parse

            parse(v)  # raises ValueError on a malformed limit
        return v

    def model_cache(self) -> Path:
        return self.models_dir or self.home / "models"

    def embedder_config(self) -> EmbedderConfig:
        return EmbedderConfig(
            model=self.embedder,
            backend=self.embedder_backend,
            device=self.device,
            batch_size=self.embed_batch_size,
            cache_dir=self.model_cache(),
        )

    def fetch_limits(self) -> FetchLimits:
        return FetchLimits(self.crawl_delay_s, self.crawl_timeout_s, self.crawl_max_page_bytes)

    def chunking_config(self) -> ChunkingConfig:
        return ChunkingConfig(
            max_tokens=self.chunk_max_tokens, max_chars=self.chunk_max_chars, min_chars=self.chunk_min_chars
        )

    def vectors_config(self) -> VectorIndexConfig:
        return VectorIndexConfig(hnsw_threshold=self.hnsw_threshold, device=self.device)

    def adapter_path(self) -> str:
        """The adapter folder to load, or '' for none ('auto' picks the shipped one for the embedded
        model)."""
        if self.llm_adapter == "auto":
            shipped = SHIPPED / DEFAULT_ADAPTER / "adapter"
            usable = self.generator_backend() == "transformers" and self.llm_model == models.SMOLLM2
            return str(shipped) if usable and (shipped / "adapter_config.json").exists() else ""
        return "" if self.llm_adapter in ("", "none") else resolve_adapter(self.llm_adapter, self.home)

    def generator_backend(self) -> LLMBackend:
        """The generator backend in use ('auto' resolved for this machine)."""
        return resolve_backend(self.llm_backend, self.device)

    def llm_config(self) -> LLMConfig:
        return LLMConfig(
            backend=self.llm_backend,
            model=self.llm_model,
            device=self.device,
            adapter=self.adapter_path(),
            cache_dir=self.model_cache(),
            base_url=self.llm_base_url,
            api_key=self.llm_api_key,
            threads=self.llm_threads,
            timeout_s=self.llm_timeout_s,
        )

    def answer_config(self, adapter: str | None = None) -> AnswerConfig:
        """Answering settings for the configured adapter, or for `adapter` ('' for none) when given."""
        gen = GenerationConfig(
            max_new_tokens=self.llm_max_new_tokens, repetition_penalty=self.llm_repetition_penalty
        )
        adapter = self.adapter_path() if adapter is None else adapter
        small = self.llm_model == models.SMOLLM2
        lead = lead_with_for(
            self.answer_lead_with, generate=self.answer_generate, writes=bool(adapter) or not small
        )
        return AnswerConfig(
            k=self.answer_k,
            prompt_sources=self.answer_prompt_sources,
            late_rerank=self.answer_late_rerank,
            lead_with=lead,
            abstain_min_coverage=self.abstain_min_coverage,
            abstain_unseen_terms=self.abstain_unseen_terms,
            min_support=self.min_support,
            off_domain_floor=self.off_domain_floor(),
            generate=self.answer_generate,
            quotes_after_answer=self.answer_quotes_after,
            prompt_style="evidence" if small else "excerpts",
            generation=gen,
        )

    def off_domain_floor(self) -> float:
        """The off-domain gate's floor: set, or calibrated for the configured embedder (0: off)."""
        if self.abstain_off_domain_floor is not None:
            return self.abstain_off_domain_floor
        if self.embedder_backend == "hashing":  # the tests' tiny model, on a scale of its own
            return 0.0
        return OFF_DOMAIN_FLOORS.get(self.embedder, 0.0)

    def retrieval_config(self) -> RetrievalConfig:
        return RetrievalConfig(
            mode=self.search_mode,
            rrf_k=self.rrf_k,
            dense_weight=self.dense_weight,
            bm25_weight=self.bm25_weight,
            candidates=self.candidates,
            route_fold=self.route_fold,
            spell_correct=self.spell_correct,
            split_questions=self.split_questions,
            section_diversity=self.section_diversity,
            late_rerank=self.search_late_rerank,
        )


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
