"""Load profile for `rag bench load`: learners searching and asking, questions from the dev set."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

QUESTIONS_FILE = Path(os.environ.get("RAG_LOAD_QUESTIONS", ""))
QUESTIONS = (
    [json.loads(line)["question"] for line in QUESTIONS_FILE.read_text().splitlines() if line.strip()]
    if QUESTIONS_FILE.is_file()
    else ["what is a convolutional neural network?", "how do I start with git?"]
)


class Searcher(HttpUser):
    """A search-box user: one search about every 0.5 s."""

    weight = int(os.environ.get("RAG_LOAD_SEARCHERS", "20"))
    wait_time = between(0.25, 0.75)

    @task
    def search(self) -> None:
        self.client.post("/v1/search", json={"query": random.choice(QUESTIONS), "k": 5}, name="/v1/search")


class Asker(HttpUser):
    """A chat user: one question, then reading time."""

    weight = int(os.environ.get("RAG_LOAD_ASKERS", "4"))
    wait_time = between(1.0, 3.0)

    @task
    def ask(self) -> None:
        self.client.post("/v1/ask", json={"question": random.choice(QUESTIONS)}, name="/v1/ask", timeout=120)
