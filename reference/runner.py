"""Train, evaluate and run the reference models: the functions both `rag reference` and the API call."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

import numpy as np

from reference.registry import ReferenceModel, get_model

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_TEXT_CHARS = 2000
_loaded: dict[str, Any] = {}
_lock = threading.Lock()


class InputError(ValueError):
    """A predict input the model cannot read; `status` is the HTTP code the API answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def load_model(name: str):
    """The shipped weights of `name`, loaded once per process."""
    spec = get_model(name)
    with _lock:
        if name not in _loaded:
            _loaded[name] = spec.module.load()
        return _loaded[name]


def train_model(
    name: str, epochs: int | None = None, device: str = "auto", progress: bool = True, save: bool = True
) -> dict:
    """Train from scratch with the model's fixed seed; saves the weights and metrics when `save`."""
    spec = get_model(name)
    key = "steps" if name == "rnn" else "epochs"
    cfg = spec.config(**{key: epochs})
    model, metrics = spec.module.train(cfg, device=device, progress=progress, save=save)
    with _lock:
        _loaded.pop(name, None)
    return {"name": name, **metrics}


def evaluate_model(name: str) -> dict:
    """Metrics of the shipped weights on the model's held-out split, measured now."""
    spec = get_model(name)
    metrics = spec.module.evaluate(load_model(name))
    return {"name": name, **metrics}


def decode_image(data: bytes):
    """Bytes -> a PIL image, refusing files too large to be a sensible input and non-images."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"file is {len(data)} bytes; the limit is {MAX_UPLOAD_BYTES}", 413)
    if not data:
        raise InputError("empty file", 422)
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise InputError(f"image is {image.width}x{image.height}; at most {MAX_IMAGE_PIXELS} pixels", 413)
        image.load()
    except UnidentifiedImageError:  # its message names an in-memory buffer, which says nothing to a client
        raise InputError("not a readable image: send a PNG, JPEG, GIF, BMP or WebP file", 415) from None
    except Image.DecompressionBombError as exc:
        raise InputError(f"not a readable image: {exc}", 415) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"corrupt image: {exc}", 415) from None
    return image


def array_to_image(values: Any, spec: ReferenceModel):
    """A JSON array -> a PIL image: 8x8 (or 64) digit intensities 0..16 for the CNN, HxWx3 floats 0..1
    for vision."""
    from PIL import Image

    try:
        arr = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError):
        raise InputError("input must be a numeric array") from None
    if not np.isfinite(arr).all():
        raise InputError("input must hold finite numbers")
    if spec.name == "cnn":
        if arr.size != 64:
            raise InputError("the CNN reads 64 intensities (an 8x8 array, 0..16)")
        pixels = np.clip(arr.reshape(8, 8) / 16.0, 0, 1)
        return Image.fromarray((pixels * 255).astype(np.uint8), mode="L")
    if arr.ndim != 3 or arr.shape[2] != 3 or not (4 <= arr.shape[0] <= 512 and 4 <= arr.shape[1] <= 512):
        raise InputError("the vision model reads an HxWx3 array of floats in 0..1 (4 <= H, W <= 512)")
    return Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8), mode="RGB")


def predict(name: str, *, image_bytes: bytes | None = None, value: Any = None) -> dict:
    """Run `name` on an uploaded image or a JSON value (array for image models, string or list for the
    RNN)."""
    spec = get_model(name)
    model = load_model(name)
    if spec.input_kind == "text":
        if image_bytes is not None:
            raise InputError("the RNN reads text, not a file", 415)
        if isinstance(value, list):
            value = "".join(str(v) for v in value)
        if not isinstance(value, str):
            raise InputError("the RNN reads a text prompt (a JSON string)")
        if len(value) > MAX_TEXT_CHARS:
            raise InputError(f"prompt longer than {MAX_TEXT_CHARS} characters", 413)
        return {"name": name, **spec.module.predict(model, value)}
    if image_bytes is not None:
        image = decode_image(image_bytes)
    elif value is not None:
        image = array_to_image(value, spec)
    else:
        raise InputError("send an image file or a JSON array")
    return {"name": name, **spec.module.predict(model, image)}
