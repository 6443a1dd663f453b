"""What every `rag` command shares: a one-line error and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer

from index.models import ModelNotFoundError
from index.versions import IndexCorruptError
from ingest.errors import SourceError

log = logging.getLogger("rag")
T = TypeVar("T")
EXPECTED = (SourceError, ModelNotFoundError, IndexCorruptError, FileNotFoundError, ValueError, RuntimeError)
UNCHANGED = "The published index version was not changed."


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit with `code`."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run_guarded(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call fn, turning expected failures into a one-line message and a non-zero exit.

    The traceback still goes to the debug log, so `rag --verbose` shows where it came from."""
    try:
        return fn(*args, **kwargs)
    except EXPECTED as exc:
        log.debug("%s failed", getattr(fn, "__name__", fn), exc_info=True)
        fail(str(exc))
    except sqlite3.DatabaseError as exc:
        log.debug("database error", exc_info=True)
        fail(f"database error: {exc} (disk full or a damaged file?). {UNCHANGED}")
    except OSError as exc:  # after EXPECTED, which answers FileNotFoundError plainly
        log.debug("I/O error", exc_info=True)
        where = getattr(exc, "filename", "") or "I/O"
        fail(f"{exc.strerror or exc} ({where}): is the disk full or read-only? {UNCHANGED}")
