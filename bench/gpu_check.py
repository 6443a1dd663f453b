"""Device check run on a lent GPU machine: LoRA steps/s (CUDA vs that machine's CPU) and reference-model
training.

The GPU machine cannot receive the 538 MB SmolLM2 weights (64 MiB carry limit), so the LoRA run uses the same
architecture (config.json of the embedded model) with random weights: identical shapes, tokens and FLOPs, so
steps/s is the real figure; answer quality is measured on CPU only.
Usage: python3 bench/gpu_check.py MODEL_CONFIG_DIR EXAMPLES.jsonl OUT.json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from finetune.examples import Example
from finetune.train import LoRAConfig, train_lora


def lora_runs(cfg_dir: str, examples: list[Example]) -> dict:
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(cfg_dir))
    base = Path("/tmp/base")
    model.save_pretrained(str(base))
    AutoTokenizer.from_pretrained(cfg_dir).save_pretrained(str(base))
    out = {}
    for device, steps in (("cuda", 0), ("cpu", 8)):
        cfg = LoRAConfig(
            rank=8,
            alpha=16,
            epochs=1.0,
            max_steps=steps,
            device=device,
            eval_every=10_000,
            checkpoint_every=10_000,
            eval_examples=8,
        )
        r = train_lora(
            base, examples[:500], examples[500:508], cfg, Path(f"/tmp/run-{device}"), show_bar=False
        )
        out[device] = {
            k: r[k] for k in ("steps", "total_steps", "examples", "seconds", "steps_per_s", "device")
        }
    return out


def reference_runs() -> dict:
    from reference.runner import train_model

    out = {}
    for name in ("cnn", "rnn", "vision"):
        t0 = time.perf_counter()
        metrics = train_model(name, device="cuda", progress=False, save=False)
        out[name] = {
            "seconds": round(time.perf_counter() - t0, 1),
            "metric": metrics["metric"],
            "value": metrics["value"],
        }
    return out


def main() -> None:
    cfg_dir, ex_path, out_path = sys.argv[1:4]
    examples = [Example(**json.loads(line)) for line in Path(ex_path).read_text().splitlines() if line]
    examples = (examples * (1 + 508 // len(examples)))[:508]  # one epoch = 500 examples, as the target states
    result = {
        "gpu": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "lora": lora_runs(cfg_dir, examples),
    }
    Path(out_path).write_text(json.dumps(result, indent=2))
    result["reference"] = reference_runs()
    Path(out_path).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
