"""Merge an adapter into the base model and save a standalone HF model folder."""

from __future__ import annotations

from pathlib import Path

from service.adapters import AdapterStore
from service.llm import base_model_dir


def export_merged(settings, name: str, out: Path) -> Path:
    """adapters/NAME merged into the configured base generator, saved (safetensors + tokenizer) in `out`."""
    # deferred: torch, transformers and peft load only when an adapter is exported
    from peft import PeftModel

    from finetune.train import load_base

    adapter = AdapterStore(settings.home).path(name)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    base, tok = load_base(base_model_dir(settings.llm_config()), "cpu")
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    merged.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out
