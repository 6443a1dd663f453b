"""Typed settings at the edge: `RAG_*` environment variables and `.env`, turned into internal dataclasses."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index import models
from index.embedders import EmbedderConfig
from index.retriever import MODES, RetrievalConfig
from index.vectors import VectorIndexConfig
from ingest.chunking import ChunkingConfig
from service.answering import AnswerConfig
from service.llm import GenerationConfig, LLMConfig

DEFAULT_ADAPTER = "grounded"  # shipped in finetune/adapters/, trained on framework docs only (never the roadmap)


class Settings(BaseSettings):
    """Everything a deployment can set; defaults run the embedded models on CPU."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    home: Path = Field(Path(".rag"), description="data dir: index versions, caches, registry, feedback")
    models_dir: Path | None = Field(None, description="converted/exported models (default: RAG_HOME/models); "
                                    "the Docker image bakes them in here")
    embedder: str = models.DEFAULT_EMBEDDER
    embedder_backend: str = Field("openvino", description="torch | openvino | openvino-int8w | openvino-fp32 | hashing")
    device: str = Field("auto", description="auto | cpu | cuda, for embedding and FAISS")
    embed_batch_size: int = Field(32, ge=1, le=1024)
    embed_engine: str = Field("local", pattern="^(local|ray)$", description="local | ray (bulk embedding on Ray Data)")
    ray_address: str = Field("", description="Ray cluster address ('' starts a local cluster)")
    ray_actors: int = Field(2, ge=1, le=4096, description="embedder actors in the Ray pool")
    chunk_max_tokens: int = Field(200, ge=32, le=512)
    chunk_max_chars: int = Field(800, ge=200, le=8000)
    chunk_min_chars: int = Field(200, ge=0, le=2000)
    hnsw_threshold: int = Field(50_000, ge=1, description="dense units above which HNSW replaces flat search")
    search_mode: str = "hybrid"
    rrf_k: float = Field(10.0, gt=0)
    dense_weight: float = Field(1.0, ge=0)
    bm25_weight: float = Field(1.0, ge=0)
    candidates: int = Field(50, ge=1, le=1000)
    llm_backend: str = Field("transformers", description="transformers | llamacpp | openai")
    llm_model: str = Field(models.DEFAULT_GENERATOR, description="builtin name, GGUF file, HF model dir, or server model name")
    llm_adapter: str = Field("auto", description="LoRA adapter: a folder, a name under adapters/, 'auto' (the shipped "
                             "grounded-answering adapter with the embedded model) or '' (none)")
    llm_base_url: str = "http://localhost:8001/v1"
    llm_api_key: str = ""
    llm_threads: int = Field(0, ge=0, le=256)
    llm_timeout_s: float = Field(120.0, gt=0, le=3600, description="per request to an OpenAI-compatible server")
    llm_max_new_tokens: int = Field(96, ge=8, le=2048)
    llm_repetition_penalty: float = Field(1.15, ge=1.0, le=2.0)
    answer_lead_with: str = Field("auto", description="quotes | generated | auto (generated when an adapter is loaded)")
    answer_generate: bool = Field(True, description="false: extractive answers only, no generator loaded")
    answer_quotes_after: Literal["all", "cited"] = Field(
        "all", description="after a generated answer, quote the evidence of every source, or of the cited ones only")
    answer_k: int = Field(4, ge=1, le=10)
    abstain_min_coverage: float = Field(0.15, ge=0, le=1, description="calibrated on the dev set")
    abstain_unseen_terms: int = Field(2, ge=1, le=20, description="calibrated on the dev set")
    min_support: float = Field(0.7, ge=0, le=1)
    cors_origins: list[str] = Field(default_factory=list, description='origins allowed to call the API from a '
                                    'browser (the widget on another site); [] = same origin only, ["*"] = any')
    admin_tokens: list[str] = Field(default_factory=list, description="bearer tokens for admin routes (ingest, "
                                    "finetune, adapters, jobs); none set = admin API disabled")
    admin_token_hashes: list[str] = Field(default_factory=list, description="the same as SHA-256 hex digests, so "
                                          "no plain token needs to be stored")
    public_api_keys: list[str] = Field(default_factory=list, description="if set, public routes (ask, search, chat, "
                                       "feedback) need one of these keys")
    rate_limit: str = Field("120/minute", description="per client (key or IP) on public routes, e.g. '60/minute'; "
                            "'' disables")
    max_body_bytes: int = Field(25 * 1024 * 1024, ge=1024, description="larger request bodies answer 413")
    ingest_roots: list[Path] = Field(default_factory=list, description="folders POST /v1/ingest may read from")
    ingest_allow_private_urls: bool = Field(False, description="let POST /v1/ingest fetch private/loopback URLs")
    refresh_interval_s: float = Field(0, ge=0, description="re-ingest registered git/web sources every N seconds "
                                      "while serving (0: never)")
    log_format: str = Field("json", description="json | text (the server's log lines)")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    @field_validator("rate_limit")
    @classmethod
    def _valid_limit(cls, v: str) -> str:
        if v:
            from limits import parse

            parse(v)  # raises ValueError on a malformed limit
        return v

    @field_validator("answer_lead_with")
    @classmethod
    def _known_lead(cls, v: str) -> str:
        if v not in ("auto", "quotes", "generated"):
            raise ValueError("RAG_ANSWER_LEAD_WITH must be auto, quotes or generated")
        return v

    @field_validator("search_mode")
    @classmethod
    def _known_mode(cls, v: str) -> str:
        if v not in MODES:
            raise ValueError(f"RAG_SEARCH_MODE must be one of {MODES}")
        return v

    def model_cache(self) -> Path:
        return self.models_dir or self.home / "models"

    def embedder_config(self) -> EmbedderConfig:
        return EmbedderConfig(model=self.embedder, backend=self.embedder_backend, device=self.device,
                              batch_size=self.embed_batch_size, cache_dir=self.model_cache())

    def chunking_config(self) -> ChunkingConfig:
        return ChunkingConfig(max_tokens=self.chunk_max_tokens, max_chars=self.chunk_max_chars,
                              min_chars=self.chunk_min_chars)

    def vectors_config(self) -> VectorIndexConfig:
        return VectorIndexConfig(hnsw_threshold=self.hnsw_threshold, device=self.device)

    def adapter_path(self) -> str:
        """The adapter folder to load, or '' for none ('auto' picks the shipped one for the embedded model)."""
        from finetune.adapters import SHIPPED, resolve_adapter

        if self.llm_adapter == "auto":
            shipped = SHIPPED / DEFAULT_ADAPTER / "adapter"
            usable = self.llm_backend == "transformers" and self.llm_model == models.DEFAULT_GENERATOR
            return str(shipped) if usable and (shipped / "adapter_config.json").exists() else ""
        return "" if self.llm_adapter in ("", "none") else resolve_adapter(self.llm_adapter, self.home)

    def llm_config(self) -> LLMConfig:
        return LLMConfig(backend=self.llm_backend, model=self.llm_model, device=self.device, adapter=self.adapter_path(),
                         cache_dir=self.model_cache(), base_url=self.llm_base_url, api_key=self.llm_api_key,
                         threads=self.llm_threads, timeout_s=self.llm_timeout_s)

    def answer_config(self) -> AnswerConfig:
        gen = GenerationConfig(max_new_tokens=self.llm_max_new_tokens, repetition_penalty=self.llm_repetition_penalty)
        lead = self.answer_lead_with
        if lead == "auto":
            lead = "generated" if self.answer_generate and self.adapter_path() else "quotes"
        return AnswerConfig(k=self.answer_k, lead_with=lead, abstain_min_coverage=self.abstain_min_coverage,
                            abstain_unseen_terms=self.abstain_unseen_terms, min_support=self.min_support,
                            generate=self.answer_generate, quotes_after_answer=self.answer_quotes_after, generation=gen)

    def retrieval_config(self) -> RetrievalConfig:
        return RetrievalConfig(mode=self.search_mode, rrf_k=self.rrf_k, dense_weight=self.dense_weight,
                               bm25_weight=self.bm25_weight, candidates=self.candidates)


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
