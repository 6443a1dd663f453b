"""SQLite catalog of one index version: documents and chunks; chunk ids are FAISS row ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.documents import Chunk, Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL, title TEXT, url TEXT,
  location TEXT, kind TEXT, content_hash TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), ordinal INTEGER,
  start INTEGER, "end" INTEGER, text TEXT NOT NULL, heading TEXT, anchor TEXT, text_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, chunk_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def public_source(source_id: str, path: str, location: str) -> str:
    """How a document is named to clients: its URL, or the source's name and the path inside it
    ("roadmap/foundations.md"), never a file system path of the server."""
    if location.startswith(("http://", "https://", "pydoc:")):
        return location
    base = source_id[: -len(path)].rstrip("/") if path and source_id.endswith("/" + path) else source_id
    name = base.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "source"
    return f"{name}/{path}"


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk joined with its document's citation fields."""

    id: int
    text: str
    start: int
    end: int
    heading: str
    anchor: str
    text_hash: str
    doc_id: str
    source_id: str  # the registered source's spec
    path: str
    title: str
    url: str
    location: str

    @property
    def public_source(self) -> str:
        return public_source(self.source_id, self.path, self.location)

    @property
    def citation_url(self) -> str:
        if not self.url:
            return ""
        return f"{self.url}#{self.anchor}" if self.anchor and "#" not in self.url else self.url


_SELECT = """SELECT c.id, c.text, c.start, c."end", c.heading, c.anchor, c.text_hash, c.doc_id,
  d.source, d.path, d.title, d.url, d.location FROM chunks c JOIN documents d USING(doc_id)"""


class Catalog:
    """Owns the SQLite file of one index version."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if not readonly:
            self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def add_document(self, doc: Document, chunks: Iterable[tuple[int, Chunk]]) -> None:
        self.conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.source,
                doc.path,
                doc.title,
                doc.url,
                doc.location,
                doc.kind,
                doc.content_hash,
                doc.text,
            ),
        )
        self.conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (i, c.doc_id, c.ordinal, c.start, c.end, c.text, c.heading, c.anchor, c.text_hash)
                for i, c in chunks
            ],
        )

    def add_units(self, chunk_ids: list[int]) -> None:
        """Dense-index row i (a sentence-sized unit) belongs to chunk chunk_ids[i]."""
        self.conn.executemany("INSERT INTO units VALUES (?,?)", list(enumerate(chunk_ids)))

    def unit_chunks(self) -> np.ndarray:

        rows = self.conn.execute("SELECT chunk_id FROM units ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def set_meta(self, values: dict[str, str]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", list(values.items()))

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta"))

    def commit(self) -> None:
        self.conn.commit()

    def chunks(self, ids: Iterable[int]) -> dict[int, ChunkRecord]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        rows = self.conn.execute(f"{_SELECT} WHERE c.id IN ({','.join('?' * len(ids))})", ids)
        return {r[0]: ChunkRecord(*r) for r in rows}

    def all_chunks(self) -> list[ChunkRecord]:
        return [ChunkRecord(*r) for r in self.conn.execute(f"{_SELECT} ORDER BY c.id")]

    def documents(self, source: str | None = None) -> list[tuple[str, str, str, str]]:
        """(doc_id, source, path, content_hash) rows, optionally for one source."""
        q = "SELECT doc_id, source, path, content_hash FROM documents"
        return list(self.conn.execute(q + " WHERE source = ?", (source,)) if source else self.conn.execute(q))

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute(
            "SELECT source, path, text, title, url, location, kind FROM documents WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return Document(*row) if row else None

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute(
            'SELECT doc_id, start, "end", text, heading, anchor, ordinal FROM chunks '
            "WHERE doc_id=? ORDER BY ordinal",
            (doc_id,),
        )
        return [Chunk(*r) for r in rows]

    def counts_by_source(self) -> dict[str, dict[str, int]]:
        """source id -> its documents and chunks."""
        rows = self.conn.execute(
            "SELECT d.source, COUNT(DISTINCT d.doc_id), COUNT(c.id) FROM documents d "
            "LEFT JOIN chunks c USING(doc_id) GROUP BY d.source"
        ).fetchall()
        return {src: {"documents": docs, "chunks": chunks} for src, docs, chunks in rows}

    def counts(self) -> dict[str, int]:
        docs = self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return {"documents": docs, "chunks": chunks}

    def document_texts(self) -> list[tuple[str, str, str, str]]:
        """(public source name, url, path, text) of every document."""
        rows = self.conn.execute("SELECT source, path, location, url, text FROM documents").fetchall()
        return [(public_source(s, p, loc), url, p, text) for s, p, loc, url, text in rows]

    def find_document(self, key: str) -> tuple[str, str, str] | None:
        """(text, title, path) of the document named `key` as clients see it (see `public_source`)."""
        rows = self.conn.execute("SELECT doc_id, source, path, location FROM documents").fetchall()
        doc_id = next((d for d, s, p, loc in rows if public_source(s, p, loc) == key), None)
        if doc_id is None:
            return None
        return self.conn.execute(
            "SELECT text, title, path FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()

    def document_keys(self) -> list[tuple[str, str, str, str]]:
        """(doc_id, path, url, title) of every document."""
        return self.conn.execute("SELECT doc_id, path, url, title FROM documents").fetchall()

    def chunk_sources(self) -> list[tuple[int, str]]:
        """(chunk id, source id) of every chunk."""
        return self.conn.execute(
            "SELECT c.id, d.source FROM chunks c JOIN documents d USING(doc_id)"
        ).fetchall()

    def chunk_ids_where(self, source: str | None = None, path_prefix: str | None = None) -> list[int]:
        """Chunks of one source (id or file location) and/or under a path prefix (matched literally)."""
        q, args = "SELECT c.id FROM chunks c JOIN documents d USING(doc_id) WHERE 1=1", []
        if source:
            q += " AND (d.source = ? OR d.location = ?)"
            args += [source, source]
        if path_prefix:
            q += " AND d.path LIKE ? ESCAPE '\\'"
            args.append(path_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        return [r[0] for r in self.conn.execute(q, args)]

    def linking_chunks(self) -> list[tuple[int, str, str, str, str, str]]:
        """(id, doc_id, source, path, title, text) of chunks holding a markdown link, in id order."""
        return self.conn.execute(
            "SELECT c.id, c.doc_id, d.source, d.path, d.title, c.text FROM chunks c "
            "JOIN documents d USING(doc_id) WHERE c.text LIKE '%](%' ORDER BY c.id"
        ).fetchall()

    def first_chunks(self) -> dict[str, int]:
        """doc_id -> the id of its first chunk."""
        return dict(self.conn.execute("SELECT doc_id, MIN(id) FROM chunks GROUP BY doc_id"))
