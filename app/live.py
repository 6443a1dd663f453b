"""A streamed answer in the terminal: checked text printed for good, the sentence being written shown dim
after it and erased when the checked sentence (or nothing) takes its place."""

from __future__ import annotations

from typing import TextIO

DIM, PLAIN = "\x1b[2m", "\x1b[0m"
MIN_ROOM = 12  # columns left on the line below which a draft is not worth showing


class LiveAnswer:
    """Writes Token text as it comes; on a terminal also the current draft, kept on the current line so that
    erasing it never has to move across a wrapped line."""

    def __init__(self, out: TextIO, tty: bool, width: int) -> None:
        self.out, self.tty, self.width = out, tty, max(width, 20)
        self.col = 0  # where the checked text ends on its line
        self.shown = 0  # draft characters on screen

    def draft(self, text: str) -> None:
        """Show `text` (the unchecked sentence) in place of the previous draft; '' only erases."""
        if not self.tty:
            return
        self._erase()
        text = (" " if self.col else "") + " ".join(text.split())
        room = self.width - self.col - 1
        if not text.strip() or room < MIN_ROOM:
            return
        if len(text) > room:
            text = "…" + text[len(text) - room + 1 :]  # the newest words, which is where the writing is
        self.out.write(f"{DIM}{text}{PLAIN}")
        self.out.flush()
        self.shown = len(text)

    def token(self, text: str) -> None:
        """Append checked answer text."""
        self._erase()
        self.out.write(text)
        self.out.flush()
        line = text.rsplit("\n", 1)[-1]
        self.col = (len(line) if "\n" in text else self.col + len(line)) % self.width

    def _erase(self) -> None:
        if self.shown:
            self.out.write(f"\x1b[{self.shown}D\x1b[K")
            self.shown = 0
