"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.events import Citation

MAX_QUESTION_CHARS = 2000


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be empty or only whitespace")
    return v.strip()


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=8000)


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str | None = Field(None, max_length=2000)
    path_prefix: str | None = Field(None, max_length=2000)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int = Field(5, ge=1, le=50)
    mode: Literal["dense", "bm25", "hybrid"] = "hybrid"
    filters: Filters | None = None
    _blank = field_validator("query")(_not_blank)


class HitOut(BaseModel):
    text: str
    score: float
    source: str
    path: str
    title: str
    heading: str
    url: str
    start: int
    end: int


class SearchResponse(BaseModel):
    hits: list[HitOut]
    index_version: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(default_factory=list, max_length=20)
    k: int | None = Field(None, ge=1, le=10)
    stream: bool = False
    page_url: str | None = Field(
        None,
        max_length=2000,
        description="URL of the page the question was asked on: "
        "its indexed document is preferred in retrieval",
    )
    page_title: str | None = Field(
        None, max_length=500, description="title of that page (used when the URL is unknown)"
    )
    _blank = field_validator("question")(_not_blank)


class AskResponse(BaseModel):
    id: str
    answer: str
    mode: Literal["generated", "extractive", "abstained"]
    citations: list[Citation]
    abstained: bool
    usage: dict
    timings: dict


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=4000)


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True


class ChatMessage(BaseModel):
    role: Literal["user", "assistant", "system", "developer", "tool"]
    content: str | None = Field(None, max_length=MAX_QUESTION_CHARS * 4)


class ChatRequest(BaseModel):
    """The subset of OpenAI's chat completion request that this service honours; extra fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field("roadmap-rag", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=40)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1, le=4096)
    temperature: float | None = Field(None, ge=0, le=2)


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    stage: str
    progress: float
    info: dict
    result: dict | None
    error: str | None
    created: float
    finished: float | None
