"""The one home of plain-text rules: lines, code fences, sentences and content terms.

Chunking, retrieval units, evidence selection, the faithfulness check and corpus Q&A all read text through
these functions, so a sentence or a fenced code block means the same thing everywhere."""

from __future__ import annotations

import re

import Stemmer

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A sentence ends at . ! or ? followed by space and something that starts a sentence (a capital, a digit,
# a quote, a bracket, emphasis or code): "e.g. the" and "v1.2 is" stay whole.
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[*`])")
# A generated sentence is complete at its end mark, after any [n] citations that follow it, or at a newline.
# "e.g." and friends end no sentence: a generated sentence cut there fails the check as a fragment.
_GENERATED_END = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)(?<!vs\.)(?<!etc\.)(?:\s*\[\d+\])*\s+|\n+")
_LIST_MARK = re.compile(r"^\s*(?:[*+\-]|\d+[.)])\s+")
_CONTINUATION = re.compile(r"^[a-z(`]")
# rst adornment: 3+ of one punctuation character; quotes need 4+, since """ and ''' open and close docstrings
_RST_UNDERLINE = re.compile(r"^(?:([=\-~^*+#])\1{2,}|([\"'])\2{3,})$")

_STEM = Stemmer.Stemmer("english")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.]*[A-Za-z0-9+#]|[A-Za-z0-9]")
STOP = frozenset(
    """a an the and or but if then than so of to in on at by for from with without about into over under is
    are was were be been being am do does did done have has had having it its this that these those
    there here i you he she we they me my your our their them what which who whom whose when where why
    how can could should would will shall may might must not no nor just also very more most much many
    some any each every all both either neither as up out off again further once only own same such too
    s t don doesn isn aren wasn weren get got like use used using one two well even still yet let lets
    i'm what's it's learn roadmap page""".split()
)


def iter_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without newline) for each line of text."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def fence_roles(lines: list[tuple[int, str]]) -> list[str]:
    """The one fence tracker: each line's role, "" (outside code), "open", "code" or "close". A fence closes
    with a bare marker of the same character at least as long as the one that opened it."""
    roles, fence = [], None
    for _, line in lines:
        m = FENCE.match(line)
        if fence is None:
            fence = m.group(1) if m else None
            roles.append("open" if m else "")
            continue
        rest = line.strip()[len(m.group(1)) :].strip() if m else "x"
        if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not rest:
            fence = None
            roles.append("close")
        else:
            roles.append("code")
    return roles


def fenced_line_mask(lines: list[tuple[int, str]]) -> list[bool]:
    """True for lines inside (or delimiting) a fenced code block."""
    return [role != "" for role in fence_roles(lines)]


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(end of a sentence, start of the next) for each sentence boundary in text[start:end]."""
    return [
        (m.start(), m.end())
        for m in SENTENCE_BOUNDARY.finditer(text, start, len(text) if end is None else end)
    ]


def split_at_sentences(text: str) -> list[str]:
    """Prose cut at sentence ends (nothing else is interpreted)."""
    return SENTENCE_BOUNDARY.split(text)


def _logical_lines(text: str) -> list[tuple[str, str]]:
    """Lines with hard-wrapped prose joined back (rst and docstrings wrap at ~80 columns), each with its kind:
    fence (a code fence marker), code, prose, or joined (prose re-joined from wrapped lines).

    Without this a wrapped sentence becomes fragments ("strategy is recommended for a better estimate of the
    accuracy, if it"): evidence then shows half-sentences and a model trained on it learns to invent the
    rest."""
    lines = iter_lines(text)
    out: list[tuple[str, str]] = []
    joinable = False
    for (_, line), role in zip(lines, fence_roles(lines)):
        bare = line.strip()
        if role:
            out.append((line, "code" if role == "code" else "fence"))
            joinable = False
        elif _RST_UNDERLINE.match(bare) and out and out[-1][1] == "prose" and out[-1][0].strip():
            out.pop()  # an rst section title and its underline: a heading, not a statement
            joinable = False
        else:
            if joinable and _CONTINUATION.match(bare):
                out[-1] = (out[-1][0].rstrip() + " " + bare, "joined")
            else:
                out.append((line, "prose"))
            joinable = bool(bare) and not bare.endswith((".", ":", "!", "?", "::"))
    return out


def split_sentences(text: str, max_item_chars: int = 300) -> list[str]:
    """Statements of a passage: list items whole (when short), prose split into sentences (a joined paragraph
    always), and code lines from fenced blocks wrapped in backticks."""
    out = []
    for line, kind in _logical_lines(text):
        if kind == "fence":
            continue
        if kind == "code":
            code = line.strip()
            if len(code) >= 12 and not code.startswith("#"):
                out.append(f"`{code}`")
            continue
        item = _LIST_MARK.sub("", line).strip()
        if not item:
            continue
        parts = [item] if len(item) <= max_item_chars and kind == "prose" else split_at_sentences(item)
        out += [p.strip() for p in parts if len(p.strip()) > 2]
    return out


def complete_sentences(text: str) -> list[str]:
    """Generated text split into finished sentences; the last element is the unfinished rest."""
    ends = [m.end() for m in _GENERATED_END.finditer(text)]
    if not ends:
        return [text]
    out, start = [], 0
    for end in ends:
        out.append(text[start:end].strip())
        start = end
    return [s for s in out if s] + [text[start:]]


def stem_words(words: list[str]) -> list[str]:
    """Snowball stems, and a final "s" Snowball kept dropped: it keeps the plurals of acronyms ("cnns",
    "gpus", "llms"), which then never met "CNN", "GPU", "LLM". Both sides of a comparison share the rule, so a
    word it clips ("status" -> "statu") still meets itself."""
    stems = _STEM.stemWords(words)
    return [
        s[:-1] if s == w and len(s) >= 4 and s.endswith("s") and not s.endswith("ss") else s
        for w, s in zip(words, stems)
    ]


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-case content words (stop words out): the one tokenizer for term overlap."""
    words = [w.lower().strip(".-") for w in WORD.findall(text)]
    return stem_words([w for w in words if len(w) > 1 and w not in STOP])
