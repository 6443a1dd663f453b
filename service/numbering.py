"""Citation numbers as a reader sees them: 1..n in order of first use, one per cited section."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

MARK = re.compile(r"\s*\[(\d{1,2})\]")


@dataclass
class Numbering:
    """Display numbers 1..n for sources in the order the answer first cites them; chunks of one section share
    a number (a learner saw "LoRA conversion > Description" listed as [1] and as [2])."""

    sections: Sequence[str] = ()  # each hit's section key; none: every chunk is a source of its own
    # the first cited chunk of each section (hit index), in order of first use -> the section's cited chunks
    members: dict[int, list[int]] = field(default_factory=dict)

    @property
    def order(self) -> list[int]:
        """The hit that stands for each display number, 1..n."""
        return list(self.members)

    def number(self, hit: int) -> int:
        key = self.sections[hit] if hit < len(self.sections) else None
        first = next((h for h in self.members if key is not None and self.sections[h] == key), hit)
        cited = self.members.setdefault(first, [first])
        if hit not in cited:
            cited.append(hit)
        return self.order.index(first) + 1

    def renumber(self, text: str, hit_of: Sequence[int]) -> str:
        """Prompt markers [p] rewritten to display numbers; markers naming no source dropped."""

        def sub(m: re.Match) -> str:
            p = int(m.group(1))
            return f" [{self.number(hit_of[p - 1])}]" if 1 <= p <= len(hit_of) else ""

        return MARK.sub(sub, text)
