"""Answers and learner feedback in SQLite: the raw material for the fine-tune dataset."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path


class FeedbackStore:
    """Owns RAG_HOME/feedback.sqlite: every answer given, and thumbs up/down on them."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(home / "feedback.sqlite"), check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript("""
            CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, created REAL, question TEXT, answer TEXT,
                mode TEXT, citations TEXT);
            CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL,
                answer_id TEXT REFERENCES answers(id), rating TEXT, comment TEXT, question TEXT, answer TEXT,
                citations TEXT);""")
        self.conn.commit()
        self._lock = threading.Lock()

    def record_answer(
        self, answer_id: str, question: str, answer: str, mode: str, citations: list[dict]
    ) -> None:
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?)",
                (answer_id, time.time(), question, answer, mode, json.dumps(citations)),
            )
            self.conn.commit()

    def add_feedback(self, answer_id: str, rating: str, comment: str | None) -> int | None:
        """Store feedback on a known answer, replacing earlier feedback on it (one row per answer, so repeated
        posts cannot grow the table); None when the answer id is unknown."""
        with self._lock:
            row = self.conn.execute(
                "SELECT question, answer, citations FROM answers WHERE id=?", (answer_id,)
            ).fetchone()
            if row is None:
                return None
            self.conn.execute("DELETE FROM feedback WHERE answer_id=?", (answer_id,))
            cur = self.conn.execute(
                "INSERT INTO feedback (created, answer_id, rating, comment, question, answer, citations) "
                "VALUES (?,?,?,?,?,?,?)",
                (time.time(), answer_id, rating, comment, *row),
            )
            self.conn.commit()
            return int(cur.lastrowid)

    def feedback(self, rating: str | None = None) -> list[dict]:
        q = "SELECT id, answer_id, rating, comment, question, answer, citations FROM feedback"
        rows = self.conn.execute(q + " WHERE rating=?", (rating,)) if rating else self.conn.execute(q)
        keys = ("id", "answer_id", "rating", "comment", "question", "answer", "citations")
        return [dict(zip(keys, r)) for r in rows]

    def close(self) -> None:
        self.conn.close()
