"""The answer pipeline with a tiny in-code generator: faithfulness check, quotes, abstention, streaming."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.embedders import HashingEmbedder
from index.retriever import Retriever
from service.answer_config import AnswerConfig
from service.answering import AnswerPipeline
from service.events import Citations, Done, Draft, Sources, Token
from service.followups import condense
from service.grounding import citations_in, select_evidence, split_sentences, support_of
from service.ingestion import SourceRequest, ingest_sources
from service.writing import Checker


class ScriptedGenerator:
    """Replies with a fixed text, piece by piece, like a real streaming model."""

    name, device, context_window = "scripted", "cpu", 2048

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[list[dict]] = []

    def stream(self, messages, cfg) -> Iterator[str]:
        self.prompts.append(messages)
        for word in self.reply.split(" "):
            yield word + " "

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def retriever(hashing_settings, tiny_corpus) -> Retriever:
    emb = HashingEmbedder()
    ingest_sources(hashing_settings, emb, [SourceRequest(str(tiny_corpus))])
    return Retriever.open(hashing_settings.home, emb)


def pipeline(retriever, reply: str, **cfg) -> tuple[AnswerPipeline, ScriptedGenerator]:
    gen = ScriptedGenerator(reply)
    return AnswerPipeline(retriever=lambda: retriever, generator=gen, cfg=AnswerConfig(**cfg)), gen


def test_supported_sentence_is_kept_and_cited(retriever):
    p, gen = pipeline(retriever, "Convolution layers slide filters over images to detect edges [1]. ")
    ans = p.answer("what do convolution layers in CNNs do with images?")
    assert ans.mode == "generated" and "slide filters over images" in ans.answer
    assert ans.citations and "[" in ans.answer
    assert "Sources:" in gen.prompts[0][1]["content"]


def test_invented_sentence_is_dropped_for_quotes(retriever):
    p, _ = pipeline(retriever, "Quantum blockchains invented convolution in 1802 on Mars [1]. ")
    ans = p.answer("what do convolution layers in CNNs do with images?")
    assert ans.mode == "extractive" and "Mars" not in ans.answer
    assert ans.answer.startswith("> ") and "[1]" in ans.answer  # quotes numbered from 1 whatever the hit


def test_unknown_terms_abstain_with_closest_sections(retriever):
    p, gen = pipeline(retriever, "anything")
    ans = p.answer("how do I deploy kubernetes helm charts on openshift clusters?")
    assert ans.abstained and ans.mode == "abstained" and "do not cover" in ans.answer
    assert not gen.prompts  # abstention happens before generation


def test_stream_events_order_and_text(retriever):
    p, _ = pipeline(retriever, "Adam and SGD with momentum are the usual choices [1]. ")
    events = list(p.stream("which optimizers are the usual choices?"))
    kinds = [type(e) for e in events]
    assert kinds[0] == Sources and kinds[-2:] == [Citations, Done] and Token in kinds[1:-2]
    assert set(kinds[1:-2]) <= {Draft, Token}
    assert events[0].sources[0]["title"] and events[-1].answer.timings["first_event_ms"] < 5000
    assert "".join(e.text for e in events if isinstance(e, Token)) == events[-1].answer.answer


def test_the_sentence_being_written_streams_as_drafts_before_its_checked_token(retriever):
    reply = "Convolution layers slide filters over images to detect edges [1]. "
    p, _ = pipeline(retriever, reply, lead_with="generated")
    events = list(p.stream("what do convolution layers in CNNs do with images?"))
    drafts = [e.text for e in events if isinstance(e, Draft)]
    first_token = next(i for i, e in enumerate(events) if isinstance(e, Token))
    assert drafts and all(isinstance(e, (Sources, Draft)) for e in events[:first_token])
    assert all(events[first_token].text.startswith(d) and "[" not in d for d in drafts)
    assert len(drafts) == len(set(drafts)) and drafts == sorted(drafts, key=len)  # each adds words
    ans = events[-1].answer
    assert 0 < ans.timings["first_draft_ms"] <= ans.timings["ttft_ms"]


def test_extractive_only_without_generator(retriever):
    p = AnswerPipeline(retriever=lambda: retriever, generator=None, cfg=AnswerConfig(generate=False))
    ans = p.answer("how does k-fold cross-validation split the data?")
    assert ans.mode == "extractive" and "fold" in ans.answer.lower()


def test_condense_joins_follow_ups():
    hist = [{"role": "user", "content": "what is a CNN?"}, {"role": "assistant", "content": "..."}]
    assert condense("and how is it trained?", hist) == "what is a CNN, and how is it trained?"
    assert condense("what is gradient boosting in scikit-learn exactly?", hist).startswith("what is gradient")


def test_a_short_question_that_names_its_own_topic_starts_a_new_thread():
    hist = [{"role": "user", "content": "what is a CNN?"}, {"role": "assistant", "content": "..."}]
    topical = {"faiss", "rnns"}

    def names(q: str) -> bool:
        return any(w.strip("?").lower() in topical for w in q.split())

    assert condense("how do I install faiss?", hist, names) == "how do I install faiss?"
    assert condense("how do I install faiss?", hist) == "what is a CNN, how do I install faiss?"  # no stats
    assert condense("what next?", hist, names) == "what is a CNN, what next?"  # short, no topic: leans back
    assert condense("what about RNNs?", hist, names) == "what is a CNN, what about RNNs?"  # points back
    assert condense("is it used for faiss?", hist, names).startswith("what is a CNN,")


def test_a_follow_up_is_gated_and_answered_as_its_self_contained_question(retriever):
    """'and where is it described?' alone holds no word of the sources: joined to the previous question it is
    answered, not refused, and the model reads what 'it' stands for."""
    p, gen = pipeline(retriever, "Convolution layers slide filters over images to detect edges [1]. ")
    hist = [{"role": "user", "content": "what do convolution layers in CNNs do with images?"}]
    hist.append({"role": "assistant", "content": "They slide filters over images."})
    alone = p.answer("and where is it described?")
    assert alone.abstained
    ans = p.answer("and where is it described?", hist)
    assert not ans.abstained and ans.mode == "generated" and ans.question == "and where is it described?"
    assert "convolution layers in CNNs" in gen.prompts[-1][1]["content"]


def test_grounding_helpers():
    assert citations_in("a [1] b [3] c [9]", 3) == [1, 3]
    assert split_sentences("* one item here\n* two items there\n```\nx = compute_things(1)\n```") == [
        "one item here",
        "two items there",
        "`x = compute_things(1)`",
    ]
    assert (
        support_of(
            "filters detect edges in images [1]", ["Convolution filters detect edges in images."], [1]
        ).coverage
        == 1.0
    )
    ev = select_evidence(
        "which optimizer?",
        ["Adam is a good default optimizer for deep nets.", "Bananas are yellow fruit."],
        HashingEmbedder().embed,
        max_sentences=1,
    )
    assert ev[0].n == 1


def test_expected_answer_type_must_be_in_the_evidence():
    from service.confidence import missing_answer_type

    assert missing_answer_type("When is NeurIPS happening?", ["NeurIPS is a big conference."]) == "a date"
    assert missing_answer_type("When is NeurIPS happening?", ["NeurIPS 2026 runs in December."]) == ""
    assert missing_answer_type("How much does the course cost?", ["A great course on MLOps."]) == "a price"
    assert missing_answer_type("How much does the course cost?", ["It costs $49 a month."]) == ""
    assert missing_answer_type("when do I need the functional API?", ["x"]) == ""
    assert missing_answer_type("how much does my model rely on one column?", ["x"]) == ""


def test_wrapped_prose_is_joined_and_rst_titles_are_not_statements():
    text = (
        "Model evaluation\n================\n\nA cross validation\n"
        "strategy is recommended for a better estimate"
        " of the accuracy, if it\nis not too costly. See the guide.\n\n* a list item\n  continued here\n"
    )
    assert split_sentences(text) == [
        "A cross validation strategy is recommended for a better estimate of the "
        "accuracy, if it is not too costly.",
        "See the guide.",
        "a list item continued here",
    ]
    fenced = "```\nx = compute(1,\n    abc)\n```"
    assert split_sentences(fenced) == ["`x = compute(1,`"]  # code lines are never joined
    docstring = '"""\nTrains a small model on the data.\n"""\n'
    assert (
        split_sentences(docstring)[1] == "Trains a small model on the data."
    )  # a closing """ is not an underline


def test_sentence_citing_the_wrong_source_is_re_cited():
    sources = [
        "Adam and SGD with momentum are the usual choices.",
        "Convolution layers slide filters over images.",
    ]
    check = Checker(sources, min_support=0.7).check
    assert check("Convolution layers slide filters over images. [1]")[:2] == (
        "ok",
        "Convolution layers slide filters over images. [2]",
    )
    assert check("Convolution layers slide filters over images.")[1].endswith("[2]")
    assert check("Adam and SGD with momentum are the usual choices. [1]")[1].endswith("[1]")
    assert check("Quantum blockchains were invented on Mars. [1]")[0] == "unsupported"
    assert check("The sources do not cover this.")[0] == "declined"


def test_repetition_penalty_spares_the_prompt():
    import torch

    from service.llm.hf import _AnswerRepetitionPenalty

    scores = torch.full((1, 6), 2.0)
    ids = torch.tensor([[1, 2, 3, 4]])  # tokens 1-3 are the prompt, 4 was generated
    out = _AnswerRepetitionPenalty(2.0, prompt_len=3)(ids, scores.clone())
    assert out[0, 4] == 1.0 and out[0, 1] == out[0, 2] == out[0, 3] == out[0, 5] == 2.0


def test_re_citing_prefers_the_previous_sentence_source_on_a_tie():
    check = Checker(["Pick an action in each state.", "The policy picks an action in each state."], 0.7).check
    assert check("Pick an action in each state. [9]", prefer=(2,))[1].endswith("[2]")
    assert check("Pick an action in each state.")[1].endswith("[1]")


def test_quotes_after_a_generated_answer_none_cited_or_all(retriever):
    from service.composition import Composition
    from service.grounding import Evidence

    evidence = [Evidence("Adam is a good default.", 1, 0.9, 0), Evidence("SGD needs tuning.", 2, 0.8, 0)]
    comp = Composition()
    comp.numbering.number(0)  # the answer cited the first hit
    picks = {
        mode: pipeline(retriever, "x", quotes_after_answer=mode)[0]._quotes_after(evidence, comp)
        for mode in ("none", "cited", "all")
    }
    assert picks == {"none": [], "cited": evidence[:1], "all": evidence}


def test_citation_titles_are_short_and_without_emoji():
    from service.events import display_title

    long = "Data Science Roadmap 2025 - Foundations: Data Manipulation - Taming the Data Beast! 🦁 and more"
    shown = display_title(long)
    assert len(shown) <= 80 and "🦁" not in shown and shown.endswith("…") and shown.startswith("Data Science")
    assert display_title("Probability calibration") == "Probability calibration"


def test_an_abstention_lists_the_closest_sections_by_display_names():
    from index.hits import Hit
    from service.events import closest_sections

    hit = Hit(
        id=1, text="x", score=0.1, source="roadmap/a.md", location="/srv/a.md", source_id="roadmap",
        path="a.md", title="Data Manipulation - Taming the Data Beast! 🦁",
        heading="Data Manipulation 🦁 > 🐼 **Pandas** basics", url="https://example.org/a#pandas",
        anchor="pandas", start=0, end=1, doc_id="d",
    )  # fmt: skip
    lines = closest_sections([hit]).strip().splitlines()
    assert lines == [
        "The closest sections I found:",
        "- Data Manipulation - Taming the Data Beast > Pandas basics (https://example.org/a#pandas)",
    ]
    assert closest_sections([]) == ""


def test_an_abstention_names_each_section_once():
    from dataclasses import replace

    from index.hits import Hit
    from service.events import distinct_sections

    first = Hit(
        id=1, text="x", score=0.3, source="r/a.md", location="/a.md", source_id="r", path="a.md",
        title="A", heading="Nav", url="", anchor="nav", start=0, end=1, doc_id="d",
    )  # fmt: skip
    same = replace(first, id=2, start=2, end=3)  # the same section's next chunk
    other_page = replace(first, id=3, doc_id="e")  # a same-named section of another page
    other = replace(first, id=4, anchor="who", heading="Who")
    assert [h.id for h in distinct_sections([first, same, other_page, other], 3)] == [1, 3, 4]
    assert [h.id for h in distinct_sections([first, same, other], 2)] == [1, 4]


def test_the_pipeline_reads_a_topical_short_question_on_its_own(retriever):
    p, gen = pipeline(retriever, "Adam and SGD with momentum are the usual choices [1].")
    hist = [
        {"role": "user", "content": "what do CNNs slide over images?"},
        {"role": "assistant", "content": "."},
    ]
    p.answer("which optimizers are usual?", history=hist)
    asked = gen.prompts[-1][-1]["content"]
    assert "optimizers are usual" in asked and "slide over images" not in asked
    p.answer("and what about time series?", history=hist)  # points back: read with the previous question
    assert "slide over images" in gen.prompts[-1][-1]["content"]


class SequenceGenerator(ScriptedGenerator):
    """Replies with the next of its fixed texts on each call."""

    def __init__(self, *replies: str) -> None:
        super().__init__(replies[0])
        self.replies = list(replies)

    def stream(self, messages, cfg) -> Iterator[str]:
        self.reply = self.replies[min(len(self.prompts), len(self.replies) - 1)]
        return super().stream(messages, cfg)


def test_an_output_of_source_labels_only_is_written_again_on_the_best_source(retriever):
    gen = SequenceGenerator("[1] [2]", "Convolution layers slide filters over images to detect edges [1]. ")
    p = AnswerPipeline(
        retriever=lambda: retriever, generator=gen, cfg=AnswerConfig(prompt_sources=2, prompt_chars=160)
    )
    ans = p.answer("what do convolution layers in CNNs do with images?")
    assert len(gen.prompts) == 2 and ans.mode == "generated" and "slide filters" in ans.answer
    first, second = (m[1]["content"] for m in gen.prompts)
    assert "[2]" in first and "[2]" not in second  # the second pass reads the best source alone
    # ... as the first pass showed it, so the second prompt begins as the first did (llama.cpp reuses that)
    assert first.startswith(second.split("\n\n[2]")[0].split("\n\nQuestion:")[0])
    assert ans.usage["prompt_tokens"] > len(second.split())  # both passes counted


def test_an_output_with_words_is_not_written_again(retriever):
    gen = SequenceGenerator("Quantum blockchains invented convolution on Mars [1].", "unused")
    p = AnswerPipeline(retriever=lambda: retriever, generator=gen, cfg=AnswerConfig())
    assert p.answer("what do convolution layers in CNNs do with images?").mode == "extractive"
    assert len(gen.prompts) == 1


def test_a_decline_the_retrieval_contradicts_is_written_again_on_the_best_source(retriever):
    from service.answer_config import MODEL_DECLINE

    replies = (f"[1] {MODEL_DECLINE}", "Convolution layers slide filters over images to detect edges [1]. ")
    question = "what do convolution layers in CNNs do with images?"
    gen = SequenceGenerator(*replies)
    p = AnswerPipeline(retriever=lambda: retriever, generator=gen, cfg=AnswerConfig(trust_decline_below=0.5))
    ans = p.answer(question)
    assert ans.confidence["coverage"] >= 0.5 and len(gen.prompts) == 2 and ans.mode == "generated"
    # when retrieval is weak too, the decline stands: no second pass, the answer abstains
    gen = SequenceGenerator(*replies)
    p = AnswerPipeline(retriever=lambda: retriever, generator=gen, cfg=AnswerConfig(trust_decline_below=1.01))
    assert p.answer(question).abstained and len(gen.prompts) == 1
