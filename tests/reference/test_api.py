"""Reference-model routes in-process (TestClient): list, predict from an upload and from JSON, bad uploads."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from reference import cnn
from service.config import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(
        home=tmp_path_factory.mktemp("ref"), embedder_backend="hashing", answer_generate=False
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _digit_png(index: int) -> tuple[bytes, int]:
    from PIL import Image

    _, _, xte, yte = cnn.load_data(cnn.CNNConfig())
    buf = io.BytesIO()
    Image.fromarray((xte[index, 0].numpy() * 255).astype("uint8"), mode="L").resize((32, 32)).save(
        buf, format="PNG"
    )
    return buf.getvalue(), int(yte[index])


def test_list_reference_models(client):
    rows = client.get("/v1/reference-models").json()
    assert {r["name"] for r in rows} == {"cnn", "rnn", "vision"}
    assert all(r["metrics"]["metric"] for r in rows)


def test_predict_from_upload_and_json(client):
    data, label = _digit_png(5)
    r = client.post("/v1/reference-models/cnn/predict", files={"file": ("d.png", data, "image/png")})
    assert r.status_code == 200 and r.json()["label"] == label
    _, _, xte, yte = cnn.load_data(cnn.CNNConfig())
    r = client.post("/v1/reference-models/cnn/predict", json={"input": (xte[7, 0] * 16).tolist()})
    assert r.status_code == 200 and r.json()["label"] == int(yte[7])
    r = client.post("/v1/reference-models/rnn/predict", json={"input": "The data"})
    assert r.status_code == 200 and r.json()["continuation"]
    r = client.post("/v1/reference-models/vision/predict", files={"file": ("s.png", data, "image/png")})
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
def test_bad_uploads_are_rejected(client, kwargs, status):
    r = client.post("/v1/reference-models/cnn/predict", **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["detail"] and "object at 0x" not in r.json()["detail"]


def test_unknown_model_is_404(client):
    r = client.post("/v1/reference-models/gan/predict", json={"input": "x"})
    assert r.status_code == 404 and "unknown reference model" in r.json()["detail"]


def test_an_invalid_body_is_not_echoed_back(client):
    junk = {"input": {"x": "A" * 50_000}}  # neither a string nor an array
    r = client.post("/v1/reference-models/rnn/predict", json=junk)
    assert r.status_code == 422 and len(r.text) < 2_000 and "AAAA" not in r.text
