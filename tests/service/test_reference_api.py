"""Reference models over real HTTP: list, predict from an upload and from JSON, bad uploads rejected."""

from __future__ import annotations

import io

import httpx
import pytest

from reference import cnn

pytestmark = pytest.mark.slow


def _digit_png(index: int) -> tuple[bytes, int]:
    from PIL import Image

    _, _, xte, yte = cnn.load_data(cnn.CNNConfig())
    buf = io.BytesIO()
    Image.fromarray((xte[index, 0].numpy() * 255).astype("uint8"), mode="L").resize((32, 32)).save(
        buf, format="PNG"
    )
    return buf.getvalue(), int(yte[index])


def test_list_reference_models(server):
    rows = httpx.get(f"{server.url}/v1/reference-models", timeout=30).json()
    assert {r["name"] for r in rows} == {"cnn", "rnn", "vision"}
    assert all(r["metrics"]["metric"] for r in rows)


def test_predict_from_upload_and_json(server):
    data, label = _digit_png(5)
    r = httpx.post(
        f"{server.url}/v1/reference-models/cnn/predict",
        files={"file": ("d.png", data, "image/png")},
        timeout=60,
    )
    assert r.status_code == 200 and r.json()["label"] == label
    _, _, xte, yte = cnn.load_data(cnn.CNNConfig())
    r = httpx.post(
        f"{server.url}/v1/reference-models/cnn/predict", json={"input": (xte[7, 0] * 16).tolist()}, timeout=60
    )
    assert r.status_code == 200 and r.json()["label"] == int(yte[7])
    r = httpx.post(f"{server.url}/v1/reference-models/rnn/predict", json={"input": "The data"}, timeout=60)
    assert r.status_code == 200 and r.json()["continuation"]
    r = httpx.post(
        f"{server.url}/v1/reference-models/vision/predict",
        files={"file": ("s.png", data, "image/png")},
        timeout=60,
    )
    assert r.status_code == 200 and len(r.json()["mask"]) == 32


@pytest.mark.parametrize(
    "kwargs,status",
    [
        ({"files": {"file": ("big.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024), "image/png")}}, 413),
        ({"files": {"file": ("notes.txt", b"just some text", "text/plain")}}, 415),
        ({"content": b"\x89PNG....", "headers": {"content-type": "image/png"}}, 415),
        ({"json": {"input": [1, 2, 3]}}, 422),
        ({"json": {"wrong": 1}}, 422),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
        ({"data": {"field": "no file"}, "files": {}}, 415),
    ],
)
def test_bad_uploads_are_rejected(server, kwargs, status):
    r = httpx.post(f"{server.url}/v1/reference-models/cnn/predict", timeout=60, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["detail"]


def test_unknown_model_is_404(server):
    r = httpx.post(f"{server.url}/v1/reference-models/gan/predict", json={"input": "x"}, timeout=30)
    assert r.status_code == 404 and "unknown reference model" in r.json()["detail"]
