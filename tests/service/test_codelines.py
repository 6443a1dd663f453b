"""Code lines the model writes as sentences are shown as one code block."""

from __future__ import annotations

from service.codelines import code_line, fence_code_runs
from service.writing import Checker, checked_units

SOURCE = """By default the labels are set to the right edge of the window, but a center keyword is available.

.. ipython:: python

   s = pd.Series(range(10))
   s.rolling(window=5).mean()
   s.rolling(window=5, center=True).mean()
"""


def run(output: str, sources: list[str]) -> list[str]:
    checker = Checker(sources, min_support=0.6)
    return [unit for verdict, unit, _ in fence_code_runs(checked_units(iter([output]), checker, 5), checker)]


CODE = ["s = pd.Series(range(10))", "s.rolling(window=5).mean()", "s.rolling(window=5, center=True).mean()"]


def test_a_run_of_copied_code_lines_becomes_one_code_block():
    prose = (
        "By default the labels are set to the right edge of the window, but a `center` keyword is available."
    )
    output = f"{prose} [1]\n{CODE[0]} [1]\n{CODE[1]}\n{CODE[2]} [1]\n"
    units = run(output, [SOURCE])
    assert units == [f"{prose} [1]", "\n".join(["```", *CODE, "```"])]


def test_one_code_line_stays_inline_with_its_source_and_prose_is_never_code():
    units = run(
        "The window is centred with the keyword.\ns.rolling(window=5, center=True).mean() [1]\n", [SOURCE]
    )
    assert units[-1] == "`s.rolling(window=5, center=True).mean()` [1]"
    checker = Checker(["Adam is a good default = fast.", SOURCE], min_support=0.6)
    assert code_line("Adam is a good default = fast. [1]", checker) == ""  # a sentence, full stop and all
    assert code_line("Use the center keyword. [1]", checker) == ""
    assert code_line("s.rolling(window=7).mean() [2]", checker) == ""  # code no source holds is no copy
