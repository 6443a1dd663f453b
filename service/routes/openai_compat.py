"""OpenAI-compatible endpoints: POST /v1/chat/completions (streaming or not) and GET /v1/models."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from service.deps import StateDep
from service.events import Answer, Done, Token
from service.llm import GeneratorError
from service.routes.ask import record
from service.schemas import ChatRequest
from service.state import AppState

router = APIRouter(prefix="/v1", tags=["openai"])
MODEL_ID = "roadmap-rag"


def sources_block(ans: Answer) -> str:
    lines = [
        f"[{c.n}] {c.title} > {c.heading.rsplit(' > ', 1)[-1]}" + (f" - {c.url}" if c.url else "")
        for c in ans.citations
    ]
    return "\n\nSources:\n" + "\n".join(lines) if lines else ""


def _split(req: ChatRequest) -> tuple[str, list[dict]]:
    turns = [
        {"role": m.role, "content": m.content or ""} for m in req.messages if m.role in ("user", "assistant")
    ]
    if not turns or turns[-1]["role"] != "user" or not turns[-1]["content"].strip():
        raise HTTPException(status_code=400, detail="the last message must be a non-empty user message")
    return turns[-1]["content"].strip()[:2000], turns[:-1][-20:]


def _chunk(cid: str, created: int, delta: dict, finish: str | None = None, **extra) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _stream(state: AppState, question: str, history: list[dict]) -> Iterator[str]:
    # One id for every chunk of the stream (clients key on it); the answer's own id, for /v1/feedback,
    # comes with the last chunk as rag_answer_id.
    created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    try:
        for ev in state.pipeline.stream(question, history):
            if isinstance(ev, Token):
                yield _chunk(cid, created, {"content": ev.text})
            elif isinstance(ev, Done):
                ans = ev.answer
                record(state, ans)
                yield _chunk(cid, created, {"content": sources_block(ans)})
                yield _chunk(
                    cid,
                    created,
                    {},
                    "stop",
                    citations=[c.__dict__ for c in ans.citations],
                    rag_mode=ans.mode,
                    rag_answer_id=ans.id,
                )
    except GeneratorError as exc:  # the status line is sent already: report the failure in the stream
        yield f"data: {json.dumps({'error': {'message': str(exc), 'code': exc.status}})}\n\n"
    yield "data: [DONE]\n\n"


@router.post(
    "/chat/completions", responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}}
)
def chat_completions(body: ChatRequest, state: StateDep):
    question, history = _split(body)
    state.retriever()
    if body.stream:
        return StreamingResponse(_stream(state, question, history), media_type="text/event-stream")
    ans = state.pipeline.answer(question, history)
    record(state, ans)
    return {
        "id": f"chatcmpl-{ans.id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ans.answer + sources_block(ans)},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": ans.usage.get("prompt_tokens", 0),
            "completion_tokens": ans.usage.get("completion_tokens", 0),
            "total_tokens": ans.usage.get("prompt_tokens", 0) + ans.usage.get("completion_tokens", 0),
        },
        "citations": [c.__dict__ for c in ans.citations],
        "rag_mode": ans.mode,
        "rag_answer_id": ans.id,
    }


@router.get("/models")
def list_models() -> dict:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "roadmap-rag"}],
    }
