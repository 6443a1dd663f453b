"""The embedded generator on transformers: GGUF converted once to safetensors, LoRA adapters merged in."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from index import models
from index.devices import resolve_device
from ingest.atomic import publish_dir
from service.llm.base import GenerationConfig, LLMConfig, Message, adapter_tag

log = logging.getLogger(__name__)


def convert_gguf(gguf: Path, dest: Path) -> Path:
    """Dequantize a GGUF once into a safetensors folder (reloads in under a second instead of ~17 s)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if (dest / "config.json").exists():
        return dest
    log.info("converting %s to safetensors in %s (once)", gguf.name, dest)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # transformers marks GGUF-loaded weights as quantized and refuses to save them; they are plain fp32 now.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = dest.with_name(dest.name + ".tmp")
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    return publish_dir(tmp, dest)


def base_model_dir(cfg: LLMConfig) -> Path:
    """The generator's weights as an HF folder (a GGUF is converted once into the cache dir)."""
    src = models.resolve_generator_path(cfg.model, Path(cfg.cache_dir))
    return convert_gguf(src, Path(cfg.cache_dir) / src.stem) if src.suffix == ".gguf" else src


class TransformersGenerator:
    """A causal LM on torch (CPU or CUDA), optionally with a LoRA adapter; one generation at a time."""

    def __init__(self, cfg: LLMConfig) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        src = base_model_dir(cfg)
        self.device = resolve_device(cfg.device)
        self.tokenizer = AutoTokenizer.from_pretrained(str(src))
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        self.model = AutoModelForCausalLM.from_pretrained(str(src), dtype=dtype).to(self.device).eval()
        if cfg.adapter:
            self.load_adapter(cfg.adapter)
        self.name = f"transformers:{cfg.model}" + (f"+{adapter_tag(cfg.adapter)}" if cfg.adapter else "")
        self.context_window = min(
            cfg.context_window, getattr(self.model.config, "max_position_embeddings", 2048)
        )
        self._lock = threading.Lock()

    def load_adapter(self, adapter: str) -> None:
        from peft import PeftModel

        # Merged into the weights: unmerged LoRA adds small matmuls to every attention projection of
        # every token.
        # Switching adapters builds a new generator from the base weights, so nothing needs to unmerge.
        self.model = PeftModel.from_pretrained(self.model, adapter).merge_and_unload().eval()

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(self, messages: list[Message], cfg: GenerationConfig) -> Iterator[str]:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return torch.full(
                    (input_ids.shape[0],), stop.is_set(), dtype=torch.bool, device=input_ids.device
                )

        prompt = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.device)
        streamer = _TokenQueue()
        penalty = _AnswerRepetitionPenalty(cfg.repetition_penalty, inputs["input_ids"].shape[1])
        kwargs = dict(
            **inputs,
            streamer=streamer,
            max_new_tokens=cfg.max_new_tokens,
            logits_processor=LogitsProcessorList([penalty]),
            no_repeat_ngram_size=cfg.no_repeat_ngram_size,
            pad_token_id=self.tokenizer.eos_token_id,
            do_sample=cfg.temperature > 0,
            stopping_criteria=StoppingCriteriaList([_Stop()]),
        )
        if cfg.temperature > 0:
            kwargs["temperature"] = cfg.temperature

        def run() -> None:
            try:
                with self._lock, torch.inference_mode():
                    self.model.generate(**kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer below
                streamer.failure = exc
            finally:
                streamer.end()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield from streamer.texts(self.tokenizer)
        finally:  # the consumer stopped early or finished: end generation and free the model
            stop.set()
            thread.join()
        if streamer.failure is not None:
            raise RuntimeError(f"generation failed: {streamer.failure}") from streamer.failure


class _AnswerRepetitionPenalty:
    """A repetition penalty over the answer's own tokens only.

    transformers' built-in penalty also lowers every token of the prompt, so a grounded model that should
    copy its sources' words is pushed to misspell them ("FedSGD" -> "sdsg"); loops in the answer are what
    the penalty is for."""

    def __init__(self, penalty: float, prompt_len: int) -> None:
        self.penalty, self.prompt_len = penalty, prompt_len

    def __call__(self, input_ids, scores):
        import torch

        answer = input_ids[:, self.prompt_len :]
        if self.penalty == 1.0 or answer.shape[1] == 0:
            return scores
        picked = torch.gather(scores, 1, answer)
        picked = torch.where(picked < 0, picked * self.penalty, picked / self.penalty)
        return scores.scatter(1, answer, picked)


class _TokenQueue:
    """A transformers streamer: new token ids go into a queue; `texts` decodes them incrementally."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.prompt_seen = False
        self.failure: BaseException | None = None

    def put(self, value) -> None:
        if not self.prompt_seen:  # generate() first hands over the prompt
            self.prompt_seen = True
            return
        self.queue.put(value.reshape(-1).tolist())

    def end(self) -> None:
        self.queue.put(None)

    def texts(self, tokenizer) -> Iterator[str]:
        ids: list[int] = []
        sent = ""
        while (item := self.queue.get()) is not None:
            ids += item
            text = tokenizer.decode(ids, skip_special_tokens=True)
            if text.endswith("\ufffd"):  # an incomplete multi-byte character: wait for the next token
                continue
            if len(text) > len(sent):
                yield text[len(sent) :]
                sent = text
