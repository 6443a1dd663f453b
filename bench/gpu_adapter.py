"""Train grounded-answering LoRA variants on a lent GPU with the real SmolLM2 weights, from prepared examples.

The 98 MB GGUF travels in two parts (the device machine takes 64 MiB per call); the first call parks part 0 in
/tmp/gguf, this one joins it with part 1, checks the SHA-256, converts it once and trains each variant.
Usage: python3 bench/gpu_adapter.py PART_DIR SHA256 EXAMPLES.jsonl N_TRAIN OUT_DIR [MAX_STEPS] [VARIANT,...]
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tarfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from finetune.examples import Example
from finetune.train import LoRAConfig, train_lora
from service.llm import convert_gguf

VARIANTS = {
    "r8-attn": LoRAConfig(rank=8, alpha=16, epochs=2.0),
    # r=16 over every linear layer makes a 19 MB adapter: over the 16 MiB a file may have to come back
    "r8-all": LoRAConfig(
        rank=8,
        alpha=16,
        lr=3e-4,
        epochs=2.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    ),
}


def join_parts(part_dir: Path, sha256: str) -> Path:
    dest = part_dir / "SmolLM2-135M-Instruct.Q4_1.gguf"
    with dest.open("wb") as out:
        for part in sorted(part_dir.glob("gguf.part*")):
            out.write(part.read_bytes())
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"joined GGUF has SHA-256 {digest}, expected {sha256}")
    return dest


def main() -> None:
    part_dir, sha, ex_path = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    n_train, out_dir = int(sys.argv[4]), Path(sys.argv[5])
    max_steps = int(sys.argv[6]) if len(sys.argv) > 6 else 0  # a smoke run on CPU
    names = sys.argv[7].split(",") if len(sys.argv) > 7 else list(VARIANTS)
    t0 = time.perf_counter()
    base = convert_gguf(join_parts(part_dir, sha), Path("/tmp/base"))
    rows = [Example(**json.loads(line)) for line in Path(ex_path).read_text().splitlines() if line]
    train, evals = rows[:n_train], rows[n_train:]
    result = {
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none",
        "torch": torch.__version__,
        "convert_s": round(time.perf_counter() - t0, 1),
        "train_examples": len(train),
        "eval_examples": len(evals),
        "variants": {},
    }
    for name in names:
        cfg = VARIANTS[name]
        run = Path("/tmp/runs") / name
        cfg = replace(cfg, max_steps=max_steps, eval_every=1 if max_steps else cfg.eval_every)
        r = train_lora(base, train, evals, cfg, run, show_bar=False)
        result["variants"][name] = {k: v for k, v in r.items() if k != "history"}
        result["variants"][name]["eval_curve"] = [h for h in r["history"] if "eval_loss" in h]
        with tarfile.open(out_dir / f"{name}.tar", "w") as tar:
            tar.add(run / "adapter", arcname="adapter")
        shutil.copy(run / "loss.png", out_dir / f"{name}-loss.png")
        (out_dir / "gpu-adapter.json").write_text(json.dumps(result, indent=2))
        print(name, json.dumps(result["variants"][name]["steps_per_s"]), r["best_eval_loss"], flush=True)


if __name__ == "__main__":
    main()
