"""What every `rag` command shares: a one-line error and a non-zero exit, never a traceback."""
from __future__ import annotations

import typer


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
