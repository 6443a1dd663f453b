"""Reference models: shapes, a one-batch overfit each, shipped weights on their held-out splits, CLI
predict."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
import torch
import torch.nn.functional as F

from reference import cnn, rnn, vision
from reference.common import recorded_metrics
from reference.registry import MODELS, get_model
from reference.runner import InputError, decode_image, predict
from tests.conftest import RAG


def _overfit(model: torch.nn.Module, loss_fn, steps: int = 60, lr: float = 1e-2) -> tuple[float, float]:
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    first = last = None
    for _ in range(steps):
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
        last = loss.item()
    return first, last


def test_cnn_shapes_and_one_batch_overfit():
    cfg = cnn.CNNConfig(dropout=0.0)
    model = cnn.DigitsCNN(cfg)
    xtr, ytr, _, _ = cnn.load_data(cfg)
    x, y = xtr[:32], ytr[:32]
    assert model(x).shape == (32, 10)
    first, last = _overfit(model, lambda: F.cross_entropy(model(x), y))
    assert last < 0.05 < first


def test_rnn_shapes_and_one_batch_overfit():
    cfg = rnn.RNNConfig(hidden=64)
    model = rnn.CharGRU(cfg)
    ids = rnn.encode("the hidden state carries what was read so far. " * 3)
    x, y = ids[None, :-1], ids[None, 1:]
    logits, h = model(x)
    assert logits.shape == (1, len(ids) - 1, len(rnn.VOCAB)) and h.shape == (1, 1, 64)
    first, last = _overfit(model, lambda: F.cross_entropy(model(x)[0][0], y[0]), steps=150)
    assert last < 0.3 < first


def test_vision_shapes_labels_and_one_batch_overfit():
    cfg = vision.VisionConfig(width=8)
    x, y = vision.make_scenes(4, cfg.size, seed=1)
    assert x.shape == (4, 3, 32, 32) and y.shape == (4, 32, 32)
    assert set(y.unique().tolist()) - {0, 1, 2, 3} == set() and (y > 0).any()
    model = vision.TinyUNet(cfg)
    assert model(x).shape == (4, 4, 32, 32)
    first, last = _overfit(model, lambda: F.cross_entropy(model(x), y), steps=80)
    assert last < 0.5 * first


def test_mean_iou_counts_each_class():
    target = torch.tensor([[0, 1], [2, 3]])
    assert vision.mean_iou(target, target)[0] == 1.0
    assert vision.mean_iou(torch.zeros_like(target), target)[0] == pytest.approx(0.25 / 4)


@pytest.mark.parametrize("name", list(MODELS))
def test_shipped_weights_reach_their_targets(name):
    spec = get_model(name)
    metrics = spec.module.evaluate(spec.module.load())
    if name == "cnn":
        assert metrics["value"] >= 0.97
    elif name == "vision":
        assert metrics["value"] >= 0.8
    else:  # bits per character: lower is better, and clearly below the bigram baseline
        assert metrics["value"] <= metrics["baseline_value"] - 0.5
    assert metrics["value"] == pytest.approx(recorded_metrics(name)["value"], abs=1e-3)  # the card's figures


def test_training_is_deterministic_with_a_seed():
    cfg = cnn.CNNConfig(epochs=1)
    _, a = cnn.train(cfg, device="cpu", progress=False, save=False)
    _, b = cnn.train(cfg, device="cpu", progress=False, save=False)
    assert a == b


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _digit_png(index: int = 0) -> tuple[bytes, int]:
    from PIL import Image

    _, _, xte, yte = cnn.load_data(cnn.CNNConfig())
    pixels = (xte[index, 0].numpy() * 255).astype("uint8")
    return _png(Image.fromarray(pixels, mode="L").resize((64, 64), Image.NEAREST)), int(yte[index])


def test_predict_reads_a_real_digit_image():
    hits = 0
    for i in range(10):
        data, label = _digit_png(i)
        out = predict("cnn", image_bytes=data)
        assert len(out["probabilities"]) == 10 and abs(sum(out["probabilities"]) - 1) < 1e-3
        hits += out["label"] == label
    assert hits >= 9


def test_vision_predict_segments_a_scene():
    from PIL import Image

    x, y = vision.make_scenes(1, 32, seed=123)
    img = Image.fromarray((x[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).astype("uint8"))
    out = predict("vision", image_bytes=_png(img))
    mask = torch.tensor(out["mask"])
    assert (mask == y[0]).float().mean() > 0.9


def test_bad_inputs_are_rejected_with_a_status():
    with pytest.raises(InputError) as e:
        decode_image(b"not an image at all")
    assert e.value.status == 415
    with pytest.raises(InputError) as e:
        decode_image(b"\x89PNG" + b"0" * (6 * 1024 * 1024))
    assert e.value.status == 413
    with pytest.raises(InputError):
        predict("cnn", value=[1, 2, 3])
    with pytest.raises(InputError):
        predict("vision", value="text")
    with pytest.raises(InputError) as e:
        predict("rnn", image_bytes=b"x")
    assert e.value.status == 415
    with pytest.raises(ValueError, match="unknown reference model"):
        get_model("gan")


def test_cli_list_eval_and_predict(tmp_path):
    out = subprocess.run(
        [*RAG, "reference", "eval", "cnn", "--json"], capture_output=True, text=True, check=True
    )
    row = json.loads(out.stdout)
    assert {"name", "metric", "value", "higher_is_better"} <= row.keys() and row["value"] >= 0.97
    out = subprocess.run(
        [*RAG, "reference", "eval", "rnn", "--json"], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["baseline_value"] > json.loads(out.stdout)["value"]
    data, label = _digit_png(3)
    (tmp_path / "d.png").write_bytes(data)
    out = subprocess.run(
        [*RAG, "reference", "predict", "cnn", str(tmp_path / "d.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["label"] == label
    out = subprocess.run(
        [*RAG, "reference", "predict", "rnn", "The dataset"], capture_output=True, text=True, check=True
    )
    assert len(json.loads(out.stdout)["continuation"]) == 120
    listed = json.loads(
        subprocess.run(
            [*RAG, "reference", "list", "--json"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert [m["name"] for m in listed] == ["cnn", "rnn", "vision"]
    bad = subprocess.run(
        [*RAG, "reference", "predict", "cnn", str(tmp_path / "missing.png")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "no such image" in bad.stderr and "Traceback" not in bad.stderr
    bad = subprocess.run([*RAG, "reference", "eval", "gan"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown reference model" in bad.stderr
