"""The model's own answer: excerpts, units (sentences, whole code blocks), the check, first-use numbering."""

from __future__ import annotations

from service.numbering import Numbering
from service.prompting import excerpt
from service.writing import Checker, checked_units, split_units

CODE_SOURCE = """Install it first.

Then build the index:

```python
index = faiss.IndexFlatL2(d)
index.add(xb)
```

That is all it takes."""


def test_code_blocks_are_units_whole_and_prose_is_cut_at_sentences():
    units, rest = split_units("Build an index first [1]. Then add:\n```python\nindex.add(xb)\n```\nDone")
    assert units == ["Build an index first [1].", "Then add:", "```python\nindex.add(xb)\n```"]
    assert rest.strip() == "Done"
    units, rest = split_units("Run this:\n```python\nindex = faiss")  # an open block waits for its end
    assert units == ["Run this:"] and rest.startswith("```")


def test_a_sentence_is_not_cut_at_e_g():
    units, _ = split_units("Use a library, e.g. pandas, for tables [1]. Next")
    assert units == ["Use a library, e.g. pandas, for tables [1]."]


def test_code_is_kept_only_when_a_source_holds_it():
    check = Checker(["Nothing here about code.", CODE_SOURCE], min_support=0.7).check
    verdict, _, n = check("```python\nindex = faiss.IndexFlatL2(d)\nindex.add(xb)\n```")
    assert (verdict, n) == ("ok", 2)
    assert check("```python\nimport os\nos.remove('/')\n```")[0] == "unsupported"


def test_numbers_follow_first_use_without_gaps():
    numbering = Numbering()
    hit_of = [4, 0, 2]  # prompt source p stands for hit hit_of[p - 1]
    assert numbering.renumber("B says so [2]. C too [3]. B again [2]. Nothing [7].", hit_of) == (
        "B says so [1]. C too [2]. B again [1]. Nothing."
    )
    assert numbering.order == [0, 2]


def test_unsupported_units_are_dropped_and_two_in_a_row_end_the_answer():
    check = Checker(["Adam is a good default optimizer for deep nets; SGD needs tuning."], min_support=0.7)
    pieces = [
        "### Optimizers\n[1] (Training)\nTwo choices:\n",  # heading and echoed marker skipped, intro held
        "Adam is a good ",
        "default optimizer [1]. Bananas grow on Mars [1]. SGD needs tuning [1]. ",
        "Cats rule Mars. Dogs rule Venus. Adam is a good default optimizer.",
    ]
    kept = [u for _, u, _ in checked_units(iter(pieces), check, max_units=5)]
    assert kept == ["Two choices:", "Adam is a good default optimizer [1].", "SGD needs tuning [1]."]


def test_excerpt_starts_at_the_evidence_and_never_cuts_code():
    text = "Intro line one.\n" * 30 + CODE_SOURCE
    part = excerpt(text, ["Then build the index:"], budget=120)
    assert "Then build the index" in part and "Intro" not in part and part.count("```") in (0, 2)
    assert excerpt(text, ["Intro line one."], budget=60).count("Intro") == 3
    assert excerpt("short text", ["short"], budget=100) == "short text"


def test_prose_units_lose_markdown_and_leading_markers():
    from service.writing import clean_unit

    assert clean_unit("[2] *   **Use virtual environments:** keep deps apart.") == (
        "Use virtual environments: keep deps apart. [2]"
    )
    assert clean_unit("### Heading text") == "Heading text"
    assert clean_unit("1. Adam is a default [1].") == "Adam is a default [1]."
    units, _ = split_units("This builds the library if\n`-DBUILD_SHARED_LIBS=ON` was passed [1].\nNext")
    assert units == ["This builds the library if `-DBUILD_SHARED_LIBS=ON` was passed [1]."]


def test_a_line_break_at_the_end_of_a_piece_waits_for_the_next_one():
    units, rest = split_units("This can be used to balance classes, or to train a\n")
    assert units == [] and rest.endswith("\n")
    units, _ = split_units(rest + "model that weighs one class more [1]. Next")
    assert units == [
        "This can be used to balance classes, or to train a model that weighs one class more [1]."
    ]


def test_an_indented_code_block_is_one_unit():
    units, _ = split_units("Run:\n  ```bash\n  cmake -B build .\n  ```\nThen")
    assert units == ["Run:", "```bash\n  cmake -B build .\n```"]


def test_an_echoed_section_label_is_dropped():
    from service.writing import clean_unit

    unit = "Essential Skills: *   **Version Control (Git):** Git tracks changes to your code. [1]"
    assert (
        clean_unit(unit, ["Essential Skills"])
        == "Version Control (Git): Git tracks changes to your code. [1]"
    )
    assert clean_unit("Essential Skills: short", ["Essential Skills"]) == "Essential Skills: short"


def test_copied_markup_and_cut_off_fragments_are_not_answer_sentences():
    from service.writing import _is_noise

    for unit in (
        "method. [1]", "ipython:: python [2]", '<hfoption id="load"> [2]', "[[autodoc]] LoraConfig",
        "Last modified: 2023/11/22 [1]", "search.py: ### search.py [2]", "Summary: While this can [3]",
        "The memory for the gradients is then [1]", "Or, in other words, [1]",
        "train_data = torch.utils.data.DataLoader( [1]", "[MLOps](advanced-topics-mlops.md) [2]",
        "[CMake docs](https://cmake.org/x.html), [FAISS](https://faiss.ai) [1]",
        "Edge AI: Closer to the Action - Roadmap 2025 - Emerging Trends: Edge AI - To the Edge! [1]",
        "Rolling window      `rolling`      `pandas.api.Rolling`      Yes      No [1]",
        "| Method | Input | Output | [2]",
        r"\text{precision} = \frac{\text{tp}}{\text{tp} + \text{fp}},  Precision & recall: [1]",
    ):  # fmt: skip
        assert _is_noise(unit), unit
    for unit in (
        "Configure autoscaling and per-replica resource allocation [1]", "Use `GridSearchCV` for this. [1]",
        "Two choices:", "Note: the default is 5. [2]", "```python\nx = 1\n```",
        "Optimizers - Choose Wisely: Adam, SGD, RMSprop - experiment with different optimizers. [1]",
        "Read [Phase 2: Core Skills - Deep Learning](core-skills-deep-learning.md) next. [1]",
        "Pass `a - b - c - d` to it. [1]", "```\ncol_a    col_b    col_c    col_d\n```",
    ):  # fmt: skip
        assert not _is_noise(unit), unit


def test_a_supported_unit_that_wanders_off_the_question_is_dropped_after_the_first():
    import numpy as np

    from service.writing import on_topic_check

    vectors = {
        "git basics?": [1.0, 0.0],
        "Git tracks changes to code.": [0.9, 0.1],
        "Track datasets too.": [0.0, 1.0],
        "Commit often.": [0.1, 0.9],
    }

    def embed(texts: list[str]) -> np.ndarray:
        return np.array([vectors[t] for t in texts])

    on_topic = on_topic_check("git basics?", embed, 0.05, 0.15)
    assert on_topic_check("git basics?", embed, 0.0, 0.0) is None
    sources = [
        "Git tracks changes to code. Track datasets too, and their versions.",
        "Commit often, push daily.",
    ]
    check = Checker(sources, min_support=0.6, on_topic=on_topic)
    pieces = [
        "Track datasets too. [1] Git tracks changes to code. [1] Track datasets too. [1] Commit often. [2]"
    ]
    kept = [u for _, u, _ in checked_units(iter(pieces), check, max_units=5)]
    # the first unit is never judged; a cosine of 0.1 is enough for the same source, not for a new one
    assert kept == ["Track datasets too. [1]", "Git tracks changes to code. [1]"]


def test_rst_markup_copied_into_a_unit_reads_as_markdown():
    from service.writing import _is_noise, clean_unit

    unit = "Pass ``validate='one_to_one'`` to :func:`~pandas.merge` (see `the guide <https://x.org/g>`_). [1]"
    assert (
        clean_unit(unit) == "Pass `validate='one_to_one'` to `merge` (see [the guide](https://x.org/g)). [1]"
    )
    assert _is_noise(":target: ../auto_examples/calibration/plot.html [2]")


def test_a_sentence_said_twice_is_kept_once_and_fences_are_not_read_as_rst():
    from service.writing import clean_unit

    check = Checker(
        ["In scikit-learn, apply a custom cutoff to predict_proba without refitting."], min_support=0.6
    )
    said = "Apply a custom cutoff to predict_proba without refitting. [1] "
    pieces = [said, "For example: " + said, "Apply a custom cutoff to predict_proba without refitting!"]
    kept = [u for _, u, _ in checked_units(iter(pieces), check, max_units=5)]
    assert kept == [said.strip()]
    assert clean_unit("Run this: ```python\nx = 1\n```") == "Run this: ```python\nx = 1\n```"


def test_a_sentence_said_twice_is_kept_once_even_when_a_label_is_echoed_before_it():
    src = ["Naive Bayes methods apply Bayes' theorem with a naive independence assumption."] * 2
    check = Checker(src, min_support=0.6, headings=["Naive Bayes", "Naive Bayes"])
    sentence = "Naive Bayes methods apply Bayes' theorem with a naive independence assumption."
    pieces = [f"[1] {sentence} ", f"[2] Naive Bayes: {sentence} "]  # the second copy under the prompt's label
    kept = [u for _, u, _ in checked_units(iter(pieces), check, max_units=5)]
    assert kept == [f"{sentence} [1]"]


def test_the_last_words_are_dropped_when_cut_off_or_a_repeat_begun():
    check = Checker(["Bayes' theorem relates the class variable y to the features x."], min_support=0.6)
    said = "Bayes' theorem relates the class variable y to the features [1]. "
    for tail in ("Bayes' theorem relates the class", "The class variable y relates to the"):
        kept = [u for _, u, _ in checked_units(iter([said, tail]), check, max_units=5)]
        assert kept == ["Bayes' theorem relates the class variable y to the features [1]."], tail
    last = "The features x relate to y [1]"  # a last sentence without its period is whole
    assert [u for _, u, _ in checked_units(iter([said, last]), check, max_units=5)][-1] == last


def test_the_model_reads_the_evidence_sources_first_and_at_most_max_sources(monkeypatch):
    from index.hits import Hit
    from service.config import Settings
    from service.grounding import Evidence
    from service.prompting import prompt_sources

    def hit(i: int) -> Hit:
        return Hit(i, f"Text of chunk {i}.", 1.0, "s", "s", "s", "p", "t", f"H{i}", "u", "a", 0, 10, f"d{i}")

    hits = [hit(i) for i in range(5)]
    evidence = [
        Evidence("Text of chunk 3.", n=4, score=1.0, order=0),
        Evidence("Text of chunk 1.", 2, 0.9, 0),
    ]
    chosen = prompt_sources(hits, evidence, budget=1500, max_sources=2)
    assert [s.hit for s in chosen] == [3, 1]
    assert [s.hit for s in prompt_sources(hits, evidence[:1], 1500, 3)] == [3, 0, 1]
    monkeypatch.setenv("RAG_ANSWER_PROMPT_SOURCES", "3")
    monkeypatch.setenv("RAG_ANSWER_K", "6")
    cfg = Settings().answer_config()
    assert (cfg.prompt_sources, cfg.k) == (3, 6)


def test_a_decline_counts_mid_output_but_not_at_its_very_end():
    check = Checker(["Adam and SGD with momentum are the usual choices."], min_support=0.7)
    mid = [(v, u) for v, u, _ in checked_units(iter(["The sources do not cover this.\n", "["]), check, 5)]
    assert mid and mid[0][0] == "declined"
    end = list(checked_units(iter(["[1] The sources do not ", "cover this."]), check, max_units=5))
    assert end == []  # the answer falls back to the verified quotes (measured: README, stop 25)


def test_labels_only_is_an_output_of_source_markers_and_nothing_else():
    from service.writing import labels_only

    assert labels_only("[1] [2]") and labels_only("[1] [2]\n[1] [3].")
    assert not labels_only("[1] Dropout drops units.") and not labels_only("") and not labels_only("...")


def test_a_copied_doctest_line_is_noise_and_a_stray_bracket_before_a_label_goes():
    from service.writing import _is_noise, clean_unit

    assert _is_noise(">>> from sklearn.model_selection import train_test_split [1]")
    assert _is_noise("For example:: >>> import numpy as np [2]")
    assert clean_unit(
        "[How Faiss works: Faiss stores vectors and searches them. [1]", ["How Faiss works"]
    ) == ("Faiss stores vectors and searches them. [1]")
    link = "[vLLM](https://github.com/vllm-project/vllm) serves LLMs at scale: fast. [1]"
    assert clean_unit(link).startswith("[vLLM](")  # a markdown link keeps its bracket


def test_two_chunks_of_one_section_are_cited_as_one_source():
    from index.hits import Hit
    from service.composition import Composition, complete_answer, section_keys
    from service.events import Answer
    from service.numbering import Numbering

    def hit(i: int, heading: str, start: int) -> Hit:
        return Hit(i, f"chunk {i}", 1.0, "s", "s", "s", "p", "t", heading, "u", "a", start, start + 100, "d")

    hits = [hit(0, "Page > LoRA", 500), hit(1, "Page > Other", 0), hit(2, "Page > LoRA", 400)]
    comp = Composition(numbering=Numbering(sections=section_keys(hits)))
    assert comp.numbering.renumber("A [1]. B [2]. C [3].", [0, 2, 1]) == "A [1]. B [1]. C [2]."
    comp.sentences = ["A [1]."]
    ans = Answer(id="a", question="q", answer="", mode="generated", citations=[], abstained=False)
    complete_answer(ans, comp, hits, [])
    assert [(c.n, c.heading, c.start, c.end) for c in ans.citations] == [
        (1, "Page > LoRA", 400, 600),
        (2, "Page > Other", 0, 100),
    ]


def test_the_link_graphs_pick_leads_the_prompt_of_a_navigation_question():
    from index.hits import Hit
    from service.grounding import Evidence
    from service.prompting import prompt_sources

    def hit(i: int, scores: dict) -> Hit:
        h = Hit(i, f"Text of chunk {i}.", 1.0, "s", "s", "s", "p.md", "t", f"H{i}", "u", "a", 0, 10, f"d{i}")
        h.scores.update(scores)
        return h

    evidence = [Evidence("Text of chunk 2.", n=3, score=1.0, order=0)]
    nav = [hit(0, {"navigation": 1.0}), hit(1, {}), hit(2, {})]
    assert [s.hit for s in prompt_sources(nav, evidence, 1500, 2)] == [0, 2]
    plain = [hit(0, {}), hit(1, {}), hit(2, {})]
    assert [s.hit for s in prompt_sources(plain, evidence, 1500, 2)] == [2, 0]


def test_the_numbers_a_sentence_states_are_claims_the_source_must_hold():
    from service.grounding import claim_terms

    assert {"2", "10"} <= claim_terms("The snippet uses `n_clusters=2` and `n_init=10`. [1]")
    assert "1" not in claim_terms("1. Install faiss first [1]")  # a list item's own number claims nothing
    source = ["kmeans = KMeans(n_clusters=2, random_state=0, n_init=10)"]
    check = Checker(source, min_support=0.6, given=frozenset({"snippet", "cluster", "init", "use"})).check
    # the question's words and the two values: before numbers counted, this was "the question said back"
    assert check("The snippet uses `n_clusters=2` and `n_init=10`. [1]")[0] == "ok"
    assert check("The snippet uses `n_clusters=3` and `n_init=5`. [1]")[0] == "unsupported"


def test_with_term_weights_a_rare_name_outweighs_a_paraphrasing_verb():
    source = ["Use the `.dt` accessor for dates, e.g. `df['Date'].dt.year`."]
    given = frozenset({"year", "date", "column", "panda"})
    idf = {"dt.year": 8.0, "extract": 3.0, "dt.month": 8.0}.get
    unit = "Use `.dt.year` to extract the year from a date column in pandas. [1]"
    assert Checker(source, 0.6, given).check(unit)[0] == "unsupported"  # 1 of 2 terms: no "extract" there
    weighted = Checker(source, 0.6, given, weight=lambda t: idf(t, 1.0)).check
    assert weighted(unit)[0] == "ok"
    assert weighted(unit.replace("dt.year", "dt.month"))[0] == "unsupported"  # a wrong name still fails


def test_a_line_the_evidence_holds_twice_is_quoted_once():
    from service.grounding import Evidence
    from service.writing import quote_block

    line = "Ending Point: Phase 3: Advanced Topics - MLOps."
    evidence = [
        Evidence(line, 1, 0.9, 0),
        Evidence(line, 1, 0.8, 5),
        Evidence("Starting Point: Deep Learning.", 2, 0.7, 0),
    ]
    assert quote_block(evidence, Numbering()) == f"> {line} [1]\n> Starting Point: Deep Learning. [2]"
