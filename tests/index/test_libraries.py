"""Libraries a question names: found from the index's folders and imports; the others step back."""

from __future__ import annotations

from index.libraries import LibraryNames, folder_of

CHUNKS = [
    ("docs", "pytorch-tutorials/a.py", "import torch\nx = torch.zeros(3)"),
    ("docs", "pytorch-tutorials/b.py", "import torch\nimport numpy"),
    ("docs", "keras-io/c.py", "import keras\nfrom keras import layers"),
    ("docs", "scikit-learn/doc/d.rst", "from sklearn.model_selection import train_test_split"),
    ("roadmap", "tips.md", "import pandas as pd"),
    ("notes", "week/one.md", "import torch"),
]


def test_a_folder_is_named_by_its_words_and_the_module_its_code_imports_most():
    names = LibraryNames(CHUNKS).names
    assert names[("docs", "pytorch-tutorials")] == {"pytorch", "torch"}
    assert names[("docs", "keras-io")] == {"keras"}  # "io" is too short to name anything
    assert names[("docs", "scikit-learn")] == {"scikit", "sklearn"}  # "learn" names no library
    assert ("notes", "week") not in names  # a source with one folder: its layout, not a set of libraries
    assert folder_of("roadmap", "tips.md") is None


def test_the_libraries_a_question_names():
    libs = LibraryNames(CHUNKS)
    assert libs.named("how do I freeze layers in PyTorch?") == {("docs", "pytorch-tutorials")}
    assert libs.named("what does torch.compile do?") == {("docs", "pytorch-tutorials")}
    assert libs.named("train/test split in sklearn vs keras") == {
        ("docs", "scikit-learn"),
        ("docs", "keras-io"),
    }
    assert libs.named("what should I learn first?") == set()


def test_other_libraries_step_back_only_when_the_named_one_is_near_the_top():
    libs = LibraryNames(CHUNKS)
    folders = {
        1: ("docs", "keras-io"),
        2: None,
        3: ("docs", "pytorch-tutorials"),
        4: ("docs", "scikit-learn"),
    }
    folders[5] = ("notes", "week")
    ids = [1, 2, 3, 4, 5]
    # the roadmap page (2) and the other source's folder (5) stay; keras and sklearn chunks step back
    pytorch = libs.named("freeze layers in pytorch")
    assert libs.demote(ids, folders, pytorch) == [2, 3, 5, 1, 4]
    assert libs.demote(ids, folders, pytorch, reach=2) == ids  # no PyTorch chunk in 2
    assert libs.demote(ids, folders, libs.named("freeze layers")) == ids  # no library named
