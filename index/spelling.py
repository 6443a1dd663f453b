"""Misspelt question words matched against the index's own vocabulary ("gradiant desent" -> "gradient
descent"), so neither BM25 nor the abstention check sees a word that no document could contain.

A word of the English dictionary (pyspellchecker's frequency list) is never changed, even when the index
does not use it: "shoes" is not a misspelling of "shows", nor "lump" of "dump"."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[a-z]{4,24}")
MIN_COUNT = 3  # a word seen fewer times in the index is not trusted as a correction
VOCAB_FILE = "vocab.json"


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """Lower-case words of 4-24 letters and how often the texts use them (the rare ones left out)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(text.lower()))
    return {w: c for w, c in counts.items() if c >= MIN_COUNT}


def save_vocab(counts: dict[str, int], folder: Path) -> None:
    (folder / VOCAB_FILE).write_text(json.dumps(counts, separators=(",", ":")), encoding="utf-8")


@lru_cache(maxsize=1)
def english_words():
    """The English word list (160k words, ~0.2 s to load once per process)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class Speller:
    """Corrects a word the index never uses to the most frequent index word within one edit (two for
    words of 7+ letters), found through a table of single-letter deletions (symmetric-delete lookup)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.by_delete: dict[str, list[str]] = {}
        for word in counts:
            for key in _deletes(word) | {word}:
                self.by_delete.setdefault(key, []).append(word)

    @classmethod
    def load(cls, folder: Path) -> Speller | None:
        path = folder / VOCAB_FILE
        if not path.exists():  # versions built before the vocabulary was kept
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def correct_word(self, word: str) -> str:
        low = word.lower()
        if low in self.counts or not _WORD.fullmatch(low) or low in english_words():
            return word
        limit = 1 if len(low) < 7 else 2
        candidates = {c for key in _deletes(low) | {low} for c in self.by_delete.get(key, ())}
        scored = [(d, -self.counts[c], c) for c in candidates if (d := _distance(low, c)) <= limit]
        return min(scored)[2] if scored else word

    def correct(self, text: str) -> str:
        """The text with each unknown word replaced by its correction (other characters untouched). A
        capitalised word after the first is taken for a name ("Julia", "Ray") and left alone."""

        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if word[0].isupper() and m.start() > 0:
                return word
            fixed = self.correct_word(word)
            return fixed.capitalize() if fixed != word and word[0].isupper() else fixed

        return re.sub(r"[A-Za-z]+", fix, text)
