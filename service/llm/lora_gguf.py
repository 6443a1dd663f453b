"""A PEFT LoRA adapter as a llama.cpp GGUF adapter, so the CPU backend loads what `rag finetune` trains.

The A and B matrices go over as they are (PEFT's [r, in] and [out, r] are the row-major shapes llama.cpp reads
for its base weights too); llama.cpp scales B @ A by alpha / r itself, so only alpha is written."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Hugging Face module -> llama.cpp tensor, for the llama-family blocks (Llama, SmolLM2, Qwen2)
_MODULES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(r"\blayers\.(\d+)\.([a-z_]+\.[a-z_]+)\.lora_([AB])\.weight$")


def gguf_tensor_name(peft_key: str) -> str:
    """'base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight' -> 'blk.3.attn_q.weight.lora_a'."""
    m = _KEY.search(peft_key)
    if not m or m.group(2) not in _MODULES:
        raise ValueError(f"cannot convert LoRA tensor {peft_key!r}: only {', '.join(_MODULES)} are supported")
    return f"blk.{m.group(1)}.{_MODULES[m.group(2)]}.weight.lora_{m.group(3).lower()}"


def model_architecture(base_gguf: Path) -> str:
    """The base model's llama.cpp architecture name ('qwen2', 'llama'), which the adapter must carry."""
    from gguf import GGUFReader

    field = GGUFReader(str(base_gguf)).fields["general.architecture"]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def export_lora_gguf(adapter_dir: Path, architecture: str, out: Path) -> Path:
    """Write adapter_dir's LoRA (adapter_config.json + adapter_model.safetensors) as a GGUF adapter."""
    import gguf
    from safetensors.numpy import load_file

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text())
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    tmp = out.with_suffix(".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(tmp), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(cfg["lora_alpha"]))
    for key in sorted(tensors):
        writer.add_tensor(gguf_tensor_name(key), np.ascontiguousarray(tensors[key], dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out)  # a crash mid-write never leaves a half adapter under the final name
    return out


def lora_gguf_for(adapter_dir: Path, base_gguf: Path, cache_dir: Path) -> Path:
    """The GGUF form of an adapter folder, converted once into the model cache (keyed by its weights)."""
    weights = adapter_dir / "adapter_model.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(f"{adapter_dir} has no adapter_model.safetensors: not a LoRA adapter")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    out = cache_dir / "lora" / f"{base_gguf.stem}-{digest}.gguf"
    if not out.is_file():
        log.info("converting LoRA adapter %s for llama.cpp", adapter_dir)
        export_lora_gguf(adapter_dir, model_architecture(base_gguf), out)
    return out
