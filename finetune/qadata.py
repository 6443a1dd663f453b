"""Custom Q&A for fine-tuning: validated import from JSONL/CSV, stored in the data dir, all or nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.atomic import write_text_atomic

MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 2000
MAX_CONTEXT_CHARS = 8000


class QADataError(ValueError):
    """A Q&A file with problems; `problems` lists each one with its line number."""

    def __init__(self, path: str, problems: list[str]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{path}: {len(problems)} problem(s), nothing imported:\n{shown}{more}")
        self.problems = problems


@dataclass
class QAPair:
    """One question with its reference answer; `context`/`sources` point at the text that answers it."""

    question: str
    answer: str
    context: str = ""
    sources: list[str] = field(default_factory=list)
    origin: str = "file"  # file | feedback | corpus

    @property
    def key(self) -> str:
        return " ".join(self.question.lower().split())


def _rows(path: Path) -> list[tuple[int, dict | None, str]]:
    """(line number, row or None, error) for each record of a JSONL or CSV file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [(0, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            return [(1, None, "empty CSV file (a header with question,answer is needed)")]
        return [(reader.line_num, dict(r), "") for r in reader]
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((n, None, f"invalid JSON ({exc.msg})"))
            continue
        out.append((n, row, "") if isinstance(row, dict) else (n, None, "a JSON object is expected"))
    return out


def _sources(value) -> list[str] | None:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [s.strip() for s in value.split("|") if s.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _check(n: int, row: dict) -> tuple[QAPair | None, list[str]]:
    errors = []
    q, a = row.get("question"), row.get("answer")
    for name, value, limit in (("question", q, MAX_QUESTION_CHARS), ("answer", a, MAX_ANSWER_CHARS)):
        if value is None:
            errors.append(f"line {n}: missing field '{name}'")
        elif not isinstance(value, str) or not value.strip():
            errors.append(f"line {n}: empty {name}")
        elif len(value) > limit:
            errors.append(f"line {n}: {name} too long ({len(value)} characters, at most {limit})")
    context = row.get("context") or ""
    if not isinstance(context, str) or len(context) > MAX_CONTEXT_CHARS:
        errors.append(f"line {n}: context must be text of at most {MAX_CONTEXT_CHARS} characters")
    sources = _sources(row.get("sources"))
    if sources is None:
        errors.append(f"line {n}: sources must be a list of strings (or 'a|b' in CSV)")
    if errors:
        return None, errors
    return QAPair(q.strip(), a.strip(), context.strip(), sources or []), []


def load_qa_file(path: Path) -> list[QAPair]:
    """Every pair of a JSONL or CSV file, or a QADataError listing every problem with its line."""
    path = Path(path)
    if not path.is_file():
        raise QADataError(str(path), ["no such file"])
    if path.suffix.lower() not in (".jsonl", ".csv", ".json"):
        raise QADataError(str(path), ["unsupported file type: use .jsonl or .csv"])
    pairs, problems, seen = [], [], {}
    for n, row, err in _rows(path):
        if row is None:
            problems.append(f"line {n}: {err}")
            continue
        pair, errors = _check(n, row)
        problems += errors
        if pair is None:
            continue
        if pair.key in seen:
            problems.append(f"line {n}: duplicate question (first on line {seen[pair.key]})")
            continue
        seen[pair.key] = n
        pairs.append(pair)
    if not pairs and not problems:
        problems.append("line 1: the file holds no Q&A pairs")
    if problems:
        raise QADataError(str(path), problems)
    return pairs


class QAStore:
    """The imported Q&A of a data dir, one JSONL file replaced atomically on every change."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "finetune" / "qa.jsonl"

    def all(self) -> list[QAPair]:
        if not self.path.exists():
            return []
        return [
            QAPair(**json.loads(line)) for line in self.path.read_text(encoding="utf-8").splitlines() if line
        ]

    def add(self, pairs: list[QAPair]) -> tuple[int, int]:
        """Add pairs whose question is new; returns (added, skipped as already stored)."""
        current = self.all()
        known = {p.key for p in current}
        fresh = [p for p in pairs if p.key not in known]
        self._write(current + fresh)
        return len(fresh), len(pairs) - len(fresh)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self, pairs: list[QAPair]) -> None:
        write_text_atomic(self.path, "".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in pairs))


def pairs_from_feedback(rows: list[dict]) -> list[QAPair]:
    """Thumbs-up answers as Q&A pairs (answer text without the quote markup; cited sources kept)."""
    out, seen = [], set()
    for r in rows:
        answer = "\n".join(line.lstrip("> ").strip() for line in (r.get("answer") or "").splitlines()).strip()
        if not r.get("question") or not answer:
            continue
        cites = json.loads(r.get("citations") or "[]")
        pair = QAPair(
            r["question"].strip(),
            answer[:MAX_ANSWER_CHARS],
            sources=[c.get("path", "") for c in cites],
            origin="feedback",
        )
        if pair.key not in seen:
            seen.add(pair.key)
            out.append(pair)
    return out


def data_hash(pairs: list[QAPair]) -> str:
    h = hashlib.sha256()
    for p in pairs:
        h.update(json.dumps(asdict(p), sort_keys=True).encode())
    return h.hexdigest()[:16]
