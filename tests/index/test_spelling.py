"""Question words the index never uses are corrected to its own frequent words, and only those."""

from __future__ import annotations

from index.spelling import Speller, _distance, word_counts

TEXTS = [
    "Gradient descent follows the gradient downhill. Stochastic gradient descent samples batches.",
    "Backpropagation computes the gradient of the loss; descent steps use it. Decent defaults help.",
    "Overfitting: the model memorises noise. Regularization and dropout reduce overfitting.",
    "Julian dates count days. Tokenizer padding side matters for the tokenizer of decoder models.",
] * 3


def test_misspelt_words_become_the_index_words_they_stand_for():
    speller = Speller(word_counts(TEXTS))
    assert speller.correct("wht is gradiant desent?") == "wht is gradient descent?"
    assert (
        speller.correct("explain backpropogation and overfiting") == "explain backpropagation and overfitting"
    )
    assert speller.correct("Tokenizr padding") == "Tokenizer padding"


def test_known_words_short_words_and_far_words_stay():
    speller = Speller(word_counts(TEXTS + ["dump the shows"] * 3))
    assert (
        speller.correct("a lump of shoes") == "a lump of shoes"
    )  # English words, though the index lacks them
    for text in (
        "Which Julia packages?",
        "use the GPU",
        "quantum chromodynamics",
        "gradient descent",
        "a Graidant",
    ):
        assert speller.correct(text) == text


def test_rare_words_are_not_trusted_as_corrections():
    assert "gradiant" not in word_counts(["one gradiant typo", *TEXTS])
    assert word_counts(["gradient"] * 2) == {}


def test_damerau_distance_counts_a_swap_as_one_edit():
    assert _distance("descent", "desecnt") == 1 and _distance("gradient", "gradiant") == 1
    assert _distance("abc", "xyz") == 3 and _distance("", "ab") == 2


def test_the_retriever_searches_with_the_corrected_question(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ml.md").write_text("# Optimisation\n\n" + "\n\n".join(TEXTS[:4]) + "\n")
    (notes / "other.md").write_text("# Other\n\nUnrelated words about cooking pasta and tomatoes.\n")
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(notes))])
    retriever = open_retriever(hashing_settings, embedder)
    assert retriever.corrected("wht is gradiant desent") == "wht is gradient descent"
    off = open_retriever(hashing_settings.model_copy(update={"spell_correct": False}), embedder)
    assert off.corrected("gradiant") == "gradiant"
    assert [h.path for h in retriever.search("gradiant desent", 1, mode="bm25")] == ["ml.md"]
    assert off.search("gradiant desent", 1, mode="bm25") == []  # no document has either word
