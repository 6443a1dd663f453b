"""RAFT-style training examples (Zhang et al. 2024): the service's own prompt over retrieved sources with
distractors, the target answering from the right numbered source and citing it; a share without the
oracle source whose target is the decline sentence the service recognises."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from finetune.examples import Example
from finetune.qadata import QAPair
from index.hits import Hit
from index.retriever import Retriever
from ingest.text import content_terms, split_sentences
from service.answer_config import MODEL_DECLINE
from service.answering import AnswerPipeline
from service.grounding import Evidence, support_of

log = logging.getLogger(__name__)
DECLINE = MODEL_DECLINE  # what the system prompt asks for; the pipeline detects it


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[*`_>#]", "", text).lower().split())


def _overlap(answer: str, text: str) -> float:
    """Share of the answer's content words found in `text`."""
    terms = set(content_terms(answer))
    return len(terms & set(content_terms(text))) / len(terms) if terms else 0.0


def is_oracle(text: str, path: str, pair: QAPair) -> bool:
    """A source text that holds the pair's answer (or its stated context)."""
    if pair.context and _norm(pair.context)[:200] in _norm(text):
        return True
    return _overlap(pair.answer, text) >= 0.8 and (not pair.sources or path in pair.sources)


def _cite(answer: str, n: int, max_sentences: int = 3) -> str:
    """The reference answer with its source number after each sentence, as the prompt asks."""
    sentences = [s.strip() for s in split_sentences(answer.replace("\n", " ")) if s.strip()][:max_sentences]
    out = []
    for s in sentences or [answer.strip()]:
        s = re.sub(r"\s*\[\d+\]", "", s).rstrip()
        out.append(s + ("" if s.endswith((".", "!", "?")) else ".") + f" [{n}]")
    return " ".join(out)


def _plain(sentence: str) -> str:
    """An evidence sentence as an answer sentence: markdown emphasis and link targets out, words kept."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", sentence)
    return " ".join(re.sub(r"\*\*|__", "", text).split()).strip()


def _is_sentence(text: str) -> bool:
    """A whole sentence, not a title that happened to pass as a statement."""
    return len(text.split()) >= 6 and text.rstrip("*_` ").endswith((".", "!", "?", ")"))


def answer_target(
    pair: QAPair,
    evidence: list[Evidence],
    oracle: list[int],
    sources: list[str],
    *,
    min_support: float = 0.7,
    max_sentences: int = 2,
) -> str | None:
    """The reply the model is trained to give, or None when the shown evidence does not hold the answer.

    A hand-written answer is kept when each of its sentences passes the service's own faithfulness check
    against the oracle source; otherwise (and for Q&A generated from the corpus) the target is the shown
    oracle
    sentence that holds the answer, plus the next relevant one from the same source, each cited. Training on
    words the check would reject teaches the model to write answers the service then throws away."""
    shown = [e for e in evidence if e.n - 1 in oracle]
    if not shown or _overlap(pair.answer, " ".join(e.text for e in shown)) < 0.6:
        return None
    best = max(shown, key=lambda e: _overlap(pair.answer, e.text))
    if best.text.rstrip("*_ ").endswith((",", ";", "(", ":")):
        return None  # a sentence cut off in the source (a list follows): not a whole answer
    if pair.origin != "corpus":
        cited = _cite(pair.answer, best.n)
        if all(support_of(s, sources, [best.n]).coverage >= min_support for s in split_sentences(cited)):
            return cited
    q_terms = set(content_terms(pair.question))
    more = [
        e
        for e in shown
        if e is not best and e.n == best.n and q_terms & set(content_terms(e.text)) and _is_sentence(e.text)
    ]
    return " ".join(_cite(_plain(e.text), e.n, 1) for e in [best, *more][:max_sentences])


def to_prompt_numbers(target: str, hit_of: Sequence[int]) -> str | None:
    """The target's [n] (hit n) as the numbers the prompt gives those sources (the writing prompt lists the
    evidence's sources first); None when the prompt does not show a cited source."""
    prompt_of = {h + 1: p for p, h in enumerate(hit_of, start=1)}
    cited = [int(n) for n in re.findall(r"\[(\d{1,2})\]", target)]
    if any(n not in prompt_of for n in cited):
        return None
    return re.sub(r"\[(\d{1,2})\]", lambda m: f"[{prompt_of[int(m.group(1))]}]", target)


def _oracle_hit(pair: QAPair, template: Hit) -> Hit:
    """A stand-in hit for the pair's own context when retrieval missed it (RAFT always shows the oracle)."""
    return replace(
        template,
        id=-1,
        text=pair.context,
        path=pair.sources[0] if pair.sources else "context",
        heading=template.heading,
        score=0.0,
    )


class ExampleBuilder:
    """Builds examples with the service's retriever, evidence selection and prompt."""

    def __init__(
        self, retriever: Retriever, pipeline: AnswerPipeline, *, decline_share: float = 0.12, seed: int = 0
    ) -> None:
        self.r, self.pipeline = retriever, pipeline
        self.decline_share, self.rng = decline_share, random.Random(seed)

    def build(self, pair: QAPair) -> Example | None:
        hits = self.r.search(pair.question, self.pipeline.cfg.k)
        if not hits:
            return None
        oracle = [i for i, h in enumerate(hits) if is_oracle(h.text, h.path, pair)]
        if self.rng.random() < self.decline_share:
            return self._decline(pair, [h for i, h in enumerate(hits) if i not in oracle])
        if not oracle:
            if not pair.context:
                return None
            pos = self.rng.randrange(len(hits))
            hits = hits[:pos] + [_oracle_hit(pair, hits[pos])] + hits[pos + 1 :]
            oracle = [pos]
        evidence = self.pipeline.select_evidence(pair.question, hits, self.r)
        target = answer_target(
            pair,
            evidence,
            oracle,
            [h.text for h in hits],
            min_support=self.pipeline.cfg.min_support,
            max_sentences=self.pipeline.cfg.max_sentences,
        )
        if target is None:
            return None  # the evidence the model would see does not hold the answer: no honest target
        messages, sources = self.pipeline.messages_for(pair.question, evidence, hits)
        target = to_prompt_numbers(target, [s.hit for s in sources])
        if target is None:
            return None  # the prompt left the cited source out
        return Example(messages + [{"role": "assistant", "content": target}], "answer", pair.question)

    def _decline(self, pair: QAPair, hits: list[Hit]) -> Example | None:
        hits = [h for h in hits if _overlap(pair.answer, h.text) < 0.5]
        if not hits:
            return None
        evidence = self.pipeline.select_evidence(pair.question, hits, self.r)
        if not evidence or _overlap(pair.answer, " ".join(e.text for e in evidence)) >= 0.4:
            return None
        messages = self.pipeline.messages_for(pair.question, evidence, hits)[0]
        return Example(messages + [{"role": "assistant", "content": DECLINE}], "decline", pair.question)

    def build_all(
        self, pairs: Iterable[QAPair], progress: Callable[[int], None] | None = None
    ) -> list[Example]:
        out = []
        for i, pair in enumerate(pairs):
            ex = self.build(pair)
            if ex is not None:
                out.append(ex)
            if progress:
                progress(i + 1)
        log.info("built %d examples (%d decline)", len(out), sum(e.kind == "decline" for e in out))
        return out
