"""`rag reference ...`: list, train, evaluate and run the bundled CNN, RNN and vision models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from service.cliutil import fail

# Commands import what they run, inside the command: `rag --help` and the light commands stay quick instead of
# loading faiss, torch and transformers first (measured: 1.6 s for `import app.cli`, 3-4 s more with them).

app = typer.Typer(
    help="Bundled reference models (cnn, rnn, vision): list, train, eval, predict.", no_args_is_help=True
)


@app.command("list")
def list_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The models, their tasks and the metrics recorded when their weights were trained."""
    from reference.registry import MODELS

    rows = [m.describe() for m in MODELS.values()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        m = r["metrics"]
        figure = f"{m['metric']} {m['value']}" if m else "no weights yet"
        typer.echo(f"{r['name']:7} {r['task']}\n        {figure}; card: {r['card']}")


@app.command("train")
def train_cmd(
    name: Annotated[str, typer.Argument(help="cnn, rnn or vision")],
    epochs: Annotated[
        Optional[int], typer.Option(min=1, max=100_000, help="epochs (steps for the rnn)")
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda")] = "auto",
    save: Annotated[bool, typer.Option(help="overwrite the shipped weights")] = True,
) -> None:
    """Train from scratch with the fixed seed and print the held-out metrics."""
    from reference.runner import train_model

    try:
        result = train_model(name, epochs, device, progress=True, save=save)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(json.dumps(result, indent=2))


@app.command("eval")
def eval_cmd(
    name: Annotated[str, typer.Argument(help="cnn, rnn or vision")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Measure the shipped weights on the held-out split."""
    from reference.runner import evaluate_model

    try:
        result = evaluate_model(name)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result))
        return
    line = f"{name}: {result['metric']} = {result['value']}"
    if "baseline_value" in result:
        line += f" (baseline, {result['baseline']}: {result['baseline_value']})"
    typer.echo(line)


@app.command("predict")
def predict_cmd(
    name: Annotated[str, typer.Argument(help="cnn, rnn or vision")],
    value: Annotated[str, typer.Argument(help="an image file (cnn, vision) or a text prompt (rnn)")],
) -> None:
    """Run a model on one input and print its prediction as JSON."""
    from reference.registry import get_model
    from reference.runner import InputError, predict

    try:
        spec = get_model(name)
        if spec.input_kind == "image":
            path = Path(value)
            if not path.is_file():
                fail(f"no such image file: {value}")
            result = predict(name, image_bytes=path.read_bytes())
            result.pop("mask", None)  # 32x32 numbers are noise on a terminal; the API returns them
        else:
            result = predict(name, value=value)
    except (InputError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    typer.echo(json.dumps(result, indent=2))
