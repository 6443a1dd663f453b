"""Libraries a question names: a source's top-level folders (one docs tree each) and what their code imports.

A question that names one library ("how do I freeze layers in PyTorch?") is not answered from another
library's docs: the candidates from the other folders of the same kind step back behind the rest. Nothing
here knows these docs: a folder is named by the words of its name and by the module its code imports most
("pytorch-tutorials": pytorch, torch; "scikit-learn": scikit, sklearn). Chunks of files outside any such
folder (the roadmap's pages, a learner's notes) are never moved.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

# words of docs folder names that name no library ("keras-io", "pytorch-tutorials", "scikit-learn")
_GENERIC = {"docs", "doc", "documentation", "tutorials", "tutorial", "examples", "example", "guides", "guide"}
_GENERIC |= {"templates", "source", "sources", "learn", "main", "master", "site", "website", "book", "notes"}
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.M)
_WORD = re.compile(r"[a-z][a-z0-9]*")


def folder_of(source_id: str, path: str) -> tuple[str, str] | None:
    """A chunk's (source, top-level folder), or None for a file at its source's root."""
    head, sep, _ = path.partition("/")
    return (source_id, head) if sep else None


class LibraryNames:
    """The names of each library folder, found from the indexed chunks (source, path, text)."""

    def __init__(self, chunks: Iterable[tuple[str, str, str]], min_folders: int = 2) -> None:
        imports: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for source_id, path, text in chunks:
            folder = folder_of(source_id, path)
            if folder is not None:
                imports[folder].update(_IMPORT.findall(text))
        per_source = Counter(src for src, _ in imports)
        self.names: dict[tuple[str, str], set[str]] = {}
        for folder, modules in imports.items():
            if per_source[folder[0]] < min_folders:  # one folder is a source's layout, not a set of libraries
                continue
            words = {w for w in _WORD.findall(folder[1].lower()) if len(w) >= 4 and w not in _GENERIC}
            top = [m.lower() for m, _ in modules.most_common(1)]
            self.names[folder] = words | set(top)

    def named(self, question: str) -> set[tuple[str, str]]:
        """The library folders the question names."""
        words = set(_WORD.findall(question.lower()))
        return {folder for folder, names in self.names.items() if names & words}

    def demote(
        self,
        ids: Sequence[int],
        folders: dict[int, tuple[str, str] | None],
        named: set[tuple[str, str]],
        reach: int = 5,
    ) -> list[int]:
        """The ids (best first) with the chunks of library folders not `named` (by the question) moved behind
        the others, when it names one and a chunk of it is among the first `reach` (dev sets: 5 and 20 alike);
        the order within each part kept. Without one there, the named library's best chunks are weak matches
        ("how do I freeze layers in PyTorch?" found PyTorch's RPC tutorial) and the others stay put."""
        if not named or not any(folders.get(i) in named for i in ids[:reach]):
            return list(ids)
        sources = {src for src, _ in named}
        other = {i for i in ids if (f := folders.get(i)) in self.names and f not in named and f[0] in sources}
        return [i for i in ids if i not in other] + [i for i in ids if i in other]
