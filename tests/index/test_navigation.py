"""The page link graph: next/previous from the words around links, hub pages, navigation rankings."""

from __future__ import annotations

from index.navigation import NAV_INTENT, build_link_graph, navigation_ranking

ROWS = [
    (0, "a", "s", "intro.md", "Intro", "# Intro\nWelcome."),
    (1, "a", "s", "intro.md", "Intro", "## Navigation\nNext: [Basics](basics.md) - continue here."),
    (2, "b", "s", "basics.md", "Basics", "# Basics\nVariables and loops."),
    (
        3,
        "b",
        "s",
        "basics.md",
        "Basics",
        "Previous: [Intro](intro.md)\n\nContinue to [Advanced](advanced.md)",
    ),
    (4, "c", "s", "advanced.md", "Advanced", "# Advanced\nDecorators."),
    (5, "c", "s", "advanced.md", "Advanced", "Back to [Basics](basics.md). Also see [Intro](intro.md)"),
]


def test_links_have_direction():
    pages = build_link_graph(ROWS)
    assert pages["a"].next_docs == ["b"] and pages["b"].prev_docs == ["a"] and pages["b"].next_docs == ["c"]
    assert pages["b"].link_chunks == {3: 2}


def test_navigation_ranking_follows_next_links():
    pages = build_link_graph(ROWS)
    sims = {"a": 0.1, "b": 0.9, "c": 0.2}
    ranked = navigation_ranking("I finished the basics page, what comes next?", pages, sims)
    assert ranked[0] == 3 and pages["c"].first_chunk in ranked


def test_a_next_page_without_links_of_its_own_is_still_reached():
    rows = [r for r in ROWS if r[1] != "c" or r[0] == 4]  # "Advanced" links nowhere, so it is no linking page
    pages = build_link_graph(rows)
    assert "c" not in pages
    sims = {"a": 0.1, "b": 0.9}
    assert navigation_ranking(
        "done with basics, what comes next?", pages, sims, {"a": 0, "b": 2, "c": 4}
    ) == [3, 4]


def test_no_navigation_intent_no_ranking():
    assert not NAV_INTENT.search("what is a decorator?")
    assert navigation_ranking("what is a decorator?", build_link_graph(ROWS), {"a": 1.0}) == []


def test_where_to_start_goes_to_the_page_that_links_to_the_most_others():
    from index.navigation import is_navigation

    toc = (
        6,
        "t",
        "s",
        "index.md",
        "Contents",
        "[Intro](intro.md) then [Basics](basics.md), [Advanced](advanced.md)",
    )
    pages = build_link_graph([*ROWS, toc])
    sims = {"a": 0.1, "b": 0.9, "c": 0.2, "t": 0.0}  # the question's words match no title
    for q in ("what should I learn first?", "where do I begin?", "I'm new, where do I start?"):
        assert is_navigation(q) and navigation_ranking(q, pages, sims)[0] == 6, q
    for q in ("what git basics should I learn first?", "how do I start a jupyter notebook?"):
        assert not is_navigation(q), q  # a topic of their own: not a question about the curriculum


def test_no_page_named_no_navigation_ranking():
    pages = build_link_graph(ROWS)
    q = "after loss.backward() what comes next?"
    assert navigation_ranking(q, pages, {"a": 0.1, "b": 0.2}, min_title=0.3) == []
    assert navigation_ranking(q, pages, {"a": 0.1, "b": 0.35}, min_title=0.3)[0] == 3


def test_the_named_pages_navigation_leads_through_the_late_stage(hashing_settings, tmp_path):
    from service.ingestion import SourceRequest, ingest_sources
    from service.runtime import build_embedder, open_retriever

    pages = tmp_path / "roadmap"
    pages.mkdir()
    (pages / "intro.md").write_text(
        "# Intro\n\nWelcome.\n\n## Navigation\n\nContinue to the next topic: [Basics](basics.md).\n"
    )
    (pages / "basics.md").write_text(
        "# Basics\n\nVariables and loops.\n\n## Navigation\n\nThen continue to [Advanced](advanced.md).\n"
    )
    (pages / "advanced.md").write_text("# Advanced\n\nDecorators and generators.\n")
    embedder = build_embedder(hashing_settings)
    ingest_sources(hashing_settings, embedder, [SourceRequest(str(pages))])
    r = open_retriever(hashing_settings, embedder)
    r._navigator.min_title = 0.0  # the hashing embedder's cosines have a scale of their own
    hits = r.search("finished the basics page, what's next?", 3, late=10)
    # the link graph's picks are marked on their hits and keep its order through the late stage
    picks = [h.scores["navigation"] for h in hits if "navigation" in h.scores]
    assert (
        hits[0].scores.get("navigation") == 1.0 and picks == sorted(picks, reverse=True) and len(picks) >= 2
    )
