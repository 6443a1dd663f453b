"""The source registry: which sources the index is built from, and their retrieval priority."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from ingest.spec import CrawlBounds, SourceSpec


class SourceRegistry:
    """Owns RAG_HOME/registry.sqlite (sources table)."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(home / "registry.sqlite"), check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS sources (spec TEXT PRIMARY KEY, kind TEXT, priority REAL, "
            "manifest TEXT, added REAL, ingested REAL)"
        )
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(sources)")}
        if "crawl" not in columns:  # registries written before web sources had crawl bounds
            self.conn.execute("ALTER TABLE sources ADD COLUMN crawl TEXT DEFAULT ''")
        self.conn.commit()

    def list(self) -> list[SourceSpec]:
        rows = self.conn.execute("SELECT spec, kind, priority, manifest, crawl FROM sources ORDER BY added")
        return [SourceSpec(*r[:4], crawl=CrawlBounds.from_json(r[4])) for r in rows]

    def upsert(self, spec: SourceSpec) -> None:
        now = time.time()
        self.conn.execute(
            "INSERT INTO sources (spec, kind, priority, manifest, added, ingested, crawl) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(spec) DO UPDATE SET kind=excluded.kind, "
            "priority=excluded.priority, manifest=excluded.manifest, ingested=excluded.ingested, "
            "crawl=excluded.crawl",
            (spec.spec, spec.kind, spec.priority, spec.manifest, now, now, spec.crawl.to_json()),
        )
        self.conn.commit()

    def remove(self, spec: str) -> bool:
        cur = self.conn.execute("DELETE FROM sources WHERE spec = ?", (spec,))
        self.conn.commit()
        return cur.rowcount > 0

    def priorities(self) -> dict[str, float]:
        return {s.spec: s.priority for s in self.list()}

    def close(self) -> None:
        self.conn.close()
