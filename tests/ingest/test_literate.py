"""Literate Python (keras-io guides, sphinx-gallery tutorials): sections and titles from the prose."""

from __future__ import annotations

from evaluation.questions import section_span
from ingest.chunking import ChunkingConfig, chunk_document
from ingest.documents import Document
from ingest.local import parse_file
from ingest.structure import python_sections, python_title

KERAS_GUIDE = '''"""
Title: Training with built-in methods
Author: A. Writer
"""

"""
## Setup
"""

import keras


"""
## Class weights

Pass a dictionary to the `class_weight` argument of `Model.fit()` to weigh rare classes more.
"""


class ExampleDataset:
    def __len__(self):
        return 3


"""
### Sample weights

A per-sample weight array gives finer control than class weights.
"""
'''

GALLERY = '''# -*- coding: utf-8 -*-
"""
Optimizing Model Parameters
===========================

Train a model by optimizing its parameters on data.

Why optimize?
-------------
Because the loss says how wrong the model is.
"""

import torch

######################################################################
# Hyperparameters
# -----------------
#
# The learning rate and the batch size are set before training.

learning_rate = 1e-3

######################################################################
# Optimizer
# ~~~~~~~~~
# ``optimizer.zero_grad()`` resets the gradients before ``loss.backward()``.
'''


def doc(text: str) -> Document:
    return Document(source="s", path="guide.py", text=text, title="T", kind="python")


def test_keras_guide_sections_follow_docstring_headings_not_classes():
    sections = [(s.level, s.title) for s in python_sections(KERAS_GUIDE)]
    assert sections == [(0, ""), (2, "Setup"), (2, "Class weights"), (3, "Sample weights")]
    chunks = chunk_document(doc(KERAS_GUIDE), ChunkingConfig(min_chars=0))
    weights = next(c for c in chunks if "class_weight" in c.text)
    assert weights.heading == "Class weights" and weights.anchor == "class-weights"
    sample = next(c for c in chunks if "per-sample" in c.text)
    assert sample.heading == "Class weights > Sample weights"


def test_gallery_sections_from_comment_and_docstring_titles():
    titles = [s.title for s in python_sections(GALLERY)]
    assert titles == ["", "Optimizing Model Parameters", "Why optimize?", "Hyperparameters", "Optimizer"]


def test_python_titles_from_the_prose_never_from_a_coding_comment():
    assert python_title(KERAS_GUIDE) == "Training with built-in methods"
    assert python_title(GALLERY) == "Optimizing Model Parameters"
    assert python_title("import os\n\n\ndef main():\n    pass\n") == ""
    page = parse_file(
        GALLERY.encode(), "python", "basics/optimization_tutorial.py", source_id="d", url="", location=""
    )
    assert page.title == "Optimizing Model Parameters"
    plain = parse_file(
        b"# -*- coding: utf-8 -*-\nx = 1\n", "python", "tools/run_it.py", source_id="d", url="", location=""
    )
    assert plain.title == "run it"


def test_plain_modules_still_split_at_top_level_definitions():
    code = "import os\n\n\ndef load():\n    return 1\n\n\nclass Runner:\n    pass\n"
    assert [s.title for s in python_sections(code)] == ["", "def load", "class Runner"]


def test_dev_set_rule_leaves_docstring_rst_titles_out():
    # the eval README's rule for .py gold sections: rst titles in comments, markdown in docstrings
    assert section_span(GALLERY, "Why optimize?", "t.py") is None
    start, end = section_span(GALLERY, "Hyperparameters", "t.py")
    assert GALLERY[start:end].lstrip("# \n").startswith("Hyperparameters")
    assert "learning_rate = 1e-3" in GALLERY[start:end] and "coding" not in GALLERY[start:end]
    start, end = section_span(KERAS_GUIDE, "Class weights", "t.py")
    assert "class ExampleDataset" in KERAS_GUIDE[start:end] and "per-sample" in KERAS_GUIDE[start:end]


def test_quote_underlines_separators_and_fenced_comments_are_not_headings():
    text = '''"""
Fusing the optimizer step
=========================
A guide.

```python
# Freeze all layers except the last one.
model.trainable = False
```
"""

import torch

###############################################################################
# Now let's define our typical training loop, with a long code comment above it
###############################################################################

def train():
    pass

###############################################################################
# Memory usage during training
# """"""""""""""""""""""""""""
# Snapshots show where the memory goes.

x = 1
'''
    assert [s.title for s in python_sections(text)] == [
        "",
        "Fusing the optimizer step",
        "Memory usage during training",
    ]
