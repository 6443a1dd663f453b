"""GitHub-style heading anchors, so citations land on the exact section."""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def slugify(heading: str) -> str:
    """Lower-case, drop punctuation and emoji, spaces to hyphens (GitHub's rule)."""
    text = unicodedata.normalize("NFKC", heading).strip().lower()
    text = re.sub(r"`|\*\*|__", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their label
    text = _DROP.sub("", text)
    return text.replace(" ", "-")


class AnchorNamer:
    """Assigns unique anchors within one document (GitHub appends -1, -2 ...)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def name(self, heading: str) -> str:
        slug = slugify(heading)
        count = self._seen.get(slug, 0)
        self._seen[slug] = count + 1
        return slug if count == 0 else f"{slug}-{count}"
