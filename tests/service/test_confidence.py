"""Retrieval confidence: the coverage gate reads the question's rare terms the way BM25 does."""

from __future__ import annotations

from ingest.text import content_terms
from service.confidence import TermStats, term_coverage


def test_an_acronym_question_is_covered_by_text_on_its_plural():
    # "CNN vs RNN?" was refused: Snowball keeps "cnns" and "rnns", so the question's terms met nothing
    texts = [
        "CNNs slide filters over images; RNNs carry a state through sequences.",
        "Tables of monthly sales.",
    ]
    stats = TermStats(texts)
    assert term_coverage("what are a CNN and an RNN?", texts[:1], stats) == 1.0
    assert term_coverage("what are a CNN and an RNN?", texts[1:], stats) == 0.0


def test_plural_rule_keeps_ordinary_stems_apart():
    assert content_terms("branches status class GPUs") == ["branch", "statu", "class", "gpu"]


def test_a_question_of_common_words_names_no_topic_for_the_coverage_gate():
    from service.confidence import names_a_topic

    texts = [f"Step {i}: first learn the basics, then practise on a project." for i in range(40)]
    stats = TermStats([*texts, "Kubeflow runs pipelines on Kubernetes."])

    def names(question: str) -> bool:
        return names_a_topic(set(content_terms(question)), stats, 0.01)

    assert not names("what should I learn first?")  # "first" is in 40 of 41 chunks
    assert names("how do I use kubeflow?")  # in one chunk: a topic
    assert names("what is TPOT?")  # in none: a topic the sources lack


def _hit(text: str, dense: float):
    from index.hits import Hit

    fields = dict(
        source="s",
        location="s",
        source_id="s",
        path="p.md",
        title="t",
        heading="h",
        url="",
        anchor="",
        doc_id="d",
    )
    return Hit(id=0, text=text, score=0.1, **fields, start=0, end=len(text), scores={"dense": dense})


def test_a_question_far_from_every_retrieved_unit_and_chunk_is_off_domain():
    import numpy as np

    from index.embedders import HashingEmbedder
    from service.confidence import off_domain

    emb, calls = HashingEmbedder(), []

    def embed(texts):
        calls.append(texts)
        return emb.embed(texts)

    def vec(question: str):
        return emb.embed([question])[0]

    hits = [_hit("Convolution layers slide filters over images.", 0.2), _hit("Git tracks changes.", 0.1)]
    assert off_domain(vec("what is the capital of france?"), hits, embed, floor=0.73)
    assert calls  # the unit scores alone left it in doubt, so the chunks were embedded
    assert calls[0] == [h.text for h in hits]  # the question's own vector is given, not embedded again
    assert not off_domain(vec("convolution layers slide filters over images"), hits, embed, floor=0.73)
    calls.clear()
    close = [_hit("Convolution layers slide filters over images.", 0.7)]
    assert not off_domain(vec("what do convolution layers do?"), close, embed, floor=0.73)
    assert not calls  # a close unit settles it without embedding the chunks again
    assert not off_domain(np.zeros(4), [], lambda texts: np.zeros((len(texts), 4)), floor=0.73)


def test_the_off_domain_floor_is_set_for_the_builtin_embedder_only(tmp_path):
    from service.config import OFF_DOMAIN_FLOORS, Settings

    builtin = Settings(home=tmp_path)
    assert builtin.answer_config().off_domain_floor == OFF_DOMAIN_FLOORS[builtin.embedder] > 0
    assert Settings(home=tmp_path, embedder=str(tmp_path / "my-model")).answer_config().off_domain_floor == 0
    assert Settings(home=tmp_path, embedder_backend="hashing").answer_config().off_domain_floor == 0
    assert Settings(home=tmp_path, abstain_off_domain_floor=0.5).answer_config().off_domain_floor == 0.5


def test_a_name_in_capitals_the_index_never_mentions_is_unseen():
    from service.confidence import unseen_names

    stats = TermStats(["Fit a pipeline with sklearn.", "ARIMA is not here", "Export to ONNX."])
    assert unseen_names("how do I export a sklearn pipeline to PMML?", stats) == ["PMML"]
    assert unseen_names("export my model to ONNX or PMML?", stats) == ["PMML"]  # ONNX is in the index
    assert unseen_names("how do I stop package versions clashing?", stats) == []  # lower case says little
    assert unseen_names("what are CNNs?", TermStats(["a CNN slides filters"])) == []  # the plural meets it


def test_a_long_word_that_is_no_english_word_and_no_form_of_a_question_term_is_an_unseen_name():
    from service.confidence import unseen_names

    stats = TermStats(["Build faiss with cmake, then import faiss.", "A pipeline for speech recognition."])
    english = frozenset({"speaker", "pipeline", "built", "cmake"})

    def names(question: str) -> list[str]:
        return unseen_names(question, stats, known=lambda: english)

    assert names("can a pipeline do speaker diarization") == ["diarization"]
    assert names("built libfaiss with cmake, how do i import faiss") == []  # a form of a question term
    assert names("noob q: what is a pipeline") == []  # short words say little
    assert names("WHAT IS A PIPELINE") == []  # capitals that are only stop words name nothing
    assert names("how do i build faiss") == []  # every word is in the index


def test_the_english_dictionary_spares_casual_words_the_index_lacks():
    from service.confidence import unseen_names

    stats = TermStats(["Keep each project's dependencies in a virtual environment."])
    assert unseen_names("my coworkers keep clashing package versions forever", stats) == []
    assert unseen_names("can i deploy it with streamlit", stats) == ["streamlit"]


def test_a_claimed_term_weighs_by_its_rarity_and_a_number_as_a_rare_word():
    stats = TermStats(["train the model", "train a model", "train with dropout", *["filler text"] * 97])
    assert stats.claim_weight("dropout") > stats.claim_weight("model") > stats.claim_weight("train")
    assert stats.claim_weight("0.3") == stats.claim_weight("42") > stats.claim_weight("train")
