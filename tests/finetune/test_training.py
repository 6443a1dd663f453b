"""LoRA training on the real embedded generator (few steps): adapter saved and loaded, output changed,
resume."""

from __future__ import annotations

import json

import pytest
import torch

from finetune.examples import Example
from finetune.pipeline import FinetuneRequest, run_finetune
from finetune.qadata import QAStore, load_qa_file
from finetune.train import LoRAConfig, train_lora
from index.models import SMOLLM2
from tests.conftest import QA_ROWS

pytestmark = pytest.mark.slow


@pytest.fixture
def ft_settings(hashing_settings, tiny_corpus, models_dir, tmp_path):
    from index.embedders import EmbedderConfig, create_embedder
    from service.ingestion import SourceRequest, ingest_sources

    # LoRA on the 135M model keeps these tests quick; `rag finetune train` defaults to the default generator.
    settings = hashing_settings.model_copy(
        update={
            "models_dir": models_dir,
            "llm_adapter": "",
            "llm_model": SMOLLM2,
            "llm_backend": "transformers",
        }
    )
    ingest_sources(
        settings, create_embedder(EmbedderConfig(backend="hashing")), [SourceRequest(str(tiny_corpus))]
    )
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(r) for r in QA_ROWS))
    QAStore(settings.home).add(load_qa_file(qa))
    return settings


def _logits(model_dir, adapter: str | None):
    from peft import PeftModel

    from finetune.train import load_base

    model, tok = load_base(model_dir, "cpu")
    if adapter:
        model = PeftModel.from_pretrained(model, adapter)
    ids = tok("Sources:\n[1] Adam is an optimizer.\n\nQuestion: what is Adam?", return_tensors="pt")
    with torch.no_grad():
        return model(**ids).logits[0, -1]


def test_five_step_run_makes_an_adapter_that_changes_the_output(ft_settings):
    lora = LoRAConfig(max_steps=5, batch_size=2, max_length=512, eval_every=5, checkpoint_every=5, seed=0)
    stages = []
    meta = run_finetune(
        ft_settings,
        FinetuneRequest(name="tiny", ab_questions=0, held_out_share=0.25, lora=lora),
        on_progress=lambda stage, frac, info: stages.append(stage),
        show_bar=False,
    )
    folder = ft_settings.home / "adapters" / "tiny"
    assert (folder / "adapter" / "adapter_config.json").exists() and (
        folder / "loss.png"
    ).stat().st_size > 1000
    saved = json.loads((folder / "metadata.json").read_text())
    assert saved["base_model"] and saved["data_hash"] and saved["metrics"]["training"]["steps"] == 5
    assert saved["config"]["rank"] == 8 and meta["train_examples"] > 0
    assert stages[0] == "examples" and "training" in stages and stages[-1] == "done"
    from service.llm import base_model_dir

    model_dir = base_model_dir(ft_settings.llm_config())
    diff = (_logits(model_dir, None) - _logits(model_dir, str(folder / "adapter"))).abs().max().item()
    assert diff > 1e-3
    # the adapter serves: a settings name resolves to it
    assert ft_settings.model_copy(update={"llm_adapter": "tiny"}).adapter_path().endswith("tiny/adapter")
    # and merges into a standalone model folder
    from finetune.export import export_merged

    out = export_merged(ft_settings, "tiny", ft_settings.home / "merged")
    assert (out / "config.json").exists() and list(out.glob("*.safetensors"))
    merged_logits = _logits(out, None)
    assert (merged_logits - _logits(model_dir, str(folder / "adapter"))).abs().max().item() < 1e-3


def test_resume_continues_the_step_count(ft_settings, tmp_path):
    from service.llm import base_model_dir

    examples = [
        Example(
            [
                {"role": "system", "content": "Answer from the sources."},
                {"role": "user", "content": f"Sources:\n[1] Fact number {i}.\n\nQuestion: which fact?"},
                {"role": "assistant", "content": f"Fact number {i}. [1]"},
            ],
            "answer",
            str(i),
        )
        for i in range(8)
    ]
    model_dir = base_model_dir(ft_settings.llm_config())
    cfg = LoRAConfig(rank=4, alpha=8, max_steps=3, batch_size=2, checkpoint_every=1, eval_every=100, seed=1)
    first = train_lora(model_dir, examples, [], cfg, tmp_path / "run", show_bar=False)
    assert first["steps"] == 3
    cfg.max_steps = 5
    second = train_lora(model_dir, examples, [], cfg, tmp_path / "run", resume=True, show_bar=False)
    assert second["steps"] == 5
    assert [h["step"] for h in second["history"]] == [1, 2, 3, 4, 5]  # earlier steps kept, two more added
