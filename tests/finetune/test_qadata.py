"""Q&A import: validation with line numbers, all-or-nothing, CSV and JSONL, feedback export; corpus Q&A."""

from __future__ import annotations

import json
import random

import pytest

from finetune.corpus_qa import Passage, generate_pairs, questions_for
from finetune.qadata import QADataError, QAStore, load_qa_file, pairs_from_feedback


def write(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_jsonl_and_csv_import(tmp_path):
    f = write(
        tmp_path / "qa.jsonl",
        [
            {"question": "What is a tensor?", "answer": "An n-dimensional array.", "sources": ["torch.md"]},
            "",
            {"question": "What is SGD?", "answer": "Gradient descent."},
        ],
    )
    pairs = load_qa_file(f)
    assert [p.question for p in pairs] == ["What is a tensor?", "What is SGD?"] and pairs[0].sources == [
        "torch.md"
    ]
    c = tmp_path / "qa.csv"
    c.write_text('question,answer,sources\n"What is pandas?","A dataframe library.",pandas.md|io.md\n')
    assert load_qa_file(c)[0].sources == ["pandas.md", "io.md"]


def test_problems_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    f = write(
        tmp_path / "bad.jsonl",
        [
            {"question": "ok?", "answer": "fine"},
            {"question": "no answer"},
            {"question": "empty", "answer": "   "},
            "{broken json",
            {"question": "OK?", "answer": "duplicate of line 1"},
            {"question": "long", "answer": "x" * 5000},
        ],
    )
    with pytest.raises(QADataError) as e:
        load_qa_file(f)
    text = str(e.value)
    for expected in (
        "line 2: missing field 'answer'",
        "line 3: empty answer",
        "line 4: invalid JSON",
        "line 5: duplicate question (first on line 1)",
        "line 6: answer too long",
    ):
        assert expected in text
    store = QAStore(tmp_path / "home")
    assert store.all() == []


def test_store_adds_only_new_questions(tmp_path):
    store = QAStore(tmp_path)
    f = write(tmp_path / "a.jsonl", [{"question": "What is a GPU?", "answer": "A parallel processor."}])
    assert store.add(load_qa_file(f)) == (1, 0)
    assert store.add(load_qa_file(f)) == (0, 1)
    assert len(store.all()) == 1


def test_unsupported_or_missing_files(tmp_path):
    with pytest.raises(QADataError, match="no such file"):
        load_qa_file(tmp_path / "missing.jsonl")
    (tmp_path / "x.txt").write_text("q")
    with pytest.raises(QADataError, match="unsupported file type"):
        load_qa_file(tmp_path / "x.txt")
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(QADataError, match="no Q&A pairs"):
        load_qa_file(tmp_path / "empty.jsonl")


def test_feedback_rows_become_pairs():
    rows = [
        {
            "question": "What is Git?",
            "answer": "> Git tracks changes. [1]",
            "citations": json.dumps([{"path": "git.md"}]),
        },
        {"question": "", "answer": "x", "citations": "[]"},
    ]
    pairs = pairs_from_feedback(rows)
    assert len(pairs) == 1 and pairs[0].answer == "Git tracks changes. [1]" and pairs[0].sources == ["git.md"]


def test_corpus_questions_pair_with_the_answering_sentence():
    rng = random.Random(0)
    q, a = questions_for(
        "A DataFrame is a two-dimensional labeled data structure with columns of many types.", "Intro", rng
    )[0]
    assert "DataFrame" in q and q.endswith(("?", "DataFrame", "me")) and a.startswith("A DataFrame is")
    q, a = questions_for(
        "To save a trained model, call save_pretrained with an output folder.", "Saving", rng
    )[0]
    assert "save a trained model" in q and a.startswith("To save")
    q, a = questions_for(
        "**Early stopping:** stop training when the validation loss stops improving.", "Tips", rng
    )[0]
    assert "Early stopping" in q and a.startswith("Early stopping: stop")
    assert questions_for("This is a short one.", "x", rng) == []
    passages = [
        Passage("LoRA is a method that trains small low-rank matrices beside frozen weights.", "PEFT", "p.md")
    ]
    pairs = generate_pairs(passages, seed=1)
    assert len(pairs) == 1 and pairs[0].sources == ["p.md"] and pairs[0].origin == "corpus"


def test_corpus_questions_skip_vague_subjects():
    rng = random.Random(0)
    for sentence in (
        "The same is true for MultiIndex, but the logic is applied level by level here.",
        "A good compromise between these is a leaf size of thirty, the default value.",
        "More information is provided in the user guide for every estimator.",
    ):
        assert questions_for(sentence, "Intro", rng) == []
