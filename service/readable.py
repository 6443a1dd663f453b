"""A retrieved chunk as the model reads it: its words without the page furniture a small model copies."""

from __future__ import annotations

import re

from ingest.text import fence_roles, iter_lines
from ingest.units import clean_heading

# Emoji and their joiners: tokens that say nothing, and which the 0.5B model copies into its sentences.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")
# ... taken out with the space before them; other runs of spaces stay (they tell a table's columns apart)
_EMOJI_RUN = re.compile("[ ]?(?:" + _EMOJI.pattern + ")+")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}\s")  # the section's heading already labels the source
_RST_ADORNMENT = re.compile(r"^([=\-~^*+#\"'`])\1{2,}\s*$")
# A markdown link as its words: the model copied "[Deep Learning](core-skills-deep-learning.md)" whole.
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\([^)\s]+\)")


def _title(line: str) -> str:
    """A heading line's words as a source label shows them."""
    return clean_heading(_MD_HEADING.sub("", line), limit=80)  # clean_heading drops emoji too


def readable(text: str, label: str = "") -> str:
    """The chunk without the heading line its label already shows (markdown, or an rst title with its
    adornment), emoji, bold markers and link targets; code blocks and other headings untouched (a
    sub-heading names what follows it; a sphinx-gallery file's "# " lines are its prose). Tagline chains stay:
    dropped, the model lost their words ("LIME: ... with Local, Simpler ... Models"), which answer as well as
    the prose does. Only removes: every word left is the chunk's own."""
    lines = iter_lines(text)
    roles = fence_roles(lines)
    out: list[str] = []
    label, skip_adornment = clean_heading(label, limit=80), False
    for i, ((_, line), role) in enumerate(zip(lines, roles)):
        if role:
            out.append(line)
            continue
        if skip_adornment and _RST_ADORNMENT.match(line):
            skip_adornment = False
            continue
        if label and line.strip() and _title(line) == label:
            nxt = lines[i + 1][1] if i + 1 < len(lines) else ""
            skip_adornment = bool(_RST_ADORNMENT.match(nxt)) and not _MD_HEADING.match(line)
            if _MD_HEADING.match(line) or skip_adornment:
                continue
        line = _LINK.sub(r"\1", _EMOJI_RUN.sub("", line).replace("**", "")).rstrip()
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip()
