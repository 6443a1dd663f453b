"""LoRA training (peft) on the generator: a plain loop with eval loss, early stopping, checkpoints, resume."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from finetune.examples import Example
from finetune.plots import plot_losses
from finetune.schedule import warmup_linear
from index.devices import resolve_device
from ingest.atomic import publish_dir

log = logging.getLogger(__name__)


@dataclass
class LoRAConfig:
    """Training settings; defaults measured on SmolLM2-135M on this CPU (see README)."""

    rank: int = 8  # the shipped adapter's recipe (Makefile `adapter`); lora_alpha = 2 * rank
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    lr: float = 4e-4
    epochs: float = 1.0
    max_steps: int = 0  # > 0 caps the steps whatever the epochs
    batch_size: int = 4
    max_length: int = 640
    warmup_steps: int = 10
    eval_every: int = 25
    eval_examples: int = 24
    patience: int = 3  # evals without improvement before stopping early
    checkpoint_every: int = 25
    seed: int = 0
    device: str = "auto"


@dataclass
class Progress:
    """What a running training reports (to a progress bar or a job)."""

    step: int
    total_steps: int
    loss: float
    eval_loss: float | None
    elapsed_s: float


def encode(tokenizer, ex: Example, max_length: int) -> tuple[list[int], list[int]] | None:
    """Token ids and labels; only the assistant's answer is learned (prompt tokens are masked)."""
    prompt = tokenizer.apply_chat_template(ex.messages[:-1], add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template(ex.messages, tokenize=False)
    if not full.startswith(prompt):
        raise ValueError("the chat template does not extend the prompt with the answer")
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = tokenizer(full.rstrip("\n"), add_special_tokens=False)["input_ids"]
    if len(ids) > max_length:
        return None  # never cut a prompt: the model would learn from sources it cannot see
    return ids, [-100] * len(p_ids) + ids[len(p_ids) :]


def _batches(rows: list, size: int, rng: random.Random) -> list[list]:
    order = list(range(len(rows)))
    rng.shuffle(order)
    return [[rows[i] for i in order[k : k + size]] for k in range(0, len(order), size)]


def _collate(batch: list[tuple[list[int], list[int]]], pad: int, device: str) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        ids[i, : len(x)], labels[i, : len(y)], mask[i, : len(x)] = torch.tensor(x), torch.tensor(y), 1
    return {"input_ids": ids.to(device), "labels": labels.to(device), "attention_mask": mask.to(device)}


@torch.no_grad()
def eval_loss(model, rows: list, cfg: LoRAConfig, pad: int, device: str) -> float:
    model.eval()
    losses = [
        model(**_collate(rows[i : i + cfg.batch_size], pad, device)).loss.item()
        for i in range(0, len(rows), cfg.batch_size)
    ]
    model.train()
    return float(sum(losses) / max(len(losses), 1))


def load_base(model_dir: Path, device: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    # fp32 on CUDA too: bf16 LoRA weights lose AdamW's small updates, and a 135M model is cheap in fp32;
    # TF32 matmuls keep the tensor cores busy.
    torch.backends.cuda.matmul.allow_tf32 = True
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).to(device)
    return model, tok


@dataclass
class _Run:
    """One training run's moving parts, so each step of `train_lora` is a small function."""

    model: Any
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LambdaLR
    state: dict
    total: int
    pad: int
    device: str
    ckpt: Path


def train_lora(
    model_dir: Path,
    train: list[Example],
    evals: list[Example],
    cfg: LoRAConfig,
    out_dir: Path,
    *,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    show_bar: bool = True,
) -> dict:
    """Train an adapter into out_dir/adapter (the best eval loss), checkpoints in out_dir/checkpoint."""
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = resolve_device(cfg.device)
    base, tok = load_base(model_dir, device)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    rows, erows = _encode_all(tok, train, cfg), _encode_all(tok, evals[: cfg.eval_examples], cfg)
    if not rows:
        raise ValueError("no training example fits max_length; raise it or shorten the sources")
    steps_per_epoch = math.ceil(len(rows) / cfg.batch_size)
    total = cfg.max_steps or max(1, math.ceil(steps_per_epoch * cfg.epochs))
    run = _start_run(base, cfg, out_dir / "checkpoint", total, resume, pad=pad, device=device)
    batches = _plan_batches(rows, cfg, math.ceil(total / steps_per_epoch) + 1)
    t0 = time.perf_counter()
    stopped_early = _loop(run, batches, erows, cfg, out_dir, on_progress, show_bar, t0)
    if not erows:
        run.model.save_pretrained(str(out_dir / "adapter"))
    plot_losses(run.state["history"], out_dir / "loss.png")
    return _summary(run, cfg, len(rows), stopped_early, time.perf_counter() - t0)


def _encode_all(tok, examples: list[Example], cfg: LoRAConfig) -> list:
    return [r for r in (encode(tok, ex, cfg.max_length) for ex in examples) if r]


def _plan_batches(rows: list, cfg: LoRAConfig, epochs: int) -> list:
    """The whole run's batches up front from one seeded generator, so a resumed run sees the same order."""
    rng = random.Random(cfg.seed)
    batches: list = []
    for _ in range(epochs):
        batches += _batches(rows, cfg.batch_size, rng)
    return batches


def _start_run(base, cfg: LoRAConfig, ckpt: Path, total: int, resume: bool, *, pad: int, device: str) -> _Run:
    """A fresh LoRA model, or the checkpointed one with its optimizer and scheduler when resuming."""
    from peft import LoraConfig, PeftModel, get_peft_model  # deferred: peft pulls in accelerate

    state = {"step": 0, "history": [], "best_eval": None, "bad_evals": 0}
    if resume and (ckpt / "state.json").exists():
        model = PeftModel.from_pretrained(base, str(ckpt / "adapter"), is_trainable=True)
        state = json.loads((ckpt / "state.json").read_text())
        log.info("resuming from step %d", state["step"])
    else:
        lcfg = LoraConfig(
            r=cfg.rank,
            lora_alpha=cfg.alpha,
            lora_dropout=cfg.dropout,
            target_modules=cfg.target_modules,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(base, lcfg)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.0)
    sched = warmup_linear(opt, cfg.warmup_steps, total, floor=0.05)
    if state["step"] and (ckpt / "optimizer.pt").exists():
        saved = torch.load(ckpt / "optimizer.pt", weights_only=False)
        opt.load_state_dict(saved["optimizer"])
        sched.load_state_dict(saved["scheduler"])
    return _Run(model, opt, sched, state, total, pad, device, ckpt)


def _loop(
    run: _Run,
    batches: list,
    erows: list,
    cfg: LoRAConfig,
    out_dir: Path,
    on_progress: Callable[[Progress], None] | None,
    show_bar: bool,
    t0: float,
) -> bool:
    """Step until the total or an early stop; True when it stopped early."""
    state = run.state
    with tqdm(total=run.total, initial=state["step"], desc="lora", disable=not show_bar) as bar:
        while state["step"] < run.total:
            entry = _step(run, batches[state["step"]])
            done = state["step"] == run.total
            if erows and (state["step"] % cfg.eval_every == 0 or done):
                _evaluate(run, erows, cfg, entry, out_dir)
            state["history"].append(entry)
            bar.update(1)
            bar.set_postfix(loss=entry["loss"], eval=entry.get("eval_loss", state["best_eval"]))
            if on_progress:
                elapsed = time.perf_counter() - t0
                on_progress(Progress(state["step"], run.total, entry["loss"], state["best_eval"], elapsed))
            if state["step"] % cfg.checkpoint_every == 0 or done:
                _checkpoint(run.model, run.opt, run.sched, state, run.ckpt)
            if state["bad_evals"] >= cfg.patience:
                log.info(
                    "early stop at step %d: eval loss has not improved for %d evals",
                    state["step"],
                    cfg.patience,
                )
                return True
    return False


def _step(run: _Run, batch: list) -> dict:
    """One optimizer step; returns the history entry."""
    loss = run.model(**_collate(batch, run.pad, run.device)).loss
    run.opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), 1.0)
    run.opt.step()
    run.sched.step()
    run.state["step"] += 1
    return {"step": run.state["step"], "loss": round(loss.item(), 4)}


def _evaluate(run: _Run, erows: list, cfg: LoRAConfig, entry: dict, out_dir: Path) -> None:
    """Eval loss into the entry; the adapter is saved whenever it is the best so far."""
    state = run.state
    entry["eval_loss"] = round(eval_loss(run.model, erows, cfg, run.pad, run.device), 4)
    if state["best_eval"] is None or entry["eval_loss"] < state["best_eval"]:
        state["best_eval"], state["bad_evals"] = entry["eval_loss"], 0
        run.model.save_pretrained(str(out_dir / "adapter"))
    else:
        state["bad_evals"] += 1


def _summary(run: _Run, cfg: LoRAConfig, examples: int, stopped_early: bool, elapsed: float) -> dict:
    state = run.state
    first = state["history"][0]["step"] - 1 if state["history"] else state["step"]
    return {
        "steps": state["step"],
        "total_steps": run.total,
        "examples": examples,
        "best_eval_loss": state["best_eval"],
        "stopped_early": stopped_early,
        "seconds": round(elapsed, 1),
        "device": run.device,
        "steps_per_s": round((state["step"] - first) / elapsed, 3) if elapsed else None,
        "config": asdict(cfg),
        "history": state["history"],
    }


def _checkpoint(model, opt, sched, state: dict, ckpt: Path) -> None:
    """Adapter, optimizer and step written to a temporary folder, then swapped in whole."""
    import shutil

    tmp = ckpt.with_name("checkpoint.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp / "adapter"))
    torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state))
    publish_dir(tmp, ckpt)
