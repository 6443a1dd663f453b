"""Drafts: the sentence being written is shown only while its words so far are backed by a source."""

from __future__ import annotations

from service.drafts import draft_text
from service.writing import Checker, checked_units

SOURCES = [
    "Adam is a good default optimizer for most networks. SGD with momentum needs a tuned learning rate.",
    "Dropout randomly zeroes activations during training to reduce overfitting.",
]


def drafts_and_units(pieces: list[str]) -> list[tuple[str, str]]:
    check = Checker(SOURCES, min_support=0.6)
    return [(v, u) for v, u, _ in checked_units(iter(pieces), check, max_units=5, drafts=True)]


def test_a_supported_prefix_is_shown_without_markers_and_without_its_growing_word():
    assert draft_text("Adam is a good default optim", SOURCES, 0.6, frozenset()) == "Adam is a good default"
    assert draft_text("Adam is a good default [1", SOURCES, 0.6, frozenset()) == "Adam is a good"
    assert draft_text("Dropout randomly zeroes ", SOURCES, 0.6, frozenset()) == "Dropout randomly zeroes"


def test_a_draft_shows_the_line_being_written_not_the_label_above_it():
    rest = "Optimizer choices:\n* Adam is a good default opt"
    assert draft_text(rest, SOURCES, 0.6, frozenset()) == "Adam is a good default"
    echoed = "**Optimizers:** Adam is a good default opt"  # the prompt's label for source [1], copied
    assert draft_text(echoed, SOURCES, 0.6, frozenset(), labels=["Optimizers"]) == "Adam is a good default"
    assert draft_text("**Optimizers and ", SOURCES, 0.6, frozenset(), ["Optimizers and schedules"]) == ""
    wrapped = "Adam is a good\ndefault optim"  # a line break inside a sentence is not a new line
    assert Checker(SOURCES, min_support=0.6).draft(wrapped) == "Adam is a good default"


def test_nothing_is_shown_for_unbacked_words_code_or_a_decline():
    assert draft_text("Quantum blockchains invented ", SOURCES, 0.6, frozenset()) == ""
    assert draft_text("```python\nimport torch ", SOURCES, 0.6, frozenset()) == ""
    assert draft_text("```\nAdam is a good default ", SOURCES, 0.6, frozenset()) == ""  # supported, but code
    assert draft_text("The sources do not cover optimizer ", SOURCES, 0.6, frozenset()) == ""
    assert draft_text("Adam ", SOURCES, 0.6, frozenset()) == ""  # one word says nothing yet


def test_the_question_words_alone_are_not_enough_to_show_a_draft():
    given = frozenset({"adam", "optim"})
    assert draft_text("Adam optimizer is ", SOURCES, 0.6, given) == ""


def test_a_draft_grows_then_gives_way_to_the_checked_sentence():
    events = drafts_and_units(["Adam ", "is ", "a ", "good ", "default ", "optimizer [1]. ", "Next"])
    drafts = [u for v, u in events if v == "draft"]
    assert drafts == ["Adam is a good", "Adam is a good default"]  # from the second content word on
    assert ("ok", "Adam is a good default optimizer [1].") in events
    after = events[events.index(("ok", "Adam is a good default optimizer [1].")) + 1 :]
    assert all(v != "draft" or u == "" for v, u in after)  # "Next" alone is not a draft


def test_a_draft_that_turns_unbacked_is_taken_back():
    events = drafts_and_units(["Dropout ", "randomly ", "zeroes ", "quantum ", "blockchain ", "ledgers "])
    shown = [u for v, u in events if v == "draft"]
    assert shown[0] == "Dropout randomly" and shown[-1] == ""
    assert not any(v == "ok" for v, _ in events)


def test_without_drafts_only_checked_units_come_out():
    check = Checker(SOURCES, min_support=0.6)
    out = list(checked_units(iter(["Adam is a good ", "default optimizer [1]. "]), check, max_units=5))
    assert [v for v, _, _ in out] == ["ok"]
