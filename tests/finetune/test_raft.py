"""RAFT targets: what the model is trained to say from the evidence it is shown."""

from __future__ import annotations

from finetune.qadata import QAPair
from finetune.raft import answer_target, to_prompt_numbers
from service.grounding import Evidence

SOURCES = [
    "**Policy:** the agent's strategy, a mapping from states to actions. "
    "The policy says which action to take in each state.",
    "Rewards are numbers the environment returns after each action.",
]
EVIDENCE = [
    Evidence("**Policy:** the agent's strategy, a mapping from states to actions.", 1, 0.9, 0),
    Evidence("Rewards are numbers the environment returns after each action.", 2, 0.5, 0),
    Evidence("The policy says which action to take in each state.", 1, 0.4, 1),
]


def test_corpus_pair_target_is_the_shown_oracle_sentence_cited():
    pair = QAPair(
        "what is a policy in RL?",
        "Policy: the agent's strategy, a mapping from states to actions.",
        origin="corpus",
    )
    target = answer_target(pair, EVIDENCE, [0], SOURCES)
    assert target == (
        "Policy: the agent's strategy, a mapping from states to actions. [1] "
        "The policy says which action to take in each state. [1]"
    )


def test_hand_written_answer_is_kept_only_when_the_source_supports_it():
    kept = QAPair("what is a policy?", "A policy maps states to actions: the agent's strategy.")
    assert (
        answer_target(kept, EVIDENCE, [0], SOURCES)
        == "A policy maps states to actions: the agent's strategy. [1]"
    )
    loose = QAPair(
        "what is a policy?",
        "A policy is the agent's strategy, a mapping from states to actions, "
        "learned with deep networks on Atari.",
    )
    target = answer_target(loose, EVIDENCE, [0], SOURCES)
    assert target is not None and "Atari" not in target and target.startswith("Policy: the agent's strategy")


def test_no_target_when_the_oracle_is_not_shown_or_cut_off():
    pair = QAPair("what is a policy?", "Policy: the agent's strategy, a mapping from states to actions.")
    assert answer_target(pair, EVIDENCE[1:2], [0], SOURCES) is None
    cut = [Evidence("Policy: the agent's strategy, a mapping from states to actions, such as:", 1, 0.9, 0)]
    assert answer_target(pair, cut, [0], SOURCES) is None


def test_targets_cite_the_numbers_the_prompt_shows():
    # the writing prompt lists the evidence's sources first: hits 3 and 1 are shown as [1] and [2]
    assert to_prompt_numbers("Adam adapts rates [3]. SGD does not [1].", [2, 0, 1]) == (
        "Adam adapts rates [1]. SGD does not [2]."
    )
    assert to_prompt_numbers("Adam adapts rates [1].", [0, 1, 2]) == "Adam adapts rates [1]."
    assert to_prompt_numbers("Adam adapts rates [4].", [0, 1, 2]) is None  # the prompt left hit 4 out
