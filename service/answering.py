"""The answer pipeline: condense, retrieve, decide to abstain, generate, check faithfulness, fall back to
quotes."""

from __future__ import annotations

import collections.abc
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources

from index.hits import Hit
from index.retriever import Retriever
from ingest.text import complete_sentences, content_terms
from service.answer_config import DECLINE_PATTERN, MODEL_DECLINE, NOT_COVERED, AnswerConfig
from service.confidence import TermStats, missing_answer_type, term_coverage
from service.events import Answer, Citations, Done, Event, Token, citation_of
from service.followups import condense
from service.grounding import Evidence, citations_in, select_evidence, strip_citations, support_of
from service.llm import Generator

log = logging.getLogger(__name__)


def load_prompt(name: str) -> str:
    """A prompt file; `{decline}` stands for the one sentence the model is asked to decline with."""
    text = resources.files("service.prompts").joinpath(name).read_text(encoding="utf-8")
    return text.replace("{decline}", MODEL_DECLINE)


class AnswerPipeline:
    """Owns nothing heavy itself: it borrows the current retriever and the generator."""

    def __init__(
        self, *, retriever: Callable[[], Retriever], generator: Generator | None, cfg: AnswerConfig
    ) -> None:
        self._retriever, self.generator, self.cfg = retriever, generator, cfg
        self.system_prompt, self.user_prompt = load_prompt("answer.txt"), load_prompt("user.txt")
        self._stats: dict[str, TermStats] = {}

    def _term_stats(self, r: Retriever) -> TermStats:
        if r.version not in self._stats:
            self._stats = {r.version: TermStats(c.text for c in r.catalog.all_chunks())}
        return self._stats[r.version]

    def _abstain_reason(self, question: str, hits: list[Hit], r: Retriever) -> tuple[str, dict]:
        stats = self._term_stats(r)
        unseen = sorted(t for t in set(content_terms(question)) if stats.df.get(t, 0) == 0)
        coverage = term_coverage(question, [h.text for h in hits[:3]], stats)
        info = {"coverage": round(coverage, 3), "unseen_terms": unseen}
        if not hits:
            return "no sources", info
        if len(unseen) >= self.cfg.abstain_unseen_terms:
            return "question terms not in the index", info
        if coverage < self.cfg.abstain_min_coverage:
            return "low retrieval coverage", info
        return "", info

    def select_evidence(self, question: str, hits: list[Hit], r: Retriever) -> list[Evidence]:
        """The source sentences the answer is built from (also what fine-tuning examples show the model)."""
        return select_evidence(
            question,
            [h.text for h in hits],
            r.embedder.embed,
            max_chars=self.cfg.quote_chars,
            max_sentences=self.cfg.max_quotes,
            headings=[h.heading for h in hits],
            idf=self._term_stats(r).idf if self.cfg.idf_overlap else None,
            source_margin=self.cfg.evidence_source_margin,
            rank_weight=self.cfg.evidence_rank_weight,
            min_score_gap=self.cfg.evidence_min_score_gap,
        )

    def build_messages(self, question: str, evidence: list[Evidence], hits: list[Hit]) -> list[dict]:
        """The prompt gives the model pre-selected evidence sentences, numbered by their source."""
        blocks = [f"[{e.n}] {e.text}" for e in evidence]
        user = self.user_prompt.format(sources="\n".join(blocks), question=question)
        return [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": user}]

    def stream(
        self,
        question: str,
        history: list[dict] | None = None,
        k: int | None = None,
        page_url: str | None = None,
        page_title: str | None = None,
    ) -> Iterator[Event]:
        """Token events as answer text becomes final, then citations, then the whole Answer."""
        t0 = time.perf_counter()
        r = self._retriever()
        hits = r.search(
            condense(question, history or []), k or self.cfg.k, page_url=page_url, page_title=page_title
        )
        ans = Answer(
            id=uuid.uuid4().hex,
            question=question,
            answer="",
            mode="extractive",
            citations=[],
            abstained=False,
            timings={"retrieval_ms": _ms_since(t0)},
        )
        reason, evidence = self._evidence_or_reason(question, hits, r, ans)
        if reason:
            yield from self._abstain(ans, hits, reason, t0)
            return
        draft = _Draft()
        compose = self._quotes_first if self.cfg.lead_with == "quotes" else self._generated_first
        yield from compose(question, evidence, hits, ans, draft, t0)
        if draft.declined:
            yield from self._abstain(ans, hits, "the model found no answer in the sources", t0)
            return
        _complete(ans, draft, hits)
        yield from self._finish(ans, t0)

    def _evidence_or_reason(
        self, question: str, hits: list[Hit], r: Retriever, ans: Answer
    ) -> tuple[str, list[Evidence]]:
        """The evidence sentences, or why the sources do not cover the question ('' when they do)."""
        reason, ans.confidence = self._abstain_reason(question, hits, r)
        if reason:
            return reason, []
        evidence = self.select_evidence(question, hits, r)
        missing = missing_answer_type(question, [e.text for e in evidence])
        return (f"the sources do not state {missing}" if missing else ""), evidence

    def _quotes_first(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, draft: _Draft, t0: float
    ) -> Iterator[Event]:
        """Verified quotes at once, then the generated sentences that pass the check."""
        quotes = _quote_block(evidence)
        if quotes:
            ans.timings["ttft_ms"] = _ms_since(t0)
            yield Token(quotes)
        for sentence in self._sentences(question, evidence, hits, ans, draft):
            ans.timings.setdefault("ttft_ms", _ms_since(t0))
            yield Token((" " if draft.sentences else "\n\n") + sentence)
            draft.sentences.append(sentence)
        draft.parts = (quotes, " ".join(draft.sentences))

    def _generated_first(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, draft: _Draft, t0: float
    ) -> Iterator[Event]:
        """The model's checked sentences first, then the quotes that back them (none when it declined)."""
        for sentence in self._sentences(question, evidence, hits, ans, draft):
            ans.timings.setdefault("ttft_ms", _ms_since(t0))
            yield Token((" " if draft.sentences else "") + sentence)
            draft.sentences.append(sentence)
        if draft.declined:
            return
        generated = " ".join(draft.sentences)
        quotes = _quote_block(self._quotes_after(generated, evidence, hits) if generated else evidence)
        if quotes:
            ans.timings.setdefault("ttft_ms", _ms_since(t0))
            yield Token(("\n\n" if generated else "") + quotes)
        draft.parts = (generated, quotes)

    def _sentences(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, draft: _Draft
    ) -> Iterator[str]:
        """Generated sentences when a generator is loaded; a decline counts only when retrieval is also
        weak."""
        if not (self.cfg.generate and self.generator is not None and evidence):
            return
        declined = yield from self._generate(question, evidence, hits, ans)
        draft.declined = declined and ans.confidence.get("coverage", 1.0) < self.cfg.trust_decline_below

    def _quotes_after(self, generated: str, evidence: list[Evidence], hits: list[Hit]) -> list[Evidence]:
        """The evidence quoted after a generated answer: every source's, or only the cited sources'
        ("cited")."""
        if self.cfg.quotes_after_answer != "cited":
            return evidence
        cited = set(citations_in(generated, len(hits)))
        return [e for e in evidence if e.n in cited]

    def _generate(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer
    ) -> collections.abc.Generator[str, None, bool]:
        """Generated sentences that pass the faithfulness check, as each one completes; returns whether the
        model declined before saying anything."""
        sources = [h.text for h in hits]
        buf, kept, n_tokens, last_source = "", 0, 0, ()
        t_gen = time.perf_counter()
        messages = self.build_messages(question, evidence, hits)
        ans.usage["prompt_tokens"] = sum(self.generator.count_tokens(m["content"]) for m in messages)
        stream = self.generator.stream(messages, self.cfg.generation)
        try:
            for piece in stream:
                n_tokens += 1
                *done, buf = complete_sentences(buf + piece)
                for sentence in done:
                    verdict, sentence = self._check(sentence, sources, last_source)
                    if verdict != "ok":  # the model has left the evidence (or declined): stop early
                        return verdict == "declined" and kept == 0
                    kept += 1
                    last_source = tuple(citations_in(sentence, len(sources))[-1:])
                    yield sentence
                if kept >= self.cfg.max_sentences:
                    return False
            if buf.strip():
                verdict, sentence = self._check(buf.strip(), sources, last_source)
                if verdict == "ok":
                    yield sentence
            return False
        finally:
            stream.close()  # stops generation that is still running
            ans.usage["completion_tokens"] = n_tokens
            gen_s = time.perf_counter() - t_gen
            ans.timings["tokens_per_s"] = round(n_tokens / gen_s, 1) if gen_s > 0 else 0.0

    def _check(self, sentence: str, sources: list[str], prefer: tuple[int, ...] = ()) -> tuple[str, str]:
        """(ok | declined | unsupported, the sentence as kept) for one generated sentence.

        A sentence its cited source does not support, but another source does, is re-cited to that source
        (a small
        model often copies the right words under the wrong number); an uncited one gets its supporting
        source."""
        if DECLINE_PATTERN.search(sentence):
            return "declined", sentence
        plain = strip_citations(sentence)
        if len(content_terms(plain)) < 2:
            return "unsupported", sentence
        cited = citations_in(sentence, len(sources))
        support = support_of(sentence, sources, cited) if cited else None
        if support is None or support.coverage < self.cfg.min_support:
            # the previous sentence's source first: an answer's next sentence usually goes on from the
            # same one
            support = support_of(plain, sources, [*prefer, *range(1, len(sources) + 1)])
        if support.coverage < self.cfg.min_support:
            return "unsupported", sentence
        if cited == [support.n]:
            return "ok", sentence
        return "ok", f"{plain} [{support.n}]"

    def _abstain(self, ans: Answer, hits: list[Hit], reason: str, t0: float) -> Iterator[Event]:
        ans.mode, ans.abstained = "abstained", True
        ans.confidence["reason"] = reason
        links = [
            f"- {h.title} > {h.heading.rsplit(' > ', 1)[-1]}" + (f" ({h.url})" if h.url else "")
            for h in hits[:3]
        ]
        ans.answer = NOT_COVERED + ("\n\nThe closest sections I found:\n" + "\n".join(links) if links else "")
        ans.citations = [citation_of(n, h) for n, h in enumerate(hits[:3], start=1)]
        ans.timings["ttft_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        yield Token(ans.answer)
        yield from self._finish(ans, t0)

    def _finish(self, ans: Answer, t0: float) -> Iterator[Event]:
        ans.timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        yield Citations([asdict(c) for c in ans.citations])
        yield Done(ans)

    def answer(self, question: str, history: list[dict] | None = None, k: int | None = None) -> Answer:
        """The whole answer at once."""
        for event in self.stream(question, history, k):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("answer stream ended without a result")


def _complete(ans: Answer, draft: _Draft, hits: list[Hit]) -> None:
    """The answer's text, mode and the citations its [n] markers name (the first source when none)."""
    ans.mode = "generated" if draft.sentences else "extractive"
    ans.generated = " ".join(draft.sentences)
    ans.answer = "\n\n".join(p for p in draft.parts if p) or NOT_COVERED
    used = sorted(set(citations_in(ans.answer, len(hits)))) or [1]
    ans.citations = [citation_of(n, hits[n - 1]) for n in used]


@dataclass
class _Draft:
    """What composing an answer has produced so far."""

    sentences: list[str] = field(default_factory=list)
    parts: tuple[str, str] = ("", "")  # the answer's two blocks (quotes, generated words) in the order shown
    declined: bool = False  # the model said the sources do not cover it, and retrieval agrees


def _ms_since(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def _quote_block(evidence: list[Evidence]) -> str:
    return "\n".join(f"> {e.text} [{e.n}]" for e in evidence)
