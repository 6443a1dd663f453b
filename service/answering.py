"""The answer pipeline: condense, retrieve, abstain or generate, check faithfulness, fall back to quotes."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from importlib import resources

from index.hits import Hit
from index.retriever import Retriever
from ingest.text import content_terms
from service.answer_config import MODEL_DECLINE, NOT_COVERED, AnswerConfig
from service.composition import Composition, complete_answer, section_keys
from service.confidence import (
    TermStats,
    missing_answer_type,
    names_a_topic,
    off_domain,
    term_coverage,
    unseen_names,
)
from service.events import (
    Answer,
    Citations,
    Done,
    Draft,
    Event,
    Sources,
    Token,
    citation_of,
    closest_sections,
    distinct_sections,
    source_of,
)
from service.followups import condense
from service.generating import Writer, ms_since
from service.grounding import Evidence, select_evidence
from service.llm import Generator
from service.numbering import Numbering
from service.prompting import PromptSource, format_sources, prompt_sources, whole_sources
from service.writing import join_units, joiner, quote_block

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
        self.write_prompt, self.write_user = load_prompt("write.txt"), load_prompt("write_user.txt")
        self._stats: dict[str, TermStats] = {}

    def _term_stats(self, r: Retriever) -> TermStats:
        if r.version not in self._stats:
            self._stats = {r.version: TermStats(c.text for c in r.catalog.all_chunks())}
        return self._stats[r.version]

    def _names_topic(self, question: str, r: Retriever) -> bool:
        """Whether the question (spelling corrected) names a topic (service/confidence.py)."""
        terms = set(content_terms(r.corrected(question)))
        return names_a_topic(terms, self._term_stats(r), self.cfg.topic_df)

    def _abstain_reason(self, question: str, hits: list[Hit], r: Retriever) -> tuple[str, dict]:
        stats = self._term_stats(r)
        terms = set(content_terms(question))
        unseen = sorted(t for t in terms if stats.df.get(t, 0) == 0)
        coverage = term_coverage(question, [h.text for h in hits[:3]], stats)
        info = {"coverage": round(coverage, 3), "unseen_terms": unseen}
        if not hits:
            return "no sources", info
        if len(unseen) >= self.cfg.abstain_unseen_terms:
            return "question terms not in the index", info
        if unseen_names(question, stats):
            return "the question names something the index never mentions", info
        if coverage < self.cfg.abstain_min_coverage and names_a_topic(terms, stats, self.cfg.topic_df):
            return "low retrieval coverage", info
        floor = self.cfg.off_domain_floor
        # the question's vector comes from the search that retrieved the hits (index/queries.py remembers it)
        if floor and off_domain(r.queries.encode(question).pooled, hits, r.embedder.embed, floor):
            return "the question is about something else", info
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

    def messages_for(
        self, question: str, evidence: list[Evidence], hits: list[Hit], max_sources: int = 0
    ) -> tuple[list[dict], list[PromptSource]]:
        """The prompt, and the source each of its numbers stands for (its hit and section label); fine-tuning
        examples show the model the same prompt.

        A model that writes reads excerpts of the evidence's chunks, so it can explain and keep code whole;
        the 135M model (and its adapter) reads the evidence sentences alone."""
        if self.cfg.prompt_style == "evidence":
            blocks = "\n".join(f"[{e.n}] {e.text}" for e in evidence)
            system, user = self.system_prompt, self.user_prompt.format(sources=blocks, question=question)
            sources = whole_sources(hits)
        else:
            # fewer sources keep the share each has in the full prompt, so such a prompt begins as the full
            # one does and llama.cpp re-reads only what differs (service/generating.py)
            n = min(max_sources or self.cfg.prompt_sources, self.cfg.prompt_sources)
            budget = self.cfg.prompt_chars * n // self.cfg.prompt_sources
            sources = prompt_sources(hits, evidence, budget, n)
            system = self.write_prompt
            user = self.write_user.format(sources=format_sources(sources), question=question)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}], sources

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
        # the answer reads a section's continuation rather than a weaker section's chunk: with one chunk per
        # section, key-term recall fell 0.50 -> 0.45 (roadmap) and citation precision 0.49 -> 0.41 (README)
        query = condense(question, history or [], lambda q: self._names_topic(q, r))
        hits = r.search(
            query,
            k or self.cfg.k,
            page_url=page_url,
            page_title=page_title,
            diverse=False,
            late=self.cfg.late_rerank,
        )
        ans = Answer(
            id=uuid.uuid4().hex,
            question=question,
            answer="",
            mode="extractive",
            citations=[],
            abstained=False,
            timings={"retrieval_ms": ms_since(t0)},
        )
        yield Sources([source_of(h) for h in hits])
        ans.timings["first_event_ms"] = ms_since(t0)
        # the self-contained question ("... git? and what comes after it?") and the words the sources use
        # ("gradiant desent"), for the abstention gate, the evidence, the checks and the prompt
        question = r.corrected(query)
        reason, evidence = self._evidence_or_reason(question, hits, r, ans)
        if reason:
            yield from self._abstain(ans, hits, reason, t0)
            return
        comp = Composition(started=t0, numbering=Numbering(sections=section_keys(hits)))
        compose = self._quotes_first if self.cfg.lead_with == "quotes" else self._generated_first
        yield from compose(question, evidence, hits, ans, comp)
        if comp.declined:
            yield from self._abstain(ans, hits, "the model found no answer in the sources", t0)
            return
        complete_answer(ans, comp, hits, evidence)
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
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, comp: Composition
    ) -> Iterator[Event]:
        """Verified quotes at once, then the generated sentences that pass the check."""
        quotes = quote_block(evidence, comp.numbering)
        if quotes:
            ans.timings["ttft_ms"] = ms_since(comp.started)
            yield Token(quotes)
        yield from self._unit_events(question, evidence, hits, ans, comp, first="\n\n")
        comp.parts = (quotes, join_units(comp.sentences))

    def _generated_first(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, comp: Composition
    ) -> Iterator[Event]:
        """The model's checked sentences; verified quotes only when it wrote none (or when set to follow)."""
        yield from self._unit_events(question, evidence, hits, ans, comp)
        if comp.declined:
            return
        generated = join_units(comp.sentences)
        quotes = quote_block(self._quotes_after(evidence, comp) if generated else evidence, comp.numbering)
        if quotes:
            ans.timings.setdefault("ttft_ms", ms_since(comp.started))
            yield Token(("\n\n" if generated else "") + quotes)
        comp.parts = (generated, quotes)

    def _unit_events(
        self,
        question: str,
        evidence: list[Evidence],
        hits: list[Hit],
        ans: Answer,
        comp: Composition,
        first: str = "",
    ) -> Iterator[Event]:
        """Drafts as they come, and each checked unit as a Token (`first` goes before the first one)."""
        for unit in self._units(question, evidence, hits, ans, comp):
            if isinstance(unit, Draft):
                yield unit
                continue
            ans.timings.setdefault("ttft_ms", ms_since(comp.started))
            yield Token(joiner(comp.sentences, unit, first=first) + unit)
            comp.sentences.append(unit)

    def _units(
        self, question: str, evidence: list[Evidence], hits: list[Hit], ans: Answer, comp: Composition
    ) -> Iterator[str | Draft]:
        """Generated units when a generator is loaded; a decline counts only when retrieval is also weak."""
        if not (self.cfg.generate and self.generator is not None and evidence):
            return
        r = self._retriever()
        weight = self._term_stats(r).claim_weight
        writer = Writer(self.generator, self.cfg, self.messages_for, r.embedder.embed, weight)
        covered = ans.confidence.get("coverage", 1.0) >= self.cfg.trust_decline_below
        declined = yield from writer.write(question, evidence, hits, ans, comp, retry_decline=covered)
        comp.declined = declined and not covered

    def _quotes_after(self, evidence: list[Evidence], comp: Composition) -> list[Evidence]:
        """The evidence quoted after a generated answer: none (the citations carry it), the cited sources',
        or all."""
        if self.cfg.quotes_after_answer == "none":
            return []
        if self.cfg.quotes_after_answer == "cited":
            cited = {h for members in comp.numbering.members.values() for h in members}
            return [e for e in evidence if e.n - 1 in cited]
        return evidence

    def _abstain(self, ans: Answer, hits: list[Hit], reason: str, t0: float) -> Iterator[Event]:
        ans.mode, ans.abstained = "abstained", True
        ans.confidence["reason"] = reason
        closest = distinct_sections(hits, 3)
        ans.answer = NOT_COVERED + closest_sections(closest)
        ans.citations = [citation_of(n, h) for n, h in enumerate(closest, start=1)]
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
