"""`pydoc:PACKAGE[.MODULE]`: one document per public class or function of an installed package."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import re
import warnings
from types import ModuleType

from ingest.documents import Document
from ingest.errors import SourceError
from ingest.spec import SourceSpec

log = logging.getLogger(__name__)
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
MAX_OBJECTS = 600
MAX_MODULES = 80
# Public API pages, so citations point at the rendered reference docs.
URL_TEMPLATES = {
    "torch": "https://docs.pytorch.org/docs/stable/generated/{qual}.html",
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{qual}.html",
    "transformers": "https://huggingface.co/docs/transformers/main/en/main_classes/{leaf}",
    "peft": "https://huggingface.co/docs/peft/main/en/package_reference/{leaf}",
    "faiss": "https://github.com/facebookresearch/faiss/wiki",
}


def _public_modules(root: ModuleType) -> list[ModuleType]:
    """The module itself and its public submodules (bounded, import errors skipped)."""
    mods = [root]
    if not hasattr(root, "__path__"):
        return mods
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        if len(mods) >= MAX_MODULES:
            break
        if any(part.startswith("_") or part in ("tests", "testing") for part in info.name.split(".")):
            continue
        try:
            with warnings.catch_warnings():  # deprecation notices of the package's own modules
                warnings.simplefilter("ignore")
                mods.append(importlib.import_module(info.name))
        except Exception as exc:  # noqa: BLE001 - any import failure just skips that module
            log.debug("skipping %s: %s", info.name, exc)
    return mods


def _split_args(inner: str) -> list[str]:
    """Top-level comma-separated parts of a bracket's content."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += (ch in "[(") - (ch in "])")
        if ch == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    return parts + [inner[start:].strip()]


def stable_unions(text: str) -> str:
    """`Union[...]` members in one order: typing caches equal unions, so which order a signature shows
    depends on what the process imported first, and each `rag ingest` would see a changed document."""
    out, i = [], 0
    while (j := text.find("Union[", i)) >= 0:
        depth, k = 0, j + 5
        for k in range(j + 5, len(text)):
            depth += {"[": 1, "]": -1}.get(text[k], 0)
            if depth == 0:
                break
        members = [stable_unions(m) for m in _split_args(text[j + 6 : k])]
        members.sort(key=lambda m: (m in ("None", "NoneType"), m))
        out.append(text[i:j] + "Union[" + ", ".join(members) + "]")
        i = k + 1
    return "".join(out) + text[i:]


def _render(qual: str, obj) -> str:
    """Markdown for one API object: heading, signature, docstring."""
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        sig = "(...)"
    kind = "class" if inspect.isclass(obj) else "function"
    doc = inspect.getdoc(obj) or ""
    # A default's repr such as `<object object at 0x7f...>` differs per process: left in, every `rag ingest`
    # would see a changed document, re-embed it and publish a new version.
    return _ADDRESS.sub("", f"# {qual}\n\n{kind} `{qual}{stable_unions(sig)}`\n\n{doc}\n")


def _url(top: str, qual: str) -> str:
    tmpl = URL_TEMPLATES.get(top, "")
    return tmpl.format(qual=qual, leaf=qual.rsplit(".", 1)[-1].lower()) if tmpl else ""


def load_pydoc(spec: SourceSpec) -> list[Document]:
    """Walk an installed package offline and document its public API objects."""
    name = spec.spec.split(":", 1)[1]
    try:
        root = importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - ImportError and whatever the package raises on import
        raise SourceError(f"cannot import package {name!r} for {spec.spec}: {exc}") from exc
    top, docs, seen = name.split(".")[0], [], set()
    for mod in _public_modules(root):
        for attr, obj in sorted(vars(mod).items()):
            if attr.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            origin = getattr(obj, "__module__", "") or ""
            if not origin.startswith(top) or id(obj) in seen or not inspect.getdoc(obj):
                continue
            seen.add(id(obj))
            qual = f"{mod.__name__}.{attr}"
            docs.append(
                Document(
                    source=spec.source_id,
                    path=qual,
                    text=_render(qual, obj),
                    title=qual,
                    url=_url(top, qual),
                    location=f"pydoc:{qual}",
                    kind="markdown",
                )
            )
            if len(docs) >= MAX_OBJECTS:
                return docs
    if not docs:
        raise SourceError(f"{spec.spec}: no documented public classes or functions found")
    return docs
