"""BM25 tokens: the plural of an acronym meets its singular, in the index and in the question."""

from __future__ import annotations

from index.lexical import LexicalIndex, _tokenize


def test_acronym_plurals_meet_their_singular_and_other_words_keep_their_stems():
    tokens = _tokenize(["CNNs beat MLPs on GPUs; LLMs use APIs.", "class status branches"], return_ids=False)
    assert tokens[0] == ["cnn", "beat", "mlp", "gpu", "llm", "use", "api"]
    assert tokens[1] == ["class", "statu", "branch"]  # "ss" stays; a clipped word still meets itself
    assert _tokenize(["how many gpus?"], return_ids=False)[0][-1] == "gpu"


def test_a_question_on_a_cnn_finds_a_text_on_cnns():
    lex = LexicalIndex.build(["Convolutional networks (CNNs) slide filters over images.", "Tables of sales."])
    ids, scores = lex.search("what is a CNN?", k=2)
    assert ids.tolist() == [0] and scores[0] > 0
    ids, _ = lex.search("status of the sale", k=2)
    assert ids.tolist() == [1]
