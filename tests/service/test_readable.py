"""What the model reads of a chunk: the label's heading, emoji, bold and tagline chains out; the rest kept."""

from service.readable import readable

ROADMAP_CHUNK = """## Data Cleaning: Making Data Spotless! 🧼

*   **Outliers:** Weird data points far from the rest. 🤪 Learn to detect them.
*   Transparent AI shows how the model works.

### Missing values

Fill them in or drop them."""


def test_the_labels_heading_emoji_and_bold_go_and_every_other_word_stays():
    out = readable(ROADMAP_CHUNK, "Data Cleaning: Making Data Spotless!")
    assert "Making Data Spotless" not in out and "🧼" not in out and "🤪" not in out and "**" not in out
    assert "Transparent AI shows how the model works." in out
    assert "### Missing values" in out  # a sub-heading names what follows it
    assert out.startswith("*   Outliers: Weird data points far from the rest.")
    assert "Fill them in or drop them." in out


def test_an_rst_title_goes_with_its_underline_and_code_is_untouched():
    text = "Saving a model\n==============\n\nCall ``save``:\n\n```python\n# Saving a model 🙂\nx = 1\n```"
    out = readable(text, "Saving a model")
    assert out.startswith("Call ``save``:")
    assert "# Saving a model 🙂\nx = 1" in out  # a comment in code is code, emoji and all


def test_comment_prose_of_a_gallery_script_stays():
    text = "# Inside the training loop, call ``optimizer.zero_grad()`` first.\n#\nloss.backward()"
    assert readable(text, "Optimizer") == text


def test_a_link_reads_as_its_words():
    line = "Ending Point: [Phase 3: MLOps](mlops.md) - Continue to Phase 3. See ![a plot](plot.png)."
    assert readable(line) == "Ending Point: Phase 3: MLOps - Continue to Phase 3. See ![a plot](plot.png)."


def test_a_chunk_that_reads_like_one_already_chosen_is_not_shown_twice():
    from index.hits import Hit
    from service.grounding import Evidence
    from service.prompting import prompt_sources, source_label

    def hit(i: int, text: str, heading: str = "Page > Navigation") -> Hit:
        path = f"ml/deep-learning_{i}.md"
        return Hit(i, text, 1.0, "s", "s", "s", path, "t", heading, "u", "a", 0, 10, f"d{i}")

    nav = "Ending Point: [Deep Learning](dl.md) - Continue to the next topic: Deep Learning."
    hits = [hit(0, nav), hit(1, nav + " 🚀"), hit(2, "Phase 3 is MLOps.")]
    hits[1].scores["navigation"] = 1.0  # the link graph's pick
    chosen = prompt_sources(hits, [Evidence(nav, n=2, score=1.0, order=0)], budget=1500, max_sources=2)
    assert [s.hit for s in chosen] == [1, 2]
    assert chosen[0].text == "Ending Point: Deep Learning - Continue to the next topic: Deep Learning."
    assert chosen[0].heading == "deep learning 1 > Navigation"  # the pick's label names its page
    assert source_label(hit(3, "", "Page > Navigation")) == "Navigation"  # not a pick


def test_a_tables_columns_keep_their_gaps():
    row = "Rolling window    ``rolling``    Yes"
    assert readable(row) == row  # the answer check tells a copied table row by these gaps
