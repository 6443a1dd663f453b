"""POST /v1/ask (JSON or Server-Sent Events) and POST /v1/feedback."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from service.deps import StateDep
from service.events import Answer, Citations, Done, Draft, Event, Sources, Token
from service.llm import GeneratorError
from service.schemas import AskRequest, AskResponse, FeedbackRequest, FeedbackResponse
from service.state import AppState

router = APIRouter(prefix="/v1", tags=["answers"])


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def record(state: AppState, ans: Answer) -> None:
    state.feedback.record_answer(
        ans.id, ans.question, ans.answer, ans.mode, [c.__dict__ for c in ans.citations]
    )
    if state.metrics is not None:
        state.metrics.observe_answer(ans)


def events(state: AppState, body: AskRequest) -> Iterator[Event]:
    history = [t.model_dump() for t in body.history]
    state.retriever()  # fail before streaming starts when there is no index
    return state.pipeline.stream(body.question, history, body.k, body.page_url, body.page_title)


def sse_stream(state: AppState, stream: Iterator[Event]) -> Iterator[str]:
    try:
        for ev in stream:
            match ev:
                case Sources(sources):
                    yield sse("sources", {"sources": sources})
                case Draft(text):
                    yield sse("draft", {"text": text})
                case Token(text):
                    yield sse("token", {"text": text})
                case Citations(citations):
                    yield sse("citations", {"citations": citations})
                case Done(ans):
                    record(state, ans)
                    d = ans.to_dict()
                    yield sse(
                        "done", {k: d[k] for k in ("id", "mode", "abstained", "usage", "timings", "answer")}
                    )
    except GeneratorError as exc:  # the 200 status is sent already: the failure becomes the last event
        yield sse("error", {"detail": str(exc), "status": exc.status})


@router.post("/ask", response_model=AskResponse, responses={200: {"content": {"text/event-stream": {}}}})
def ask(body: AskRequest, request: Request, state: StateDep):
    """Answer a question with citations; `stream: true` or `Accept: text/event-stream` streams SSE events."""
    stream = events(state, body)
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            sse_stream(state, stream),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    ans = next(ev.answer for ev in stream if isinstance(ev, Done))
    record(state, ans)
    return AskResponse(**{k: v for k, v in ans.to_dict().items() if k in AskResponse.model_fields})


@router.post("/feedback", response_model=FeedbackResponse)
def feedback(body: FeedbackRequest, state: StateDep) -> FeedbackResponse:
    fid = state.feedback.add_feedback(body.answer_id, body.rating, body.comment)
    if fid is None:
        raise HTTPException(status_code=404, detail=f"unknown answer_id {body.answer_id!r}")
    return FeedbackResponse(id=fid)
