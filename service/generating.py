"""The model's turn: generation over the prompt's sources, its output checked unit by unit as it streams."""

from __future__ import annotations

import collections.abc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from index.hits import Hit
from service.answer_config import AnswerConfig
from service.codelines import fence_code_runs
from service.composition import Composition
from service.events import Answer, Draft
from service.grounding import Evidence, claim_terms
from service.llm import GenerationConfig, Generator
from service.prompting import PromptSource
from service.writing import Checker, checked_units, labels_only, on_topic_check

log = logging.getLogger(__name__)

Prompt = Callable[[str, list[Evidence], list[Hit], int], tuple[list[dict], list[PromptSource]]]


def ms_since(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


@dataclass(frozen=True)
class Writer:
    """Writes one answer's generated units: the generator, the answer settings, the prompt maker (question,
    evidence, hits, sources at most -> messages and the source each number stands for), the embedder, and a
    term's weight in the support check (service/confidence.py: TermStats.claim_weight)."""

    generator: Generator
    cfg: AnswerConfig
    prompt: Prompt
    embed: Callable[[list[str]], np.ndarray]
    weight: Callable[[str], float] | None = None

    def write(
        self,
        question: str,
        evidence: list[Evidence],
        hits: list[Hit],
        ans: Answer,
        comp: Composition,
        retry_decline: bool = False,
    ) -> collections.abc.Generator[str | Draft, None, bool]:
        """Generated units (sentences, code blocks) that pass the faithfulness check, citations renumbered,
        as each one completes; returns whether the model declined before saying anything. A pass that wrote
        only source labels ("[1] [2]": the 0.5B model does on some prompts, whatever it is asked), or declined
        when `retry_decline` (retrieval says the sources cover the question), is tried again on the best
        source alone, where it writes (README, "Answers")."""
        given = frozenset(claim_terms(question))  # the question's terms: restating them claims nothing
        floors = self.cfg.min_relevance, self.cfg.min_relevance_new_source
        on_topic = on_topic_check(question, self.embed, *floors)
        declined = False
        for max_sources in dict.fromkeys((self.cfg.prompt_sources, 1)):
            messages, sources = self.prompt(question, evidence, hits, max_sources)
            # a second pass begins as the first did: llama.cpp re-reads only the rest (0.22 s against 2.3 s)
            again = max_sources != self.cfg.prompt_sources
            texts, labels = [hits[s.hit].text for s in sources], [s.heading for s in sources]
            checker = Checker(texts, self.cfg.min_support, given, labels, on_topic, self.weight)
            raw: list[str] = []
            gen = replace(self.cfg.generation, reuse_prompt=again)
            declined = yield from self._pass(messages, [s.hit for s in sources], checker, ans, comp, raw, gen)
            if comp.sentences or (declined and not retry_decline):
                return declined
            if not declined and not labels_only("".join(raw)):
                return False
            log.debug("nothing written (%r); trying the best source alone", "".join(raw))
        return declined

    def _pass(
        self,
        messages: list[dict],
        hit_of: list[int],
        checker: Checker,
        ans: Answer,
        comp: Composition,
        raw: list[str],
        generation: GenerationConfig,
    ) -> collections.abc.Generator[str | Draft, None, bool]:
        """One generation over the prompt's sources (the hit each number stands for), its units checked by
        `checker` (its output also gathered in `raw`), decoded with `generation`."""
        prompt_tokens = sum(self.generator.count_tokens(m["content"]) for m in messages)
        ans.usage["prompt_tokens"] = ans.usage.get("prompt_tokens", 0) + prompt_tokens
        stream = self.generator.stream(messages, generation)
        counted, t_gen = [0], time.perf_counter()

        def pieces() -> Iterator[str]:
            for piece in stream:
                counted[0] += 1
                raw.append(piece)
                yield piece

        try:
            units = checked_units(pieces(), checker, self.cfg.max_sentences, drafts=True)
            for verdict, unit, _ in fence_code_runs(units, checker):
                if verdict == "draft":
                    ans.timings.setdefault("first_draft_ms", ms_since(comp.started))
                    yield Draft(unit)
                elif verdict == "declined":
                    return not comp.sentences
                else:
                    yield comp.numbering.renumber(unit, hit_of)
            return False
        finally:
            stream.close()  # stops generation that is still running
            ans.usage["completion_tokens"] = ans.usage.get("completion_tokens", 0) + counted[0]
            gen_s = time.perf_counter() - t_gen
            ans.timings["tokens_per_s"] = round(counted[0] / gen_s, 1) if gen_s > 0 else 0.0
