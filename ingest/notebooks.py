"""Jupyter notebooks as markdown: cells in order, code fenced, short text outputs kept, never base64 data."""

from __future__ import annotations

import json

from ingest.errors import SourceError

MAX_OUTPUT_CHARS = 600  # a longer output (a dataframe dump, a training log) is left out
MAX_OUTPUT_LINES = 12


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _short_output(output: dict) -> str:
    """An output's text when it is short plain text (stdout, a repr); images, HTML and errors give ""."""
    kind = output.get("output_type")
    if kind == "stream" and output.get("name") == "stdout":
        text = _text(output.get("text", ""))
    elif kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if any(k.startswith("image/") for k in data):  # its text/plain is only "<Figure size ...>"
            return ""
        text = _text(data.get("text/plain", ""))
    else:
        return ""
    text = text.strip("\n")
    too_long = len(text) > MAX_OUTPUT_CHARS or text.count("\n") >= MAX_OUTPUT_LINES
    return "" if too_long or not text.strip() else text


def _cells(nb: dict) -> list[dict]:
    if "cells" in nb:
        return nb["cells"]
    # nbformat 3 kept the cells in worksheets and code under "input".
    return [
        {**c, "source": c.get("source", c.get("input", ""))}
        for ws in nb.get("worksheets", [])
        for c in ws["cells"]
    ]


def notebook_to_markdown(raw: str) -> tuple[str, str]:
    """(language, markdown) of a notebook's JSON. Raises SourceError when it is not a notebook."""
    try:
        nb = json.loads(raw)
        cells = _cells(nb)
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceError(f"not a Jupyter notebook: {exc}") from exc
    meta = nb.get("metadata", {})
    lang = meta.get("language_info", {}).get("name") or meta.get("kernelspec", {}).get("language") or "python"
    parts: list[str] = []
    for cell in cells:
        source = _text(cell.get("source", "")).strip("\n")
        if not source.strip():
            continue
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        elif cell.get("cell_type") == "code":
            parts.append(f"```{lang}\n{source}\n```")
            outputs = [o for o in map(_short_output, cell.get("outputs", [])) if o]
            parts += [f"Output:\n\n```text\n{o}\n```" for o in outputs]
        else:  # raw cells: text as written
            parts.append(source)
    return lang, "\n\n".join(parts) + "\n"
