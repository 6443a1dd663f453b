"""The terminal view of a streamed answer: drafts shown dim and erased, checked text kept."""

from __future__ import annotations

import io
import re

from app.live import DIM, LiveAnswer

_ESCAPE = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def screen(raw: str) -> list[str]:
    """What a terminal shows for `raw`: cursor-left (D) and erase-to-end-of-line (K) applied, colours
    ignored, no wrapping (the view keeps drafts within the line)."""
    lines, col, i = [[]], 0, 0
    while i < len(raw):
        m = _ESCAPE.match(raw, i)
        if m:
            if m.group(2) == "D":
                col = max(0, col - int(m.group(1) or 1))
            elif m.group(2) == "K":
                del lines[-1][col:]
            i = m.end()
            continue
        if raw[i] == "\n":
            lines.append([])
            col = 0
        else:
            line = lines[-1]
            line[col : col + 1] = [raw[i]]
            col += 1
        i += 1
    return ["".join(line) for line in lines]


def test_drafts_are_erased_and_only_checked_text_stays_on_screen():
    out = io.StringIO()
    live = LiveAnswer(out, tty=True, width=80)
    live.draft("Federated averaging trains")
    assert screen(out.getvalue()) == ["Federated averaging trains"] and DIM in out.getvalue()
    live.draft("Federated averaging trains a model")
    live.token("Federated averaging trains a model on many devices [1].")
    live.draft("Each device sends")
    first = "Federated averaging trains a model on many devices [1]."
    assert screen(out.getvalue()) == [f"{first} Each device sends"]
    live.token(" Each device sends its weights [1].\n\n```python\nx = 1\n```")
    live.draft("")
    assert screen(out.getvalue()) == [
        "Federated averaging trains a model on many devices [1]. Each device sends its weights [1].",
        "",
        "```python",
        "x = 1",
        "```",
    ]


def test_a_long_draft_shows_its_newest_words_within_the_line():
    out = io.StringIO()
    live = LiveAnswer(out, tty=True, width=40)
    live.token("First sentence [1].")
    live.draft("a draft that is far too long to fit in the rest of this line at all")
    shown = screen(out.getvalue())
    assert len(shown) == 1 and len(shown[0]) < 40 and shown[0].endswith("line at all")
    assert "…" in shown[0]


def test_without_a_terminal_only_checked_text_is_written():
    out = io.StringIO()
    live = LiveAnswer(out, tty=False, width=80)
    live.draft("Federated averaging trains")
    live.token("Federated averaging trains a model [1].")
    assert out.getvalue() == "Federated averaging trains a model [1]."
