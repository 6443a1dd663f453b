"""GET /v1/reference-models and POST /v1/reference-models/{name}/predict (image upload or JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reference.registry import MODELS, get_model
from reference.runner import MAX_UPLOAD_BYTES, InputError, predict

router = APIRouter(prefix="/v1/reference-models", tags=["reference models"])


class ReferenceModelOut(BaseModel):
    name: str
    task: str
    topic: str
    input: str
    metrics: dict[str, Any]


class PredictJSON(BaseModel):
    """`input`: an 8x8 array (cnn), an HxWx3 array of 0..1 floats (vision) or a text prompt (rnn)."""

    model_config = ConfigDict(extra="forbid")
    input: str | list[Any] = Field(description="array for cnn/vision, text for rnn")


@router.get("", response_model=list[ReferenceModelOut])
def list_models() -> list[ReferenceModelOut]:
    return [
        ReferenceModelOut(**{k: v for k, v in m.describe().items() if k != "card"}) for m in MODELS.values()
    ]


async def _read_upload(request: Request) -> bytes:
    """The first file part of a multipart body, read with the size limit enforced while streaming."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise InputError(f"upload larger than {MAX_UPLOAD_BYTES} bytes", 413)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception as exc:  # the multipart parser raises several types for malformed bodies
        raise InputError(f"malformed multipart body: {exc}", 400) from None
    upload = next((v for v in form.values() if hasattr(v, "read")), None)
    if upload is None:
        raise InputError("multipart body without a file part (send the image as 'file')")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    await form.close()
    return data


@router.post(
    "/{name}/predict",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": PredictJSON.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            }
        }
    },
)
async def predict_route(name: str, request: Request) -> dict[str, Any]:
    """Run a reference model: an image file upload (multipart `file`) or a JSON body {"input": ...}."""
    try:
        get_model(name)
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if ctype == "multipart/form-data":
            data = await _read_upload(request)
            return await run_in_threadpool(predict, name, image_bytes=data)
        if ctype == "application/json":
            body = await request.body()
            if len(body) > MAX_UPLOAD_BYTES:
                raise InputError(f"body larger than {MAX_UPLOAD_BYTES} bytes", 413)
            try:
                parsed = PredictJSON.model_validate_json(body)
            except ValidationError as exc:
                fields = [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors(include_url=False)][:5]
                raise InputError(f"invalid JSON body: {fields}") from None  # never the input itself
            return await run_in_threadpool(predict, name, value=parsed.input)
        if ctype.startswith("image/"):
            raise InputError("send images as multipart/form-data with a 'file' part", 415)
        raise InputError(
            f"unsupported content type {ctype or '(none)'}: use multipart/form-data or application/json", 415
        )
    except InputError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except FileNotFoundError as exc:
        raise HTTPException(503, str(exc)) from None
